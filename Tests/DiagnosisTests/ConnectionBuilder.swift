import TLSFlowModel

@testable import Diagnosis

/// Builds Connection values the way the pipeline fills them, one packet at a time.
struct ConnectionBuilder {
    var connection: Connection
    var frame = 0
    var clock: Int64 = 0  // milliseconds since start
    var sniName: String?
    static let t0: Int64 = 1_700_000_000

    init(id: Int = 1, sni: String? = "app.example.com", serverPort: UInt16 = 443) {
        connection = Connection(
            id: id, client: Endpoint(ip: "10.0.0.5", port: 51514), server: Endpoint(ip: "192.0.2.10", port: serverPort),
            firstFrame: 1, start: Self.time(0))
        connection.isTLS = true
        sniName = sni
    }

    static func time(_ ms: Int64) -> Timestamp {
        Timestamp(totalNanoseconds: t0 * 1_000_000_000 + ms * 1_000_000)
    }

    var now: Timestamp { Self.time(clock) }

    /// Advances the clock and returns the next frame number.
    mutating func next(after ms: Int64) -> Int {
        clock += ms
        frame += 1
        connection.lastFrame = frame
        connection.end = now
        return frame
    }

    mutating func event(_ side: Side, _ kind: TimelineEvent.Kind, frame: Int? = nil) {
        connection.timeline.append(TimelineEvent(frame: frame ?? self.frame, time: now, from: side, kind: kind))
    }

    // MARK: TCP

    @discardableResult
    mutating func segment(_ side: Side, _ flags: TCPFlags, payload: Int = 0, after ms: Int64 = 1) -> Int {
        let f = next(after: ms)
        event(side, .segment(flags: flags, payload: payload))
        if flags.contains(.rst) {
            connection.tcp.end = .rst
            connection.tcp.endedBy = side
        } else if flags.contains(.fin), connection.tcp.end != .fin, connection.tcp.end != .rst {
            connection.tcp.end = .fin
            connection.tcp.endedBy = side
        }
        return f
    }

    mutating func tcpHandshake(rttMs: Int64 = 20) {
        segment(.client, [.syn], after: 0)
        segment(.server, [.syn, .ack], after: rttMs)
        connection.tcp.handshake = .complete
    }

    /// A pure ACK: the pipeline records no event for it, but it takes a frame number.
    mutating func ack(after ms: Int64 = 0) { _ = next(after: ms) }

    @discardableResult mutating func syn(after ms: Int64 = 0) -> Int { segment(.client, [.syn], after: ms) }
    @discardableResult mutating func fin(_ side: Side, after ms: Int64 = 1) -> Int {
        segment(side, [.fin, .ack], after: ms)
    }
    @discardableResult mutating func rst(_ side: Side, after ms: Int64 = 1) -> Int {
        segment(side, [.rst, .ack], after: ms)
    }

    mutating func retransmit(_ side: Side, bytes: Int, after ms: Int64) {
        segment(side, [.psh, .ack], payload: bytes, after: ms)
        event(side, .retransmission(bytes: bytes))
        connection.tcp.retransmissions += 1
    }

    mutating func gap(_ side: Side, bytes: Int, after ms: Int64 = 1) {
        segment(side, [.ack], payload: 1000, after: ms)
        event(side, .gap(bytes: bytes))
        connection.tcp.gaps += 1
        connection.tcp.missingBytes += bytes
    }

    // MARK: TLS

    mutating func clientHello(
        after ms: Int64 = 1, versions: [String] = ["TLS 1.3", "TLS 1.2"], suites: [String] = defaultSuites,
        sessionID: String = "", ticketLength: Int = 0, psk: Bool = false, length: Int = 512
    ) {
        let f = segment(.client, [.psh, .ack], payload: length + 9, after: ms)
        event(.client, .handshake(type: 1, name: "ClientHello", length: length))
        var hello = ClientHelloInfo(frame: f, time: now)
        hello.recordVersion = "TLS 1.0"
        hello.legacyVersion = "TLS 1.2"
        if versions.count > 1 || versions.first == "TLS 1.3" {
            hello.supportedVersions = versions
        } else {
            hello.legacyVersion = versions.first ?? "TLS 1.2"
        }
        hello.sni = sniName
        hello.sessionID = sessionID
        hello.sessionTicket = ticketLength > 0
        hello.sessionTicketLength = ticketLength
        hello.psk = psk
        hello.cipherSuites = suites
        connection.clientHello = hello
        if psk {
            connection.resumption.offered = .psk
        } else if ticketLength > 0 {
            connection.resumption.offered = .ticket
        } else if !sessionID.isEmpty {
            connection.resumption.offered = .sessionID
        }
    }

