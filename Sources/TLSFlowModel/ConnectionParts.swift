@_exported import WireBasics

/// One TCP endpoint. `ip` is printed the way Wireshark prints it (dotted quad, RFC 5952 IPv6).
public struct Endpoint: Hashable, Sendable {
    public var ip: String
    public var port: UInt16
    public init(ip: String, port: UInt16) {
        self.ip = ip
        self.port = port
    }
}

/// What the TCP layer saw of a connection.
public struct TCPInfo: Sendable, Equatable {
    public enum Handshake: String, Sendable { case complete, partial, none }
    public enum End: String, Sendable {
        case fin, rst, idle
        case captureEnd = "capture_end"
    }
    public var handshake: Handshake = .none
    public var end: End = .captureEnd
    public var endedBy: Side?
    public var retransmissions: Int = 0
    public var gaps: Int = 0
    /// Bytes the capture is missing in each direction (sum of gap sizes).
    public var missingBytes: Int = 0
    public init() {}
}

/// ClientHello as reported (names already resolved; hex strings lowercase).
public struct ClientHelloInfo: Sendable, Equatable {
    public var frame: Int
    public var time: Timestamp
    public var recordVersion: String
    public var legacyVersion: String
    public var supportedVersions: [String]
    public var sni: String?
    public var sessionID: String
    public var sessionTicket: Bool
    /// Length of the ticket offered in the session_ticket extension (0 when empty: "I support tickets").
    public var sessionTicketLength: Int
    /// First 32 bytes of the offered ticket (hex), to find the connection that issued it.
    public var sessionTicketHead: String = ""
    public var psk: Bool
    public var earlyData: Bool
    public var cipherSuites: [String]
    /// Raw cipher suite code points in offered order (GREASE included), for rules that compare.
    public var cipherSuiteValues: [UInt16]
    public var alpn: [String]
    public var groups: [String]
    public var keyShareGroups: [String]
    public var signatureAlgorithms: [String]
    public var ja4: String?
    public var ja3: String?
    public var ja3String: String?
    /// True when the ClientHello arrived in SSLv2-compatible form.
    public var sslv2Format: Bool

    public init(frame: Int, time: Timestamp) {
        self.frame = frame
        self.time = time
        recordVersion = ""
        legacyVersion = ""
        supportedVersions = []
        sessionID = ""
        sessionTicket = false
        sessionTicketLength = 0
        psk = false
        earlyData = false
        cipherSuites = []
        cipherSuiteValues = []
        alpn = []
        groups = []
        keyShareGroups = []
        signatureAlgorithms = []
        sslv2Format = false
    }
}

public struct ServerHelloInfo: Sendable, Equatable {
    public var frame: Int
    public var time: Timestamp
    /// Negotiated version (supported_versions when present, else legacy_version).
    public var version: String
    public var cipherSuite: String
    public var cipherSuiteValue: UInt16
    public var sessionID: String
    public var alpn: String?
    public var helloRetryRequest: Bool
    /// TLS 1.3: the server accepted the client's PSK (pre_shared_key extension present).
    public var selectedPSK: Bool
    public var keyShareGroup: String?
    public var ja4s: String?
    public init(frame: Int, time: Timestamp) {
        self.frame = frame
        self.time = time
        version = ""
        cipherSuite = ""
        cipherSuiteValue = 0
        sessionID = ""
        helloRetryRequest = false
        selectedPSK = false
    }
}

public struct ResumptionInfo: Sendable, Equatable {
    public enum Offered: String, Sendable {
        case none
        case sessionID = "session_id"
        case ticket, psk
    }
    public var offered: Offered = .none
    /// nil when the capture cannot tell (no ServerHello seen).
    public var accepted: Bool?
    /// Connection id of the full handshake in the same capture that issued the session, if found.
    public var issuedBy: Int?
    public init() {}
}

