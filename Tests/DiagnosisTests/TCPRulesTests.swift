import TLSFlowModel
import Testing

@testable import Diagnosis

@Suite struct TCPRulesTests {
    @Test func synRetransmittedWithoutAnswerIsNoAnswer() {
        var b = ConnectionBuilder()
        b.syn()
        b.syn(after: 1000)
        b.syn(after: 2000)
        b.syn(after: 4000)
        b.connection.tcp.handshake = .partial
        let findings = b.run(NoAnswerRule(), captureEndAfter: 5000)
        #expect(findings.map(\.code) == ["tcp.no_answer"])
        let finding = findings[0]
        #expect(finding.severity == .error)
        #expect(finding.side == .server)
        #expect(finding.summary.contains("4 SYNs"))
        #expect(finding.summary.contains("7.0 s"))
        #expect(finding.frames == [1, 2, 3, 4])
    }

    @Test func loneSYNAtCaptureEndIsNotEvidence() {
        var b = ConnectionBuilder()
        b.syn()
        #expect(b.run(NoAnswerRule(), captureEndAfter: 500).isEmpty)
        #expect(b.diagnosed(captureEndAfter: 500).status == .incomplete)
        // The same lone SYN with the capture running on for 5 s is a real no-answer.
        #expect(b.run(NoAnswerRule(), captureEndAfter: 5000).map(\.code) == ["tcp.no_answer"])
    }

    @Test func answeredSYNIsNotNoAnswer() {
        let b = ConnectionBuilder.healthy12()
        #expect(b.run(NoAnswerRule()).isEmpty)
        #expect(b.run(RefusedRule()).isEmpty)
    }

    @Test func clientOnlyCaptureWithPayloadIsNotNoAnswer() {
        // The client could not send a ClientHello without the (uncaptured) SYN-ACK.
        var b = ConnectionBuilder()
        b.syn()
        b.clientHello(after: 20)
        #expect(b.run(NoAnswerRule(), captureEndAfter: 20_000).isEmpty)
    }

    @Test func rstAnsweringSYNIsRefused() {
        var b = ConnectionBuilder()
        b.syn()
        b.rst(.server, after: 1)
        let findings = b.run(RefusedRule())
        #expect(findings.map(\.code) == ["tcp.refused"])
        #expect(findings[0].frames == [1, 2])
        #expect(findings[0].summary.contains("192.0.2.10:443"))
        // The reset rule leaves it to tcp.refused.
        #expect(b.run(ResetRule()).isEmpty)
        let c = b.diagnosed()
        #expect(c.status == .failed)
        #expect(c.problemCodes == ["tcp.refused"])
    }

    @Test func rstAfterSYNACKIsNotRefused() {
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.rst(.server, after: 5)
        #expect(b.run(RefusedRule()).isEmpty)
        #expect(b.run(ResetRule()).map(\.code) == ["handshake.reset"])
    }
}