    static let defaultSuites = [
        "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    ]

    /// A TLS 1.2 server flight: ServerHello, Certificate, ServerKeyExchange, ServerHelloDone
    /// (or, resumed, ServerHello + CCS + Finished).
    mutating func serverFlight12(after ms: Int64 = 20, sessionID: String = "aa", resumed: Bool = false) {
        let f = segment(.server, [.psh, .ack], payload: resumed ? 140 : 3000, after: ms)
        event(.server, .handshake(type: 2, name: "ServerHello", length: 80))
        var hello = ServerHelloInfo(frame: f, time: now)
        hello.version = "TLS 1.2"
        hello.cipherSuite = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
        hello.sessionID = sessionID
        connection.serverHello = hello
        connection.version = "TLS 1.2"
        if connection.resumption.offered != .none { connection.resumption.accepted = resumed }
        if resumed {
            event(.server, .changeCipherSpec)
            event(.server, .encryptedRecord(contentType: 22, length: 40, decryptedType: nil))
            return
        }
        event(.server, .handshake(type: 11, name: "Certificate", length: 2500))
        var cert = CertificateInfo(frame: f, sha256: "11")
        cert.subject = "CN=app.example.com"
        cert.issuer = "CN=Example CA"
        connection.serverCertificates = [cert]
        connection.serverCertificateFrame = f
        event(.server, .handshake(type: 12, name: "ServerKeyExchange", length: 300))
        event(.server, .handshake(type: 14, name: "ServerHelloDone", length: 0))
    }

    /// TLS 1.2 client ClientKeyExchange + CCS + Finished.
    mutating func clientFinish12(after ms: Int64 = 20) {
        segment(.client, [.psh, .ack], payload: 126, after: ms)
        event(.client, .handshake(type: 16, name: "ClientKeyExchange", length: 66))
        event(.client, .changeCipherSpec)
        event(.client, .encryptedRecord(contentType: 22, length: 40, decryptedType: nil))
    }

    /// TLS 1.2 server CCS + Finished: the handshake is complete.
    mutating func serverFinish12(after ms: Int64 = 20) {
        let f = segment(.server, [.psh, .ack], payload: 51, after: ms)
        event(.server, .changeCipherSpec)
        event(.server, .encryptedRecord(contentType: 22, length: 40, decryptedType: nil))
        complete(frame: f)
    }

    /// TLS 1.2 abbreviated handshake end: the client's CCS + Finished.
    mutating func clientFinishResumed12(after ms: Int64 = 20) {
        let f = segment(.client, [.psh, .ack], payload: 51, after: ms)
        event(.client, .changeCipherSpec)
        event(.client, .encryptedRecord(contentType: 22, length: 40, decryptedType: nil))
        complete(frame: f)
    }

    mutating func complete(frame: Int) {
        connection.handshakeComplete = true
        connection.handshakeCompleteFrame = frame
        if let hello = connection.clientHello { connection.handshakeMs = now.milliseconds(since: hello.time) }
    }

    /// TLS 1.3 server flight: ServerHello, CCS, encrypted EE/Certificate/CV/Finished.
    mutating func serverFlight13(after ms: Int64 = 20, psk: Bool = false) {
        let f = segment(.server, [.psh, .ack], payload: 4000, after: ms)
        event(.server, .handshake(type: 2, name: "ServerHello", length: 118))
        var hello = ServerHelloInfo(frame: f, time: now)
        hello.version = "TLS 1.3"
        hello.cipherSuite = "TLS_AES_128_GCM_SHA256"
        hello.selectedPSK = psk
        connection.serverHello = hello
        connection.version = "TLS 1.3"
        if connection.resumption.offered != .none { connection.resumption.accepted = psk }
        event(.server, .changeCipherSpec)
        for length in psk ? [40, 69] : [40, 2800, 280, 69] {
            event(.server, .encryptedRecord(contentType: 23, length: length, decryptedType: nil))
        }
    }

    /// TLS 1.3 client CCS + encrypted Finished (53 bytes): the handshake is complete.
    mutating func clientFinish13(after ms: Int64 = 20) {
        let f = segment(.client, [.psh, .ack], payload: 64, after: ms)
        event(.client, .changeCipherSpec)
        event(.client, .encryptedRecord(contentType: 23, length: 53, decryptedType: nil))
        complete(frame: f)
    }

    mutating func encryptedRecord(_ side: Side, length: Int, ccs: Bool = false, after ms: Int64 = 1) {
        segment(side, [.psh, .ack], payload: length + 5 + (ccs ? 6 : 0), after: ms)
        if ccs { event(side, .changeCipherSpec) }
        event(side, .encryptedRecord(contentType: 23, length: length, decryptedType: nil))
    }

    mutating func appData(_ side: Side, bytes: Int = 500, after ms: Int64 = 10) {
        let f = segment(side, [.psh, .ack], payload: bytes + 29, after: ms)
        event(side, .encryptedRecord(contentType: 23, length: bytes + 24, decryptedType: nil))
        connection.applicationData.add(from: side, bytes: bytes, frame: f, time: now)
    }

    mutating func alert(
        _ side: Side, _ level: AlertInfo.Level, _ description: String, code: UInt8?, encrypted: Bool = false,
        after ms: Int64 = 1
    ) {
        let f = segment(side, [.psh, .ack], payload: encrypted ? 31 : 7, after: ms)
        let levelByte: UInt8 = encrypted ? 0 : (level == .fatal ? 2 : 1)
        event(side, .alert(level: levelByte, description: encrypted ? 0 : (code ?? 0), encrypted: encrypted))
        connection.alerts.append(
            AlertInfo(
                frame: f, time: now, from: side, level: level, description: description,
                descriptionCode: code, encrypted: encrypted))
    }

    mutating func plaintext(_ side: Side, bytes: Int, after ms: Int64 = 1) {
        segment(side, [.psh, .ack], payload: bytes, after: ms)
        event(side, .plaintext(bytes: bytes))
    }

    /// A healthy TLS 1.2 connection: handshake, request, response, encrypted close_notify, FINs.
    static func healthy12() -> ConnectionBuilder {
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.clientHello()
        b.serverFlight12()
        b.clientFinish12()
        b.serverFinish12()
        b.appData(.client, bytes: 400)
        b.appData(.server, bytes: 9000)
        b.alert(.client, .unknown, "unknown", code: nil, encrypted: true, after: 50)
        b.fin(.client)
        b.fin(.server)
        return b
    }

    /// A healthy TLS 1.3 connection without keys (tickets look like server data).
    static func healthy13() -> ConnectionBuilder {
        var b = ConnectionBuilder()
        b.tcpHandshake()
        b.clientHello()
        b.serverFlight13()
        b.clientFinish13()
        b.appData(.client, bytes: 300)
        b.appData(.server, bytes: 700, after: 1)
        b.appData(.server, bytes: 12000)
        b.fin(.client, after: 100)
        b.fin(.server)
        return b
    }

    func context(captureEndAfter ms: Int64 = 0, handshakeTimeout: Double = 10) -> DiagnosisContext {
        DiagnosisContext(captureEnd: Self.time(clock + ms), handshakeTimeout: handshakeTimeout, idleTimeout: 10)
    }

    func diagnosed(captureEndAfter ms: Int64 = 0) -> Connection {
        var c = connection
        Diagnoser().diagnose(&c, context: context(captureEndAfter: ms))
        return c
    }

    func run<R: DiagnosisRule>(_ rule: R, captureEndAfter ms: Int64 = 0) -> [Finding] {
        rule.evaluate(connection, context: context(captureEndAfter: ms))
    }
}

extension Connection {
    func codes(_ severity: Finding.Severity? = nil) -> [String] {
        findings.filter { severity == nil || $0.severity == severity }.map(\.code)
    }
    /// Codes of error and warning findings, in order.
    var problemCodes: [String] { findings.filter { $0.severity != .info }.map(\.code) }
}
