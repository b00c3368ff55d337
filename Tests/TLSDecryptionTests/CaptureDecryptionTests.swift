import Foundation
import TLSDecryption
import Testing
import WireBasics

/// Decrypts whole captures made by real TLS stacks and compares the result with tshark's view of
/// the same capture and key log.
@Suite struct CaptureDecryptionTests {
    struct Capture: CustomStringConvertible {
        var pcap: URL
        var keyLog: URL
        var oracle: URL
        var description: String { pcap.lastPathComponent }
    }

    static func local(_ name: String) -> Capture {
        Capture(
            pcap: Fixtures.local.appendingPathComponent("\(name).pcap"),
            keyLog: Fixtures.local.appendingPathComponent("\(name).keylog.txt"),
            oracle: Fixtures.local.appendingPathComponent("\(name).pcap.tshark.keylog.tsv"))
    }

    static func shared(_ path: String) -> Capture {
        Capture(
            pcap: Fixtures.shared.appendingPathComponent(path),
            keyLog: Fixtures.shared.appendingPathComponent("\(path).keylog.txt"),
            oracle: Fixtures.shared.appendingPathComponent("\(path).tshark.keylog.tsv"))
    }

    static let all: [Capture] = [
        local("illustrated-tls13"), local("illustrated-tls12"),
        shared("zeek/tls-1.2-stream-keylog.pcap"),
        local("tls13-chacha20"), local("tls13-aes256-keyupdate"), local("tls13-hrr"),
        local("tls13-early-accepted"), local("tls13-early-rejected"),
        local("tls12-chacha20"), local("tls12-aes256-cbc-sha384"), local("tls12-aes128-cbc-sha-noetm"),
        local("tls12-aes128-gcm-reneg"), local("tls11-aes256-cbc"), local("tls10-aes128-cbc"),
    ]

    static func run(_ capture: Capture, keyLog: KeyLog? = nil) throws -> DriveResult {
        let records = try tlsRecords(pcap: Fixtures.bytes(capture.pcap))
        let log = try keyLog ?? KeyLog(contentsOf: capture.keyLog.path)
        return drive(records, keyLog: log)
    }

    @Test("every record decrypts and the handshake messages and alerts match tshark", arguments: all)
    func matchesTshark(_ capture: Capture) throws {
        let result = try Self.run(capture)
        let oracle = TsharkOracle(tsv: try Fixtures.text(capture.oracle))
        #expect(result.failures.isEmpty, "\(result.failures)")
        #expect(!oracle.handshakeTypes.isEmpty)
        #expect(result.handshakeTypes == oracle.handshakeTypes)
        #expect(result.alerts == oracle.alerts)
        #expect(result.records.contains { if case .decrypted = $0.outcome { return true } else { return false } })
    }

    @Test func illustratedTLS13() throws {
        let result = try Self.run(Self.local("illustrated-tls13"))
        #expect(result.suite == 0x1302)
        #expect(result.applicationData[.client] == [Array("ping".utf8)])
        #expect(result.applicationData[.server] == [Array("pong".utf8)])
        // EncryptedExtensions, Certificate, CertificateVerify, Finished under handshake keys.
        #expect(result.handshakeTypes[7] == [2, 8, 11, 15, 20])
        #expect(result.count(.handshakeTraffic) == 5)
        #expect(result.count(.applicationTraffic(generation: 0)) == 4)
    }

    @Test func illustratedTLS12CBC() throws {
        let result = try Self.run(Self.local("illustrated-tls12"))
        #expect(result.suite == 0xC013)
        #expect(result.applicationData[.client] == [Array("ping".utf8)])
        #expect(result.applicationData[.server] == [Array("pong".utf8)])
        #expect(result.alerts[17] == [0])  // close_notify, encrypted
    }

    @Test func zeekTLS12AES256GCM() throws {
        let result = try Self.run(Self.shared("zeek/tls-1.2-stream-keylog.pcap"))
        #expect(result.suite == 0xC030)
        let client = result.applicationData[.client] ?? []
        let server = result.applicationData[.server] ?? []
        #expect(client.first.map { Array($0.prefix(4)) } == Array("GET ".utf8))
        #expect(server.first.map { Array($0.prefix(8)) } == Array("HTTP/1.1".utf8))
        #expect(server.count > 10)
    }

