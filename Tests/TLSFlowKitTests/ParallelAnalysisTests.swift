import Foundation
import PacketDecoding
import Reports
import TLSFlowModel
import Testing

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
        let bundled = repoRoot.appendingPathComponent("Captures/pcaps")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: bundled.path)) ?? []
        found += names.filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }
            .map { bundled.appendingPathComponent($0).path }
        return (found + FixturePaths.captures(includeJA4: true).filter { $0.name.hasPrefix("ja4/") }.map(\.path))
            .sorted()
    }

    /// How many connections of a run the shards rendered, and how many the writer rendered.
    struct Paths {
        var rendered = 0
        var models = 0
    }

    /// The report as the CLI writes it. `rendered`: as `tlsflow --format json|jsonl` does, the
    /// shards render connections and the writer only puts their ids in front.
    static func json(
        _ path: String, threads: Int, rendered: Bool = false, jsonLines: Bool = false,
        paths: UnsafeMutablePointer<Paths>? = nil
    ) throws -> String {
        var options = AnalysisOptions()
        options.threads = threads
        options.now = Timestamp(seconds: 1_750_000_000, nanoseconds: 0)
        let session = try AnalysisSession(options: options)
        var text = ""
        var writer = JSONReportWriter(pretty: false, jsonLines: jsonLines) { text += $0 }
        writer.begin(version: "test")
        var started = false
        // The capture's header, as the CLI takes it: the rendered path renders with its timestamp
        // precision.
        var header = CaptureReport(file: path, format: "")
        func start() {
            if !started {
                writer.beginCapture(header)
                started = true
            }
        }
        let emitRendered: ((PrerenderedConnection) -> Void)? =
            rendered
            ? { connection in
                start()
                writer.connection(connection.json, id: connection.id)
                paths?.pointee.rendered += 1
            } : nil
        let report = try session.analyze(
            path: path, start: { header = $0 }, emitRendered: emitRendered
        ) { connection in
            start()
            writer.connection(connection)
            paths?.pointee.models += 1
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

    /// Shards render the connections (compact JSON and JSON Lines, as the CLI does) and the
    /// output is still the single-threaded one, summary included. resumption-aborted.pcap has
    /// resumed connections linked to their issuers, which the merger writes itself.
    @Test(arguments: [(2, false), (2, true), (3, false)])
    func renderedOutputEqualsSingleThreaded(threads: Int, jsonLines: Bool) throws {
        var total = Paths()
        for path in Self.captures() {
            let single = try Self.json(path, threads: 1, jsonLines: jsonLines)
            var paths = Paths()
            let sharded = try Self.json(path, threads: threads, rendered: true, jsonLines: jsonLines, paths: &paths)
            #expect(single == sharded, "\(path) with \(threads) threads")
            if path.hasSuffix("resumption-aborted.pcap") {
                #expect(paths.models >= 3, "the linked connections are written by the merger")
                #expect(sharded.contains("The session was issued by connection #1 in this capture."))
            }
            total.rendered += paths.rendered
            total.models += paths.models
        }
        #expect(total.rendered > 10 * total.models)
    }

    /// Thousands of connections still open when the capture ends are finished after the last
    /// frame; the shards hand them over in batches and the merger interleaves them by creation
    /// order, so none is held back and the numbering is the single-threaded one.
    @Test func connectionsOpenAtCaptureEndMergeInOrder() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tlsflow-synflood-\(getpid()).pcap")
        defer { try? FileManager.default.removeItem(at: path) }
        // More than a shard's hand-over batch (256) per shard.
        try Self.synFlood(count: 1_200).write(to: path)
        let single = try Self.json(path.path, threads: 1)
        #expect(single == (try Self.json(path.path, threads: 2)))
        #expect(single == (try Self.json(path.path, threads: 3)))
        #expect(single.components(separatedBy: "\"server\":{\"ip\":\"10.0.0.1\",\"port\":443}").count == 1_201)
        #expect(single.contains("\"id\":1200,"))
    }

    /// A pcap of `count` SYN-only IPv4 connections to port 443, one per millisecond.
    static func synFlood(count: Int) -> Data {
        var data = Data()
        func le32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        func le16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        le32(0xa1b2_c3d4)
        le16(2)
        le16(4)
        le32(0)
        le32(0)
        le32(65535)
        le32(1)
        for index in 0..<count {
            var frame: [UInt8] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00]
            let port = UInt16(1024 + index % 60_000)
            let host = UInt8(index / 60_000 + 2)
            frame += [0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0, 10, 0, 1, host, 10, 0, 0, 1]
            frame += [
                UInt8(port >> 8), UInt8(port & 0xff), 0x01, 0xbb, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0,
                0, 0,
            ]
            le32(UInt32(1_700_000_000 + index / 1000))
            le32(UInt32(index % 1000 * 1000))
            le32(UInt32(frame.count))
            le32(UInt32(frame.count))
            data.append(contentsOf: frame)
        }
        return data
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
        // IPv6, and many clients talking to one server port (the span-port case).
        perShard = [0, 0, 0]
        for client in UInt64(1)...300 {
            let server = IPAddress.v6(0x2001_0db8_0000_0000, 1)
            let host = IPAddress.v6(0x2001_0db8_0000_0001, client)
            let (forward, _) = FlowKey.make(source: host, sourcePort: 50000, destination: server, destinationPort: 443)
            let (backward, _) = FlowKey.make(source: server, sourcePort: 443, destination: host, destinationPort: 50000)
            let owners = roles.filter { $0.owns(forward) }
            #expect(owners.count == 1)
            #expect(owners.first?.owns(backward) == true)
            if let owner = owners.first { perShard[owner.index] += 1 }
        }
        #expect(perShard.allSatisfy { $0 > 50 })
    }
}
