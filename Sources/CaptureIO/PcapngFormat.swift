import WireBasics

enum PcapngBlockType {
    static let sectionHeader: UInt32 = 0x0a0d_0d0a
    static let interfaceDescription: UInt32 = 0x0000_0001
    static let obsoletePacket: UInt32 = 0x0000_0002
    static let simplePacket: UInt32 = 0x0000_0003
    static let enhancedPacket: UInt32 = 0x0000_0006
    static let decryptionSecrets: UInt32 = 0x0000_000a

    static func isPacket(_ type: UInt32) -> Bool {
        type == enhancedPacket || type == simplePacket || type == obsoletePacket
    }
}

/// What an Interface Description Block says about the frames that name it.
struct PcapngInterface {
    var linkType: Int32
    var snapLength: UInt32
    /// Timestamp units per second (if_tsresol); 1_000_000 by default.
    var unitsPerSecond: UInt64
    /// if_tsoffset, seconds added to every timestamp.
    var offsetSeconds: Int64

    func timestamp(high: UInt32, low: UInt32) -> Timestamp {
        let raw = UInt64(high) << 32 | UInt64(low)
        let seconds = raw / unitsPerSecond
        let remainder = raw % unitsPerSecond
        let nanoseconds: UInt64
        if unitsPerSecond == 1_000_000_000 {
            nanoseconds = remainder
        } else if unitsPerSecond < 1_000_000_000 && 1_000_000_000 % unitsPerSecond == 0 {
            nanoseconds = remainder &* (1_000_000_000 / unitsPerSecond)
        } else {
            // remainder * 1e9 can exceed 64 bits for fine binary resolutions.
            let product = remainder.multipliedFullWidth(by: 1_000_000_000)
            nanoseconds = unitsPerSecond.dividingFullWidth(product).quotient
        }
        return Timestamp(
            seconds: Int64(truncatingIfNeeded: seconds) &+ offsetSeconds, nanoseconds: UInt32(nanoseconds))
    }
}

/// Wireshark's ceiling on one block (largest frame plus generous room for options).
private let maximumBlockLength = 128 * 1024 * 1024 + 131_072

extension CaptureReader {
    func readFirstSectionHeader() throws {
        guard source.ensure(28) else {
            throw CaptureReadError(
                path: path,
                reason:
                    "is too short to be a pcapng file: the section header needs 28 bytes, the file has \(source.available)"
            )
        }
        let magic = readUInt32(source.current, 8, bigEndian: true)
        guard magic == 0x1a2b_3c4d || magic == 0x4d3c_2b1a else {
            throw CaptureReadError(
                path: path,
                reason:
                    "starts like a pcapng file but its byte-order magic is \(hexString(bytesOf(magic))), not 1a2b3c4d"
            )
        }
        let big = magic == 0x1a2b_3c4d
        let major = readUInt16(source.current, 12, bigEndian: big)
        guard major == 1 else {
            throw CaptureReadError(path: path, reason: "uses pcapng version \(major), which this reader does not know")
        }
        // Read the blocks ahead of the first packet now, so that linkTypes is known before
        // frames flow. Damage found here is reported by the first forEachFrame.
        scan: while pendingOutcome == nil, source.ensure(8) {
            let type = readUInt32(source.current, 0, bigEndian: bigEndian)
            if PcapngBlockType.isPacket(type) { break }
            switch readBlock() {
            case .next: continue
            case .frame: break scan
            case .end(let outcome):
                if case .truncated = outcome { pendingOutcome = outcome }
                break scan
            }
        }
    }

    func readPcapngFrames(_ body: (CaptureFrame) throws -> Void) rethrows -> ReadOutcome {
        while true {
            switch readBlock() {
            case .next: continue
            case .end(let outcome): return outcome
            case .frame(let frame):
                try body(frame)
            }
        }
    }

    enum BlockStep {
        case next
        case frame(CaptureFrame)
        case end(ReadOutcome)
    }

