import Foundation
import WireBasics

/// The secrets a key log holds for one TLS session, found by its ClientHello.random.
///
/// TLS 1.2 (and 1.0/1.1) sessions have a `masterSecret`; TLS 1.3 sessions have traffic secrets.
/// A key log may hold only some of them (e.g. a client that logs application secrets only).
public struct SessionSecrets: Sendable, Equatable {
    public var clientRandom: [UInt8]
    /// `CLIENT_RANDOM`: the 48-byte TLS 1.2 master secret.
    public var masterSecret: [UInt8]?
    /// `CLIENT_EARLY_TRAFFIC_SECRET` (also accepted as `EARLY_TRAFFIC_SECRET`): 0-RTT data.
    public var clientEarlyTrafficSecret: [UInt8]?
    public var clientHandshakeTrafficSecret: [UInt8]?
    public var serverHandshakeTrafficSecret: [UInt8]?
    public var clientTrafficSecret0: [UInt8]?
    public var serverTrafficSecret0: [UInt8]?
    public var exporterSecret: [UInt8]?
    public var earlyExporterSecret: [UInt8]?

    public init(clientRandom: [UInt8]) {
        self.clientRandom = clientRandom
    }

    /// True when any TLS 1.3 traffic secret is present.
    public var hasTLS13Secrets: Bool {
        clientEarlyTrafficSecret != nil || clientHandshakeTrafficSecret != nil
            || serverHandshakeTrafficSecret != nil || clientTrafficSecret0 != nil || serverTrafficSecret0 != nil
    }
}

/// A line of a key log that was skipped, with the reason.
public struct KeyLogProblem: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// The line is not in NSS key log format (bad label, hex or length).
        case malformed
        /// A recognised line tlsflow cannot use (RSA pre-master secrets, PMS_CLIENT_RANDOM, ECH).
        case unsupported
        /// The same secret was logged twice with different values; the first one is kept.
        case conflict
        /// A line tlsflow does not need: OpenSSL's `CLIENT_TRAFFIC_SECRET_N` after a KeyUpdate
        /// (later generations are derived from `*_TRAFFIC_SECRET_0`).
        case ignored
    }
    /// File the line came from (`nil` for text given directly).
    public var source: String?
    /// 1-based line number.
    public var line: Int
    public var kind: Kind
    public var message: String

    public init(source: String?, line: Int, kind: Kind, message: String) {
        self.source = source
        self.line = line
        self.kind = kind
        self.message = message
    }
}

public enum KeyLogError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "cannot read key log \(path): \(reason)"
        }
    }
}

/// An NSS key log (SSLKEYLOGFILE): `<LABEL> <client random hex> <secret hex>` per line.
///
/// Bad lines never make the whole log unusable: they are skipped and listed in `problems`.
public struct KeyLog: Sendable {
    /// pcapng Decryption Secrets Block secrets type for TLS key logs ("TLSK").
    public static let pcapngSecretsType: UInt32 = 0x544c_534b

    private var sessions: [[UInt8]: SessionSecrets] = [:]
    public private(set) var problems: [KeyLogProblem] = []

    public init() {}

