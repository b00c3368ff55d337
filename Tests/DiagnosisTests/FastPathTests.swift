import TLSFlowModel
import Testing

@testable import Diagnosis

/// The shortcuts the diagnoser takes for speed answer exactly as the general paths do.
@Suite struct FastPathTests {
    /// A rule outside the default set, so that the diagnoser takes its general path.
    struct SilentRule: DiagnosisRule {
        static let codes: [String] = []
        func evaluate(_ connection: Connection, context: DiagnosisContext) -> [Finding] { [] }
    }

    static func samples() -> [ConnectionBuilder] {
        var stalled = ConnectionBuilder()
        stalled.tcpHandshake()
        stalled.clientHello()
        stalled.retransmit(.client, bytes: 521, after: 200)
        stalled.fin(.client, after: 2600)
        stalled.rst(.server, after: 2000)

        var mismatch = ConnectionBuilder()
        mismatch.tcpHandshake()
        mismatch.clientHello(versions: ["TLS 1.3"])
        mismatch.alert(.server, .fatal, "protocol_version", code: 70)
        mismatch.fin(.server)

        var refused = ConnectionBuilder(serverPort: 8443)
        refused.syn()
        refused.rst(.server)

        // A cause that the diagnoser knows before the symptom rules run, with symptoms after it
        // (folded, worded only in summary), before it (kept whole) and answering a close.
        var noCipherThenReset = ConnectionBuilder()
        noCipherThenReset.tcpHandshake()
        noCipherThenReset.clientHello(versions: ["TLS 1.2"], suites: ["TLS_RSA_WITH_RC4_128_SHA"])
        noCipherThenReset.alert(.server, .fatal, "handshake_failure", code: 40)
        noCipherThenReset.rst(.server)

        var mismatchThenClientAlertAndFIN = ConnectionBuilder()
        mismatchThenClientAlertAndFIN.tcpHandshake()
        mismatchThenClientAlertAndFIN.clientHello(versions: ["TLS 1.3"])
        mismatchThenClientAlertAndFIN.alert(.server, .fatal, "protocol_version", code: 70)
        mismatchThenClientAlertAndFIN.alert(.client, .fatal, "decode_error", code: 50)
        mismatchThenClientAlertAndFIN.fin(.client)
        mismatchThenClientAlertAndFIN.rst(.server)

        var resetBeforeCause = ConnectionBuilder()
        resetBeforeCause.tcpHandshake()
        resetBeforeCause.clientHello(versions: ["TLS 1.3"])
        resetBeforeCause.rst(.client)
        resetBeforeCause.alert(.server, .fatal, "protocol_version", code: 70)

        var certificateThenReset = ConnectionBuilder()
        certificateThenReset.tcpHandshake()
        certificateThenReset.clientHello()
        certificateThenReset.serverFlight12()
        certificateThenReset.alert(.client, .fatal, "unknown_ca", code: 48)
        certificateThenReset.rst(.client)
        certificateThenReset.connection.findings = [
            Finding(
                code: "cert.untrusted_root", severity: .error, side: .server, summary: "untrusted", detail: "d",
                fix: "f", frames: [certificateThenReset.connection.serverHello?.frame ?? 0])
        ]

        return [
            ConnectionBuilder.healthy12(), ConnectionBuilder.healthy13(), stalled, mismatch, refused,
            noCipherThenReset, mismatchThenClientAlertAndFIN, resetBeforeCause, certificateThenReset,
        ]
    }

