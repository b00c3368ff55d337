import TLSFlowModel

/// Conventions the pipeline follows when it adds notes the rules read.
public enum DiagnosisNote {
    /// A note whose message starts with this prefix says bytes on the connection are not valid TLS
    /// (e.g. "malformed: client sent 'GET / HTTP/1.1' to port 443"); it becomes `tls.malformed`.
    public static let malformedPrefix = "malformed:"
    /// A note whose message starts with this prefix says the capture cut packets short (snaplen),
    /// e.g. "truncated: frame 12 captured 96 of 1514 bytes"; it becomes `capture.gap`.
    public static let truncatedPrefix = "truncated:"
}

/// Facts derived once from a connection's timeline and summary, shared by the rules.
///
/// Every answer tolerates partial data: a missing SYN, ClientHello or peer direction yields nil
/// or false rather than a guess.
///
/// A class, not a struct: thirteen rules read one instance per connection, and handing a struct
/// that holds a whole `Connection` to each of them copied (retained) every field of it each time.
final class ConnectionFacts {
    let connection: Connection
    let events: [TimelineEvent]
    /// Timing as the rules see it: the diagnoser fills it in after deriving the facts (the
    /// timeline, not the timing, is what the facts are derived from).
    var timing: TimingInfo
    /// Whether the handshake finished, and at which frame: the pipeline's verdict or, when it
    /// could not tell, application data in both directions (which only flows afterwards).
    let handshakeDone: Bool
    let handshakeDoneFrame: Int?
    /// Client SYNs (without ACK), in order; more than one means the SYN was retransmitted.
    let clientSYNs: [TimelineEvent]
    let synAck: TimelineEvent?
    /// Sides that have at least one recorded segment (pure ACKs are not recorded).
    let sidesSeen: SideSet
    /// Positions in `events` of the first RST and the first FIN that carry no SYN.
    private let firstRSTIndex: Int?
    private let firstFINIndex: Int?
    /// Whether the client sent a segment with payload; whether the timeline has a gap or plaintext.
    let clientSentPayload: Bool
    let hasGap: Bool
    let hasPlaintext: Bool
    /// The ClientHello's and ServerHello's frames, read once: reading a whole hello from the
    /// connection copies (retains) every field of it.
    let clientHelloFrame: Int?
    let serverHelloFrame: Int?

    init(_ connection: Connection) {
        self.connection = connection
        timing = connection.timing
        let events = connection.timeline.events
        self.events = events
        clientHelloFrame = connection.clientHello?.frame
        serverHelloFrame = connection.serverHello?.frame
        // One pass over the timeline for the SYNs, the SYN-ACK, the sides seen and the first
        // closes. By position, so that no event is copied unless it is kept.
        var syns: [TimelineEvent] = []
        var firstSynAck: TimelineEvent?
        var seen = SideSet()
        var rst: Int?
        var fin: Int?
        var clientPayload = false
        var gap = false
        var plaintext = false
        let synFlag = TCPFlags.syn
        let ackFlag = TCPFlags.ack
        let rstFlag = TCPFlags.rst
        let finFlag = TCPFlags.fin
        events.withUnsafeBufferPointer { buffer in
            for index in buffer.indices {
                switch Brief(buffer[index].kind) {
                case .segment(let flags, let payload):
                    let from = buffer[index].from
                    seen.insert(from)
                    if from == .client && payload > 0 { clientPayload = true }
                    if flags.contains(synFlag) {
                        if from == .client {
                            if !flags.contains(ackFlag) { syns.append(buffer[index]) }
                        } else if firstSynAck == nil, flags.contains(ackFlag) {
                            firstSynAck = buffer[index]
                        }
                    } else {
                        if rst == nil && flags.contains(rstFlag) { rst = index }
                        if fin == nil && flags.contains(finFlag) { fin = index }
                    }
                case .gap: gap = true
                case .plaintext: plaintext = true
                case .other: continue
                }
            }
        }
        clientSYNs = syns
        synAck = firstSynAck
        sidesSeen = seen
        firstRSTIndex = rst
        firstFINIndex = fin
        clientSentPayload = clientPayload
        hasGap = gap
        hasPlaintext = plaintext
        let data = connection.applicationData
        if connection.handshakeComplete {
            handshakeDone = true
            handshakeDoneFrame = connection.handshakeCompleteFrame
        } else if data.clientRecords > 0, data.serverRecords > 0, let client = data.clientFirstFrame,
            let server = data.serverFirstFrame
        {
            handshakeDone = true
            handshakeDoneFrame = max(client, server)
        } else {
            handshakeDone = false
            handshakeDoneFrame = nil
        }
    }