    @Test(arguments: [
        ("tls13-chacha20", UInt16(0x1303)), ("tls13-aes256-keyupdate", 0x1302), ("tls13-hrr", 0x1302),
        ("tls12-chacha20", 0xCCA9), ("tls12-aes256-cbc-sha384", 0xC024), ("tls12-aes128-cbc-sha-noetm", 0xC009),
        ("tls12-aes128-gcm-reneg", 0xC02B), ("tls13-early-rejected", 0x1302), ("tls11-aes256-cbc", 0xC00A),
        ("tls10-aes128-cbc", 0xC009),
    ])
    func pingPong(name: String, suite: UInt16) throws {
        let result = try Self.run(Self.local(name))
        #expect(result.suite == suite)
        // Empty records (TLS 1.0 CBC record splitting) carry nothing.
        #expect(result.applicationData[.client]?.first { !$0.isEmpty } == Array("ping\n".utf8))
        #expect(result.applicationData[.server]?.first { !$0.isEmpty } == Array("pong\n".utf8))
    }

    @Test func keyUpdateMovesClientToNextGeneration() throws {
        let result = try Self.run(Self.local("tls13-aes256-keyupdate"))
        #expect(result.applicationData[.client] == [Array("ping\n".utf8), Array("after\n".utf8)])
        let clientPhases = result.records.filter { $0.side == .client }.compactMap { record -> KeyPhase? in
            if case .decrypted(_, _, let keys) = record.outcome { return keys }
            return nil
        }
        // Finished; ping; KeyUpdate; after; close_notify alert.
        #expect(
            clientPhases == [
                .handshakeTraffic, .applicationTraffic(generation: 0), .applicationTraffic(generation: 0),
                .applicationTraffic(generation: 1), .applicationTraffic(generation: 1),
            ])
    }

    @Test func tls10ChainsCBCInitialisationVectors() throws {
        let result = try Self.run(Self.local("tls10-aes128-cbc"))
        // OpenSSL sends an empty record before each TLS 1.0 CBC record (CVE-2011-3389 counter-measure).
        let client = (result.applicationData[.client] ?? []).filter { !$0.isEmpty }
        #expect(client == [Array("ping\n".utf8), Array("second\n".utf8)])
        #expect(result.failures.isEmpty)
    }

    @Test func helloRetryRequestDoesNotDesynchronise() throws {
        let result = try Self.run(Self.local("tls13-hrr"))
        #expect(result.sawHelloRetryRequest)
        #expect(result.count(.handshakeTraffic) >= 2)
        #expect(result.failures.isEmpty)
    }

    @Test func acceptedEarlyDataIsDecrypted() throws {
        let result = try Self.run(Self.local("tls13-early-accepted"))
        #expect(result.earlyData == [Array("early hello\n".utf8)])
        // EndOfEarlyData travels under the early keys too.
        #expect(result.count(.earlyTraffic) == 2)
        #expect(result.failures.isEmpty)
    }

    @Test func rejectedEarlyDataIsDecryptedWithItsSecretAndSkippedWithout() throws {
        let capture = Self.local("tls13-early-rejected")
        let withEarly = try Self.run(capture)
        #expect(withEarly.earlyData == [Array("early hello\n".utf8)])
        #expect(withEarly.failures.isEmpty)

        // Without the early secret the 0-RTT record cannot be read; it must be skipped, not
        // counted as a failure, and must not disturb the handshake keys.
        let text = try Fixtures.text(capture.keyLog).split(separator: "\n")
            .filter { !$0.hasPrefix("CLIENT_EARLY_TRAFFIC_SECRET") }.joined(separator: "\n")
        let without = try Self.run(capture, keyLog: KeyLog(text: text))
        #expect(without.records.filter { $0.outcome == .skippedEarlyData }.count == 1)
        #expect(without.failures.isEmpty)
        #expect(without.applicationData[.client]?.first == Array("ping\n".utf8))
        let oracle = TsharkOracle(tsv: try Fixtures.text(capture.oracle))
        #expect(without.handshakeTypes == oracle.handshakeTypes)
    }

    @Test func renegotiationClientHelloAndAlertsAreVisible() throws {
        let result = try Self.run(Self.local("tls12-aes128-gcm-reneg"))
        // The second ClientHello travels under the first handshake's keys.
        let helloFrames = result.handshakeTypes.filter { $0.value.contains(1) }.keys.sorted()
        #expect(helloFrames.count == 2)
        let second = try #require(helloFrames.last)
        #expect(
            result.records.contains {
                $0.frame == second && $0.outcome.isDecrypted(type: 22, keys: .tls12(epoch: 1))
            })
        // The server refuses with a no_renegotiation warning, the client gives up (handshake_failure).
        #expect(result.alerts.sorted { $0.key < $1.key }.map(\.value) == [[100], [40]])
    }

    @Test(arguments: ["illustrated-tls13", "illustrated-tls12"])
    func lostRecordIsBridgedAfterAGap(name: String) throws {
        let records = try tlsRecords(pcap: Fixtures.bytes(Self.local(name).pcap))
        // Drop the server's second-to-last protected record (a NewSessionTicket / the Finished).
        let serverProtected = records.indices.filter { records[$0].side == .server && records[$0].contentType != 20 }
        let lost = serverProtected[serverProtected.count - 2]
        let kept = records.enumerated().filter { $0.offset != lost }.map(\.element)
        let log = try KeyLog(contentsOf: Self.local(name).keyLog.path)
        let unbridged = drive(kept, keyLog: log)
        #expect(unbridged.failures.count == 1)
        let bridged = drive(kept, keyLog: log, gap: (before: lost, side: .server))
        #expect(bridged.failures.isEmpty)
        #expect(bridged.applicationData[.server] == [Array("pong".utf8)])
    }

    @Test func statisticsCountApplicationBytes() throws {
        let result = try Self.run(Self.shared("zeek/tls-1.2-stream-keylog.pcap"))
        for side in Side.allCases {
            #expect(
                result.statistics.applicationBytes[side] == result.applicationData[side]?.reduce(0) { $0 + $1.count })
        }
        #expect(result.statistics.decryptedRecords == result.records.filter { $0.outcome.isDecrypted }.count)
        #expect(result.statistics.authenticationFailures == 0)
        #expect(result.notes.isEmpty)
    }

    @Test(arguments: ["illustrated-tls13", "illustrated-tls12"])
    func withoutKeysTheViewIsTsharksUndecryptedOne(name: String) throws {
        let capture = Self.local(name)
        let result = try Self.run(capture, keyLog: KeyLog(text: ""))
        // Nothing is decrypted, nothing protected is passed off as clear, and what remains is
        // exactly what tshark shows without a key log.
        #expect(!result.records.contains { $0.outcome.isDecrypted })
        let protected = name.hasSuffix("13") ? 9 : 5
        #expect(result.statistics.recordsWithoutKey == protected)
        #expect(result.notes.count == 1)
        #expect(result.notes.first?.contains(name.hasSuffix("13") ? "TLS 1.3 secrets" : "CLIENT_RANDOM") == true)
        let plainOracle = TsharkOracle(
            tsv: try Fixtures.text(Fixtures.local.appendingPathComponent("\(name).pcap.tshark.tsv")))
        #expect(result.handshakeTypes == plainOracle.handshakeTypes)
    }

    @Test func missingApplicationSecretIsNoKey() throws {
        let onlyHandshake = try KeyLog(contentsOf: Self.local("illustrated-tls13").keyLog.path)
        var trimmed = onlyHandshake.secrets(forClientRandom: Array(0..<32))!
        trimmed.serverTrafficSecret0 = nil
        var decryptor = TLS13Decryptor(secrets: trimmed, clientOfferedEarlyData: false)
        decryptor.serverHello(suite: 0x1302)
        let records = try tlsRecords(pcap: Fixtures.bytes(Self.local("illustrated-tls13").pcap))
        var outcomes: [RecordDecryption] = []
        for r in records where r.side == .server {
            outcomes.append(
                decryptor.decrypt(from: .server, contentType: r.contentType, version: r.version, body: r.body))
        }
        #expect(outcomes.filter { $0 == .noKey }.count == 3)  // two tickets and the pong after Finished
    }
}

extension RecordDecryption {
    var isDecrypted: Bool {
        if case .decrypted = self { return true }
        return false
    }

    func isDecrypted(type: UInt8, keys: KeyPhase) -> Bool {
        if case .decrypted(let t, _, let k) = self { return t == type && k == keys }
        return false
    }
}
