import Foundation
import TLSDecryption
import WireBasics

// Test-only capture reading: classic pcap, NULL/Ethernet/raw-IP links, IPv4/IPv6, TCP payloads
// concatenated per direction (the fixtures are clean: no loss, no reordering), split into TLS records.

enum Fixtures {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let repoRoot = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    static let local = testsDirectory.appendingPathComponent("Fixtures")
    /// The public captures copied into the repository, with their attribution.
    static let shared = repoRoot.appendingPathComponent("Tests/PublicCaptures")

    static func bytes(_ url: URL) throws -> [UInt8] { Array(try Data(contentsOf: url)) }
    static func text(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }
}

struct CapturedRecord {
    var frame: Int
    var side: Side
    var contentType: UInt8
    var version: UInt16
    var body: ArraySlice<UInt8>
}

enum CaptureError: Error {
    case notPcap
    case unsupportedLink(UInt32)
}

/// Records of the first TCP connection in a capture, in capture order; each record is attributed
/// to the frame that completed it (as tshark does).
func tlsRecords(pcap: [UInt8]) throws -> [CapturedRecord] {
    guard pcap.count >= 24 else { throw CaptureError.notPcap }
    let magic = read32(pcap, 0, littleEndian: true)
    let little: Bool
    switch magic {
    case 0xa1b2_c3d4, 0xa1b2_3c4d: little = true
    case 0xd4c3_b2a1, 0x4d3c_b2a1: little = false
    default: throw CaptureError.notPcap
    }
    let link = read32(pcap, 20, littleEndian: little)
    var offset = 24
    var frame = 0
    var clientKey: String?
    var streams: [Side: [UInt8]] = [.client: [], .server: []]
    var nextSeq: [Side: UInt32] = [:]
    var records: [CapturedRecord] = []
    while offset + 16 <= pcap.count {
        let captured = Int(read32(pcap, offset + 8, littleEndian: little))
        let start = offset + 16
        offset = start + captured
        frame += 1
        guard offset <= pcap.count else { break }
        let packet = Array(pcap[start..<offset])
        guard let ipStart = ipOffset(packet, link: link) else { throw CaptureError.unsupportedLink(link) }
        guard let tcp = tcpSegment(packet, at: ipStart) else { continue }
        let key = "\(tcp.src):\(tcp.srcPort)>\(tcp.dst):\(tcp.dstPort)"
        let reverse = "\(tcp.dst):\(tcp.dstPort)>\(tcp.src):\(tcp.srcPort)"
        if clientKey == nil {
            // The SYN sender is the client; without a SYN, the first sender.
            clientKey = tcp.flags & 0x12 == 0x12 ? reverse : key
        }
        let side: Side
        if key == clientKey { side = .client } else if reverse == clientKey { side = .server } else { continue }
        var seq = tcp.seq
        if tcp.flags & 0x02 != 0 { seq &+= 1 }
        var payload = tcp.payload
        if let expected = nextSeq[side] {
            let behind = Int(Int32(bitPattern: expected &- seq))
            if behind > 0 { payload = Array(payload.dropFirst(behind)) }  // retransmitted bytes
        }
        if tcp.flags & 0x02 != 0 { nextSeq[side] = seq }
        guard !payload.isEmpty else { continue }
        nextSeq[side] = (nextSeq[side] ?? seq) &+ UInt32(payload.count)
        streams[side, default: []].append(contentsOf: payload)
        var buffer = streams[side] ?? []
        while buffer.count >= 5 {
            let length = Int(buffer[3]) << 8 | Int(buffer[4])
            guard buffer.count >= 5 + length else { break }
            records.append(
                CapturedRecord(
                    frame: frame, side: side, contentType: buffer[0],
                    version: UInt16(buffer[1]) << 8 | UInt16(buffer[2]),
                    body: buffer[5..<5 + length]))
            buffer.removeFirst(5 + length)
        }
        streams[side] = buffer
    }
    return records
}

private func read32(_ b: [UInt8], _ i: Int, littleEndian: Bool) -> UInt32 {
    let v = UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    return littleEndian ? v : v.byteSwapped
}

private func ipOffset(_ p: [UInt8], link: UInt32) -> Int? {
    switch link {
    case 0: return 4  // BSD loopback: 4-byte address family
    case 101, 12: return 0  // raw IP
    case 1:
        guard p.count >= 14 else { return nil }
        var i = 12
        var type = Int(p[i]) << 8 | Int(p[i + 1])
        while type == 0x8100, p.count >= i + 6 {  // VLAN tags
            i += 4
            type = Int(p[i]) << 8 | Int(p[i + 1])
        }
        return i + 2
    default: return nil
    }
}

private struct TCPSegment {
    var src: String, dst: String, srcPort: UInt16, dstPort: UInt16, seq: UInt32, flags: UInt8, payload: [UInt8]
}

private func tcpSegment(_ p: [UInt8], at ip: Int) -> TCPSegment? {
    guard p.count > ip else { return nil }
    let version = p[ip] >> 4
    var src: String
    var dst: String
    var tcp: Int
    var end: Int
    if version == 4 {
        guard p.count >= ip + 20, p[ip + 9] == 6 else { return nil }
        let ihl = Int(p[ip] & 0x0f) * 4
        let total = Int(p[ip + 2]) << 8 | Int(p[ip + 3])
        src = hexString(p[ip + 12..<ip + 16])
        dst = hexString(p[ip + 16..<ip + 20])
        tcp = ip + ihl
        end = min(p.count, ip + total)
    } else if version == 6 {
        guard p.count >= ip + 40, p[ip + 6] == 6 else { return nil }
        let payloadLength = Int(p[ip + 4]) << 8 | Int(p[ip + 5])
        src = hexString(p[ip + 8..<ip + 24])
        dst = hexString(p[ip + 24..<ip + 40])
        tcp = ip + 40
        end = min(p.count, tcp + payloadLength)
    } else {
        return nil
    }
    guard end >= tcp + 20 else { return nil }
    let dataOffset = Int(p[tcp + 12] >> 4) * 4
    guard end >= tcp + dataOffset else { return nil }
    return TCPSegment(
        src: src, dst: dst, srcPort: UInt16(p[tcp]) << 8 | UInt16(p[tcp + 1]),
        dstPort: UInt16(p[tcp + 2]) << 8 | UInt16(p[tcp + 3]),
        seq: UInt32(p[tcp + 4]) << 24 | UInt32(p[tcp + 5]) << 16 | UInt32(p[tcp + 6]) << 8 | UInt32(p[tcp + 7]),
        flags: p[tcp + 13], payload: Array(p[tcp + dataOffset..<end]))
}
