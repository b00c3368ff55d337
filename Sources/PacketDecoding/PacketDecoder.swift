/// Link layer → IP → TCP decoding of one frame, without heap allocation on the TCP path.
///
/// Every read is bounds-checked against what was captured: the input is hostile.
public enum PacketDecoder {
    /// Link types this decoder understands (LINKTYPE values, plus the legacy DLT_RAW 12/14).
    public static let supportedLinkTypes: Set<Int32> = [0, 1, 9, 12, 14, 50, 101, 108, 113, 228, 229, 276]

    /// Decodes a frame of `linkType`. `originalLength` is the frame's length on the wire (bytes
    /// cut by the snap length count towards `payloadMissing`); nil means "all captured".
    public static func decode(
        _ data: UnsafeRawBufferPointer, linkType: Int32, originalLength: Int? = nil
    ) -> DecodedPacket {
        var walk = Walk(data: data, originalLength: originalLength)
        let first: Layer
        switch linkType {
        case 1: first = .ethernet(0)
        case 113:
            // Linux cooked v1: packet type, ARPHRD type, address length, 8 address bytes, protocol.
            guard walk.captured >= 16 else { return walk.short("Linux cooked (SLL) header", need: 16, at: 0) }
            if beUInt16(data, 2) == 824 { return .other }  // netlink
            first = .etherType(beUInt16(data, 14), 16)
        case 276:
            guard walk.captured >= 20 else { return walk.short("Linux cooked v2 (SLL2) header", need: 20, at: 0) }
            first = .etherType(beUInt16(data, 0), 20)
        case 101, 12, 14: first = .ip(0)
        case 228: first = .ipv4(0)
        case 229: first = .ipv6(0)
        case 0, 108:
            // BSD loopback: the address family in the writer's byte order (NULL) or network
            // order (LOOP); real files have both, so take whichever reads as a small number.
            guard walk.captured >= 4 else { return walk.short("BSD loopback header", need: 4, at: 0) }
            var family = UInt32(littleEndian: data.loadUnaligned(as: UInt32.self))
            if family & 0xffff_0000 != 0 { family = family.byteSwapped }
            switch family {
            case 2: first = .ipv4(4)
            case 24, 28, 30: first = .ipv6(4)
            default: return .other
            }
        case 9, 50: first = .ppp(0)
        default: return .unsupportedLinkType(linkType)
        }
        walk.run(from: first)
        return walk.outcome
    }

    /// Decodes a buffer that starts with an IPv4 or IPv6 header, such as a datagram rebuilt by
    /// `IPFragmentReassembler`.
    public static func decodeIP(_ data: UnsafeRawBufferPointer, originalLength: Int? = nil) -> DecodedPacket {
        var walk = Walk(data: data, originalLength: originalLength)
        walk.run(from: .ip(0))
        return walk.outcome
    }

    /// Decodes a datagram rebuilt by `IPFragmentReassembler`; offsets in the result index
    /// `datagram`, and the encapsulation includes `.reassembled`.
    public static func decodeReassembled(_ datagram: [UInt8]) -> DecodedPacket {
        datagram.withUnsafeBytes { buffer in
            var walk = Walk(data: buffer, originalLength: nil)
            walk.encapsulation.insert(.reassembled)
            walk.run(from: .ip(0))
            return walk.outcome
        }
    }
}

enum Layer {
    case ethernet(Int)
    case etherType(UInt16, Int)
    case ip(Int)
    case ipv4(Int)
    case ipv6(Int)
    case ppp(Int)
    case mpls(Int)
}

/// Decoding state: how far the current layer's bytes extend, captured and claimed.
struct Walk {
    let data: UnsafeRawBufferPointer
    /// End of the bytes present for the current layer.
    var captured: Int
    /// End of the bytes the current layer claims, as far as the original frame had them.
    var reported: Int
    var vlans = VLANTags()
    var encapsulation: Encapsulation = []
    var lengthExceeded = false
    var outcome = DecodedPacket.other

    init(data: UnsafeRawBufferPointer, originalLength: Int?) {
        self.data = data
        captured = data.count
        reported = max(originalLength ?? data.count, data.count)
    }

    func short(_ what: String, need: Int, at offset: Int) -> DecodedPacket {
        .malformed(reason: "\(what) needs \(need) bytes but only \(max(0, captured - offset)) were captured")
    }

    @inline(__always)
    func byte(_ offset: Int) -> UInt8 { data.load(fromByteOffset: offset, as: UInt8.self) }

    /// Narrows the layer to `end` (a length field), never widening it.
    mutating func limit(to end: Int) {
        if end < reported { reported = end }
        if reported < captured { captured = reported }
    }

