import TLSDecryption
import Testing
import WireBasics

@Suite struct RecordDecryptorTests {
    static let hex = KeyLogHex.decode

    // MARK: PRF known answers (TLS WG list vectors; RFC 2246-era MD5/SHA-1 vector)

    @Test func prfSHA256() {
        let out = TLS12KeyBlock.prf(
            .sha256, secret: Self.hex("9bbe436ba940f017b17652849a71db35"), label: "test label",
            seed: Self.hex("a0ba9f936cda311827a6f796ffd5198c"), length: 100)
        #expect(
            hexString(out)
                == "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66"
        )
    }

    @Test func prfSHA384() {
        let out = TLS12KeyBlock.prf(
            .sha384, secret: Self.hex("b80b733d6ceefcdc71566ea48e5567df"), label: "test label",
            seed: Self.hex("cd665cf6a8447dd6ff8b27555edb7465"), length: 148)
        #expect(
            hexString(out)
                == "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d9184259b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee691c8f3a26854308d5eaa3be85e0990703d73e56f"
        )
    }

    @Test func prfTLS10() {
        let out = TLS12KeyBlock.prf(
            .md5sha1, secret: [UInt8](repeating: 0xab, count: 48), label: "PRF Testvector",
            seed: [UInt8](repeating: 0xcd, count: 64), length: 104)
        #expect(
            hexString(out)
                == "d3d4d1e349b5d515044666d51de32bab258cb521b6b053463e354832fd976754443bcf9a296519bc289abcbc1187e4ebd31e602353776c408aafb74cbc85eff69255f9788faa184cbb957a9819d84a5d7eb006eb459d3ae8de9810454b8b2d8f1afbc655a8c9a013"
        )
    }

    // MARK: Suites

    @Test func suiteParameters() throws {
        let aes128 = try #require(CipherSuiteParameters.forSuite(0x1301))
        #expect(aes128.isTLS13 && aes128.cipher == .aes128GCM && aes128.hash == .sha256 && aes128.keyLength == 16)
        #expect(aes128.fixedIVLength == 12)
        let aes256 = try #require(CipherSuiteParameters.forSuite(0x1302))
        #expect(aes256.hash == .sha384 && aes256.keyLength == 32)
        #expect(CipherSuiteParameters.forSuite(0x1303)?.cipher == .chacha20Poly1305)
        #expect(CipherSuiteParameters.forSuite(0x1304) == nil)  // CCM: not in swift-crypto
        let gcm = try #require(CipherSuiteParameters.forSuite(0xC030))
        #expect(!gcm.isTLS13 && gcm.fixedIVLength == 4 && gcm.recordIVLength == 8 && gcm.hash == .sha384)
        let chacha = try #require(CipherSuiteParameters.forSuite(0xCCA8))
        #expect(chacha.fixedIVLength == 12 && chacha.recordIVLength == 0 && chacha.keyLength == 32)
        let cbc = try #require(CipherSuiteParameters.forSuite(0xC013))
        #expect(cbc.cipher == .aes128CBC && cbc.mac == .hmacSHA1 && cbc.macKeyLength == 20 && cbc.hash == .sha256)
        #expect(CipherSuiteParameters.forSuite(0xC028)?.mac == .hmacSHA384)
        #expect(CipherSuiteParameters.forSuite(0x000A) == nil)  // 3DES
        #expect(CipherSuiteParameters.supportedSuites.count >= 40)
    }

    @Test func keyBlockRejectsBadInputs() {
        let random = [UInt8](repeating: 1, count: 32)
        let master = [UInt8](repeating: 2, count: 48)
        #expect(throws: KeyDerivationError.unsupportedSuite(0x000A)) {
            try TLS12KeyBlock(suite: 0x000A, masterSecret: master, clientRandom: random, serverRandom: random)
        }
        #expect(throws: KeyDerivationError.badSecretLength(got: 32, expected: 48)) {
            try TLS12KeyBlock(
                suite: 0xC02F, masterSecret: Array(master.prefix(32)), clientRandom: random, serverRandom: random)
        }
        #expect(throws: KeyDerivationError.unsupportedVersion(0x0301)) {
            try TLS12KeyBlock(
                suite: 0xC02F, version: 0x0301, masterSecret: master, clientRandom: random, serverRandom: random)
        }
        #expect(throws: KeyDerivationError.wrongSuiteKind(0x1301, expectedTLS13: false)) {
            try TLS12KeyBlock(suite: 0x1301, masterSecret: master, clientRandom: random, serverRandom: random)
        }
        #expect(throws: KeyDerivationError.badSecretLength(got: 48, expected: 32)) {
            try RecordDecryptor(tls13: 0x1301, trafficSecret: master)
        }
    }

    @Test func keyBlockLayout() throws {
        let random = [UInt8](repeating: 1, count: 32)
        let master = [UInt8](repeating: 2, count: 48)
        let gcm = try TLS12KeyBlock(suite: 0xC02F, masterSecret: master, clientRandom: random, serverRandom: random)
        #expect(gcm.clientMACKey.isEmpty && gcm.clientKey.count == 16 && gcm.clientIV.count == 4)
        let cbc = try TLS12KeyBlock(suite: 0xC014, masterSecret: master, clientRandom: random, serverRandom: random)
        #expect(cbc.clientMACKey.count == 20 && cbc.serverKey.count == 32 && cbc.serverIV.count == 16)
        // Layout: client MAC, server MAC, client key, server key, client IV, server IV.
        let block = TLS12KeyBlock.prf(
            .sha256, secret: master, label: "key expansion", seed: random + random, length: 136)
        #expect(cbc.clientMACKey == Array(block[0..<20]))
        #expect(cbc.serverKey == Array(block[72..<104]))
        #expect(cbc.serverIV == Array(block[120..<136]))
    }

    // MARK: Hostile records

    static func illustrated12() throws -> (records: [CapturedRecord], decryptor: TLS12Decryptor) {
        let records = try tlsRecords(
            pcap: Fixtures.bytes(Fixtures.local.appendingPathComponent("illustrated-tls12.pcap")))
        let log = try KeyLog(contentsOf: Fixtures.local.appendingPathComponent("illustrated-tls12.keylog.txt").path)
        let clientRandom = Array(0..<32).map(UInt8.init)
        let serverHello = try #require(records.first { $0.side == .server })
        let serverRandom = Array(serverHello.body.dropFirst(6).prefix(32))
        let master = try #require(log.secrets(forClientRandom: clientRandom)?.masterSecret)
        let decryptor = try TLS12Decryptor(
            suite: 0xC013, version: 0x0303, masterSecret: master, clientRandom: clientRandom, serverRandom: serverRandom
        )
        return (records, decryptor)
    }

    @Test func flippedByteFailsAuthenticationAndLeavesStateAlone() throws {
        for suite: UInt16 in [0x1301, 0x1302, 0x1303] {
            let p = try #require(CipherSuiteParameters.forSuite(suite))
            let secret = [UInt8](repeating: 7, count: p.hash.length)
            var decryptor = try RecordDecryptor(tls13: suite, trafficSecret: secret)
            for length in [17, 40] {
                let body = [UInt8](repeating: 0x5a, count: length)
                #expect(decryptor.decrypt(contentType: 23, version: 0x0303, body: body[...]) == .authenticationFailed)
            }
            #expect(decryptor.sequenceNumber == 0)
        }
        // A real CBC record: every single-byte flip must fail, none may trap.
        let fixture = try Self.illustrated12()
        let records = fixture.records
        var decryptor = fixture.decryptor
        for record in records.prefix(while: { $0.contentType != 23 }) {
            _ = decryptor.decrypt(
                from: record.side, contentType: record.contentType, version: record.version, body: record.body)
        }
        let ping = try #require(records.first { $0.contentType == 23 && $0.side == .client })
        for index in ping.body.indices {
            var body = Array(ping.body)
            body[index - ping.body.startIndex] ^= 0x01
            var copy = decryptor
            let outcome = copy.decrypt(from: .client, contentType: 23, version: ping.version, body: body[...])
            #expect(outcome == .authenticationFailed, "flip at \(index)")
        }
        let outcome = decryptor.decrypt(from: .client, contentType: 23, version: ping.version, body: ping.body)
        #expect(outcome == .decrypted(contentType: 23, bytes: Array("ping".utf8), keys: .tls12(epoch: 1)))
        // The header is authenticated too.
        var again = try Self.illustrated12().decryptor
        for record in records.prefix(while: { $0.contentType != 23 }) {
            _ = again.decrypt(
                from: record.side, contentType: record.contentType, version: record.version, body: record.body)
        }
        #expect(
            again.decrypt(from: .client, contentType: 22, version: ping.version, body: ping.body)
                == .authenticationFailed)
    }

    @Test func truncatedBodiesAreMalformed() throws {
        var tls13 = try RecordDecryptor(tls13: 0x1301, trafficSecret: [UInt8](repeating: 1, count: 32))
        let master = [UInt8](repeating: 2, count: 48)
        let random = [UInt8](repeating: 3, count: 32)
        func tls12(_ suite: UInt16, version: UInt16 = 0x0303) throws -> RecordDecryptor {
            let block = try TLS12KeyBlock(
                suite: suite, version: version, masterSecret: master, clientRandom: random, serverRandom: random)
            return try RecordDecryptor(tls12: suite, keyBlock: block, side: .server)
        }
        var gcm = try tls12(0xC02F)
        var chacha = try tls12(0xCCA8)
        var cbc = try tls12(0xC014)
        var cbc10 = try tls12(0x002F, version: 0x0301)
        let short = [UInt8](repeating: 9, count: 16)
        #expect(
            tls13.decrypt(contentType: 23, version: 0x0303, body: [][...])
                == .malformed("TLS 1.3 record of 0 bytes is shorter than the AEAD tag plus content type"))
        #expect(isMalformed(tls13.decrypt(contentType: 23, version: 0x0303, body: short[...])))
        #expect(isMalformed(gcm.decrypt(contentType: 23, version: 0x0303, body: short[...])))
        #expect(isMalformed(chacha.decrypt(contentType: 23, version: 0x0303, body: short.prefix(15))))
        #expect(isMalformed(cbc.decrypt(contentType: 23, version: 0x0303, body: short[...])))
        #expect(isMalformed(cbc.decrypt(contentType: 23, version: 0x0303, body: [UInt8](repeating: 0, count: 50)[...])))
        #expect(isMalformed(cbc10.decrypt(contentType: 23, version: 0x0301, body: short.prefix(15))))
        let huge = [UInt8](repeating: 0, count: 20000)
        #expect(isMalformed(gcm.decrypt(contentType: 23, version: 0x0303, body: huge[...])))
        // Every length of garbage: an answer, never a trap, and never a false success.
        for length in 0..<300 {
            let body = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            for var d in [tls13, gcm, chacha, cbc, cbc10] {
                let result = d.decrypt(contentType: 23, version: 0x0303, body: body[...], sequenceWindow: 2)
                if case .plaintext = result { Issue.record("garbage of \(length) bytes decrypted") }
            }
        }
    }

    func isMalformed(_ result: DecryptResult) -> Bool {
        if case .malformed = result { return true }
        return false
    }

    @Test func tls12ConnectionPassesClearRecordsUntilChangeCipherSpec() throws {
        let fixture = try Self.illustrated12()
        let records = fixture.records
        var decryptor = fixture.decryptor
        #expect(!decryptor.isProtected(.client))
        var outcomes: [RecordDecryption] = []
        for record in records {
            outcomes.append(
                decryptor.decrypt(
                    from: record.side, contentType: record.contentType, version: record.version, body: record.body))
            if record.contentType == 20 { #expect(decryptor.isProtected(record.side)) }
        }
        // ClientHello, ServerHello..Done, ClientKeyExchange, CCS in the clear; then Finished, data, alert.
        let clear = outcomes.filter { $0 == .cleartext }.count
        let decrypted = outcomes.filter { if case .decrypted = $0 { return true } else { return false } }.count
        #expect(clear == 8)
        #expect(decrypted == 5)
        #expect(clear + decrypted == records.count)
    }
}

