import Foundation
import TLSFlowKit
import TLSFlowModel
import Testing
import WireBasics

/// Keys embedded in a pcapng (Decryption Secrets Blocks) decrypt the connections that follow
/// them, with one thread or several. Fixtures: Fixtures/secrets, made by make-secrets-fixture.py.
@Suite struct SecretsBlockTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/secrets")

    static func analyze(_ name: String, threads: Int) throws -> [Connection] {
        var options = AnalysisOptions()
        options.useSystemRoots = false
        options.threads = threads
        let session = try AnalysisSession(options: options)
        var connections: [Connection] = []
        _ = try session.analyze(path: directory.appendingPathComponent(name).path) { connections.append($0) }
        return connections
    }

    /// The block comes before the first packet, where `editcap --inject-secrets` puts it.
    @Test(arguments: [1, 2])
    func blockBeforeTheFirstPacketDecryptsWithoutAKeyLog(threads: Int) throws {
        let connections = try Self.analyze("dsb-at-start.pcapng", threads: threads)
        try #require(connections.count == 1)
        #expect(connections[0].decrypted)
        #expect(connections[0].serverCertificates.count == 2)
    }

    /// The block comes between two connections: the keys apply from there on, as in a capture
    /// where the keys were written while it ran (tshark, reading in one pass, does the same).
    @Test(arguments: [1, 2])
    func blockMidFileDecryptsOnlyWhatFollowsIt(threads: Int) throws {
        let connections = try Self.analyze("dsb-mid-file.pcapng", threads: threads)
        try #require(connections.count == 2)
        #expect(!connections[0].decrypted)
        #expect(connections[0].serverCertificates.isEmpty)
        #expect(connections[1].decrypted)
        #expect(connections[1].serverCertificates.count == 2)
    }
}
