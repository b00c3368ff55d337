import Foundation
import TLSFlowKit
import TLSFlowModel
import Testing

/// Cross-check against an independent oracle (issue 2): every ClientHello, ServerHello, alert and
/// certificate tshark 4.0.17 dissects in the public captures, compared value by value with what
/// tlsflow reports. See docs/oracle.md for the figures and the differences explained below.
@Suite struct OracleTests {
    static func analyze(_ path: String, keyLog: String? = nil) throws -> [Connection] {
        var options = AnalysisOptions()
        options.keyLogFiles = keyLog.map { [$0] } ?? []
        options.now = Timestamp(seconds: 1_767_225_600, nanoseconds: 0)  // 2026-01-01T00:00:00Z
        options.useSystemRoots = false
        options.keepTimelines = true
        let session = try AnalysisSession(options: options)
        var connections: [Connection] = []
        _ = try session.analyze(path: path) { connections.append($0) }
        return connections
    }

    static func compareAll() throws -> OracleTally {
        var tally = OracleTally()
        for (name, path) in FixturePaths.captures(includeJA4: true) {
            let directory = name.hasPrefix("ja4/") ? FixturePaths.sharedPublic : FixturePaths.publicFixtures
            let base = directory.appendingPathComponent(name).path
            var comparison = OracleComparison(capture: name, connections: try analyze(path))
            comparison.compare(
                frames: try TsharkOracle.frames(base + ".tshark.tsv"),
                certificates: try TsharkOracle.certificates(base + ".certs.tsv"))
            tally.merge(comparison.tally)
        }
        return tally
    }

    @Test func everyValueAgreesWithTsharkExceptTheDocumentedDifferences() throws {
        let captures = FixturePaths.captures(includeJA4: true)
        #expect(captures.count == FixturePaths.expectedCount, "public captures found: \(captures.count)")
        let tally = try Self.compareAll()
        print("tshark oracle agreement (\(captures.count) captures)\n" + tally.table())
        let explained = OracleKnownDifferences.tsharkLimitations.merging(
            OracleKnownDifferences.knownBugs, uniquingKeysWith: { a, _ in a })
        let found = Set(tally.differences.map(\.key))
        for difference in tally.differences where explained[difference.key] == nil {
            Issue.record("unexplained difference \(difference)")
        }
        for key in explained.keys.sorted() where !found.contains(key) {
            Issue.record("documented difference no longer occurs (remove it): \(key)")
        }
        #expect(tally.totalCompared > 1000)
    }

    /// The captures with a key log, decrypted by both: tshark's `-o tls.keylog_file` oracle
    /// against tlsflow's `--keylog` view (TLS 1.3 certificates, encrypted handshake messages).
    static let keyLogCaptures = [
        "illustrated-tls/illustrated-tls12.pcap", "illustrated-tls/illustrated-tls13.pcap",
        "zeek/tls-1.2-stream-keylog.pcap",
    ]

    @Test func decryptedValuesAgreeWithTsharkGivenTheSameKeyLog() throws {
        var tally = OracleTally()
        for name in Self.keyLogCaptures {
            let base = FixturePaths.publicFixtures.appendingPathComponent(name).path
            var comparison = OracleComparison(
                capture: name, connections: try Self.analyze(base, keyLog: base + ".keylog.txt"))
            comparison.compare(
                frames: try TsharkOracle.frames(base + ".tshark.keylog.tsv"),
                certificates: try TsharkOracle.certificates(base + ".certs.keylog.tsv"))
            tally.merge(comparison.tally)
        }
        print("tshark oracle agreement with key logs (\(Self.keyLogCaptures.count) captures)\n" + tally.table())
        for difference in tally.differences where OracleKnownDifferences.decrypted[difference.key] == nil {
            Issue.record("unexplained difference \(difference)")
        }
        let found = Set(tally.differences.map(\.key))
        for key in OracleKnownDifferences.decrypted.keys.sorted() where !found.contains(key) {
            Issue.record("documented difference no longer occurs (remove it): \(key)")
        }
        // The TLS 1.3 server certificate is only visible decrypted.
        #expect((tally.compared["certificate.serial"] ?? 0) >= 3)
    }
}
