import WireBasics

/// A cipher suite code point (RFC 8446 B.4, RFC 5246 A.5 and the IANA registry).
/// Kept as a struct, not an enum, so unassigned and GREASE values survive decoding untouched.
public struct CipherSuite: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    /// IANA name; "GREASE" for RFC 8701 values; "0x1234" when unassigned.
    public var name: String {
        if let name = Self.ianaNames[rawValue] { return name }
        if TLSWire.isGREASE(rawValue) { return "GREASE" }
        return hex4(rawValue)
    }
    public var description: String { name }
    public var isGREASE: Bool { TLSWire.isGREASE(rawValue) }
    public var isKnown: Bool { Self.ianaNames[rawValue] != nil }

    /// Suites that only work with TLS 1.3 (RFC 8446 B.4, RFC 8998, RFC 9150, RFC 9367).
    public var isTLS13: Bool { keyExchange == .tls13 }

    /// Signalling values that are not real suites (RFC 5746, RFC 7507).
    public var isSignalling: Bool { rawValue == 0x00FF || rawValue == 0x5600 }

    public static let TLS_AES_128_GCM_SHA256 = CipherSuite(0x1301)
    public static let TLS_AES_256_GCM_SHA384 = CipherSuite(0x1302)
    public static let TLS_CHACHA20_POLY1305_SHA256 = CipherSuite(0x1303)
    public static let TLS_EMPTY_RENEGOTIATION_INFO_SCSV = CipherSuite(0x00FF)
    public static let TLS_FALLBACK_SCSV = CipherSuite(0x5600)
}

extension CipherSuite {
    /// How the premaster/shared secret is established.
    public enum KeyExchange: String, Sendable, Hashable {
        case null = "NULL"
        case rsa = "RSA"
        case dh = "DH"
        case dhe = "DHE"
        case dhAnon = "DH_anon"
        case ecdh = "ECDH"
        case ecdhe = "ECDHE"
        case ecdhAnon = "ECDH_anon"
        case psk = "PSK"
        case dhePSK = "DHE_PSK"
        case ecdhePSK = "ECDHE_PSK"
        case rsaPSK = "RSA_PSK"
        case krb5 = "KRB5"
        case srp = "SRP"
        case eccpwd = "ECCPWD"
        case gost = "GOST"
        /// TLS 1.3 suites: key exchange is negotiated separately (key_share / psk_key_exchange_modes).
        case tls13 = "TLS1.3"
        case signalling = "SCSV"
        case unknown = "unknown"
    }

    public enum HashAlgorithm: String, Sendable, Hashable {
        case none = "NULL"
        case md5 = "MD5"
        case sha1 = "SHA1"
        case sha256 = "SHA256"
        case sha384 = "SHA384"
        case sm3 = "SM3"
        case gost = "GOST"
    }

    public enum BulkCipher: String, Sendable, Hashable {
        case null = "NULL"
        case rc4_40 = "RC4-40"
        case rc4_128 = "RC4-128"
        case rc2CBC40 = "RC2-CBC-40"
        case ideaCBC = "IDEA-CBC"
        case des40CBC = "DES40-CBC"
        case desCBC = "DES-CBC"
        case tripleDESCBC = "3DES-EDE-CBC"
        case aes128CBC = "AES-128-CBC"
        case aes256CBC = "AES-256-CBC"
        case aes128GCM = "AES-128-GCM"
        case aes256GCM = "AES-256-GCM"
        case aes128CCM = "AES-128-CCM"
        case aes256CCM = "AES-256-CCM"
        case aes128CCM8 = "AES-128-CCM-8"
        case aes256CCM8 = "AES-256-CCM-8"
        case chacha20Poly1305 = "CHACHA20-POLY1305"
        case camellia128CBC = "CAMELLIA-128-CBC"
        case camellia256CBC = "CAMELLIA-256-CBC"
        case camellia128GCM = "CAMELLIA-128-GCM"
        case camellia256GCM = "CAMELLIA-256-GCM"
        case aria128CBC = "ARIA-128-CBC"
        case aria256CBC = "ARIA-256-CBC"
        case aria128GCM = "ARIA-128-GCM"
        case aria256GCM = "ARIA-256-GCM"
        case seedCBC = "SEED-CBC"
        case sm4GCM = "SM4-GCM"
        case sm4CCM = "SM4-CCM"
        case aegis256 = "AEGIS-256"
        case aegis128L = "AEGIS-128L"
        case gost = "GOST"

        public var isAEAD: Bool {
            switch self {
            case .aes128GCM, .aes256GCM, .aes128CCM, .aes256CCM, .aes128CCM8, .aes256CCM8, .chacha20Poly1305,
                .camellia128GCM, .camellia256GCM, .aria128GCM, .aria256GCM, .sm4GCM, .sm4CCM, .aegis256, .aegis128L:
                true
            default: false
            }
        }

