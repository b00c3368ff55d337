extension PacketDecoder {
    /// The common frame — untagged Ethernet, then IPv4 (unfragmented) or IPv6 (no extension
    /// headers), then a TCP header that is wholly captured and well formed — decoded in a straight
    /// line. Returns exactly the packet `decode` would return as `.tcp`, and nil for every other
    /// frame, which then goes through `decode`.
    ///
    /// Why a second path: `decode` walks layers through a general state machine and hands its
    /// result back in an enum; on span-port captures nearly every frame is this one shape, and the
    /// walk cost about 900 instructions per frame, more than reassembling a typical segment (this
    /// path about 100, inlined into the frame loop). The bounds checks are the same; anything the
    /// walk would report as malformed is left to the walk, so its messages stay in one place.
    @inlinable @inline(__always)
    public static func plainTCP(_ data: UnsafeRawBufferPointer, linkType: Int32, originalLength: Int?) -> TCPPacket? {
        guard linkType == 1, data.count >= 14 + 20 + 20 else { return nil }
        var captured = data.count
        var reported = max(originalLength ?? captured, captured)
        let ip = 14
        let source: IPAddress
        let destination: IPAddress
        let version: UInt8
        let ttl: UInt8
        let tcp: Int
        let lengthExceeded: Bool
        switch beUInt16(data, 12) {
        case 0x0800:
            let first = data.load(fromByteOffset: ip, as: UInt8.self)
            let headerLength = Int(first & 0x0f) * 4
            guard first >> 4 == 4, headerLength >= 20, ip + headerLength <= captured,
                beUInt16(data, ip + 6) & 0x3fff == 0, data.load(fromByteOffset: ip + 9, as: UInt8.self) == 6
            else { return nil }
            var total = Int(beUInt16(data, ip + 2))
            if total == 0 { total = reported - ip }
            guard total >= headerLength else { return nil }
            lengthExceeded = ip + total > reported
            if ip + total < reported { reported = ip + total }
            source = .v4(beUInt32(data, ip + 12))
            destination = .v4(beUInt32(data, ip + 16))
            version = 4
            ttl = data.load(fromByteOffset: ip + 8, as: UInt8.self)
            tcp = ip + headerLength
        case 0x86dd:
            guard captured >= ip + 40 + 20, data.load(fromByteOffset: ip, as: UInt8.self) >> 4 == 6,
                data.load(fromByteOffset: ip + 6, as: UInt8.self) == 6
            else { return nil }
            var payloadLength = Int(beUInt16(data, ip + 4))
            if payloadLength == 0 { payloadLength = max(0, reported - ip - 40) }
            lengthExceeded = ip + 40 + payloadLength > reported
            if ip + 40 + payloadLength < reported { reported = ip + 40 + payloadLength }
            source = .v6(beUInt64(data, ip + 8), beUInt64(data, ip + 16))
            destination = .v6(beUInt64(data, ip + 24), beUInt64(data, ip + 32))
            version = 6
            ttl = data.load(fromByteOffset: ip + 7, as: UInt8.self)
            tcp = ip + 40
        default:
            return nil
        }
        if reported < captured { captured = reported }
        guard tcp + 20 <= captured else { return nil }
        let offsetAndFlags = beUInt16(data, tcp + 12)
        let headerLength = Int(offsetAndFlags >> 12) * 4
        guard headerLength >= 20, tcp + headerLength <= captured else { return nil }
        let payload = tcp + headerLength
        return TCPPacket(
            source: source, destination: destination, sourcePort: beUInt16(data, tcp),
            destinationPort: beUInt16(data, tcp + 2), sequenceNumber: beUInt32(data, tcp + 4),
            acknowledgmentNumber: beUInt32(data, tcp + 8),
            flags: TCPFlags(rawValue: UInt8(truncatingIfNeeded: offsetAndFlags)), window: beUInt16(data, tcp + 14),
            headerLength: headerLength, headerOffset: tcp, payloadOffset: payload, payloadLength: captured - payload,
            payloadMissing: reported - captured, ipVersion: version, ttl: ttl, ipLengthExceedsFrame: lengthExceeded,
            vlans: VLANTags(), encapsulation: [])
    }
}
