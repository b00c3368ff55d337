import Testing

@testable import TLSWire

struct ByteReaderTests {
    @Test func readsBigEndianIntegersAndTracksOffset() throws {
        var r = ByteReader([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a])
        #expect(try r.readUInt8("a") == 0x01)
        #expect(try r.readUInt16("b") == 0x0203)
        #expect(try r.readUInt24("c") == 0x040506)
        #expect(r.offset == 6)
        #expect(try r.readUInt32("d") == 0x0708_090a)
        #expect(r.isAtEnd)
    }

    @Test func overrunThrowsWithFieldAndOffset() {
        var r = ByteReader([0x01, 0x02, 0x03])
        _ = try? r.readUInt16("first")
        #expect(throws: DecodeError(field: "second", offset: 2, kind: .truncated(needed: 2, available: 1))) {
            try r.readUInt16("second")
        }
        let message = DecodeError(field: "second", offset: 2, kind: .truncated(needed: 2, available: 1)).description
        #expect(message == "second at offset 2 needs 2 bytes but only 1 remain")
    }

    @Test func lengthPrefixLongerThanInputIsLengthOverrun() {
        var r = ByteReader([0x00, 0x05, 0xaa, 0xbb])
        #expect(throws: DecodeError(field: "list", offset: 0, kind: .lengthOverrun(declared: 5, available: 2))) {
            try r.readLengthPrefixed(lengthBytes: 2, "list")
        }
    }

    @Test func unsupportedLengthPrefixSizeThrows() {
        var r = ByteReader([0, 0, 0, 0])
        #expect(throws: DecodeError.self) { try r.readLengthPrefixed(lengthBytes: 4, "x") }
    }

    @Test func subReaderReportsOffsetsInOuterBuffer() throws {
        var r = ByteReader([0xff, 0x00, 0x02, 0x01, 0x02])
        _ = try r.readUInt8("skip")
        var sub = try r.readLengthPrefixed(lengthBytes: 2, "inner")
        #expect(sub.offset == 3)
        _ = try sub.readUInt16("two")
        #expect(throws: DecodeError(field: "more", offset: 5, kind: .truncated(needed: 1, available: 0))) {
            try sub.readUInt8("more")
        }
        #expect(r.isAtEnd)
    }

    @Test func baseOffsetShiftsReportedOffsets() {
        var r = ByteReader([1, 2][...], baseOffset: 100)
        #expect(r.offset == 100)
        #expect(throws: DecodeError(field: "x", offset: 100, kind: .truncated(needed: 3, available: 2))) {
            try r.readBytes(3, "x")
        }
    }

    @Test func uint16VectorRejectsOddAndEmpty() throws {
        var odd = ByteReader([0x00, 0x03, 0x13, 0x01, 0x13])
        #expect(throws: DecodeError(field: "suites", offset: 0, kind: .invalidLength(3))) {
            try odd.readUInt16Vector(lengthBytes: 2, "suites")
        }
        var empty = ByteReader([0x00, 0x00])
        #expect(throws: DecodeError(field: "suites", offset: 0, kind: .empty)) {
            try empty.readUInt16Vector(lengthBytes: 2, "suites", allowEmpty: false)
        }
        var ok = ByteReader([0x04, 0x13, 0x01, 0xc0, 0x2f])
        #expect(try ok.readUInt16Vector(lengthBytes: 1, "suites") == [0x1301, 0xc02f])
    }

    @Test func expectEndReportsTrailingBytes() throws {
        var r = ByteReader([0x01, 0x02, 0x03])
        _ = try r.readUInt8("a")
        #expect(throws: DecodeError(field: "msg", offset: 1, kind: .trailingBytes(count: 2))) { try r.expectEnd("msg") }
    }

    @Test func negativeCountNeverTraps() {
        var r = ByteReader([1, 2, 3])
        #expect(throws: DecodeError.self) { try r.readBytes(-1, "x") }
    }

    @Test func greaseValues() {
        let grease: [UInt16] = [
            0x0a0a, 0x1a1a, 0x2a2a, 0x3a3a, 0x4a4a, 0x5a5a, 0x6a6a, 0x7a7a, 0x8a8a, 0x9a9a, 0xaaaa, 0xbaba, 0xcaca,
            0xdada, 0xeaea, 0xfafa,
        ]
        #expect(grease.allSatisfy(isGREASE))
        #expect((0...0xffff).filter { isGREASE(UInt16($0)) }.count == 16)
        #expect(!isGREASE(0x0a1a))
        #expect([0x00, 0xab, 0x0f].hexString == "00ab0f")
    }
}

