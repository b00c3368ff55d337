import Testing

@testable import TLSWire

struct ServerHelloTests {
    @Test func tls12ServerHello() throws {
        var b = HelloBuilder()
        b.sessionID = [UInt8](repeating: 9, count: 32)
        b.extensions = [(0xff01, [0]), (0x0017, []), Ext.alpn("h2"), (0x0000, [])]
        let hello = try ServerHello(parsing: b.serverHello(cipher: 0xc030))
        #expect(hello.legacyVersion == .tls12)
        #expect(hello.negotiatedVersion == .tls12)
        #expect(hello.cipherSuite == CipherSuite(0xc030))
        #expect(hello.sessionID.count == 32)
        #expect(hello.compressionMethod == 0)
        #expect(try hello.alpnProtocol() == "h2")
        #expect(try hello.serverNames() == [])
        #expect(hello.hasExtendedMasterSecret)
        #expect(!hello.isHelloRetryRequest)
        #expect(!hello.isDraftLayout)
        #expect(try hello.selectedVersion() == nil)
        #expect(try hello.selectedPSKIdentity() == nil)
    }

    @Test func tls13ServerHelloWithPSKAndKeyShare() throws {
        var b = HelloBuilder()
        b.extensions = [
            (0x002b, [0x03, 0x04]), (0x0033, u16(29) + u16(32) + [UInt8](repeating: 1, count: 32)), (0x0029, [0, 0]),
        ]
        let hello = try ServerHello(parsing: b.serverHello(cipher: 0x1301))
        #expect(hello.negotiatedVersion == .tls13)
        #expect(try hello.keyShareGroup() == .x25519)
        #expect(try hello.selectedPSKIdentity() == 0)
        #expect(hello.cipherSuite.isTLS13)
    }

    @Test func helloRetryRequestByItsRandom() throws {
        var b = HelloBuilder()
        b.random = ServerHello.helloRetryRequestRandom
        b.extensions = [(0x002b, [0x03, 0x04]), (0x0033, u16(23))]
        let hello = try ServerHello(parsing: b.serverHello(cipher: 0x1301))
        #expect(hello.isHelloRetryRequest)
        #expect(try hello.keyShareGroup() == .secp256r1)
        b.random[31] ^= 1
        let notHRR = try ServerHello(parsing: b.serverHello(cipher: 0x1301))
        #expect(!notHRR.isHelloRetryRequest)
        // A bare group is not a valid KeyShareEntry in a real ServerHello.
        #expect(throws: DecodeError.self) { try notHRR.keyShareGroup() }
    }

    @Test func draftLayoutWithoutSessionID() throws {
        let body: [UInt8] =
            u16(0x7f12) + [UInt8](repeating: 2, count: 32) + u16(0x1301)
            + HelloBuilder.extensionBlock([(0x0028, u16(29) + u16(2) + [1, 2])])
        let hello = try ServerHello(parsing: body)
        #expect(hello.isDraftLayout)
        #expect(hello.negotiatedVersion.name == "TLS 1.3 (draft 18)")
        #expect(hello.cipherSuite == .TLS_AES_128_GCM_SHA256)
        #expect(try hello.keyShareGroup() == .x25519)
    }

    @Test func malformedServerHellos() {
        var b = HelloBuilder()
        b.sessionID = [UInt8](repeating: 1, count: 33)
        #expect(throws: DecodeError(field: "legacy_session_id_echo", offset: 34, kind: .invalidLength(33))) {
            try ServerHello(parsing: b.serverHello())
        }
        b.sessionID = []
        b.extensions = [Ext.alpn("h2", "http/1.1")]
        #expect(throws: DecodeError.self) { try ServerHello(parsing: b.serverHello()).alpnProtocol() }
        b.extensions = [(0x002b, [0x03])]
        #expect(throws: DecodeError.self) { try ServerHello(parsing: b.serverHello()).selectedVersion() }
        #expect(throws: DecodeError.self) { try ServerHello(parsing: Array(b.serverHello().dropLast())) }
        #expect(throws: DecodeError.self) { try ServerHello(parsing: b.serverHello() + [0]) }
        #expect(throws: DecodeError.self) { try ServerHello(parsing: Array(b.serverHello()[0..<37])) }
        // TLS 1.2 allows a ServerHello without an extension block.
        b.omitExtensionBlock = true
        #expect((try? ServerHello(parsing: b.serverHello()))?.extensions == [])
    }

    /// Real ServerHellos: HRRs in FoxIO's handshake capture, drafts and experiments in zeek's.
    @Test func realServerHellos() throws {
        if Captures.ja4Present {
            var hrrGroups: [NamedGroup] = []
            for (_, bytes) in try Captures.streams("ja4/tls-handshake.pcapng") {
                for hello in Captures.serverHellos(bytes) where hello.isHelloRetryRequest {
                    if let group = try hello.keyShareGroup() { hrrGroups.append(group) }
                }
            }
            #expect(hrrGroups.count == 5)
        }

        func versions(_ capture: String) throws -> Set<String> {
            var out: Set<String> = []
            for (_, bytes) in try Captures.streams(capture) {
                for hello in Captures.serverHellos(bytes) { out.insert(hello.negotiatedVersion.name) }
            }
            return out
        }
        #expect(try versions("zeek/tls13draft16-chrome55.0.2879.0-canary.pcap") == ["TLS 1.3 (draft 14)"])
        #expect(try versions("zeek/tls-13draft19-early-data.pcap") == ["TLS 1.3 (draft 19)"])
        #expect(try versions("zeek/chrome-63.0.3211.0-canary-tls_experiment.pcap") == ["TLS 1.3 (experiment)"])
        #expect(try versions("suricata-verify/tls13_draft28.pcap") == ["TLS 1.3 (draft 28)"])
        #expect(try versions("zeek/tls1_1.pcap") == ["TLS 1.1"])
        #expect(try versions("arkime/openssl-ssl3.pcap") == ["SSL 3.0"])
    }
}