@Suite struct ConnectionDecryptorTests {
    static let random = [UInt8](repeating: 0x42, count: 32)
    static let log = KeyLog(
        text: "CLIENT_RANDOM \(String(repeating: "42", count: 32)) \(String(repeating: "07", count: 48))")

    @Test func unsupportedVersionIsANoteAndProtectedRecordsHaveNoKey() {
        var d = ConnectionDecryptor(keyLog: Self.log)
        d.clientHello(random: Self.random, offersEarlyData: false)
        d.serverHello(random: Self.random, suite: 0x002F, version: 0x0300)
        #expect(!d.hasKeys)
        #expect(d.notes == ["protocol version 0x0300 is not supported for decryption"])
        let body = [UInt8](repeating: 1, count: 48)[...]
        #expect(d.decrypt(from: .client, contentType: 22, version: 0x0300, body: body) == .cleartext)
        #expect(d.decrypt(from: .client, contentType: 20, version: 0x0300, body: [1][...]) == .cleartext)
        #expect(d.decrypt(from: .client, contentType: 22, version: 0x0300, body: body) == .noKey)
        #expect(d.decrypt(from: .server, contentType: 22, version: 0x0300, body: body) == .cleartext)
        #expect(d.statistics.recordsWithoutKey == 1)
    }

