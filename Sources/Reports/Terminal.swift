import TLSFlowModel

/// ANSI styling that disappears entirely when colour is off, so plain output has no escapes.
struct Style {
    let enabled: Bool

    private func wrap(_ text: String, _ code: String) -> String {
        enabled && !text.isEmpty ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
    func red(_ text: String) -> String { wrap(text, "31") }
    func yellow(_ text: String) -> String { wrap(text, "33") }
    func green(_ text: String) -> String { wrap(text, "32") }
    func dim(_ text: String) -> String { wrap(text, "2") }
    func bold(_ text: String) -> String { wrap(text, "1") }

    func status(_ status: ConnectionStatus, _ text: String) -> String {
        switch status {
        case .ok: green(text)
        case .warning: yellow(text)
        case .failed: red(text)
        case .incomplete: dim(text)
        }
    }

    func severity(_ severity: Finding.Severity, _ text: String) -> String {
        switch severity {
        case .error: red(text)
        case .warning: yellow(text)
        case .info: text
        }
    }
}

enum Terminal {
    /// Names, subjects and messages come from the capture and may carry escape sequences or
    /// line breaks meant to forge output; show every control character as U+FFFD instead.
    static func safe(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            out.append(isControl(scalar) ? "\u{FFFD}" : scalar)
        }
        return String(out)
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029
    }

    /// Columns a string occupies. Wide (East Asian, emoji) characters count two.
    static func width(_ text: String) -> Int {
        // Nearly everything printed is ASCII: one column per byte.
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text.utf8.count }
        var total = 0
        for character in text { total += width(of: character) }
        return total
    }

    private static func width(of character: Character) -> Int {
        guard let scalar = character.unicodeScalars.first else { return 0 }
        let v = scalar.value
        if v < 0x1100 { return 1 }
        let wide =
            (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
            || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1FAFF).contains(v) || (0x20000...0x3FFFD).contains(v)
        return wide ? 2 : 1
    }

    /// Cuts to `limit` columns, marking the cut with "…".
    static func truncate(_ text: String, to limit: Int) -> String {
        guard limit > 0 else { return "" }
        guard width(text) > limit else { return text }
        var out = ""
        var used = 0
        for character in text {
            let w = width(of: character)
            if used + w > limit - 1 { break }
            out.append(character)
            used += w
        }
        return out + "…"
    }

    static func pad(_ text: String, to columns: Int, right: Bool = false) -> String {
        let fill = columns - width(text)
        guard fill > 0 else { return text }
        let spaces = String(repeating: " ", count: fill)
        return right ? spaces + text : text + spaces
    }

    /// Word-wraps to `width` columns; continuation lines start with `indent`. `lead` starts the
    /// first line and is never split (a finding code before its summary).
    static func wrap(_ text: String, width limit: Int, indent: String, lead: String = "") -> [String] {
        let room = max(limit, width(indent) + 10)
        // Most texts fit: skip the word splitting (the report wraps a few per connection).
        if !text.contains("  "), !text.hasPrefix(" "), !text.hasSuffix(" "), width(lead) + width(text) <= room {
            return [lead + text]
        }
        var lines: [String] = []
        var line = lead
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            var word = String(word)
            let prefix = lines.isEmpty ? "" : indent
            let candidate = line.isEmpty || line == lead ? (line.isEmpty ? prefix : line) + word : line + " " + word
            if width(candidate) <= room {
                line = candidate
                continue
            }
            if !line.isEmpty { lines.append(line) }
            // A single word longer than a line (a hex string, a URL) is cut rather than overflow.
            while width(indent + word) > room {
                let head = String(word.prefix(room - width(indent)))
                lines.append(indent + head)
                word.removeFirst(head.count)
            }
            line = indent + word
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines
    }

    /// "517 B", "3.2 kB", "1.4 MB" (decimal units, as Wireshark shows them).
    static func bytes(_ count: Int) -> String {
        if count < 1000 { return "\(count) B" }
        let units = ["kB", "MB", "GB", "TB"]
        var value = Double(count)
        var index = -1
        while value >= 1000 && index < units.count - 1 {
            value /= 1000
            index += 1
        }
        return decimal(value, places: value < 10 ? 1 : 0) + " " + units[index]
    }

    /// A duration for people: "312.4 ms", "4.877 s", "2 min 3 s", "3 h 12 min".
    static func duration(milliseconds ms: Double) -> String {
        guard ms.isFinite else { return "?" }
        if ms < 1000 { return decimal(ms, places: 1) + " ms" }
        let seconds = ms / 1000
        if seconds < 60 { return decimal(seconds, places: 3) + " s" }
        let total = Int(seconds.rounded(.down))
        if total < 3600 { return "\(total / 60) min \(total % 60) s" }
        return "\(total / 3600) h \((total % 3600) / 60) min"
    }

    /// Fixed-point formatting without Foundation's `String(format:)`.
    static func decimal(_ value: Double, places: Int) -> String {
        guard value.isFinite else { return "?" }
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9.0e15 else { return value.description }
        let units = Int(scaled)
        let divisor = Int(scale)
        var text = (value < 0 && units != 0 ? "-" : "") + String(units / divisor)
        if places > 0 {
            let fraction = String(units % divisor)
            text += "." + String(repeating: "0", count: places - fraction.count) + fraction
        }
        return text
    }

    static func endpoint(_ e: Endpoint) -> String {
        e.ip.contains(":") ? "[\(e.ip)]:\(e.port)" : "\(e.ip):\(e.port)"
    }

    static func frames(_ frames: [Int]) -> String {
        guard !frames.isEmpty else { return "" }
        return (frames.count == 1 ? "frame " : "frames ") + frames.map(String.init).joined(separator: ", ")
    }
}