    /// Leaves the result in `outcome`: the caller takes it from the discarded walk (a move),
    /// where returning it from this mutating method copied it.
    mutating func run(from first: Layer) {
        var layer = first
        // Every layer consumes bytes, but cap the depth anyway so odd nesting cannot spin.
        for _ in 0..<64 {
            let step: Step
            switch layer {
            case .ethernet(let offset): step = ethernet(offset)
            case .etherType(let type, let offset): step = etherType(type, offset)
            case .ip(let offset):
                guard offset < captured else {
                    outcome = short("IP header", need: 20, at: offset)
                    return
                }
                switch byte(offset) >> 4 {
                case 4: step = ipv4(offset)
                case 6: step = ipv6(offset)
                case let version:
                    outcome = .malformed(reason: "IP version \(version) is neither 4 nor 6")
                    return
                }
            case .ipv4(let offset): step = ipv4(offset)
            case .ipv6(let offset): step = ipv6(offset)
            case .ppp(let offset): step = ppp(offset)
            case .mpls(let offset): step = mpls(offset)
            }
            switch step {
            case .next(let next): layer = next
            case .done: return
            }
        }
        outcome = .malformed(reason: "more than 64 nested headers")
    }

    enum Step {
        case next(Layer)
        case done
    }

    /// Records the result in place: returning the large result enum through every layer
    /// showed up as memmove in profiles.
    @inline(__always)
    mutating func finish(_ result: DecodedPacket) -> Step {
        outcome = result
        return .done
    }

    mutating func ethernet(_ offset: Int) -> Step {
        guard offset + 14 <= captured else { return finish(short("Ethernet header", need: 14, at: offset)) }
        return .next(.etherType(beUInt16(data, offset + 12), offset + 14))
    }

    mutating func etherType(_ type: UInt16, _ offset: Int) -> Step {
        switch type {
        case 0x0800: return .next(.ipv4(offset))
        case 0x86dd: return .next(.ipv6(offset))
        case 0x8100, 0x88a8, 0x9100, 0x9200:
            guard offset + 4 <= captured else { return finish(short("VLAN tag", need: 4, at: offset)) }
            vlans.append(beUInt16(data, offset) & 0x0fff)
            encapsulation.insert(.vlan)
            return .next(.etherType(beUInt16(data, offset + 2), offset + 4))
        case 0x8864:
            // PPPoE session: ver/type, code, session id, length, then the PPP protocol.
            guard offset + 8 <= captured else { return finish(short("PPPoE header", need: 8, at: offset)) }
            encapsulation.insert(.pppoe)
            limit(to: offset + 6 + Int(beUInt16(data, offset + 4)))
            return pppProtocol(beUInt16(data, offset + 6), offset + 8)
        case 0x8847, 0x8848: return .next(.mpls(offset))
        case 0x6558: return .next(.ethernet(offset))
        case 0x880b: return .next(.ppp(offset))
        case 0...1500:
            // 802.3 length field: only LLC/SNAP with an Ethernet type inside can carry IP.
            guard offset + 8 <= captured, byte(offset) == 0xaa, byte(offset + 1) == 0xaa, byte(offset + 2) == 0x03,
                byte(offset + 3) == 0, byte(offset + 4) == 0, byte(offset + 5) == 0
            else { return finish(.other) }
            return .next(.etherType(beUInt16(data, offset + 6), offset + 8))
        default: return finish(.other)
        }
    }

    mutating func ppp(_ offset: Int) -> Step {
        var at = offset
        if at + 2 <= captured && byte(at) == 0xff && byte(at + 1) == 0x03 { at += 2 }
        guard at < captured else { return finish(short("PPP header", need: 1, at: at)) }
        encapsulation.insert(.ppp)
        if byte(at) & 1 == 1 { return pppProtocol(UInt16(byte(at)), at + 1) }  // compressed protocol field
        guard at + 2 <= captured else { return finish(short("PPP header", need: 2, at: at)) }
        return pppProtocol(beUInt16(data, at), at + 2)
    }

    mutating func pppProtocol(_ proto: UInt16, _ offset: Int) -> Step {
        switch proto {
        case 0x0021: return .next(.ipv4(offset))
        case 0x0057: return .next(.ipv6(offset))
        default: return finish(.other)
        }
    }

    mutating func mpls(_ offset: Int) -> Step {
        var at = offset
        while true {
            guard at + 4 <= captured else { return finish(short("MPLS label", need: 4, at: at)) }
            let entry = beUInt32(data, at)
            at += 4
            if entry & 0x100 != 0 { break }
        }
        encapsulation.insert(.mpls)
        guard at < captured else { return finish(.other) }
        switch byte(at) >> 4 {
        case 4: return .next(.ipv4(at))
        case 6: return .next(.ipv6(at))
        default: return finish(.other)
        }
    }

