import TLSFlowModel

/// The one-screen summary a network engineer reads: per capture a header, servers, a table of
/// connections, the problems with their fixes, and totals.
public struct TextReport: Sendable {
    public var color: Bool
    public var width: Int
    public var verbose: Bool

    public init(color: Bool, width: Int = 120, verbose: Bool = false) {
        self.color = color
        // Narrower than this and the table cannot hold its own headers.
        self.width = max(width, 60)
        self.verbose = verbose
    }

    private var style: Style { Style(enabled: color) }

    /// Problem connections listed without --verbose.
    static let problemLimit = 30

    public func render(_ capture: CaptureReport) -> String {
        var lines: [String] = []
        lines += header(capture)
        if capture.connections.isEmpty {
            lines.append("")
            lines.append("  No TLS connections in this capture.")
        } else {
            lines.append("")
            lines += servers(capture)
            lines.append("")
            lines += table(capture)
            lines += problems(capture)
            lines += patterns(capture)
            lines.append("")
            lines += totals(capture)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public func renderSummary(_ summary: RunSummary, captures: Int) -> String {
        var line = "\(captures) capture\(captures == 1 ? "" : "s"), "
        line += counted(summary.connections, "connection") + ": " + statusCounts(summary)
        var lines = [style.bold(line)]
        let codes = summary.findings.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        if !codes.isEmpty {
            lines += Terminal.wrap(
                "findings: " + codes.map { "\(Terminal.safe($0.key)) ×\($0.value)" }.joined(separator: ", "),
                width: width, indent: "  ")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: Sections

    private func header(_ capture: CaptureReport) -> [String] {
        var lines: [String] = []
        var first = style.bold(Terminal.safe(capture.file))
        var kind = Terminal.safe(capture.format)
        if !capture.linkTypes.isEmpty { kind += ", " + capture.linkTypes.map(Terminal.safe).joined(separator: "/") }
        first += "  (\(kind))  \(counted(capture.packets, "packet")), \(Terminal.bytes(capture.bytes))"
        lines.append(first)
        if let start = capture.firstTime, let end = capture.lastTime {
            let ns = capture.nanosecondPrecision
            let span = Terminal.duration(milliseconds: end.milliseconds(since: start))
            let range =
                "  \(start.rfc3339(nanosecondPrecision: ns)) → \(end.rfc3339(nanosecondPrecision: ns))  (\(span))"
            if Terminal.width(range) <= width {
                lines.append(range)
            } else {
                lines.append("  from \(start.rfc3339(nanosecondPrecision: ns))")
                lines.append("  to   \(end.rfc3339(nanosecondPrecision: ns))  (\(span))")
            }
        }
        var summary = RunSummary()
        for connection in capture.connections { summary.add(connection) }
        var counts = "  " + counted(capture.connections.count, "TLS connection")
        if capture.nonTLSConnections > 0 { counts += " (+\(capture.nonTLSConnections) without TLS)" }
        if !capture.connections.isEmpty { counts += ": " + statusCounts(summary) }
        lines.append(counts)
        for error in capture.errors {
            let at = error.frame.map { " (frame \($0))" } ?? ""
            lines.append("  " + style.red("capture error: ") + Terminal.safe(error.message) + style.dim(at))
        }
        return lines
    }

    private func servers(_ capture: CaptureReport) -> [String] {
        struct Server {
            var name: String
            var connections = 0
            var versions: [String: Int] = [:]
            var failures: [String: Int] = [:]
            var statuses: [ConnectionStatus: Int] = [:]
        }
        var order: [String] = []
        var byName: [String: Server] = [:]
        for c in capture.connections {
            let name = Terminal.safe(c.serverName)
            if byName[name] == nil {
                order.append(name)
                byName[name] = Server(name: name)
            }
            byName[name]?.connections += 1
            byName[name]?.versions[c.version ?? "no version", default: 0] += 1
            byName[name]?.statuses[c.status, default: 0] += 1
            if c.status == .failed || c.status == .warning, let code = headline(c)?.code {
                byName[name]?.failures[code, default: 0] += 1
            }
        }
        var table = TextTable(columns: [
            .init(title: "server", minimum: 12), .init(title: "conns", rightAligned: true),
            .init(title: "versions", minimum: 8), .init(title: "problems", minimum: 10),
        ])
        for name in order {
            guard let server = byName[name] else { continue }
            let problems = tally(server.failures)
            table.rows.append([
                name, String(server.connections), tally(server.versions), problems.isEmpty ? "—" : problems,
            ])
            let worst = server.statuses.keys.max() ?? .ok
            table.rowStyles.append { style.status(worst, $0) }
        }
        return [style.bold("Servers")] + table.render(width: width, styleColumn: 3)
    }

    private func table(_ capture: CaptureReport) -> [String] {
        // The id column never shrinks below the widest id: a truncated id is useless for `show N`.
        let idWidth = String(capture.connections.map(\.id).max() ?? 1).count
        var table = TextTable(columns: [
            .init(title: "#", rightAligned: true, minimum: idWidth),
            .init(title: "client → server", minimum: 15, keep: 30),
            .init(title: "SNI", minimum: 8, keep: 18, dropRank: 5), .init(title: "version", minimum: 7, dropRank: 3),
            .init(title: "resumed", minimum: 6, keep: 12, dropRank: 2),
            .init(title: "certificate", minimum: 8, keep: 12, dropRank: 1),
            .init(title: "alerts", minimum: 10, keep: 16, dropRank: 4),
            .init(title: "bytes c→s/s→c", rightAligned: true, minimum: 15), .init(title: "status", minimum: 10),
        ])
        for c in capture.connections {
            let endpoints = Terminal.endpoint(c.client) + " → " + Terminal.endpoint(c.server)
            let cn = c.serverCertificates.first.map { commonName($0.subject) } ?? ""
            let alerts = c.alerts.map(alertLabel).joined(separator: "; ")
            let bytes =
                "\(Terminal.bytes(c.applicationData.clientBytes)) / \(Terminal.bytes(c.applicationData.serverBytes))"
            table.rows.append([
                String(c.id), endpoints, Terminal.safe(c.clientHello?.sni ?? ""), Terminal.safe(c.version ?? "—"),
                resumptionLabel(c.resumption), Terminal.safe(cn), alerts, bytes, c.status.rawValue,
            ])
            let status = c.status
            table.rowStyles.append { style.status(status, $0) }
        }
        return [style.bold("Connections")] + table.render(width: width, styleColumn: 8)
    }

    private func problems(_ capture: CaptureReport) -> [String] {
        let order: [ConnectionStatus] = [.failed, .warning, .incomplete]
        var lines: [String] = []
        var listed = Set<Int>()
        var notShown = 0
        for status in order {
            for c in capture.connections where c.status == status {
                guard !c.findings.isEmpty || (status != .incomplete) else { continue }
                // One screen: past a few dozen, the totals table says the rest better.
                guard verbose || listed.count < Self.problemLimit else {
                    notShown += 1
                    continue
                }
                listed.insert(c.id)
                lines.append("")
                lines += problem(c)
            }
        }
        if notShown > 0 {
            lines.append("")
            lines.append("  … \(counted(notShown, "more problem connection")) (use --verbose to list all)")
        }
        let unlisted = capture.connections.filter { !$0.notes.isEmpty && !listed.contains($0.id) }
        if verbose && !unlisted.isEmpty {
            lines.append("")
            lines.append(style.bold("Notes"))
            for c in unlisted {
                lines.append("  #\(c.id) \(Terminal.endpoint(c.client)) → \(Terminal.safe(c.serverName))")
                lines += notes(c)
            }
        } else if !verbose {
            let withNotes = capture.connections.filter { !$0.notes.isEmpty }.count
            if withNotes > 0 {
                lines.append("")
                lines.append(
                    style.dim(
                        "  \(counted(withNotes, "connection")) \(withNotes == 1 ? "has" : "have") notes (use --verbose)"
                    ))
            }
        }
        guard !lines.isEmpty else { return [] }
        return ["", style.bold("Problems")] + lines.dropFirst()
    }

    private func problem(_ c: Connection) -> [String] {
        var lines: [String] = []
        let target = Terminal.safe(c.serverName)
        let address = c.clientHello?.sni == nil ? "" : " (\(Terminal.endpoint(c.server)))"
        let title = "#\(c.id) \(Terminal.endpoint(c.client)) → \(target)\(address)"
        lines.append(
            "  " + style.status(c.status, statusMark(c.status) + " " + c.status.rawValue) + "  "
                + Terminal.truncate(title, to: width - 14))
        if let head = headline(c) {
            lines += findingLines(head, indent: "    ")
            let others = c.findings.filter { $0 != head }
            if !others.isEmpty {
                let also = others.map { f in
                    f.code + (f.frames.isEmpty ? "" : " (" + Terminal.frames(f.frames) + ")")
                }
                lines += Terminal.wrap("also: " + also.joined(separator: "; "), width: width - 4, indent: "      ")
                    .map { "    " + style.dim($0) }
            }
        } else {
            lines.append("    no finding explains this status")
        }
        if verbose { lines += notes(c) }
        return lines
    }

    func findingLines(_ f: Finding, indent: String) -> [String] {
        var lines: [String] = []
        let code = Terminal.safe(f.code)
        let frames = Terminal.frames(f.frames)
        var first = Terminal.wrap(
            Terminal.safe(f.summary), width: width - indent.count, indent: "  ", lead: code + "  ")
        if let last = first.last, Terminal.width(indent + last + "  " + frames) <= width, !frames.isEmpty {
            first[first.count - 1] = last + "  " + style.dim(frames)
        } else if !frames.isEmpty {
            first.append("  " + style.dim(frames))
        }
        if let head = first.first {
            first[0] = style.severity(f.severity, code) + head.dropFirst(code.count)
        }
        lines += first.map { indent + $0 }
        if !f.fix.isEmpty {
            lines += Terminal.wrap("fix: " + Terminal.safe(f.fix), width: width - indent.count, indent: "     ")
                .map { indent + $0 }
        }
        return lines
    }

    private func notes(_ c: Connection) -> [String] {
        c.notes.flatMap { note in
            let at = note.frame.map { "frame \($0): " } ?? ""
            return Terminal.wrap("note: " + at + Terminal.safe(note.message), width: width - 4, indent: "      ")
                .map { "    " + style.dim($0) }
        }
    }

    private func patterns(_ capture: CaptureReport) -> [String] {
        guard !capture.patterns.isEmpty else { return [] }
        var lines = ["", style.bold("Patterns")]
        for pattern in capture.patterns {
            lines += findingLines(pattern, indent: "  ")
            if !pattern.connectionIDs.isEmpty {
                var ids = pattern.connectionIDs.prefix(20).map { "#\($0)" }.joined(separator: " ")
                if pattern.connectionIDs.count > 20 { ids += " …" }
                lines.append("  " + style.dim(Terminal.truncate("connections: " + ids, to: width - 2)))
            }
        }
        return lines
    }

    private struct CodeTotal {
        var code: String
        var count = 0
        var severity: Finding.Severity
        var ids: [Int] = []

        /// Most severe first, then most frequent, then by name.
        static func isBefore(_ a: CodeTotal, _ b: CodeTotal) -> Bool {
            if a.severity != b.severity { return a.severity > b.severity }
            if a.count != b.count { return a.count > b.count }
            return a.code < b.code
        }
    }

    private func totals(_ capture: CaptureReport) -> [String] {
        var byCode: [String: CodeTotal] = [:]
        for c in capture.connections {
            for f in c.findings {
                var entry = byCode[f.code] ?? CodeTotal(code: f.code, severity: f.severity)
                entry.count += 1
                entry.severity = max(entry.severity, f.severity)
                if entry.ids.last != c.id { entry.ids.append(c.id) }
                byCode[f.code] = entry
            }
        }
        var summary = RunSummary()
        for connection in capture.connections { summary.add(connection) }
        var lines = [style.bold("Totals") + "  " + statusCounts(summary)]
        guard !byCode.isEmpty else { return lines }
        var table = TextTable(columns: [
            .init(title: "finding", minimum: 12), .init(title: "count", rightAligned: true),
            .init(title: "connections", minimum: 10),
        ])
        let entries = byCode.values.sorted(by: CodeTotal.isBefore)
        for entry in entries {
            // The column is truncated to the terminal anyway; a few ids say where to look.
            var ids = entry.ids.prefix(20).map { "#\($0)" }.joined(separator: " ")
            if entry.ids.count > 20 { ids += " …" }
            table.rows.append([Terminal.safe(entry.code), String(entry.count), ids])
            let severity = entry.severity
            table.rowStyles.append { style.severity(severity, $0) }
        }
        lines += table.render(width: width, styleColumn: 0)
        return lines
    }

    // MARK: Pieces

    /// The finding that explains the connection's status: first error, else first warning.
    func headline(_ c: Connection) -> Finding? {
        c.findings.first { $0.severity == .error } ?? c.findings.first { $0.severity == .warning }
            ?? c.findings.first
    }

    private func statusMark(_ status: ConnectionStatus) -> String {
        switch status {
        case .ok: "✓"
        case .warning: "!"
        case .failed: "✗"
        case .incomplete: "…"
        }
    }

    private func statusCounts(_ s: RunSummary) -> String {
        var parts: [String] = []
        if s.ok > 0 { parts.append(style.green("\(s.ok) ok")) }
        if s.warning > 0 { parts.append(style.yellow("\(s.warning) warning")) }
        if s.failed > 0 { parts.append(style.red("\(s.failed) failed")) }
        if s.incomplete > 0 { parts.append(style.dim("\(s.incomplete) incomplete")) }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }

    private func counted(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    /// "TLS 1.2 ×3, TLS 1.3" — most frequent first.
    private func tally(_ counts: [String: Int]) -> String {
        counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { $0.value == 1 ? Terminal.safe($0.key) : "\(Terminal.safe($0.key)) ×\($0.value)" }
            .joined(separator: ", ")
    }

    private func resumptionLabel(_ r: ResumptionInfo) -> String {
        guard r.offered != .none else { return "—" }
        let outcome = r.accepted.map { $0 ? "✓" : "✗" } ?? "?"
        return "\(r.offered.rawValue) \(outcome)"
    }

    private func alertLabel(_ a: AlertInfo) -> String {
        let direction = a.from == .client ? "C→S" : "S→C"
        let what = a.encrypted && !a.decrypted ? "encrypted" : "\(a.level.rawValue) \(Terminal.safe(a.description))"
        return "\(direction) \(what)"
    }

    /// The CN from a "CN=…,O=…" subject, else the whole subject.
    private func commonName(_ subject: String) -> String {
        for part in subject.split(separator: ",") {
            let trimmed = part.drop { $0 == " " }
            if trimmed.hasPrefix("CN=") { return String(trimmed.dropFirst(3)) }
        }
        return subject
    }
}
