import TLSFlowModel

/// Hand-built connections in the shapes the pipeline produces.
enum Fixtures {
    static let t0 = Timestamp(seconds: 1_714_557_600, nanoseconds: 123_456_000)  // 2024-05-01T10:00:00.123456Z

    static func at(_ ms: Double) -> Timestamp { t0.adding(nanoseconds: Int64(ms * 1_000_000)) }

    static func cert(frame: Int, cn: String, issuer: String, san: [String], selfSigned: Bool = false) -> CertificateInfo
    {
        var cert = CertificateInfo(frame: frame, sha256: String(repeating: "ab", count: 32))
        cert.subject = "CN=\(cn),O=Example"
        cert.issuer = issuer
        cert.serial = "0a1b2c"
        cert.san = san
        cert.notBefore = Timestamp(seconds: 1_700_000_000, nanoseconds: 0)
        cert.notAfter = Timestamp(seconds: 1_800_000_000, nanoseconds: 0)
        cert.key = "RSA 2048"
        cert.signatureAlgorithm = "sha256WithRSAEncryption"
        cert.selfSigned = selfSigned
        cert.daysLeftAtCapture = 990
        return cert
    }

    /// A complete, healthy TLS 1.2 connection with data both ways and a FIN.
    static func healthy12(id: Int = 1) -> Connection {
        var c = Connection(
            id: id, client: Endpoint(ip: "10.0.0.5", port: 51514), server: Endpoint(ip: "20.1.2.3", port: 443),
            firstFrame: 1, start: t0)
        c.lastFrame = 20
        c.end = at(250)
        c.isTLS = true
        c.tcp.handshake = .complete
        c.tcp.end = .fin
        c.tcp.endedBy = .client
        var ch = ClientHelloInfo(frame: 4, time: at(1.2))
        ch.recordVersion = "TLS 1.0"
        ch.legacyVersion = "TLS 1.2"
        ch.sni = "www.example.com"
        ch.sessionID = ""
        ch.cipherSuites = ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA"]
        ch.alpn = ["h2", "http/1.1"]
        ch.groups = ["x25519", "secp256r1"]
        ch.signatureAlgorithms = ["rsa_pss_rsae_sha256"]
        ch.ja4 = "t12d0202h2_abc_def"
        ch.ja3 = "0123456789abcdef0123456789abcdef"
        ch.ja3String = "771,49199-47,0-10-11,29-23,0"
        c.clientHello = ch
        var sh = ServerHelloInfo(frame: 6, time: at(21.5))
        sh.version = "TLS 1.2"
        sh.cipherSuite = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
        sh.sessionID = "4f2a"
        sh.alpn = "h2"
        sh.ja4s = "t120200_c02f_abc"
        c.serverHello = sh
        c.version = "TLS 1.2"
        c.serverCertificates = [
            cert(frame: 7, cn: "www.example.com", issuer: "CN=Example CA", san: ["dns:www.example.com"]),
            cert(frame: 7, cn: "Example CA", issuer: "CN=Example Root", san: []),
        ]
        c.applicationData.add(from: .client, bytes: 517, frame: 14, time: at(60))
        c.applicationData.add(from: .server, bytes: 3200, frame: 15, time: at(80))
        c.handshakeMs = 41.2
        c.handshakeComplete = true
        c.handshakeCompleteFrame = 12
        c.timing.tcpRTTms = 1.0
        c.timing.serverResponseMs = 20.3
        c.timing.serverThinkMs = 19.3
        c.status = .ok
        let events: [(Int, Double, Side, TimelineEvent.Kind)] = [
            (1, 0, .client, .segment(flags: [.syn], payload: 0)),
            (2, 1.0, .server, .segment(flags: [.syn, .ack], payload: 0)),
            (4, 1.2, .client, .handshake(type: 1, name: "ClientHello", length: 512)),
            (6, 21.5, .server, .handshake(type: 2, name: "ServerHello", length: 80)),
            (7, 21.6, .server, .handshake(type: 11, name: "Certificate", length: 2400)),
            (7, 21.6, .server, .handshake(type: 14, name: "ServerHelloDone", length: 0)),
            (9, 30, .client, .handshake(type: 16, name: "ClientKeyExchange", length: 66)),
            (9, 30, .client, .changeCipherSpec),
            (9, 30, .client, .encryptedRecord(contentType: 22, length: 40, decryptedType: nil)),
            (11, 42, .server, .changeCipherSpec),
            (12, 42.4, .server, .encryptedRecord(contentType: 22, length: 40, decryptedType: nil)),
            (14, 60, .client, .encryptedRecord(contentType: 23, length: 517, decryptedType: nil)),
            (15, 80, .server, .encryptedRecord(contentType: 23, length: 3200, decryptedType: nil)),
            (16, 81, .server, .retransmission(bytes: 1460)),
            (19, 249, .client, .segment(flags: [.fin, .ack], payload: 0)),
            (20, 250, .server, .segment(flags: [.fin, .ack], payload: 0)),
        ]
        for (frame, ms, side, kind) in events {
            c.timeline.append(TimelineEvent(frame: frame, time: at(ms), from: side, kind: kind))
        }
        return c
    }

