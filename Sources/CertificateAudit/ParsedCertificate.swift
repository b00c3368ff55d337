import Crypto
import SwiftASN1
import TLSFlowModel
import X509

/// One certificate as sent, decoded as far as possible.
///
/// Two levels, because swift-certificates refuses to load exactly the certificates an audit must
/// report on (RSA keys under 2048 bits, P-192/P-224 keys, MD5 or RSA-PSS signatures): the X.509
/// structure is always decoded with SwiftASN1 and swift-certificates' own field types
/// (DistinguishedName, Certificate.Extension, GeneralName), and `certificate` is the full
/// swift-certificates value used for chain building and signature checks when it loads.
struct ParsedCertificate: Sendable {
    let der: [UInt8]
    let sha256: String
    /// The swift-certificates value; nil when it refused the certificate (`loadError` says why).
    let certificate: Certificate?
    let loadError: String?
    let subject: DistinguishedName
    let issuer: DistinguishedName
    /// INTEGER content octets as encoded (sign byte included), the way Wireshark prints serials.
    let serial: [UInt8]
    let notBefore: Timestamp
    let notAfter: Timestamp
    let extensions: Certificate.Extensions
    let key: KeyDescription
    let signatureAlgorithm: ASN1ObjectIdentifier
    let tbsBytes: ArraySlice<UInt8>
    let signatureBits: ASN1BitString

    var subjectText: String { subject.description }
    var issuerText: String { issuer.description }
    /// The name people use for this certificate in messages: its CN, else the whole subject.
    var label: String {
        if let cn = subject.lastCommonName, !cn.isEmpty { return cn }
        let text = subject.description
        return text.isEmpty ? "(empty subject)" : text
    }
    var signatureAlgorithmName: String { SignatureAlgorithmNames.name(signatureAlgorithm) }
    var nameIsSelfIssued: Bool { subject == issuer }

    var basicConstraintsCA: Bool {
        if case .isCertificateAuthority = (try? extensions.basicConstraints) ?? .notCertificateAuthority { return true }
        return false
    }

    /// SAN entries in the contract's "dns:…"/"ip:…" form.
    var sanStrings: [String] {
        guard let names = try? extensions.subjectAlternativeNames else { return [] }
        return names.map(Self.render)
    }

    static func render(_ name: GeneralName) -> String {
        switch name {
        case .dnsName(let value): return "dns:" + value
        case .ipAddress(let octets): return "ip:" + IPAddressText.render(Array(octets.bytes))
        case .rfc822Name(let value): return "email:" + value
        case .uniformResourceIdentifier(let value): return "uri:" + value
        case .directoryName(let dn): return "dirname:" + dn.description
        case .registeredID(let oid): return "rid:" + oid.description
        case .otherName(let other): return "othername:" + other.typeID.description
        case .x400Address: return "x400address"
        case .ediPartyName: return "edipartyname"
        }
    }

    /// Whether `issuerCandidate`'s key produced this certificate's signature (false when either
    /// side uses an algorithm swift-certificates cannot verify).
    func isSigned(by issuerCandidate: ParsedCertificate) -> Bool {
        guard let issuerCertificate = issuerCandidate.certificate else { return false }
        if let certificate {
            return issuerCertificate.publicKey.isValidSignature(certificate.signature, for: certificate)
        }
        // The child did not load (e.g. an RSA-1024 leaf) but its issuer did: check the raw TBS bytes.
        guard let algorithm = SignatureAlgorithmNames.x509Algorithm(signatureAlgorithm) else { return false }
        return issuerCertificate.publicKey.isValidSignature(
            signatureBits.bytes, for: tbsBytes, signatureAlgorithm: algorithm)
    }

    /// Self-signed: issuer name equals subject and the certificate's own key verifies its signature.
    /// When the signature cannot be checked the names decide (a root we cannot verify is still a root).
    /// Decided once when the certificate is parsed: every audit of a cached chain asks, and
    /// each answer would otherwise cost a signature verification.
    private(set) var isSelfSigned = false

