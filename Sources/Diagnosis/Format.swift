import TLSFlowModel

/// Wording helpers so every finding states durations, sizes and lists the same way.
enum Format {
    /// "120 ms", "4.3 s", "2 min 5 s".
    static func duration(ms: Double) -> String {
        guard ms.isFinite else { return "?" }
        // Hostile timestamps can be decades apart; cap so integer conversion never traps.
        let value = min(max(ms, 0), 1e13)
        if value < 1 { return String(format1: value) + " ms" }
        if value < 1000 { return String(Int(value.rounded())) + " ms" }
        let seconds = value / 1000
        if seconds < 120 { return String(format1: seconds) + " s" }
        let whole = Int(seconds.rounded())
        return "\(whole / 60) min \(whole % 60) s"
    }

    static func duration(from start: Timestamp, to end: Timestamp) -> String {
        duration(ms: end.milliseconds(since: start))
    }

    static func bytes(_ count: Int) -> String { count == 1 ? "1 byte" : "\(count) bytes" }

    static func plural(_ count: Int, _ singular: String, _ pluralForm: String? = nil) -> String {
        "\(count) " + (count == 1 ? singular : (pluralForm ?? singular + "s"))
    }

    /// "A, B, C and 12 more".
    static func list(_ items: [String], limit: Int = 4) -> String {
        guard !items.isEmpty else { return "none" }
        let shown = items.prefix(limit).joined(separator: ", ")
        return items.count > limit ? shown + " and \(items.count - limit) more" : shown
    }

    static func endpoint(_ endpoint: Endpoint) -> String {
        endpoint.ip.contains(":") ? "[\(endpoint.ip)]:\(endpoint.port)" : "\(endpoint.ip):\(endpoint.port)"
    }

    /// Frames for `Finding.frames`: the trigger first, then the evidence ascending, no repeats.
    static func frames(trigger: Int?, _ evidence: [Int?]) -> [Int] {
        var out: [Int] = []
        if let trigger { out.append(trigger) }
        for frame in evidence.compactMap({ $0 }).sorted() where !out.contains(frame) { out.append(frame) }
        return out
    }

    static func sni(_ connection: Connection) -> String {
        if let sni = connection.clientHello?.sni, !sni.isEmpty { return "SNI \(sni)" }
        return "no SNI"
    }
}

extension String {
    /// One decimal place without Foundation.
    init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(abs(tenths % 10))"
    }
}
