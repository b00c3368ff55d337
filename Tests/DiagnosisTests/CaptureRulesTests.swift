import TLSFlowModel
import Testing

@testable import Diagnosis

@Suite struct CaptureRulesTests {
    @Test func gapsDuringHandshakeMakeTheVerdictPartial() {
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.clientHello()
        b.gap(.server, bytes: 2896)
        let findings = b.run(CaptureGapRule())
        #expect(findings.map(\.code) == ["capture.gap"])
        #expect(findings[0].severity == .warning)
        #expect(findings[0].side == .server)
        #expect(findings[0].summary.contains("2896 bytes"))
        #expect(findings[0].summary.contains("partial"))
        #expect(findings[0].detail.contains("handshake itself"))
        // Server bytes arrived after the ClientHello, so it is not a stall either.
        let c = b.diagnosed(captureEndAfter: 20_000)
        #expect(c.status == .warning)
        #expect(c.problemCodes == ["capture.gap"])
    }

    @Test func serverOnlyCaptureIsGapNotClientSilence() {
        var b = ConnectionBuilder()
        b.segment(.server, [.syn, .ack], after: 0)
        b.serverFlight12()
        b.serverFinish12()
        b.appData(.server, bytes: 5000)
        b.fin(.server, after: 30_000)
        b.connection.clientHello = nil
        let c = b.diagnosed(captureEndAfter: 0)
        #expect(c.status == .incomplete)
        #expect(c.problemCodes.isEmpty)
        let gap = c.findings.first { $0.code == "capture.gap" }
        #expect(gap?.detail.contains("only the server's packets") == true)
        #expect(gap?.side == .client)
    }

    @Test func midStreamStartIsReported() {
        var b = ConnectionBuilder()
        b.connection.tcp.handshake = .none
        b.appData(.client)
        b.appData(.server)
        let c = b.diagnosed()
        #expect(c.codes() == ["capture.gap"])
        #expect(c.findings[0].severity == .info)
        #expect(c.findings[0].summary.contains("started after"))
        #expect(c.status == .incomplete)
    }

    @Test func snaplenNoteIsReported() {
        var b = ConnectionBuilder.healthy12()
        b.connection.notes = [Note(frame: 7, message: "truncated: frame 7 captured 96 of 1514 bytes")]
        let findings = b.run(CaptureGapRule())
        #expect(findings.count == 1)
        #expect(findings[0].detail.contains("captured 96 of 1514"))
        #expect(findings[0].frames == [7])
        #expect(findings[0].severity == .warning)
    }

    @Test func completeCaptureHasNoGap() {
        #expect(ConnectionBuilder.healthy12().run(CaptureGapRule()).isEmpty)
    }

    @Test func malformedNoteBecomesFinding() {
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.plaintext(.client, bytes: 78)
        b.connection.notes = [Note(frame: 3, message: "malformed: client sent 'GET / HTTP/1.1' to port 443")]
        b.fin(.server)
        let findings = b.run(MalformedRule())
        #expect(findings.map(\.code) == ["tls.malformed"])
        #expect(findings[0].summary == "client sent 'GET / HTTP/1.1' to port 443")
        #expect(findings[0].side == .client)
        #expect(findings[0].severity == .error)
        #expect(findings[0].fix.contains("enable TLS in the client"))
        let c = b.diagnosed()
        #expect(c.findings[0].code == "tls.malformed")
    }

    @Test func serverPlaintextAnswerToClientHello() {
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.clientHello()
        b.plaintext(.server, bytes: 160)
        b.fin(.server)
        let findings = b.run(MalformedRule())
        #expect(findings.count == 1)
        #expect(findings[0].side == .server)
        #expect(findings[0].summary.contains("server sent 160 bytes"))
        #expect(findings[0].fix.contains("does not speak TLS"))
    }

    @Test func starttlsDialogueIsNotMalformed() {
        var b = ConnectionBuilder(serverPort: 25)
        b.connection.upgradedFrom = "SMTP STARTTLS"
        b.tcpHandshake()
        b.plaintext(.server, bytes: 40)
        b.plaintext(.client, bytes: 10)
        b.plaintext(.server, bytes: 30)
        b.clientHello()
        #expect(b.run(MalformedRule()).isEmpty)
    }
}
