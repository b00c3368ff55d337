/// The record-protection parameters of the cipher suites tlsflow can decrypt.
public enum CipherSuiteParameters {
    public enum BulkCipher: String, Sendable {
        case aes128GCM = "AES-128-GCM"
        case aes256GCM = "AES-256-GCM"
        case chacha20Poly1305 = "ChaCha20-Poly1305"
        case aes128CBC = "AES-128-CBC"
        case aes256CBC = "AES-256-CBC"

        public var isAEAD: Bool { self != .aes128CBC && self != .aes256CBC }
        public var keyLength: Int {
            switch self {
            case .aes128GCM, .aes128CBC: return 16
            case .aes256GCM, .aes256CBC, .chacha20Poly1305: return 32
            }
        }
    }

    /// Record MAC for CBC suites; AEAD suites authenticate with the cipher itself.
    public enum MAC: String, Sendable {
        case aead
        case hmacSHA1 = "HMAC-SHA1"
        case hmacSHA256 = "HMAC-SHA256"
        case hmacSHA384 = "HMAC-SHA384"

        public var length: Int {
            switch self {
            case .aead: return 0
            case .hmacSHA1: return 20
            case .hmacSHA256: return 32
            case .hmacSHA384: return 48
            }
        }
    }

    public enum Hash: String, Sendable {
        case sha256 = "SHA-256"
        case sha384 = "SHA-384"

        public var length: Int { self == .sha256 ? 32 : 48 }
    }

    public struct Parameters: Sendable, Equatable {
        public var code: UInt16
        /// True for the TLS 1.3 suites (0x13xx), whose keys come from traffic secrets.
        public var isTLS13: Bool
        public var cipher: BulkCipher
        public var mac: MAC
        /// TLS 1.3: HKDF hash. TLS 1.2: PRF hash.
        public var hash: Hash

        public var keyLength: Int { cipher.keyLength }
        public var macKeyLength: Int { mac.length }
        /// IV bytes taken from the key block / traffic secret: the whole nonce for TLS 1.3 and
        /// ChaCha20 (12), the implicit salt for TLS 1.2 GCM (4), the TLS 1.0 CBC IV (16).
        public var fixedIVLength: Int {
            if isTLS13 { return 12 }
            switch cipher {
            case .aes128GCM, .aes256GCM: return 4
            case .chacha20Poly1305: return 12
            case .aes128CBC, .aes256CBC: return 16
            }
        }
        /// Per-record explicit nonce/IV bytes in TLS 1.2 (GCM 8, CBC 16 from TLS 1.1 on).
        public var recordIVLength: Int {
            if isTLS13 { return 0 }
            switch cipher {
            case .aes128GCM, .aes256GCM: return 8
            case .chacha20Poly1305: return 0
            case .aes128CBC, .aes256CBC: return 16
            }
        }
        public var tagLength: Int { cipher.isAEAD ? 16 : 0 }
    }

    /// Parameters for a cipher suite code point, or nil when tlsflow cannot decrypt it
    /// (CCM, CAMELLIA, ARIA, 3DES, RC4, NULL, export and anonymous-only oddities).
    public static func forSuite(_ code: UInt16) -> Parameters? {
        guard let (cipher, mac, hash) = table[code] else { return nil }
        return Parameters(code: code, isTLS13: code >> 8 == 0x13, cipher: cipher, mac: mac, hash: hash)
    }

    /// Every code point `forSuite` knows, sorted.
    public static var supportedSuites: [UInt16] { table.keys.sorted() }

