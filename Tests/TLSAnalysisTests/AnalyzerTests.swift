import TCPReassembly
import TLSFlowModel
import Testing

@testable import TLSAnalysis

@Suite struct AnalyzerTests {
    typealias B = TLSBytes

    @Test func fullTLS12HandshakeWithDataAndClose() {
        var d = ConnectionDriver()
        d.handshake()
        d.send(.initiator, B.record(22, B.clientHello(), version: 0x0301))
        d.send(.responder, B.record(22, B.serverHello() + B.handshake(14, [])))
        d.send(
            .initiator,
            B.record(22, B.handshake(16, [0, 1, 9])) + B.record(20, [1])
                + B.record(22, [UInt8](repeating: 0, count: 40)))
        d.send(.responder, B.record(20, [1]) + B.record(22, [UInt8](repeating: 0, count: 40)))
        d.send(.initiator, B.record(23, [UInt8](repeating: 1, count: 100)))
        d.send(.responder, B.record(23, [UInt8](repeating: 2, count: 300)))
        d.segment(.initiator, flags: 0x11)
        let c = d.finish()
        #expect(c.isTLS)
        #expect(c.clientHello?.sni == "example.test")
        #expect(c.clientHello?.recordVersion == "TLS 1.0")
        #expect(c.clientHello?.frame == 4)
        #expect(c.serverHello?.cipherSuite == "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
        #expect(c.version == "TLS 1.2")
        #expect(c.handshakeComplete)
        #expect(c.handshakeCompleteFrame == 7)
        #expect(c.applicationData.clientBytes == 100)
        #expect(c.applicationData.serverBytes == 300)
        #expect(c.tcp.handshake == .complete)
        #expect(c.tcp.end == .fin)
        #expect(c.tcp.endedBy == .client)
        #expect(c.resumption.offered == .none)
        #expect(c.notes.isEmpty)
    }

    @Test func recordsAndHandshakeMessagesSpanningSegmentsAndRecords() {
        var d = ConnectionDriver()
        d.handshake()
        let hello = B.clientHello(sni: "split.example")
        // The ClientHello message split over two records, sent in 7-byte segments.
        let half = hello.count / 2
        let bytes = B.record(22, Array(hello[..<half])) + B.record(22, Array(hello[half...]))
        d.send(.initiator, bytes, split: 7)
        let c = d.finish()
        #expect(c.clientHello?.sni == "split.example")
        // Attributed to the frame carrying the last byte.
        #expect(c.clientHello?.frame == d.frame)
    }

    @Test func alertsAreDecodedAndNamed() {
        var d = ConnectionDriver()
        d.handshake()
        d.send(.initiator, B.record(22, B.clientHello()))
        d.send(.responder, B.record(21, [2, 40]))
        let c = d.finish()
        #expect(c.alerts.count == 1)
        #expect(c.alerts.first?.from == .server)
        #expect(c.alerts.first?.level == .fatal)
        #expect(c.alerts.first?.description == "handshake_failure")
        #expect(c.alerts.first?.encrypted == false)
    }

    @Test func sessionIDResumptionAcceptedAndTLS13CompatibilityIDIgnored() {
        let sid = [UInt8](repeating: 0xab, count: 32)
        var d = ConnectionDriver()
        d.handshake()
        d.send(.initiator, B.record(22, B.clientHello(sessionID: sid)))
        d.send(.responder, B.record(22, B.serverHello(sessionID: sid)) + B.record(20, [1]))
        let resumed = d.finish()
        #expect(resumed.resumption.offered == .sessionID)
        #expect(resumed.resumption.accepted == true)

        var t = ConnectionDriver()
        t.handshake()
        t.send(.initiator, B.record(22, B.clientHello(sessionID: sid, tls13: true)))
        t.send(.responder, B.record(22, B.serverHello(sessionID: sid, suite: 0x1301, tls13: true)))
        let compat = t.finish()
        #expect(compat.version == "TLS 1.3")
        #expect(compat.resumption.offered == .none)
    }

    @Test func ticketResumptionAcceptedByAbbreviatedHandshake() {
        var d = ConnectionDriver()
        d.handshake()
        d.send(.initiator, B.record(22, B.clientHello(ticket: [UInt8](repeating: 5, count: 64))))
        d.send(
            .responder,
            B.record(22, B.serverHello()) + B.record(20, [1]) + B.record(22, [UInt8](repeating: 0, count: 40)))
        let c = d.finish()
        #expect(c.resumption.offered == .ticket)
        #expect(c.resumption.accepted == true)
        #expect(c.clientHello?.sessionTicketHead == String(repeating: "05", count: 32))
    }

    @Test func tls13ClientAlertSizedRecordDoesNotCompleteTheHandshake() {
        var d = ConnectionDriver()
        d.handshake()
        d.send(.initiator, B.record(22, B.clientHello(tls13: true)))
        d.send(
            .responder,
            B.record(22, B.serverHello(suite: 0x1301, tls13: true)) + B.record(20, [1])
                + B.record(23, [UInt8](repeating: 3, count: 2000)))
        d.send(.initiator, B.record(20, [1]) + B.record(23, [UInt8](repeating: 4, count: 19)))
        d.segment(.initiator, flags: 0x11)
        let rejected = d.finish()
        #expect(!rejected.handshakeComplete)
        #expect(rejected.applicationData.clientRecords == 0)

        var ok = ConnectionDriver()
        ok.handshake()
        ok.send(.initiator, B.record(22, B.clientHello(tls13: true)))
        ok.send(
            .responder,
            B.record(22, B.serverHello(suite: 0x1301, tls13: true)) + B.record(23, [UInt8](repeating: 3, count: 2000)))
        ok.send(
            .initiator, B.record(23, [UInt8](repeating: 4, count: 53)) + B.record(23, [UInt8](repeating: 4, count: 90)))
        let healthy = ok.finish()
        #expect(healthy.handshakeComplete)
        #expect(healthy.applicationData.clientRecords == 1)
        #expect(healthy.applicationData.clientBytes == 90)
    }