/// A certificate as the JSON contract's CERT object, plus what the audit needs to keep.
public struct CertificateInfo: Sendable, Equatable {
    public var frame: Int
    public var subject: String
    public var issuer: String
    public var serial: String
    public var san: [String]
    public var notBefore: Timestamp?
    public var notAfter: Timestamp?
    public var key: String
    public var signatureAlgorithm: String
    public var sha256: String
    public var selfSigned: Bool
    public var ca: Bool
    /// Days from the capture time to notAfter (negative when expired at capture time).
    public var daysLeftAtCapture: Int?
    /// Set when the DER could not be parsed; the other fields are then mostly empty.
    public var parseError: String?
    public init(frame: Int, sha256: String) {
        self.frame = frame
        self.sha256 = sha256
        subject = ""
        issuer = ""
        serial = ""
        san = []
        key = ""
        signatureAlgorithm = ""
        selfSigned = false
        ca = false
    }
}

public struct AlertInfo: Sendable, Equatable {
    public enum Level: String, Sendable { case warning, fatal, unknown }
    public var frame: Int
    public var time: Timestamp
    public var from: Side
    public var level: Level
    /// IANA name, or "unknown" when encrypted; `descriptionCode` keeps the number.
    public var description: String
    public var descriptionCode: UInt8?
    public var encrypted: Bool
    /// True when decrypted from an encrypted record with a key log.
    public var decrypted: Bool = false
    public init(
        frame: Int, time: Timestamp, from: Side, level: Level, description: String, descriptionCode: UInt8?,
        encrypted: Bool
    ) {
        self.frame = frame
        self.time = time
        self.from = from
        self.level = level
        self.description = description
        self.descriptionCode = descriptionCode
        self.encrypted = encrypted
    }
}

public struct ApplicationDataInfo: Sendable, Equatable {
    public var clientBytes: Int = 0
    public var serverBytes: Int = 0
    public var clientRecords: Int = 0
    public var serverRecords: Int = 0
    public var firstFrame: Int?
    public var lastFrame: Int?
    /// Per direction, the first and last application-data frame and time (for one-way detection).
    public var clientFirstFrame: Int?
    public var clientLastFrame: Int?
    public var serverFirstFrame: Int?
    public var serverLastFrame: Int?
    public var clientLastTime: Timestamp?
    public var serverLastTime: Timestamp?
    public init() {}

    public mutating func add(from side: Side, bytes: Int, frame: Int, time: Timestamp) {
        if firstFrame == nil { firstFrame = frame }
        lastFrame = frame
        switch side {
        case .client:
            clientBytes += bytes
            clientRecords += 1
            if clientFirstFrame == nil { clientFirstFrame = frame }
            clientLastFrame = frame
            clientLastTime = time
        case .server:
            serverBytes += bytes
            serverRecords += 1
            if serverFirstFrame == nil { serverFirstFrame = frame }
            serverLastFrame = frame
            serverLastTime = time
        }
    }
}

/// Round-trip and think times, so that "slow" can be attributed to the network or the server.
public struct TimingInfo: Sendable, Equatable {
    /// SYN -> SYN-ACK, seen from the capture point.
    public var tcpRTTms: Double?
    /// ClientHello -> ServerHello.
    public var serverResponseMs: Double?
    /// ClientHello -> ServerHello minus the TCP RTT: time the server spent thinking.
    public var serverThinkMs: Double?
    public init() {}
}

public enum ConnectionStatus: String, Sendable, Comparable {
    case ok, warning, failed, incomplete
    private var rank: Int {
        switch self {
        case .ok: 0
        case .incomplete: 1
        case .warning: 2
        case .failed: 3
        }
    }
    public static func < (a: ConnectionStatus, b: ConnectionStatus) -> Bool { a.rank < b.rank }
}

/// A per-connection remark that is not a finding: what could not be analysed and why.
public struct Note: Sendable, Equatable {
    public var frame: Int?
    public var message: String
    public init(frame: Int?, message: String) {
        self.frame = frame
        self.message = message
    }
}
