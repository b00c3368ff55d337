import WireBasics

/// One connection's decryption, whatever its version: feed it the hello facts the stream analyser
/// parses anyway, then every record; it picks TLS 1.3 or TLS 1.0-1.2 handling and keeps notes.
///
///     var d = ConnectionDecryptor(keyLog: log)
///     d.clientHello(random: ch.random, offersEarlyData: ch.hasEarlyData)     // each ClientHello
///     d.serverHello(random: sh.random, suite: sh.suite, version: negotiated,  // each ServerHello/HRR
///                   isHelloRetryRequest: sh.isHRR)
///     switch d.decrypt(from: side, contentType: h.type, version: h.version, body: body) { ... }
///
/// Hellos that arrive decrypted (TLS 1.2 renegotiation) are passed the same way; the new keys take
/// over at each direction's next ChangeCipherSpec.
public struct ConnectionDecryptor: Sendable {
    public struct Statistics: Sendable, Equatable {
        public var decryptedRecords = 0
        public var authenticationFailures = 0
        public var malformedRecords = 0
        public var recordsWithoutKey = 0
        public var skippedEarlyData = 0
        /// Decrypted application_data bytes (TLS 1.3 0-RTT data included) per side.
        public var applicationBytes: [Side: Int] = [:]
        public init() {}
    }

    private enum Mode: Sendable {
        case waiting
        case tls13(TLS13Decryptor)
        case tls12(TLS12Decryptor)
        /// No usable keys: every protected record is `.noKey`. For TLS 1.0-1.2 the sides that have
        /// sent ChangeCipherSpec (all their later records are protected).
        case noKeys(tls12ProtectedSides: Set<Side>?)
    }

    public let keyLog: KeyLog
    private var mode = Mode.waiting
    private var clientRandom: [UInt8]?
    private var offersEarlyData = false
    /// Why records are not (or not all) decrypted, for the connection's notes. Each note once.
    public private(set) var notes: [String] = []
    public private(set) var statistics = Statistics()

    public init(keyLog: KeyLog) {
        self.keyLog = keyLog
    }

    /// True once keys for this connection were found (decryption may still fail per record).
    public var hasKeys: Bool {
        switch mode {
        case .tls13, .tls12: return true
        case .waiting, .noKeys: return false
        }
    }

    public mutating func clientHello(random: [UInt8], offersEarlyData: Bool) {
        switch mode {
        case .tls12:
            // A renegotiation's ClientHello: keys are prepared when its ServerHello arrives.
            clientRandom = random
        case .waiting, .noKeys:
            clientRandom = random
            self.offersEarlyData = offersEarlyData
            if let secrets = keyLog.secrets(forClientRandom: random), secrets.hasTLS13Secrets {
                // Created now so that 0-RTT records before the ServerHello can be read.
                mode = .tls13(TLS13Decryptor(secrets: secrets, clientOfferedEarlyData: offersEarlyData))
            }
        case .tls13:
            // The second ClientHello after a HelloRetryRequest keeps the random (RFC 8446 4.1.2).
            break
        }
    }

    /// `version` is the negotiated version: supported_versions in TLS 1.3, else legacy_version.
    public mutating func serverHello(random: [UInt8], suite: UInt16, version: UInt16, isHelloRetryRequest: Bool = false)
    {
        guard !isHelloRetryRequest else { return }
        guard let clientRandom else {
            note("no ClientHello seen: its random is needed to find the keys")
            mode = .noKeys(tls12ProtectedSides: nil)
            return
        }
        let secrets = keyLog.secrets(forClientRandom: clientRandom)
        if (version >> 8) == 0x7f || version == 0x7e01 || version == 0x7e02 {
            // Drafts before -20 used other HKDF labels; experiments differ again.
            note("TLS 1.3 draft and experimental versions are not decrypted")
            mode = .noKeys(tls12ProtectedSides: nil)
            return
        }
        if version == 0x0304 {
            guard var decryptor = tls13Decryptor(secrets) else { return }
            decryptor.serverHello(suite: suite)
            for problem in decryptor.problems { note(problem) }
            mode = .tls13(decryptor)
            return
        }
        guard let master = secrets?.masterSecret else {
            note("key log has no CLIENT_RANDOM line for client random \(hexString(clientRandom))")
            if case .tls12 = mode { return }  // renegotiation without keys: CCS turns records to .noKey
            mode = .noKeys(tls12ProtectedSides: [])
            return
        }
        do {
            if case .tls12(var current) = mode {
                try current.prepareRenegotiation(
                    suite: suite, version: version, masterSecret: master, clientRandom: clientRandom,
                    serverRandom: random)
                mode = .tls12(current)
            } else {
                mode = .tls12(
                    try TLS12Decryptor(
                        suite: suite, version: version, masterSecret: master, clientRandom: clientRandom,
                        serverRandom: random))
            }
        } catch {
            note("\(error)")
            if case .tls12 = mode { return }
            mode = .noKeys(tls12ProtectedSides: [])
        }
    }

    private mutating func tls13Decryptor(_ secrets: SessionSecrets?) -> TLS13Decryptor? {
        if case .tls13(let existing) = mode { return existing }
        guard let secrets, secrets.hasTLS13Secrets else {
            note(
                "key log has no TLS 1.3 secrets for client random \(clientRandom.map { hexString($0) } ?? "?")")
            mode = .noKeys(tls12ProtectedSides: nil)
            return nil
        }
        return TLS13Decryptor(secrets: secrets, clientOfferedEarlyData: offersEarlyData)
    }

    /// Records from `side` were lost to a capture gap; the next one may skip sequence numbers.
    public mutating func gap(from side: Side) {
        switch mode {
        case .tls13(var d):
            d.gap(from: side)
            mode = .tls13(d)
        case .tls12(var d):
            d.gap(from: side)
            mode = .tls12(d)
        case .waiting, .noKeys: break
        }
    }

    public mutating func decrypt(from side: Side, contentType: UInt8, version: UInt16, body: ArraySlice<UInt8>)
        -> RecordDecryption
    {
        let result: RecordDecryption
        switch mode {
        case .tls13(var d):
            result = d.decrypt(from: side, contentType: contentType, version: version, body: body)
            mode = .tls13(d)
        case .tls12(var d):
            result = d.decrypt(from: side, contentType: contentType, version: version, body: body)
            mode = .tls12(d)
        case .waiting:
            result = .cleartext
        case .noKeys(let protectedSides):
            if var sides = protectedSides {
                // TLS 1.0-1.2: everything after a side's ChangeCipherSpec is protected.
                if sides.contains(side) {
                    result = .noKey
                } else {
                    if contentType == 20 { sides.insert(side) }
                    mode = .noKeys(tls12ProtectedSides: sides)
                    result = .cleartext
                }
            } else {
                // TLS 1.3: only application_data records are protected.
                result = contentType == 23 ? .noKey : .cleartext
            }
        }
        switch result {
        case .decrypted(let type, let bytes, _):
            statistics.decryptedRecords += 1
            if type == 23 { statistics.applicationBytes[side, default: 0] += bytes.count }
        case .authenticationFailed:
            statistics.authenticationFailures += 1
            note("records failed authentication (wrong key log entry, or lost records)")
        case .malformed(let why):
            statistics.malformedRecords += 1
            note("malformed protected record: \(why)")
        case .noKey:
            statistics.recordsWithoutKey += 1
        case .skippedEarlyData:
            statistics.skippedEarlyData += 1
        case .cleartext:
            break
        }
        return result
    }

    private mutating func note(_ text: String) {
        if !notes.contains(text) { notes.append(text) }
    }
}
