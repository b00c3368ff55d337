/// A problem with the capture file itself (not with a connection in it).
public struct CaptureError: Sendable, Equatable {
    public var message: String
    public var frame: Int?
    public init(message: String, frame: Int?) {
        self.message = message
        self.frame = frame
    }
}

/// What one capture file contained, and its analysed connections.
public struct CaptureReport: Sendable {
    public var file: String
    public var format: String
    public var linkTypes: [String] = []
    public var packets = 0
    public var bytes = 0
    public var firstTime: Timestamp?
    public var lastTime: Timestamp?
    public var nanosecondPrecision = false
    public var errors: [CaptureError] = []
    /// TCP connections that carried no TLS and were left out of `connections`.
    public var nonTLSConnections = 0
    public var connections: [Connection] = []
    /// Findings across connections (e.g. "12 of 12 resumed handshakes failed").
    public var patterns: [Finding] = []

    public init(file: String, format: String) {
        self.file = file
        self.format = format
    }
}

/// Totals over every capture in one run.
public struct RunSummary: Sendable, Equatable {
    public var connections = 0
    public var ok = 0
    public var warning = 0
    public var failed = 0
    public var incomplete = 0
    /// Count of findings by code.
    public var findings: [String: Int] = [:]
    /// The most severe finding of any connection, nil when there was none.
    public var worstSeverity: Finding.Severity?
    public init() {}

    public mutating func add(_ connection: Connection) {
        count(connection.status)
        for finding in connection.findings { count(finding.code, finding.severity) }
    }

    /// What the totals read from a connection: for a connection counted where it is not at
    /// hand (rendered on another thread).
    public struct Outcome: Sendable {
        public var status: ConnectionStatus
        public var findings: [(code: String, severity: Finding.Severity)]

        public init(_ connection: Connection) {
            status = connection.status
            findings = connection.findings.map { ($0.code, $0.severity) }
        }
    }

    public mutating func add(_ outcome: Outcome) {
        count(outcome.status)
        for finding in outcome.findings { count(finding.code, finding.severity) }
    }

    private mutating func count(_ status: ConnectionStatus) {
        connections += 1
        switch status {
        case .ok: ok += 1
        case .warning: warning += 1
        case .failed: failed += 1
        case .incomplete: incomplete += 1
        }
    }

    private mutating func count(_ code: String, _ severity: Finding.Severity) {
        findings[code, default: 0] += 1
        if worstSeverity.map({ severity > $0 }) ?? true { worstSeverity = severity }
    }
}