    /// What the one pass needs of an event's kind, without its payload: switching over the kind
    /// itself made the optimiser copy every event it passed.
    private enum Brief {
        case segment(TCPFlags, Int)
        case gap, plaintext, other

        @inline(__always)
        init(_ kind: TimelineEvent.Kind) {
            switch kind {
            case .segment(let flags, let payload): self = .segment(flags, payload)
            case .gap: self = .gap
            case .plaintext: self = .plaintext
            default: self = .other
            }
        }
    }

    /// The headline the findings will have, when the diagnoser knows it before the symptom rules
    /// run (`CauseOrdering.certainHeadline`); nil otherwise, and always outside the default rules.
    var foldTarget: (code: String, trigger: Int)?

    /// Whether a finding with `code` and trigger frame `trigger` will be folded into the
    /// headline's consequences, which keep only its code and summary: its detail and fix are
    /// then not worded. Exactly `CauseOrdering.order`'s test.
    func isFolded(_ code: String, trigger: Int) -> Bool {
        guard let target = foldTarget else { return false }
        return CauseOrdering.canFollow(code, headline: target.code, handshakeComplete: handshakeDone)
            && trigger >= target.trigger
    }

    /// The first handshake-ending alert, classified once for the three alert rules.
    private(set) lazy var alertClassification: AlertClassification? = AlertClassification.of(self)

    // MARK: TCP

    func sentPayload(_ side: Side) -> Bool {
        if side == .client { return clientSentPayload }
        return events.contains { event in
            guard event.from == side, case .segment(_, let payload) = event.kind else { return false }
            return payload > 0
        }
    }

    /// The side whose packets are absent although the other side's behaviour proves it was
    /// talking: a capture of one direction only. nil when both directions were captured or the
    /// capture cannot tell.
    var missingDirection: Side? {
        let seen = sidesSeen
        guard seen.count == 1, let present = seen.first else { return nil }
        switch present {
        case .server:
            // A server only ever speaks in answer to a client.
            return .client
        case .client:
            // Client payload needs an accepted connection; SYNs alone are a real no-answer.
            return sentPayload(.client) ? .server : nil
        }
    }

    var firstRST: TimelineEvent? { firstRSTIndex.map { events[$0] } }
    var firstFIN: TimelineEvent? { firstFINIndex.map { events[$0] } }

    /// First FIN or RST by either side.
    var firstClose: TimelineEvent? {
        switch (firstRSTIndex, firstFINIndex) {
        case (let rst?, let fin?): return events[min(rst, fin)]
        case (let rst?, nil): return events[rst]
        case (nil, let fin?): return events[fin]
        case (nil, nil): return nil
        }
    }

    func firstClose(after frame: Int) -> TimelineEvent? {
        events.first { event in
            guard event.frame > frame, case .segment(let flags, _) = event.kind else { return false }
            return !flags.contains(.syn) && (flags.contains(.fin) || flags.contains(.rst))
        }
    }

    func firstClose(by side: Side, atOrBefore frame: Int) -> TimelineEvent? {
        events.first { event in
            guard event.from == side, event.frame <= frame, case .segment(let flags, _) = event.kind else {
                return false
            }
            return !flags.contains(.syn) && (flags.contains(.fin) || flags.contains(.rst))
        }
    }

    func retransmissions(from side: Side, after start: Int, before end: Int) -> [TimelineEvent] {
        events.filter { event in
            guard event.from == side, event.frame > start, event.frame < end,
                case .retransmission = event.kind
            else { return false }
            return true
        }
    }

    /// The frame of `side`'s first segment with payload after `frame`. Through a buffer and
    /// without listing the segments: the rules only ask whether, or where, the first one is.
    func firstPayloadFrame(from side: Side, after frame: Int) -> Int? {
        events.withUnsafeBufferPointer { buffer in
            for index in buffer.indices where buffer[index].from == side && buffer[index].frame > frame {
                if let (_, payload) = Self.segment(buffer[index].kind), payload > 0 { return buffer[index].frame }
            }
            return nil
        }
    }

    /// A segment's flags and payload size, nil for any other event. Inlined where the kind is read
    /// from a buffer: binding an event's kind from the array copied the event.
    @inline(__always)
    static func segment(_ kind: TimelineEvent.Kind) -> (flags: TCPFlags, payload: Int)? {
        if case .segment(let flags, let payload) = kind { return (flags, payload) }
        return nil
    }

    func gaps(from side: Side? = nil, after frame: Int = Int.min) -> [TimelineEvent] {
        guard hasGap else { return [] }
        return events.filter { event in
            guard event.frame > frame, side == nil || event.from == side, case .gap = event.kind else {
                return false
            }
            return true
        }
    }

