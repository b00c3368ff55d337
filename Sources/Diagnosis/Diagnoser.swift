import TLSFlowModel

public struct DiagnosisContext: Sendable {
    /// When the capture (not this connection) ended: silence is measured up to here.
    public var captureEnd: Timestamp
    /// Seconds without handshake progress after which a handshake counts as stalled.
    public var handshakeTimeout: Double
    /// Seconds of one-way silence after which an open connection counts as idle.
    public var idleTimeout: Double

    public init(captureEnd: Timestamp, handshakeTimeout: Double = 10, idleTimeout: Double = 10) {
        self.captureEnd = captureEnd
        self.handshakeTimeout = handshakeTimeout
        self.idleTimeout = idleTimeout
    }
}

/// One small, separately tested check over a connection.
///
/// Convention for the findings a rule returns: `frames[0]` is the frame of the event the finding
/// is about (its trigger: the SYN, the ClientHello left unanswered, the RST, the alert); the
/// remaining frames are the supporting evidence in ascending order. The diagnoser orders
/// causes before consequences by that trigger.
public protocol DiagnosisRule: Sendable {
    static var codes: [String] { get }
    func evaluate(_ connection: Connection, context: DiagnosisContext) -> [Finding]
}

public struct Diagnoser: Sendable {
    public static let defaultRules: [any DiagnosisRule] = [
        NoAnswerRule(), RefusedRule(),
        StalledRule(), ResetRule(), ClosedRule(),
        VersionMismatchRule(), NoSharedCipherRule(), HandshakeAlertRule(),
        ResumptionAbortedRule(), OneWayDataRule(), EncryptedAlertRule(),
        CaptureGapRule(), MalformedRule(),
    ]

    public let rules: [any DiagnosisRule]

    public init(rules: [any DiagnosisRule] = Diagnoser.defaultRules) {
        self.rules = rules
    }

    /// Every code the configured rules can emit.
    public var codes: [String] { rules.flatMap { type(of: $0).codes } }

    /// Fills `timing` where it is missing, appends the rules' findings to those already present
    /// (the certificate audit's), orders them headline first (errors, then warnings, then info),
    /// moves what merely followed the headline into its `consequences` and sets `status`.
    /// Call once per connection.
    public func diagnose(_ connection: inout Connection, context: DiagnosisContext) {
        connection.timing = TimingCalculator.fill(connection.timing, for: connection)
        // Built-in rules share one set of derived facts instead of re-deriving them each.
        let facts = ConnectionFacts(connection)
        var findings = connection.findings
        for rule in rules {
            if let rule = rule as? any FactsRule {
                findings += rule.evaluate(facts, context: context)
            } else {
                findings += rule.evaluate(connection, context: context)
            }
        }
        connection.findings = CauseOrdering.order(findings, handshakeComplete: facts.handshakeDone)
        connection.status = Self.status(of: connection, context: context)
    }

    static func status(of connection: Connection, context: DiagnosisContext) -> ConnectionStatus {
        let severities = Set(connection.findings.map(\.severity))
        if severities.contains(.error) { return .failed }
        if severities.contains(.warning) { return .warning }
        return CaptureCompleteness.supportsVerdict(connection, context: context) ? .ok : .incomplete
    }
}

/// A built-in rule that can read facts the diagnoser derived once for all rules.
protocol FactsRule: DiagnosisRule {
    func evaluate(_ facts: ConnectionFacts, context: DiagnosisContext) -> [Finding]
}

extension NoAnswerRule: FactsRule {}
extension RefusedRule: FactsRule {}
extension StalledRule: FactsRule {}
extension ResetRule: FactsRule {}
extension ClosedRule: FactsRule {}
extension VersionMismatchRule: FactsRule {}
extension NoSharedCipherRule: FactsRule {}
extension HandshakeAlertRule: FactsRule {}
extension ResumptionAbortedRule: FactsRule {}
extension OneWayDataRule: FactsRule {}
extension EncryptedAlertRule: FactsRule {}
extension CaptureGapRule: FactsRule {}
extension MalformedRule: FactsRule {}

/// Whether a capture holds enough of a connection to call it healthy.
enum CaptureCompleteness {
    static func supportsVerdict(_ connection: Connection, context: DiagnosisContext) -> Bool {
        let facts = ConnectionFacts(connection)
        if facts.missingDirection != nil { return false }
        // Mid-stream start: the handshake was never seen, so nothing can be vouched for.
        if connection.clientHello == nil && connection.serverHello == nil && !facts.sawStart { return false }
        if connection.clientHello == nil && connection.serverHello != nil { return false }
        if !facts.handshakeDone {
            // A gap before the handshake finished may hide the message that decides it.
            if !facts.gaps().isEmpty || connection.tcp.gaps > 0 { return false }
            // Still in progress when the capture stopped, with nothing else to go on.
            if connection.clientHello != nil && connection.tcp.end == .captureEnd { return false }
            if connection.clientHello == nil && connection.tcp.end == .captureEnd && !facts.clientSYNs.isEmpty {
                return false
            }
        }
        return true
    }
}

