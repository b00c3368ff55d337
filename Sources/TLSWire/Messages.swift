/// Certificate (RFC 5246 7.4.2 and RFC 8446 4.4.2). The caller says which form it is: the
/// bytes alone cannot tell a TLS 1.3 message from a TLS 1.2 one reliably.
public struct CertificateMessage: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var der: [UInt8]
        /// TLS 1.3 per-certificate extensions (status_request, SCT...); empty for TLS 1.2.
        public var extensions: [TLSExtension]
    }

    /// TLS 1.3 certificate_request_context; empty for TLS 1.2.
    public var requestContext: [UInt8]
    public var entries: [Entry]
    public var isTLS13: Bool

    /// DER of each certificate, leaf first.
    public var certificates: [[UInt8]] { entries.map(\.der) }

    public init(parsing body: ArraySlice<UInt8>, tls13: Bool) throws(DecodeError) {
        var r = ByteReader(body)
        if tls13 {
            var context = try r.readLengthPrefixed(lengthBytes: 1, "certificate_request_context")
            requestContext = Array(context.readRest())
        } else {
            requestContext = []
        }
        var list = try r.readLengthPrefixed(lengthBytes: 3, "certificate_list")
        try r.expectEnd("Certificate")
        entries = []
        while !list.isAtEnd {
            var cert = try list.readNonEmptyLengthPrefixed(lengthBytes: 3, "ASN.1Cert")
            let der = Array(cert.readRest())
            let exts = tls13 ? try readExtensions(&list, "CertificateEntry extensions") : []
            entries.append(Entry(der: der, extensions: exts))
        }
        isTLS13 = tls13
    }

    public init(parsing body: [UInt8], tls13: Bool) throws(DecodeError) {
        try self.init(parsing: body[...], tls13: tls13)
    }
}

/// CertificateRequest (RFC 5246 7.4.4 / RFC 4346 7.4.4 and RFC 8446 4.3.2).
public struct CertificateRequest: Sendable, Hashable, HasExtensions {
    /// ClientCertificateType values (TLS ≤ 1.2).
    public var certificateTypes: [UInt8]
    /// TLS 1.2 supported_signature_algorithms, or TLS 1.3 signature_algorithms extension.
    public var signatureAlgorithmsList: [SignatureScheme]
    /// DER DistinguishedNames of acceptable CAs (TLS ≤ 1.2 list, or 1.3 certificate_authorities).
    public var certificateAuthorities: [[UInt8]]
    /// TLS 1.3 only.
    public var requestContext: [UInt8]
    public var extensions: [TLSExtension]

    /// `version` is the negotiated version: TLS 1.0/1.1 have no signature algorithm list and
    /// TLS 1.3 has an entirely different layout.
    public init(parsing body: ArraySlice<UInt8>, version: ProtocolVersion) throws(DecodeError) {
        var r = ByteReader(body)
        if version.isTLS13Variant {
            var context = try r.readLengthPrefixed(lengthBytes: 1, "certificate_request_context")
            requestContext = Array(context.readRest())
            extensions = try readExtensions(&r, "extensions")
            try r.expectEnd("CertificateRequest")
            certificateTypes = []
            signatureAlgorithmsList = []
            certificateAuthorities = []
            if let ext = extensions.first(where: { $0.type == .signatureAlgorithms }) {
                signatureAlgorithmsList = try ExtensionDecoders.signatureAlgorithms(ext)
            }
            if let ext = extensions.first(where: { $0.type == .certificateAuthorities }) {
                var er = ext.reader
                var list = try er.readNonEmptyLengthPrefixed(lengthBytes: 2, "authorities")
                try er.expectEnd("certificate_authorities extension")
                while !list.isAtEnd {
                    var dn = try list.readNonEmptyLengthPrefixed(lengthBytes: 2, "DistinguishedName")
                    certificateAuthorities.append(Array(dn.readRest()))
                }
            }
            return
        }
        requestContext = []
        extensions = []
        var types = try r.readNonEmptyLengthPrefixed(lengthBytes: 1, "certificate_types")
        certificateTypes = Array(types.readRest())
        if version >= .tls12 {
            signatureAlgorithmsList = try r.readUInt16Vector(
                lengthBytes: 2, "supported_signature_algorithms", allowEmpty: false
            ).map { SignatureScheme($0) }
        } else {
            signatureAlgorithmsList = []
        }
        var cas = try r.readLengthPrefixed(lengthBytes: 2, "certificate_authorities")
        try r.expectEnd("CertificateRequest")
        certificateAuthorities = []
        while !cas.isAtEnd {
            var dn = try cas.readNonEmptyLengthPrefixed(lengthBytes: 2, "DistinguishedName")
            certificateAuthorities.append(Array(dn.readRest()))
        }
    }

