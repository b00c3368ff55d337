import ArgumentParser
import Foundation
import Reports
import TLSFlowKit
import TLSFlowModel

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw the ladder diagram of one connection: time, direction, TCP flags, TLS messages, frames.",
        discussion: "Example: tlsflow show 3 capture.pcap   (N is the id in the summary or the JSON)")

    @OptionGroup var analysis: AnalysisFlags

    @Flag(name: .customLong("no-color"), help: "No ANSI colours.")
    var noColor = false

    @Argument(help: "Connection id, as listed by `tlsflow CAPTURE`.")
    var connection: Int

    @Argument(help: "The capture file.")
    var capture: String

    func run() throws {
        try Self.ladder(
            connection: connection, inputs: [capture], flags: analysis, color: !noColor && stdoutIsTerminal)
    }

    static func ladder(connection id: Int, inputs: [String], flags: AnalysisFlags, color: Bool) throws {
        let expansion = InputFiles.expand(inputs)
        for problem in expansion.problems { warn(problem) }
        guard expansion.files.count == 1, let file = expansion.files.first else {
            warn("show needs exactly one capture file")
            throw ExitCode(ExitStatus.unusable)
        }
        var options = flags.analysisOptions
        options.keepTimelines = true
        let session = try makeSession(options)
        var found: Connection?
        var count = 0
        let report: CaptureReport
        do {
            report = try session.analyze(path: file) { connection in
                count += 1
                if connection.id == id { found = connection }
            }
        } catch {
            warn("\(error)")
            throw ExitCode(ExitStatus.unusable)
        }
        guard let connection = found else {
            warn("\(file) has \(count) TLS connection(s); there is no connection \(id)")
            throw ExitCode(ExitStatus.unusable)
        }
        print(
            LadderView().render(connection, nanosecondPrecision: report.nanosecondPrecision, color: color),
            terminator: "")
    }
}
