import WireBasics

/// The TCP header fields reassembly needs, decoupled from any packet decoder.
public struct SegmentHeader: Sendable {
    public var sequence: UInt32
    public var acknowledgment: UInt32
    /// Low byte of the TCP flags (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10).
    public var flags: UInt8
    public init(sequence: UInt32, acknowledgment: UInt32, flags: UInt8) {
        self.sequence = sequence
        self.acknowledgment = acknowledgment
        self.flags = flags
    }
    public var isSYN: Bool { flags & 0x02 != 0 }
    public var isFIN: Bool { flags & 0x01 != 0 }
    public var isRST: Bool { flags & 0x04 != 0 }
    public var isACK: Bool { flags & 0x10 != 0 }
}

/// A control event with who sent it and when, for the connection's history.
public struct ControlEvent: Sendable, Equatable {
    public var frame: Int
    public var time: Timestamp
    public var direction: Direction
    public init(frame: Int, time: Timestamp, direction: Direction) {
        self.frame = frame
        self.time = time
        self.direction = direction
    }
}

/// What one segment meant to the connection, for the caller's timeline.
public struct SegmentOutcome: Sendable {
    /// Bytes of this segment that repeated data already seen (0 for fresh data).
    public var retransmittedBytes = 0
    /// A SYN that repeats the one already seen (same initial sequence number).
    public var retransmittedSYN = false
    public init() {}
}

/// One value per direction, indexed by `Direction.rawValue` (or any other two-way split, such
/// as client 0 / server 1). Two stored fields rather than an array: connections are touched on
/// every packet, and an array costs an allocation per connection plus a uniqueness check on
/// every write.
public struct DirectionPair<Element>: RandomAccessCollection, MutableCollection {
    private var initiator: Element
    private var responder: Element

    public init(_ initiator: Element, _ responder: Element) {
        self.initiator = initiator
        self.responder = responder
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { 2 }

    public subscript(index: Int) -> Element {
        // A plain getter, not `_read`: with a read coroutine the optimiser copied the whole
        // enclosing TCPConnection at every call site (7 copies per packet, 18 % more
        // instructions). Writes yield in place so the element's arrays stay unique.
        get {
            precondition(index == 0 || index == 1, "DirectionPair index out of range")
            return index == 0 ? initiator : responder
        }
        _modify {
            precondition(index == 0 || index == 1, "DirectionPair index out of range")
            if index == 0 {
                yield &initiator
            } else {
                yield &responder
            }
        }
    }
}

extension DirectionPair: Sendable where Element: Sendable {}

/// TCP state of one connection, Zeek-history style: who sent SYN, SYN-ACK, FIN, RST and when,
/// plus one `HalfStream` per direction.
public struct TCPConnection: Sendable {
    public var limits: ReassemblyLimits
    public private(set) var streams = DirectionPair(HalfStream(), HalfStream())
    public private(set) var syn: ControlEvent?
    public private(set) var synCount = 0
    public private(set) var synAck: ControlEvent?
    /// First ACK completing the three-way handshake.
    public private(set) var handshakeAck: ControlEvent?
    public private(set) var fin = DirectionPair<ControlEvent?>(nil, nil)
    public private(set) var rst: ControlEvent?
    private var finSequence = DirectionPair<UInt32?>(nil, nil)
    public private(set) var lastActivity: Timestamp = .zero
    public private(set) var firstTime: Timestamp = .zero
    public private(set) var segments = 0

    public init(limits: ReassemblyLimits = ReassemblyLimits()) {
        self.limits = limits
    }

    public var isClosed: Bool { rst != nil || (fin[0] != nil && fin[1] != nil) }
    public var retransmissions: Int { streams[0].retransmittedSegments + streams[1].retransmittedSegments }
    public var gaps: Int { streams[0].gaps + streams[1].gaps }
    public var gapBytes: Int { streams[0].gapBytes + streams[1].gapBytes }

