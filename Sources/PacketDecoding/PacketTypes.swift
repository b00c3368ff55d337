@_exported import WireBasics

/// What one frame turned out to be.
public enum DecodedPacket: Sendable {
    case tcp(TCPPacket)
    /// A fragment of an IP datagram; feed it to an `IPFragmentReassembler`.
    case ipFragment(IPFragment)
    /// Valid but not TCP (UDP, ICMP, ARP, ...): nothing for tlsflow.
    case other
    /// Headers that contradict themselves or the frame, in words for the user.
    case malformed(reason: String)
    case unsupportedLinkType(Int32)
}

/// 802.1Q/802.1ad tags in order, outermost first. Up to four ids are kept inline; `count`
/// still counts any beyond that.
public struct VLANTags: Sendable, Hashable {
    public private(set) var count = 0
    @usableFromInline var storage: (UInt16, UInt16, UInt16, UInt16) = (0, 0, 0, 0)

    @inlinable public init() {}

    public var isEmpty: Bool { count == 0 }

    /// The kept ids (at most four), outermost first.
    public var ids: [UInt16] {
        let kept = min(count, 4)
        return [storage.0, storage.1, storage.2, storage.3].prefix(kept).map { $0 }
    }

    public var outermost: UInt16? { count > 0 ? storage.0 : nil }

    mutating func append(_ id: UInt16) {
        switch count {
        case 0: storage.0 = id
        case 1: storage.1 = id
        case 2: storage.2 = id
        case 3: storage.3 = id
        default: break
        }
        count += 1
    }

    public static func == (lhs: VLANTags, rhs: VLANTags) -> Bool { lhs.ids == rhs.ids && lhs.count == rhs.count }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        hasher.combine(storage.0)
        hasher.combine(storage.1)
    }
}

/// Layers the decoder went through on the way to TCP.
public struct Encapsulation: OptionSet, Sendable, Hashable {
    public let rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let vlan = Encapsulation(rawValue: 1 << 0)
    public static let pppoe = Encapsulation(rawValue: 1 << 1)
    public static let ppp = Encapsulation(rawValue: 1 << 2)
    public static let mpls = Encapsulation(rawValue: 1 << 3)
    public static let gre = Encapsulation(rawValue: 1 << 4)
    public static let vxlan = Encapsulation(rawValue: 1 << 5)
    public static let geneve = Encapsulation(rawValue: 1 << 6)
    public static let ipInIP = Encapsulation(rawValue: 1 << 7)
    /// Decoded from a datagram rebuilt out of IP fragments.
    public static let reassembled = Encapsulation(rawValue: 1 << 8)
}

/// One TCP segment. Offsets index the buffer that was decoded.
public struct TCPPacket: Sendable, Hashable {
    public var source: IPAddress
    public var destination: IPAddress
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var sequenceNumber: UInt32
    public var acknowledgmentNumber: UInt32
    public var flags: TCPFlags
    public var window: UInt16
    /// TCP header length in bytes, options included.
    public var headerLength: Int
    /// Offset of the TCP header in the buffer (options start 20 bytes later).
    public var headerOffset: Int
    public var payloadOffset: Int
    /// Payload bytes present in the buffer: from the IP length, never the frame (Ethernet
    /// padding is not payload), clamped to what was captured.
    public var payloadLength: Int
    /// Payload bytes the IP header promises but the snap length cut off.
    public var payloadMissing: Int
    /// IP version (4 or 6) of the innermost IP header.
    public var ipVersion: UInt8
    /// TTL / hop limit of the innermost IP header.
    public var ttl: UInt8
    /// The IP length claimed more bytes than the frame had; the payload was clamped.
    public var ipLengthExceedsFrame: Bool
    public var vlans: VLANTags
    public var encapsulation: Encapsulation

