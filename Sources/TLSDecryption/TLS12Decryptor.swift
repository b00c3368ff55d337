import WireBasics

/// Decrypts one TLS 1.0-1.2 connection's records in both directions.
///
/// Drive it record by record, in each direction's stream order:
/// 1. `init(...)` once the ServerHello is seen (suite, version, server random) and the key log has a
///    master secret for the ClientHello's random;
/// 2. `decrypt(from:contentType:version:body:)` for every record of that connection. Records before
///    a direction's ChangeCipherSpec come back as `.cleartext`; the ChangeCipherSpec itself switches
///    that direction to the new keys (so no separate call is needed).
/// 3. Renegotiation: after reading the decrypted ServerHello of the new handshake, call
///    `prepareRenegotiation(...)`; each direction switches at its next ChangeCipherSpec (which is
///    itself still protected by the old keys). Without that call the records after the next
///    ChangeCipherSpec come back as `.noKey`.
public struct TLS12Decryptor: Sendable {
    private var client: Direction
    private var server: Direction

    public init(
        suite: UInt16, version: UInt16, masterSecret: [UInt8], clientRandom: [UInt8], serverRandom: [UInt8],
        cbcMode: RecordDecryptor.CBCMode = .detect
    ) throws {
        let (clientKeys, serverKeys) = try Self.recordDecryptors(
            suite: suite, version: version, masterSecret: masterSecret, clientRandom: clientRandom,
            serverRandom: serverRandom, cbcMode: cbcMode)
        client = Direction(pending: clientKeys)
        server = Direction(pending: serverKeys)
    }

    /// Keys for a renegotiated handshake (from its decrypted ClientHello and ServerHello).
    public mutating func prepareRenegotiation(
        suite: UInt16, version: UInt16, masterSecret: [UInt8], clientRandom: [UInt8], serverRandom: [UInt8],
        cbcMode: RecordDecryptor.CBCMode = .detect
    ) throws {
        (client.pending, server.pending) = try Self.recordDecryptors(
            suite: suite, version: version, masterSecret: masterSecret, clientRandom: clientRandom,
            serverRandom: serverRandom, cbcMode: cbcMode)
    }

    /// Both directions' record keys from one key block (RFC 5246 §6.3).
    private static func recordDecryptors(
        suite: UInt16, version: UInt16, masterSecret: [UInt8], clientRandom: [UInt8], serverRandom: [UInt8],
        cbcMode: RecordDecryptor.CBCMode
    ) throws -> (client: RecordDecryptor, server: RecordDecryptor) {
        let block = try TLS12KeyBlock(
            suite: suite, version: version, masterSecret: masterSecret, clientRandom: clientRandom,
            serverRandom: serverRandom)
        return (
            try RecordDecryptor(tls12: suite, keyBlock: block, side: .client, cbcMode: cbcMode),
            try RecordDecryptor(tls12: suite, keyBlock: block, side: .server, cbcMode: cbcMode)
        )
    }

    /// True once `side` has sent ChangeCipherSpec (its records are protected).
    public func isProtected(_ side: Side) -> Bool {
        (side == .client ? client : server).epoch > 0
    }

    /// Records from `side` were lost (capture gap): the next record may be several sequence
    /// numbers ahead, so up to 64 following numbers are tried once.
    public mutating func gap(from side: Side) {
        if side == .client { client.window = 64 } else { server.window = 64 }
    }

    public mutating func decrypt(from side: Side, contentType: UInt8, version: UInt16, body: ArraySlice<UInt8>)
        -> RecordDecryption
    {
        if side == .client {
            return client.decrypt(contentType: contentType, version: version, body: body)
        }
        return server.decrypt(contentType: contentType, version: version, body: body)
    }

    struct Direction: Sendable {
        enum State: Sendable {
            case clear
            case protected(RecordDecryptor)
            /// After a ChangeCipherSpec whose keys we do not have (unprepared renegotiation).
            case unknownKeys
        }
        var state = State.clear
        var pending: RecordDecryptor?
        var epoch = 0
        var window = 0

        init(pending: RecordDecryptor) {
            self.pending = pending
        }

        mutating func decrypt(contentType: UInt8, version: UInt16, body: ArraySlice<UInt8>) -> RecordDecryption {
            switch state {
            case .clear:
                if contentType == 20 { changeCipherSpec() }
                return .cleartext
            case .unknownKeys:
                return .noKey
            case .protected(var keys):
                switch keys.decrypt(contentType: contentType, version: version, body: body, sequenceWindow: window) {
                case .plaintext(let type, let bytes):
                    window = 0
                    state = .protected(keys)
                    let phase = KeyPhase.tls12(epoch: epoch)
                    // A renegotiation's ChangeCipherSpec is protected by the keys it retires.
                    if type == 20 { changeCipherSpec() }
                    return .decrypted(contentType: type, bytes: bytes, keys: phase)
                case .authenticationFailed:
                    return .authenticationFailed
                case .malformed(let why):
                    return .malformed(why)
                }
            }
        }

        private mutating func changeCipherSpec() {
            epoch += 1
            if let pending {
                state = .protected(pending)
                self.pending = nil
            } else {
                state = .unknownKeys
            }
        }
    }
}
