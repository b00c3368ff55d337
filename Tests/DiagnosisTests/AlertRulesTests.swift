import TLSFlowModel
import Testing

@testable import Diagnosis

@Suite struct AlertRulesTests {
    func helloThenAlert(
        _ description: String, side: Side = .server, code: UInt8?, suites: [String] = ConnectionBuilder.defaultSuites,
        versions: [String] = ["TLS 1.3", "TLS 1.2"]
    ) -> ConnectionBuilder {
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.clientHello(versions: versions, suites: suites)
        b.alert(side, .fatal, description, code: code)
        b.fin(side)
        return b
    }

    @Test func handshakeFailureAfterClientHelloIsNoSharedCipher() {
        let suites = ["TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_RC4_128_SHA"]
        let b = helloThenAlert("handshake_failure", code: 40, suites: suites, versions: ["TLS 1.2"])
        let findings = b.run(NoSharedCipherRule())
        #expect(findings.map(\.code) == ["handshake.no_shared_cipher"])
        let f = findings[0]
        #expect(f.side == .server)
        #expect(f.summary.contains("3 suites"))
        #expect(f.summary.contains("TLS_RSA_WITH_AES_128_CBC_SHA"))
        #expect(f.detail.contains("No (EC)DHE suite"))
        #expect(f.frames == [4, 3])
        #expect(b.run(HandshakeAlertRule()).isEmpty)
        #expect(b.diagnosed().problemCodes == ["handshake.no_shared_cipher"])
    }

    @Test func insufficientSecurityIsNoSharedCipher() {
        let b = helloThenAlert("insufficient_security", code: 71)
        #expect(b.run(NoSharedCipherRule()).count == 1)
    }

    @Test func handshakeFailureAfterServerHelloIsGenericAlert() {
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.clientHello()
        b.serverFlight12()
        b.alert(.client, .fatal, "handshake_failure", code: 40)
        #expect(b.run(NoSharedCipherRule()).isEmpty)
        let findings = b.run(HandshakeAlertRule())
        #expect(findings.count == 1)
        #expect(findings[0].side == .client)
        #expect(findings[0].summary.contains("handshake_failure"))
    }

    @Test func protocolVersionFromServerNamesOfferedVersions() {
        let b = helloThenAlert("protocol_version", code: 70, versions: ["TLS 1.0"])
        let findings = b.run(VersionMismatchRule())
        #expect(findings.map(\.code) == ["handshake.version_mismatch"])
        #expect(findings[0].summary.contains("TLS 1.0"))
        #expect(findings[0].detail.contains("TLS 1.2 or newer"))
        #expect(b.run(HandshakeAlertRule()).isEmpty)
    }

    @Test func serverChoosingUnofferedVersionIsMismatch() {
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.clientHello(versions: ["TLS 1.3"])
        b.serverFlight12()
        b.fin(.client)
        let findings = b.run(VersionMismatchRule())
        #expect(findings.count == 1)
        #expect(findings[0].summary.contains("TLS 1.2"))
        #expect(findings[0].summary.contains("TLS 1.3"))
        // A healthy 1.2 handshake from a 1.3+1.2 client is fine.
        #expect(ConnectionBuilder.healthy12().run(VersionMismatchRule()).isEmpty)
    }

    @Test func unknownAlertNumberIsNamedByNumber() {
        let b = helloThenAlert("unknown", code: 200)
        let findings = b.run(HandshakeAlertRule())
        #expect(findings.count == 1)
        #expect(findings[0].summary.contains("alert 200"))
        #expect(findings[0].detail.contains("not in the IANA registry"))
    }

    @Test func encryptedAlertAfterCCSInTLS12IsHandshakeAlert() {
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.clientHello()
        b.serverFlight12()
        b.clientFinish12()
        b.alert(.server, .unknown, "unknown", code: nil, encrypted: true)
        b.fin(.server)
        let findings = b.run(HandshakeAlertRule())
        #expect(findings.count == 1)
        #expect(findings[0].side == .server)
        #expect(findings[0].summary.contains("encrypted alert"))
        #expect(findings[0].detail.contains("bad_record_mac"))
        let c = b.diagnosed()
        #expect(c.findings[0].code == "handshake.alert")
        #expect(c.status == .failed)
    }

