import TLSFlowModel
import Testing

@testable import Diagnosis

@Suite struct DiagnoserTests {
    @Test func healthyConnectionsHaveNoProblems() {
        for builder in [ConnectionBuilder.healthy12(), ConnectionBuilder.healthy13()] {
            let c = builder.diagnosed(captureEndAfter: 60_000)
            #expect(c.findings.isEmpty)
            #expect(c.status == .ok)
        }
    }

    @Test func healthyWithServerResetAfterClientFINIsStillOK() {
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.clientHello()
        b.serverFlight12()
        b.clientFinish12()
        b.serverFinish12()
        b.appData(.client)
        b.appData(.server)
        b.fin(.client)
        b.rst(.server)
        let c = b.diagnosed()
        #expect(c.problemCodes.isEmpty)
        #expect(c.status == .ok)
    }

    @Test func timingIsFilledFromTimeline() {
        var b = ConnectionBuilder()
        b.syn()
        b.syn(after: 1000)  // the retransmitted SYN is the one answered
        b.segment(.server, [.syn, .ack], after: 30)
        b.clientHello(after: 1)
        b.serverFlight12(after: 80)
        let c = b.diagnosed()
        #expect(c.timing.tcpRTTms == 30)
        #expect(c.timing.serverResponseMs == 80)
        #expect(c.timing.serverThinkMs == 50)
    }

    @Test func existingTimingIsKept() {
        var b = ConnectionBuilder.healthy12()
        b.connection.timing.tcpRTTms = 7
        #expect(b.diagnosed().timing.tcpRTTms == 7)
    }

    @Test func causeComesBeforeConsequence() {
        // Server alert, then the client's reset: the alert is the headline.
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.clientHello()
        b.serverFlight12()
        b.clientFinish12()
        b.alert(.server, .fatal, "decrypt_error", code: 51)
        b.rst(.client)
        let c = b.diagnosed()
        #expect(c.findings.map(\.code) == ["handshake.alert"])
        #expect(c.findings[0].severity == .error)
        #expect(c.findings[0].consequences.count == 1)
        #expect(c.findings[0].consequences[0].hasPrefix("handshake.reset: client reset"))
    }

    @Test func orderingIsByTriggerNotByRuleOrder() {
        let early = Finding(
            code: "handshake.closed", severity: .error, side: .client, summary: "a", detail: "", fix: "", frames: [5])
        let late = Finding(
            code: "handshake.reset", severity: .error, side: .server, summary: "b", detail: "", fix: "", frames: [9, 3])
        let cause = Finding(
            code: "cert.expired", severity: .error, side: .server, summary: "c", detail: "", fix: "", frames: [7])
        let ordered = CauseOrdering.order([late, early], handshakeComplete: false)
        #expect(ordered.map(\.code) == ["handshake.closed"])
        #expect(ordered[0].consequences == ["handshake.reset: b"])
        // An explanation outranks an earlier symptom but does not absorb it.
        let withCause = CauseOrdering.order([late, early, cause], handshakeComplete: false)
        #expect(withCause.map(\.code) == ["cert.expired", "handshake.closed"])
        #expect(withCause[1].severity == .error)
        #expect(withCause[0].consequences == ["handshake.reset: b"])
    }

    @Test func warningsDoNotBecomeHeadlineOverErrors() {
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.clientHello()
        b.rst(.server)
        b.connection.findings = [
            Finding(
                code: "cert.weak_signature", severity: .warning, side: .server, summary: "sha1", detail: "", fix: "",
                frames: [2])
        ]
        let c = b.diagnosed()
        #expect(c.findings.map(\.code) == ["handshake.reset", "cert.weak_signature"])
        #expect(c.status == .failed)
    }

    @Test func warningOnlyConnectionIsWarning() {
        var b = ConnectionBuilder.healthy12()
        b.connection.findings = [
            Finding(
                code: "cert.weak_key", severity: .warning, side: .server, summary: "RSA 1024", detail: "", fix: "",
                frames: [4])
        ]
        #expect(b.diagnosed().status == .warning)
    }

    @Test func everyDefaultRuleCodeIsInTheCatalog() {
        for code in Diagnoser().codes {
            #expect(FindingCatalog.entry(code) != nil, "no catalog entry for \(code)")
        }
    }

    @Test func handshakeInProgressAtCaptureEndIsIncomplete() {
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.clientHello()
        b.serverFlight13()
        let c = b.diagnosed(captureEndAfter: 50)
        #expect(c.findings.isEmpty)
        #expect(c.status == .incomplete)
    }
}

@Suite struct ConsequenceEdgeTests {
    @Test func encryptedAlertRecordCountedAsDataIsNotOneWay() {
        // A pipeline may count the client's 19-byte record as application data.
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.clientHello()
        b.serverFlight13()
        b.encryptedRecord(.client, length: 19, ccs: true, after: 15)
        b.connection.applicationData.add(from: .client, bytes: 19, frame: b.frame, time: b.now)
        b.fin(.client)
        b.connection.handshakeComplete = true
        b.connection.handshakeCompleteFrame = b.frame - 1
        let c = b.diagnosed(captureEndAfter: 20_000)
        #expect(c.findings.first?.code == "tls13.encrypted_alert")
        #expect(c.problemCodes == ["tls13.encrypted_alert"])
    }

    @Test func certificateErrorDoesNotAbsorbFailuresAfterAGoodHandshake() {
        let cert = Finding(
            code: "cert.expired", severity: .error, side: .server, summary: "", detail: "", fix: "", frames: [4])
        let alert = Finding(
            code: "handshake.alert", severity: .error, side: .server, summary: "", detail: "", fix: "", frames: [20])
        let done = CauseOrdering.order([alert, cert], handshakeComplete: true)
        #expect(done.map(\.severity) == [.error, .error])
        let failed = CauseOrdering.order([alert, cert], handshakeComplete: false)
        #expect(failed.map(\.code) == ["cert.expired"])
        #expect(failed[0].consequences.count == 1)
    }
}

@Suite struct HandshakeCompletionFallbackTests {
    /// A TLS 1.3 connection whose completion the pipeline could not infer: data both ways proves it.
    @Test func dataBothWaysMeansTheHandshakeIsOver() {
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.clientHello()
        b.serverFlight13()
        b.encryptedRecord(.client, length: 53, ccs: true)
        b.appData(.client, bytes: 300)
        b.appData(.server, bytes: 5000)
        b.fin(.client, after: 100)
        b.rst(.server)
        #expect(!b.connection.handshakeComplete)
        let c = b.diagnosed(captureEndAfter: 30_000)
        #expect(c.findings.isEmpty)
        #expect(c.status == .ok)
    }
}
