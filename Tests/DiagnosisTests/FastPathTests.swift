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

        return [ConnectionBuilder.healthy12(), ConnectionBuilder.healthy13(), stalled, mismatch, refused]
    }

    @Test func defaultRulesRunDirectlyAsTheGeneralPathRunsThem() {
        let general = Diagnoser(rules: Diagnoser.defaultRules + [SilentRule()])
        for builder in Self.samples() {
            let direct = builder.diagnosed(captureEndAfter: 60_000)
            var other = builder.connection
            general.diagnose(&other, context: builder.context(captureEndAfter: 60_000))
            #expect(direct.findings == other.findings)
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