    /// Reads a key log file. Throws only when the file cannot be read; bad lines go to `problems`.
    public init(contentsOf path: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason: String
            if !FileManager.default.fileExists(atPath: path) {
                reason = "no such file"
            } else {
                reason = (error as NSError).localizedDescription
            }
            throw KeyLogError.unreadable(path: path, reason: reason)
        }
        self.init(bytes: Array(data), source: path)
    }

    public init(text: String, source: String? = nil) {
        self.init()
        parse(Array(text.utf8), source: source)
    }

    /// Key log bytes, e.g. the secrets of a pcapng Decryption Secrets Block of type
    /// `KeyLog.pcapngSecretsType`. Invalid UTF-8 only spoils the lines it appears on.
    public init(bytes: [UInt8], source: String? = nil) {
        self.init()
        parse(bytes, source: source)
    }

    /// Secrets from a pcapng Decryption Secrets Block, or nil when the block holds another kind
    /// of secret (WireGuard, ZigBee, ...).
    public init?(decryptionSecretsType type: UInt32, data: [UInt8], source: String? = nil) {
        guard type == KeyLog.pcapngSecretsType else { return nil }
        self.init(bytes: data, source: source)
    }

    /// Number of sessions (distinct client randoms) with at least one secret.
    public var count: Int { sessions.count }

    /// Number of secrets over all sessions.
    public var secretCount: Int {
        sessions.values.reduce(0) { total, s in
            total
                + [
                    s.masterSecret, s.clientEarlyTrafficSecret, s.clientHandshakeTrafficSecret,
                    s.serverHandshakeTrafficSecret, s.clientTrafficSecret0, s.serverTrafficSecret0,
                    s.exporterSecret, s.earlyExporterSecret,
                ].reduce(0) { $0 + ($1 == nil ? 0 : 1) }
        }
    }

    public func secrets(forClientRandom clientRandom: [UInt8]) -> SessionSecrets? {
        sessions[clientRandom]
    }

    /// Adds another log's secrets (e.g. several `--keylog` files and pcapng blocks). Secrets already
    /// present win; differing duplicates are reported as conflicts.
    public mutating func merge(_ other: KeyLog) {
        problems.append(contentsOf: other.problems)
        for (random, theirs) in other.sessions.sorted(by: { hexString($0.key) < hexString($1.key) }) {
            for label in Self.labels {
                if let path = Self.field(for: label), let value = theirs[keyPath: path] {
                    store(label: label, path: path, random: random, secret: value, source: nil, line: 0)
                }
            }
        }
    }

    // MARK: - Parsing

    /// The labels that carry a secret, in the NSS spelling.
    private static let labels = [
        "CLIENT_RANDOM", "CLIENT_EARLY_TRAFFIC_SECRET", "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
        "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0", "EXPORTER_SECRET",
        "EARLY_EXPORTER_SECRET",
    ]

    private static func field(for label: String) -> WritableKeyPath<SessionSecrets, [UInt8]?>? {
        switch label {
        case "CLIENT_RANDOM": return \.masterSecret
        // Older documentation (and the issue) call the 0-RTT secret EARLY_TRAFFIC_SECRET.
        case "CLIENT_EARLY_TRAFFIC_SECRET", "EARLY_TRAFFIC_SECRET": return \.clientEarlyTrafficSecret
        case "CLIENT_HANDSHAKE_TRAFFIC_SECRET": return \.clientHandshakeTrafficSecret
        case "SERVER_HANDSHAKE_TRAFFIC_SECRET": return \.serverHandshakeTrafficSecret
        case "CLIENT_TRAFFIC_SECRET_0": return \.clientTrafficSecret0
        case "SERVER_TRAFFIC_SECRET_0": return \.serverTrafficSecret0
        case "EXPORTER_SECRET": return \.exporterSecret
        case "EARLY_EXPORTER_SECRET": return \.earlyExporterSecret
        default: return nil
        }
    }

    /// Labels other tools write that carry no secret tlsflow can use.
    private static let unsupportedLabels: [String: String] = [
        "RSA": "RSA pre-master secret lines are not supported (log CLIENT_RANDOM master secrets instead)",
        "PMS_CLIENT_RANDOM":
            "pre-master secrets are not supported (the master secret needs the handshake transcript); log CLIENT_RANDOM instead",
        "ECH_SECRET": "ECH secrets are not used (the inner ClientHello is not decrypted)",
        "ECH_CONFIG": "ECH configurations are not used (the inner ClientHello is not decrypted)",
    ]

    private mutating func parse(_ bytes: [UInt8], source: String?) {
        var lineNumber = 0
        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 0x0a { end += 1 }
            lineNumber += 1
            if start < end || end < bytes.count {
                parseLine(bytes[start..<end], number: lineNumber, source: source)
            }
            if end >= bytes.count { break }
            start = end + 1
        }
    }

    private mutating func parseLine(_ raw: ArraySlice<UInt8>, number: Int, source: String?) {
        // Tokens are separated by spaces or tabs; a trailing CR (CRLF files) is whitespace too.
        var tokens: [ArraySlice<UInt8>] = []
        var i = raw.startIndex
        while i < raw.endIndex {
            while i < raw.endIndex, Self.isSpace(raw[i]) { i += 1 }
            guard i < raw.endIndex else { break }
            let tokenStart = i
            while i < raw.endIndex, !Self.isSpace(raw[i]) { i += 1 }
            tokens.append(raw[tokenStart..<i])
        }
        guard let first = tokens.first else { return }
        if first.first == UInt8(ascii: "#") { return }

        func report(_ kind: KeyLogProblem.Kind, _ message: String) {
            problems.append(KeyLogProblem(source: source, line: number, kind: kind, message: message))
        }
        guard let label = String(validating: first, as: UTF8.self) else {
            report(.malformed, "label is not valid UTF-8")
            return
        }
        if let reason = Self.unsupportedLabels[label] {
            report(.unsupported, reason)
            return
        }
        if label.hasPrefix("CLIENT_TRAFFIC_SECRET_") || label.hasPrefix("SERVER_TRAFFIC_SECRET_") {
            if Self.field(for: label) == nil {
                report(.ignored, "\(label): later traffic secrets are derived from the _0 secret at each KeyUpdate")
                return
            }
        }
        guard let path = Self.field(for: label) else {
            let shown = label.count > 40 ? String(label.prefix(40)) + "…" : label
            report(.malformed, "unknown label \"\(shown)\"")
            return
        }
        guard tokens.count == 3 else {
            report(.malformed, "\(label): expected 3 fields (label, client random, secret), found \(tokens.count)")
            return
        }
        guard let random = Self.decodeHex(tokens[1]) else {
            report(.malformed, "\(label): client random is not hex")
            return
        }
        guard random.count == 32 else {
            report(.malformed, "\(label): client random is \(random.count) bytes, expected 32")
            return
        }
        guard let secret = Self.decodeHex(tokens[2]) else {
            report(.malformed, "\(label): secret is not hex")
            return
        }
        if label == "CLIENT_RANDOM" {
            guard secret.count == 48 else {
                report(.malformed, "CLIENT_RANDOM: master secret is \(secret.count) bytes, expected 48")
                return
            }
        } else {
            // TLS 1.3 secrets are one hash long: SHA-256 or SHA-384.
            guard secret.count == 32 || secret.count == 48 else {
                report(.malformed, "\(label): secret is \(secret.count) bytes, expected 32 or 48")
                return
            }
        }
        store(label: label, path: path, random: random, secret: secret, source: source, line: number)
    }

    private mutating func store(
        label: String, path: WritableKeyPath<SessionSecrets, [UInt8]?>, random: [UInt8], secret: [UInt8],
        source: String?, line: Int
    ) {
        var session = sessions[random] ?? SessionSecrets(clientRandom: random)
        if let existing = session[keyPath: path] {
            if existing != secret {
                problems.append(
                    KeyLogProblem(
                        source: source, line: line, kind: .conflict,
                        message:
                            "\(label) for client random \(hexString(random.prefix(8)))… logged twice with different values; keeping the first"
                    ))
            }
            return
        }
        session[keyPath: path] = secret
        sessions[random] = session
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0d
    }

    static func decodeHex(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        guard text.count % 2 == 0, !text.isEmpty else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(text.count / 2)
        var high: UInt8?
        for c in text {
            let v: UInt8
            switch c {
            case 0x30...0x39: v = c &- 0x30
            case 0x41...0x46: v = c &- 0x41 &+ 10
            case 0x61...0x66: v = c &- 0x61 &+ 10
            default: return nil
            }
            if let h = high {
                out.append(h << 4 | v)
                high = nil
            } else {
                high = v
            }
        }
        return out
    }
}
