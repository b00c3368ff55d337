import Crypto
import Foundation
@_exported import WireBasics
import _CryptoExtras

/// What decrypting one record gave.
public enum DecryptResult: Sendable, Equatable {
    /// The record's content: for TLS 1.3 the inner content type with padding removed.
    case plaintext(contentType: UInt8, bytes: [UInt8])
    /// The tag or MAC did not verify (wrong key, wrong sequence number, or a tampered record).
    case authenticationFailed
    /// The record cannot be a protected record of this cipher (too short, not whole blocks, ...).
    case malformed(String)
}

/// Decrypts the records one side writes, in order. Holds one key and the sequence number.
///
/// The sequence number advances only when a record decrypts, so a failed attempt leaves the
/// decryptor unchanged: callers can try a record against several decryptors (early-data skipping,
/// handshake-to-application switch) without losing state.
public struct RecordDecryptor: Sendable {
    /// How TLS 1.0-1.2 CBC records are authenticated: MAC-then-encrypt (RFC 5246) or
    /// encrypt-then-MAC (RFC 7366, negotiated with the encrypt_then_mac extension).
    public enum CBCMode: Sendable, Equatable {
        /// Find out from the first record that verifies, then keep to it.
        case detect
        case macThenEncrypt
        case encryptThenMAC
    }

    public let parameters: CipherSuiteParameters.Parameters
    /// Sequence number of the next record.
    public private(set) var sequenceNumber: UInt64 = 0
    /// TLS 1.3: how many KeyUpdates have been applied.
    public private(set) var keyGeneration = 0
    public private(set) var cbcMode: CBCMode

    private var key: SymmetricKey
    /// TLS 1.3 and ChaCha20: the per-record nonce base. TLS 1.2 GCM: the 4-byte salt.
    /// TLS 1.0 CBC: the IV of the next record (the last ciphertext block of the previous one).
    private var iv: [UInt8]
    private var macKey: SymmetricKey?
    private var trafficSecret: [UInt8]?
    /// Negotiated version for TLS 1.0-1.2 (decides explicit CBC IVs); 0x0304 for TLS 1.3.
    private let protocolVersion: UInt16

    private static let maxCiphertext = 16384 + 2048

    /// TLS 1.3 decryptor from a traffic secret (handshake, application or early).
    public init(tls13 suite: UInt16, trafficSecret: [UInt8]) throws {
        guard let p = CipherSuiteParameters.forSuite(suite) else { throw KeyDerivationError.unsupportedSuite(suite) }
        guard p.isTLS13 else { throw KeyDerivationError.wrongSuiteKind(suite, expectedTLS13: true) }
        guard trafficSecret.count == p.hash.length else {
            throw KeyDerivationError.badSecretLength(got: trafficSecret.count, expected: p.hash.length)
        }
        let keys = TLS13KeySchedule(hash: p.hash).trafficKeys(secret: trafficSecret, keyLength: p.keyLength)
        parameters = p
        key = SymmetricKey(data: keys.key)
        iv = keys.iv
        self.trafficSecret = trafficSecret
        protocolVersion = 0x0304
        cbcMode = .detect
    }

    /// TLS 1.0-1.2 decryptor for the records `side` writes.
    public init(tls12 suite: UInt16, keyBlock: TLS12KeyBlock, side: Side, cbcMode: CBCMode = .detect) throws {
        guard let p = CipherSuiteParameters.forSuite(suite) else { throw KeyDerivationError.unsupportedSuite(suite) }
        guard !p.isTLS13, keyBlock.suite == suite else {
            throw KeyDerivationError.wrongSuiteKind(suite, expectedTLS13: false)
        }
        parameters = p
        let client = side == .client
        key = SymmetricKey(data: client ? keyBlock.clientKey : keyBlock.serverKey)
        iv = client ? keyBlock.clientIV : keyBlock.serverIV
        if p.mac != .aead {
            macKey = SymmetricKey(data: client ? keyBlock.clientMACKey : keyBlock.serverMACKey)
        }
        protocolVersion = keyBlock.version
        self.cbcMode = p.cipher.isAEAD ? .detect : cbcMode
    }

    /// Decrypts one record given its header fields and body; advances the sequence number on
    /// success. `sequenceWindow` > 0 also tries that many following sequence numbers (after a
    /// capture gap lost records) and resynchronises on the one that verifies.
    public mutating func decrypt(
        contentType: UInt8, version: UInt16, body: ArraySlice<UInt8>, sequenceWindow: Int = 0
    ) -> DecryptResult {
        guard body.count <= Self.maxCiphertext else {
            return .malformed("record of \(body.count) bytes exceeds the TLS ciphertext limit")
        }
        if let problem = shapeProblem(body.count) { return .malformed(problem) }
        let window = UInt64(max(0, min(sequenceWindow, 1 << 16)))
        var offset: UInt64 = 0
        while offset <= window {
            let (seq, overflow) = sequenceNumber.addingReportingOverflow(offset)
            if overflow { break }
            switch open(seq: seq, contentType: contentType, version: version, body: body) {
            case .plaintext(let type, let bytes):
                sequenceNumber = seq &+ 1
                return .plaintext(contentType: type, bytes: bytes)
            case .malformed(let why):
                return .malformed(why)
            case .authenticationFailed:
                offset += 1
            }
        }
        return .authenticationFailed
    }

