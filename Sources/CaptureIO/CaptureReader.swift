import WireBasics

/// Streaming reader for pcap and pcapng files (and standard input).
///
/// One native code path for both formats, so frame numbers match Wireshark's and pcapng files
/// that libpcap refuses (mixed link types, mixed byte orders) still read. See
/// docs/architecture-capture.md.
public final class CaptureReader {
    public let path: String
    public private(set) var format: CaptureFormat
    /// True when any interface (or the pcap file) records sub-microsecond timestamps.
    public private(set) var nanosecondPrecision = false
    /// Distinct link types of the file's interfaces, in first-seen order.
    public private(set) var linkTypes: [Int32] = []
    /// pcapng Decryption Secrets Blocks seen so far (complete after `forEachFrame` returns).
    public private(set) var decryptionSecrets: [DecryptionSecret] = []
    /// Called as each Decryption Secrets Block is read, before the frames that follow it: a
    /// reader of frames learns of new keys without checking `decryptionSecrets` on every frame.
    public var onDecryptionSecret: ((DecryptionSecret) -> Void)?
    /// File bytes consumed so far.
    public var bytesRead: Int { source.offset }
    /// Bytes at the start of a mapped file already handed back to the kernel (tests).
    var releasedBytes: Int { source.released }

    let source: ByteSource
    /// Number of the last record that took a frame number (Wireshark numbering).
    var lastFrameNumber = 0
    /// Set when reading has ended; later `forEachFrame` calls return it without frames.
    var finalOutcome: ReadOutcome?
    /// A problem found while reading the blocks ahead of the first packet during `init`.
    var pendingOutcome: ReadOutcome?

    // pcap state
    var bigEndian = false
    var pcapRecordHeaderSize = 16
    var pcapLinkType: Int32 = 0
    var pcapNanoseconds = false

    // pcapng state
    var interfaces: [PcapngInterface] = []
    var sectionCount = 0

    /// Opens `path` ("-" for standard input) and reads the file header.
    public init(path: String) throws {
        self.path = path
        source = try ByteSource(path: path)
        format = .pcap
        guard source.ensure(4) else {
            if let failure = source.readError {
                throw CaptureReadError(path: path, reason: "read failed (\(failure))")
            }
            if source.available == 0 {
                throw CaptureReadError(path: path, reason: "is empty (0 bytes), not a capture file")
            }
            throw CaptureReadError(
                path: path,
                reason: "is not a capture file (only \(source.available) bytes: \(leadingBytes(4)))")
        }
        let magicBE = readUInt32(source.current, bigEndian: true)
        switch magicBE {
        case 0xa1b2_c3d4, 0xd4c3_b2a1, 0xa1b2_3c4d, 0x4d3c_b2a1, 0xa1b2_cd34, 0x34cd_b2a1:
            format = .pcap
            try readPcapHeader(magic: magicBE)
        case PcapngBlockType.sectionHeader:
            format = .pcapng
            try readFirstSectionHeader()
        default:
            throw CaptureReadError(path: path, reason: notCaptureReason(magicBE))
        }
    }

    /// Calls `body` for each frame in file order and reports how reading ended. Frames before a
    /// damaged or cut-off record are delivered; malformed input never traps. The capture is read
    /// once: after reading ends, later calls deliver no frames and return the same outcome. If
    /// `body` throws, reading stops there and a later call resumes with the next frame.
    @discardableResult
    public func forEachFrame(_ body: (CaptureFrame) throws -> Void) rethrows -> ReadOutcome {
        if let finalOutcome { return finalOutcome }
        if let pendingOutcome {
            finalOutcome = pendingOutcome
            return pendingOutcome
        }
        let outcome: ReadOutcome
        switch format {
        case .pcap: outcome = try readPcapFrames(body)
        case .pcapng: outcome = try readPcapngFrames(body)
        }
        finalOutcome = outcome
        return outcome
    }

    func noteLinkType(_ linkType: Int32) {
        if !linkTypes.contains(linkType) { linkTypes.append(linkType) }
    }

    func noteSecret(_ secret: DecryptionSecret) {
        decryptionSecrets.append(secret)
        onDecryptionSecret?(secret)
    }

    func noteNanosecondPrecision() { nanosecondPrecision = true }

    /// The truncation outcome for the current position, with the frame count filled in.
    func truncated(_ detail: String) -> ReadOutcome {
        var message = "capture truncated after frame \(lastFrameNumber): \(detail)"
        if let failure = source.readError { message += " (read error: \(failure))" }
        return .truncated(afterFrame: lastFrameNumber, message: message)
    }

    func leadingBytes(_ count: Int) -> String {
        let n = min(count, source.available)
        let p = source.current
        var parts: [String] = []
        for i in 0..<n { parts.append(hexString([p.load(fromByteOffset: i, as: UInt8.self)])) }
        return parts.joined(separator: " ")
    }

    private func notCaptureReason(_ magic: UInt32) -> String {
        let shown = leadingBytes(8)
        switch magic >> 16 {
        case 0x1f8b:
            return "is gzip-compressed; decompress it first (gunzip), then read the .pcap/.pcapng"
        default: break
        }
        switch magic {
        case 0x28b5_2ffd: return "is zstd-compressed; decompress it first (zstd -d)"
        case 0xfd37_7a58: return "is xz-compressed; decompress it first (xz -d)"
        case 0x0422_4d18: return "is lz4-compressed; decompress it first (lz4 -d)"
        default: break
        }
        if magic >> 8 == 0x42_5a68 { return "is bzip2-compressed; decompress it first (bunzip2)" }
        if magic == 0x504b_0304 { return "is a zip archive, not a capture file; extract it first" }
        var text = ""
        let p = source.current
        let n = min(16, source.available)
        var printable = n > 0
        for i in 0..<n {
            let byte = p.load(fromByteOffset: i, as: UInt8.self)
            if byte == 0x0a || byte == 0x0d || byte == 0x09 {
                text += " "
                continue
            }
            if byte < 0x20 || byte > 0x7e {
                printable = false
                break
            }
            text.append(Character(Unicode.Scalar(byte)))
        }
        let asText = printable ? " — text \"\(text)\"" : ""
        return "is not a capture file (starts with \(shown)\(asText)); expected pcap or pcapng"
    }
}

@inline(__always)
func readUInt32(_ p: UnsafeRawPointer, _ offset: Int = 0, bigEndian: Bool) -> UInt32 {
    let raw = p.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
    return bigEndian ? UInt32(bigEndian: raw) : UInt32(littleEndian: raw)
}

@inline(__always)
func readUInt16(_ p: UnsafeRawPointer, _ offset: Int = 0, bigEndian: Bool) -> UInt16 {
    let raw = p.loadUnaligned(fromByteOffset: offset, as: UInt16.self)
    return bigEndian ? UInt16(bigEndian: raw) : UInt16(littleEndian: raw)
}

@inline(__always)
func readUInt64(_ p: UnsafeRawPointer, _ offset: Int = 0, bigEndian: Bool) -> UInt64 {
    let raw = p.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
    return bigEndian ? UInt64(bigEndian: raw) : UInt64(littleEndian: raw)
}

/// Wireshark's per-encapsulation ceiling on a frame's captured length; a larger value means
/// the record is damaged (both Wireshark and libpcap stop there).
func maximumCapturedLength(linkType: Int32) -> Int {
    switch linkType {
    case 231, 249: return 128 * 1024 * 1024  // D-Bus, USBPcap
    case 279: return 8 * 1024 * 1024  // EBHSCR
    default: return 262_144
    }
}
