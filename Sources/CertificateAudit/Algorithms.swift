import SwiftASN1
import X509

/// The subject public key as the contract names it ("RSA 2048", "EC P-256", "Ed25519").
enum KeyDescription: Sendable, Equatable {
    case rsa(bits: Int)
    case ec(curve: String, bits: Int?)
    case ed25519
    case ed448
    case dsa
    case named(String)
    case unknown(String)

    var text: String {
        switch self {
        case .rsa(let bits): return "RSA \(bits)"
        case .ec(let curve, _): return "EC \(curve)"
        case .ed25519: return "Ed25519"
        case .ed448: return "Ed448"
        case .dsa: return "DSA"
        case .named(let name): return name
        case .unknown(let oid): return oid.isEmpty ? "unknown" : "unknown (\(oid))"
        }
    }

    /// Why this key is too weak (RSA < 2048 bits, EC < 224 bits, DSA), or nil.
    var weakness: String? {
        switch self {
        case .rsa(let bits) where bits < 2048: return "RSA key of \(bits) bits (minimum 2048)"
        case .ec(let curve, .some(let bits)) where bits < 224: return "EC key on \(curve) (\(bits) bits, minimum 224)"
        case .dsa: return "DSA key (DSA is not accepted by TLS 1.3 or by current browsers)"
        default: return nil
        }
    }

    private static let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 1]
    private static let rsassaPSS: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 10]
    private static let ecPublicKey: ASN1ObjectIdentifier = [1, 2, 840, 10045, 2, 1]
    private static let ed25519OID: ASN1ObjectIdentifier = [1, 3, 101, 112]
    private static let ed448OID: ASN1ObjectIdentifier = [1, 3, 101, 113]
    private static let dsaOID: ASN1ObjectIdentifier = [1, 2, 840, 10040, 4, 1]

    private static let curves: [ASN1ObjectIdentifier: (String, Int)] = [
        [1, 2, 840, 10045, 3, 1, 1]: ("P-192", 192),
        [1, 3, 132, 0, 33]: ("P-224", 224),
        [1, 2, 840, 10045, 3, 1, 7]: ("P-256", 256),
        [1, 3, 132, 0, 34]: ("P-384", 384),
        [1, 3, 132, 0, 35]: ("P-521", 521),
        [1, 3, 132, 0, 10]: ("secp256k1", 256),
        [1, 3, 36, 3, 3, 2, 8, 1, 1, 7]: ("brainpoolP256r1", 256),
        [1, 3, 36, 3, 3, 2, 8, 1, 1, 11]: ("brainpoolP384r1", 384),
        [1, 3, 36, 3, 3, 2, 8, 1, 1, 13]: ("brainpoolP512r1", 512),
    ]

    /// Decodes SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }.
    init(subjectPublicKeyInfo node: ASN1Node) throws {
        let (algorithm, parameter, key) = try DER.sequence(node, identifier: .sequence) {
            nodes -> (ASN1ObjectIdentifier, ASN1Node?, ASN1BitString) in
            guard let algorithmNode = nodes.next(), let keyNode = nodes.next() else {
                throw ParsedCertificate.DecodeError.malformed("SubjectPublicKeyInfo needs two elements")
            }
            let (oid, parameter) = try DER.sequence(algorithmNode, identifier: .sequence) {
                inner -> (ASN1ObjectIdentifier, ASN1Node?) in
                guard let oidNode = inner.next() else {
                    throw ParsedCertificate.DecodeError.malformed("empty AlgorithmIdentifier")
                }
                let parameter = inner.next()
                while inner.next() != nil {}
                return (try ASN1ObjectIdentifier(derEncoded: oidNode), parameter)
            }
            return (oid, parameter, try ASN1BitString(derEncoded: keyNode))
        }
        switch algorithm {
        case Self.rsaEncryption, Self.rsassaPSS:
            self = .rsa(bits: Self.rsaModulusBits(Array(key.bytes)))
        case Self.ecPublicKey:
            if let parameter, parameter.identifier == .objectIdentifier,
                let curveOID = try? ASN1ObjectIdentifier(derEncoded: parameter)
            {
                if let (name, bits) = Self.curves[curveOID] {
                    self = .ec(curve: name, bits: bits)
                } else {
                    self = .ec(curve: curveOID.description, bits: nil)
                }
            } else {
                self = .ec(curve: "explicit parameters", bits: nil)
            }
        case Self.ed25519OID: self = .ed25519
        case Self.ed448OID: self = .ed448
        case Self.dsaOID: self = .dsa
        case [2, 16, 840, 1, 101, 3, 4, 3, 17]: self = .named("ML-DSA-44")
        case [2, 16, 840, 1, 101, 3, 4, 3, 18]: self = .named("ML-DSA-65")
        case [2, 16, 840, 1, 101, 3, 4, 3, 19]: self = .named("ML-DSA-87")
        default: self = .unknown(algorithm.description)
        }
    }

    /// Bit length of n in RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }; 0 if undecodable.
    private static func rsaModulusBits(_ bytes: [UInt8]) -> Int {
        guard let node = try? DER.parse(bytes),
            let modulus = try? DER.sequence(
                node, identifier: .sequence,
                { nodes -> ArraySlice<UInt8> in
                    guard let n = nodes.next(), n.identifier == .integer, case .primitive(let content) = n.content
                    else {
                        throw ParsedCertificate.DecodeError.malformed("RSAPublicKey modulus")
                    }
                    while nodes.next() != nil {}
                    return content
                })
        else { return 0 }
        let significant = modulus.drop(while: { $0 == 0 })
        guard let first = significant.first else { return 0 }
        return (significant.count - 1) * 8 + (8 - first.leadingZeroBitCount)
    }
}

