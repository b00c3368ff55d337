import Foundation
import Testing

/// The built `tlsflow` binary on bad input: exit codes (0 analysed, 1 findings at --fail-on,
/// 2 usage or unreadable input) and messages that name the file and what was wrong.
/// `swift build --build-tests` builds the executable with the tests, so it is always there.
@Suite struct CLIErrorTests {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let fixtures = repoRoot.appendingPathComponent("Tests/TLSFlowKitTests/Fixtures/malformed").path

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func binary() throws -> String {
        for configuration in ["debug", "release"] {
            let path = repoRoot.appendingPathComponent(".build/\(configuration)/tlsflow").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw CLIMissing()
    }

    struct CLIMissing: Error, CustomStringConvertible {
        var description: String { "tlsflow is not built: run swift build --build-tests" }
    }

    static func run(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try binary())
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes before waiting so a full pipe cannot block the child.
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
            stderr: String(decoding: stderrData, as: UTF8.self))
    }

    static func fixture(_ name: String) -> String { fixtures + "/" + name }

    /// Trust the corpus root so the healthy connection has no finding.
    static let trust = ["--no-system-roots", "--ca-file", fixture("root.pem")]

    @Test func missingFile() throws {
        let run = try Self.run(["/nonexistent/capture.pcap"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("/nonexistent/capture.pcap: no such file or directory"), "\(run.stderr)")
    }

    @Test func directoryWithoutCaptures() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tlsflow-cli-\(getpid())-empty")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("not a capture".utf8).write(to: directory.appendingPathComponent("notes.txt"))
        let run = try Self.run([directory.path])
        #expect(run.status == 2)
        #expect(run.stderr.contains("no .pcap, .pcapng or .cap files in this directory"), "\(run.stderr)")
        #expect(run.stderr.contains(directory.lastPathComponent))
    }

    @Test func notACaptureFile() throws {
        let run = try Self.run([Self.fixture("wrong-magic.pcap")])
        #expect(run.status == 2)
        #expect(run.stderr.contains("wrong-magic.pcap: is not a capture file"), "\(run.stderr)")
        #expect(run.stderr.contains("expected pcap or pcapng"))
    }

    @Test func emptyFile() throws {
        let run = try Self.run([Self.fixture("empty.pcap")])
        #expect(run.status == 2)
        #expect(run.stderr.contains("empty.pcap: is empty (0 bytes), not a capture file"), "\(run.stderr)")
    }

    @Test func truncatedCaptureIsAnalysedWithAWarning() throws {
        let run = try Self.run(Self.trust + [Self.fixture("truncated-packet.pcap")])
        #expect(run.status == 0)
        #expect(run.stderr.contains("truncated-packet.pcap: capture truncated after frame 13"), "\(run.stderr)")
        #expect(run.stdout.contains("healthy.example"))
    }

    /// Only one of several inputs readable: it is analysed (exit 0) and the other is named.
    @Test func oneUnreadableInputAmongOthers() throws {
        let run = try Self.run(Self.trust + [Self.fixture("empty.pcap"), Self.fixture("healthy.pcap")])
        #expect(run.status == 0)
        #expect(run.stderr.contains("empty.pcap: is empty"), "\(run.stderr)")
        #expect(run.stdout.contains("healthy.example"))
    }

    /// Root reads anything a mode bit forbids, except sysctl files, whose permission checks apply
    /// to root too: compact_memory is write-only for everyone. A chmod 000 file covers non-root.
    @Test func permissionDenied() throws {
        let path: String
        var cleanup: String?
        if geteuid() == 0 {
            path = "/proc/sys/vm/compact_memory"
        } else {
            path =
                FileManager.default.temporaryDirectory.appendingPathComponent("tlsflow-cli-\(getpid())-000.pcap").path
            try Data([0xd4, 0xc3, 0xb2, 0xa1]).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: path)
            cleanup = path
        }
        defer { cleanup.map { try? FileManager.default.removeItem(atPath: $0) } }
        let run = try Self.run([path])
        #expect(run.status == 2)
        #expect(run.stderr.contains("\(path): permission denied"), "\(run.stderr)")
    }

    @Test func badFilter() throws {
        let run = try Self.run(["--filter", "host and", Self.fixture("healthy.pcap")])
        #expect(run.status == 2)
        #expect(run.stderr.contains("invalid capture filter \"host and\""), "\(run.stderr)")
    }

    @Test func badValidationTime() throws {
        let run = try Self.run(["--at", "yesterday", Self.fixture("healthy.pcap")])
        #expect(run.status == 2)
        #expect(run.stderr.contains("--at 'yesterday' is not a time like 2024-05-01T12:00:00Z"), "\(run.stderr)")
    }

    @Test func noInputIsAUsageError() throws {
        let run = try Self.run(["analyze"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("<inputs>"), "\(run.stderr)")
    }

    @Test func cleanCaptureExitsZero() throws {
        let run = try Self.run(Self.trust + ["--fail-on", "warning", Self.fixture("healthy.pcap")])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.isEmpty, "\(run.stderr)")
    }

    @Test func findingsAtFailOnLevelExitOne() throws {
        let capture = Self.fixture("http-on-443.pcap")
        #expect(try Self.run(Self.trust + ["--fail-on", "error", capture]).status == 1)
        #expect(try Self.run(Self.trust + [capture]).status == 0)
    }

    @Test func helpDocumentsExitCodes() throws {
        let run = try Self.run(["--help"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("EXIT STATUS"))
        #expect(run.stdout.contains("2  usage error, or no input could be analysed"))
    }
}
