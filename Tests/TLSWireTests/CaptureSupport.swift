import Foundation
import TLSWire

/// Test-only capture reading: just enough pcap/pcapng, Ethernet/loopback, IPv4/IPv6 and TCP
/// to pull per-direction TCP byte streams out of the public captures.
enum Captures {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    /// The public captures copied into the repository (with their attribution); ja4/ may not be
    /// copied and is read from the shared directory beside the clone.
    static let publicDir = repoRoot.appendingPathComponent("Tests/PublicCaptures")
    static let ja4Dir = repoRoot.deletingLastPathComponent().appendingPathComponent("shared/captures/public/ja4")
    /// The ja4 captures are beside the clone (they are in CI); elsewhere their checks are skipped.
    static let ja4Present = FileManager.default.fileExists(atPath: ja4Dir.path)

    static func url(_ relative: String) -> URL {
        relative.hasPrefix("ja4/")
            ? ja4Dir.appendingPathComponent(String(relative.dropFirst(4))) : publicDir.appendingPathComponent(relative)
    }

    struct Frame {
        var linkType: UInt32
        var data: [UInt8]
    }

    struct Flow: Hashable {
        var src: String
        var srcPort: UInt16
        var dst: String
        var dstPort: UInt16
        var reversed: Flow { Flow(src: dst, srcPort: dstPort, dst: src, dstPort: srcPort) }
    }

    static func le32(_ b: [UInt8], _ i: Int, _ bigEndian: Bool) -> UInt32 {
        guard i + 4 <= b.count else { return 0 }
        let v = UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
        return bigEndian ? v.byteSwapped : v
    }

    static func frames(_ bytes: [UInt8]) -> [Frame] {
        guard bytes.count >= 24 else { return [] }
        let magic = le32(bytes, 0, false)
        var frames: [Frame] = []
        if magic == 0x0A0D_0D0A {
            var bigEndian = false
            var linkTypes: [UInt32] = []
            var i = 0
            while i + 12 <= bytes.count {
                let type = le32(bytes, i, bigEndian)
                if type == 0x0A0D_0D0A { bigEndian = le32(bytes, i + 8, false) != 0x1A2B_3C4D }
                let length = Int(le32(bytes, i, bigEndian) == type ? le32(bytes, i + 4, bigEndian) : 0)
                guard length >= 12, i + length <= bytes.count else { break }
                if type == 1 {
                    let lt = le32(bytes, i + 8, bigEndian) & (bigEndian ? 0xffff_0000 : 0xffff)
                    linkTypes.append(bigEndian ? lt >> 16 : lt)
                } else if type == 6 {
                    let interface = Int(le32(bytes, i + 8, bigEndian))
                    let captured = Int(le32(bytes, i + 20, bigEndian))
                    let start = i + 28
                    if start + captured <= i + length, interface < linkTypes.count {
                        frames.append(
                            Frame(linkType: linkTypes[interface], data: Array(bytes[start..<start + captured])))
                    }
                } else if type == 3, let lt = linkTypes.first {
                    let start = i + 12
                    frames.append(Frame(linkType: lt, data: Array(bytes[start..<(i + length - 4)])))
                }
                i += length
            }
        } else {
            let bigEndian: Bool
            switch magic {
            case 0xA1B2_C3D4, 0xA1B2_3C4D: bigEndian = false
            case 0xD4C3_B2A1, 0x4D3C_B2A1: bigEndian = true
            default: return []
            }
            let linkType = le32(bytes, 20, bigEndian)
            var i = 24
            while i + 16 <= bytes.count {
                let captured = Int(le32(bytes, i + 8, bigEndian))
                guard i + 16 + captured <= bytes.count else { break }
                frames.append(Frame(linkType: linkType, data: Array(bytes[(i + 16)..<(i + 16 + captured)])))
                i += 16 + captured
            }
        }
        return frames
    }

    static func ipv4String(_ b: ArraySlice<UInt8>) -> String { b.map(String.init).joined(separator: ".") }

