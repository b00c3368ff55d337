import Crypto
import WireBasics

public enum KeyDerivationError: Error, Equatable, CustomStringConvertible {
    case unsupportedSuite(UInt16)
    case wrongSuiteKind(UInt16, expectedTLS13: Bool)
    case badSecretLength(got: Int, expected: Int)
    case badRandomLength(Int)
    case unsupportedVersion(UInt16)

    public var description: String {
        switch self {
        case .unsupportedSuite(let code):
            return "cipher suite 0x\(hexString([UInt8(code >> 8), UInt8(code & 0xff)])) is not supported for decryption"
        case .wrongSuiteKind(let code, let tls13):
            return
                "cipher suite 0x\(hexString([UInt8(code >> 8), UInt8(code & 0xff)])) is not a TLS \(tls13 ? "1.3" : "1.2") suite"
        case .badSecretLength(let got, let expected):
            return "secret is \(got) bytes, the cipher suite's hash needs \(expected)"
        case .badRandomLength(let n): return "random is \(n) bytes, expected 32"
        case .unsupportedVersion(let v):
            return "protocol version 0x\(hexString([UInt8(v >> 8), UInt8(v & 0xff)])) is not supported for decryption"
        }
    }
}

/// TLS 1.3 key schedule pieces (RFC 8446 7.1, 7.2, 7.3) over swift-crypto's HKDF.
public struct TLS13KeySchedule: Sendable {
    public let hash: CipherSuiteParameters.Hash

    public init(hash: CipherSuiteParameters.Hash) {
        self.hash = hash
    }

    /// HKDF-Expand-Label(Secret, Label, Context, Length); `label` without the "tls13 " prefix.
    public func expandLabel(secret: [UInt8], label: String, context: [UInt8], length: Int) -> [UInt8] {
        let fullLabel = Array("tls13 \(label)".utf8)
        var info: [UInt8] = [UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)]
        info.append(UInt8(truncatingIfNeeded: fullLabel.count))
        info.append(contentsOf: fullLabel)
        info.append(UInt8(truncatingIfNeeded: context.count))
        info.append(contentsOf: context)
        return expand(prk: secret, info: info, length: length)
    }

    /// HKDF-Extract(salt, IKM); a nil salt is a string of hash-length zeros.
    public func extract(salt: [UInt8]?, inputKeyMaterial: [UInt8]) -> [UInt8] {
        let ikm = SymmetricKey(data: inputKeyMaterial)
        let saltBytes = salt ?? [UInt8](repeating: 0, count: hash.length)
        switch hash {
        case .sha256: return Array(HKDF<SHA256>.extract(inputKeyMaterial: ikm, salt: saltBytes))
        case .sha384: return Array(HKDF<SHA384>.extract(inputKeyMaterial: ikm, salt: saltBytes))
        }
    }

    /// Derive-Secret(Secret, Label, Messages) given the transcript hash of Messages.
    public func deriveSecret(secret: [UInt8], label: String, transcriptHash: [UInt8]) -> [UInt8] {
        expandLabel(secret: secret, label: label, context: transcriptHash, length: hash.length)
    }

    /// The hash of an empty transcript, the context of the "derived" steps.
    public var emptyHash: [UInt8] {
        switch hash {
        case .sha256: return Array(SHA256.hash(data: [UInt8]()))
        case .sha384: return Array(SHA384.hash(data: [UInt8]()))
        }
    }

    /// Record key and IV from a traffic secret (RFC 8446 7.3).
    public func trafficKeys(secret: [UInt8], keyLength: Int) -> (key: [UInt8], iv: [UInt8]) {
        (
            expandLabel(secret: secret, label: "key", context: [], length: keyLength),
            expandLabel(secret: secret, label: "iv", context: [], length: 12)
        )
    }

    /// application_traffic_secret_N+1 after a KeyUpdate (RFC 8446 7.2).
    public func nextTrafficSecret(_ secret: [UInt8]) -> [UInt8] {
        expandLabel(secret: secret, label: "traffic upd", context: [], length: hash.length)
    }

    private func expand(prk: [UInt8], info: [UInt8], length: Int) -> [UInt8] {
        let key = SymmetricKey(data: prk)
        let out: SymmetricKey
        switch hash {
        case .sha256: out = HKDF<SHA256>.expand(pseudoRandomKey: key, info: info, outputByteCount: length)
        case .sha384: out = HKDF<SHA384>.expand(pseudoRandomKey: key, info: info, outputByteCount: length)
        }
        return out.withUnsafeBytes { Array($0) }
    }
}