        public var isCBC: Bool { rawValue.hasSuffix("-CBC") || self == .rc2CBC40 }

        /// Key length in bytes (export ciphers: the effective length after expansion is not modelled).
        public var keyLength: Int {
            switch self {
            case .null, .gost: 0
            case .rc4_40, .rc2CBC40, .des40CBC: 5
            case .desCBC: 8
            case .tripleDESCBC: 24
            case .aes256CBC, .aes256GCM, .aes256CCM, .aes256CCM8, .chacha20Poly1305, .camellia256CBC,
                .camellia256GCM, .aria256CBC, .aria256GCM, .aegis256:
                32
            default: 16
            }
        }

        /// Block size for CBC ciphers, 0 otherwise.
        public var blockSize: Int {
            switch self {
            case .rc2CBC40, .ideaCBC, .des40CBC, .desCBC, .tripleDESCBC: 8
            case .aes128CBC, .aes256CBC, .camellia128CBC, .camellia256CBC, .aria128CBC, .aria256CBC, .seedCBC: 16
            default: 0
            }
        }

        /// AEAD authentication tag length in bytes, 0 for non-AEAD ciphers.
        public var tagLength: Int {
            switch self {
            case .aes128CCM8, .aes256CCM8: 8
            case .aegis256, .aegis128L: 16
            default: isAEAD ? 16 : 0
            }
        }
    }

    /// Everything a decrypter needs to know about a suite, parsed from its IANA name.
    public struct Parameters: Sendable, Hashable {
        public var keyExchange: KeyExchange
        /// The authentication half of the name ("RSA" in ECDHE_RSA), when the name says.
        public var authentication: String?
        public var cipher: BulkCipher
        /// MAC hash for non-AEAD TLS ≤ 1.2 suites; PRF/HKDF hash for AEAD suites.
        public var hash: HashAlgorithm
        public var isExport: Bool

        /// TLS 1.2 PRF hash (RFC 5246 5: SHA-256 unless the suite names a stronger one).
        public var prfHash: HashAlgorithm { hash == .sha384 ? .sha384 : (hash == .sm3 ? .sm3 : .sha256) }

        /// "AES-128-GCM/SHA256".
        public var cipherDescription: String { "\(cipher.rawValue)/\(hash.rawValue)" }
    }

    /// nil for unassigned, GREASE and signalling values.
    public var parameters: Parameters? {
        guard !isSignalling else { return nil }
        if let known = Self.parsedParameters.lookup(rawValue) { return known }
        let parsed = Self.ianaNames[rawValue].flatMap(Self.parse)
        Self.parsedParameters.store(rawValue, parsed)
        return parsed
    }

    /// Registry names parsed once each, when first asked for: `keyExchange` is asked for each
    /// ServerKeyExchange, and splitting the name into tokens each time cost more than the rest
    /// of that message; parsing all of them up front cost more than a whole small capture's
    /// handshakes. The registry has fewer values than the capacity, so nothing is dropped.
    private static let parsedParameters = SharedCache<UInt16, Parameters?>(capacity: 1024)

    public var keyExchange: KeyExchange {
        if isSignalling { return .signalling }
        return parameters?.keyExchange ?? .unknown
    }