    mutating func ipv4(_ offset: Int) -> Step {
        guard offset + 20 <= captured else { return finish(short("IPv4 header", need: 20, at: offset)) }
        let first = byte(offset)
        guard first >> 4 == 4 else { return finish(.malformed(reason: "IPv4 header carries version \(first >> 4)")) }
        let words = Int(first & 0x0f)
        guard words >= 5 else {
            return finish(.malformed(reason: "IPv4 header length \(words) words is below the minimum of 5"))
        }
        let headerLength = words * 4
        guard offset + headerLength <= captured else {
            return finish(
                .malformed(
                    reason:
                        "IPv4 header length of \(headerLength) bytes exceeds the \(captured - offset) bytes captured"))
        }
        var total = Int(beUInt16(data, offset + 2))
        // Zero means the NIC segmented it (TSO); Wireshark then uses the frame's length.
        if total == 0 { total = reported - offset }
        guard total >= headerLength else {
            return finish(
                .malformed(reason: "IPv4 total length \(total) is shorter than its \(headerLength)-byte header"))
        }
        if offset + total > reported { lengthExceeded = true }
        limit(to: offset + total)
        let fragmentField = beUInt16(data, offset + 6)
        let proto = byte(offset + 9)
        let source = IPAddress.v4(beUInt32(data, offset + 12))
        let destination = IPAddress.v4(beUInt32(data, offset + 16))
        let payload = offset + headerLength
        if fragmentField & 0x3fff != 0 {
            return finish(
                .ipFragment(
                    IPFragment(
                        ipVersion: 4, source: source, destination: destination,
                        identification: UInt32(beUInt16(data, offset + 4)), protocolNumber: proto,
                        fragmentOffset: Int(fragmentField & 0x1fff) * 8, moreFragments: fragmentField & 0x2000 != 0,
                        headerOffset: offset, headerLength: headerLength, payloadOffset: payload,
                        payloadLength: captured - payload, payloadMissing: reported - captured, vlans: vlans,
                        encapsulation: encapsulation)))
        }
        return transport(proto, payload, source, destination, version: 4, ttl: byte(offset + 8))
    }

    mutating func ipv6(_ offset: Int) -> Step {
        guard offset + 40 <= captured else { return finish(short("IPv6 header", need: 40, at: offset)) }
        let version = byte(offset) >> 4
        guard version == 6 else { return finish(.malformed(reason: "IPv6 header carries version \(version)")) }
        var payloadLength = Int(beUInt16(data, offset + 4))
        // Zero: a jumbogram or a segmentation-offloaded capture; the frame decides.
        if payloadLength == 0 { payloadLength = max(0, reported - offset - 40) }
        if offset + 40 + payloadLength > reported { lengthExceeded = true }
        limit(to: offset + 40 + payloadLength)
        let source = IPAddress.v6(beUInt64(data, offset + 8), beUInt64(data, offset + 16))
        let destination = IPAddress.v6(beUInt64(data, offset + 24), beUInt64(data, offset + 32))
        let hopLimit = byte(offset + 7)
        var next = byte(offset + 6)
        var at = offset + 40
        while true {
            switch next {
            case 0, 43, 60, 51:
                guard at + 8 <= captured else {
                    return finish(
                        .malformed(
                            reason: "IPv6 extension header \(next) overruns the packet (\(captured - at) bytes left)"))
                }
                let length = next == 51 ? (Int(byte(at + 1)) + 2) * 4 : (Int(byte(at + 1)) + 1) * 8
                guard at + length <= captured else {
                    return finish(
                        .malformed(
                            reason:
                                "IPv6 extension header \(next) of \(length) bytes overruns the packet (\(captured - at) bytes left)"
                        ))
                }
                next = byte(at)
                at += length
            case 44:
                guard at + 8 <= captured else {
                    return finish(
                        .malformed(reason: "IPv6 fragment header overruns the packet (\(captured - at) bytes left)"))
                }
                let field = beUInt16(data, at + 2)
                let inner = byte(at)
                if field & 0xfff9 == 0 {  // offset 0, no more fragments: an atomic fragment
                    next = inner
                    at += 8
                    continue
                }
                return finish(
                    .ipFragment(
                        IPFragment(
                            ipVersion: 6, source: source, destination: destination,
                            identification: beUInt32(data, at + 4), protocolNumber: inner,
                            fragmentOffset: Int(field & 0xfff8), moreFragments: field & 1 != 0,
                            headerOffset: offset, headerLength: 40, payloadOffset: at + 8,
                            payloadLength: captured - (at + 8), payloadMissing: reported - captured, vlans: vlans,
                            encapsulation: encapsulation)))
            default:
                return transport(next, at, source, destination, version: 6, ttl: hopLimit)
            }
        }
    }