    @Test func encryptedAlertAfterHandshakeIsCloseNotify() {
        #expect(ConnectionBuilder.healthy12().run(HandshakeAlertRule()).isEmpty)
    }

    @Test func warningAlertIsNotAFinding() {
        var b = ConnectionBuilder.healthy12()
        b.alert(.server, .warning, "unrecognized_name", code: 112)
        #expect(b.run(HandshakeAlertRule()).isEmpty)
    }

    @Test func alertAnsweringPeerFINIsInfo() {
        // The client closes mid-handshake without close_notify; the server's decode_error answers it.
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.clientHello()
        b.serverFlight12()
        b.fin(.client, after: 5)
        b.alert(.server, .fatal, "decode_error", code: 50)
        b.rst(.server)
        let alert = b.run(HandshakeAlertRule())
        #expect(alert.count == 1)
        #expect(alert[0].severity == .info)
        #expect(alert[0].summary.contains("after the peer closed"))
        let c = b.diagnosed()
        #expect(c.findings[0].code == "handshake.closed")
        #expect(c.findings[0].side == .client)
        #expect(c.problemCodes == ["handshake.closed"])
        #expect(c.findings[0].consequences.contains { $0.hasPrefix("handshake.reset") })
    }

    @Test func certificateAlertFollowsTheAuditFinding() {
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.clientHello()
        b.serverFlight12()
        b.alert(.client, .fatal, "unknown_ca", code: 48)
        b.rst(.client)
        let certFrame = b.connection.serverCertificateFrame ?? 0
        b.connection.findings = [
            Finding(
                code: "cert.incomplete_chain", severity: .error, side: .server, summary: "missing intermediate",
                detail: "", fix: "serve the chain", frames: [certFrame, 5])
        ]
        let c = b.diagnosed()
        #expect(c.findings[0].code == "cert.incomplete_chain")
        #expect(c.problemCodes == ["cert.incomplete_chain"])
        #expect(c.findings[0].consequences.count == 2)
        #expect(c.codes() == ["cert.incomplete_chain"])
        #expect(c.findings[0].consequences[0].hasPrefix("handshake.alert: client sent fatal unknown_ca"))
        // Without the audit finding the alert itself is the headline.
        b.connection.findings = []
        let bare = b.diagnosed()
        #expect(bare.findings[0].code == "handshake.alert")
        #expect(bare.findings[0].detail.contains("rejected the server's certificate"))
    }
}

@Suite struct ReactionTests {
    @Test func decodeErrorAfterClientFINWithoutCloseNotifyIsNotTheHeadline() {
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.clientHello()
        b.serverFlight12()
        b.clientFinish12()
        b.serverFinish12()
        b.appData(.client)
        b.appData(.server)
        b.fin(.client, after: 100)  // no close_notify
        b.alert(.server, .fatal, "decode_error", code: 50)
        b.rst(.server)
        let c = b.diagnosed()
        #expect(c.codes() == ["handshake.alert"])
        #expect(c.findings[0].severity == .info)
        #expect(c.findings[0].detail.contains("only answers the peer's close"))
        #expect(c.status == .ok)
    }

    @Test func starttlsSessionThatNeverUpgradedIsInfo() {
        var b = ConnectionBuilder(serverPort: 25)
        b.connection.upgradedFrom = "SMTP STARTTLS"
        b.tcpHandshake()
        b.plaintext(.server, bytes: 40)
        b.plaintext(.client, bytes: 10)
        b.plaintext(.server, bytes: 30)
        b.fin(.server)
        b.fin(.client)
        let c = b.diagnosed()
        #expect(c.codes() == ["handshake.closed"])
        #expect(c.findings[0].severity == .info)
        #expect(c.findings[0].summary.contains("SMTP STARTTLS session ended before TLS started"))
        #expect(c.status == .ok)
    }
}