    private func checkSelfSigned() -> Bool {
        guard nameIsSelfIssued else { return false }
        if certificate != nil, SignatureAlgorithmNames.x509Algorithm(signatureAlgorithm) != nil {
            return isSigned(by: self)
        }
        return true
    }

    // MARK: Decoding

    enum DecodeError: Error, CustomStringConvertible {
        case malformed(String)
        var description: String {
            switch self {
            case .malformed(let reason): return reason
            }
        }
    }

    /// Decodes `der`; throws only when the bytes are not an X.509 certificate at all.
    init(der: [UInt8], sha256: String? = nil) throws {
        self.der = der
        self.sha256 = sha256 ?? hexString(SHA256.hash(data: der))
        let root: ASN1Node
        do {
            root = try DER.parse(der)
        } catch {
            throw DecodeError.malformed("not DER: \(error)")
        }
        guard root.encodedBytes.count == der.count else {
            throw DecodeError.malformed("\(der.count - root.encodedBytes.count) bytes after the certificate")
        }
        let outer: (tbs: ASN1Node, algorithm: ASN1ObjectIdentifier, signature: ASN1BitString)
        do {
            outer = try DER.sequence(root, identifier: .sequence) { nodes in
                guard let tbs = nodes.next(), let algorithm = nodes.next(), let signature = nodes.next() else {
                    throw DecodeError.malformed("Certificate SEQUENCE has fewer than 3 elements")
                }
                return (tbs, try Self.algorithmOID(algorithm), try ASN1BitString(derEncoded: signature))
            }
        } catch {
            throw DecodeError.malformed("not an X.509 certificate: \(error)")
        }
        let fields: TBSFields
        do {
            fields = try TBSFields.decode(outer.tbs)
        } catch {
            throw DecodeError.malformed("bad TBSCertificate: \(error)")
        }
        self.tbsBytes = outer.tbs.encodedBytes
        self.signatureAlgorithm = outer.algorithm
        self.signatureBits = outer.signature
        self.subject = fields.subject
        self.issuer = fields.issuer
        self.serial = fields.serial
        self.notBefore = fields.notBefore
        self.notAfter = fields.notAfter
        self.key = fields.key

        var loaded: Certificate?
        var loadError: String?
        do {
            loaded = try Certificate(derEncoded: der)
        } catch {
            loadError = "\(error)"
        }
        self.certificate = loaded
        self.loadError = loadError
        if let loaded {
            self.extensions = loaded.extensions
        } else {
            self.extensions = (try? Certificate.Extensions(fields.extensions)) ?? Certificate.Extensions()
        }
        isSelfSigned = checkSelfSigned()
    }

    private static func algorithmOID(_ node: ASN1Node) throws -> ASN1ObjectIdentifier {
        try DER.sequence(node, identifier: .sequence) { nodes in
            guard let oid = nodes.next() else { throw DecodeError.malformed("empty AlgorithmIdentifier") }
            // Parameters (NULL, curve OID, PSS parameters) are not needed for naming.
            while nodes.next() != nil {}
            return try ASN1ObjectIdentifier(derEncoded: oid)
        }
    }

    private struct TBSFields {
        var serial: [UInt8] = []
        var issuer = DistinguishedName()
        var subject = DistinguishedName()
        var notBefore = Timestamp.zero
        var notAfter = Timestamp.zero
        var key = KeyDescription.unknown("")
        var extensions: [Certificate.Extension] = []

