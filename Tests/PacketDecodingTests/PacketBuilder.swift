import PacketDecoding

/// Builds frames header by header so that each test states exactly which field lies.
enum Build {
    static func be16(_ v: Int) -> [UInt8] { [UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)] }
    static func be32(_ v: UInt32) -> [UInt8] {
        [
            UInt8(v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8),
            UInt8(truncatingIfNeeded: v),
        ]
    }

    static func tcp(
        source: Int = 51000, destination: Int = 443, seq: UInt32 = 1000, ack: UInt32 = 2000, flags: UInt8 = 0x18,
        window: Int = 512, options: [UInt8] = [], payload: [UInt8] = [], dataOffsetWords: Int? = nil
    ) -> [UInt8] {
        var header = be16(source) + be16(destination) + be32(seq) + be32(ack)
        let words = dataOffsetWords ?? (20 + options.count) / 4
        header += [UInt8(words << 4), flags] + be16(window) + [0, 0, 0, 0]
        return header + options + payload
    }

    static func ipv4(
        source: UInt32 = 0x0a00_0001, destination: UInt32 = 0x0a00_0002, proto: UInt8 = 6, payload: [UInt8],
        options: [UInt8] = [], totalLength: Int? = nil, ihlWords: Int? = nil, fragment: Int = 0x4000, id: Int = 0x1234,
        ttl: UInt8 = 64
    ) -> [UInt8] {
        let headerLength = 20 + options.count
        let ihl = ihlWords ?? headerLength / 4
        var header: [UInt8] = [UInt8(0x40 | (ihl & 0x0f)), 0]
        header += be16(totalLength ?? (headerLength + payload.count)) + be16(id) + be16(fragment)
        header += [ttl, proto, 0, 0] + be32(source) + be32(destination)
        return header + options + payload
    }

    static let v6Source: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [1]
    static let v6Destination: [UInt8] =
        [0xfe, 0x80] + Array(repeating: 0, count: 6) + [0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55]

    static func ipv6(next: UInt8 = 6, payload: [UInt8], payloadLength: Int? = nil, hopLimit: UInt8 = 57) -> [UInt8] {
        var header: [UInt8] = [0x60, 0, 0, 0]
        header += be16(payloadLength ?? payload.count) + [next, hopLimit] + v6Source + v6Destination
        return header + payload
    }

    static let macs: [UInt8] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]

    static func ethernet(type: Int, _ payload: [UInt8]) -> [UInt8] { macs + be16(type) + payload }

    static func vlanTag(id: Int, type: Int) -> [UInt8] { be16(id) + be16(type) }

    static func udp(source: Int = 40000, destination: Int, payload: [UInt8]) -> [UInt8] {
        be16(source) + be16(destination) + be16(8 + payload.count) + [0, 0] + payload
    }

    /// A standard segment: 10.0.0.1:51000 → 10.0.0.2:443 with a 5-byte payload.
    static let segment = tcp(payload: [0x16, 0x03, 0x01, 0x00, 0x00])
    static let ipSegment = ipv4(payload: segment)
}

func decode(_ bytes: [UInt8], linkType: Int32, originalLength: Int? = nil) -> DecodedPacket {
    bytes.withUnsafeBytes { PacketDecoder.decode($0, linkType: linkType, originalLength: originalLength) }
}

extension DecodedPacket {
    var tcp: TCPPacket? {
        if case .tcp(let packet) = self { return packet }
        return nil
    }
    var malformedReason: String? {
        if case .malformed(let reason) = self { return reason }
        return nil
    }
    var fragment: IPFragment? {
        if case .ipFragment(let fragment) = self { return fragment }
        return nil
    }
    var isOther: Bool {
        if case .other = self { return true }
        return false
    }
}
