import Testing

@testable import TLSWire

struct ClientHelloTests {
    static func fullHello() -> HelloBuilder {
        var b = HelloBuilder()
        b.sessionID = [UInt8](repeating: 0x42, count: 32)
        b.cipherSuites = [0x2a2a, 0x1301, 0x1302, 0xc02f, 0x00ff]
        let psk: [UInt8] =
            u16(10) + u16(4) + [9, 9, 9, 9] + [0, 0, 0, 1] + u16(33) + [32] + [UInt8](repeating: 5, count: 32)
        let ech: [UInt8] = [0] + u16(1) + u16(1) + [7] + u16(2) + [1, 2] + u16(3) + [4, 5, 6]
        b.extensions = [
            (0x2a2a, []), Ext.sni("example.com"), Ext.alpn("h2", "http/1.1"),
            Ext.supportedVersions(0x3a3a, 0x0304, 0x0303),
            Ext.keyShare(0x001d, 0x11ec), Ext.groups(0x4a4a, 0x001d, 0x0017), Ext.signatureAlgorithms(0x0403, 0x0804),
            Ext.pointFormats, (0x0023, [1, 2, 3, 4]), (0x002a, []), (0xff01, [0]), (0x0017, []),
            (0x0005, [1, 0, 0, 0, 0]),
            (0xfe0d, ech), (0x1234, [0xde, 0xad]), (0x0029, psk),
        ]
        return b
    }

