import TLSFlowModel
import Testing

@testable import Diagnosis

@Suite struct ResumptionRuleTests {
    @Test func ticketOfferedAndServerResetsIsResumptionAborted() {
        var b = ConnectionBuilder(sni: "cmg.example.com")
        b.tcpHandshake()
        b.clientHello(ticketLength: 192)
        b.rst(.server, after: 3)
        let findings = b.run(ResumptionAbortedRule())
        #expect(findings.map(\.code) == ["resumption.aborted"])
        #expect(findings[0].summary.contains("offering a 192-byte session ticket"))
        #expect(findings[0].summary.contains("server sent RST"))
        #expect(findings[0].fix.contains("Disable session resumption"))
        let c = b.diagnosed()
        #expect(c.findings[0].code == "resumption.aborted")
        #expect(c.problemCodes == ["resumption.aborted"])
        #expect(c.findings[0].consequences.contains { $0.hasPrefix("handshake.reset") })
    }

    @Test func abbreviatedHandshakeThenServerSilentIsResumptionAborted() {
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.clientHello(sessionID: "4f2a9c", ticketLength: 0)
        b.connection.clientHello?.supportedVersions = []
        b.serverFlight12(sessionID: "4f2a9c", resumed: true)
        b.clientFinishResumed12()
        b.appData(.client, bytes: 300)
        b.fin(.client, after: 20_000)
        let findings = b.run(ResumptionAbortedRule())
        #expect(findings.count == 1)
        #expect(findings[0].summary.contains("session ID 4f2a9c"))
        #expect(findings[0].summary.contains("server never answered"))
        let c = b.diagnosed()
        #expect(c.findings[0].code == "resumption.aborted")
        #expect(c.codes() == ["resumption.aborted"])
        #expect(c.findings[0].consequences.contains { $0.hasPrefix("data.one_way: server never answered") })
    }

    @Test func declinedResumptionThatFailsIsNotResumptionAborted() {
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.clientHello(ticketLength: 100)
        b.serverFlight12(resumed: false)
        b.rst(.client)
        #expect(b.connection.resumption.accepted == false)
        #expect(b.run(ResumptionAbortedRule()).isEmpty)
    }

    @Test func successfulResumptionIsFine() {
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.clientHello(psk: true)
        b.serverFlight13(psk: true)
        b.clientFinish13()
        b.appData(.client)
        b.appData(.server)
        b.fin(.client)
        #expect(b.run(ResumptionAbortedRule()).isEmpty)
        #expect(b.diagnosed().status == .ok)
    }

    @Test func resumptionOfferAtCaptureEndBeforeTimeoutIsUndecided() {
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.clientHello(psk: true)
        #expect(b.run(ResumptionAbortedRule(), captureEndAfter: 1000).isEmpty)
        #expect(b.run(ResumptionAbortedRule(), captureEndAfter: 11_000).count == 1)
    }
}

@Suite struct OneWayDataRuleTests {
    func handshakeThenClientData() -> ConnectionBuilder {
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.clientHello()
        b.serverFlight12()
        b.clientFinish12()
        b.serverFinish12()
        b.appData(.client, bytes: 400)
        b.appData(.client, bytes: 200, after: 5000)
        return b
    }

    @Test func clientDataThenIdleIsOneWay() {
        let b = handshakeThenClientData()
        let findings = b.run(OneWayDataRule(), captureEndAfter: 30_000)
        #expect(findings.map(\.code) == ["data.one_way"])
        let f = findings[0]
        #expect(f.side == .server)
        #expect(f.severity == .warning)  // still open at capture end
        #expect(f.summary.contains("2 records (600 bytes)"))
        #expect(f.summary.contains("server 0 records"))
        #expect(f.summary.contains("35.0 s"))
        #expect(f.frames.first == b.connection.applicationData.clientFirstFrame)
    }

    @Test func clientDataThenResetIsOneWayError() {
        var b = handshakeThenClientData()
        b.rst(.server, after: 60_000)
        let findings = b.run(OneWayDataRule())
        #expect(findings.count == 1)
        #expect(findings[0].severity == .error)
        #expect(findings[0].summary.contains("then server sent RST"))
        #expect(findings[0].summary.contains("65.0 s"))
        let c = b.diagnosed()
        #expect(c.findings[0].code == "data.one_way")
        #expect(c.status == .failed)
    }

    @Test func shortSilenceAtCaptureEndIsNotOneWay() {
        let b = handshakeThenClientData()
        #expect(b.run(OneWayDataRule(), captureEndAfter: 100).isEmpty)
    }

    @Test func healthyConnectionsAreNotOneWay() {
        #expect(ConnectionBuilder.healthy12().run(OneWayDataRule()).isEmpty)
        #expect(ConnectionBuilder.healthy13().run(OneWayDataRule()).isEmpty)
    }