    mutating func transport(
        _ proto: UInt8, _ offset: Int, _ source: IPAddress, _ destination: IPAddress, version: UInt8, ttl: UInt8
    ) -> Step {
        switch proto {
        case 6: return finish(tcp(offset, source, destination, version: version, ttl: ttl))
        case 17: return udp(offset)
        case 47: return gre(offset)
        case 4:
            encapsulation.insert(.ipInIP)
            return .next(.ipv4(offset))
        case 41:
            encapsulation.insert(.ipInIP)
            return .next(.ipv6(offset))
        default: return finish(.other)
        }
    }

    mutating func udp(_ offset: Int) -> Step {
        guard offset + 8 <= captured else { return finish(.other) }
        let destinationPort = beUInt16(data, offset + 2)
        let length = Int(beUInt16(data, offset + 4))
        if length >= 8 { limit(to: offset + length) }
        let body = offset + 8
        switch destinationPort {
        case 4789:  // VXLAN: flags (I bit), reserved, VNI, reserved; then Ethernet.
            guard body + 8 <= captured, byte(body) & 0x08 != 0 else { return finish(.other) }
            encapsulation.insert(.vxlan)
            return .next(.ethernet(body + 8))
        case 6081:  // Geneve: version and option length, flags, protocol type, VNI, options.
            guard body + 8 <= captured, byte(body) >> 6 == 0 else { return finish(.other) }
            let inner = body + 8 + Int(byte(body) & 0x3f) * 4
            guard inner <= captured else { return finish(short("Geneve options", need: inner - body, at: body)) }
            encapsulation.insert(.geneve)
            return .next(.etherType(beUInt16(data, body + 2), inner))
        default: return finish(.other)
        }
    }

    mutating func gre(_ offset: Int) -> Step {
        guard offset + 4 <= captured else { return finish(short("GRE header", need: 4, at: offset)) }
        let flags = beUInt16(data, offset)
        let proto = beUInt16(data, offset + 2)
        let version = flags & 0x7
        // Source routing (R) is obsolete and ERSPAN is out of scope.
        guard version <= 1, flags & 0x4000 == 0, proto != 0x88be, proto != 0x22eb else { return finish(.other) }
        var length = 4
        if flags & 0x8000 != 0 { length += 4 }
        if flags & 0x2000 != 0 { length += 4 }
        if flags & 0x1000 != 0 { length += 4 }
        if version == 1 && flags & 0x0080 != 0 { length += 4 }
        guard offset + length <= captured else { return finish(short("GRE header", need: length, at: offset)) }
        encapsulation.insert(.gre)
        return .next(.etherType(proto, offset + length))
    }

    func tcp(_ offset: Int, _ source: IPAddress, _ destination: IPAddress, version: UInt8, ttl: UInt8) -> DecodedPacket
    {
        guard offset + 20 <= captured else { return short("TCP header", need: 20, at: offset) }
        let offsetAndFlags = beUInt16(data, offset + 12)
        let words = Int(offsetAndFlags >> 12)
        guard words >= 5 else {
            return .malformed(reason: "TCP data offset \(words) words is below the minimum of 5")
        }
        let headerLength = words * 4
        guard offset + headerLength <= captured else {
            if offset + headerLength > reported {
                return .malformed(
                    reason:
                        "TCP header length of \(headerLength) bytes exceeds the \(reported - offset) bytes of the IP payload"
                )
            }
            return .malformed(
                reason: "TCP header length of \(headerLength) bytes exceeds the \(captured - offset) bytes captured")
        }
        let payload = offset + headerLength
        return .tcp(
            TCPPacket(
                source: source, destination: destination, sourcePort: beUInt16(data, offset),
                destinationPort: beUInt16(data, offset + 2), sequenceNumber: beUInt32(data, offset + 4),
                acknowledgmentNumber: beUInt32(data, offset + 8),
                flags: TCPFlags(rawValue: UInt8(truncatingIfNeeded: offsetAndFlags)),
                window: beUInt16(data, offset + 14), headerLength: headerLength, headerOffset: offset,
                payloadOffset: payload, payloadLength: captured - payload, payloadMissing: reported - captured,
                ipVersion: version, ttl: ttl, ipLengthExceedsFrame: lengthExceeded, vlans: vlans,
                encapsulation: encapsulation))
    }
}