    @Test func unknownClientRandomAndDraftVersions() {
        var d = ConnectionDecryptor(keyLog: Self.log)
        d.clientHello(random: [UInt8](repeating: 1, count: 32), offersEarlyData: false)
        d.serverHello(random: Self.random, suite: 0xC02F, version: 0x0303)
        #expect(d.notes.first?.hasPrefix("key log has no CLIENT_RANDOM line") == true)
        var draft = ConnectionDecryptor(keyLog: Self.log)
        draft.clientHello(random: Self.random, offersEarlyData: false)
        draft.serverHello(random: Self.random, suite: 0x1301, version: 0x7f12)
        #expect(draft.notes == ["TLS 1.3 draft and experimental versions are not decrypted"])
        #expect(draft.decrypt(from: .server, contentType: 23, version: 0x0303, body: [0, 1][...]) == .noKey)
        var noHello = ConnectionDecryptor(keyLog: Self.log)
        noHello.serverHello(random: Self.random, suite: 0xC02F, version: 0x0303)
        #expect(noHello.notes.count == 1)
        #expect(!noHello.hasKeys)
    }

    @Test func tls12KeysFromTheKeyLog() {
        var d = ConnectionDecryptor(keyLog: Self.log)
        d.clientHello(random: Self.random, offersEarlyData: false)
        d.serverHello(random: Self.random, suite: 0xC02F, version: 0x0303)
        #expect(d.hasKeys)
        #expect(d.notes.isEmpty)
        _ = d.decrypt(from: .client, contentType: 20, version: 0x0303, body: [1][...])
        // Garbage after ChangeCipherSpec fails authentication and says so once.
        let junk = [UInt8](repeating: 9, count: 40)[...]
        #expect(d.decrypt(from: .client, contentType: 22, version: 0x0303, body: junk) == .authenticationFailed)
        #expect(d.decrypt(from: .client, contentType: 22, version: 0x0303, body: junk) == .authenticationFailed)
        #expect(d.statistics.authenticationFailures == 2)
        #expect(d.notes.count == 1)
    }
}
