import WireBasics

/// Which keys protected a decrypted record.
public enum KeyPhase: Sendable, Equatable {
    /// TLS 1.3 0-RTT data (client_early_traffic_secret).
    case earlyTraffic
    case handshakeTraffic
    /// TLS 1.3 application_traffic_secret_N (N = KeyUpdates so far in that direction).
    case applicationTraffic(generation: Int)
    /// TLS 1.0-1.2 keys after the n-th ChangeCipherSpec of that direction (1 = first handshake,
    /// 2 = first renegotiation, ...).
    case tls12(epoch: Int)
}

/// What a connection decryptor made of one record.
public enum RecordDecryption: Sendable, Equatable {
    /// The record was sent in the clear (before keys, ChangeCipherSpec in TLS 1.3, TLS 1.3 records
    /// whose outer type is not application_data): read it as it is.
    case cleartext
    case decrypted(contentType: UInt8, bytes: [UInt8], keys: KeyPhase)
    /// A client 0-RTT record that could not be decrypted while early data was offered; skipped the
    /// way a server that rejected early data skips it (RFC 8446 4.2.10).
    case skippedEarlyData
    case authenticationFailed
    case malformed(String)
    /// The key log has no secret for the keys this record needs.
    case noKey
}

/// Follows one TLS 1.3 connection's key changes and decrypts its records in both directions.
///
/// Drive it record by record, in each direction's stream order:
/// 1. `init(secrets:clientOfferedEarlyData:)` once the ClientHello is seen (its random finds the
///    secrets; `clientOfferedEarlyData` is the early_data extension in the ClientHello);
/// 2. `serverHello(suite:)` for the real ServerHello. A HelloRetryRequest is not passed (or is
///    passed with `isHelloRetryRequest: true`, which is ignored): keys come from the last ServerHello;
/// 3. `decrypt(from:contentType:version:body:)` for every record after that (and for client records
///    before it: 0-RTT data). Records that need no decryption come back as `.cleartext`.
///
/// Key changes are found by reading the decrypted handshake messages: a direction moves from
/// handshake to application keys after the record that completes its Finished, and to the next
/// application generation after a record that completes a KeyUpdate. If a record does not verify
/// under the current keys it is tried under the next ones (key log without handshake secrets,
/// unusual framing) and, in the client direction while early data may be in flight, under the early
/// keys; a record no key opens while early data was offered is `.skippedEarlyData`.
/// Nothing is buffered: only the header of a handshake message split across records is kept.
public struct TLS13Decryptor: Sendable {
    public let secrets: SessionSecrets
    public let clientOfferedEarlyData: Bool
    public private(set) var suite: UInt16?
    /// Problems deriving keys (unsupported suite, secret of the wrong length), for the connection's notes.
    public private(set) var problems: [String] = []

    private var client = Direction()
    private var server = Direction()
    /// Early-data decryptors: one per suite the early secret's length allows until one verifies.
    private var earlyCandidates: [RecordDecryptor] = []
    /// Cleared once the client's handshake keys verify a record: no 0-RTT data can follow.
    private var earlyPhaseOpen: Bool

    public init(secrets: SessionSecrets, clientOfferedEarlyData: Bool) {
        self.secrets = secrets
        self.clientOfferedEarlyData = clientOfferedEarlyData
        earlyPhaseOpen = clientOfferedEarlyData
        if clientOfferedEarlyData, let early = secrets.clientEarlyTrafficSecret {
            // The PSK's suite is not visible before ServerHello; the secret's length narrows it.
            let suites: [UInt16] = early.count == 48 ? [0x1302] : [0x1301, 0x1303]
            earlyCandidates = suites.compactMap { try? RecordDecryptor(tls13: $0, trafficSecret: early) }
        }
    }

    /// The (real) ServerHello: derives both directions' handshake and application keys.
    public mutating func serverHello(suite: UInt16, isHelloRetryRequest: Bool = false) {
        guard !isHelloRetryRequest else { return }
        self.suite = suite
        guard let p = CipherSuiteParameters.forSuite(suite), p.isTLS13 else {
            problems.append(KeyDerivationError.unsupportedSuite(suite).description)
            client = Direction()
            server = Direction()
            return
        }
        func make(_ secret: [UInt8]?, _ what: String) -> RecordDecryptor? {
            guard let secret else { return nil }
            do {
                return try RecordDecryptor(tls13: suite, trafficSecret: secret)
            } catch {
                problems.append("\(what): \(error)")
                return nil
            }
        }
        client = Direction(
            current: make(secrets.clientHandshakeTrafficSecret, "client handshake traffic secret"),
            next: make(secrets.clientTrafficSecret0, "client application traffic secret"))
        server = Direction(
            current: make(secrets.serverHandshakeTrafficSecret, "server handshake traffic secret"),
            next: make(secrets.serverTrafficSecret0, "server application traffic secret"))
        // 0-RTT keys use the PSK's suite, which equals the negotiated one when early data is accepted.
        if earlyCandidates.count > 1 {
            let matching = earlyCandidates.filter { $0.parameters.code == suite }
            if !matching.isEmpty { earlyCandidates = matching }
        }
    }

    /// True once `side` has moved to application traffic keys.
    public func usesApplicationKeys(_ side: Side) -> Bool {
        side == .client ? client.phaseIsApplication : server.phaseIsApplication
    }

