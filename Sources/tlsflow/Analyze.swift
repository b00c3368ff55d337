import ArgumentParser
import Foundation
import Reports
import TLSFlowKit
import TLSFlowModel

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, jsonl
}

enum FailLevel: String, ExpressibleByArgument, CaseIterable {
    case error, warning, never
}

struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Analyse captures and explain failing TLS connections (the default command).",
        discussion: "Example: tlsflow --format json --fail-on error captures/")

    @OptionGroup var analysis: AnalysisFlags

    @Option(name: .long, help: "Output format: text (default), json (one document), jsonl (one connection per line).")
    var format: OutputFormat = .text

    @Flag(name: .customLong("no-color"), help: "No ANSI colours (they are only used on a terminal anyway).")
    var noColor = false

    @Flag(name: .shortAndLong, help: "Text: show every connection's notes.")
    var verbose = false

    @Option(
        name: .customLong("fail-on"),
        help: "Exit 1 when a finding of this severity or worse is present: error, warning or never.")
    var failOn: FailLevel = .never

    @Option(
        name: .customLong("connection"), help: "Show the ladder diagram of connection N (same as `tlsflow show N`).")
    var connectionID: Int?

    @Flag(
        name: .long,
        help: "List the distinct certificates and the connections that used them (same as `tlsflow certs`).")
    var certs = false

    @Option(
        name: .customLong("export-certs"), help: "Write every distinct certificate seen as PEM into this directory.")
    var exportDirectory: String?

    @Argument(help: "Capture files (.pcap, .pcapng, .cap), directories (searched recursively) or - for stdin.")
    var inputs: [String]

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("no capture given: tlsflow CAPTURE.pcap") }
        if inputs.filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input (-) can be read only once") }
    }

    func run() throws {
        if let id = connectionID {
            try Show.ladder(connection: id, inputs: inputs, flags: analysis, color: !noColor && stdoutIsTerminal)
            return
        }
        if certs || exportDirectory != nil {
            try Certs.list(
                inputs: inputs, flags: analysis, exportDirectory: exportDirectory,
                print: certs || exportDirectory == nil)
            return
        }
        let expansion = InputFiles.expand(inputs)
        for problem in expansion.problems { warn(problem) }
        var options = analysis.analysisOptions
        options.keepTimelines = false
        let session = try makeSession(options)
        var analysed = 0
        let color = !noColor && stdoutIsTerminal && format == .text
        let output = StandardOutput()
        var writer = JSONReportWriter(
            pretty: stdoutIsTerminal, jsonLines: format == .jsonl,
            byteSink: { [output] (bytes: UnsafeRawBufferPointer) in output.write(bytes) })
        if format != .text { writer.begin(version: TLSFlow.version) }
        let text = TextReport(color: color, width: terminalWidth, verbose: verbose)
        for file in expansion.files {
            do {
                var report: CaptureReport
                if format == .text {
                    var connections: [Connection] = []
                    report = try session.analyze(path: file) { connections.append($0) }
                    report.connections = connections
                    if analysed > 0 { output.write("\n") }
                    output.write(text.render(report))
                } else {
                    var started = false
                    // A pretty document renders every connection itself.
                    let rendered: ((PrerenderedConnection) -> Void)? =
                        writer.acceptsRenderedConnections
                        ? { connection in writer.connection(connection.json, id: connection.id) } : nil
                    report = try session.analyze(
                        path: file,
                        start: { header in
                            writer.beginCapture(header)
                            started = true
                        }, emitRendered: rendered
                    ) { connection in
                        writer.connection(connection)
                    }
                    if !started { writer.beginCapture(report) }
                    writer.endCapture(report)
                }
                for error in report.errors { warn("\(file): \(error.message)") }
                analysed += 1
            } catch {
                warn("\(error)")
            }
        }
        if format != .text {
            writer.end(summary: session.summary)
        } else if expansion.files.count > 1 && analysed > 0 {
            output.write(text.renderSummary(session.summary, captures: analysed))
        }
        output.flush()
        guard analysed > 0 else { throw ExitCode(ExitStatus.unusable) }
        if failOn != .never {
            let threshold: Finding.Severity = failOn == .error ? .error : .warning
            if session.summary.worstSeverity.map({ $0 >= threshold }) == true { throw ExitCode(ExitStatus.findings) }
        }
    }
}

/// Buffered standard output (a TextOutputStream the JSON writer can stream into).
final class StandardOutput: TextOutputStream {
    private var buffer: [UInt8] = []

    func write(_ string: String) {
        buffer.append(contentsOf: string.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    func write(_ bytes: UnsafeRawBufferPointer) {
        // Large chunks (the JSON writer's) go straight out rather than through the buffer.
        if bytes.count >= 1 << 16 {
            flush()
            writeAll(bytes)
            return
        }
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flush() }
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ raw: UnsafeRawBufferPointer) {
        guard let base = raw.baseAddress else { return }
        var offset = 0
        while offset < raw.count {
            let written = Glibc.write(STDOUT_FILENO, base + offset, raw.count - offset)
            if written <= 0 { break }
            offset += written
        }
    }

    deinit { flush() }
}
