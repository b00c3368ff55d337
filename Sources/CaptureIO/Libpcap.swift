import CPcap
import WireBasics

#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// libpcap speaks DLT_ values; files carry LINKTYPE_ values. They differ for a few historic
/// types whose DLT number varies by platform (libpcap's linktype_to_dlt is not public).
func dltForLinkType(_ linkType: Int32) -> Int32 {
    switch linkType {
    case 100: return 11  // ATM_RFC1483
    case 101: return 12  // RAW
    case 102: return 15  // SLIP_BSDOS
    case 103: return 16  // PPP_BSDOS
    case 106: return 19  // ATM_CLIP
    default: return linkType
    }
}

public enum LinkTypeName {
    /// libpcap's name for a link type ("EN10MB", "LINUX_SLL2", "RAW"), or "LINKTYPE_<n>".
    public static func name(_ linkType: Int32) -> String {
        if let name = pcap_datalink_val_to_name(dltForLinkType(linkType)) { return String(cString: name) }
        return "LINKTYPE_\(linkType)"
    }

    /// libpcap's description ("Ethernet", "Linux cooked v2"), or nil when it has none.
    public static func description(_ linkType: Int32) -> String? {
        guard let text = pcap_datalink_val_to_description(dltForLinkType(linkType)) else { return nil }
        return String(cString: text)
    }
}

/// Holds compiled BPF programs; a class so that the programs are freed exactly once.
private final class CompiledPrograms {
    /// Per link type seen: the index into `programs`, or nil when compiling failed.
    var entries: [(linkType: Int32, program: Int?)] = []
    var programs: [bpf_program] = []
    var errors: [Int32: String] = [:]

    deinit {
        for index in programs.indices { pcap_freecode(&programs[index]) }
    }
}

/// A BPF capture filter (tcpdump syntax), compiled by libpcap once per link type on first use.
public struct PacketFilter {
    public let expression: String
    private let programs = CompiledPrograms()
    private var lastLinkType: Int32 = -1
    private var lastIndex = -1

    /// Compiles `expression` for Ethernet up front so that a typo fails here, with libpcap's words.
    public init(expression: String) throws {
        self.expression = expression
        switch Self.compile(expression, linkType: 1) {
        case .success(var program): pcap_freecode(&program)
        case .failure(let error): throw error
        }
    }

    /// Why the expression could not be compiled for some link type seen so far (those frames
    /// never match), keyed by link type.
    public var linkTypeErrors: [Int32: String] { programs.errors }

    public mutating func matches(_ frame: CaptureFrame) -> Bool {
        if frame.linkType != lastLinkType || lastIndex < 0 {
            lastIndex = programIndex(for: frame.linkType)
            lastLinkType = frame.linkType
        }
        guard let index = programs.entries[lastIndex].program, let base = frame.data.baseAddress else { return false }
        var header = pcap_pkthdr()
        header.caplen = UInt32(truncatingIfNeeded: frame.capturedLength)
        header.len = UInt32(truncatingIfNeeded: frame.originalLength)
        return withUnsafePointer(to: &programs.programs[index]) { program in
            pcap_offline_filter(program, &header, base.assumingMemoryBound(to: UInt8.self)) != 0
        }
    }

    private func programIndex(for linkType: Int32) -> Int {
        if let index = programs.entries.firstIndex(where: { $0.linkType == linkType }) { return index }
        switch Self.compile(expression, linkType: linkType) {
        case .success(let program):
            programs.programs.append(program)
            programs.entries.append((linkType, programs.programs.count - 1))
        case .failure(let error):
            programs.entries.append((linkType, nil))
            programs.errors[linkType] = error.message
        }
        return programs.entries.count - 1
    }

