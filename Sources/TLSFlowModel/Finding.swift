/// A diagnosed problem, per the catalog in docs/output.md.
public struct Finding: Sendable, Equatable {
    public enum Severity: String, Sendable, Comparable, CaseIterable {
        case info, warning, error
        private var rank: Int {
            switch self {
            case .info: 0
            case .warning: 1
            case .error: 2
            }
        }
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }
    public var code: String
    public var severity: Severity
    public var side: Side?
    public var summary: String
    public var detail: String
    public var fix: String
    public var frames: [Int]
    /// Findings that merely follow from this one (a reset answering the peer's close, etc.).
    public var consequences: [String] = []
    /// For cross-connection (pattern) findings: the connections that show the pattern.
    public var connectionIDs: [Int] = []

    public init(
        code: String, severity: Severity, side: Side?, summary: String, detail: String, fix: String,
        frames: [Int]
    ) {
        self.code = code
        self.severity = severity
        self.side = side
        self.summary = summary
        self.detail = detail
        self.fix = fix
        self.frames = frames
    }
}
