import Testing

@testable import TLSWire

struct RecordHeaderTests {
    @Test func parsesPlausibleHeader() {
        #expect(
            TLSRecordHeader.parse([0x16, 0x03, 0x01, 0x00, 0xc8])
                == .record(TLSRecordHeader(contentType: .handshake, version: .tls10, length: 200)))
        #expect(
            TLSRecordHeader.parse([0x17, 0x03, 0x03, 0x48, 0x00, 0xaa])
                == .record(TLSRecordHeader(contentType: .applicationData, version: .tls12, length: 18432)))
    }

    @Test func shortInputNeedsMoreData() {
        let header: [UInt8] = [0x15, 0x03, 0x03, 0x00, 0x02]
        for n in 0..<5 { #expect(TLSRecordHeader.parse(header[0..<n]) == .needMoreData) }
    }

    @Test func implausibleFieldsNameTheRule() {
        guard case .notTLS(let http) = TLSRecordHeader.parse(Array("GET / HTTP/1.1".utf8)) else {
            Issue.record("HTTP accepted as TLS")
            return
        }
        #expect(http.contains("content type 71"))
        guard case .notTLS(let major) = TLSRecordHeader.parse([0x16, 0x02]) else { return #expect(Bool(false)) }
        #expect(major.contains("major"))
        guard case .notTLS(let minor) = TLSRecordHeader.parse([0x16, 0x03, 0x05]) else { return #expect(Bool(false)) }
        #expect(minor.contains("0x0305"))
        guard case .notTLS(let length) = TLSRecordHeader.parse([0x17, 0x03, 0x03, 0x48, 0x01]) else {
            return #expect(Bool(false))
        }
        #expect(length.contains("18433"))
    }
}

struct SSLv2Tests {
    /// A CLIENT-HELLO as sent by old OpenSSL: 3 cipher specs (one TLS suite), 16-byte challenge.
    static let clientHello: [UInt8] =
        [0x80, 0x1c, 0x01, 0x03, 0x01, 0x00, 0x09, 0x00, 0x00, 0x00, 0x10]
        + [0x00, 0x00, 0x2f, 0x01, 0x00, 0x80, 0x07, 0x00, 0xc0] + [UInt8](repeating: 0xab, count: 16)

    @Test func recognisesAndParsesClientHello() throws {
        guard case .record(let header) = SSLv2.parseHeader(Self.clientHello) else {
            Issue.record("not recognised")
            return
        }
        #expect(header.length == 28)
        #expect(header.messageType == SSLv2.clientHello)
        let hello = try ClientHello(sslv2Message: Self.clientHello[2...])
        #expect(hello.isSSLv2Compatible)
        #expect(hello.legacyVersion == .tls10)
        #expect(hello.sslv2CipherSpecs == [0x00002f, 0x010080, 0x0700c0])
        #expect(hello.cipherSuites == [0x002f])
        #expect(hello.random == [UInt8](repeating: 0, count: 16) + [UInt8](repeating: 0xab, count: 16))
        #expect(hello.sessionID.isEmpty)
        #expect(SSLv2.cipherKindName(0x010080) == "SSL2_RC4_128_WITH_MD5")
        #expect(SSLv2.cipherKindName(0x00002f) == "TLS_RSA_WITH_AES_128_CBC_SHA")
    }

    @Test func rejectsNonSSLv2() {
        #expect(SSLv2.parseHeader([0x16, 0x03]) != .needMoreData)
        #expect(SSLv2.parseHeader([0x80]) == .needMoreData)
        guard case .notSSLv2 = SSLv2.parseHeader([0x80, 0x1c, 0x09]) else { return #expect(Bool(false)) }
        guard case .notSSLv2 = SSLv2.parseHeader([0x80, 0x1c, 0x01, 0x12, 0x34]) else { return #expect(Bool(false)) }
    }

    @Test func malformedClientHelloLengthsThrow() {
        var oddSpecs = Self.clientHello
        oddSpecs[6] = 0x08
        #expect(throws: DecodeError(field: "cipher_spec_length", offset: 3, kind: .invalidLength(8))) {
            try ClientHello(sslv2Message: oddSpecs[2...])
        }
        var shortChallenge = Self.clientHello
        shortChallenge[10] = 0x08
        #expect(throws: DecodeError.self) { try ClientHello(sslv2Message: shortChallenge[2...]) }
        var badSession = Self.clientHello
        badSession[8] = 0x05
        #expect(throws: DecodeError(field: "session_id_length", offset: 5, kind: .invalidLength(5))) {
            try ClientHello(sslv2Message: badSession[2...])
        }
        #expect(throws: DecodeError.self) { try ClientHello(sslv2Message: (Self.clientHello + [0])[2...]) }
        #expect(throws: DecodeError.self) { try ClientHello(sslv2Message: Self.clientHello.dropLast()[2...]) }
    }

    @Test func parsesServerHello() throws {
        let cert: [UInt8] = [0x30, 0x03, 0x02, 0x01, 0x01]
        let body: [UInt8] =
            [SSLv2.serverHello, 0, 1, 0x00, 0x02] + u16(cert.count) + u16(6) + u16(16) + cert
            + [0x01, 0x00, 0x80, 0x07, 0x00, 0xc0] + [UInt8](repeating: 1, count: 16)
        let hello = try SSLv2.ServerHello(parsing: body[...])
        #expect(hello.version == .sslv2)
        #expect(hello.certificate == cert)
        #expect(hello.cipherSpecs == [0x010080, 0x0700c0])
        #expect(hello.connectionID.count == 16)
        guard case .record(let header) = SSLv2.parseHeader([0x80, UInt8(body.count)] + body) else {
            return #expect(Bool(false))
        }
        #expect(header.messageType == SSLv2.serverHello)
        #expect(SSLv2.messageName(4) == "SERVER-HELLO")
        #expect(throws: DecodeError.self) { try SSLv2.ServerHello(parsing: body.dropLast()[...]) }
    }

    /// zeek's ssl-v2.pcap: an SSLv2 CLIENT-HELLO answered by an SSLv2 SERVER-HELLO.
    @Test func decodesRealSSLv2Handshake() throws {
        let streams = try Captures.streams("zeek/ssl-v2.pcap")
        var sawClient = false
        var sawServer = false
        for (_, bytes) in streams {
            guard case .record(let header) = SSLv2.parseHeader(bytes[...]) else { continue }
            let message = bytes[2..<min(bytes.count, 2 + header.length)]
            if header.messageType == SSLv2.clientHello {
                let hello = try ClientHello(sslv2Message: message)
                #expect(hello.legacyVersion == .sslv2)
                #expect(hello.sslv2CipherSpecs.count == 7)
                sawClient = true
            } else {
                let hello = try SSLv2.ServerHello(parsing: message)
                #expect(hello.certificate.count == 903)
                #expect(hello.cipherSpecs.count == 6)
                sawServer = true
            }
        }
        #expect(sawClient && sawServer)
    }
}

struct HandshakeReassemblerTests {
    static let hello: [UInt8] = [0x01, 0x00, 0x00, 0x05, 1, 2, 3, 4, 5]
    static let done: [UInt8] = [0x0e, 0x00, 0x00, 0x00]

    func messages(_ outputs: [HandshakeReassembler.Output]) -> [HandshakeMessage] {
        outputs.compactMap { if case .message(let m) = $0 { m } else { nil } }
    }

    @Test func messageSpanningFragmentsAndSplitHeader() {
        var r = HandshakeReassembler()
        #expect(r.append(Array(Self.hello[0..<2])).isEmpty)
        #expect(r.append(Array(Self.hello[2..<6])).isEmpty)
        #expect(r.hasPartialMessage)
        let out = messages(r.append(Array(Self.hello[6...])))
        #expect(out == [HandshakeMessage(type: .clientHello, body: [1, 2, 3, 4, 5], streamOffset: 0)])
        #expect(!r.hasPartialMessage)
        #expect(out.first?.encoded == Self.hello)
    }

    @Test func severalMessagesInOneFragment() {
        var r = HandshakeReassembler()
        let out = messages(r.append(Self.hello + Self.done + Array(Self.hello[0..<3])))
        #expect(out.map(\.type) == [.clientHello, .serverHelloDone])
        #expect(out.map(\.streamOffset) == [0, 9])
        #expect(out[1].body.isEmpty)
        #expect(r.bufferedBytes == 3)
        let rest = messages(r.append(Array(Self.hello[3...])))
        #expect(rest.map(\.streamOffset) == [13])
    }

    @Test func oversizedMessageIsMalformedNotBuffered() {
        var r = HandshakeReassembler(maxMessageSize: 16)
        let big: [UInt8] = [0x0b, 0x00, 0x01, 0x00] + [UInt8](repeating: 0, count: 100)
        let first = r.append(big)
        #expect(first.count == 1)
        guard case .malformed(let error) = first.first else { return #expect(Bool(false)) }
        #expect(error.kind == .tooLarge(size: 256, limit: 16))
        #expect(error.field.contains("Certificate"))
        #expect(r.bufferedBytes == 0)
        #expect(r.append([UInt8](repeating: 0, count: 100)).isEmpty)
        #expect(r.bufferedBytes == 0)
        // The remaining 56 bytes of the oversized body, then a message that must still line up.
        let out = messages(r.append([UInt8](repeating: 0, count: 56) + Self.done))
        #expect(out.map(\.type) == [.serverHelloDone])
        #expect(out.first?.streamOffset == 260)
    }

    @Test func defaultLimitIsOneMebibyte() {
        #expect(HandshakeReassembler().maxMessageSize == 1 << 20)
        var r = HandshakeReassembler()
        let header: [UInt8] = [0x0b, 0x10, 0x00, 0x01]
        guard case .malformed = r.append(header).first else { return #expect(Bool(false)) }
    }

    @Test func resetDropsPartialMessage() {
        var r = HandshakeReassembler()
        _ = r.append(Array(Self.hello[0..<6]))
        r.reset()
        #expect(!r.hasPartialMessage)
        #expect(messages(r.append(Self.done)).count == 1)
    }
}
