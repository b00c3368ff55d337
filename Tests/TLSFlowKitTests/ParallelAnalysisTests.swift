import Foundation
import Reports
import Testing
import TLSFlowModel

@testable import TLSFlowKit

/// The sharded analysis must produce exactly the single-threaded output: same connections, same
/// order and numbering, same findings and patterns.
struct ParallelAnalysisTests {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let publicCaptures = repoRoot.appendingPathComponent("Tests/PublicCaptures")

    /// Every public capture, so the comparison covers resumption links, alerts, STARTTLS,
    /// fragments, several link types and pcapng.
    static func captures() -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: publicCaptures.path) else { return [] }
        var found: [String] = []
        while let relative = walker.nextObject() as? String {
            let ext = (relative as NSString).pathExtension.lowercased()
            if ext == "pcap" || ext == "pcapng" { found.append(publicCaptures.appendingPathComponent(relative).path) }
        }
        return (found + FixturePaths.captures(includeJA4: true).filter { $0.name.hasPrefix("ja4/") }.map(\.path)).sorted()
    }

    static func json(_ path: String, threads: Int) throws -> String {
        var options = AnalysisOptions()
        options.threads = threads
        options.now = Timestamp(seconds: 1_750_000_000, nanoseconds: 0)
        let session = try AnalysisSession(options: options)
        var text = ""
        var writer = JSONReportWriter(pretty: false) { text += $0 }
        writer.begin(version: "test")
        var started = false
        let report = try session.analyze(path: path) { connection in
            if !started {
                writer.beginCapture(CaptureReport(file: path, format: ""))
                started = true
            }
            writer.connection(connection)
        }
        if !started { writer.beginCapture(report) }
        writer.endCapture(report)
        writer.end(summary: session.summary)
        return text
    }

    @Test func publicCapturesAreAvailable() {
        #expect(Self.captures().count >= 10)
    }

    @Test(arguments: [2, 3])
    func shardedOutputEqualsSingleThreaded(threads: Int) throws {
        var compared = 0
        for path in Self.captures() {
            let single = try Self.json(path, threads: 1)
            let sharded = try Self.json(path, threads: threads)
            #expect(single == sharded, "\(path) with \(threads) threads")
            #expect(single.contains("\"connections\""))
            compared += 1
        }
        #expect(compared >= 10)
    }

    @Test func shardsSplitFlowsAndAgreeOnOwner() {
        let channel = ShardChannel(shards: 3)
        let roles = (0..<3).map { ShardRole(index: $0, count: 3, channel: channel) }
        var perShard = [0, 0, 0]
        for port in UInt16(1000)..<UInt16(1300) {
            let (forward, _) = FlowKey.make(
                source: .v4(0x0a00_0001), sourcePort: port, destination: .v4(0x0a00_0002), destinationPort: 443)
            let (backward, _) = FlowKey.make(
                source: .v4(0x0a00_0002), sourcePort: 443, destination: .v4(0x0a00_0001), destinationPort: port)
            let owners = roles.filter { $0.owns(forward) }
            #expect(owners.count == 1)
            #expect(owners.first?.owns(backward) == true)
            if let owner = owners.first { perShard[owner.index] += 1 }
        }
        // Each shard gets a fair part of 300 flows.
        #expect(perShard.allSatisfy { $0 > 50 })
    }
}
