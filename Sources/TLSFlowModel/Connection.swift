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

/// Everything tlsflow knows about one TCP connection.
///
/// A value with its fields in one shared, copy-on-write box: a connection is large (hellos,
/// certificates, findings, the timeline) and passes through many hands once finished (audit,
/// rules, patterns, ordering, the writers). Copies share the box; the first write to a shared
/// box copies it, so value semantics are unchanged.
// Sendable by hand: the shared box is only written when uniquely referenced (copy-on-write),
// and `Fields` is Sendable.
public struct Connection: @unchecked Sendable {
    /// Every field of a connection, in one value.
    @usableFromInline
    struct Fields: Sendable {
        @usableFromInline var id: Int
        @usableFromInline var client: Endpoint
        @usableFromInline var server: Endpoint
        @usableFromInline var firstFrame: Int
        @usableFromInline var lastFrame: Int
        @usableFromInline var start: Timestamp
        @usableFromInline var end: Timestamp
        @usableFromInline var tcp: TCPInfo = TCPInfo()
        @usableFromInline var isTLS: Bool = false
        @usableFromInline var upgradedFrom: String?
        @usableFromInline var clientHello: ClientHelloInfo?
        @usableFromInline var serverHello: ServerHelloInfo?
        @usableFromInline var version: String?
        @usableFromInline var resumption: ResumptionInfo = ResumptionInfo()
        @usableFromInline var clientAuthRequested: Bool = false
        @usableFromInline var serverCertificates: [CertificateInfo] = []
        @usableFromInline var clientCertificates: [CertificateInfo] = []
        @usableFromInline var serverCertificateDER: [[UInt8]] = []
        @usableFromInline var clientCertificateDER: [[UInt8]] = []
        @usableFromInline var serverCertificateFrame: Int?
        @usableFromInline var clientCertificateFrame: Int?
        @usableFromInline var keyExchangeGroup: String?
        @usableFromInline var issuedTickets: [String] = []
        @usableFromInline var alerts: [AlertInfo] = []
        @usableFromInline var applicationData: ApplicationDataInfo = ApplicationDataInfo()
        @usableFromInline var handshakeMs: Double?
        @usableFromInline var handshakeCompleteFrame: Int?
        @usableFromInline var handshakeComplete: Bool = false
        @usableFromInline var timing: TimingInfo = TimingInfo()
        @usableFromInline var decrypted: Bool = false
        @usableFromInline var status: ConnectionStatus = .ok
        @usableFromInline var findings: [Finding] = []
        @usableFromInline var notes: [Note] = []
        @usableFromInline var timeline: Timeline = Timeline()

        @usableFromInline
        init(id: Int, client: Endpoint, server: Endpoint, firstFrame: Int, start: Timestamp) {
            self.id = id
            self.client = client
            self.server = server
            self.firstFrame = firstFrame
            self.lastFrame = firstFrame
            self.start = start
            self.end = start
        }
    }

    /// Owns the fields. They sit behind a `let` pointer rather than in stored properties: a
    /// class's stored property costs a dynamic exclusivity check on every access (they were 4 %
    /// of all instructions), a `let` pointer's pointee does not.
    @usableFromInline
    final class Storage: @unchecked Sendable {
        @usableFromInline let fields: UnsafeMutablePointer<Fields>

        @usableFromInline
        init(_ fields: Fields) {
            self.fields = .allocate(capacity: 1)
            self.fields.initialize(to: fields)
        }

        deinit {
            fields.deinitialize(count: 1)
            fields.deallocate()
        }
    }

    @usableFromInline var storage: Storage

    // Each field is read with `_read` (yielded in place: `connection.clientHello?.sni` must not
    // copy the whole hello) and written with `_modify` on a unique box.

