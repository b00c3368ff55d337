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

    /// Owns the fields, as the header of a buffer with no elements: one allocation per
    /// connection (a class holding a pointer to separately allocated fields took two, and two
    /// frees). The fields are reached through the header's address rather than as a stored
    /// property: a class's stored property costs a dynamic exclusivity check on every access
    /// (they were 4 % of all instructions), the address does not.
    @usableFromInline
    final class Storage: ManagedBuffer<Fields, Void>, @unchecked Sendable {
        @inlinable
        static func make(_ fields: Fields) -> Storage {
            unsafeDowncast(Storage.create(minimumCapacity: 0) { _ in fields }, to: Storage.self)
        }

        /// Valid while the buffer is alive.
        @inlinable
        var fields: UnsafeMutablePointer<Fields> { withUnsafeMutablePointerToHeader { $0 } }
    }

    @usableFromInline var storage: Storage

    // Each field is read with `_read` (yielded in place: `connection.clientHello?.sni` must not
    // copy the whole hello) and written with `_modify` on a unique box.

    /// The fields, made unique before a write (copy-on-write). The pointer stays valid while
    /// `storage` holds the box, which it does for the whole access (`self` is inout).
    @inlinable
    var uniqueFields: UnsafeMutablePointer<Fields> {
        mutating get {
            if !isKnownUniquelyReferenced(&storage) { storage = Storage.make(storage.fields.pointee) }
            return storage.fields
        }
    }

    public init(id: Int, client: Endpoint, server: Endpoint, firstFrame: Int, start: Timestamp) {
        storage = Storage.make(Fields(id: id, client: client, server: server, firstFrame: firstFrame, start: start))
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

    /// Advances the connection to a segment and records its timeline event, if any, in one
    /// access to the fields: separate writes check the box's uniqueness once each, and this runs
    /// for every segment.
    @inlinable
    public mutating func noteSegment(frame: Int, time: Timestamp, event: consuming TimelineEvent?) {
        let fields = uniqueFields
        fields.pointee.lastFrame = frame
        fields.pointee.end = time
        if let event { fields.pointee.timeline.append(event) }
    }

    /// The name a user knows the server by: SNI, else the address.
    public var serverName: String { clientHello?.sni ?? server.ip }
}
