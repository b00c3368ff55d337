import WireBasics

/// Classic pcap: a 24-byte file header, then records of a 16-byte header and the frame bytes.
extension CaptureReader {
    func readPcapHeader(magic: UInt32) throws {
        switch magic {
        case 0xa1b2_c3d4: bigEndian = true
        case 0xd4c3_b2a1: bigEndian = false
        case 0xa1b2_3c4d:
            bigEndian = true
            pcapNanoseconds = true
        case 0x4d3c_b2a1:
            bigEndian = false
            pcapNanoseconds = true
        case 0xa1b2_cd34:
            // Alexey Kuznetsov's patched format: 8 extra bytes (ifindex, protocol, type) per record.
            bigEndian = true
            pcapRecordHeaderSize = 24
        default:
            bigEndian = false
            pcapRecordHeaderSize = 24
        }
        guard source.ensure(24) else {
            throw CaptureReadError(
                path: path,
                reason:
                    "is too short to be a pcap file: the file header needs 24 bytes, the file has \(source.available)"
            )
        }
        let p = source.current
        let major = readUInt16(p, 4, bigEndian: bigEndian)
        if major < 2 {
            throw CaptureReadError(
                path: path, reason: "uses pcap format version \(major), which is too old to read (need 2.x)")
        }
        // The upper bits of the link-type field carry FCS information, not the link type.
        let rawLinkType = readUInt32(p, 20, bigEndian: bigEndian)
        pcapLinkType = Int32(bitPattern: rawLinkType & 0x03ff_ffff)
        noteLinkType(pcapLinkType)
        if pcapNanoseconds { noteNanosecondPrecision() }
        source.consume(24)
    }

    func readPcapFrames(_ body: (CaptureFrame) throws -> Void) rethrows -> ReadOutcome {
        let headerSize = pcapRecordHeaderSize
        let linkType = pcapLinkType
        let maxCaptured = maximumCapturedLength(linkType: linkType)
        let nanos = pcapNanoseconds
        let big = bigEndian
        while true {
            guard source.ensure(headerSize) else {
                if source.available == 0 && source.readError == nil { return .complete }
                return truncated(
                    "the file ends inside the record header of frame \(lastFrameNumber + 1) (\(source.available) of \(headerSize) bytes)"
                )
            }
            let p = source.current
            let seconds = readUInt32(p, 0, bigEndian: big)
            let fraction = readUInt32(p, 4, bigEndian: big)
            let captured = Int(readUInt32(p, 8, bigEndian: big))
            let original = Int(readUInt32(p, 12, bigEndian: big))
            if captured > maxCaptured {
                return truncated(
                    "frame \(lastFrameNumber + 1) claims \(captured) captured bytes, more than the maximum of \(maxCaptured); the rest of the file is unreadable"
                )
            }
            guard source.ensure(headerSize + captured) else {
                let have = max(0, source.available - headerSize)
                return truncated(
                    "the file ends inside frame \(lastFrameNumber + 1) (\(have) of its \(captured) captured bytes present)"
                )
            }
            let record = source.current
            lastFrameNumber += 1
            let nanoseconds = nanos ? UInt64(fraction) : UInt64(fraction) &* 1000
            let timestamp = Timestamp(
                seconds: Int64(seconds) &+ Int64(nanoseconds / 1_000_000_000),
                nanoseconds: UInt32(nanoseconds % 1_000_000_000))
            let frame = CaptureFrame(
                number: lastFrameNumber, timestamp: timestamp, linkType: linkType, interfaceID: 0,
                capturedLength: captured, originalLength: original,
                data: UnsafeRawBufferPointer(start: record.advanced(by: headerSize), count: captured))
            // Consuming first keeps the reader consistent if body throws; the bytes stay put
            // until the next ensure().
            source.consume(headerSize + captured)
            try body(frame)
        }
    }
}