    /// TLS 1.3 KeyUpdate: move to application_traffic_secret_N+1 and restart the sequence.
    public mutating func updateTrafficKey() throws {
        guard let secret = trafficSecret else {
            throw KeyDerivationError.wrongSuiteKind(parameters.code, expectedTLS13: true)
        }
        let schedule = TLS13KeySchedule(hash: parameters.hash)
        let next = schedule.nextTrafficSecret(secret)
        let keys = schedule.trafficKeys(secret: next, keyLength: parameters.keyLength)
        trafficSecret = next
        key = SymmetricKey(data: keys.key)
        iv = keys.iv
        sequenceNumber = 0
        keyGeneration += 1
    }

    // MARK: - Per-cipher record formats

    private var explicitCBCIV: Bool { protocolVersion >= 0x0302 }

    /// Length checks that do not depend on the key, so that a short record is `.malformed`.
    private func shapeProblem(_ n: Int) -> String? {
        let p = parameters
        if p.isTLS13 {
            return n < 17 ? "TLS 1.3 record of \(n) bytes is shorter than the AEAD tag plus content type" : nil
        }
        switch p.cipher {
        case .aes128GCM, .aes256GCM:
            return n < 24 ? "AES-GCM record of \(n) bytes is shorter than the explicit nonce plus tag" : nil
        case .chacha20Poly1305:
            return n < 16 ? "ChaCha20-Poly1305 record of \(n) bytes is shorter than the tag" : nil
        case .aes128CBC, .aes256CBC:
            let ivLength = explicitCBCIV ? 16 : 0
            let mtePossible = n >= ivLength + 16 && (n - ivLength) % 16 == 0 && n - ivLength >= p.mac.length + 1
            let etmLength = n - p.mac.length - ivLength
            let etmPossible = etmLength >= 16 && etmLength % 16 == 0
            switch cbcMode {
            case .macThenEncrypt:
                return mtePossible ? nil : "CBC record of \(n) bytes is not a whole number of blocks"
            case .encryptThenMAC:
                return etmPossible ? nil : "CBC record of \(n) bytes does not fit encrypt-then-MAC"
            case .detect:
                return mtePossible || etmPossible ? nil : "CBC record of \(n) bytes is not a whole number of blocks"
            }
        }
    }

    private mutating func open(seq: UInt64, contentType: UInt8, version: UInt16, body: ArraySlice<UInt8>)
        -> DecryptResult
    {
        let p = parameters
        if p.isTLS13 {
            let aad: [UInt8] = [contentType, UInt8(version >> 8), UInt8(version & 0xff)] + bigEndian16(body.count)
            let ciphertext = body.dropLast(16)
            let tag = body.suffix(16)
            guard var inner = aeadOpen(nonce: xorSequence(iv, seq), ciphertext: ciphertext, tag: tag, aad: aad) else {
                return .authenticationFailed
            }
            // TLSInnerPlaintext: content, content type, zero padding (RFC 8446 5.2).
            while let last = inner.last, last == 0 { inner.removeLast() }
            guard let type = inner.popLast() else { return .malformed("TLS 1.3 record has no inner content type") }
            return .plaintext(contentType: type, bytes: inner)
        }
        let header = bigEndian64(seq) + [contentType, UInt8(version >> 8), UInt8(version & 0xff)]
        switch p.cipher {
        case .aes128GCM, .aes256GCM:
            let nonce = iv + body.prefix(8)
            let ciphertext = body.dropFirst(8).dropLast(16)
            guard
                let plain = aeadOpen(
                    nonce: nonce, ciphertext: ciphertext, tag: body.suffix(16),
                    aad: header + bigEndian16(ciphertext.count))
            else { return .authenticationFailed }
            return .plaintext(contentType: contentType, bytes: plain)
        case .chacha20Poly1305:
            let ciphertext = body.dropLast(16)
            guard
                let plain = aeadOpen(
                    nonce: xorSequence(iv, seq), ciphertext: ciphertext, tag: body.suffix(16),
                    aad: header + bigEndian16(ciphertext.count))
            else { return .authenticationFailed }
            return .plaintext(contentType: contentType, bytes: plain)
        case .aes128CBC, .aes256CBC:
            return openCBC(header: header, contentType: contentType, body: body)
        }
    }