    @Test func defaultRulesRunDirectlyAsTheGeneralPathRunsThem() {
        let general = Diagnoser(rules: Diagnoser.defaultRules + [SilentRule()])
        var folded: [String] = []
        defer { #expect(Set(folded).isSuperset(of: ["handshake.reset", "handshake.alert", "handshake.closed"])) }
        for builder in Self.samples() {
            let direct = builder.diagnosed(captureEndAfter: 60_000)
            var other = builder.connection
            general.diagnose(&other, context: builder.context(captureEndAfter: 60_000))
            #expect(direct.findings == other.findings)
            #expect(!direct.findings.contains { $0.detail.isEmpty || $0.fix.isEmpty })
            folded += direct.findings.flatMap(\.consequences).map { String($0.prefix { $0 != ":" }) }
            #expect(direct.status == other.status)
            #expect(direct.timing == other.timing)
        }
    }

    @Test func byteSearchAgreesWithStringSearch() {
        let names = [
            "TLS_EMPTY_RENEGOTIATION_INFO_SCSV", "GREASE", "grease", "TLS_AES_128_GCM_SHA256", "0x1234", "", "SCS",
            "xGrEaSe", "ſcsv", "GREAſE", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        ]
        for name in names {
            #expect(ASCIIText.contains(name, "SCSV") == name.contains("SCSV"), "\(name)")
            #expect(
                ASCIIText.contains(name, "GREASE", ignoringCase: true) == name.uppercased().contains("GREASE"),
                "\(name)")
            #expect(ASCIIText.contains(name, "RSA_WITH") == name.contains("RSA_WITH"), "\(name)")
        }
    }

    /// Ordering by sorted positions gives what sorting the findings themselves gave (the
    /// previous implementation, kept here as the reference), on random lists.
    @Test func orderingMatchesSortingTheFindings() {
        func reference(_ findings: [Finding], handshakeComplete: Bool) -> [Finding] {
            guard findings.count > 1 else { return findings }
            func before(_ a: Finding, _ b: Finding) -> Bool {
                if a.severity != b.severity { return a.severity > b.severity }
                let (ra, rb) = (CauseOrdering.rank(a), CauseOrdering.rank(b))
                if ra != rb { return ra < rb }
                return CauseOrdering.trigger(a) < CauseOrdering.trigger(b)
            }
            func stableSorted(_ items: [Finding]) -> [Finding] {
                var sorted = items
                var index = 1
                while index < sorted.count {
                    var position = index
                    while position > 0 && before(items[index], sorted[position - 1]) { position -= 1 }
                    if position != index { sorted.insert(sorted.remove(at: index), at: position) }
                    index += 1
                }
                return sorted
            }
            var sorted = stableSorted(findings)
            guard sorted[0].severity == .error else { return sorted }
            var headline = sorted[0]
            var rest: [Finding] = []
            for finding in sorted.dropFirst() {
                if CauseOrdering.canFollow(finding.code, headline: headline.code, handshakeComplete: handshakeComplete)
                    && CauseOrdering.trigger(finding) >= CauseOrdering.trigger(headline)
                {
                    headline.consequences.append("\(finding.code): \(finding.summary)")
                } else {
                    rest.append(finding)
                }
            }
            sorted = [headline] + stableSorted(rest)
            return sorted
        }
        let codes = [
            "cert.untrusted_root", "handshake.reset", "handshake.closed", "handshake.alert", "handshake.stalled",
            "handshake.version_mismatch", "capture.gap", "data.one_way", "resumption.aborted", "tcp.refused",
        ]
        var generator = SystemRandomNumberGenerator()
        for round in 0..<2_000 {
            let findings = (0..<Int.random(in: 0...6, using: &generator)).map { index in
                Finding(
                    code: codes.randomElement(using: &generator)!,
                    severity: Finding.Severity.allCases.randomElement(using: &generator)!, side: nil,
                    summary: "s\(index)", detail: "", fix: "",
                    frames: Bool.random(using: &generator) ? [] : [Int.random(in: 1...5, using: &generator)])
            }
            let complete = round % 2 == 0
            #expect(
                CauseOrdering.order(findings, handshakeComplete: complete)
                    == reference(findings, handshakeComplete: complete))
        }
    }

    @Test func orderingIsStableForEqualFindings() {
        func finding(_ code: String, _ severity: Finding.Severity, _ frame: Int, _ tag: String) -> Finding {
            Finding(code: code, severity: severity, side: nil, summary: tag, detail: "", fix: "", frames: [frame])
        }
        let findings = [
            finding("capture.gap", .info, 1, "a"), finding("data.one_way", .warning, 5, "b"),
            finding("data.one_way", .warning, 5, "c"), finding("cert.expired", .warning, 9, "d"),
            finding("data.one_way", .warning, 2, "e"), finding("capture.gap", .info, 1, "f"),
        ]
        let ordered = CauseOrdering.order(findings, handshakeComplete: true)
        #expect(ordered.map(\.summary) == ["d", "e", "b", "c", "a", "f"])
    }
}