    /// Server certificate rejected by the client: fatal bad_certificate, CN-only certificate.
    static func failedCert(id: Int = 2) -> Connection {
        var c = healthy12(id: id)
        c.firstFrame = 30
        c.lastFrame = 45
        c.clientHello?.sni = "cmg.example.com"
        c.clientHello?.sessionID = "aa55"
        c.clientHello?.sessionTicket = true
        c.clientHello?.sessionTicketLength = 192
        c.resumption.offered = .ticket
        c.resumption.accepted = false
        c.serverCertificates = [
            cert(frame: 36, cn: "cmg.example.com", issuer: "CN=Corp Root", san: [], selfSigned: true)
        ]
        c.applicationData = ApplicationDataInfo()
        c.handshakeComplete = false
        c.tcp.end = .rst
        c.tcp.endedBy = .client
        c.alerts = [
            AlertInfo(
                frame: 38, time: at(30), from: .client, level: .fatal, description: "bad_certificate",
                descriptionCode: 42, encrypted: false)
        ]
        var cnOnly = Finding(
            code: "cert.cn_only", severity: .error, side: .server,
            summary: "cmg.example.com is only in the subject CN, not in the SAN",
            detail: "SAN is absent; subject CN=cmg.example.com",
            fix: "Reissue the certificate with DNS:cmg.example.com in the subjectAltName extension.",
            frames: [36, 38])
        cnOnly.consequences = ["handshake.alert"]
        c.findings = [
            Finding(
                code: "cert.self_signed", severity: .warning, side: .server, summary: "the leaf is self-signed",
                detail: "issuer equals subject", fix: "Use a certificate issued by a trusted CA.", frames: [36]),
            cnOnly,
        ]
        c.notes = [Note(frame: 40, message: "record after the alert was not parsed")]
        c.status = .failed
        var timeline = Timeline()
        timeline.append(
            TimelineEvent(
                frame: 34, time: at(1), from: .client, kind: .handshake(type: 1, name: "ClientHello", length: 300)))
        timeline.append(
            TimelineEvent(
                frame: 36, time: at(20), from: .server, kind: .handshake(type: 11, name: "Certificate", length: 900)))
        timeline.append(
            TimelineEvent(
                frame: 38, time: at(30), from: .client, kind: .alert(level: 2, description: 42, encrypted: false)))
        timeline.append(
            TimelineEvent(frame: 39, time: at(30.5), from: .client, kind: .segment(flags: [.rst], payload: 0)))
        c.timeline = timeline
        return c
    }