    /// RFC 5952 text form (longest run of zero groups compressed).
    static func ipv6String(_ b: ArraySlice<UInt8>) -> String {
        let a = Array(b)
        let groups = stride(from: 0, to: 16, by: 2).map { UInt16(a[$0]) << 8 | UInt16(a[$0 + 1]) }
        var bestStart = -1
        var bestLength = 0
        var i = 0
        while i < 8 {
            if groups[i] == 0 {
                var j = i
                while j < 8 && groups[j] == 0 { j += 1 }
                if j - i > bestLength && j - i > 1 {
                    bestStart = i
                    bestLength = j - i
                }
                i = j
            } else {
                i += 1
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        if bestStart < 0 { return hex.joined(separator: ":") }
        let head = hex[0..<bestStart].joined(separator: ":")
        let tail = hex[(bestStart + bestLength)...].joined(separator: ":")
        return head + "::" + tail
    }

    /// (flow, seq, payload) for each TCP segment with payload.
    static func tcpSegment(_ frame: Frame) -> (Flow, UInt32, ArraySlice<UInt8>)? {
        let d = frame.data
        var i: Int
        var etherType: UInt16
        switch frame.linkType {
        case 1:
            guard d.count >= 14 else { return nil }
            i = 14
            etherType = UInt16(d[12]) << 8 | UInt16(d[13])
            while etherType == 0x8100, d.count >= i + 4 {
                etherType = UInt16(d[i + 2]) << 8 | UInt16(d[i + 3])
                i += 4
            }
            // PPPoE session: 6-byte PPPoE header, then the 2-byte PPP protocol.
            if etherType == 0x8864, d.count >= i + 8 {
                let ppp = UInt16(d[i + 6]) << 8 | UInt16(d[i + 7])
                etherType = ppp == 0x0021 ? 0x0800 : (ppp == 0x0057 ? 0x86dd : 0)
                i += 8
            }
        case 0, 108:
            guard d.count >= 4 else { return nil }
            i = 4
            etherType = (d[0] == 2 || d[3] == 2) ? 0x0800 : 0x86dd
        case 101:
            i = 0
            guard let first = d.first else { return nil }
            etherType = first >> 4 == 4 ? 0x0800 : 0x86dd
        default: return nil
        }
        let src: String
        let dst: String
        var end = d.count
        if etherType == 0x0800 {
            guard d.count >= i + 20, d[i + 9] == 6 else { return nil }
            let ihl = Int(d[i] & 0x0f) * 4
            let total = Int(d[i + 2]) << 8 | Int(d[i + 3])
            end = min(d.count, i + total)
            src = ipv4String(d[(i + 12)..<(i + 16)])
            dst = ipv4String(d[(i + 16)..<(i + 20)])
            i += ihl
        } else if etherType == 0x86dd {
            guard d.count >= i + 40, d[i + 6] == 6 else { return nil }
            let payloadLength = Int(d[i + 4]) << 8 | Int(d[i + 5])
            end = min(d.count, i + 40 + payloadLength)
            src = ipv6String(d[(i + 8)..<(i + 24)])
            dst = ipv6String(d[(i + 24)..<(i + 40)])
            i += 40
        } else {
            return nil
        }
        guard end >= i + 20 else { return nil }
        let sport = UInt16(d[i]) << 8 | UInt16(d[i + 1])
        let dport = UInt16(d[i + 2]) << 8 | UInt16(d[i + 3])
        let seq = UInt32(d[i + 4]) << 24 | UInt32(d[i + 5]) << 16 | UInt32(d[i + 6]) << 8 | UInt32(d[i + 7])
        let offset = Int(d[i + 12] >> 4) * 4
        guard end >= i + offset else { return nil }
        let payload = d[(i + offset)..<end]
        if payload.isEmpty { return nil }
        return (Flow(src: src, srcPort: sport, dst: dst, dstPort: dport), seq, payload)
    }

    /// In-order bytes per direction, from the first payload on; retransmitted bytes dropped,
    /// the stream cut at the first gap.
    static func streams(_ path: String) throws -> [(Flow, [UInt8])] {
        let bytes = [UInt8](try Data(contentsOf: url(path)))
        var order: [Flow] = []
        var data: [Flow: [UInt8]] = [:]
        var next: [Flow: UInt32] = [:]
        var broken: Set<Flow> = []
        for frame in frames(bytes) {
            guard let (flow, seq, payload) = tcpSegment(frame), !broken.contains(flow) else { continue }
            guard let expected = next[flow] else {
                order.append(flow)
                data[flow] = Array(payload)
                next[flow] = seq &+ UInt32(payload.count)
                continue
            }
            let delta = Int32(bitPattern: seq &- expected)
            if delta > 0 {
                broken.insert(flow)
                continue
            }
            let overlap = Int(-delta)
            if overlap < payload.count {
                data[flow, default: []].append(contentsOf: payload.dropFirst(overlap))
                next[flow] = seq &+ UInt32(payload.count)
            }
        }
        return order.map { ($0, data[$0] ?? []) }
    }

    /// Handshake messages of the plaintext records at the start of a stream.
    static func handshakeMessages(_ stream: [UInt8]) -> [HandshakeMessage] {
        var reassembler = HandshakeReassembler()
        var messages: [HandshakeMessage] = []
        var position = 0
        var afterChangeCipherSpec = false
        while position < stream.count {
            guard case .record(let header) = TLSRecordHeader.parse(stream[position...]) else { break }
            let start = position + TLSRecordHeader.size
            guard start + header.length <= stream.count else { break }
            if header.contentType == .changeCipherSpec { afterChangeCipherSpec = true }
            // After a ChangeCipherSpec handshake records are encrypted, except the second
            // ClientHello after a HelloRetryRequest (RFC 8446 D.4 middlebox compatibility):
            // accept only a record that is exactly one hello.
            let record = stream[start..<(start + header.length)]
            let isWholeHello =
                record.count >= 4 && (record.first == 1 || record.first == 2)
                && Int(record[start + 1]) << 16 | Int(record[start + 2]) << 8 | Int(record[start + 3])
                    == record.count - 4
            if header.contentType == .handshake && (!afterChangeCipherSpec || isWholeHello) {
                for output in reassembler.append(stream[start..<(start + header.length)]) {
                    if case .message(let message) = output { messages.append(message) }
                }
            }
            position = start + header.length
        }
        return messages
    }

    static func clientHellos(_ stream: [UInt8]) -> [ClientHello] {
        handshakeMessages(stream).filter { $0.type == .clientHello }.compactMap { try? ClientHello(parsing: $0.body) }
    }

    static func serverHellos(_ stream: [UInt8]) -> [ServerHello] {
        handshakeMessages(stream).filter { $0.type == .serverHello }.compactMap { try? ServerHello(parsing: $0.body) }
    }
}

/// Builds byte arrays for malformed-input tests.
func hex(_ s: String) -> [UInt8] {
    let digits = Array(s.filter { !$0.isWhitespace })
    var out: [UInt8] = []
    var i = 0
    while i + 1 < digits.count {
        out.append(UInt8(String(digits[i...i + 1]), radix: 16) ?? 0)
        i += 2
    }
    return out
}

func u16(_ v: Int) -> [UInt8] { [UInt8((v >> 8) & 0xff), UInt8(v & 0xff)] }
func u24(_ v: Int) -> [UInt8] { [UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)] }