    /// Records from `side` were lost (capture gap): the next record may be several sequence
    /// numbers ahead, so up to 64 following numbers are tried once.
    public mutating func gap(from side: Side) {
        if side == .client { client.window = 64 } else { server.window = 64 }
    }

    public mutating func decrypt(from side: Side, contentType: UInt8, version: UInt16, body: ArraySlice<UInt8>)
        -> RecordDecryption
    {
        // Only application_data records are protected; CCS (middlebox compatibility), ClientHellos
        // after a HelloRetryRequest and plaintext alerts travel as they are.
        guard contentType == 23 else { return .cleartext }
        if side == .server {
            return server.decrypt(contentType: contentType, version: version, body: body)
        }
        if earlyPhaseOpen {
            return decryptClientDuringEarlyPhase(contentType: contentType, version: version, body: body)
        }
        return client.decrypt(contentType: contentType, version: version, body: body)
    }

    private mutating func decryptClientDuringEarlyPhase(contentType: UInt8, version: UInt16, body: ArraySlice<UInt8>)
        -> RecordDecryption
    {
        if client.current != nil || client.next != nil {
            let result = client.decrypt(contentType: contentType, version: version, body: body)
            switch result {
            case .decrypted, .malformed:
                earlyPhaseOpen = false
                earlyCandidates = []
                return result
            case .cleartext, .skippedEarlyData, .authenticationFailed, .noKey:
                break
            }
        }
        for i in earlyCandidates.indices {
            var candidate = earlyCandidates[i]
            if case .plaintext(let type, let bytes) = candidate.decrypt(
                contentType: contentType, version: version, body: body)
            {
                earlyCandidates = [candidate]
                return .decrypted(contentType: type, bytes: bytes, keys: .earlyTraffic)
            }
        }
        return .skippedEarlyData
    }

    /// One direction: the keys in use and the ones its next key change moves to.
    struct Direction: Sendable {
        var current: RecordDecryptor?
        var next: RecordDecryptor?
        var phaseIsApplication = false
        var scanner = HandshakeScanner()
        var window = 0

        init(current: RecordDecryptor? = nil, next: RecordDecryptor? = nil) {
            self.current = current
            self.next = next
        }

        mutating func decrypt(contentType: UInt8, version: UInt16, body: ArraySlice<UInt8>) -> RecordDecryption {
            let window = self.window
            if var keys = current {
                switch keys.decrypt(contentType: contentType, version: version, body: body, sequenceWindow: window) {
                case .plaintext(let type, let bytes):
                    current = keys
                    self.window = 0
                    let phase = self.phase(of: keys)
                    afterRecord(type: type, bytes: bytes)
                    return .decrypted(contentType: type, bytes: bytes, keys: phase)
                case .malformed(let why):
                    return .malformed(why)
                case .authenticationFailed:
                    break
                }
            }
            // Not the current keys: the peer may already use the next ones (missing handshake
            // secrets, or a Finished this scanner did not see).
            if var keys = next {
                if case .plaintext(let type, let bytes) = keys.decrypt(
                    contentType: contentType, version: version, body: body, sequenceWindow: window)
                {
                    current = keys
                    next = nil
                    phaseIsApplication = true
                    scanner = HandshakeScanner()
                    self.window = 0
                    afterRecord(type: type, bytes: bytes)
                    return .decrypted(contentType: type, bytes: bytes, keys: phase(of: keys))
                }
            }
            // With no key for the current phase nothing could have opened the record.
            return current == nil ? .noKey : .authenticationFailed
        }

        private func phase(of keys: RecordDecryptor) -> KeyPhase {
            phaseIsApplication ? .applicationTraffic(generation: keys.keyGeneration) : .handshakeTraffic
        }

        /// Applies key changes announced by the handshake messages this record completed.
        private mutating func afterRecord(type: UInt8, bytes: [UInt8]) {
            guard type == 22 else { return }
            let completed = scanner.feed(bytes[...])
            if !phaseIsApplication, completed.contains(HandshakeScanner.finished) {
                current = next
                next = nil
                phaseIsApplication = true
                scanner = HandshakeScanner()
            } else if phaseIsApplication {
                for type in completed where type == HandshakeScanner.keyUpdate {
                    try? current?.updateTrafficKey()
                }
            }
        }
    }
}

/// Finds handshake message boundaries in a decrypted handshake stream without keeping the
/// messages: only a split 4-byte header is held between records.
struct HandshakeScanner: Sendable {
    static let finished: UInt8 = 20
    static let keyUpdate: UInt8 = 24

    private var header: [UInt8] = []
    private var remaining = 0
    private var type: UInt8 = 0

    /// Returns the types of the messages this chunk completes, in order.
    mutating func feed(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var completed: [UInt8] = []
        var i = bytes.startIndex
        while i < bytes.endIndex {
            if remaining > 0 {
                let take = min(remaining, bytes.endIndex - i)
                remaining -= take
                i += take
                if remaining == 0 { completed.append(type) }
                continue
            }
            header.append(bytes[i])
            i += 1
            if header.count == 4 {
                type = header[0]
                remaining = Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
                header = []
                if remaining == 0 { completed.append(type) }
            }
        }
        return completed
    }
}