    private static let table: [UInt16: (BulkCipher, MAC, Hash)] = [
        // TLS 1.3 (RFC 8446 B.4)
        0x1301: (.aes128GCM, .aead, .sha256),
        0x1302: (.aes256GCM, .aead, .sha384),
        0x1303: (.chacha20Poly1305, .aead, .sha256),
        // AES-GCM (RFC 5288, 5289, 5487)
        0x009C: (.aes128GCM, .aead, .sha256),  // RSA
        0x009D: (.aes256GCM, .aead, .sha384),
        0x009E: (.aes128GCM, .aead, .sha256),  // DHE_RSA
        0x009F: (.aes256GCM, .aead, .sha384),
        0x00A2: (.aes128GCM, .aead, .sha256),  // DHE_DSS
        0x00A3: (.aes256GCM, .aead, .sha384),
        0x00A8: (.aes128GCM, .aead, .sha256),  // PSK
        0x00A9: (.aes256GCM, .aead, .sha384),
        0x00AA: (.aes128GCM, .aead, .sha256),  // DHE_PSK
        0x00AB: (.aes256GCM, .aead, .sha384),
        0xC02B: (.aes128GCM, .aead, .sha256),  // ECDHE_ECDSA
        0xC02C: (.aes256GCM, .aead, .sha384),
        0xC02F: (.aes128GCM, .aead, .sha256),  // ECDHE_RSA
        0xC030: (.aes256GCM, .aead, .sha384),
        // ChaCha20-Poly1305 (RFC 7905)
        0xCCA8: (.chacha20Poly1305, .aead, .sha256),  // ECDHE_RSA
        0xCCA9: (.chacha20Poly1305, .aead, .sha256),  // ECDHE_ECDSA
        0xCCAA: (.chacha20Poly1305, .aead, .sha256),  // DHE_RSA
        0xCCAB: (.chacha20Poly1305, .aead, .sha256),  // PSK
        0xCCAC: (.chacha20Poly1305, .aead, .sha256),  // ECDHE_PSK
        0xCCAD: (.chacha20Poly1305, .aead, .sha256),  // DHE_PSK
        0xCCAE: (.chacha20Poly1305, .aead, .sha256),  // RSA_PSK
        // AES-CBC with HMAC (RFC 5246, 4492, 5289, 5487, 5489). TLS 1.2 PRF: SHA-256 unless SHA-384.
        0x002F: (.aes128CBC, .hmacSHA1, .sha256),  // RSA
        0x0035: (.aes256CBC, .hmacSHA1, .sha256),
        0x003C: (.aes128CBC, .hmacSHA256, .sha256),
        0x003D: (.aes256CBC, .hmacSHA256, .sha256),
        0x0032: (.aes128CBC, .hmacSHA1, .sha256),  // DHE_DSS
        0x0038: (.aes256CBC, .hmacSHA1, .sha256),
        0x0033: (.aes128CBC, .hmacSHA1, .sha256),  // DHE_RSA
        0x0039: (.aes256CBC, .hmacSHA1, .sha256),
        0x0067: (.aes128CBC, .hmacSHA256, .sha256),
        0x006B: (.aes256CBC, .hmacSHA256, .sha256),
        0x008C: (.aes128CBC, .hmacSHA1, .sha256),  // PSK
        0x008D: (.aes256CBC, .hmacSHA1, .sha256),
        0x00AE: (.aes128CBC, .hmacSHA256, .sha256),
        0x00AF: (.aes256CBC, .hmacSHA384, .sha384),
        0xC009: (.aes128CBC, .hmacSHA1, .sha256),  // ECDHE_ECDSA
        0xC00A: (.aes256CBC, .hmacSHA1, .sha256),
        0xC023: (.aes128CBC, .hmacSHA256, .sha256),
        0xC024: (.aes256CBC, .hmacSHA384, .sha384),
        0xC013: (.aes128CBC, .hmacSHA1, .sha256),  // ECDHE_RSA
        0xC014: (.aes256CBC, .hmacSHA1, .sha256),
        0xC027: (.aes128CBC, .hmacSHA256, .sha256),
        0xC028: (.aes256CBC, .hmacSHA384, .sha384),
        0xC035: (.aes128CBC, .hmacSHA1, .sha256),  // ECDHE_PSK
        0xC036: (.aes256CBC, .hmacSHA1, .sha256),
        0xC037: (.aes128CBC, .hmacSHA256, .sha256),
        0xC038: (.aes256CBC, .hmacSHA384, .sha384),
    ]
}
