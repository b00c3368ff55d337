import TLSFlowModel
import Testing

@testable import Diagnosis

@Suite struct HandshakeRulesTests {
    /// SYN, SYN-ACK, ClientHello retransmitted, then the client gives up.
    func blackholed(retransmissions: Int, giveUp: Bool) -> ConnectionBuilder {
        var b = ConnectionBuilder(sni: "cmg.example.com")
        b.tcpHandshake()
        b.clientHello(length: 1700)
        var wait: Int64 = 300
        for _ in 0..<retransmissions {
            b.retransmit(.client, bytes: 1709, after: wait)
            wait *= 2
        }
        if giveUp { b.rst(.client, after: 30_000) }
        return b
    }

    @Test func unansweredClientHelloWithRetransmissionsIsStalled() {
        let b = blackholed(retransmissions: 3, giveUp: true)
        let findings = b.run(StalledRule())
        #expect(findings.map(\.code) == ["handshake.stalled"])
        let f = findings[0]
        #expect(f.side == .server)
        #expect(f.summary.contains("retransmitted 3 times"))
        #expect(f.summary.contains("client gave up (RST)"))
        #expect(f.detail.contains("1700 bytes"))
        #expect(f.frames.first == 3)  // the ClientHello
        // The client's reset is the consequence, not the headline.
        let c = b.diagnosed()
        #expect(c.status == .failed)
        #expect(c.findings[0].code == "handshake.stalled")
        #expect(c.problemCodes == ["handshake.stalled"])
        #expect(c.findings[0].consequences.contains { $0.hasPrefix("handshake.reset") })
    }

    @Test func clientHelloAtCaptureEndBeforeTimeoutIsIncomplete() {
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.clientHello()
        #expect(b.run(StalledRule(), captureEndAfter: 2000).isEmpty)
        #expect(b.diagnosed(captureEndAfter: 2000).status == .incomplete)
        // After the timeout the silence is the verdict.
        let late = b.run(StalledRule(), captureEndAfter: 15_000)
        #expect(late.map(\.code) == ["handshake.stalled"])
        #expect(late[0].summary.contains("15.0 s"))
    }

    @Test func clientOnlyCaptureIsNotStalled() {
        // Only client packets: nothing proves the server was silent.
        var b = ConnectionBuilder()
        b.syn()
        b.clientHello(after: 20)
        b.fin(.client, after: 20_000)
        #expect(b.run(StalledRule()).isEmpty)
        let c = b.diagnosed()
        #expect(c.status == .incomplete)
        #expect(c.codes().contains("capture.gap"))
        #expect(!c.problemCodes.contains("handshake.stalled"))
    }

    @Test func retransmittedClientHelloThenServerRSTIsReset() {
        var b = blackholed(retransmissions: 2, giveUp: false)
        b.rst(.server, after: 100)
        #expect(b.run(StalledRule()).isEmpty)
        let findings = b.run(ResetRule())
        #expect(findings.map(\.code) == ["handshake.reset"])
        let f = findings[0]
        #expect(f.side == .server)
        #expect(f.severity == .error)
        #expect(f.summary.contains("SNI cmg.example.com"))
        #expect(f.detail.contains("retransmitted 2 times"))
        #expect(f.frames.first == b.frame)
    }

    @Test func clientResetAfterServerFlightNamesTheMessage() {
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.clientHello()
        b.serverFlight12()
        b.rst(.client, after: 3)
        let findings = b.run(ResetRule())
        #expect(findings.count == 1)
        #expect(findings[0].side == .client)
        #expect(findings[0].summary.contains("ServerHelloDone"))
    }

    @Test func resetBeforeClientHelloByClientIsInfo() {
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.rst(.client)
        let c = b.diagnosed()
        #expect(c.codes() == ["handshake.reset"])
        #expect(c.findings[0].severity == .info)
        #expect(c.status == .ok)
    }

    @Test func resetAfterHandshakeIsNotHandshakeReset() {
        var b = ConnectionBuilder.healthy12()
        b.rst(.server)
        #expect(b.run(ResetRule()).isEmpty)
    }

    @Test func serverFINAfterClientHelloIsClosed() {
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.clientHello()
        b.fin(.server, after: 5)
        b.fin(.client)
        let findings = b.run(ClosedRule())
        #expect(findings.map(\.code) == ["handshake.closed"])
        #expect(findings[0].side == .server)
        #expect(findings[0].frames.first == 4)
        // A quick close by the server is not a stall.
        #expect(b.run(StalledRule()).isEmpty)
    }

    @Test func finAfterAlertIsNotClosed() {
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.clientHello()
        b.alert(.server, .fatal, "handshake_failure", code: 40)
        b.fin(.server)
        #expect(b.run(ClosedRule()).isEmpty)
    }

    @Test func clientFINBeforeClientHelloIsInfo() {
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.fin(.client, after: 10)
        b.fin(.server)
        let findings = b.run(ClosedRule())
        #expect(findings.count == 1)
        #expect(findings[0].severity == .info)
    }

    @Test func midHandshakeStallWaitsOnTheClient() {
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.clientHello()
        b.serverFlight12()
        let findings = b.run(StalledRule(), captureEndAfter: 12_000)
        #expect(findings.count == 1)
        #expect(findings[0].side == .client)
        #expect(findings[0].summary.contains("client silent"))
    }

    @Test func midStreamCaptureProducesNoHandshakeFindings() {
        var b = ConnectionBuilder()
        b.connection.tcp.handshake = .none
        b.appData(.client)
        b.appData(.server)
        b.fin(.server)
        for rule in Diagnoser.defaultRules where !(rule is CaptureGapRule) {
            #expect(rule.evaluate(b.connection, context: b.context()).isEmpty)
        }
    }
}