/// A table whose columns shrink (most slack first, with "…") until the row fits the terminal;
/// on a terminal too narrow even for that, optional columns are left out.
struct TextTable {
    struct Column {
        var title: String
        var rightAligned = false
        /// Columns below this are not shrunk further.
        var minimum = 4
        /// Columns are first shrunk only down to this, so the informative ones keep their room
        /// until every column is down to it.
        var keep: Int? = nil
        /// Optional columns are left out when the table cannot fit, lowest rank first.
        var dropRank: Int? = nil
    }
    var columns: [Column]
    var rows: [[String]] = []
    /// Styling applied after padding, so escapes never count towards widths.
    var rowStyles: [(String) -> String] = []

    func render(width: Int, indent: String = "  ", styleColumn: Int? = nil) -> [String] {
        let separator = 2
        var natural = columns.map { Terminal.width($0.title) }
        for row in rows {
            for (i, cell) in row.enumerated() where i < natural.count {
                natural[i] = max(natural[i], Terminal.width(cell))
            }
        }
        let room = width - Terminal.width(indent)
        var shown = Array(columns.indices)
        func floorWidth(_ i: Int) -> Int { min(natural[i], max(columns[i].minimum, 1)) }
        while shown.reduce(0, { $0 + floorWidth($1) }) + separator * (shown.count - 1) > room {
            let droppable = shown.filter { columns[$0].dropRank != nil }
            guard let drop = droppable.min(by: { (columns[$0].dropRank ?? 0) < (columns[$1].dropRank ?? 0) }) else {
                break
            }
            shown.removeAll { $0 == drop }
        }
        var widths = shown.map { natural[$0] }
        var excess = widths.reduce(0, +) + separator * max(shown.count - 1, 0) - room
        func shrinkOne(floor: (Column) -> Int) -> Bool {
            var best = -1
            var bestSlack = 0
            for (k, i) in shown.enumerated() {
                let slack = widths[k] - max(floor(columns[i]), 1)
                if slack > bestSlack {
                    best = k
                    bestSlack = slack
                }
            }
            guard best >= 0 else { return false }
            widths[best] -= 1
            return true
        }
        while excess > 0, shrinkOne(floor: { max($0.keep ?? $0.minimum, $0.minimum) }) || shrinkOne(floor: \.minimum) {
            excess -= 1
        }
        func line(_ cells: [String], styler: ((String) -> String)?) -> String {
            var parts: [String] = []
            for (k, i) in shown.enumerated() {
                let cell = Terminal.truncate(i < cells.count ? cells[i] : "", to: widths[k])
                let isLast = k == shown.count - 1
                var text =
                    isLast && !columns[i].rightAligned
                    ? cell : Terminal.pad(cell, to: widths[k], right: columns[i].rightAligned)
                if i == styleColumn, let styler { text = styler(text) }
                parts.append(text)
            }
            return indent + parts.joined(separator: String(repeating: " ", count: separator))
        }
        var out = [line(columns.map(\.title), styler: nil)]
        for (index, row) in rows.enumerated() {
            out.append(line(row, styler: index < rowStyles.count ? rowStyles[index] : nil))
        }
        return out
    }
}