    @Test func startTLSUpgradeIsFollowedAndNamed() {
        var d = ConnectionDriver(serverPort: 25)
        d.handshake()
        d.send(.responder, Array("220 mail.example ESMTP\r\n".utf8))
        d.send(.initiator, Array("EHLO client\r\n".utf8))
        d.send(.responder, Array("250-mail.example\r\n250 STARTTLS\r\n".utf8))
        d.send(.initiator, Array("STARTTLS\r\n".utf8))
        d.send(.responder, Array("220 2.0.0 Ready to start TLS\r\n".utf8))
        d.send(.initiator, B.record(22, B.clientHello(sni: "mail.example")))
        d.send(.responder, B.record(22, B.serverHello()))
        let c = d.finish()
        #expect(c.isTLS)
        #expect(c.upgradedFrom == "SMTP STARTTLS")
        #expect(c.clientHello?.sni == "mail.example")
        #expect(c.serverHello != nil)
    }

    @Test func httpOnPort443IsNotTLSAndSaysSo() {
        var d = ConnectionDriver()
        d.handshake()
        d.send(.initiator, Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        d.send(.responder, Array("HTTP/1.1 400 Bad Request\r\n\r\n".utf8))
        let c = d.finish()
        #expect(!c.isTLS)
        #expect(c.notes.contains { $0.message.contains("not TLS") && $0.message.contains("GET / HTTP/1.1") })
    }

    @Test func garbageAfterTLSStopsThatDirectionWithANote() {
        var d = ConnectionDriver()
        d.handshake()
        d.send(.initiator, B.record(22, B.clientHello()))
        d.send(.initiator, [0x47, 0x45, 0x54, 0x20, 0x2f, 0x20, 0x48])
        d.send(.responder, B.record(22, B.serverHello()))
        let c = d.finish()
        #expect(c.notes.contains { $0.message.hasPrefix("malformed: client record header 474554202f") })
        #expect(c.serverHello != nil)
    }

    @Test func hostileHandshakeLengthsBecomeNotes() {
        var d = ConnectionDriver()
        d.handshake()
        // A ClientHello whose cipher suite vector claims more bytes than follow.
        var hello = B.clientHello()
        hello[4 + 2 + 32 + 1] = 0x7f
        d.send(.initiator, B.record(22, hello))
        let c = d.finish()
        #expect(c.clientHello == nil)
        #expect(c.notes.contains { $0.message.contains("malformed") && $0.message.contains("ClientHello") })
    }

    @Test func clientHelloFromThePortGuessedServerFlipsRoles() {
        // No SYN seen; the pipeline guessed the first sender was the server.
        var d = ConnectionDriver(initiatorIsClient: false, rolesKnownFromSYN: false)
        d.send(.initiator, B.record(22, B.clientHello(sni: "flip.example")))
        d.send(.responder, B.record(22, B.serverHello()))
        let c = d.finish()
        #expect(c.client.ip == "10.0.0.2")
        #expect(c.clientHello?.sni == "flip.example")
        #expect(c.serverHello != nil)
        #expect(c.timeline.events.first?.from == .client)
    }

    @Test func resynchronisesAfterACaptureGap() {
        var d = ConnectionDriver()
        d.handshake()
        d.send(.initiator, B.record(22, B.clientHello()))
        d.send(.responder, B.record(22, B.serverHello()))
        // Half of a large record is lost from the capture, then records continue.
        let big = B.record(23, [UInt8](repeating: 1, count: 1000))
        d.seq[1] &+= 500
        d.send(.responder, Array(big[500...]) + B.record(21, [2, 10]))
        d.segment(.initiator, flags: 0x10)  // the client's ACK proves the bytes were sent
        let c = d.finish()
        #expect(c.tcp.gaps == 1)
        #expect(c.alerts.first?.description == "unexpected_message")
    }

    @Test func sslv2CompatibleClientHello() {
        var d = ConnectionDriver()
        d.handshake()
        // SSLv2 CLIENT-HELLO: version 3.1, 2 cipher specs, no session id, 16-byte challenge.
        let body: [UInt8] =
            [1, 0x03, 0x01] + B.u16(6) + B.u16(0) + B.u16(16) + [0x00, 0x00, 0x2f, 0x00, 0x00, 0x35]
            + [UInt8](repeating: 0x11, count: 16)
        let record = [UInt8(0x80 | (body.count >> 8)), UInt8(body.count & 0xff)] + body
        d.send(.initiator, record)
        d.send(.responder, B.record(22, B.serverHello(suite: 0x002f)))
        let c = d.finish()
        #expect(c.clientHello?.sslv2Format == true)
        #expect(c.clientHello?.cipherSuites.contains("TLS_RSA_WITH_AES_128_CBC_SHA") == true)
        #expect(c.serverHello?.cipherSuite == "TLS_RSA_WITH_AES_128_CBC_SHA")
    }
}