    @Test func tls13TicketsOnlyBeforeRequestStillCountAsSilence() {
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.clientHello()
        b.serverFlight13()
        b.clientFinish13()
        b.appData(.server, bytes: 200, after: 1)  // NewSessionTicket, before the request
        b.appData(.client, bytes: 300, after: 5)
        b.fin(.client, after: 15_000)
        let findings = b.run(OneWayDataRule())
        #expect(findings.count == 1)
        #expect(findings[0].side == .server)
        // Without a request, server-only records in TLS 1.3 are tickets, not one-way data.
        var probe = ConnectionBuilder()
        probe.tcpHandshake()
        probe.clientHello()
        probe.serverFlight13()
        probe.clientFinish13()
        probe.appData(.server, bytes: 200, after: 1)
        probe.fin(.client, after: 15_000)
        #expect(probe.run(OneWayDataRule()).isEmpty)
    }

    @Test func gapInSilentDirectionIsNotBlamedOnTheServer() {
        var b = handshakeThenClientData()
        b.gap(.server, bytes: 4000)
        b.fin(.client, after: 20_000)
        #expect(b.run(OneWayDataRule()).isEmpty)
    }
}

@Suite struct EncryptedAlertRuleTests {
    func rejectedCertificate(recordLength: Int = 19, close: Side = .client) -> ConnectionBuilder {
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.clientHello()
        b.serverFlight13()
        b.encryptedRecord(.client, length: recordLength, ccs: true, after: 15)
        b.fin(close)
        return b
    }

    @Test func nineteenByteRecordThenFINIsEncryptedAlert() {
        let b = rejectedCertificate()
        let findings = b.run(EncryptedAlertRule())
        #expect(findings.map(\.code) == ["tls13.encrypted_alert"])
        let f = findings[0]
        #expect(f.side == .client)
        #expect(f.summary.contains("19-byte"))
        #expect(f.summary.contains("inferred"))
        #expect(f.detail.contains("inference"))
        #expect(f.frames.first == 5)
        let c = b.diagnosed()
        #expect(c.findings[0].code == "tls13.encrypted_alert")
        #expect(c.problemCodes == ["tls13.encrypted_alert"])
    }

    @Test func healthyTLS13IsNotEncryptedAlert() {
        #expect(ConnectionBuilder.healthy13().run(EncryptedAlertRule()).isEmpty)
        let c = ConnectionBuilder.healthy13().diagnosed()
        #expect(c.problemCodes.isEmpty)
        #expect(c.status == .ok)
    }

    @Test func finishedSizedRecordIsNotAnAlert() {
        #expect(rejectedCertificate(recordLength: 53).run(EncryptedAlertRule()).isEmpty)
    }

    @Test func decryptedConnectionWithRealAlertIsLeftToTheAlertRule() {
        var b = rejectedCertificate()
        b.connection.decrypted = true
        var alert = AlertInfo(
            frame: 5, time: b.now, from: .client, level: .fatal, description: "bad_certificate", descriptionCode: 42,
            encrypted: true)
        alert.decrypted = true
        b.connection.alerts = [alert]
        #expect(b.run(EncryptedAlertRule()).isEmpty)
        let findings = b.run(HandshakeAlertRule())
        #expect(findings.count == 1)
        #expect(findings[0].summary.contains("bad_certificate"))
    }

    @Test func noCloseMeansNoInference() {
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.clientHello()
        b.serverFlight13()
        b.encryptedRecord(.client, length: 19, ccs: true)
        #expect(b.run(EncryptedAlertRule()).isEmpty)
    }
}

/// The issuer sentence is written with the provisional id and renumbered when connections get
/// their reported ids; a server name that spells the same sentence is left alone.
@Suite struct SessionIssuerTextTests {
    static func finding(detail: String) -> Finding {
        Finding(
            code: SessionIssuerText.code, severity: .error, side: .server, summary: "", detail: detail, fix: "",
            frames: [])
    }

    @Test func renumbersTheLastSentence() {
        let hostileName = "evil" + SessionIssuerText.sentence(4)
        let detail =
            "The ClientHello (SNI \(hostileName)) offered a session." + SessionIssuerText.sentence(4) + " Then: RST."
        var findings = [
            Self.finding(detail: detail),
            Finding(
                code: "other", severity: .error, side: nil, summary: "", detail: SessionIssuerText.sentence(4), fix: "",
                frames: []),
        ]
        SessionIssuerText.renumber(&findings, from: 4, to: 5)
        #expect(
            findings[0].detail == "The ClientHello (SNI \(hostileName)) offered a session."
                + SessionIssuerText.sentence(5) + " Then: RST.")
        #expect(findings[1].detail == SessionIssuerText.sentence(4))
    }

    @Test func removesTheSentenceWhenTheIssuerIsNotReported() {
        var findings = [Self.finding(detail: "Offered." + SessionIssuerText.sentence(0) + " Then: RST.")]
        SessionIssuerText.renumber(&findings, from: 0, to: nil)
        #expect(findings[0].detail == "Offered. Then: RST.")
    }

    @Test func noSentenceNoChange() {
        var findings = [Self.finding(detail: "Offered. Then: RST.")]
        SessionIssuerText.renumber(&findings, from: 3, to: 7)
        #expect(findings[0].detail == "Offered. Then: RST.")
    }
}