struct RegistryTests {
    @Test func cipherSuiteRegistryIsCompleteAndParsable() {
        #expect(CipherSuite.ianaNames.count == 352)
        for (value, name) in CipherSuite.ianaNames {
            #expect(name.hasPrefix("TLS_"), "\(hex4(value)) \(name)")
            let suite = CipherSuite(value)
            if !suite.isSignalling {
                #expect(suite.parameters != nil, "no parameters for \(name)")
                #expect(suite.keyExchange != .unknown, "unknown key exchange for \(name)")
            }
        }
    }

    @Test func cipherSuiteNames() {
        #expect(CipherSuite(0x1301).name == "TLS_AES_128_GCM_SHA256")
        #expect(CipherSuite(0xc02f).name == "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
        #expect(CipherSuite(0x0000).name == "TLS_NULL_WITH_NULL_NULL")
        #expect(CipherSuite(0x00ff).name == "TLS_EMPTY_RENEGOTIATION_INFO_SCSV")
        #expect(CipherSuite(0x5600).name == "TLS_FALLBACK_SCSV")
        #expect(CipherSuite(0x1306).name == "TLS_AEGIS_256_SHA384")
        #expect(CipherSuite(0xd005).name == "TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256")
        #expect(CipherSuite(0xc0aa).name == "TLS_PSK_DHE_WITH_AES_128_CCM_8")
        #expect(CipherSuite(0x0a0a).name == "GREASE")
        #expect(CipherSuite(0x1234).name == "0x1234")
        #expect(CipherSuite(0x00c8).name == "0x00c8")
    }

    @Test func cipherSuiteParameters() throws {
        let c02f = try #require(CipherSuite(0xc02f).parameters)
        #expect(c02f.keyExchange == .ecdhe)
        #expect(c02f.authentication == "RSA")
        #expect(c02f.cipher == .aes128GCM)
        #expect(c02f.hash == .sha256)
        #expect(c02f.cipherDescription == "AES-128-GCM/SHA256")
        #expect(c02f.cipher.isAEAD && c02f.cipher.keyLength == 16 && c02f.cipher.tagLength == 16)

        let chacha = try #require(CipherSuite(0x1303).parameters)
        #expect(chacha.keyExchange == .tls13)
        #expect(chacha.cipherDescription == "CHACHA20-POLY1305/SHA256")
        #expect(CipherSuite(0x1302).parameters?.cipherDescription == "AES-256-GCM/SHA384")
        #expect(CipherSuite(0x1301).isTLS13)

        let c028 = try #require(CipherSuite(0xc028).parameters)
        #expect(c028.cipherDescription == "AES-256-CBC/SHA384")
        #expect(c028.prfHash == .sha384)
        #expect(c028.cipher.blockSize == 16 && c028.cipher.keyLength == 32 && !c028.cipher.isAEAD)

        let rsa = try #require(CipherSuite(0x0035).parameters)
        #expect(rsa.keyExchange == .rsa)
        #expect(rsa.cipherDescription == "AES-256-CBC/SHA1")
        #expect(rsa.prfHash == .sha256)

        #expect(CipherSuite(0x009e).keyExchange == .dhe)
        #expect(CipherSuite(0x0034).keyExchange == .dhAnon)
        #expect(CipherSuite(0xc005).keyExchange == .ecdh)
        #expect(CipherSuite(0x008c).keyExchange == .psk)
        #expect(CipherSuite(0xccac).keyExchange == .ecdhePSK)
        #expect(CipherSuite(0xc0aa).keyExchange == .dhePSK)
        #expect(CipherSuite(0x00ff).keyExchange == .signalling)
        #expect(CipherSuite(0xc01d).keyExchange == .srp)
        #expect(CipherSuite(0x001e).keyExchange == .krb5)
        #expect(CipherSuite(0x00c6).keyExchange == .tls13)
        #expect(CipherSuite(0xc0b4).parameters?.cipherDescription == "NULL/SHA256")
        #expect(CipherSuite(0xc0ac).parameters?.cipherDescription == "AES-128-CCM/SHA256")
        #expect(CipherSuite(0xc0ae).parameters?.cipher.tagLength == 8)
        #expect(CipherSuite(0x0003).parameters?.isExport == true)
        #expect(CipherSuite(0x0004).parameters?.cipherDescription == "RC4-128/MD5")
        #expect(CipherSuite(0x000a).parameters?.cipher == .tripleDESCBC)
        #expect(CipherSuite(0x1234).parameters == nil)
        #expect(CipherSuite(0x0a0a).keyExchange == .unknown)
    }

