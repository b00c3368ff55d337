import ArgumentParser
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Exit codes (also in the README and --help):
/// 0 analysed (no finding at the --fail-on level), 1 findings at or above --fail-on (or `check`
/// drift), 2 usage error or no input could be analysed.
enum ExitStatus {
    static let analysed: Int32 = 0
    static let findings: Int32 = 1
    static let unusable: Int32 = 2
}

struct TLSFlow: ParsableCommand {
    static let version = "0.1.0"
    static let configuration = CommandConfiguration(
        commandName: "tlsflow",
        abstract: "Explain why TLS connections in packet captures failed.",
        discussion: """
            Reads .pcap/.pcapng files (or directories of them, or - for stdin), follows every TCP connection, decodes TLS, audits certificates at the capture's own time and explains each failing connection with the frames that prove it and what to fix.

            EXIT STATUS
              0  analysed; no finding at or above the --fail-on level
              1  findings at or above --fail-on, or drift (check)
              2  usage error, or no input could be analysed
            """,
        version: version,
        subcommands: [Analyze.self, Show.self, Certs.self, Explain.self, Check.self],
        defaultSubcommand: Analyze.self
    )

    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        // `tlsflow capture.pcap`: anything that is not a subcommand goes to `analyze`.
        let names = Set(configuration.subcommands.map { $0._commandName } + ["help"])
        if let first = arguments.first, !names.contains(first), !first.hasPrefix("-") || first == "-" {
            arguments.insert("analyze", at: 0)
        }
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                print(message)
                Foundation.exit(0)
            }
            if !message.isEmpty {
                FileHandle.standardError.write(Data(("tlsflow: " + message + "\n").utf8))
            }
            Foundation.exit(code == .validationFailure ? ExitStatus.unusable : code.rawValue)
        }
    }
}

TLSFlow.main()
