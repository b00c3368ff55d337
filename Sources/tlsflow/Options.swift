import ArgumentParser
import Foundation
import TLSFlowKit
import TLSFlowModel

/// Options shared by every command that analyses captures.
struct AnalysisFlags: ParsableArguments {
    @Option(name: .long, help: "BPF filter applied by libpcap to every frame, e.g. 'host 10.0.0.5 and port 443'.")
    var filter: String?

    @Option(name: .long, help: "Close a connection after this many seconds without packets (capture time).")
    var idleTimeout: Double = 60

    @Option(name: .long, help: "Seconds a ClientHello may wait for a ServerHello before it counts as stalled.")
    var handshakeTimeout: Double = 10

    @Option(name: .customLong("tls-port"), help: "Treat this TCP port as TLS even without TLS bytes (repeatable).")
    var tlsPorts: [UInt16] = []

    @Option(name: .customLong("ca-file"), help: "PEM bundle of extra trust anchors (repeatable).")
    var caFiles: [String] = []

    @Option(name: .customLong("ca-dir"), help: "Directory of PEM trust anchors (repeatable).")
    var caDirectories: [String] = []

    @Flag(name: .customLong("no-system-roots"), help: "Trust only --ca-file/--ca-dir anchors, not the system bundle.")
    var noSystemRoots = false

    @Option(
        name: .customLong("at"),
        help: "Validate certificates at this time (RFC 3339, e.g. 2024-05-01T12:00:00Z) instead of each packet's time.")
    var validationTime: String?

    @Option(name: .customLong("keylog"), help: "NSS key log file (SSLKEYLOGFILE) to decrypt TLS with (repeatable).")
    var keyLogFiles: [String] = []

    @Option(
        name: .long,
        help:
            "Track at most this many connections at once (about 3 KiB each); the least recently active are closed early, with a note."
    )
    var maxConnections: Int = 200_000

    @Option(
        name: .long, help: "Threads analysing each capture (default: the number of processors); the output is the same."
    )
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 || threads > 64 { throw ValidationError("--threads must be between 1 and 64") }
        guard idleTimeout > 0 else { throw ValidationError("--idle-timeout must be positive") }
        guard handshakeTimeout > 0 else { throw ValidationError("--handshake-timeout must be positive") }
        guard maxConnections > 0 else { throw ValidationError("--max-connections must be positive") }
        if let text = validationTime, Timestamp(rfc3339: text) == nil {
            throw ValidationError("--at '\(text)' is not a time like 2024-05-01T12:00:00Z")
        }
    }

    var analysisOptions: AnalysisOptions {
        var options = AnalysisOptions()
        options.filter = filter
        options.idleTimeout = idleTimeout
        options.handshakeTimeout = handshakeTimeout
        options.extraTLSPorts = Set(tlsPorts)
        options.caFiles = caFiles
        options.caDirectories = caDirectories
        options.useSystemRoots = !noSystemRoots
        options.validationTime = validationTime.flatMap(Timestamp.init(rfc3339:))
        options.keyLogFiles = keyLogFiles
        options.maxConnections = maxConnections
        if let threads { options.threads = threads }
        return options
    }
}

/// Writes a line to standard error.
func warn(_ message: String) {
    FileHandle.standardError.write(Data(("tlsflow: " + message + "\n").utf8))
}

/// True when standard output is a terminal (colour and width follow it).
var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) != 0 }

var terminalWidth: Int {
    var size = winsize()
    if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 40 { return Int(size.ws_col) }
    if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 40 { return columns }
    return 120
}

/// Opens an analysis session, printing problems with the run's own inputs (trust store, key
/// logs); a session that cannot start is a usage problem (exit 2).
func makeSession(_ options: AnalysisOptions) throws -> AnalysisSession {
    do {
        let session = try AnalysisSession(options: options)
        for message in session.warnings { warn(message) }
        return session
    } catch {
        warn("\(error)")
        throw ExitCode(ExitStatus.unusable)
    }
}
