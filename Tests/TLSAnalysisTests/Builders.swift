import TCPReassembly
import TLSFlowModel

@testable import TLSAnalysis

/// Hand-built TLS bytes for analyser tests.
enum TLSBytes {
    static func u16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }
    static func u24(_ v: Int) -> [UInt8] { [UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }

    static func record(_ type: UInt8, _ body: [UInt8], version: Int = 0x0303) -> [UInt8] {
        [type] + u16(version) + u16(body.count) + body
    }

    static func handshake(_ type: UInt8, _ body: [UInt8]) -> [UInt8] { [type] + u24(body.count) + body }

    static func extensionBlock(_ extensions: [(Int, [UInt8])]) -> [UInt8] {
        let bytes = extensions.flatMap { u16($0.0) + u16($0.1.count) + $0.1 }
        return u16(bytes.count) + bytes
    }

    static func sni(_ name: String) -> (Int, [UInt8]) {
        let host = Array(name.utf8)
        let entry = [UInt8(0)] + u16(host.count) + host
        return (0, u16(entry.count) + entry)
    }

    static func clientHello(
        sni name: String? = "example.test", sessionID: [UInt8] = [], ticket: [UInt8]? = nil, tls13: Bool = false,
        suites: [Int] = [0xc02f, 0x1301]
    ) -> [UInt8] {
        var extensions: [(Int, [UInt8])] = []
        if let name { extensions.append(sni(name)) }
        if let ticket { extensions.append((35, ticket)) }
        if tls13 { extensions.append((43, [4, 0x03, 0x04, 0x03, 0x03])) }
        let body =
            u16(0x0303) + [UInt8](repeating: 7, count: 32) + [UInt8(sessionID.count)] + sessionID
            + u16(suites.count * 2) + suites.flatMap { u16($0) } + [1, 0] + extensionBlock(extensions)
        return handshake(1, body)
    }

    static func serverHello(sessionID: [UInt8] = [], suite: Int = 0xc02f, tls13: Bool = false) -> [UInt8] {
        var extensions: [(Int, [UInt8])] = []
        if tls13 { extensions.append((43, u16(0x0304))) }
        let body =
            u16(0x0303) + [UInt8](repeating: 9, count: 32) + [UInt8(sessionID.count)] + sessionID + u16(suite) + [0]
            + extensionBlock(extensions)
        return handshake(2, body)
    }
}

/// Drives a TCPConnection + TLSConnectionAnalyzer pair like the pipeline does.
struct ConnectionDriver {
    var tcp = TCPConnection()
    var analyzer: TLSConnectionAnalyzer
    var frame = 0
    var seq: [UInt32] = [1000, 5000]

    init(initiatorIsClient: Bool = true, rolesKnownFromSYN: Bool = true, serverPort: UInt16 = 443) {
        let connection = Connection(
            id: 1, client: Endpoint(ip: "10.0.0.1", port: 40000), server: Endpoint(ip: "10.0.0.2", port: serverPort),
            firstFrame: 1, start: .zero)
        analyzer = TLSConnectionAnalyzer(
            connection: connection, initiatorIsClient: initiatorIsClient, rolesKnownFromSYN: rolesKnownFromSYN)
    }

    mutating func handshake() {
        segment(.initiator, flags: 0x02, advance: false)
        seq[0] += 1
        segment(.responder, flags: 0x12, advance: false)
        seq[1] += 1
        segment(.initiator, flags: 0x10, advance: false)
    }

    /// Sends `bytes` from `direction` in one segment (or in pieces of `split` bytes).
    mutating func send(_ direction: Direction, _ bytes: [UInt8], split: Int? = nil, flags: UInt8 = 0x18) {
        let size = split ?? max(bytes.count, 1)
        var offset = 0
        repeat {
            let piece = Array(bytes[offset..<min(bytes.count, offset + size)])
            segment(direction, flags: flags, payload: piece)
            offset += size
        } while offset < bytes.count
    }

    mutating func segment(_ direction: Direction, flags: UInt8, payload: [UInt8] = [], advance: Bool = true) {
        frame += 1
        let index = direction.rawValue
        let header = SegmentHeader(sequence: seq[index], acknowledgment: seq[1 - index], flags: flags)
        let time = Timestamp(seconds: 100, nanoseconds: UInt32(frame) * 1_000_000)
        analyzer.beginSegment(
            flags: flags, payloadLength: payload.count, direction: direction, frame: frame, time: time)
        let outcome = payload.withUnsafeBytes { raw in
            tcp.receive(header, payload: raw, direction: direction, frame: frame, time: time, sink: &analyzer)
        }
        analyzer.endSegment(outcome, direction: direction, frame: frame, time: time)
        if advance { seq[index] &+= UInt32(payload.count) + (flags & 0x01 != 0 ? 1 : 0) }
    }

    mutating func finish() -> Connection {
        tcp.flush(frame: frame, time: .zero, sink: &analyzer)
        return analyzer.finish(tcp: tcp, end: .captureEnd)
    }
}
