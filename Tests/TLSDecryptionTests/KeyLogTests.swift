import Foundation
import TLSDecryption
import Testing

@Suite struct KeyLogTests {
    static let random = String(repeating: "ab", count: 32)
    static let random2 = String(repeating: "0c", count: 32)
    static let secret32 = String(repeating: "11", count: 32)
    static let secret48 = String(repeating: "22", count: 48)
    static let hex = KeyLogHex.decode

    @Test func everyLabelIsStoredByClientRandom() throws {
        let text = """
            # comment line
            CLIENT_RANDOM \(Self.random2) \(Self.secret48)

            CLIENT_EARLY_TRAFFIC_SECRET \(Self.random) \(String(repeating: "01", count: 32))
            CLIENT_HANDSHAKE_TRAFFIC_SECRET \(Self.random) \(String(repeating: "02", count: 32))
            SERVER_HANDSHAKE_TRAFFIC_SECRET \(Self.random) \(String(repeating: "03", count: 32))
            CLIENT_TRAFFIC_SECRET_0 \(Self.random) \(String(repeating: "04", count: 32))
            SERVER_TRAFFIC_SECRET_0 \(Self.random) \(String(repeating: "05", count: 32))
            EXPORTER_SECRET \(Self.random) \(String(repeating: "06", count: 32))
            EARLY_EXPORTER_SECRET \(Self.random) \(String(repeating: "07", count: 32))
            """
        let log = KeyLog(text: text)
        #expect(log.problems.isEmpty)
        #expect(log.count == 2)
        #expect(log.secretCount == 8)
        let tls12 = try #require(log.secrets(forClientRandom: Self.hex(Self.random2)))
        #expect(tls12.masterSecret == Self.hex(Self.secret48))
        #expect(!tls12.hasTLS13Secrets)
        let s = try #require(log.secrets(forClientRandom: Self.hex(Self.random)))
        #expect(s.hasTLS13Secrets)
        #expect(s.masterSecret == nil)
        #expect(s.clientEarlyTrafficSecret == [UInt8](repeating: 1, count: 32))
        #expect(s.clientHandshakeTrafficSecret == [UInt8](repeating: 2, count: 32))
        #expect(s.serverHandshakeTrafficSecret == [UInt8](repeating: 3, count: 32))
        #expect(s.clientTrafficSecret0 == [UInt8](repeating: 4, count: 32))
        #expect(s.serverTrafficSecret0 == [UInt8](repeating: 5, count: 32))
        #expect(s.exporterSecret == [UInt8](repeating: 6, count: 32))
        #expect(s.earlyExporterSecret == [UInt8](repeating: 7, count: 32))
        #expect(log.secrets(forClientRandom: [UInt8](repeating: 0, count: 32)) == nil)
    }