    /// Reads and consumes one block; for a packet block, returns the frame (whose bytes stay
    /// valid until the next read).
    func readBlock() -> BlockStep {
        guard source.ensure(8) else {
            if source.available == 0 && source.readError == nil { return .end(.complete) }
            return .end(truncated("the file ends inside a block header (\(source.available) of 8 bytes)"))
        }
        var p = source.current
        let type = readUInt32(p, 0, bigEndian: bigEndian)
        if type == PcapngBlockType.sectionHeader {
            guard source.ensure(12) else {
                return .end(truncated("the file ends inside a section header"))
            }
            p = source.current
            let magic = readUInt32(p, 8, bigEndian: true)
            guard magic == 0x1a2b_3c4d || magic == 0x4d3c_2b1a else {
                return .end(truncated("section header \(sectionCount + 1) has an unknown byte-order magic"))
            }
            bigEndian = magic == 0x1a2b_3c4d
        }
        let length = Int(readUInt32(p, 4, bigEndian: bigEndian))
        if length < 12 || length % 4 != 0 {
            return .end(
                truncated(
                    "\(pcapngBlockName(type)) at byte \(source.offset) has an invalid length of \(length) (must be a multiple of 4, at least 12)"
                ))
        }
        if length > maximumBlockLength {
            return .end(
                truncated(
                    "\(pcapngBlockName(type)) at byte \(source.offset) claims \(length) bytes, more than the maximum of \(maximumBlockLength)"
                ))
        }
        guard source.ensure(length) else {
            return .end(
                truncated(
                    "the file ends inside a \(pcapngBlockName(type)) (\(source.available) of its \(length) bytes present)"
                ))
        }
        p = source.current
        let trailer = Int(readUInt32(p, length - 4, bigEndian: bigEndian))
        if trailer != length {
            return .end(
                truncated(
                    "\(pcapngBlockName(type)) at byte \(source.offset) has mismatched lengths (\(length) at the start, \(trailer) at the end)"
                ))
        }
        switch type {
        case PcapngBlockType.sectionHeader:
            if let problem = readSectionHeader(p, length: length) { return .end(truncated(problem)) }
        case PcapngBlockType.interfaceDescription:
            if let problem = readInterface(p, length: length) { return .end(truncated(problem)) }
        case PcapngBlockType.decryptionSecrets:
            if length >= 20 {
                let secretType = readUInt32(p, 8, bigEndian: bigEndian)
                let secretLength = Int(readUInt32(p, 12, bigEndian: bigEndian))
                guard secretLength <= length - 20 else {
                    return .end(
                        truncated(
                            "a Decryption Secrets Block claims \(secretLength) bytes of secrets but holds \(length - 20)"
                        ))
                }
                let bytes = UnsafeRawBufferPointer(start: p.advanced(by: 16), count: secretLength)
                noteSecret(DecryptionSecret(type: secretType, data: Array(bytes)))
            }
        case PcapngBlockType.enhancedPacket, PcapngBlockType.obsoletePacket, PcapngBlockType.simplePacket:
            return packetBlock(type: type, p, length: length)
        case 0x0000_0009, 0x0000_0bad, 0x4000_0bad, 0x0000_0204, 0x0000_0216, 0x0000_0221:
            // Wireshark (4.0) shows systemd journal entries, custom blocks and sysdig events as
            // frames of their own, so they take a frame number even though tlsflow skips them.
            lastFrameNumber += 1
        default:
            break  // NRB, ISB and unknown blocks carry nothing tlsflow reads.
        }
        source.consume(length)
        return .next
    }

    private func readSectionHeader(_ p: UnsafeRawPointer, length: Int) -> String? {
        guard length >= 28 else { return "section header \(sectionCount + 1) is only \(length) bytes (minimum 28)" }
        let major = readUInt16(p, 12, bigEndian: bigEndian)
        guard major == 1 else { return "section \(sectionCount + 1) uses unknown pcapng version \(major)" }
        sectionCount += 1
        interfaces.removeAll(keepingCapacity: true)
        return nil
    }

