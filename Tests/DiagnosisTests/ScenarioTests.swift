import TLSFlowModel
import Testing

@testable import Diagnosis

/// The failure cases of the project's capture generator (Captures/cases.json on the captures
/// branch), rebuilt frame by frame from their wire descriptions, with their golden verdicts.
@Suite struct ScenarioTests {
    func handshakeStart(_ b: inout ConnectionBuilder) {
        b.tcpHandshake()  // 1 SYN, 2 SYN-ACK
        b.ack()  // 3
    }

    @Test func stalledClientHello() {
        var b = ConnectionBuilder()
        handshakeStart(&b)
        b.clientHello()  // 4
        b.retransmit(.client, bytes: 521, after: 200)  // 5
        b.retransmit(.client, bytes: 521, after: 200)  // 6
        b.ack(after: 5)  // 7 server ACK, no ServerHello
        b.fin(.client, after: 2600)  // 8, ~3 s after the ClientHello
        b.ack()  // 9
        b.rst(.server, after: 2000)  // 10
        let c = b.diagnosed()
        #expect(c.status == .failed)
        #expect(c.codes() == ["handshake.stalled"])
        #expect(c.findings[0].side == .server)
        #expect(c.findings[0].summary.contains("retransmitted 2 times"))
        #expect(c.findings[0].frames == [4, 5, 6, 8])
        #expect(c.findings[0].consequences.count == 2)  // the client's FIN and the server's RST
    }

    @Test func resetAfterClientHello() {
        var b = ConnectionBuilder()
        handshakeStart(&b)
        b.clientHello()  // 4
        b.ack()  // 5
        b.rst(.server)  // 6
        let c = b.diagnosed()
        #expect(c.status == .failed)
        #expect(c.codes() == ["handshake.reset"])
        #expect(c.findings[0].side == .server)
        #expect(c.findings[0].frames.first == 6)
    }

    @Test func noAnswer() {
        var b = ConnectionBuilder(serverPort: 4444)
        b.syn()
        b.syn(after: 1000)
        b.syn(after: 1000)
        b.connection.tcp.handshake = .partial
        b.connection.tcp.end = .idle
        let c = b.diagnosed(captureEndAfter: 1000)
        #expect(c.status == .failed)
        #expect(c.codes() == ["tcp.no_answer"])
        #expect(c.findings[0].summary.contains("3 SYNs sent over 2.0 s"))
    }

    @Test func refused() {
        var b = ConnectionBuilder(serverPort: 8443)
        b.syn()
        b.rst(.server)
        let c = b.diagnosed()
        #expect(c.codes() == ["tcp.refused"])
        #expect(c.status == .failed)
    }

    @Test func versionMismatch() {
        var b = ConnectionBuilder()
        handshakeStart(&b)
        b.clientHello(versions: ["TLS 1.3"])  // 4
        b.ack()  // 5
        b.alert(.server, .fatal, "protocol_version", code: 70)  // 6
        b.ack()  // 7
        b.fin(.server)  // 8
        b.fin(.client)  // 9
        let c = b.diagnosed()
        #expect(c.codes() == ["handshake.version_mismatch"])
        #expect(c.findings[0].summary.contains("(TLS 1.3)"))
        #expect(c.findings[0].detail.contains("TLS 1.2 at most"))
    }

    @Test func cipherMismatch() {
        var b = ConnectionBuilder()
        handshakeStart(&b)
        b.clientHello(
            versions: ["TLS 1.2"],
            suites: ["TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"])
        b.ack()
        b.alert(.server, .fatal, "handshake_failure", code: 40)  // 6
        b.ack()
        b.fin(.server)
        b.fin(.client)
        let c = b.diagnosed()
        #expect(c.codes() == ["handshake.no_shared_cipher"])
        #expect(c.findings[0].summary.contains("client offered 1 suite: TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"))
        #expect(c.findings[0].detail.contains("must enable that suite"))
    }

    func javaRejection(pipelineInfersFinished: Bool) -> Connection {
        var b = ConnectionBuilder(sni: "www.tlsflow.test")
        handshakeStart(&b)
        b.clientHello()  // 4
        b.ack()  // 5
        b.serverFlight13()  // 6
        b.ack()  // 7
        b.encryptedRecord(.server, length: 1200)  // 8 rest of the flight
        b.ack()  // 9
        b.segment(.client, [.psh, .ack], payload: 6)  // 10 CCS
        b.event(.client, .changeCipherSpec)
        b.ack()  // 11
        b.encryptedRecord(.client, length: 35)  // 12: certificate_unknown, padded by Java
        if pipelineInfersFinished {
            b.complete(frame: b.frame)
            b.connection.applicationData.add(from: .client, bytes: 18, frame: b.frame, time: b.now)
        }
        b.fin(.client)  // 13
        b.ack()  // 14
        b.fin(.server)  // 15
        return b.diagnosed(captureEndAfter: 50)
    }