    // Spelled out (it is the memberwise one) so that `PacketDecoder.plainTCP` can be inlined
    // into its callers in other modules.
    @inlinable
    init(
        source: IPAddress, destination: IPAddress, sourcePort: UInt16, destinationPort: UInt16,
        sequenceNumber: UInt32, acknowledgmentNumber: UInt32, flags: TCPFlags, window: UInt16, headerLength: Int,
        headerOffset: Int, payloadOffset: Int, payloadLength: Int, payloadMissing: Int, ipVersion: UInt8, ttl: UInt8,
        ipLengthExceedsFrame: Bool, vlans: VLANTags, encapsulation: Encapsulation
    ) {
        self.source = source
        self.destination = destination
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.sequenceNumber = sequenceNumber
        self.acknowledgmentNumber = acknowledgmentNumber
        self.flags = flags
        self.window = window
        self.headerLength = headerLength
        self.headerOffset = headerOffset
        self.payloadOffset = payloadOffset
        self.payloadLength = payloadLength
        self.payloadMissing = payloadMissing
        self.ipVersion = ipVersion
        self.ttl = ttl
        self.ipLengthExceedsFrame = ipLengthExceedsFrame
        self.vlans = vlans
        self.encapsulation = encapsulation
    }

    /// The TCP options bytes of this segment within `buffer`.
    public func optionBytes(in buffer: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        let start = headerOffset + 20
        let end = headerOffset + headerLength
        guard start <= end, end <= buffer.count else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(rebasing: buffer[start..<end])
    }
}

/// A fragment of an IPv4 or IPv6 datagram, located in the decoded buffer.
public struct IPFragment: Sendable, Hashable {
    public var ipVersion: UInt8
    public var source: IPAddress
    public var destination: IPAddress
    public var identification: UInt32
    /// Upper-layer protocol of the datagram (IPv6: the fragment header's next header).
    public var protocolNumber: UInt8
    /// Offset of this fragment's data in the datagram, in bytes.
    public var fragmentOffset: Int
    public var moreFragments: Bool
    /// The IP header to reuse when rebuilding the datagram (IPv6: the 40-byte fixed header).
    public var headerOffset: Int
    public var headerLength: Int
    public var payloadOffset: Int
    public var payloadLength: Int
    /// Fragment data cut off by the snap length; such a datagram cannot be rebuilt.
    public var payloadMissing: Int
    public var vlans: VLANTags
    public var encapsulation: Encapsulation
}

/// The TCP options tlsflow cares about, read from a segment's option bytes.
public struct TCPOptions: Sendable, Hashable {
    public var maximumSegmentSize: UInt16?
    public var windowScale: UInt8?
    public var sackPermitted = false
    public var timestamp: (value: UInt32, echoReply: UInt32)? {
        get { hasTimestamp ? (timestampValue, timestampEcho) : nil }
        set {
            hasTimestamp = newValue != nil
            timestampValue = newValue?.value ?? 0
            timestampEcho = newValue?.echoReply ?? 0
        }
    }
    private var hasTimestamp = false
    private var timestampValue: UInt32 = 0
    private var timestampEcho: UInt32 = 0

    /// Stops quietly at the first malformed option (as receivers do).
    public init(_ bytes: UnsafeRawBufferPointer) {
        var i = 0
        while i < bytes.count {
            let kind = bytes[i]
            if kind == 0 { break }
            if kind == 1 {
                i += 1
                continue
            }
            guard i + 1 < bytes.count else { break }
            let length = Int(bytes[i + 1])
            guard length >= 2, i + length <= bytes.count else { break }
            switch (kind, length) {
            case (2, 4): maximumSegmentSize = UInt16(bytes[i + 2]) << 8 | UInt16(bytes[i + 3])
            case (3, 3): windowScale = bytes[i + 2]
            case (4, 2): sackPermitted = true
            case (8, 10):
                hasTimestamp = true
                timestampValue = beUInt32(bytes, i + 2)
                timestampEcho = beUInt32(bytes, i + 6)
            default: break
            }
            i += length
        }
    }

    public static func == (lhs: TCPOptions, rhs: TCPOptions) -> Bool {
        lhs.maximumSegmentSize == rhs.maximumSegmentSize && lhs.windowScale == rhs.windowScale
            && lhs.sackPermitted == rhs.sackPermitted && lhs.hasTimestamp == rhs.hasTimestamp
            && lhs.timestampValue == rhs.timestampValue && lhs.timestampEcho == rhs.timestampEcho
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(maximumSegmentSize)
        hasher.combine(windowScale)
        hasher.combine(timestampValue)
    }
}

/// Callers must have checked `offset + 4 <= bytes.count`.
@inlinable @inline(__always)
func beUInt32(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
    UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
}

/// Callers must have checked `offset + 2 <= bytes.count`.
@inlinable @inline(__always)
func beUInt16(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt16 {
    UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
}

/// Callers must have checked `offset + 8 <= bytes.count`.
@inlinable @inline(__always)
func beUInt64(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
    UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
}