    public init(parsing body: [UInt8], version: ProtocolVersion) throws(DecodeError) {
        try self.init(parsing: body[...], version: version)
    }
}

/// ServerKeyExchange (RFC 5246 7.4.3, RFC 8422 5.4, RFC 4279 2/3/4, RFC 5489).
public struct ServerKeyExchange: Sendable, Hashable {
    public enum Parameters: Sendable, Hashable {
        /// ECParameters with curve_type named_curve (3).
        case ecdhe(group: NamedGroup, publicKey: [UInt8])
        /// explicit_prime (1) or explicit_char2 (2) curves: deprecated by RFC 8422, kept raw.
        case explicitCurve(curveType: UInt8)
        case dhe(primeBits: Int, prime: [UInt8], generator: [UInt8], publicKey: [UInt8])
        /// A key exchange this decoder does not model (RSA export, SRP, plain PSK...).
        case opaque([UInt8])
    }

    public var pskIdentityHint: [UInt8]?
    public var parameters: Parameters
    /// TLS 1.2 signature algorithm, when the signature is present and carries one.
    public var signatureScheme: SignatureScheme?
    /// The signature bytes (without the scheme and length), when present.
    public var signature: [UInt8]?

    /// `keyExchange` comes from the negotiated cipher suite; `version` decides whether the
    /// signature starts with a SignatureAndHashAlgorithm (TLS 1.2) or not.
    public init(parsing body: ArraySlice<UInt8>, keyExchange: CipherSuite.KeyExchange, version: ProtocolVersion)
        throws(DecodeError)
    {
        var r = ByteReader(body)
        pskIdentityHint = nil
        switch keyExchange {
        case .psk, .dhePSK, .ecdhePSK, .rsaPSK:
            var hint = try r.readLengthPrefixed(lengthBytes: 2, "psk_identity_hint")
            pskIdentityHint = Array(hint.readRest())
        default: break
        }
        switch keyExchange {
        case .ecdhe, .ecdhAnon, .ecdhePSK:
            let curveType = try r.readUInt8("ECParameters curve_type")
            if curveType == 3 {
                let group = NamedGroup(try r.readUInt16("ECParameters namedcurve"))
                var point = try r.readNonEmptyLengthPrefixed(lengthBytes: 1, "ECPoint")
                parameters = .ecdhe(group: group, publicKey: Array(point.readRest()))
            } else if curveType == 1 || curveType == 2 {
                parameters = .explicitCurve(curveType: curveType)
                signatureScheme = nil
                signature = nil
                return
            } else {
                throw DecodeError(
                    field: "ECParameters curve_type", offset: r.offset - 1, kind: .invalidValue("\(curveType)"))
            }
        case .dhe, .dhAnon, .dhePSK:
            var p = try r.readNonEmptyLengthPrefixed(lengthBytes: 2, "dh_p")
            var g = try r.readNonEmptyLengthPrefixed(lengthBytes: 2, "dh_g")
            var ys = try r.readNonEmptyLengthPrefixed(lengthBytes: 2, "dh_Ys")
            let prime = Array(p.readRest())
            parameters = .dhe(
                primeBits: Self.bitLength(prime), prime: prime, generator: Array(g.readRest()),
                publicKey: Array(ys.readRest()))
        case .psk, .rsaPSK:
            parameters = .opaque([])
        default:
            parameters = .opaque(Array(r.readRest()))
        }
        signatureScheme = nil
        signature = nil
        if r.isAtEnd { return }
        if version >= .tls12 {
            signatureScheme = SignatureScheme(try r.readUInt16("signature algorithm"))
        }
        var sig = try r.readLengthPrefixed(lengthBytes: 2, "signature")
        signature = Array(sig.readRest())
        try r.expectEnd("ServerKeyExchange")
    }