    /// True when this SYN begins a new connection on the same 4-tuple (port reuse): the old one
    /// is closed, or the SYN carries a different initial sequence number than the SYN we saw.
    // Inlined: called through a pointer on every packet, and an out-of-line call made the
    // caller copy the whole TCPConnection to pass it.
    @inlinable @inline(__always)
    public func isNewConnection(_ header: SegmentHeader, direction: Direction) -> Bool {
        guard header.isSYN, !header.isACK else { return false }
        if let syn {
            let initial = streams[syn.direction.rawValue].initialSequence
            if syn.direction == direction && header.sequence == initial { return false }
            return true
        }
        // No SYN seen yet: a SYN after the connection already closed starts a new one.
        return isClosed
    }

    public mutating func receive<Sink: StreamSink>(
        _ header: SegmentHeader, payload: UnsafeRawBufferPointer, direction: Direction, frame: Int, time: Timestamp,
        sink: inout Sink
    ) -> SegmentOutcome {
        var outcome = SegmentOutcome()
        if segments == 0 { firstTime = time }
        segments += 1
        lastActivity = time
        let me = direction.rawValue
        let peer = direction.reversed.rawValue

        if header.isSYN {
            if header.isACK {
                if synAck == nil { synAck = ControlEvent(frame: frame, time: time, direction: direction) }
            } else {
                synCount += 1
                if syn == nil {
                    syn = ControlEvent(frame: frame, time: time, direction: direction)
                } else {
                    outcome.retransmittedSYN = true
                }
            }
            streams[me].noteSYN(sequence: header.sequence)
        } else if header.isACK, handshakeAck == nil, synAck != nil, let syn, syn.direction == direction {
            handshakeAck = ControlEvent(frame: frame, time: time, direction: direction)
        }

        // SYN consumes one sequence number; payload on a SYN (TFO) starts after it.
        let dataSequence = header.isSYN ? header.sequence &+ 1 : header.sequence
        if !payload.isEmpty {
            outcome.retransmittedBytes = streams[me].receive(
                sequence: dataSequence, payload: payload, direction: direction, frame: frame, time: time,
                limits: limits, sink: &sink)
        }
        if header.isACK {
            streams[peer].peerAcknowledged(
                header.acknowledgment, finSequence: finSequence[peer], direction: direction.reversed, frame: frame,
                time: time, sink: &sink)
        }
        if header.isFIN {
            if fin[me] == nil {
                fin[me] = ControlEvent(frame: frame, time: time, direction: direction)
                finSequence[me] = dataSequence &+ UInt32(truncatingIfNeeded: payload.count)
            } else if payload.isEmpty {
                outcome.retransmittedBytes = 0
            }
        }
        if header.isRST, rst == nil {
            rst = ControlEvent(frame: frame, time: time, direction: direction)
        }
        return outcome
    }

    /// Out-of-order bytes buffered in both directions, waiting for a hole to be filled.
    public var pendingBytes: Int { streams[0].pendingBytes + streams[1].pendingBytes }

    /// Times a direction's buffer cap turned a hole into a gap.
    public var pendingLimitHits: Int { streams[0].pendingLimitHits + streams[1].pendingLimitHits }

    /// Declares every hole with data buffered behind it a capture gap and delivers that data, in
    /// both directions, without ending the connection.
    public mutating func releasePending<Sink: StreamSink>(frame: Int, time: Timestamp, sink: inout Sink) {
        streams[0].releasePending(direction: .initiator, frame: frame, time: time, sink: &sink)
        streams[1].releasePending(direction: .responder, frame: frame, time: time, sink: &sink)
    }

    /// Delivers what is still buffered in both directions (holes become gaps).
    public mutating func flush<Sink: StreamSink>(frame: Int, time: Timestamp, sink: inout Sink) {
        streams[0].flush(direction: .initiator, frame: frame, time: time, sink: &sink)
        streams[1].flush(direction: .responder, frame: frame, time: time, sink: &sink)
    }
}