    func event(atFrame frame: Int) -> TimelineEvent? { events.first { $0.frame == frame } }

    // MARK: TLS

    var clientHelloEvent: TimelineEvent? {
        func isHello(_ event: TimelineEvent) -> Bool {
            if case .handshake(1, _, _) = event.kind { return event.from == .client }
            return false
        }
        if let frame = clientHelloFrame {
            if let event = events.first(where: { $0.frame == frame && isHello($0) }) { return event }
            if let event = event(atFrame: frame) { return event }
        }
        return events.first(where: isHello)
    }

    /// True when the TLS handshake was still unfinished at `frame`.
    func inHandshake(_ frame: Int) -> Bool {
        guard handshakeDone else { return true }
        guard let done = handshakeDoneFrame else { return false }
        return frame <= done
    }

    /// True when the capture saw how the connection began: its SYN or its ClientHello.
    var sawStart: Bool { !clientSYNs.isEmpty || clientHelloFrame != nil || synAck != nil }

    /// The last event that moved the TLS handshake forward, before it completed.
    var lastHandshakeProgress: TimelineEvent? {
        var last: TimelineEvent?
        for event in events {
            if handshakeDone, let done = handshakeDoneFrame, event.frame > done { break }
            switch event.kind {
            case .handshake, .changeCipherSpec, .encryptedRecord: last = event
            default: continue
            }
        }
        return last
    }

    /// Fatal alerts in capture order, plus encrypted alerts of unknown level sent before the
    /// handshake completed (after CCS a TLS 1.2 alert is encrypted; during the handshake it is
    /// never a polite close_notify).
    var significantAlerts: [AlertInfo] { connection.alerts.filter(isSignificant) }

    var firstSignificantAlert: AlertInfo? { connection.alerts.first(where: isSignificant) }

    private func isSignificant(_ alert: AlertInfo) -> Bool {
        switch alert.level {
        case .fatal: return true
        case .warning: return false
        case .unknown: return inHandshake(alert.frame)
        }
    }

    /// The connection's negotiated version, preferring the summary then the ServerHello.
    var version: String? { connection.version ?? connection.serverHello?.version }

    var isTLS13: Bool { version.map(TLSVersion.isTLS13) ?? false }

    /// Resumption offered, from the pipeline or, if it left `.none`, from the ClientHello itself.
    /// A TLS 1.3 client's session ID is a random compatibility value, never taken as an offer.
    var resumptionOffer: ResumptionInfo.Offered { Self.resumptionOffer(of: connection) }

    /// `resumptionOffer` without deriving the other facts (it reads no timeline).
    static func resumptionOffer(of connection: Connection) -> ResumptionInfo.Offered {
        if connection.resumption.offered != .none { return connection.resumption.offered }
        // Field by field: binding the whole hello would copy it.
        guard let psk = connection.clientHello?.psk else { return .none }
        if psk { return .psk }
        if connection.clientHello?.sessionTicket == true, let length = connection.clientHello?.sessionTicketLength,
            length > 0
        {
            return .ticket
        }
        return .none
    }

    func time(ofFrame frame: Int?) -> Timestamp? {
        guard let frame else { return nil }
        return event(atFrame: frame)?.time
    }
}

/// Which of the two sides, without a hashed set.
struct SideSet {
    private var client = false
    private var server = false

    mutating func insert(_ side: Side) {
        if side == .client { client = true } else { server = true }
    }

    func contains(_ side: Side) -> Bool { side == .client ? client : server }

    var count: Int { (client ? 1 : 0) + (server ? 1 : 0) }

    /// The only member when there is one; with both, the client (callers check `count` first).
    var first: Side? { client ? .client : (server ? .server : nil) }
}

/// TLS version names as the pipeline writes them ("TLS 1.2", "SSL 3.0").
enum TLSVersion {
    static func isTLS13(_ name: String) -> Bool { name.hasPrefix("TLS 1.3") }

    /// Orders names for "older/newer" wording; unknown names sort lowest.
    static func rank(_ name: String) -> Int {
        if name.hasPrefix("TLS 1.3") { return 4 }
        switch name {
        case "TLS 1.2": return 3
        case "TLS 1.1": return 2
        case "TLS 1.0": return 1
        case "SSL 3.0": return 0
        case "SSL 2.0": return -1
        default: return -2
        }
    }

    /// What the client offered: supported_versions when present, else legacy_version and below.
    static func offered(by hello: ClientHelloInfo) -> [String] {
        if !hello.supportedVersions.isEmpty {
            return hello.supportedVersions.filter { $0 != "GREASE" }
        }
        return hello.legacyVersion.isEmpty ? [] : [hello.legacyVersion]
    }
}
