/// A capture timestamp: seconds since the Unix epoch plus nanoseconds.
///
/// Captures carry micro- or nanosecond resolution; both are held as nanoseconds so that
/// arithmetic never mixes units. Rendering decides how many digits to show.
public struct Timestamp: Hashable, Comparable, Sendable {
    public var seconds: Int64
    public var nanoseconds: UInt32

    public init(seconds: Int64, nanoseconds: UInt32) {
        // Normalise so that callers cannot build two spellings of one instant.
        self.seconds = seconds + Int64(nanoseconds / 1_000_000_000)
        self.nanoseconds = nanoseconds % 1_000_000_000
    }

    public static let zero = Timestamp(seconds: 0, nanoseconds: 0)

    /// Nanoseconds since the epoch; saturates far outside any capture's range.
    public var totalNanoseconds: Int64 {
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return product &+ Int64(nanoseconds)
    }

    public init(totalNanoseconds: Int64) {
        var s = totalNanoseconds / 1_000_000_000
        var n = totalNanoseconds % 1_000_000_000
        if n < 0 {
            s -= 1
            n += 1_000_000_000
        }
        self.init(seconds: s, nanoseconds: UInt32(n))
    }

    /// Seconds since the epoch as a floating-point value (for durations and display only).
    public var timeIntervalSince1970: Double {
        Double(seconds) + Double(nanoseconds) / 1e9
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
    }

    /// Milliseconds from `earlier` to `self` (negative when `earlier` is later).
    public func milliseconds(since earlier: Timestamp) -> Double {
        Double(seconds - earlier.seconds) * 1000 + (Double(nanoseconds) - Double(earlier.nanoseconds)) / 1e6
    }

    public func adding(nanoseconds delta: Int64) -> Timestamp {
        Timestamp(totalNanoseconds: totalNanoseconds &+ delta)
    }

    /// RFC 3339 UTC, e.g. `2024-05-01T10:00:00.123456Z`; nine fraction digits when `nanosecondPrecision`.
    public func rfc3339(nanosecondPrecision: Bool = false) -> String {
        let days = floorDiv(seconds, 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = Self.civilDate(daysSinceEpoch: days)
        let hour = secondOfDay / 3600
        let minute = (secondOfDay % 3600) / 60
        let second = secondOfDay % 60
        var out = ""
        out.reserveCapacity(32)
        out += pad(year, 4) + "-" + pad(Int64(month), 2) + "-" + pad(Int64(day), 2)
        out += "T" + pad(hour, 2) + ":" + pad(minute, 2) + ":" + pad(second, 2) + "."
        if nanosecondPrecision {
            out += pad(Int64(nanoseconds), 9)
        } else {
            out += pad(Int64(nanoseconds / 1000), 6)
        }
        return out + "Z"
    }

    /// Proleptic Gregorian date from days since 1970-01-01 (Howard Hinnant's algorithm).
    public static func civilDate(daysSinceEpoch: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = daysSinceEpoch + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (y, Int(m), Int(d))
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    public static func daysSinceEpoch(year: Int64, month: Int, day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Parses RFC 3339 / ISO 8601 UTC or offset times (`2024-05-01T10:00:00Z`,
    /// `2024-05-01 10:00:00+02:00`, `2024-05-01`) — the forms users type for `--at`.
    public init?(rfc3339 text: String) {
        let chars = Array(text.utf8)
        var i = 0
        func number(_ count: Int) -> Int64? {
            guard i + count <= chars.count else { return nil }
            var value: Int64 = 0
            for k in 0..<count {
                let c = chars[i + k]
                guard c >= 48 && c <= 57 else { return nil }
                value = value * 10 + Int64(c - 48)
            }
            i += count
            return value
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < chars.count, chars[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = number(4), expect(UInt8(ascii: "-")), let month = number(2),
            expect(UInt8(ascii: "-")), let day = number(2),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var secs = Self.daysSinceEpoch(year: year, month: Int(month), day: Int(day)) * 86_400
        var nanos: Int64 = 0
        if i < chars.count {
            guard chars[i] == UInt8(ascii: "T") || chars[i] == UInt8(ascii: "t") || chars[i] == UInt8(ascii: " ")
            else { return nil }
            i += 1
            guard let h = number(2), expect(UInt8(ascii: ":")), let mi = number(2), h < 24, mi < 60 else {
                return nil
            }
            var s: Int64 = 0
            if expect(UInt8(ascii: ":")) {
                guard let parsed = number(2), parsed <= 60 else { return nil }
                s = parsed
            }
            if expect(UInt8(ascii: ".")) {
                var digits = 0
                while i < chars.count, chars[i] >= 48, chars[i] <= 57 {
                    if digits < 9 { nanos = nanos * 10 + Int64(chars[i] - 48) }
                    digits += 1
                    i += 1
                }
                guard digits > 0 else { return nil }
                for _ in min(digits, 9)..<9 { nanos *= 10 }
            }
            secs += h * 3600 + mi * 60 + s
            if i < chars.count {
                if chars[i] == UInt8(ascii: "Z") || chars[i] == UInt8(ascii: "z") {
                    i += 1
                } else if chars[i] == UInt8(ascii: "+") || chars[i] == UInt8(ascii: "-") {
                    let sign: Int64 = chars[i] == UInt8(ascii: "+") ? 1 : -1
                    i += 1
                    guard let oh = number(2) else { return nil }
                    _ = expect(UInt8(ascii: ":"))
                    guard let om = number(2) else { return nil }
                    secs -= sign * (oh * 3600 + om * 60)
                } else {
                    return nil
                }
            }
        }
        guard i == chars.count else { return nil }
        self.init(seconds: secs, nanoseconds: UInt32(nanos))
    }
}

@inline(__always)
private func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

private func pad(_ value: Int64, _ width: Int) -> String {
    let digits = String(value < 0 ? -value : value)
    let padding = digits.count < width ? String(repeating: "0", count: width - digits.count) : ""
    return (value < 0 ? "-" : "") + padding + digits
}
