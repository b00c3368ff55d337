/// RFC 6125 section 6.4 matching of one presented DNS identifier (a SAN dNSName or a CN) against
/// a reference identifier (the SNI). Used for the CN, which swift-certificates' ServerIdentityPolicy
/// does not let us test on its own; its rules follow that policy so both agree on SAN entries:
/// ASCII case-insensitive, one trailing dot ignored, a wildcard only inside the left-most label,
/// matching one or more characters of exactly one label, never inside an A-label ("xn--").
public enum HostnameMatcher {
    public static func matches(presented: String, reference: String) -> Bool {
        guard let target = normalized(reference, allowWildcard: false),
            let pattern = normalized(presented, allowWildcard: true)
        else { return false }
        let patternLabels = pattern.split(separator: ".", omittingEmptySubsequences: false)
        let targetLabels = target.split(separator: ".", omittingEmptySubsequences: false)
        guard !patternLabels.contains(where: \.isEmpty), !targetLabels.contains(where: \.isEmpty),
            patternLabels.count == targetLabels.count, let first = patternLabels.first,
            let targetFirst = targetLabels.first
        else { return false }
        // Only the first label may hold the wildcard (checked in `normalized`); the rest compare exactly.
        guard patternLabels.dropFirst().elementsEqual(targetLabels.dropFirst()) else { return false }
        guard let star = first.firstIndex(of: "*") else { return first == targetFirst }
        if first.hasPrefix("xn--") { return false }
        let prefix = first[..<star]
        let suffix = first[first.index(after: star)...]
        guard targetFirst.count >= prefix.count + suffix.count + 1 else { return false }
        return targetFirst.hasPrefix(prefix) && targetFirst.hasSuffix(suffix)
    }

    /// Lowercased ASCII name without its trailing dot; nil when it cannot be a DNS name
    /// (non-ASCII, spaces, a misplaced or second wildcard).
    static func normalized(_ name: String, allowWildcard: Bool) -> String? {
        var bytes = Array(name.utf8)
        if bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
        guard !bytes.isEmpty, bytes.count <= 253 else { return nil }
        var sawStar = false
        var sawDot = false
        for (index, byte) in bytes.enumerated() {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
                continue
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                bytes[index] = byte | 0x20
            case UInt8(ascii: "."):
                sawDot = true
            case UInt8(ascii: "*") where allowWildcard && !sawStar && !sawDot:
                sawStar = true
            default:
                return nil
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether `name` is an IPv4 or IPv6 literal (then it is matched against IP SANs only).
    public static func isIPAddress(_ name: String) -> Bool {
        var sawColon = false
        var onlyDigitsAndDots = true
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."): continue
            case UInt8(ascii: ":"): sawColon = true
            case UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"): onlyDigitsAndDots = false
            default: return false
            }
        }
        if sawColon { return true }
        return onlyDigitsAndDots && ipv4Octets(name) != nil
    }

    static func ipv4Octets(_ name: String) -> [UInt8]? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let value = UInt8(part) else {
                return nil
            }
            out.append(value)
        }
        return out
    }
}
