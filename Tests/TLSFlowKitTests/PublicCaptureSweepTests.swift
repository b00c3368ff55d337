import Foundation
import TLSFlowKit
import TLSFlowModel
import Testing

/// Every public capture (the copied ones and ja4/ from the shared directory) is analysed to the
/// end, every connection's frames lie inside the capture, and the frame count is the one
/// `capinfos -c` reported (recorded in Fixtures/public/frame-counts.tsv, since CI has no tshark).
@Suite struct PublicCaptureSweepTests {
    static let frameCounts: [String: Int] = {
        let path = FixturePaths.publicFixtures.appendingPathComponent("frame-counts.tsv").path
        var counts: [String: Int] = [:]
        for row in (try? TsharkOracle.readTable(path)) ?? [] {
            if let file = row["file"], let frames = Int(row["frames"] ?? "") { counts[file] = frames }
        }
        return counts
    }()

    static let captureNames = FixturePaths.captures(includeJA4: true).map(\.name)

    @Test func everyCaptureHasARecordedFrameCount() {
        #expect(Self.captureNames.count == FixturePaths.expectedCount)
        let recorded = Self.frameCounts.keys.filter { FixturePaths.ja4Present || !$0.hasPrefix("ja4/") }
        #expect(Set(Self.captureNames) == Set(recorded))
    }

    /// The recorded counts are consistent with tshark's oracle: no TLS frame beyond the count.
    @Test func recordedFrameCountsCoverEveryFrameTsharkDissected() throws {
        for (name, _) in FixturePaths.captures(includeJA4: true) {
            let directory = name.hasPrefix("ja4/") ? FixturePaths.sharedPublic : FixturePaths.publicFixtures
            let rows = try TsharkOracle.readTable(directory.appendingPathComponent(name).path + ".tshark.tsv")
            let highest = rows.compactMap { Int($0["frame.number"] ?? "") }.max() ?? 0
            let recorded = try #require(Self.frameCounts[name])
            #expect(highest <= recorded, "\(name): tshark frame \(highest) beyond the recorded \(recorded)")
            #expect(highest > 0, "\(name): no TLS frame in tshark's oracle")
        }
    }

    @Test(arguments: captureNames)
    func analysisCompletesWithFramesInsideTheCapture(name: String) throws {
        let path = try #require(FixturePaths.captures(includeJA4: true).first { $0.name == name }?.path)
        var options = AnalysisOptions()
        options.now = Timestamp(seconds: 1_767_225_600, nanoseconds: 0)
        options.useSystemRoots = false
        let session = try AnalysisSession(options: options)
        var emitted: [Connection] = []
        let report = try session.analyze(path: path) { emitted.append($0) }
        let expected = try #require(Self.frameCounts[name])
        #expect(report.packets == expected, "\(name): tlsflow read \(report.packets) frames, capinfos \(expected)")
        #expect(!emitted.isEmpty, "\(name): no TLS connection reported")
        for connection in emitted {
            #expect(1 <= connection.firstFrame && connection.firstFrame <= connection.lastFrame)
            #expect(connection.lastFrame <= report.packets, "\(name) connection \(connection.id)")
            let frames =
                [
                    connection.clientHello?.frame, connection.serverHello?.frame, connection.serverCertificateFrame,
                    connection.clientCertificateFrame, connection.handshakeCompleteFrame,
                ]
                .compactMap { $0 } + connection.alerts.map(\.frame) + connection.serverCertificates.map(\.frame)
            for frame in frames {
                #expect(
                    connection.firstFrame <= frame && frame <= connection.lastFrame,
                    "\(name) connection \(connection.id): frame \(frame) outside \(connection.firstFrame)...\(connection.lastFrame)"
                )
            }
        }
        // Connections are numbered 1, 2, 3... in order of first packet.
        #expect(emitted.map(\.id) == Array(1...max(emitted.count, 1)).prefix(emitted.count).map { $0 })
        #expect(emitted.map(\.firstFrame) == emitted.map(\.firstFrame).sorted())
    }
}
