import Foundation
import Reports
import TLSFlowKit
import TLSFlowModel
import Testing

/// Compares the whole JSON output for every bundled capture with its golden
/// `Captures/pcaps/NAME.expected.json`, so that any change in what tlsflow reports is seen in review.
/// Regenerate after an intended change with `TLSFLOW_UPDATE_GOLDEN=1 swift test --filter GoldenOutputTests`
/// and read the diff.
@Suite struct GoldenOutputTests {
    static let repoRoot = CaptureCasesTests.repoRoot
    static let pcaps = repoRoot.appendingPathComponent("Captures/pcaps")

    static func captureFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: pcaps.path)
            .filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted()
    }

    static func render(_ name: String) throws -> String {
        let session = try CaptureCasesTests.session()
        var writer: JSONReportWriter?
        var output = ""
        writer = JSONReportWriter(pretty: true) { output += $0 }
        writer?.begin(version: "0.1.0")
        var started = false
        var summary = RunSummary()
        let report = try CaptureAnalyzer.analyze(
            path: pcaps.appendingPathComponent(name).path, displayName: "Captures/pcaps/\(name)",
            options: session.options, auditor: session.auditor,
            start: { header in
                writer?.beginCapture(header)
                started = true
            }
        ) { connection in
            summary.add(connection)
            writer?.connection(connection)
        }
        if !started { writer?.beginCapture(report) }
        writer?.endCapture(report)
        writer?.end(summary: summary)
        // Paths the report quotes (the trust store's file) depend on where the clone is.
        return output.replacingOccurrences(of: repoRoot.path + "/", with: "")
    }

    @Test(arguments: try captureFiles())
    func outputMatchesGolden(_ name: String) throws {
        let golden = Self.pcaps.appendingPathComponent(
            (name as NSString).deletingPathExtension + ".expected.json")
        let actual = try Self.render(name)
        if ProcessInfo.processInfo.environment["TLSFLOW_UPDATE_GOLDEN"] == "1" {
            try actual.write(to: golden, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        if actual != expected {
            let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let line = (0..<min(a.count, e.count)).first { a[$0] != e[$0] } ?? min(a.count, e.count)
            let got = line < a.count ? String(a[line]) : "<end>"
            let want = line < e.count ? String(e[line]) : "<end>"
            Issue.record("\(name): first difference at line \(line + 1):\n  golden: \(want)\n  now:    \(got)")
        }
    }
}
