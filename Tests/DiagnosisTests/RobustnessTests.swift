import TLSFlowModel
import Testing

@testable import Diagnosis

/// Random, inconsistent connections (events out of order, frames repeated, fields contradicting
/// the timeline) must never trap and must always end with a status and well-formed findings.
@Suite struct RobustnessTests {
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(max(bound, 1)))
        }
        mutating func bool() -> Bool { next(2) == 1 }
    }

    static func randomConnection(_ g: inout Generator, id: Int) -> Connection {
        var c = Connection(
            id: id, client: Endpoint(ip: "10.0.0.1", port: 1000), server: Endpoint(ip: "2001:db8::1", port: 443),
            firstFrame: g.next(5), start: Timestamp(seconds: Int64(g.next(100)), nanoseconds: 0))
        let kinds: [TimelineEvent.Kind] = [
            .segment(flags: [.syn], payload: 0), .segment(flags: [.syn, .ack], payload: 0),
            .segment(flags: [.fin, .ack], payload: 0), .segment(flags: [.rst], payload: 0),
            .segment(flags: [.psh, .ack], payload: g.next(3000)), .retransmission(bytes: g.next(2000)),
            .gap(bytes: g.next(5000) - 10), .handshake(type: 1, name: "ClientHello", length: g.next(600)),
            .handshake(type: 2, name: "ServerHello", length: 90), .changeCipherSpec,
            .alert(level: 2, description: UInt8(g.next(256)), encrypted: g.bool()),
            .encryptedRecord(contentType: 23, length: g.next(40), decryptedType: nil), .plaintext(bytes: g.next(100)),
        ]
        var frame = 0
        for _ in 0..<g.next(40) {
            frame += g.next(3) - 0  // frames may repeat
            let time = Timestamp(seconds: Int64(g.next(200)), nanoseconds: UInt32(g.next(1_000_000_000)))
            c.timeline.append(
                TimelineEvent(
                    frame: frame, time: time, from: g.bool() ? .client : .server, kind: kinds[g.next(kinds.count)]))
        }
        c.end = Timestamp(seconds: Int64(g.next(300)), nanoseconds: 0)
        if g.bool() {
            var hello = ClientHelloInfo(
                frame: g.next(frame + 2), time: Timestamp(seconds: Int64(g.next(50)), nanoseconds: 0))
            hello.psk = g.bool()
            hello.sessionTicketLength = g.next(3)
            hello.sessionTicket = hello.sessionTicketLength > 0
            hello.supportedVersions = g.bool() ? ["TLS 1.3", "GREASE"] : []
            hello.cipherSuites = g.bool() ? ["TLS_RSA_WITH_RC4_128_SHA"] : []
            hello.sslv2Format = g.bool()
            c.clientHello = hello
        }
        if g.bool() {
            var hello = ServerHelloInfo(
                frame: g.next(frame + 2), time: Timestamp(seconds: Int64(g.next(50)), nanoseconds: 0))
            hello.version = ["TLS 1.3", "TLS 1.2", "SSL 3.0", ""][g.next(4)]
            hello.sessionID = g.bool() ? "ab" : ""
            c.serverHello = hello
        }
        c.handshakeComplete = g.bool()
        c.handshakeCompleteFrame = g.bool() ? g.next(frame + 2) : nil
        c.resumption.accepted = [true, false, nil][g.next(3)]
        c.tcp.end = [.fin, .rst, .idle, .captureEnd][g.next(4)]
        c.tcp.gaps = g.next(2)
        c.tcp.missingBytes = g.next(2) * 100
        for _ in 0..<g.next(3) {
            c.alerts.append(
                AlertInfo(
                    frame: g.next(frame + 2), time: Timestamp(seconds: Int64(g.next(50)), nanoseconds: 0),
                    from: g.bool() ? .client : .server, level: [.fatal, .warning, .unknown][g.next(3)],
                    description: "x", descriptionCode: g.bool() ? UInt8(g.next(256)) : nil, encrypted: g.bool()))
        }
        for _ in 0..<g.next(3) {
            c.applicationData.add(
                from: g.bool() ? .client : .server, bytes: g.next(1000), frame: g.next(frame + 2),
                time: Timestamp(seconds: Int64(g.next(300)), nanoseconds: 0))
        }
        if g.bool() { c.notes.append(Note(frame: nil, message: g.bool() ? "malformed:" : "TRUNCATED: x")) }
        if g.bool() {
            var cert = CertificateInfo(frame: 1, sha256: String(g.next(3)))
            cert.issuer = String(g.next(2))
            c.serverCertificates = [cert]
        }
        return c
    }

    @Test func randomConnectionsNeverTrap() {
        var g = Generator(state: 42)
        var patterns = PatternAccumulator()
        var linker = SessionLinker()
        let diagnoser = Diagnoser()
        for id in 0..<3000 {
            var c = Self.randomConnection(&g, id: id)
            linker.link(&c)
            let context = DiagnosisContext(captureEnd: Timestamp(seconds: Int64(g.next(400)), nanoseconds: 0))
            diagnoser.diagnose(&c, context: context)
            for finding in c.findings {
                #expect(!finding.summary.isEmpty)
                #expect(!finding.fix.isEmpty)
                #expect(FindingCatalog.entry(finding.code) != nil)
            }
            if c.findings.contains(where: { $0.severity == .error }) {
                #expect(c.status == .failed)
                #expect(c.findings.first?.severity == .error)
            }
            patterns.add(c)
        }
        for pattern in patterns.findings() {
            #expect(pattern.connectionIDs.count <= PatternAccumulator.idLimit)
            #expect(pattern.count <= pattern.total)
        }
    }
}