    public init(parsing body: [UInt8], keyExchange: CipherSuite.KeyExchange, version: ProtocolVersion)
        throws(DecodeError)
    {
        try self.init(parsing: body[...], keyExchange: keyExchange, version: version)
    }

    public var group: NamedGroup? {
        if case .ecdhe(let group, _) = parameters { return group }
        return nil
    }

    public var dhPrimeBits: Int? {
        if case .dhe(let bits, _, _, _) = parameters { return bits }
        return nil
    }

    static func bitLength(_ bytes: [UInt8]) -> Int {
        guard let first = bytes.firstIndex(where: { $0 != 0 }) else { return 0 }
        let top = bytes[first]
        return (bytes.count - first - 1) * 8 + (8 - top.leadingZeroBitCount)
    }
}

/// NewSessionTicket (RFC 5077 3.3 and RFC 8446 4.6.1).
public struct NewSessionTicket: Sendable, Hashable, HasExtensions {
    /// ticket_lifetime_hint (TLS 1.2) or ticket_lifetime (TLS 1.3), seconds.
    public var lifetime: UInt32
    public var ageAdd: UInt32?
    public var nonce: [UInt8]?
    public var ticket: [UInt8]
    public var extensions: [TLSExtension]
    public var isTLS13: Bool

    public init(parsing body: ArraySlice<UInt8>, tls13: Bool) throws(DecodeError) {
        var r = ByteReader(body)
        lifetime = try r.readUInt32(tls13 ? "ticket_lifetime" : "ticket_lifetime_hint")
        if tls13 {
            ageAdd = try r.readUInt32("ticket_age_add")
            var n = try r.readLengthPrefixed(lengthBytes: 1, "ticket_nonce")
            nonce = Array(n.readRest())
            var t = try r.readNonEmptyLengthPrefixed(lengthBytes: 2, "ticket")
            ticket = Array(t.readRest())
            extensions = try readExtensions(&r, "extensions")
        } else {
            ageAdd = nil
            nonce = nil
            // RFC 5077 3.3: an empty ticket means the server will not issue one this time.
            var t = try r.readLengthPrefixed(lengthBytes: 2, "ticket")
            ticket = Array(t.readRest())
            extensions = []
        }
        try r.expectEnd("NewSessionTicket")
        isTLS13 = tls13
    }

    public init(parsing body: [UInt8], tls13: Bool) throws(DecodeError) {
        try self.init(parsing: body[...], tls13: tls13)
    }

    /// early_data's max_early_data_size, when the ticket allows 0-RTT.
    public var maxEarlyDataSize: UInt32? {
        guard let ext = extensionNamed(.earlyData) else { return nil }
        var r = ext.reader
        return try? r.readUInt32("max_early_data_size")
    }
}

/// EncryptedExtensions (RFC 8446 4.3.1).
public struct EncryptedExtensions: Sendable, Hashable, HasExtensions {
    public var extensions: [TLSExtension]

    public init(parsing body: ArraySlice<UInt8>) throws(DecodeError) {
        var r = ByteReader(body)
        extensions = try readExtensions(&r, "extensions")
        try r.expectEnd("EncryptedExtensions")
    }