    /// TLS 1.3 without keys: a short encrypted record from the client, then close.
    static func tls13Encrypted(id: Int = 3) -> Connection {
        var c = healthy12(id: id)
        c.clientHello?.supportedVersions = ["TLS 1.3", "TLS 1.2"]
        c.clientHello?.keyShareGroups = ["x25519"]
        c.clientHello?.psk = true
        c.clientHello?.earlyData = true
        c.serverHello?.version = "TLS 1.3"
        c.serverHello?.cipherSuite = "TLS_AES_128_GCM_SHA256"
        c.serverHello?.keyShareGroup = "x25519"
        c.serverHello?.selectedPSK = false
        c.version = "TLS 1.3"
        c.serverCertificates = []
        c.applicationData = ApplicationDataInfo()
        c.resumption.offered = .psk
        c.resumption.accepted = false
        c.handshakeComplete = false
        c.handshakeMs = nil
        c.findings = [
            Finding(
                code: "tls13.encrypted_alert", severity: .error, side: .client,
                summary: "client sent a short encrypted record and closed: probable certificate rejection",
                detail: "19-byte record at frame 9 right after the server's flight",
                fix: "Check the server certificate chain against the client's trust store.", frames: [9, 10])
        ]
        c.status = .failed
        var timeline = Timeline()
        timeline.append(
            TimelineEvent(
                frame: 4, time: at(1), from: .client, kind: .handshake(type: 1, name: "ClientHello", length: 512)))
        timeline.append(
            TimelineEvent(
                frame: 6, time: at(20), from: .server, kind: .handshake(type: 2, name: "ServerHello", length: 122)))
        timeline.append(
            TimelineEvent(
                frame: 7, time: at(20.1), from: .server,
                kind: .encryptedRecord(contentType: 23, length: 2500, decryptedType: nil)))
        timeline.append(
            TimelineEvent(
                frame: 9, time: at(25), from: .client,
                kind: .encryptedRecord(contentType: 23, length: 19, decryptedType: nil)))
        timeline.append(
            TimelineEvent(
                frame: 9, time: at(25), from: .client,
                kind: .encryptedRecord(contentType: 23, length: 19, decryptedType: 21)))
        timeline.append(
            TimelineEvent(frame: 10, time: at(25.2), from: .client, kind: .segment(flags: [.fin, .ack], payload: 0)))
        c.timeline = timeline
        return c
    }

    /// SYN never answered: no TLS seen at all.
    static func noClientHello(id: Int = 4) -> Connection {
        var c = Connection(
            id: id, client: Endpoint(ip: "2001:db8::5", port: 40000), server: Endpoint(ip: "2001:db8::443", port: 443),
            firstFrame: 50, start: at(500))
        c.lastFrame = 52
        c.end = at(3500)
        c.isTLS = true
        c.tcp.handshake = .partial
        c.tcp.end = .idle
        c.tcp.retransmissions = 2
        c.findings = [
            Finding(
                code: "tcp.no_answer", severity: .error, side: .server, summary: "SYN never answered",
                detail: "3 SYNs over 3.0 s",
                fix: "Check that the server listens on port 443 and no firewall drops SYNs.",
                frames: [50, 51, 52])
        ]
        c.status = .failed
        c.timing.tcpRTTms = .nan
        return c
    }

    static func capture(file: String = "Captures/x.pcap", nanoseconds: Bool = false, _ connections: [Connection])
        -> CaptureReport
    {
        var report = CaptureReport(file: file, format: nanoseconds ? "pcapng" : "pcap")
        report.linkTypes = ["EN10MB"]
        report.packets = 123
        report.bytes = 45678
        report.firstTime = t0
        report.lastTime = at(3500)
        report.nanosecondPrecision = nanoseconds
        report.errors = [CaptureError(message: "capture truncated after frame 88", frame: 88)]
        report.nonTLSConnections = 2
        report.connections = connections
        var pattern = Finding(
            code: "resumption.aborted", severity: .warning, side: .server,
            summary: "2 of 2 resumed handshakes failed", detail: "tickets offered on #2 and #3 were refused",
            fix: "Check session ticket key sharing across the server pool.", frames: [34, 4])
        pattern.connectionIDs = [2, 3]
        report.patterns = [pattern]
        return report
    }

    static func summary(_ captures: [CaptureReport]) -> RunSummary {
        var summary = RunSummary()
        for capture in captures { for c in capture.connections { summary.add(c) } }
        return summary
    }

    static var all: [Connection] { [healthy12(), failedCert(), tls13Encrypted(), noClientHello()] }
}
