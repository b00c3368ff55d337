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
    /// The rules, each sorted once into one that reads the shared facts or one that reads the
    /// connection: a per-connection `as?` cast showed up in profiles. nil when `rules` is the
    /// default set, which is run without existentials at all.
    private let steps: [Step]?

    private enum Step: Sendable {
        case facts(any FactsRule)
        case plain(any DiagnosisRule)
    }

    public init(rules: [any DiagnosisRule] = Diagnoser.defaultRules) {
        self.rules = rules
        // The built-in rules have no stored properties, so their types say everything.
        if Self.types(of: rules) == Self.types(of: Self.defaultRules) {
            steps = nil
        } else {
            steps = rules.map { rule in
                if let rule = rule as? any FactsRule { return .facts(rule) }
                return .plain(rule)
            }
        }
    }

    private static func types(of rules: [any DiagnosisRule]) -> [ObjectIdentifier] {
        rules.map { ObjectIdentifier(type(of: $0)) }
    }

    /// Every code the configured rules can emit.
    public var codes: [String] { rules.flatMap { type(of: $0).codes } }

    /// Fills `timing` where it is missing, appends the rules' findings to those already present
    /// (the certificate audit's), orders them headline first (errors, then warnings, then info),
    /// moves what merely followed the headline into its `consequences` and sets `status`.
    /// Call once per connection.
    public func diagnose(_ connection: inout Connection, context: DiagnosisContext) {
        guard let steps else {
            // The facts share the connection's storage: they are gone before it is written,
            // which would otherwise copy every field of it.
            let (timing, findings, status) = Self.diagnoseDefault(connection, context: context)
            connection.timing = timing
            connection.findings = findings
            connection.status = status
            return
        }
        // Built-in rules share one set of derived facts instead of re-deriving them each. The
        // facts come from the timeline, which filling in the timing leaves alone.
        let facts = ConnectionFacts(connection)
        let timing = TimingCalculator.fill(connection.timing, facts: facts)
        connection.timing = timing
        facts.timing = timing
        var findings = connection.findings
        for step in steps {
            switch step {
            case .facts(let rule): findings += rule.evaluate(facts, context: context)
            case .plain(let rule): findings += rule.evaluate(connection, context: context)
            }
        }
        connection.findings = CauseOrdering.order(findings, handshakeComplete: facts.handshakeDone)
        connection.status = Self.status(of: connection.findings, facts: facts, context: context)
    }

    /// `diagnose` with the default rules, without writing to the connection: the timing, the
    /// ordered findings and the status to store.
    @inline(never)
    private static func diagnoseDefault(_ connection: Connection, context: DiagnosisContext) -> (
        TimingInfo, [Finding], ConnectionStatus
    ) {
        let facts = ConnectionFacts(connection)
        let timing = TimingCalculator.fill(connection.timing, facts: facts)
        facts.timing = timing
        var findings = connection.findings
        runDefaultRules(facts, context: context, into: &findings)
        findings = CauseOrdering.order(findings, handshakeComplete: facts.handshakeDone)
        let status = status(of: findings, facts: facts, context: context)
        return (timing, findings, status)
    }

    /// `defaultRules`, called directly; their findings are appended in the rules' order.
    ///
    /// The rules that name a cause run first: when one of them (or the audit) makes an error,
    /// the headline is known before the symptom rules run, and a symptom that `CauseOrdering`
    /// will fold into it is only summarised (see `ConnectionFacts.isFolded`).
    private static func runDefaultRules(
        _ facts: ConnectionFacts, context: DiagnosisContext, into findings: inout [Finding]
    ) {
        // Most rules find nothing: appending their empty arrays still cost a call each.
        func add(_ new: [Finding]) {
            if !new.isEmpty { findings.append(contentsOf: new) }
        }
        let versionMismatch = VersionMismatchRule().evaluate(facts, context: context)
        let noSharedCipher = NoSharedCipherRule().evaluate(facts, context: context)
        let resumptionAborted = ResumptionAbortedRule().evaluate(facts, context: context)
        let encryptedAlert = EncryptedAlertRule().evaluate(facts, context: context)
        let malformed = MalformedRule().evaluate(facts, context: context)
        // In the order they take in the list below: ties are broken by position.
        var headline = CauseOrdering.CertainHeadline()
        headline.consider(findings)
        headline.consider(versionMismatch)
        headline.consider(noSharedCipher)
        headline.consider(resumptionAborted)
        headline.consider(encryptedAlert)
        headline.consider(malformed)
        facts.foldTarget = headline.found
        add(NoAnswerRule().evaluate(facts, context: context))
        add(RefusedRule().evaluate(facts, context: context))
        add(StalledRule().evaluate(facts, context: context))
        add(ResetRule().evaluate(facts, context: context))
        add(ClosedRule().evaluate(facts, context: context))
        add(versionMismatch)
        add(noSharedCipher)
        add(HandshakeAlertRule().evaluate(facts, context: context))
        add(resumptionAborted)
        add(OneWayDataRule().evaluate(facts, context: context))
        add(encryptedAlert)
        add(CaptureGapRule().evaluate(facts, context: context))
        add(malformed)
    }

    static func status(of connection: Connection, context: DiagnosisContext) -> ConnectionStatus {
        status(of: connection.findings, facts: ConnectionFacts(connection), context: context)
    }

    static func status(of findings: [Finding], facts: ConnectionFacts, context: DiagnosisContext)
        -> ConnectionStatus
    {
        var warning = false
        for finding in findings {
            if finding.severity == .error { return .failed }
            if finding.severity == .warning { warning = true }
        }
        if warning { return .warning }
        return CaptureCompleteness.supportsVerdict(facts, context: context) ? .ok : .incomplete
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
        supportsVerdict(ConnectionFacts(connection), context: context)
    }

    static func supportsVerdict(_ facts: ConnectionFacts, context: DiagnosisContext) -> Bool {
        let connection = facts.connection
        if facts.missingDirection != nil { return false }
        // Mid-stream start: the handshake was never seen, so nothing can be vouched for.
        let hasClientHello = facts.clientHelloFrame != nil
        let hasServerHello = facts.serverHelloFrame != nil
        if !hasClientHello && !hasServerHello && !facts.sawStart { return false }
        if !hasClientHello && hasServerHello { return false }
        if !facts.handshakeDone {
            // A gap before the handshake finished may hide the message that decides it.
            if !facts.gaps().isEmpty || connection.tcp.gaps > 0 { return false }
            // Still in progress when the capture stopped, with nothing else to go on.
            if hasClientHello && connection.tcp.end == .captureEnd { return false }
            if !hasClientHello && connection.tcp.end == .captureEnd && !facts.clientSYNs.isEmpty {
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
        if code.hasPrefix("cert.") { return true }
        switch code {
        case "handshake.version_mismatch", "handshake.no_shared_cipher", "resumption.aborted",
            "tls13.encrypted_alert", "tls.malformed":
            return true
        default: return false
        }
    }

    /// Symptoms that can be the consequence of an earlier cause.
    static func canFollow(_ code: String, headline: String, handshakeComplete: Bool) -> Bool {
        // A certificate problem explains a failed handshake, not what happens after a good one.
        switch code {
        case "handshake.reset", "handshake.closed", "handshake.alert":
            return !headline.hasPrefix("cert.") || !handshakeComplete
        case "handshake.stalled":
            return !headline.hasPrefix("cert.")
        default:
            if headline.hasPrefix("cert.") { return false }
        }
        // A resumed session that dies after the handshake, or a TLS 1.3 client whose alert was
        // counted as data, shows up as one-way data.
        return (headline == "resumption.aborted" || headline == "tls13.encrypted_alert") && code == "data.one_way"
    }

    /// The headline `order` will pick, when it is certain before the symptoms are known: an error
    /// that names a cause outranks every symptom, so the first such error with the earliest
    /// trigger heads the list whatever the symptom rules add. Findings are considered in list
    /// order.
    struct CertainHeadline {
        private(set) var found: (code: String, trigger: Int)?

        /// Inlined: most rules find nothing, and a call per empty list showed in profiles.
        @inline(__always)
        mutating func consider(_ findings: [Finding]) {
            guard !findings.isEmpty else { return }
            for finding in findings where finding.severity == .error && rank(finding) == 0 {
                let trigger = CauseOrdering.trigger(finding)
                if let found, found.trigger <= trigger { continue }
                found = (finding.code, trigger)
            }
        }
    }

    static func rank(_ finding: Finding) -> Int {
        if finding.code == "capture.gap" { return 2 }
        return isExplanation(finding.code) ? 0 : 1
    }

    static func trigger(_ finding: Finding) -> Int { finding.frames.first ?? Int.max }

    static func order(_ findings: [Finding], handshakeComplete: Bool) -> [Finding] {
        // One finding is already in order, and has nothing to fold into it.
        guard findings.count > 1 else { return findings }
        let sorted = stableOrder(findings)
        guard findings[sorted[0]].severity == .error else { return sorted.map { findings[$0] } }
        var headline = findings[sorted[0]]
        let headlineTrigger = trigger(headline)
        var ordered: [Finding] = []
        ordered.reserveCapacity(sorted.count)
        ordered.append(headline)
        for index in sorted.dropFirst() {
            let finding = findings[index]
            let follows =
                canFollow(finding.code, headline: headline.code, handshakeComplete: handshakeComplete)
                && trigger(finding) >= headlineTrigger
            // What merely followed is told by the headline, not repeated as a finding of its own.
            if follows {
                headline.consequences.append(.text("\(finding.code): \(finding.summary)"))
            } else {
                // Still in order: the rest of a sorted list is sorted.
                ordered.append(finding)
            }
        }
        ordered[0] = headline
        return ordered
    }

    /// Positions of `findings` sorted by severity (highest first), rank, then trigger; equal ones
    /// keep their order. Insertion sort over keys made once per finding (the rank compares
    /// strings): a connection has a handful of findings, and sorting the findings themselves
    /// moved (retained) every field of them at each step.
    private static func stableOrder(_ findings: [Finding]) -> [Int] {
        let keys = findings.map { (severity: $0.severity, rank: rank($0), trigger: trigger($0)) }
        func before(_ a: Int, _ b: Int) -> Bool {
            if keys[a].severity != keys[b].severity { return keys[a].severity > keys[b].severity }
            if keys[a].rank != keys[b].rank { return keys[a].rank < keys[b].rank }
            return keys[a].trigger < keys[b].trigger
        }
        var sorted = Array(findings.indices)
        for index in 1..<sorted.count {
            var position = index
            // Moves only past elements that must come after: equal ones keep their order.
            while position > 0 && before(index, sorted[position - 1]) { position -= 1 }
            if position != index {
                sorted.remove(at: index)
                sorted.insert(index, at: position)
            }
        }
        return sorted
    }
}

/// RTT, server response and think time, so "slow" can be put on the network or the server.
public enum TimingCalculator {
    public static func fill(_ timing: TimingInfo, for connection: Connection) -> TimingInfo {
        fill(timing, facts: ConnectionFacts(connection))
    }

    static func fill(_ timing: TimingInfo, facts: ConnectionFacts) -> TimingInfo {
        var timing = timing
        let connection = facts.connection
        if timing.tcpRTTms == nil, let synAck = facts.synAck {
            // The last SYN before the SYN-ACK: earlier ones were lost and would inflate the RTT.
            if let syn = facts.clientSYNs.last(where: { $0.frame < synAck.frame }) {
                let rtt = synAck.time.milliseconds(since: syn.time)
                if rtt >= 0 { timing.tcpRTTms = rtt }
            }
        }
        if timing.serverResponseMs == nil, let helloTime = connection.clientHello?.time,
            let serverTime = connection.serverHello?.time
        {
            let response = serverTime.milliseconds(since: helloTime)
            if response >= 0 { timing.serverResponseMs = response }
        }
        if timing.serverThinkMs == nil, let response = timing.serverResponseMs, let rtt = timing.tcpRTTms {
            timing.serverThinkMs = max(0, response - rtt)
        }
        return timing
    }
}