    @Test func protocolVersionNames() {
        let cases: [(UInt16, String, String)] = [
            (0x0002, "SSL 2.0", "s2"), (0x0300, "SSL 3.0", "s3"), (0x0301, "TLS 1.0", "10"), (0x0302, "TLS 1.1", "11"),
            (0x0303, "TLS 1.2", "12"), (0x0304, "TLS 1.3", "13"), (0x7f12, "TLS 1.3 (draft 18)", "00"),
            (0x7f1c, "TLS 1.3 (draft 28)", "00"), (0x7e01, "TLS 1.3 (experiment)", "00"),
            (0x7e02, "TLS 1.3 (experiment 2)", "00"), (0x1a1a, "GREASE", "00"), (0x1234, "0x1234", "00"),
            (0xfefd, "DTLS 1.2", "d2"),
        ]
        for (value, name, code) in cases {
            #expect(ProtocolVersion(value).name == name)
            #expect(ProtocolVersion(value).ja4Code == code)
        }
        #expect(ProtocolVersion(0x7f12).isTLS13Variant)
        #expect(!ProtocolVersion.tls12.isTLS13Variant)
        #expect(ProtocolVersion.tls10 < .tls12)
    }

    @Test func alertNames() {
        #expect(AlertDescription(0).name == "close_notify")
        #expect(AlertDescription(40).name == "handshake_failure")
        #expect(AlertDescription(112).name == "unrecognized_name")
        #expect(AlertDescription(120).name == "no_application_protocol")
        #expect(AlertDescription(121).name == "ech_required")
        #expect(AlertDescription(255).name == "unknown (255)")
        #expect(!AlertDescription(255).isKnown)
        #expect(AlertLevel(1).description == "warning")
        #expect(AlertLevel(2).description == "fatal")
        #expect(AlertLevel(9).description == "unknown (9)")
        #expect(AlertLevel(2).rawValue == 2)
    }

    @Test func handshakeTypeNames() {
        #expect(HandshakeType(1).name == "client_hello")
        #expect(HandshakeType(1).displayName == "ClientHello")
        #expect(HandshakeType(3).name == "hello_verify_request")
        #expect(HandshakeType(5).name == "end_of_early_data")
        #expect(HandshakeType(8).displayName == "EncryptedExtensions")
        #expect(HandshakeType(22).name == "certificate_status")
        #expect(HandshakeType(24).name == "key_update")
        #expect(HandshakeType(25).name == "compressed_certificate")
        #expect(HandshakeType(254).name == "message_hash")
        #expect(HandshakeType(99).name == "unknown (99)")
    }

    @Test func extensionGroupAndSchemeNames() {
        #expect(ExtensionType(0).name == "server_name")
        #expect(ExtensionType(16).name == "application_layer_protocol_negotiation")
        #expect(ExtensionType(0xfe0d).name == "encrypted_client_hello")
        #expect(ExtensionType(0xff01).name == "renegotiation_info")
        #expect(ExtensionType(0x2a2a).name == "GREASE")
        #expect(ExtensionType(0x1234).name == "0x1234")
        #expect(NamedGroup(29).name == "x25519")
        #expect(NamedGroup(23).name == "secp256r1")
        #expect(NamedGroup(0x11ec).name == "X25519MLKEM768")
        #expect(NamedGroup(0x6399).name == "X25519Kyber768Draft00")
        #expect(NamedGroup(0x0100).name == "ffdhe2048")
        #expect(NamedGroup(0x0100).isFFDHE)
        #expect(NamedGroup(0x3a3a).name == "GREASE")
        #expect(NamedGroup(0x7777).name == "0x7777")
        #expect(SignatureScheme(0x0804).name == "rsa_pss_rsae_sha256")
        #expect(SignatureScheme(0x0403).name == "ecdsa_secp256r1_sha256")
        #expect(SignatureScheme(0x0202).name == "dsa_sha1")
        #expect(SignatureScheme(0x0101).name == "rsa_md5")
        #expect(SignatureScheme(0xabcd).name == "0xabcd")
        #expect(ContentType(22) == .handshake)
        #expect(ContentType(99).description == "unknown (99)")
        #expect(ContentType(23).rawValue == 23)
    }
}

struct FingerprintKeyTests {
    /// Only hellos of a plausible size go through the shared fingerprint cache.
    @Test func hugeHellosAreNotCached() {
        let limit = FingerprintKey.limit
        #expect(FingerprintKey(prefix: "771", lists: [Array(repeating: 1, count: limit)]).isCacheable)
        #expect(!FingerprintKey(prefix: "771", lists: [Array(repeating: 1, count: limit), [2]]).isCacheable)
        #expect(FingerprintKey(prefix: "771", lists: [[], [], []]).isCacheable)
    }
}