/// Signature algorithm names as OpenSSL prints them, and which are weak.
enum SignatureAlgorithmNames {
    private static let names: [ASN1ObjectIdentifier: String] = [
        [1, 2, 840, 113_549, 1, 1, 2]: "md2WithRSAEncryption",
        [1, 2, 840, 113_549, 1, 1, 4]: "md5WithRSAEncryption",
        [1, 2, 840, 113_549, 1, 1, 5]: "sha1WithRSAEncryption",
        [1, 3, 14, 3, 2, 29]: "sha1WithRSA",
        [1, 2, 840, 113_549, 1, 1, 14]: "sha224WithRSAEncryption",
        [1, 2, 840, 113_549, 1, 1, 11]: "sha256WithRSAEncryption",
        [1, 2, 840, 113_549, 1, 1, 12]: "sha384WithRSAEncryption",
        [1, 2, 840, 113_549, 1, 1, 13]: "sha512WithRSAEncryption",
        [1, 2, 840, 113_549, 1, 1, 10]: "rsassaPss",
        [1, 2, 840, 10045, 4, 1]: "ecdsa-with-SHA1",
        [1, 2, 840, 10045, 4, 3, 1]: "ecdsa-with-SHA224",
        [1, 2, 840, 10045, 4, 3, 2]: "ecdsa-with-SHA256",
        [1, 2, 840, 10045, 4, 3, 3]: "ecdsa-with-SHA384",
        [1, 2, 840, 10045, 4, 3, 4]: "ecdsa-with-SHA512",
        [1, 3, 101, 112]: "ED25519",
        [1, 3, 101, 113]: "ED448",
        [1, 2, 840, 10040, 4, 3]: "dsaWithSHA1",
        [2, 16, 840, 1, 101, 3, 4, 3, 2]: "dsa_with_SHA256",
        [2, 16, 840, 1, 101, 3, 4, 3, 17]: "ML-DSA-44",
        [2, 16, 840, 1, 101, 3, 4, 3, 18]: "ML-DSA-65",
        [2, 16, 840, 1, 101, 3, 4, 3, 19]: "ML-DSA-87",
    ]

    private static let weakHashes: [ASN1ObjectIdentifier: String] = [
        [1, 2, 840, 113_549, 1, 1, 2]: "MD2",
        [1, 2, 840, 113_549, 1, 1, 4]: "MD5",
        [1, 2, 840, 113_549, 1, 1, 5]: "SHA-1",
        [1, 3, 14, 3, 2, 29]: "SHA-1",
        [1, 2, 840, 10045, 4, 1]: "SHA-1",
        [1, 2, 840, 10040, 4, 3]: "SHA-1",
    ]

    static func name(_ oid: ASN1ObjectIdentifier) -> String { names[oid] ?? oid.description }

    /// "SHA-1", "MD5" when the signature uses a broken hash.
    static func weakHash(_ oid: ASN1ObjectIdentifier) -> String? { weakHashes[oid] }

    /// The swift-certificates algorithm for this OID, when it can verify it.
    static func x509Algorithm(_ oid: ASN1ObjectIdentifier) -> Certificate.SignatureAlgorithm? {
        switch name(oid) {
        case "sha1WithRSAEncryption": return .sha1WithRSAEncryption
        case "sha256WithRSAEncryption": return .sha256WithRSAEncryption
        case "sha384WithRSAEncryption": return .sha384WithRSAEncryption
        case "sha512WithRSAEncryption": return .sha512WithRSAEncryption
        case "ecdsa-with-SHA256": return .ecdsaWithSHA256
        case "ecdsa-with-SHA384": return .ecdsaWithSHA384
        case "ecdsa-with-SHA512": return .ecdsaWithSHA512
        case "ED25519": return .ed25519
        default: return nil
        }
    }
}
