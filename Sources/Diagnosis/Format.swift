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
        var shown: FindingText = "\(joined: items.prefix(limit), separator: ", ")"
        if items.count > limit { shown += " and \(items.count - limit) more" }
        return shown.string
    }

    static func endpoint(_ endpoint: Endpoint) -> String {
        // A byte test: `contains(":")` compared Characters.
        endpoint.ip.utf8.contains(UInt8(ascii: ":"))
            ? "[\(endpoint.ip)]:\(endpoint.port)" : "\(endpoint.ip):\(endpoint.port)"
    }

    /// Frames for `Finding.frames`: the trigger first, then the evidence ascending, no repeats.
    static func frames(trigger: Int?, _ evidence: [Int?]) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(evidence.count + 1)
        if let trigger { out.append(trigger) }
        let start = out.count
        // The evidence sorted in place behind the trigger (insertion sort: a handful of frames),
        // skipping repeats of anything already listed.
        for case let frame? in evidence where !out.contains(frame) {
            var position = out.count
            while position > start && out[position - 1] > frame { position -= 1 }
            out.insert(frame, at: position)
        }
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

/// Substring tests over UTF-8 bytes for the ASCII names the pipeline writes (cipher suites),
/// where `String.contains` compares Characters and `uppercased()` allocates a copy.
enum ASCIIText {
    /// Whether `text` contains `needle` (an ASCII upper-case literal when `ignoringCase`). Text
    /// that is not ASCII takes the Unicode-aware path, so the answer never differs from it.
    static func contains(_ text: String, _ needle: StaticString, ignoringCase: Bool = false) -> Bool {
        let pattern = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        let ascii = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool? in
            guard !bytes.contains(where: { $0 >= 0x80 }) else { return nil }
            return find(pattern, in: bytes, ignoringCase: ignoringCase)
        }
        if let answer = ascii ?? nil { return answer }
        let needleText = needle.description
        return ignoringCase ? text.uppercased().contains(needleText) : text.contains(needleText)
    }

    private static func find(
        _ pattern: UnsafeBufferPointer<UInt8>, in bytes: UnsafeBufferPointer<UInt8>, ignoringCase: Bool
    ) -> Bool {
        guard pattern.count <= bytes.count else { return false }
        if pattern.isEmpty { return true }
        for start in 0...(bytes.count - pattern.count) {
            var index = 0
            while index < pattern.count {
                var byte = bytes[start + index]
                if ignoringCase && byte >= 0x61 && byte <= 0x7a { byte &-= 0x20 }
                if byte != pattern[index] { break }
                index += 1
            }
            if index == pattern.count { return true }
        }
        return false
    }
}
