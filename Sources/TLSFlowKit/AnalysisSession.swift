import CaptureIO
import CertificateAudit
import Foundation
import TLSDecryption
import TLSFlowModel

/// One run over one or more captures: the trust store, the certificate cache and the key logs
/// are shared by all of them.
public final class AnalysisSession {
    public let options: AnalysisOptions
    public let auditor: CertificateAuditor
    /// Secrets from --keylog files; pcapng Decryption Secrets Blocks add to it per capture.
    public let keyLog: KeyLog
    public private(set) var summary = RunSummary()
    /// Problems with the run's own inputs (trust store, key logs), for the user.
    public private(set) var warnings: [String] = []

    public init(options: AnalysisOptions) throws {
        self.options = options
        let trustStore: TrustStore
        if options.caFiles.isEmpty && options.caDirectories.isEmpty && options.useSystemRoots {
            trustStore = TrustStore.system()
        } else {
            trustStore = try TrustStore(
                pemFiles: options.caFiles, directories: options.caDirectories, includeSystem: options.useSystemRoots)
        }
        // A filter typo is a usage error, reported once before any file is read.
        if let expression = options.filter { _ = try PacketFilter(expression: expression) }
        var keyLog = KeyLog()
        for path in options.keyLogFiles {
            keyLog.merge(try KeyLog(contentsOf: path))
        }
        for problem in keyLog.problems {
            warnings.append("\(problem.source ?? "key log") line \(problem.line): \(problem.message)")
        }
        self.keyLog = keyLog
        let now = options.now ?? Self.currentTime()
        auditor = CertificateAuditor(trustStore: trustStore, validationTime: options.validationTime, now: now)
    }

    static func currentTime() -> Timestamp {
        let seconds = Date().timeIntervalSince1970
        return Timestamp(seconds: Int64(seconds), nanoseconds: UInt32((seconds - seconds.rounded(.down)) * 1e9))
    }

    /// Analyses one capture file; connections reach `emit` in order of first packet.
    ///
    /// For a writer of compact JSON (`JSONReportWriter.acceptsRenderedConnections`), pass
    /// `emitRendered`: with more than one thread, connections whose report depends on nothing
    /// but their id are then rendered by the thread that analysed them and arrive there, in
    /// their place in the same order, instead of at `emit`. The model values never cross
    /// threads, and the writer only puts the id in front (about a third of a parallel run's
    /// time went to rendering and freeing them on one thread).
    public func analyze(
        path: String, start: ((CaptureReport) -> Void)? = nil,
        emitRendered: ((PrerenderedConnection) -> Void)? = nil, emit: (Connection) -> Void
    ) throws -> CaptureReport {
        let rendered: ((PrerenderedConnection) -> Void)? = emitRendered.map { emitRendered in
            { [self] connection in
                summary.add(connection.outcome)
                emitRendered(connection)
            }
        }
        let report = try CaptureAnalyzer.analyze(
            path: path, displayName: path == "-" ? "<stdin>" : path, options: options, auditor: auditor, keyLog: keyLog,
            start: start, emitRendered: rendered
        ) { connection in
            summary.add(connection)
            emit(connection)
        }
        return report
    }
}