    private func readInterface(_ p: UnsafeRawPointer, length: Int) -> String? {
        guard length >= 20 else { return "an Interface Description Block is only \(length) bytes (minimum 20)" }
        let linkType = Int32(readUInt16(p, 8, bigEndian: bigEndian))
        let snap = readUInt32(p, 12, bigEndian: bigEndian)
        var interface = PcapngInterface(
            linkType: linkType, snapLength: snap, unitsPerSecond: 1_000_000, offsetSeconds: 0)
        var offset = 16
        let optionsEnd = length - 4
        while offset + 4 <= optionsEnd {
            let code = readUInt16(p, offset, bigEndian: bigEndian)
            let optionLength = Int(readUInt16(p, offset + 2, bigEndian: bigEndian))
            let value = offset + 4
            if code == 0 || value + optionLength > optionsEnd { break }
            if code == 9 && optionLength >= 1 {
                let resolution = p.load(fromByteOffset: value, as: UInt8.self)
                let exponent = UInt64(resolution & 0x7f)
                if resolution & 0x80 != 0 {
                    if exponent <= 63 { interface.unitsPerSecond = 1 << exponent }
                } else if exponent <= 19 {
                    var units: UInt64 = 1
                    for _ in 0..<exponent { units &*= 10 }
                    interface.unitsPerSecond = units
                }
            } else if code == 14 && optionLength >= 8 {
                interface.offsetSeconds = Int64(bitPattern: readUInt64(p, value, bigEndian: bigEndian))
            }
            offset = value + ((optionLength + 3) & ~3)
        }
        if interface.unitsPerSecond > 1_000_000 { noteNanosecondPrecision() }
        interfaces.append(interface)
        noteLinkType(linkType)
        return nil
    }

    private func packetBlock(type: UInt32, _ p: UnsafeRawPointer, length: Int) -> BlockStep {
        let number = lastFrameNumber + 1
        let interfaceID: Int
        let captured: Int
        let original: Int
        let dataOffset: Int
        var timestamp = Timestamp.zero
        switch type {
        case PcapngBlockType.simplePacket:
            guard length >= 16 else {
                return .end(truncated("frame \(number): a Simple Packet Block is only \(length) bytes"))
            }
            interfaceID = 0
            original = Int(readUInt32(p, 8, bigEndian: bigEndian))
            dataOffset = 12
            var cap = min(original, length - 16)
            if let first = interfaces.first, first.snapLength != 0 { cap = min(cap, Int(first.snapLength)) }
            captured = cap
        default:
            guard length >= 32 else {
                return .end(
                    truncated("frame \(number): a \(pcapngBlockName(type)) is only \(length) bytes (minimum 32)"))
            }
            if type == PcapngBlockType.enhancedPacket {
                interfaceID = Int(readUInt32(p, 8, bigEndian: bigEndian))
            } else {
                interfaceID = Int(readUInt16(p, 8, bigEndian: bigEndian))
            }
            captured = Int(readUInt32(p, 20, bigEndian: bigEndian))
            original = Int(readUInt32(p, 24, bigEndian: bigEndian))
            dataOffset = 28
            guard captured <= length - 32 else {
                return .end(
                    truncated(
                        "frame \(number) claims \(captured) captured bytes but its block holds only \(length - 32)"))
            }
        }
        guard interfaceID < interfaces.count else {
            return .end(
                truncated(
                    "frame \(number) names interface \(interfaceID), but the section describes only \(interfaces.count)"
                ))
        }
        let interface = interfaces[interfaceID]
        let maxCaptured = maximumCapturedLength(linkType: interface.linkType)
        if captured > maxCaptured {
            return .end(
                truncated("frame \(number) claims \(captured) captured bytes, more than the maximum of \(maxCaptured)"))
        }
        if type != PcapngBlockType.simplePacket {
            timestamp = interface.timestamp(
                high: readUInt32(p, 12, bigEndian: bigEndian), low: readUInt32(p, 16, bigEndian: bigEndian))
        }
        lastFrameNumber = number
        // The frame's bytes stay valid after consuming: nothing moves until the next ensure().
        source.consume(length)
        return .frame(
            CaptureFrame(
                number: number, timestamp: timestamp, linkType: interface.linkType, interfaceID: interfaceID,
                capturedLength: captured, originalLength: original,
                data: UnsafeRawBufferPointer(start: p.advanced(by: dataOffset), count: captured)))
    }
}

func pcapngBlockName(_ type: UInt32) -> String {
    switch type {
    case PcapngBlockType.sectionHeader: return "Section Header Block"
    case PcapngBlockType.interfaceDescription: return "Interface Description Block"
    case PcapngBlockType.obsoletePacket: return "Packet Block"
    case PcapngBlockType.simplePacket: return "Simple Packet Block"
    case PcapngBlockType.enhancedPacket: return "Enhanced Packet Block"
    case PcapngBlockType.decryptionSecrets: return "Decryption Secrets Block"
    case 4: return "Name Resolution Block"
    case 5: return "Interface Statistics Block"
    default: return "block of type 0x\(String(type, radix: 16))"
    }
}

func bytesOf(_ value: UInt32) -> [UInt8] {
    [
        UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8),
        UInt8(truncatingIfNeeded: value),
    ]
}