/// TLS 1.0–1.2 key block: the write keys of both sides derived from the master secret.
public struct TLS12KeyBlock: Sendable, Equatable {
    public var suite: UInt16
    public var version: UInt16
    public var clientMACKey: [UInt8]
    public var serverMACKey: [UInt8]
    public var clientKey: [UInt8]
    public var serverKey: [UInt8]
    /// GCM: 4-byte implicit salt. ChaCha20: 12-byte IV. CBC: the TLS 1.0 initial IV (unused later).
    public var clientIV: [UInt8]
    public var serverIV: [UInt8]

    /// key_expansion (RFC 5246 6.3) for `suite` at `version` (0x0301...0x0303).
    public init(
        suite: UInt16, version: UInt16 = 0x0303, masterSecret: [UInt8], clientRandom: [UInt8], serverRandom: [UInt8]
    ) throws {
        guard let p = CipherSuiteParameters.forSuite(suite) else { throw KeyDerivationError.unsupportedSuite(suite) }
        guard !p.isTLS13 else { throw KeyDerivationError.wrongSuiteKind(suite, expectedTLS13: false) }
        guard masterSecret.count == 48 else {
            throw KeyDerivationError.badSecretLength(got: masterSecret.count, expected: 48)
        }
        guard clientRandom.count == 32 else { throw KeyDerivationError.badRandomLength(clientRandom.count) }
        guard serverRandom.count == 32 else { throw KeyDerivationError.badRandomLength(serverRandom.count) }
        let prf: PRF
        switch version {
        case 0x0303: prf = p.hash == .sha384 ? .sha384 : .sha256
        case 0x0301, 0x0302:
            // AEAD suites and SHA-256/384 MACs exist only from TLS 1.2 on.
            guard !p.cipher.isAEAD, p.mac == .hmacSHA1 else { throw KeyDerivationError.unsupportedVersion(version) }
            prf = .md5sha1
        default: throw KeyDerivationError.unsupportedVersion(version)
        }
        let ivLength = p.fixedIVLength
        let total = 2 * (p.macKeyLength + p.keyLength + ivLength)
        let block = Self.prf(
            prf, secret: masterSecret, label: "key expansion", seed: serverRandom + clientRandom, length: total)
        var offset = 0
        func take(_ n: Int) -> [UInt8] {
            defer { offset += n }
            return Array(block[offset..<offset + n])
        }
        self.suite = suite
        self.version = version
        clientMACKey = take(p.macKeyLength)
        serverMACKey = take(p.macKeyLength)
        clientKey = take(p.keyLength)
        serverKey = take(p.keyLength)
        clientIV = take(ivLength)
        serverIV = take(ivLength)
    }

    public enum PRF: Sendable {
        case sha256, sha384
        /// TLS 1.0/1.1: P_MD5 XOR P_SHA-1 over the two halves of the secret (RFC 2246 5).
        case md5sha1
    }

    /// PRF(secret, label, seed) of RFC 5246 section 5 (and RFC 2246 for `.md5sha1`).
    public static func prf(_ prf: PRF, secret: [UInt8], label: String, seed: [UInt8], length: Int) -> [UInt8] {
        let labelSeed = Array(label.utf8) + seed
        switch prf {
        case .sha256: return pHash(SHA256.self, secret: secret, seed: labelSeed, length: length)
        case .sha384: return pHash(SHA384.self, secret: secret, seed: labelSeed, length: length)
        case .md5sha1:
            let half = (secret.count + 1) / 2
            let s1 = Array(secret.prefix(half))
            let s2 = Array(secret.suffix(half))
            let a = pHash(Insecure.MD5.self, secret: s1, seed: labelSeed, length: length)
            let b = pHash(Insecure.SHA1.self, secret: s2, seed: labelSeed, length: length)
            return zip(a, b).map { $0 ^ $1 }
        }
    }

    private static func pHash<H: HashFunction>(_: H.Type, secret: [UInt8], seed: [UInt8], length: Int) -> [UInt8] {
        let key = SymmetricKey(data: secret)
        var out: [UInt8] = []
        out.reserveCapacity(length + H.Digest.byteCount)
        var a = Array(HMAC<H>.authenticationCode(for: seed, using: key))
        while out.count < length {
            out.append(contentsOf: HMAC<H>.authenticationCode(for: a + seed, using: key))
            a = Array(HMAC<H>.authenticationCode(for: a, using: key))
        }
        return Array(out.prefix(length))
    }
}