    @Test func decodesEveryField() throws {
        let hello = try ClientHello(parsing: Self.fullHello().clientHello())
        #expect(hello.legacyVersion == .tls12)
        #expect(hello.random.count == 32)
        #expect(hello.sessionID.count == 32)
        #expect(hello.cipherSuites == [0x2a2a, 0x1301, 0x1302, 0xc02f, 0x00ff])
        #expect(hello.compressionMethods == [0])
        #expect(hello.hasExtensionBlock)
        #expect(hello.extensions.count == 16)
        #expect(try hello.serverNames() == ["example.com"])
        #expect(try hello.alpnProtocols() == ["h2", "http/1.1"])
        #expect(try hello.supportedVersions() == [ProtocolVersion(0x3a3a), .tls13, .tls12])
        #expect(hello.highestOfferedVersion == .tls13)
        #expect(try hello.keyShareGroups() == [.x25519, .X25519MLKEM768])
        #expect(try hello.supportedGroups() == [NamedGroup(0x4a4a), .x25519, .secp256r1])
        #expect(try hello.signatureAlgorithms() == [SignatureScheme(0x0403), SignatureScheme(0x0804)])
        #expect(try hello.ecPointFormats() == [0])
        #expect(hello.sessionTicketLength == 4)
        #expect(hello.hasEarlyData)
        #expect(try hello.renegotiationInfo() == [])
        #expect(hello.signalsSecureRenegotiation)
        #expect(hello.hasExtendedMasterSecret)
        #expect(hello.hasStatusRequest)
        let psk = try #require(try hello.preSharedKey())
        #expect(psk.identities == [.init(identity: [9, 9, 9, 9], obfuscatedTicketAge: 1)])
        #expect(psk.binders.count == 1)
        #expect(
            try hello.encryptedClientHello() == .outer(kdfID: 1, aeadID: 1, configID: 7, enc: [1, 2], payloadLength: 3))
        #expect(hello.extensionNamed(ExtensionType(0x1234))?.data == [0xde, 0xad])
        #expect(hello.extensionTypes.first == ExtensionType(0x2a2a))
    }

    @Test func absentExtensionsAreNil() throws {
        var b = HelloBuilder()
        b.omitExtensionBlock = true
        let hello = try ClientHello(parsing: b.clientHello())
        #expect(!hello.hasExtensionBlock)
        #expect(try hello.serverNames() == nil)
        #expect(try hello.supportedVersions() == nil)
        #expect(try hello.preSharedKey() == nil)
        #expect(hello.sessionTicketLength == nil)
        #expect(hello.highestOfferedVersion == .tls12)
        #expect(!hello.signalsSecureRenegotiation)
    }

    @Test func sessionIDLengths() throws {
        var b = HelloBuilder()
        b.sessionID = []
        #expect(try ClientHello(parsing: b.clientHello()).sessionID.isEmpty)
        b.sessionID = [UInt8](repeating: 1, count: 32)
        #expect(try ClientHello(parsing: b.clientHello()).sessionID.count == 32)
        b.sessionID = [UInt8](repeating: 1, count: 33)
        #expect(throws: DecodeError(field: "legacy_session_id", offset: 34, kind: .invalidLength(33))) {
            try ClientHello(parsing: b.clientHello())
        }
    }

    @Test func cipherSuiteVectorErrors() {
        var bytes = HelloBuilder().clientHello()
        // cipher_suites length at offset 35 (version 2 + random 32 + session id length 1).
        bytes[36] = 3
        #expect(throws: DecodeError(field: "cipher_suites", offset: 35, kind: .invalidLength(3))) {
            try ClientHello(parsing: bytes)
        }
        bytes[35] = 0xff
        bytes[36] = 0xfe
        #expect(throws: DecodeError.self) { try ClientHello(parsing: bytes) }
        do {
            _ = try ClientHello(parsing: bytes)
        } catch {
            #expect(error.field == "cipher_suites")
            guard case .lengthOverrun(declared: 0xfffe, _) = error.kind else { return #expect(Bool(false)) }
        }
        var empty = HelloBuilder()
        empty.cipherSuites = []
        #expect(throws: DecodeError(field: "cipher_suites", offset: 35, kind: .empty)) {
            try ClientHello(parsing: empty.clientHello())
        }
    }

    @Test func emptyCompressionMethodsRejected() {
        var b = HelloBuilder()
        b.compression = []
        #expect(throws: DecodeError(field: "legacy_compression_methods", offset: 41, kind: .empty)) {
            try ClientHello(parsing: b.clientHello())
        }
    }

    @Test func extensionListOverrunAndTrailingGarbage() {
        var b = HelloBuilder()
        b.extensions = [Ext.sni("a.example")]
        var bytes = b.clientHello()
        let extLengthOffset = 43
        bytes[extLengthOffset + 1] &+= 1
        #expect(throws: DecodeError.self) { try ClientHello(parsing: bytes) }
        do { _ = try ClientHello(parsing: bytes) } catch {
            #expect(error.field == "extensions")
            #expect(error.offset == extLengthOffset)
        }
        // An extension whose own length runs past the list.
        var inner = b.clientHello()
        inner[extLengthOffset + 5] &+= 1
        do {
            _ = try ClientHello(parsing: inner)
            Issue.record("accepted")
        } catch {
            #expect(error.field == "extensions: server_name extension")
        }
        #expect(
            throws: DecodeError(field: "ClientHello", offset: b.clientHello().count, kind: .trailingBytes(count: 1))
        ) {
            try ClientHello(parsing: b.clientHello() + [0])
        }
    }

    @Test func serverNameListErrors() throws {
        var b = HelloBuilder()
        // server_name_list says 20 bytes but holds 12.
        b.extensions = [(0x0000, u16(20) + [0] + u16(9) + Array("a.example".utf8))]
        let overrun = try ClientHello(parsing: b.clientHello())
        #expect(throws: DecodeError.self) { try overrun.serverNames() }
        do { _ = try overrun.serverNames() } catch {
            #expect(error.field == "server_name_list")
            #expect(error.kind == .lengthOverrun(declared: 20, available: 12))
            #expect(error.offset == 49)
        }
        b.extensions = [(0x0000, u16(3) + [0] + u16(0))]
        #expect(throws: DecodeError.self) { try ClientHello(parsing: b.clientHello()).serverNames() }
        b.extensions = [(0x0000, u16(0))]
        #expect(throws: DecodeError.self) { try ClientHello(parsing: b.clientHello()).serverNames() }
        b.extensions = [(0x0000, [])]
        #expect(try ClientHello(parsing: b.clientHello()).serverNames() == [])
    }

    @Test func malformedTypedExtensionsThrow() throws {
        func hello(_ ext: (UInt16, [UInt8])) throws -> ClientHello {
            var b = HelloBuilder()
            b.extensions = [ext]
            return try ClientHello(parsing: b.clientHello())
        }
        #expect(throws: DecodeError.self) { try hello((0x002b, [3, 3, 4, 3])).supportedVersions() }
        #expect(throws: DecodeError.self) { try hello((0x0010, u16(3) + [0, 0x68, 0x32])).alpnProtocols() }
        #expect(throws: DecodeError.self) { try hello((0x000a, u16(0))).supportedGroups() }
        #expect(throws: DecodeError.self) { try hello((0x000d, u16(2) + [4, 3, 0])).signatureAlgorithms() }
        #expect(throws: DecodeError.self) { try hello((0x0033, u16(6) + u16(29) + u16(5) + [1, 2])).keyShareGroups() }
        #expect(throws: DecodeError.self) { try hello((0x0029, u16(0) + u16(0))).preSharedKey() }
        #expect(throws: DecodeError.self) {
            try hello((0x0029, u16(10) + u16(4) + [1, 2, 3, 4] + [0, 0, 0, 0] + u16(2) + [1, 0])).preSharedKey()
        }
        #expect(throws: DecodeError.self) { try hello((0xfe0d, [2])).encryptedClientHello() }
        #expect(throws: DecodeError.self) { try hello((0x000b, [0])).ecPointFormats() }
        #expect(throws: DecodeError.self) { try hello((0xff01, [3, 1])).renegotiationInfo() }
        #expect(try hello((0xfe0d, [1])).encryptedClientHello() == .inner)
    }

    @Test func maximumLengthFields() throws {
        var b = HelloBuilder()
        b.sessionID = [UInt8](repeating: 3, count: 32)
        b.cipherSuites = (0..<32767).map { UInt16($0 & 0xffff) }
        let longName = [UInt8](repeating: 0x61, count: 255)
        b.extensions = [Ext.alpn(longName), (0x0015, [UInt8](repeating: 0, count: 20000))]
        let hello = try ClientHello(parsing: b.clientHello())
        #expect(hello.cipherSuites.count == 32767)
        #expect(try hello.alpnProtocols() == [String(repeating: "a", count: 255)])
        #expect(hello.extensionNamed(.padding)?.data.count == 20000)
    }

    /// Every prefix of a valid hello must throw, and random corruption must never trap.
    @Test func truncationAndCorruptionNeverTrap() throws {
        let bytes = Self.fullHello().clientHello()
        for n in 0..<bytes.count {
            var threw = false
            do { _ = try ClientHello(parsing: bytes[0..<n]) } catch { threw = true }
            // Cutting exactly before the extension block leaves a valid pre-TLS-1.3 hello.
            #expect(threw || n == 2 + 32 + 1 + 32 + 2 + 10 + 2, "prefix \(n) accepted")
        }
        var seed: UInt32 = 12345
        for _ in 0..<3000 {
            var mutated = bytes
            for _ in 0..<3 {
                seed = seed &* 1_103_515_245 &+ 12345
                let index = Int(seed >> 8) % mutated.count
                mutated[index] = UInt8(truncatingIfNeeded: seed >> 20)
            }
            if let hello = try? ClientHello(parsing: mutated) {
                _ = try? hello.serverNames()
                _ = try? hello.preSharedKey()
                _ = try? hello.keyShareGroups()
                _ = try? hello.encryptedClientHello()
                _ = JA4(hello)
                _ = JA3(hello)
            }
        }
    }
}
