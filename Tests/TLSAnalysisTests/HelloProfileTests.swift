import TLSWire
import Testing

@testable import TLSAnalysis

/// The hello profile cache must hand out exactly what a fresh profile holds.
@Suite struct HelloProfileTests {
    static func fields(_ p: ClientHelloProfile) -> [String] {
        [p.legacyVersion, p.ja3String, p.ja3, p.ja4, "\(p.cipherSuiteValues)", "\(p.offersTLS13)"] + p.supportedVersions
            + ["|"]
            + p.cipherSuites + ["|"] + p.alpn + ["|"] + p.groups + ["|"] + p.keyShareGroups + ["|"]
            + p.signatureAlgorithms
    }

    static func fields(_ p: ServerHelloProfile) -> [String] {
        ["\(p.version.rawValue)", p.versionName, p.cipherSuite, p.alpn ?? "nil", p.ja4s]
    }

    /// A ClientHello body with the given suites and extensions.
    static func clientHello(suites: [Int], extensions: [(Int, [UInt8])]) -> ClientHello {
        let body =
            TLSBytes.u16(0x0303) + [UInt8](repeating: 7, count: 32) + [0] + TLSBytes.u16(suites.count * 2)
            + suites.flatMap { TLSBytes.u16($0) } + [1, 0] + TLSBytes.extensionBlock(extensions)
        return try! ClientHello(parsing: body)
    }

    static func keyShare(_ entries: [(Int, Int)]) -> [UInt8] {
        let list = entries.flatMap { TLSBytes.u16($0.0) + TLSBytes.u16($0.1) + [UInt8](repeating: 0xab, count: $0.1) }
        return TLSBytes.u16(list.count) + list
    }

    /// Hellos that differ in one input of the profile each, or only in what the profile ignores.
    static var variants: [ClientHello] {
        let groups: (Int, [UInt8]) = (10, TLSBytes.u16(4) + TLSBytes.u16(29) + TLSBytes.u16(23))
        let alpn: (Int, [UInt8]) = (16, TLSBytes.u16(3) + [2] + Array("h2".utf8))
        let versions: (Int, [UInt8]) = (43, [4, 0x03, 0x04, 0x03, 0x03])
        let signatures: (Int, [UInt8]) = (13, TLSBytes.u16(4) + TLSBytes.u16(0x0403) + TLSBytes.u16(0x0804))
        let base = [TLSBytes.sni("a.test"), groups, alpn, versions, signatures]
        var hellos: [ClientHello] = []
        for suites in [[0x1301, 0x1302], [0x1302, 0x1301], [0x0a0a, 0x1301, 0xc02f]] {
            hellos.append(clientHello(suites: suites, extensions: base))
            hellos.append(clientHello(suites: suites, extensions: base + [(51, keyShare([(29, 32)]))]))
            // Same group, other key bytes length: the same profile.
            hellos.append(clientHello(suites: suites, extensions: base + [(51, keyShare([(29, 16)]))]))
            hellos.append(clientHello(suites: suites, extensions: base + [(51, keyShare([(29, 32), (23, 65)]))]))
            hellos.append(clientHello(suites: suites, extensions: base + [(40, keyShare([(23, 65)]))]))
            // Malformed key share (an empty key_exchange): no groups.
            hellos.append(clientHello(suites: suites, extensions: base + [(51, keyShare([(29, 0)]))]))
            hellos.append(clientHello(suites: suites, extensions: [TLSBytes.sni("b.test"), groups, versions]))
            hellos.append(clientHello(suites: suites, extensions: [groups, (10, TLSBytes.u16(2) + TLSBytes.u16(24))]))
            hellos.append(clientHello(suites: suites, extensions: [alpn, (16, [0, 1])]))
            // Too large to cache: worked out every time.
            hellos.append(clientHello(suites: suites, extensions: base + [(13, [UInt8](repeating: 1, count: 2000))]))
        }
        return hellos
    }

    @Test func cachedClientProfilesMatchFreshOnes() {
        let hellos = Self.variants
        for round in 0..<3 {
            for hello in round == 1 ? hellos.reversed() : hellos {
                #expect(Self.fields(ClientHelloProfile.of(hello)) == Self.fields(ClientHelloProfile(hello)))
            }
        }
    }

    @Test func cachedServerProfilesMatchFreshOnes() throws {
        var hellos: [ServerHello] = []
        for suite in [0x1301, 0x1302, 0xc02f] {
            for extensions in [[], [(43, TLSBytes.u16(0x0304))], [(16, TLSBytes.u16(3) + [2] + Array("h2".utf8))]] {
                let body =
                    TLSBytes.u16(0x0303) + [UInt8](repeating: 9, count: 32) + [0] + TLSBytes.u16(suite) + [0]
                    + TLSBytes.extensionBlock(extensions)
                hellos.append(try ServerHello(parsing: body))
            }
        }
        for _ in 0..<2 {
            for hello in hellos {
                #expect(Self.fields(ServerHelloProfile.of(hello)) == Self.fields(ServerHelloProfile(hello)))
            }
        }
    }

    final class Box: Sendable {
        let value: Int
        init(_ value: Int) { self.value = value }
    }

    @Test func cacheReturnsOnlyTheProfileOfTheSameKey() {
        let cache = HelloProfileCache<Box>()
        // More keys than slots, so slots are shared and entries replaced; every answer must
        // still be the profile made for that very key.
        let count = HelloProfileCache<Box>.slotCount * 3
        for round in 0..<2 {
            for i in 0..<count {
                let key: [UInt8] = [UInt8(i >> 8), UInt8(i & 0xff), UInt8(round)]
                let box = key.withUnsafeBytes { cache.profile(for: $0) { Box(i) } }
                #expect(box.value == i)
            }
        }
        let key: [UInt8] = [1, 2, 3]
        let first = key.withUnsafeBytes { cache.profile(for: $0) { Box(-1) } }
        let again = key.withUnsafeBytes { cache.profile(for: $0) { Box(-2) } }
        #expect(first === again)
    }

    @Test func keyOverflowIsReported() {
        withUnsafeTemporaryAllocation(byteCount: 8, alignment: 8) { buffer in
            var key = HelloKey(buffer)
            key.put(1)
            key.put(bytes: [1, 2, 3, 4])
            #expect(key.bytes?.count == 8)
            key.put(2)
            #expect(key.bytes == nil)
        }
    }
}