    private mutating func openCBC(header: [UInt8], contentType: UInt8, body: ArraySlice<UInt8>) -> DecryptResult {
        let macLength = parameters.mac.length
        let ivLength = explicitCBCIV ? 16 : 0
        if cbcMode != .macThenEncrypt {
            let protected = body.dropLast(macLength)
            let blocks = protected.count - ivLength
            if blocks >= 16, blocks % 16 == 0,
                mac(header + bigEndian16(protected.count) + protected) == Array(body.suffix(macLength)),
                let plain = cbcDecrypt(protected), let content = stripPadding(plain, macLength: 0)
            {
                cbcMode = .encryptThenMAC
                advanceCBCChain(protected)
                return .plaintext(contentType: contentType, bytes: content)
            }
            if cbcMode == .encryptThenMAC { return .authenticationFailed }
        }
        let blocks = body.count - ivLength
        guard blocks >= 16, blocks % 16 == 0, let plain = cbcDecrypt(body),
            var content = stripPadding(plain, macLength: macLength)
        else { return .authenticationFailed }
        let received = Array(content.suffix(macLength))
        content.removeLast(macLength)
        guard mac(header + bigEndian16(content.count) + content) == received else { return .authenticationFailed }
        cbcMode = .macThenEncrypt
        advanceCBCChain(body)
        return .plaintext(contentType: contentType, bytes: content)
    }

    /// Decrypts IV || blocks (or blocks with the chained IV in TLS 1.0).
    private func cbcDecrypt(_ protected: ArraySlice<UInt8>) -> [UInt8]? {
        let ivBytes: [UInt8] = explicitCBCIV ? Array(protected.prefix(16)) : iv
        let ciphertext = explicitCBCIV ? protected.dropFirst(16) : protected
        guard let cbcIV = try? AES._CBC.IV(ivBytes: ivBytes),
            let plain = try? AES._CBC.decrypt(Data(ciphertext), using: key, iv: cbcIV, noPadding: true)
        else { return nil }
        return Array(plain)
    }

    /// TLS 1.0 chains the IV: the next record starts from this record's last ciphertext block.
    private mutating func advanceCBCChain(_ protected: ArraySlice<UInt8>) {
        if !explicitCBCIV { iv = Array(protected.suffix(16)) }
    }

    /// Removes TLS CBC padding (every padding byte equals the length byte); nil when it is wrong
    /// or leaves no room for the MAC.
    private func stripPadding(_ plain: [UInt8], macLength: Int) -> [UInt8]? {
        guard let padByte = plain.last else { return nil }
        let padLength = Int(padByte) + 1
        guard padLength + macLength <= plain.count else { return nil }
        for byte in plain.suffix(padLength) where byte != padByte { return nil }
        return Array(plain.dropLast(padLength))
    }

    private func mac(_ data: [UInt8]) -> [UInt8] {
        guard let macKey else { return [] }
        switch parameters.mac {
        case .aead: return []
        case .hmacSHA1: return Array(HMAC<Insecure.SHA1>.authenticationCode(for: data, using: macKey))
        case .hmacSHA256: return Array(HMAC<SHA256>.authenticationCode(for: data, using: macKey))
        case .hmacSHA384: return Array(HMAC<SHA384>.authenticationCode(for: data, using: macKey))
        }
    }

    private func aeadOpen(nonce: [UInt8], ciphertext: ArraySlice<UInt8>, tag: ArraySlice<UInt8>, aad: [UInt8])
        -> [UInt8]?
    {
        do {
            switch parameters.cipher {
            case .aes128GCM, .aes256GCM:
                let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: nonce), ciphertext: ciphertext, tag: tag)
                return Array(try AES.GCM.open(box, using: key, authenticating: aad))
            case .chacha20Poly1305:
                let box = try ChaChaPoly.SealedBox(
                    nonce: ChaChaPoly.Nonce(data: nonce), ciphertext: ciphertext, tag: tag)
                return Array(try ChaChaPoly.open(box, using: key, authenticating: aad))
            case .aes128CBC, .aes256CBC:
                return nil
            }
        } catch {
            return nil
        }
    }
}

/// The 12-byte IV XOR the left-padded 64-bit sequence number (RFC 8446 5.3, RFC 7905 2).
func xorSequence(_ iv: [UInt8], _ seq: UInt64) -> [UInt8] {
    var nonce = iv
    let seqBytes = bigEndian64(seq)
    let offset = nonce.count - 8
    guard offset >= 0 else { return nonce }
    for i in 0..<8 { nonce[offset + i] ^= seqBytes[i] }
    return nonce
}

func bigEndian64(_ v: UInt64) -> [UInt8] {
    (0..<8).map { UInt8(truncatingIfNeeded: v >> (56 - 8 * UInt64($0))) }
}

func bigEndian16(_ v: Int) -> [UInt8] {
    [UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
}