    /// The fields, made unique before a write (copy-on-write). The pointer stays valid while
    /// `storage` holds the box, which it does for the whole access (`self` is inout).
    @inlinable
    var uniqueFields: UnsafeMutablePointer<Fields> {
        mutating get {
            if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.fields.pointee) }
            return storage.fields
        }
    }

    public init(id: Int, client: Endpoint, server: Endpoint, firstFrame: Int, start: Timestamp) {
        storage = Storage(Fields(id: id, client: client, server: server, firstFrame: firstFrame, start: start))
    }

    @inlinable
    public var id: Int {
        _read { yield storage.fields.pointee.id }
        _modify { yield &uniqueFields.pointee.id }
        set { uniqueFields.pointee.id = newValue }
    }

    @inlinable
    public var client: Endpoint {
        _read { yield storage.fields.pointee.client }
        _modify { yield &uniqueFields.pointee.client }
        set { uniqueFields.pointee.client = newValue }
    }

    @inlinable
    public var server: Endpoint {
        _read { yield storage.fields.pointee.server }
        _modify { yield &uniqueFields.pointee.server }
        set { uniqueFields.pointee.server = newValue }
    }

    @inlinable
    public var firstFrame: Int {
        _read { yield storage.fields.pointee.firstFrame }
        _modify { yield &uniqueFields.pointee.firstFrame }
        set { uniqueFields.pointee.firstFrame = newValue }
    }

    @inlinable
    public var lastFrame: Int {
        _read { yield storage.fields.pointee.lastFrame }
        _modify { yield &uniqueFields.pointee.lastFrame }
        set { uniqueFields.pointee.lastFrame = newValue }
    }

    @inlinable
    public var start: Timestamp {
        _read { yield storage.fields.pointee.start }
        _modify { yield &uniqueFields.pointee.start }
        set { uniqueFields.pointee.start = newValue }
    }

    @inlinable
    public var end: Timestamp {
        _read { yield storage.fields.pointee.end }
        _modify { yield &uniqueFields.pointee.end }
        set { uniqueFields.pointee.end = newValue }
    }

    @inlinable
    public var tcp: TCPInfo {
        _read { yield storage.fields.pointee.tcp }
        _modify { yield &uniqueFields.pointee.tcp }
        set { uniqueFields.pointee.tcp = newValue }
    }

    /// True when TLS was seen on the connection (or attempted: a SYN to a TLS port).
    @inlinable
    public var isTLS: Bool {
        _read { yield storage.fields.pointee.isTLS }
        _modify { yield &uniqueFields.pointee.isTLS }
        set { uniqueFields.pointee.isTLS = newValue }
    }

    /// Plaintext protocol that preceded TLS (e.g. "SMTP STARTTLS"), when one did.
    @inlinable
    public var upgradedFrom: String? {
        _read { yield storage.fields.pointee.upgradedFrom }
        _modify { yield &uniqueFields.pointee.upgradedFrom }
        set { uniqueFields.pointee.upgradedFrom = newValue }
    }

    @inlinable
    public var clientHello: ClientHelloInfo? {
        _read { yield storage.fields.pointee.clientHello }
        _modify { yield &uniqueFields.pointee.clientHello }
        set { uniqueFields.pointee.clientHello = newValue }
    }

    @inlinable
    public var serverHello: ServerHelloInfo? {
        _read { yield storage.fields.pointee.serverHello }
        _modify { yield &uniqueFields.pointee.serverHello }
        set { uniqueFields.pointee.serverHello = newValue }
    }

    @inlinable
    public var version: String? {
        _read { yield storage.fields.pointee.version }
        _modify { yield &uniqueFields.pointee.version }
        set { uniqueFields.pointee.version = newValue }
    }

    @inlinable
    public var resumption: ResumptionInfo {
        _read { yield storage.fields.pointee.resumption }
        _modify { yield &uniqueFields.pointee.resumption }
        set { uniqueFields.pointee.resumption = newValue }
    }

    @inlinable
    public var clientAuthRequested: Bool {
        _read { yield storage.fields.pointee.clientAuthRequested }
        _modify { yield &uniqueFields.pointee.clientAuthRequested }
        set { uniqueFields.pointee.clientAuthRequested = newValue }
    }

    @inlinable
    public var serverCertificates: [CertificateInfo] {
        _read { yield storage.fields.pointee.serverCertificates }
        _modify { yield &uniqueFields.pointee.serverCertificates }
        set { uniqueFields.pointee.serverCertificates = newValue }
    }

    @inlinable
    public var clientCertificates: [CertificateInfo] {
        _read { yield storage.fields.pointee.clientCertificates }
        _modify { yield &uniqueFields.pointee.clientCertificates }
        set { uniqueFields.pointee.clientCertificates = newValue }
    }

    /// DER of each certificate as sent (leaf first); consumed by the audit, not rendered.
    @inlinable
    public var serverCertificateDER: [[UInt8]] {
        _read { yield storage.fields.pointee.serverCertificateDER }
        _modify { yield &uniqueFields.pointee.serverCertificateDER }
        set { uniqueFields.pointee.serverCertificateDER = newValue }
    }

    @inlinable
    public var clientCertificateDER: [[UInt8]] {
        _read { yield storage.fields.pointee.clientCertificateDER }
        _modify { yield &uniqueFields.pointee.clientCertificateDER }
        set { uniqueFields.pointee.clientCertificateDER = newValue }
    }

    /// Frame of the Certificate message carrying each chain.
    @inlinable
    public var serverCertificateFrame: Int? {
        _read { yield storage.fields.pointee.serverCertificateFrame }
        _modify { yield &uniqueFields.pointee.serverCertificateFrame }
        set { uniqueFields.pointee.serverCertificateFrame = newValue }
    }

    @inlinable
    public var clientCertificateFrame: Int? {
        _read { yield storage.fields.pointee.clientCertificateFrame }
        _modify { yield &uniqueFields.pointee.clientCertificateFrame }
        set { uniqueFields.pointee.clientCertificateFrame = newValue }
    }

    /// TLS 1.2 ServerKeyExchange named group, when seen.
    @inlinable
    public var keyExchangeGroup: String? {
        _read { yield storage.fields.pointee.keyExchangeGroup }
        _modify { yield &uniqueFields.pointee.keyExchangeGroup }
        set { uniqueFields.pointee.keyExchangeGroup = newValue }
    }

    /// Session ticket issued by the server (NewSessionTicket), hex, truncated to 32 bytes for linking.
    @inlinable
    public var issuedTickets: [String] {
        _read { yield storage.fields.pointee.issuedTickets }
        _modify { yield &uniqueFields.pointee.issuedTickets }
        set { uniqueFields.pointee.issuedTickets = newValue }
    }

    @inlinable
    public var alerts: [AlertInfo] {
        _read { yield storage.fields.pointee.alerts }
        _modify { yield &uniqueFields.pointee.alerts }
        set { uniqueFields.pointee.alerts = newValue }
    }

    @inlinable
    public var applicationData: ApplicationDataInfo {
        _read { yield storage.fields.pointee.applicationData }
        _modify { yield &uniqueFields.pointee.applicationData }
        set { uniqueFields.pointee.applicationData = newValue }
    }

    @inlinable
    public var handshakeMs: Double? {
        _read { yield storage.fields.pointee.handshakeMs }
        _modify { yield &uniqueFields.pointee.handshakeMs }
        set { uniqueFields.pointee.handshakeMs = newValue }
    }

    /// Frame of the last handshake message (TLS 1.2 Finished pair / TLS 1.3 client Finished inferred).
    @inlinable
    public var handshakeCompleteFrame: Int? {
        _read { yield storage.fields.pointee.handshakeCompleteFrame }
        _modify { yield &uniqueFields.pointee.handshakeCompleteFrame }
        set { uniqueFields.pointee.handshakeCompleteFrame = newValue }
    }

    @inlinable
    public var handshakeComplete: Bool {
        _read { yield storage.fields.pointee.handshakeComplete }
        _modify { yield &uniqueFields.pointee.handshakeComplete }
        set { uniqueFields.pointee.handshakeComplete = newValue }
    }

    @inlinable
    public var timing: TimingInfo {
        _read { yield storage.fields.pointee.timing }
        _modify { yield &uniqueFields.pointee.timing }
        set { uniqueFields.pointee.timing = newValue }
    }

    @inlinable
    public var decrypted: Bool {
        _read { yield storage.fields.pointee.decrypted }
        _modify { yield &uniqueFields.pointee.decrypted }
        set { uniqueFields.pointee.decrypted = newValue }
    }

    @inlinable
    public var status: ConnectionStatus {
        _read { yield storage.fields.pointee.status }
        _modify { yield &uniqueFields.pointee.status }
        set { uniqueFields.pointee.status = newValue }
    }

    @inlinable
    public var findings: [Finding] {
        _read { yield storage.fields.pointee.findings }
        _modify { yield &uniqueFields.pointee.findings }
        set { uniqueFields.pointee.findings = newValue }
    }

    @inlinable
    public var notes: [Note] {
        _read { yield storage.fields.pointee.notes }
        _modify { yield &uniqueFields.pointee.notes }
        set { uniqueFields.pointee.notes = newValue }
    }

    @inlinable
    public var timeline: Timeline {
        _read { yield storage.fields.pointee.timeline }
        _modify { yield &uniqueFields.pointee.timeline }
        set { uniqueFields.pointee.timeline = newValue }
    }

    /// The name a user knows the server by: SNI, else the address.
    public var serverName: String { clientHello?.sni ?? server.ip }
}
