import CaptureIO
import Foundation
import TLSDecryption
import TLSFlowModel
import Testing

@testable import TLSFlowKit

/// The malformed-capture corpus (Fixtures/malformed, made by make-malformed.py): each file is
/// the healthy TLS 1.2 connection of healthy.pcap plus one hostile connection from 10.0.0.3, or
/// damage to the file itself. Every case must say what was wrong in words a user can act on, and
/// the healthy connection must come out exactly as it does alone.
@Suite struct HostileInputTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/malformed")

    struct Result {
        var report: CaptureReport
        var connections: [Connection]
        var errors: [String] { report.errors.map(\.message) }
        var healthy: Connection? { connections.first { $0.client.port == 40000 } }
        var hostile: [Connection] { connections.filter { $0.client.ip == "10.0.0.3" } }
        /// Every finding summary and note of the hostile connections, for word checks.
        var hostileText: String {
            hostile.flatMap { $0.findings.map(\.summary) + $0.notes.map(\.message) }.joined(separator: "\n")
        }
        var hostileCodes: Set<String> { Set(hostile.flatMap { $0.findings.map(\.code) }) }
    }

    static func analyze(_ name: String, adjust: (inout AnalysisOptions) -> Void = { _ in }) throws -> Result {
        var options = AnalysisOptions()
        options.useSystemRoots = false
        options.caFiles = [directory.appendingPathComponent("root.pem").path]
        options.now = Timestamp(seconds: 1_700_000_000, nanoseconds: 0)
        adjust(&options)
        let session = try AnalysisSession(options: options)
        var connections: [Connection] = []
        let report = try session.analyze(path: directory.appendingPathComponent(name).path) { connections.append($0) }
        return Result(report: report, connections: connections)
    }

    /// What a user sees of a connection, frame numbers included (the healthy packets come first
    /// in every file, so their frame numbers do not move).
    static func signature(_ c: Connection) -> String {
        [
            "\(c.client.ip):\(c.client.port)>\(c.server.ip):\(c.server.port) frames \(c.firstFrame)-\(c.lastFrame)",
            "status \(c.status.rawValue) version \(c.version ?? "-") sni \(c.clientHello?.sni ?? "-")",
            "suite \(c.serverHello?.cipherSuite ?? "-") complete \(c.handshakeComplete) at \(c.handshakeCompleteFrame ?? -1)",
            "certs \(c.serverCertificates.map(\.sha256)) subjects \(c.serverCertificates.map(\.subject))",
            "alerts \(c.alerts.map { "\($0.frame) \($0.from.rawValue) \($0.description)" })",
            "data \(c.applicationData.clientBytes)/\(c.applicationData.serverBytes)",
            "tcp \(c.tcp.handshake) \(c.tcp.end) gaps \(c.tcp.gaps) retrans \(c.tcp.retransmissions)",
            "findings \(c.findings.map { "\($0.code) \($0.severity) \($0.frames)" })",
            "notes \(c.notes.map(\.message))",
        ].joined(separator: "\n")
    }

    static let baseline: String? = {
        guard let result = try? analyze("healthy.pcap"), let healthy = result.healthy else { return nil }
        return signature(healthy)
    }()

    @Test func healthyBaselineIsAnalysedCleanly() throws {
        let result = try Self.analyze("healthy.pcap")
        #expect(result.connections.count == 1)
        #expect(result.errors.isEmpty)
        let healthy = try #require(result.healthy)
        #expect(healthy.status == .ok)
        #expect(healthy.version == "TLS 1.2")
        #expect(healthy.clientHello?.sni == "healthy.example")
        #expect(healthy.handshakeComplete)
        #expect(healthy.findings.isEmpty)
    }

    /// Files whose damage leaves the healthy connection before it: the connection is still
    /// analysed and the report names the frame where reading stopped and what was wrong.
    @Test(arguments: [
        ("truncated-packet.pcap", ["truncated after frame 13", "ends inside frame 14", "40 of its 1000"]),
        ("truncated-record-header.pcap", ["truncated after frame 13", "record header of frame 14", "6 of 16 bytes"]),
        ("pcapng-bad-block-length.pcapng", ["truncated after frame 13", "invalid length of 31", "multiple of 4"]),
        ("pcapng-tiny-block-length.pcapng", ["truncated after frame 13", "invalid length of 8", "at least 12"]),
        ("pcapng-huge-block-length.pcapng", ["truncated after frame 13", "claims 1073741824 bytes", "maximum"]),
    ])
    func damagedFileKeepsWhatWasRead(name: String, words: [String]) throws {
        let result = try Self.analyze(name)
        let error = try #require(result.report.errors.first)
        for word in words { #expect(error.message.contains(word), "\(name): \(error.message)") }
        #expect(error.frame == 13)
        #expect(result.connections.count == 1)
        try expectHealthyUnaffected(result, name)
    }

    /// Files that are not captures at all: analysis refuses them with the reason.
    @Test(arguments: [
        ("empty.pcap", ["is empty (0 bytes)", "not a capture file"]),
        ("truncated-pcap-header.pcap", ["too short to be a pcap file", "needs 24 bytes", "has 10"]),
        ("truncated-pcapng-header.pcapng", ["too short to be a pcapng file", "has 18"]),
        ("wrong-magic.pcap", ["is not a capture file", "47 49 46 38", "expected pcap or pcapng"]),
    ])
    func unreadableFileIsRefusedWithReason(name: String, words: [String]) throws {
        do {
            _ = try Self.analyze(name)
            Issue.record("\(name) was accepted")
        } catch {
            let message = "\(error)"
            #expect(message.contains(name), "the message names the file: \(message)")
            for word in words { #expect(message.contains(word), "\(name): \(message)") }
        }
    }

    /// One hostile connection next to the healthy one: the expected words appear in its findings
    /// or notes (or the capture errors), and the healthy connection is unaffected.
    @Test(
        arguments: [
            // The ClientHello segment was cut at an 80-byte snap length.
            ("snaplen-cut.pcap", ["72 bytes of this segment were cut by the snapshot length"], [], ["capture.gap"]),
            // IHL 15 (60 bytes) in a 50-byte datagram; IHL 4; total length 30 below the headers.
            (
                "ipv4-length-lies.pcap", [],
                ["3 frame(s) could not be decoded", "IPv4 header length of 60 bytes exceeds"],
                ["capture.gap"]
            ),
            // TCP data offset 15 (60 bytes) in a 28-byte segment; data offset 2.
            (
                "tcp-length-lies.pcap", [],
                ["2 frame(s) could not be decoded", "TCP header length of 60 bytes exceeds"], []
            ),
            (
                "tls-record-too-long.pcap",
                ["record length 65535 exceeds the 2^14+2048", "decoding of this direction stopped"],
                [], ["tls.malformed"]
            ),
            (
                "handshake-length-overrun.pcap",
                ["ClientHello message length", "16777215 bytes, over the 1048576-byte limit"],
                [], ["tls.malformed"]
            ),
            (
                "zero-length-fields.pcap", ["cipher_suites", "is empty, which the protocol forbids"], [],
                ["tls.malformed"]
            ),
            ("max-length-fields.pcap", ["legacy_session_id", "invalid length 255"], [], ["tls.malformed"]),
            (
                "extension-overrun.pcap",
                [
                    "extensions at offset 43 declares length 60 but only 20 bytes follow",
                    "server_name extension at offset 47 declares length 500 but only 2 bytes follow",
                ], [], ["tls.malformed"]
            ),
            (
                "sslv2-garbage.pcap", ["SSLv2 CLIENT-HELLO", "needs 255 bytes but only 37 remain"], [],
                ["tls.malformed"]
            ),
            ("http-on-443.pcap", ["HTTP request \"GET / HTTP/1.1\" to port 443"], [], ["tls.malformed"]),
        ] as [(String, [String], [String], [String])])
    func hostileConnectionIsExplained(name: String, words: [String], captureErrors: [String], codes: [String]) throws {
        let result = try Self.analyze(name)
        #expect(!result.hostile.isEmpty, "\(name): the hostile connection is reported")
        for word in words { #expect(result.hostileText.contains(word), "\(name): \(result.hostileText)") }
        let errors = result.errors.joined(separator: "\n")
        for word in captureErrors { #expect(errors.contains(word), "\(name): \(errors)") }
        if captureErrors.isEmpty { #expect(result.errors.isEmpty, "\(name): \(errors)") }
        for code in codes { #expect(result.hostileCodes.contains(code), "\(name): \(result.hostileCodes)") }
        try expectHealthyUnaffected(result, name)
    }

    /// Certificates that are not DER: the audit says so instead of inventing a subject.
    @Test func certificatesThatAreNotDER() throws {
        let result = try Self.analyze("certificate-not-der.pcap")
        let hostile = try #require(result.hostile.first)
        #expect(hostile.serverCertificates.count == 2)
        #expect(hostile.serverCertificates.allSatisfy { $0.parseError != nil && $0.subject.isEmpty })
        #expect(hostile.alerts.contains { $0.description == "bad_certificate" })
        try expectHealthyUnaffected(result, "certificate-not-der.pcap")
    }

    /// A chain of 1000 CA certificates, each issued by the next, and a chain that loops (A by B,
    /// B by A): both are audited in bounded work and reported as chains no client accepts.
    @Test(arguments: ["deep-chain.pcap", "looping-chain.pcap"])
    func pathologicalChains(name: String) throws {
        let result = try Self.analyze(name)
        let hostile = try #require(result.hostile.first)
        #expect(hostile.version == "TLS 1.2")
        #expect(!hostile.serverCertificates.isEmpty)
        let codes = Set(hostile.findings.map(\.code))
        #expect(codes.contains("cert.incomplete_chain"), "\(name): \(codes)")
        #expect(codes.contains("cert.name_mismatch"), "\(name): \(codes)")
        try expectHealthyUnaffected(result, name)
    }

    /// 20 kB arrive ahead of a hole that is never filled: past the per-direction buffer cap the
    /// hole is declared a capture gap, and the buffered bytes are released.
    @Test func bufferCapTurnsTheHoleIntoAGap() throws {
        let result = try Self.analyze("out-of-order-flood.pcap") { $0.maxBufferedBytesPerDirection = 4096 }
        let hostile = try #require(result.hostile.first)
        #expect(hostile.tcp.gaps >= 1)
        #expect(hostile.tcp.missingBytes > 0)
        #expect(result.hostileCodes.contains("capture.gap"), "\(result.hostileCodes)")
        #expect(result.hostileText.contains("more than 4 KiB arrived ahead of a hole"), "\(result.hostileText)")
        try expectHealthyUnaffected(result, "out-of-order-flood.pcap")
    }

    /// The same flood under a cap on what all connections together may buffer: the connection
    /// that goes over it gives up on its hole, says so, and memory stays under the cap.
    @Test func totalBufferCapReleasesTheHole() throws {
        let result = try Self.analyze("out-of-order-flood.pcap") {
            $0.maxBufferedBytesTotal = 2048
            $0.threads = 1
        }
        let hostile = try #require(result.hostile.first)
        #expect(hostile.tcp.gaps >= 1)
        #expect(result.hostileCodes.contains("capture.gap"), "\(result.hostileCodes)")
        #expect(
            result.hostileText.contains("released early because more than 2 KiB were buffered across all connections"),
            "\(result.hostileText)")
        #expect(!result.hostileText.contains("arrived ahead of a hole"))
        try expectHealthyUnaffected(result, "out-of-order-flood.pcap")
    }

    /// Past --max-connections the oldest idle connection is finished early, with a note saying so.
    @Test func evictionPastTheConnectionCapIsNoted() throws {
        // One thread: with shards the cap is divided between them.
        let result = try Self.analyze("http-on-443.pcap") {
            $0.maxConnections = 1
            $0.threads = 1
        }
        let healthy = try #require(result.healthy)
        #expect(
            healthy.notes.contains { $0.message == "tracking: evicted because more than 1 connections were open" },
            "\(healthy.notes)")
        #expect(healthy.version == "TLS 1.2")
        #expect(!result.hostile.isEmpty)
    }

    /// A flood of half-open connections inside the idle timeout: memory is bounded by the cap,
    /// not by the flood. The table never holds more than the cap, every connection is still
    /// reported (in order), and each one finished early says so. (Peak RSS at a million: see
    /// docs/fuzzing.md, `make hostile-bench`.)
    @Test func synFloodStaysUnderTheConnectionCap() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tlsflow-flood-\(getpid()).pcap")
        defer { try? FileManager.default.removeItem(at: path) }
        try ParallelAnalysisTests.synFlood(count: 20_000).write(to: path)
        var options = AnalysisOptions()
        options.maxConnections = 1_000
        options.threads = 1
        let session = try AnalysisSession(options: options)
        let reader = try CaptureReader(path: path.path)
        let analyzer = try CaptureAnalyzer(
            options: options, auditor: session.auditor, keyLog: KeyLog(), file: path.path,
            format: reader.format.rawValue)
        var ids: [Int] = []
        var evicted = 0
        _ = analyzer.run(reader: reader) { connection in
            ids.append(connection.id)
            if connection.notes.contains(where: { $0.message.hasPrefix("tracking: evicted") }) { evicted += 1 }
        }
        #expect(analyzer.peakTrackedFlows <= 1_000)
        #expect(ids == Array(1...20_000))
        // All but the last cap's worth were pushed out by newer ones.
        #expect(evicted >= 19_000)
    }

    func expectHealthyUnaffected(_ result: Result, _ name: String) throws {
        let baseline = try #require(Self.baseline)
        let healthy = try #require(result.healthy, "\(name): the healthy connection is missing")
        #expect(Self.signature(healthy) == baseline, "\(name): the healthy connection changed")
    }
}
