import Testing

@testable import CertificateAudit

/// RFC 6125 section 6.4.3 (wildcards) and 6.4.1/6.4.2 (traditional names, IDNs).
@Suite("RFC 6125 name matching")
struct HostnameMatcherTests {
    @Test(arguments: [
        // 6.4.3: "*.example.com" matches "foo.example.com" but not "bar.foo.example.com" or "example.com".
        ("*.example.com", "foo.example.com", true),
        ("*.example.com", "bar.foo.example.com", false),
        ("*.example.com", "example.com", false),
        // 6.4.3: partial-label wildcards "baz*.example.net", "*baz.example.net", "b*z.example.net".
        ("baz*.example.net", "baz1.example.net", true),
        ("*baz.example.net", "foobaz.example.net", true),
        ("b*z.example.net", "buzz.example.net", true),
        ("b*z.example.net", "bz.example.net", false),  // the wildcard matches at least one character
        // Wildcard only in the left-most label; only one.
        ("foo.*.example.com", "foo.bar.example.com", false),
        ("*.*.example.com", "a.b.example.com", false),
        // Never inside an A-label (6.4.3, last paragraph).
        ("xn--*.example.com", "xn--bcher-kva.example.com", false),
        // 6.4.1: case-insensitive ASCII; a trailing dot is insignificant.
        ("WWW.Example.COM", "www.example.com", true),
        ("www.example.com.", "www.example.com", true),
        ("www.example.com", "www.example.com.", true),
        ("www.example.com", "www.example.org", false),
        // 6.4.2: IDNs compare as A-labels.
        ("xn--bcher-kva.example", "xn--bcher-kva.example", true),
        ("xn--bcher-kva.example", "bücher.example", false),  // U-label reference: not a DNS name on the wire
        // A wildcard reference identifier never matches.
        ("www.example.com", "*.example.com", false),
        ("", "example.com", false),
        ("exa mple.com", "exa mple.com", false),
    ])
    func rfc6125(presented: String, reference: String, expected: Bool) {
        #expect(HostnameMatcher.matches(presented: presented, reference: reference) == expected)
    }

    @Test func ipLiterals() {
        #expect(HostnameMatcher.isIPAddress("192.0.2.1"))
        #expect(HostnameMatcher.isIPAddress("2001:db8::1"))
        #expect(!HostnameMatcher.isIPAddress("www.example.com"))
        #expect(!HostnameMatcher.isIPAddress("1.2.3"))
        #expect(!HostnameMatcher.isIPAddress("256.1.1.1"))
    }

    @Test func ipv6Rendering() {
        func bytes(_ groups: [UInt16]) -> [UInt8] { groups.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] } }
        #expect(IPAddressText.render(bytes([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1])) == "2001:db8::1")
        #expect(IPAddressText.render(bytes([0x2001, 0xdb8, 0, 1, 0, 0, 0, 1])) == "2001:db8:0:1::1")
        #expect(IPAddressText.render(bytes([0, 0, 0, 0, 0, 0, 0, 0])) == "::")
        #expect(IPAddressText.render(bytes([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1])) == "2001:db8:0:1:1:1:1:1")
        #expect(IPAddressText.render([10, 0, 0, 1]) == "10.0.0.1")
    }
}