    static func parse(_ fullName: String) -> Parameters? {
        guard fullName.hasPrefix("TLS_") else { return nil }
        let allTokens = fullName.dropFirst(4).split(separator: "_").map(String.init)
        let kxTokens: [String]
        var tokens: [String]
        if let with = allTokens.firstIndex(of: "WITH") {
            kxTokens = Array(allTokens[..<with])
            tokens = Array(allTokens[(with + 1)...])
        } else {
            kxTokens = []
            tokens = allTokens
        }
        let kxPart = kxTokens.joined(separator: "_")
        var hash: HashAlgorithm?
        switch tokens.last {
        case "MD5": hash = .md5
        case "SHA": hash = .sha1
        case "SHA256": hash = .sha256
        case "SHA384": hash = .sha384
        case "SM3": hash = .sm3
        default: break
        }
        if hash != nil { tokens.removeLast() }
        let cipherName = tokens.joined(separator: "_")
        let cipher: BulkCipher
        switch cipherName {
        case "NULL", "NULL_NULL", "SHA256", "SHA384", "": cipher = .null
        case "RC4_40": cipher = .rc4_40
        case "RC4_128": cipher = .rc4_128
        case "RC2_CBC_40": cipher = .rc2CBC40
        case "IDEA_CBC": cipher = .ideaCBC
        case "DES40_CBC", "DES_CBC_40": cipher = .des40CBC
        case "DES_CBC": cipher = .desCBC
        case "3DES_EDE_CBC": cipher = .tripleDESCBC
        case "AES_128_CBC": cipher = .aes128CBC
        case "AES_256_CBC": cipher = .aes256CBC
        case "AES_128_GCM": cipher = .aes128GCM
        case "AES_256_GCM": cipher = .aes256GCM
        case "AES_128_CCM": cipher = .aes128CCM
        case "AES_256_CCM": cipher = .aes256CCM
        case "AES_128_CCM_8": cipher = .aes128CCM8
        case "AES_256_CCM_8": cipher = .aes256CCM8
        case "CHACHA20_POLY1305": cipher = .chacha20Poly1305
        case "CAMELLIA_128_CBC": cipher = .camellia128CBC
        case "CAMELLIA_256_CBC": cipher = .camellia256CBC
        case "CAMELLIA_128_GCM": cipher = .camellia128GCM
        case "CAMELLIA_256_GCM": cipher = .camellia256GCM
        case "ARIA_128_CBC": cipher = .aria128CBC
        case "ARIA_256_CBC": cipher = .aria256CBC
        case "ARIA_128_GCM": cipher = .aria128GCM
        case "ARIA_256_GCM": cipher = .aria256GCM
        case "SEED_CBC": cipher = .seedCBC
        case "SM4_GCM": cipher = .sm4GCM
        case "SM4_CCM": cipher = .sm4CCM
        case "AEGIS_256": cipher = .aegis256
        case "AEGIS_128L": cipher = .aegis128L
        default:
            if kxPart.hasPrefix("GOSTR") { cipher = .gost } else { return nil }
        }
        // TLS 1.3 names carry no key exchange; RFC 9150's TLS_SHA256_SHA256 names only hashes.
        let isTLS13 = kxPart.isEmpty && fullName != "TLS_NULL_WITH_NULL_NULL"
        if cipherName == "SHA256" { hash = .sha256 }
        if cipherName == "SHA384" { hash = .sha384 }
        let isExport = kxPart.hasSuffix("_EXPORT") || cipherName.hasSuffix("_40") || cipherName == "DES40_CBC"
        let kxBase = kxTokens.filter { $0 != "EXPORT" }.joined(separator: "_")
        var keyExchange: KeyExchange
        var authentication: String?
        switch kxBase {
        case "": keyExchange = isTLS13 ? .tls13 : .null
        case "NULL": keyExchange = .null
        case "RSA":
            keyExchange = .rsa
            authentication = "RSA"
        case "DH_DSS", "DH_RSA":
            keyExchange = .dh
            authentication = String(kxBase.dropFirst(3))
        case "DHE_DSS", "DHE_RSA":
            keyExchange = .dhe
            authentication = String(kxBase.dropFirst(4))
        case "DH_anon": keyExchange = .dhAnon
        case "ECDH_ECDSA", "ECDH_RSA":
            keyExchange = .ecdh
            authentication = String(kxBase.dropFirst(5))
        case "ECDHE_ECDSA", "ECDHE_RSA":
            keyExchange = .ecdhe
            authentication = String(kxBase.dropFirst(6))
        case "ECDH_anon": keyExchange = .ecdhAnon
        case "PSK":
            keyExchange = .psk
            authentication = "PSK"
        case "DHE_PSK", "PSK_DHE":
            keyExchange = .dhePSK
            authentication = "PSK"
        case "ECDHE_PSK":
            keyExchange = .ecdhePSK
            authentication = "PSK"
        case "RSA_PSK":
            keyExchange = .rsaPSK
            authentication = "RSA"
        case "KRB5": keyExchange = .krb5
        case "SRP_SHA": keyExchange = .srp
        case "SRP_SHA_RSA":
            keyExchange = .srp
            authentication = "RSA"
        case "SRP_SHA_DSS":
            keyExchange = .srp
            authentication = "DSS"
        case "ECCPWD": keyExchange = .eccpwd
        default:
            keyExchange = kxBase.hasPrefix("GOSTR") ? .gost : .unknown
        }
        // RFC 9367 GOST suites for TLS 1.3 (MGM) carry a GOSTR prefix but no key exchange.
        if keyExchange == .gost && cipherName.contains("MGM") { keyExchange = .tls13 }
        let resolvedHash: HashAlgorithm
        if let hash {
            resolvedHash = hash
        } else if cipher == .gost {
            resolvedHash = .gost
        } else if cipher == .null {
            resolvedHash = .none
        } else {
            // RFC 6655 CCM suites name no hash: their PRF is SHA-256.
            resolvedHash = .sha256
        }
        return Parameters(
            keyExchange: keyExchange, authentication: authentication, cipher: cipher, hash: resolvedHash,
            isExport: isExport)
    }
}