    @Test func tls13CertificateRejectedByJava() {
        for inferred in [false, true] {
            let c = javaRejection(pipelineInfersFinished: inferred)
            #expect(c.codes() == ["tls13.encrypted_alert"], "pipeline infers Finished: \(inferred)")
            #expect(c.findings.first?.frames.first == 12)
            #expect(c.findings.first?.summary.contains("35-byte") == true)
            #expect(c.status == .failed)
        }
    }

    @Test func tls13CertificateRejectedByOpenSSLInCleartext() {
        var b = ConnectionBuilder()
        handshakeStart(&b)
        b.clientHello()  // 4
        b.ack()
        b.serverFlight13()  // 6
        b.ack()
        b.encryptedRecord(.server, length: 1200)  // 8
        b.ack()
        b.alert(.client, .fatal, "unknown_ca", code: 48)  // 10, cleartext
        b.fin(.client)  // 11
        b.fin(.server)  // 12
        let c = b.diagnosed()
        #expect(c.codes() == ["handshake.alert"])
        #expect(c.findings[0].side == .client)
        #expect(c.findings[0].summary.contains("unknown_ca"))
    }

    @Test func httpOn443() {
        var b = ConnectionBuilder()
        handshakeStart(&b)
        b.plaintext(.client, bytes: 78)  // 4
        b.connection.notes = [Note(frame: 4, message: "malformed: client sent 'GET / HTTP/1.1' to port 443")]
        b.ack()
        b.plaintext(.server, bytes: 180)  // 6
        b.ack()
        b.fin(.client)  // 8
        b.fin(.server)  // 9
        let c = b.diagnosed()
        #expect(c.codes() == ["tls.malformed"])
        #expect(c.findings[0].side == .client)
        #expect(c.status == .failed)
    }

    @Test func tlsToPlainHTTP() {
        var b = ConnectionBuilder(sni: "www.tlsflow.test")
        handshakeStart(&b)
        b.clientHello(versions: ["TLS 1.2"])  // 4
        b.ack()
        b.plaintext(.server, bytes: 160)  // 6
        b.ack()
        b.fin(.server)  // 8
        b.fin(.client)  // 9
        let c = b.diagnosed()
        #expect(c.codes() == ["tls.malformed"])
        #expect(c.findings[0].side == .server)
    }