    private static func compile(_ expression: String, linkType: Int32) -> Result<bpf_program, FilterError> {
        // Compile against a "savefile" handle rather than pcap_open_dead: libpcap generates
        // different code for files (e.g. it accepts all three BSD AF_INET6 values on NULL/LOOP
        // links only when reading a file). The handle reads an in-memory pcap header.
        var header = [UInt8](repeating: 0, count: 24)
        header.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: UInt32(0xa1b2_c3d4), toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: UInt16(2), toByteOffset: 4, as: UInt16.self)
            raw.storeBytes(of: UInt16(4), toByteOffset: 6, as: UInt16.self)
            raw.storeBytes(of: UInt32(262_144), toByteOffset: 16, as: UInt32.self)
            raw.storeBytes(of: UInt32(bitPattern: linkType), toByteOffset: 20, as: UInt32.self)
        }
        return header.withUnsafeMutableBytes { raw -> Result<bpf_program, FilterError> in
            var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
            guard let file = fmemopen(raw.baseAddress, raw.count, "r") else {
                return .failure(FilterError(expression: expression, message: "could not prepare the capture filter"))
            }
            guard let handle = pcap_fopen_offline(file, &errorBuffer) else {
                fclose(file)
                return .failure(
                    FilterError(
                        expression: expression,
                        message:
                            "capture filter \"\(expression)\" cannot apply to link type \(LinkTypeName.name(linkType)): \(cString(errorBuffer))"
                    ))
            }
            defer { pcap_close(handle) }
            var program = bpf_program()
            if pcap_compile(handle, &program, expression, 1, PCAP_NETMASK_UNKNOWN) != 0 {
                let reason = String(cString: pcap_geterr(handle))
                let message =
                    linkType == 1
                    ? "invalid capture filter \"\(expression)\": \(reason)"
                    : "capture filter \"\(expression)\" cannot apply to link type \(LinkTypeName.name(linkType)): \(reason)"
                return .failure(FilterError(expression: expression, message: message))
            }
            return .success(program)
        }
    }
}

/// A capture filter that libpcap rejected.
public struct FilterError: Error, CustomStringConvertible, Sendable {
    public let expression: String
    public let message: String
    public var description: String { message }
}

/// libpcap's own read loop: the oracle for CaptureReader in tests and the floor in benchmarks.
/// It refuses pcapng files that mix link types or byte orders, which CaptureReader reads.
public struct LibpcapReader {
    public struct Frame {
        public let timestamp: Timestamp
        public let capturedLength: Int
        public let originalLength: Int
        public let data: UnsafeRawBufferPointer
    }

    public struct Summary: Sendable, Equatable {
        public var frames = 0
        public var capturedBytes = 0
        /// libpcap's error if reading stopped early.
        public var error: String?
    }

    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Reads every frame with nanosecond timestamps. Throws when libpcap cannot open the file.
    @discardableResult
    public func forEachFrame(_ body: (Frame) -> Void) throws -> Summary {
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard
            let handle = pcap_open_offline_with_tstamp_precision(
                path, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errorBuffer)
        else {
            let message = cString(errorBuffer)
            throw CaptureReadError(path: path, reason: "libpcap: \(message)")
        }
        defer { pcap_close(handle) }
        var summary = Summary()
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        while true {
            let status = pcap_next_ex(handle, &header, &data)
            if status == 1, let header, let data {
                let h = header.pointee
                let captured = Int(h.caplen)
                summary.frames += 1
                summary.capturedBytes += captured
                body(
                    Frame(
                        timestamp: Timestamp(
                            seconds: Int64(h.ts.tv_sec), nanoseconds: UInt32(truncatingIfNeeded: h.ts.tv_usec)),
                        capturedLength: captured, originalLength: Int(h.len),
                        data: UnsafeRawBufferPointer(start: data, count: captured)))
            } else if status == PCAP_ERROR_BREAK {
                return summary
            } else {
                summary.error = String(cString: pcap_geterr(handle))
                return summary
            }
        }
    }

    /// libpcap's link type for the file (DLT value).
    public func linkType() throws -> Int32 {
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard let handle = pcap_open_offline(path, &errorBuffer) else {
            let message = cString(errorBuffer)
            throw CaptureReadError(path: path, reason: "libpcap: \(message)")
        }
        defer { pcap_close(handle) }
        return pcap_datalink(handle)
    }
}

private func cString(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