        static func decode(_ node: ASN1Node) throws -> TBSFields {
            try DER.sequence(node, identifier: .sequence) { nodes in
                var fields = TBSFields()
                _ = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { $0 }
                guard let serialNode = nodes.next(), serialNode.identifier == .integer,
                    case .primitive(let serialBytes) = serialNode.content
                else { throw DecodeError.malformed("serialNumber is not an INTEGER") }
                fields.serial = Array(serialBytes)
                guard nodes.next() != nil, let issuerNode = nodes.next(), let validityNode = nodes.next(),
                    let subjectNode = nodes.next(), let spkiNode = nodes.next()
                else { throw DecodeError.malformed("TBSCertificate is missing fields") }
                fields.issuer = try DistinguishedName(derEncoded: issuerNode)
                fields.subject = try DistinguishedName(derEncoded: subjectNode)
                (fields.notBefore, fields.notAfter) = try DER.sequence(validityNode, identifier: .sequence) { times in
                    guard let before = times.next(), let after = times.next() else {
                        throw DecodeError.malformed("Validity needs two times")
                    }
                    return (try Self.time(before), try Self.time(after))
                }
                fields.key = try KeyDescription(subjectPublicKeyInfo: spkiNode)
                // issuerUniqueID [1], subjectUniqueID [2] (implicit, skipped), extensions [3] explicit.
                let extensionsTag = ASN1Identifier(tagWithNumber: 3, tagClass: .contextSpecific)
                while let next = nodes.next() {
                    guard next.identifier == extensionsTag else { continue }
                    fields.extensions = try DER.explicitlyTagged(next, tagNumber: 3, tagClass: .contextSpecific) {
                        try DER.sequence(of: Certificate.Extension.self, identifier: .sequence, rootNode: $0)
                    }
                }
                return fields
            }
        }

        private static func time(_ node: ASN1Node) throws -> Timestamp {
            let parts: (year: Int, month: Int, day: Int, hours: Int, minutes: Int, seconds: Int)
            switch node.identifier {
            case .utcTime:
                let t = try UTCTime(derEncoded: node)
                parts = (t.year, t.month, t.day, t.hours, t.minutes, t.seconds)
            case .generalizedTime:
                let t = try GeneralizedTime(derEncoded: node)
                parts = (t.year, t.month, t.day, t.hours, t.minutes, t.seconds)
            default:
                throw DecodeError.malformed("validity time is neither UTCTime nor GeneralizedTime")
            }
            let days = Timestamp.daysSinceEpoch(year: Int64(parts.year), month: parts.month, day: parts.day)
            let seconds = days &* 86_400 &+ Int64(parts.hours * 3600 + parts.minutes * 60 + min(parts.seconds, 59))
            return Timestamp(seconds: seconds, nanoseconds: 0)
        }
    }
}

extension DistinguishedName {
    /// The most specific CN (the one RFC 6125 clients look at).
    var lastCommonName: String? {
        for rdn in self.reversed() {
            for attribute in rdn.reversed() where attribute.type == .RDNAttributeType.commonName {
                return String(attribute.value) ?? attribute.value.description
            }
        }
        return nil
    }

    /// Values of every attribute of one type, most specific first.
    func values(of type: ASN1ObjectIdentifier) -> [String] {
        var out: [String] = []
        for rdn in self.reversed() {
            for attribute in rdn where attribute.type == type {
                out.append(String(attribute.value) ?? attribute.value.description)
            }
        }
        return out
    }
}

/// Text forms of IP addresses from SAN octets: dotted quad, RFC 5952 for IPv6.
enum IPAddressText {
    static func render(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        guard bytes.count == 16 else { return hexString(bytes) }
        var groups: [UInt16] = []
        for i in stride(from: 0, to: 16, by: 2) { groups.append(UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])) }
        // Longest run (>= 2) of zero groups becomes "::"; the first such run on ties (RFC 5952 4.2.3).
        var bestStart = -1
        var bestLength = 0
        var i = 0
        while i < 8 {
            if groups[i] == 0 {
                var j = i
                while j < 8, groups[j] == 0 { j += 1 }
                if j - i > bestLength, j - i >= 2 {
                    bestStart = i
                    bestLength = j - i
                }
                i = j
            } else {
                i += 1
            }
        }
        func hex(_ range: Range<Int>) -> String {
            groups[range].map { String($0, radix: 16) }.joined(separator: ":")
        }
        if bestStart < 0 { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }
}
