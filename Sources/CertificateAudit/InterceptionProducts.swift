import Foundation
/// Issuer names of TLS-inspection products (proxies, firewalls, endpoint security suites that
/// re-sign server certificates). Data, not logic: add entries here. Each pattern is matched
/// case-insensitively as whole words against the issuer and subject DN text of the chain's CAs.
///
/// Deliberately absent: bare "Symantec", "Cloudflare", "Cisco", "McAfee" — those names also
/// appear in public CAs or unrelated products; the specific inspection CA names are listed instead.
public enum InterceptionProducts {
    public struct Entry: Sendable {
        public var product: String
        public var patterns: [String]
    }

    public static let known: [Entry] = [
        Entry(product: "Zscaler", patterns: ["Zscaler"]),
        Entry(product: "Netskope", patterns: ["Netskope", "goskope.com"]),
        Entry(product: "Palo Alto Networks", patterns: ["Palo Alto Networks", "PAN-OS", "Prisma Access"]),
        Entry(product: "Fortinet FortiGate", patterns: ["Fortinet", "FortiGate", "FortiProxy"]),
        Entry(product: "Cisco Umbrella", patterns: ["Cisco Umbrella", "OpenDNS"]),
        Entry(
            product: "Blue Coat / Symantec ProxySG",
            patterns: ["Blue Coat", "BlueCoat", "ProxySG", "Symantec Web Security", "Symantec SSL Visibility"]),
        Entry(product: "Forcepoint / Websense", patterns: ["Forcepoint", "Websense"]),
        Entry(product: "Sophos", patterns: ["Sophos"]),
        Entry(product: "Check Point", patterns: ["Check Point", "CheckPoint"]),
        Entry(
            product: "McAfee / Skyhigh Web Gateway", patterns: ["McAfee Web Gateway", "Skyhigh", "McAfee Web Gateway"]),
        Entry(product: "Kaspersky", patterns: ["Kaspersky"]),
        Entry(product: "ESET", patterns: ["ESET SSL Filter", "ESET"]),
        Entry(product: "Avast / AVG", patterns: ["Avast", "AVG Web", "AVG Technologies"]),
        Entry(product: "Bitdefender", patterns: ["Bitdefender"]),
        Entry(product: "Untangle", patterns: ["Untangle"]),
        Entry(product: "Barracuda", patterns: ["Barracuda"]),
        Entry(product: "WatchGuard", patterns: ["WatchGuard"]),
        Entry(product: "SonicWall", patterns: ["SonicWall", "SonicWALL"]),
        Entry(
            product: "Cloudflare Gateway",
            patterns: ["Cloudflare for Teams", "Cloudflare Managed", "Gateway CA - Cloudflare"]),
        Entry(product: "Menlo Security", patterns: ["Menlo Security"]),
        Entry(product: "iboss", patterns: ["iboss"]),
        Entry(product: "Smoothwall", patterns: ["Smoothwall"]),
        Entry(product: "Lightspeed Systems", patterns: ["Lightspeed Systems"]),
        Entry(product: "Securly", patterns: ["Securly"]),
        Entry(product: "ContentKeeper", patterns: ["ContentKeeper"]),
        Entry(product: "Microsoft Defender for Endpoint / Entra Internet Access", patterns: ["Global Secure Access"]),
        Entry(product: "mitmproxy", patterns: ["mitmproxy"]),
        Entry(product: "Fiddler", patterns: ["DO_NOT_TRUST_FiddlerRoot", "Fiddler"]),
        Entry(product: "Charles Proxy", patterns: ["Charles Proxy"]),
        Entry(product: "Burp Suite", patterns: ["PortSwigger"]),
    ]

    /// Generic words that inspection CAs put in their names.
    public static let genericMarkers = [
        "SSL Inspection", "TLS Inspection", "SSL Decryption", "Intercept", "Interception", "Decrypt",
        "Decryption", "Forward Trust", "Forward Untrust", "MITM", "Man in the Middle", "DPI-SSL", "SSL Proxy",
    ]

    /// The product (or "generic marker 'X'") whose pattern occurs in `text`, or nil.
    public static func match(_ text: String) -> String? {
        if let cached = cache.lookup(text) { return cached }
        let result = uncachedMatch(text)
        cache.store(text, result)
        return result
    }

    /// Every audit of a cached chain asks about the same few CA names; the answer is a pure
    /// function of the name.
    private static let cache = MatchCache()

    private final class MatchCache: @unchecked Sendable {
        private let lock = NSLock()
        private var answers: [String: String?] = [:]

        func lookup(_ text: String) -> String?? {
            lock.lock()
            defer { lock.unlock() }
            return answers[text]
        }

        func store(_ text: String, _ answer: String?) {
            lock.lock()
            defer { lock.unlock() }
            if answers.count >= 4096 { answers.removeAll(keepingCapacity: true) }
            answers[text] = .some(answer)
        }
    }

    static func uncachedMatch(_ text: String) -> String? {
        for entry in known {
            for pattern in entry.patterns where containsWords(text, pattern) { return entry.product }
        }
        for marker in genericMarkers where containsWords(text, marker) {
            return "a TLS-inspection CA (its name contains \"\(marker)\")"
        }
        return nil
    }

    /// Case-insensitive occurrence of `phrase` bounded by non-alphanumerics (so "ESET" does not
    /// match "RESET").
    static func containsWords(_ text: String, _ phrase: String) -> Bool {
        let haystack = Array(text.lowercased().utf8)
        let needle = Array(phrase.lowercased().utf8)
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        func isWordByte(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7a) || b >= 0x80
        }
        var start = 0
        while start + needle.count <= haystack.count {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) {
                let beforeOK = start == 0 || !isWordByte(haystack[start - 1])
                let end = start + needle.count
                let afterOK = end == haystack.count || !isWordByte(haystack[end])
                if beforeOK && afterOK { return true }
            }
            start += 1
        }
        return false
    }
}