    @Test func closedAfterClientHello() {
        var b = ConnectionBuilder()
        handshakeStart(&b)
        b.clientHello(versions: ["TLS 1.2"])  // 4
        b.ack()  // 5
        b.fin(.server)  // 6
        b.ack()  // 7
        b.alert(.client, .fatal, "decode_error", code: 50)  // 8
        b.fin(.client)  // 9
        b.rst(.server)  // 10
        b.rst(.server)  // 11
        let c = b.diagnosed()
        #expect(c.codes() == ["handshake.closed"])
        #expect(c.findings[0].side == .server)
        #expect(
            c.findings[0].consequences.contains {
                $0.hasPrefix("handshake.alert: client sent decode_error after the peer closed")
            })
        #expect(c.status == .failed)
    }

    @Test func fatalAlertExplainedByTheAudit() {
        var b = ConnectionBuilder()
        handshakeStart(&b)
        b.clientHello(versions: ["TLS 1.2"])
        b.serverFlight12()
        let certificateFrame = b.frame
        b.alert(.client, .fatal, "unknown_ca", code: 48)
        let alertFrame = b.frame
        b.fin(.client)
        b.fin(.server)
        b.connection.findings = [
            Finding(
                code: "cert.untrusted_root", severity: .error, side: .server,
                summary: "chain ends in the untrusted root CN=tlsflow Test Root CA", detail: "", fix: "",
                frames: [certificateFrame, alertFrame])
        ]
        let c = b.diagnosed()
        #expect(c.codes() == ["cert.untrusted_root"])
        #expect(c.status == .failed)
    }

    @Test func captureGapInAWorkingConnection() {
        var b = ConnectionBuilder()
        handshakeStart(&b)
        b.clientHello()  // 4
        b.ack()
        b.serverFlight12()  // 6
        b.ack()
        b.ack()
        b.clientFinish12()  // 9
        b.gap(.server, bytes: 778)  // 10: the rest of the flight was not captured
        b.event(.server, .changeCipherSpec)
        b.event(.server, .encryptedRecord(contentType: 22, length: 40, decryptedType: nil))
        b.complete(frame: b.frame)
        b.appData(.client)
        b.appData(.server)
        b.alert(.server, .unknown, "unknown", code: nil, encrypted: true)
        b.alert(.client, .unknown, "unknown", code: nil, encrypted: true)
        b.fin(.client)
        b.fin(.server)
        let c = b.diagnosed()
        #expect(c.codes() == ["capture.gap"])
        #expect(c.status == .warning)
    }

    @Test func oneWayData() {
        var b = ConnectionBuilder()
        handshakeStart(&b)
        b.clientHello()  // 4
        b.ack()
        b.serverFlight12()  // 6
        b.ack()
        b.ack()
        b.clientFinish12()  // 10
        b.serverFinish12()  // 11
        b.appData(.client, bytes: 71)  // 12
        b.ack()  // 13
        b.fin(.client, after: 3000)  // 14
        b.ack()  // 15
        b.rst(.server, after: 1400)  // 16
        let c = b.diagnosed()
        #expect(c.codes() == ["data.one_way"])
        #expect(c.findings[0].severity == .error)
        #expect(c.findings[0].side == .server)
        #expect(c.findings[0].summary.contains("client sent 1 record (71 bytes), server 0 records"))
        #expect(c.findings[0].summary.contains("then client sent FIN"))
    }

    @Test func healthyTLS13WithTicketsAfterTheRequestAndEncryptedCloseNotify() {
        var b = ConnectionBuilder()
        handshakeStart(&b)
        b.clientHello(versions: ["TLS 1.3"])  // 4
        b.serverFlight13()
        b.encryptedRecord(.server, length: 1200)
        b.clientFinish13()
        b.appData(.client, bytes: 30)  // GET
        b.appData(.server, bytes: 200)  // NewSessionTicket
        b.appData(.server, bytes: 900)  // ticket + 200 OK + close_notify
        b.encryptedRecord(.client, length: 19)  // close_notify
        b.fin(.client)
        b.fin(.server)
        let c = b.diagnosed()
        #expect(c.findings.isEmpty)
        #expect(c.status == .ok)
    }

    @Test func resumptionAbortedAcrossConnections() {
        var connections: [Connection] = []
        for id in 1...6 {
            var b = ConnectionBuilder(id: id, sni: "www.tlsflow.test")
            handshakeStart(&b)
            if id % 2 == 1 {
                b.clientHello(versions: ["TLS 1.2"])
                b.serverFlight12()
                b.clientFinish12()
                b.serverFinish12()
                b.appData(.client)
                b.appData(.server)
                b.fin(.client)
                b.fin(.server)
            } else {
                b.clientHello(versions: ["TLS 1.2"], sessionID: String(repeating: "ab", count: 32), ticketLength: 176)
                b.ack()
                if id == 4 {
                    b.rst(.server)
                } else {
                    b.fin(.client, after: 2000)
                    b.fin(.server)
                }
            }
            connections.append(b.diagnosed())
        }
        #expect(connections.map(\.status) == [.ok, .failed, .ok, .failed, .ok, .failed])
        for c in connections where c.status == .failed {
            #expect(c.codes() == ["resumption.aborted"])
        }
        var patterns = PatternAccumulator()
        connections.forEach { patterns.add($0) }
        let found = patterns.findings()
        #expect(found.map(\.finding.code) == ["resumption.aborted"])
        #expect(
            found.first?.finding.summary
                == "3 of 3 resumed handshakes to www.tlsflow.test failed; 0 of 3 full handshakes did")
        #expect(found.first?.connectionIDs == [2, 4, 6])
    }
}

@Suite struct ServerSideEncryptedAlertTests {
    /// TLS 1.3 mutual TLS without keys: the client finishes, the server answers with one
    /// alert-sized record and closes (certificate_required on the wire).
    @Test func serverRejectsTheClientAfterItsFinished() {
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.clientHello()
        b.serverFlight13()
        b.clientFinish13()
        b.appData(.client, bytes: 69)
        b.encryptedRecord(.server, length: 19, after: 25)
        // Without keys the pipeline cannot tell this record from data, and counts it as such.
        b.connection.applicationData.add(from: .server, bytes: 19, frame: b.frame, time: b.now)
        let close = b.fin(.server)
        b.fin(.client)
        let c = b.diagnosed()
        #expect(c.codes(.error) == ["tls13.encrypted_alert"])
        #expect(c.findings.first?.side == .server)
        #expect(c.findings.first?.frames.contains(close) == true)
        #expect(c.status == .failed)
    }

    @Test func aTicketAfterTheFinishedIsNotAnAlert() {
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.clientHello()
        b.serverFlight13()
        b.clientFinish13()
        b.encryptedRecord(.server, length: 250, after: 5)
        b.fin(.server)
        let c = b.diagnosed()
        #expect(!c.codes().contains("tls13.encrypted_alert"))
    }
}
