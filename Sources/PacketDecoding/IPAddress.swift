/// An IPv4 or IPv6 address held inline (no heap), cheap to hash and compare: flow keys use it.
public enum IPAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    case v4(UInt32)
    /// High and low 64 bits, network order.
    case v6(UInt64, UInt64)

    public var isIPv6: Bool {
        if case .v6 = self { return true }
        return false
    }

    /// Parses dotted-quad IPv4 or textual IPv6 ("2001:db8::1", "::ffff:1.2.3.4").
    public init?(_ text: String) {
        if text.contains(":") {
            guard let value = parseIPv6(Array(text.utf8)) else { return nil }
            self = .v6(value.0, value.1)
        } else {
            guard let value = parseIPv4(Array(text.utf8)) else { return nil }
            self = .v4(value)
        }
    }

    /// Network-order bytes (4 or 16).
    public var bytes: [UInt8] {
        switch self {
        case .v4(let a): return (0..<4).map { UInt8(truncatingIfNeeded: a >> (24 - 8 * $0)) }
        case .v6(let h, let l):
            return (0..<8).map { UInt8(truncatingIfNeeded: h >> (56 - 8 * $0)) }
                + (0..<8).map { UInt8(truncatingIfNeeded: l >> (56 - 8 * $0)) }
        }
    }

    /// Wireshark's rendering: dotted quad; RFC 5952 IPv6 (lowercase, longest zero run
    /// compressed, first on ties) with the IPv4 tail Wireshark prints for compatible and mapped
    /// addresses.
    public var description: String {
        switch self {
        case .v4(let a): return dottedQuad(a)
        case .v6(let high, let low): return ipv6Text(high: high, low: low)
        }
    }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        switch (lhs, rhs) {
        case (.v4(let a), .v4(let b)): return a < b
        case (.v4, .v6): return true
        case (.v6, .v4): return false
        case (.v6(let ah, let al), .v6(let bh, let bl)): return (ah, al) < (bh, bl)
        }
    }
}

/// Written as bytes: at most 15, so the result is a small (inline) string; interpolation
/// would build and grow a heap string for every connection's two endpoints.
private func dottedQuad(_ a: UInt32) -> String {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 15) { out in
        var count = 0
        for shift in stride(from: 24, through: 0, by: -8) {
            let octet = Int((a >> UInt32(shift)) & 0xff)
            if shift != 24 {
                out[count] = UInt8(ascii: ".")
                count += 1
            }
            if octet >= 100 {
                out[count] = UInt8(48 + octet / 100)
                count += 1
            }
            if octet >= 10 {
                out[count] = UInt8(48 + (octet / 10) % 10)
                count += 1
            }
            out[count] = UInt8(48 + octet % 10)
            count += 1
        }
        return String(decoding: UnsafeBufferPointer(rebasing: out[..<count]), as: UTF8.self)
    }
}

private func ipv6Text(high: UInt64, low: UInt64) -> String {
    var words = [UInt16](repeating: 0, count: 8)
    for i in 0..<4 {
        words[i] = UInt16(truncatingIfNeeded: high >> (48 - 16 * i))
        words[i + 4] = UInt16(truncatingIfNeeded: low >> (48 - 16 * i))
    }
    // Longest run of zero words (first one on ties); runs of one word stay uncompressed.
    var bestStart = -1
    var bestLength = 0
    var i = 0
    while i < 8 {
        if words[i] == 0 {
            var j = i
            while j < 8 && words[j] == 0 { j += 1 }
            if j - i > bestLength {
                bestStart = i
                bestLength = j - i
            }
            i = j
        } else {
            i += 1
        }
    }
    if bestLength < 2 { bestStart = -1 }
    // Wireshark prints IPv4-compatible and IPv4-mapped addresses with a dotted tail (checked
    // with tshark 4.0; the translated form ::ffff:0:a.b.c.d stays hexadecimal).
    if bestStart == 0 && (bestLength == 6 || (bestLength == 5 && words[5] == 0xffff)) {
        let tail = dottedQuad(UInt32(truncatingIfNeeded: low))
        return (bestLength == 6 ? "::" : "::ffff:") + tail
    }
    var out = ""
    var k = 0
    while k < 8 {
        if k == bestStart {
            out += "::"
            k += bestLength
            continue
        }
        if !out.isEmpty && !out.hasSuffix(":") { out += ":" }
        out += String(words[k], radix: 16)
        k += 1
    }
    return out
}

private func parseIPv4(_ chars: [UInt8]) -> UInt32? {
    var parts: [UInt32] = []
    var current: UInt32 = 0
    var digits = 0
    for c in chars {
        if c == UInt8(ascii: ".") {
            guard digits > 0 else { return nil }
            parts.append(current)
            current = 0
            digits = 0
        } else if c >= 48 && c <= 57 {
            current = current * 10 + UInt32(c - 48)
            digits += 1
            guard digits <= 3, current <= 255 else { return nil }
        } else {
            return nil
        }
    }
    guard digits > 0 else { return nil }
    parts.append(current)
    guard parts.count == 4 else { return nil }
    return parts[0] << 24 | parts[1] << 16 | parts[2] << 8 | parts[3]
}

private func parseIPv6(_ chars: [UInt8]) -> (UInt64, UInt64)? {
    var text = chars
    var tailWords: [UInt16] = []
    // A dotted IPv4 tail becomes the last two words.
    if let lastColon = text.lastIndex(of: UInt8(ascii: ":")), text[(lastColon + 1)...].contains(UInt8(ascii: ".")) {
        guard let v4 = parseIPv4(Array(text[(lastColon + 1)...])) else { return nil }
        tailWords = [UInt16(v4 >> 16), UInt16(v4 & 0xffff)]
        text = Array(text[...lastColon])
        if text.count >= 2 && text[text.count - 2] != UInt8(ascii: ":") { text.removeLast() }
    }
    func words(_ part: ArraySlice<UInt8>) -> [UInt16]? {
        if part.isEmpty { return [] }
        var out: [UInt16] = []
        for group in part.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false) {
            guard !group.isEmpty, group.count <= 4,
                let value = UInt16(String(decoding: group, as: UTF8.self), radix: 16)
            else { return nil }
            out.append(value)
        }
        return out
    }
    var all: [UInt16]
    if let gap = findDoubleColon(text) {
        guard let head = words(text[..<gap]), let rest = words(text[(gap + 2)...]) else { return nil }
        let tail = rest + tailWords
        guard head.count + tail.count <= 7 else { return nil }
        all = head + [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
    } else {
        guard let plain = words(text[...]) else { return nil }
        all = plain + tailWords
    }
    guard all.count == 8 else { return nil }
    var high: UInt64 = 0
    var low: UInt64 = 0
    for i in 0..<4 {
        high = high << 16 | UInt64(all[i])
        low = low << 16 | UInt64(all[i + 4])
    }
    return (high, low)
}

private func findDoubleColon(_ text: [UInt8]) -> Int? {
    guard text.count >= 2 else { return nil }
    for i in 0..<(text.count - 1) where text[i] == UInt8(ascii: ":") && text[i + 1] == UInt8(ascii: ":") {
        return i
    }
    return nil
}