    @Test func earlyTrafficSecretAliasUppercaseHexAndSHA384Lengths() throws {
        let log = KeyLog(text: "EARLY_TRAFFIC_SECRET \(Self.random.uppercased()) \(Self.secret48.uppercased())")
        #expect(log.problems.isEmpty)
        #expect(
            log.secrets(forClientRandom: Self.hex(Self.random))?.clientEarlyTrafficSecret == Self.hex(Self.secret48))
    }

    @Test func crlfTabsAndTrailingSpaceAreTolerated() {
        let text =
            "CLIENT_RANDOM\t\(Self.random) \(Self.secret48)  \r\n# c\r\n\r\nSERVER_TRAFFIC_SECRET_0 \(Self.random) \(Self.secret32)\r\n"
        let log = KeyLog(text: text)
        #expect(log.problems.isEmpty)
        #expect(log.secretCount == 2)
    }

    @Test func badLinesAreReportedWithLineNumbersAndSkipped() {
        let text = """
            CLIENT_RANDOM \(Self.random) \(Self.secret48)
            CLIENT_RANDOM \(Self.random)
            CLIENT_RANDOM \(Self.random) \(Self.secret32)
            SERVER_TRAFFIC_SECRET_0 \(Self.random) 1234
            CLIENT_HANDSHAKE_TRAFFIC_SECRET zz\(Self.random.dropFirst(2)) \(Self.secret32)
            CLIENT_HANDSHAKE_TRAFFIC_SECRET \(Self.random) \(Self.secret32.dropLast(1))g
            CLIENT_HANDSHAKE_TRAFFIC_SECRET abcd \(Self.secret32)
            NOT_A_LABEL \(Self.random) \(Self.secret32)
            RSA 0102030405060708 \(Self.secret48)
            PMS_CLIENT_RANDOM \(Self.random) \(Self.secret48)
            CLIENT_TRAFFIC_SECRET_N \(Self.random) \(Self.secret32)
            EXPORTER_SECRET \(Self.random) \(Self.secret32) extra
            CLIENT_HANDSHAKE_TRAFFIC_SECRET \(Self.random) \(Self.secret32)
            """
        let log = KeyLog(text: text, source: "keys.txt")
        #expect(log.problems.map(\.line) == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
        #expect(log.problems.allSatisfy { $0.source == "keys.txt" })
        let kinds = log.problems.map(\.kind)
        #expect(kinds[7] == .unsupported)  // RSA
        #expect(kinds[8] == .unsupported)  // PMS_CLIENT_RANDOM
        #expect(kinds[9] == .ignored)  // OpenSSL's KeyUpdate secret
        #expect(kinds.filter { $0 == .malformed }.count == 8)
        #expect(log.problems[0].message.contains("expected 3 fields"))
        #expect(log.problems[1].message.contains("expected 48"))
        #expect(log.problems[2].message.contains("expected 32 or 48"))
        #expect(log.problems[3].message.contains("client random is not hex"))
        #expect(log.problems[4].message.contains("secret is not hex"))
        #expect(log.problems[5].message.contains("2 bytes, expected 32"))
        #expect(log.problems[6].message.contains("unknown label"))
        #expect(log.problems[7].message.contains("RSA"))
        // The good lines survive.
        #expect(log.secretCount == 2)
    }

    @Test func mergeKeepsFirstAndReportsConflicts() {
        var a = KeyLog(text: "CLIENT_RANDOM \(Self.random) \(Self.secret48)")
        let b = KeyLog(
            text: """
                CLIENT_RANDOM \(Self.random) \(String(repeating: "33", count: 48))
                CLIENT_RANDOM \(Self.random2) \(Self.secret48)
                bad line here
                """, source: "b.txt")
        a.merge(b)
        #expect(a.count == 2)
        #expect(a.secrets(forClientRandom: Self.hex(Self.random))?.masterSecret == Self.hex(Self.secret48))
        #expect(a.problems.map(\.kind).sorted { $0.rawValue < $1.rawValue } == [.conflict, .malformed])
        // Identical duplicates are not conflicts.
        var c = KeyLog(text: "CLIENT_RANDOM \(Self.random) \(Self.secret48)")
        c.merge(KeyLog(text: "CLIENT_RANDOM \(Self.random) \(Self.secret48)"))
        #expect(c.problems.isEmpty)
        #expect(c.count == 1)
    }

    @Test func unreadableFileIsAClearError() {
        #expect(throws: KeyLogError.unreadable(path: "/nonexistent/keys.log", reason: "no such file")) {
            try KeyLog(contentsOf: "/nonexistent/keys.log")
        }
        let error = KeyLogError.unreadable(path: "/x", reason: "no such file")
        #expect(error.description == "cannot read key log /x: no such file")
    }

    @Test func fileAndPcapngDecryptionSecretsBlock() throws {
        let url = Fixtures.local.appendingPathComponent("illustrated-tls13.keylog.txt")
        let fromFile = try KeyLog(contentsOf: url.path)
        #expect(fromFile.count == 1)
        #expect(fromFile.secretCount == 5)
        let bytes = try Fixtures.bytes(url)
        let block = try #require(KeyLog(decryptionSecretsType: 0x544c_534b, data: bytes))
        #expect(block.secrets(forClientRandom: Array(0..<32)) == fromFile.secrets(forClientRandom: Array(0..<32)))
        #expect(KeyLog(decryptionSecretsType: 0x5747_4b4c, data: bytes) == nil)  // WireGuard keys
    }

    @Test func invalidUTF8OnlySpoilsItsLine() {
        var bytes = Array("CLIENT_RANDOM \(Self.random) \(Self.secret48)\n".utf8)
        bytes += [0xff, 0xfe, 0x20, 0x41, 0x0a]
        let log = KeyLog(bytes: bytes)
        #expect(log.count == 1)
        #expect(log.problems.map(\.line) == [2])
    }

    @Test func openSSLKeyUpdateSecretMatchesDerivedGeneration() throws {
        // OpenSSL logs the secret after a KeyUpdate as CLIENT_TRAFFIC_SECRET_N; it must equal
        // HKDF-Expand-Label(secret_0, "traffic upd").
        let text = try Fixtures.text(Fixtures.local.appendingPathComponent("tls13-aes256-keyupdate.keylog.txt"))
        let fields = text.split(separator: "\n").map { $0.split(separator: " ") }
        let zero = try #require(fields.first { $0.first == "CLIENT_TRAFFIC_SECRET_0" })
        let next = try #require(fields.first { $0.first == "CLIENT_TRAFFIC_SECRET_N" })
        let derived = TLS13KeySchedule(hash: .sha384).nextTrafficSecret(Self.hex(String(zero[2])))
        #expect(derived == Self.hex(String(next[2])))
    }
}