    public init(parsing body: [UInt8]) throws(DecodeError) { try self.init(parsing: body[...]) }

    public func alpnProtocol() throws(DecodeError) -> String? { try alpnProtocols()?.first }
}

/// Finished (RFC 8446 4.4.4): verify_data, 12 bytes in TLS 1.2, Hash.length in TLS 1.3.
public struct Finished: Sendable, Hashable {
    public var verifyData: [UInt8]

    public init(parsing body: ArraySlice<UInt8>) throws(DecodeError) {
        guard !body.isEmpty else { throw DecodeError(field: "verify_data", offset: 0, kind: .empty) }
        verifyData = Array(body)
    }

    public init(parsing body: [UInt8]) throws(DecodeError) { try self.init(parsing: body[...]) }
}

/// CertificateVerify (RFC 8446 4.4.3; RFC 5246 7.4.8 with a SignatureAndHashAlgorithm).
public struct CertificateVerify: Sendable, Hashable {
    public var signatureScheme: SignatureScheme?
    public var signature: [UInt8]

    /// Before TLS 1.2 the message is only the signature vector.
    public init(parsing body: ArraySlice<UInt8>, version: ProtocolVersion = .tls12) throws(DecodeError) {
        var r = ByteReader(body)
        signatureScheme = version >= .tls12 ? SignatureScheme(try r.readUInt16("algorithm")) : nil
        var sig = try r.readNonEmptyLengthPrefixed(lengthBytes: 2, "signature")
        signature = Array(sig.readRest())
        try r.expectEnd("CertificateVerify")
    }

    public init(parsing body: [UInt8], version: ProtocolVersion = .tls12) throws(DecodeError) {
        try self.init(parsing: body[...], version: version)
    }
}

/// KeyUpdate (RFC 8446 4.6.3).
public struct KeyUpdate: Sendable, Hashable {
    public var updateRequested: Bool

    public init(parsing body: ArraySlice<UInt8>) throws(DecodeError) {
        var r = ByteReader(body)
        let value = try r.readUInt8("request_update")
        guard value <= 1 else {
            throw DecodeError(field: "request_update", offset: 0, kind: .invalidValue("\(value) is not 0 or 1"))
        }
        try r.expectEnd("KeyUpdate")
        updateRequested = value == 1
    }

    public init(parsing body: [UInt8]) throws(DecodeError) { try self.init(parsing: body[...]) }
}

/// Alert (RFC 8446 6): exactly two bytes of plaintext.
public struct Alert: Sendable, Hashable, CustomStringConvertible {
    public var level: AlertLevel
    public var alertDescription: AlertDescription

    public init(level: AlertLevel, description: AlertDescription) {
        self.level = level
        self.alertDescription = description
    }

    public init(parsing body: ArraySlice<UInt8>) throws(DecodeError) {
        var r = ByteReader(body)
        level = AlertLevel(try r.readUInt8("alert level"))
        alertDescription = AlertDescription(try r.readUInt8("alert description"))
        try r.expectEnd("Alert")
    }

    public init(parsing body: [UInt8]) throws(DecodeError) { try self.init(parsing: body[...]) }

    public var description: String { "\(level) \(alertDescription)" }
}

/// ChangeCipherSpec (RFC 5246 7.1): a single byte of value 1.
public struct ChangeCipherSpec: Sendable, Hashable {
    public init(parsing body: ArraySlice<UInt8>) throws(DecodeError) {
        var r = ByteReader(body)
        let value = try r.readUInt8("ChangeCipherSpec type")
        guard value == 1 else {
            throw DecodeError(field: "ChangeCipherSpec type", offset: 0, kind: .invalidValue("\(value) is not 1"))
        }
        try r.expectEnd("ChangeCipherSpec")
    }

    public init(parsing body: [UInt8]) throws(DecodeError) { try self.init(parsing: body[...]) }
}