/// Orders findings cause first and folds what merely followed into the headline: a reset, close,
/// alert or stall that comes after the headline's trigger (and that the headline can explain)
/// is removed from the list and described in `headline.consequences` as "code: summary".
enum CauseOrdering {
    /// Codes that name a cause; everything else describes a symptom.
    static func isExplanation(_ code: String) -> Bool {
        code.hasPrefix("cert.")
            || [
                "handshake.version_mismatch", "handshake.no_shared_cipher", "resumption.aborted",
                "tls13.encrypted_alert", "tls.malformed",
            ].contains(code)
    }

    /// Symptoms that can be the consequence of an earlier cause.
    static func canFollow(_ code: String, headline: String, handshakeComplete: Bool) -> Bool {
        // A certificate problem explains a failed handshake, not what happens after a good one.
        if headline.hasPrefix("cert.") {
            return !handshakeComplete && ["handshake.reset", "handshake.closed", "handshake.alert"].contains(code)
        }
        let reactions: Set<String> = ["handshake.reset", "handshake.closed", "handshake.alert", "handshake.stalled"]
        if reactions.contains(code) { return true }
        // A resumed session that dies after the handshake, or a TLS 1.3 client whose alert was
        // counted as data, shows up as one-way data.
        return (headline == "resumption.aborted" || headline == "tls13.encrypted_alert") && code == "data.one_way"
    }

    static func rank(_ finding: Finding) -> Int {
        if finding.code == "capture.gap" { return 2 }
        return isExplanation(finding.code) ? 0 : 1
    }

    static func trigger(_ finding: Finding) -> Int { finding.frames.first ?? Int.max }

    static func order(_ findings: [Finding], handshakeComplete: Bool) -> [Finding] {
        guard !findings.isEmpty else { return findings }
        func before(_ a: Finding, _ b: Finding) -> Bool {
            if a.severity != b.severity { return a.severity > b.severity }
            if rank(a) != rank(b) { return rank(a) < rank(b) }
            return trigger(a) < trigger(b)
        }
        var sorted = stableSorted(findings, by: before)
        guard sorted[0].severity == .error else { return sorted }
        var headline = sorted[0]
        let headlineTrigger = trigger(headline)
        var rest: [Finding] = []
        for finding in sorted.dropFirst() {
            let follows =
                canFollow(finding.code, headline: headline.code, handshakeComplete: handshakeComplete)
                && trigger(finding) >= headlineTrigger
            // What merely followed is told by the headline, not repeated as a finding of its own.
            if follows {
                headline.consequences.append("\(finding.code): \(finding.summary)")
            } else {
                rest.append(finding)
            }
        }
        sorted = [headline] + stableSorted(rest, by: before)
        return sorted
    }

    private static func stableSorted(_ items: [Finding], by before: (Finding, Finding) -> Bool) -> [Finding] {
        items.enumerated().sorted { a, b in
            if before(a.element, b.element) { return true }
            if before(b.element, a.element) { return false }
            return a.offset < b.offset
        }.map(\.element)
    }
}

/// RTT, server response and think time, so "slow" can be put on the network or the server.
public enum TimingCalculator {
    public static func fill(_ timing: TimingInfo, for connection: Connection) -> TimingInfo {
        var timing = timing
        let facts = ConnectionFacts(connection)
        if timing.tcpRTTms == nil, let synAck = facts.synAck {
            // The last SYN before the SYN-ACK: earlier ones were lost and would inflate the RTT.
            if let syn = facts.clientSYNs.last(where: { $0.frame < synAck.frame }) {
                let rtt = synAck.time.milliseconds(since: syn.time)
                if rtt >= 0 { timing.tcpRTTms = rtt }
            }
        }
        if timing.serverResponseMs == nil, let hello = connection.clientHello, let server = connection.serverHello {
            let response = server.time.milliseconds(since: hello.time)
            if response >= 0 { timing.serverResponseMs = response }
        }
        if timing.serverThinkMs == nil, let response = timing.serverResponseMs, let rtt = timing.tcpRTTms {
            timing.serverThinkMs = max(0, response - rtt)
        }
        return timing
    }
}
