import Testing

@testable import TLSWire

/// The worked examples of FoxIO's JA4.md / JA4S.md and a hand-computed JA3.
struct FingerprintTests {
    /// JA4.md's example hello: ciphers and extensions in the order it lists, plus GREASE that
    /// must not change anything.
    static func specExampleHello() throws -> ClientHello {
        var b = HelloBuilder()
        b.cipherSuites = [
            0x0a0a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c,
            0x009d, 0x002f, 0x0035,
        ]
        let order: [UInt16] = [
            0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01,
            0x000b, 0x000a, 0x0015,
        ]
        b.extensions = [(0x1a1a, [])]
        for type in order {
            switch type {
            case 0x0000: b.extensions.append(Ext.sni("example.com"))
            case 0x0010: b.extensions.append(Ext.alpn("h2", "http/1.1"))
            case 0x002b: b.extensions.append(Ext.supportedVersions(0x2a2a, 0x0304, 0x0303))
            case 0x000d:
                b.extensions.append(
                    Ext.signatureAlgorithms(0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601))
            default: b.extensions.append((type, []))
            }
        }
        return try ClientHello(parsing: b.clientHello())
    }

    @Test func ja4SpecExample() throws {
        let ja4 = JA4(try Self.specExampleHello())
        #expect(ja4.ja4 == "t13d1516h2_8daaf6152771_e5627efa2ab1")
        #expect(
            ja4.ja4r
                == "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601"
        )
        #expect(
            ja4.ja4ro
                == "t13d1516h2_1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035_001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,000b,000a,0015_0403,0804,0401,0503,0805,0501,0806,0601"
        )
        #expect(ja4.ja4o == "t13d1516h2_acb858a92679_18f69afefd3d")
        #expect(JA4(try Self.specExampleHello(), transport: .quic).ja4.hasPrefix("q13d1516h2_"))
    }

    @Test func ja4WithoutSignatureAlgorithmsHasNoTrailingUnderscore() throws {
        var b = HelloBuilder()
        b.cipherSuites = [0x002f]
        b.extensions = [(0x0005, []), (0x000a, u16(2) + u16(29))]
        let ja4 = JA4(try ClientHello(parsing: b.clientHello()))
        #expect(ja4.ja4r == "t12i010200_002f_0005,000a")
        #expect(ja4.ja4 == "t12i010200_\(JA4.hash12("002f"))_\(JA4.hash12("0005,000a"))")
    }

    @Test func ja4EmptyListsHashToZeros() throws {
        var b = HelloBuilder()
        b.version = 0x0300
        b.omitExtensionBlock = true
        b.cipherSuites = [0x0a0a, 0x0004]
        #expect(JA4(try ClientHello(parsing: b.clientHello())).ja4 == "ts3i010000_\(JA4.hash12("0004"))_000000000000")
        b.version = 0x0303
        b.omitExtensionBlock = false
        b.extensions = [Ext.sni("a.example"), Ext.alpn("h2")]
        let onlySNIAndALPN = JA4(try ClientHello(parsing: b.clientHello()))
        #expect(onlySNIAndALPN.ja4.hasSuffix("_000000000000"))
        #expect(onlySNIAndALPN.ja4.hasPrefix("t12d0102h2_"))
        #expect(JA4.hash12("") == "000000000000")
    }

    @Test func ja4VersionFromSupportedVersions() throws {
        var b = HelloBuilder()
        b.version = 0x0301
        b.extensions = [Ext.supportedVersions(0x7a7a, 0x0303, 0x0302)]
        #expect(JA4(try ClientHello(parsing: b.clientHello())).ja4.hasPrefix("t12i"))
        b.extensions = [Ext.supportedVersions(0x7f1c)]
        #expect(JA4(try ClientHello(parsing: b.clientHello())).ja4.hasPrefix("t00i"))
        b.extensions = []
        #expect(JA4(try ClientHello(parsing: b.clientHello())).ja4.hasPrefix("t10i"))
    }

    @Test func ja4CountsCapAt99() throws {
        var b = HelloBuilder()
        b.cipherSuites = (1...150).map { UInt16($0) }
        #expect(JA4(try ClientHello(parsing: b.clientHello())).ja4.hasPrefix("t12i9900"))
    }

    @Test func ja4ALPNCharacterRules() {
        #expect(JA4.alpnCode(Array("h2".utf8)) == "h2")
        #expect(JA4.alpnCode(Array("http/1.1".utf8)) == "h1")
        #expect(JA4.alpnCode(Array("h".utf8)) == "hh")
        #expect(JA4.alpnCode(nil) == "00")
        #expect(JA4.alpnCode([]) == "00")
        // JA4.md's examples for non-alphanumeric first or last bytes.
        #expect(JA4.alpnCode([0xab]) == "ab")
        #expect(JA4.alpnCode([0xab, 0xcd]) == "ad")
        #expect(JA4.alpnCode([0x30, 0xab]) == "3b")
        #expect(JA4.alpnCode([0x30, 0x31, 0xab, 0xcd]) == "3d")
        #expect(JA4.alpnCode([0x30, 0xab, 0xcd, 0x31]) == "01")
    }

    @Test func ja4sSpecExample() throws {
        var b = HelloBuilder()
        b.extensions = [(0x0005, []), (0x0017, []), (0xff01, [0]), (0x0000, [])]
        let ja4s = JA4S(try ServerHello(parsing: b.serverHello(cipher: 0xc030)))
        #expect(ja4s.ja4s == "t120400_c030_4e8089b08790")
        #expect(ja4s.ja4sr == "t120400_c030_0005,0017,ff01,0000")
        b.extensions = [(0x002b, [3, 4]), Ext.alpn("h2")]
        #expect(JA4S(try ServerHello(parsing: b.serverHello(cipher: 0x1301))).ja4s.hasPrefix("t1302h2_1301_"))
    }

    @Test func ja3HandComputed() throws {
        var b = HelloBuilder()
        b.cipherSuites = [0x0a0a, 0xc02f, 0x1301]
        b.extensions = [
            (0x0a0a, []), Ext.sni("x.example"), Ext.groups(0x1a1a, 29, 23), Ext.pointFormats, Ext.alpn("h2"),
        ]
        let ja3 = JA3(try ClientHello(parsing: b.clientHello()))
        #expect(ja3.string == "771,49199-4865,0-10-11-16,29-23,0")
        #expect(ja3.hash == "46517eea31034bfba799f34d3b1cc58d")
        b.omitExtensionBlock = true
        #expect(JA3(try ClientHello(parsing: b.clientHello())).string == "771,49199-4865,,,")
    }

    @Test func ja3sHandComputed() throws {
        var b = HelloBuilder()
        b.version = 0x0300
        b.omitExtensionBlock = true
        // Arkime publishes this one for its pppoe.pcap SSLv3 server.
        let ja3s = JA3S(try ServerHello(parsing: b.serverHello(cipher: 0x0004)))
        #expect(ja3s.string == "768,4,")
        #expect(ja3s.hash == "1f8f5a3d2fd435e36084db890693eafd")
    }
}
