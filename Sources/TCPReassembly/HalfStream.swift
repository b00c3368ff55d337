import WireBasics

/// The two directions of a connection, named by who sent the first packet the capture holds.
/// Mapping them to TLS client/server is the consumer's business (the SYN, the ClientHello, ports).
public enum Direction: Int, Sendable, Hashable {
    case initiator = 0
    case responder = 1
    public var reversed: Direction { self == .initiator ? .responder : .initiator }
}

/// Receives a direction's bytes in sequence order. Delivered buffers are only valid during the call.
public protocol StreamSink {
    /// Bytes in order. `frame` is the frame that made them deliverable (the one that filled the hole
    /// when segments arrived out of order), as Wireshark attributes reassembled PDUs.
    mutating func streamData(_ bytes: UnsafeRawBufferPointer, direction: Direction, frame: Int, time: Timestamp)
    /// `bytes` of this direction's stream are missing from the capture before the next delivery.
    mutating func streamGap(_ bytes: Int, direction: Direction, frame: Int, time: Timestamp)
}

/// Signed distance from `b` to `a` in 32-bit sequence space (RFC 1982 serial arithmetic).
@inline(__always)
func sequenceDistance(_ a: UInt32, _ b: UInt32) -> Int64 {
    Int64(Int32(bitPattern: a &- b))
}

/// Limits that keep one connection's memory bounded whatever the capture contains.
public struct ReassemblyLimits: Sendable {
    /// Out-of-order bytes buffered per direction before the hole is declared a capture gap.
    public var maxPendingBytesPerDirection: Int
    /// Out-of-order segments further ahead than this are treated as unrelated and dropped.
    public var maxSequenceLookahead: Int64
    public init(maxPendingBytesPerDirection: Int = 512 * 1024, maxSequenceLookahead: Int64 = 64 * 1024 * 1024) {
        self.maxPendingBytesPerDirection = maxPendingBytesPerDirection
        self.maxSequenceLookahead = maxSequenceLookahead
    }
}

/// One direction of a TCP connection: turns segments into an ordered byte stream.
///
/// In-order payload is passed straight from the capture's buffer to the sink without copying;
/// only segments that arrive ahead of a hole are copied, and those are bounded.
public struct HalfStream: Sendable {
    struct Pending: Sendable {
        var sequence: UInt32
        var bytes: [UInt8]
    }

    /// Next sequence number expected; meaningful once `started`.
    public private(set) var nextSequence: UInt32 = 0
    public private(set) var started = false
    /// The SYN of this direction was seen (so the stream's first byte is known).
    public private(set) var sawSYN = false
    public private(set) var initialSequence: UInt32 = 0
    public private(set) var retransmittedSegments = 0
    public private(set) var retransmittedBytes = 0
    public private(set) var gaps = 0
    public private(set) var gapBytes = 0
    public private(set) var deliveredBytes = 0
    /// Bytes dropped because they were too far ahead to be plausible.
    public private(set) var discardedBytes = 0
    public private(set) var pendingLimitHits = 0
    var pending: [Pending] = []
    /// Highest sequence the peer acknowledged beyond what we saw, while nothing was buffered.
    var ackedBeyond: UInt32?
    public private(set) var pendingBytes = 0

    public init() {}

    /// Sequence space starts after the SYN's own sequence number.
    public mutating func noteSYN(sequence: UInt32) {
        if !started {
            initialSequence = sequence
            nextSequence = sequence &+ 1
            started = true
            sawSYN = true
        }
    }

    /// Adds a segment's payload. Returns the number of bytes that repeated data already seen.
    @discardableResult
    public mutating func receive<Sink: StreamSink>(
        sequence: UInt32, payload: UnsafeRawBufferPointer, direction: Direction, frame: Int, time: Timestamp,
        limits: ReassemblyLimits, sink: inout Sink
    ) -> Int {
        let length = payload.count
        guard length > 0 else { return 0 }
        if !started {
            // Capture began mid-stream: the first byte we see is where the stream starts for us.
            nextSequence = sequence
            initialSequence = sequence &- 1
            started = true
        }
        let offset = sequenceDistance(sequence, nextSequence)
        if offset + Int64(length) <= 0 {
            retransmittedSegments += 1
            retransmittedBytes += length
            return length
        }
        if offset <= 0 {
            let skip = Int(-offset)
            let fresh = UnsafeRawBufferPointer(rebasing: payload[skip...])
            deliver(fresh, direction: direction, frame: frame, time: time, sink: &sink)
            if skip > 0 {
                retransmittedSegments += 1
                retransmittedBytes += skip
            }
            drain(direction: direction, frame: frame, time: time, sink: &sink)
            return skip
        }
        if offset > limits.maxSequenceLookahead {
            discardedBytes += length
            return 0
        }
        let duplicate = insertPending(sequence: sequence, payload: payload)
        if pendingBytes > limits.maxPendingBytesPerDirection {
            pendingLimitHits += 1
            skipToFirstPending(direction: direction, frame: frame, time: time, sink: &sink)
        }
        return duplicate
    }

    /// The peer acknowledged `acknowledgment`: bytes below it were received by the peer, so any
    /// hole below it will never be filled by a retransmission — the capture missed them.
    public mutating func peerAcknowledged<Sink: StreamSink>(
        _ acknowledgment: UInt32, finSequence: UInt32?, direction: Direction, frame: Int, time: Timestamp,
        sink: inout Sink
    ) {
        guard started else { return }
        var acked = acknowledgment
        // An ACK of our FIN covers one sequence number that carries no byte.
        if let fin = finSequence, sequenceDistance(acked, fin) > 0 { acked = fin }
        let ahead = sequenceDistance(acked, nextSequence)
        guard ahead > 0, ahead < 1 << 30 else { return }
        if let first = pending.first, sequenceDistance(first.sequence, acked) < 0 {
            skipToFirstPending(direction: direction, frame: frame, time: time, sink: &sink)
            // The drain may not reach the ACK (several holes): repeat until it does.
            while let next = pending.first, sequenceDistance(next.sequence, acked) < 0 {
                skipToFirstPending(direction: direction, frame: frame, time: time, sink: &sink)
            }
            let rest = sequenceDistance(acked, nextSequence)
            if rest > 0 { declareGap(Int(rest), direction: direction, frame: frame, time: time, sink: &sink) }
        } else if pending.isEmpty {
            // Captures taken on several interfaces can show an ACK before the data it covers, so
            // the hole is only remembered here and declared if no such data ever shows up.
            if let known = ackedBeyond, sequenceDistance(known, acked) >= 0 { return }
            ackedBeyond = acked
        }
    }

    /// Delivers whatever is still buffered, declaring the holes before it as gaps (end of capture,
    /// connection closed, or idle timeout).
    /// Gives up waiting for the holes before the buffered segments: they become capture gaps and
    /// the buffered bytes are delivered (and freed). The stream goes on from there.
    public mutating func releasePending<Sink: StreamSink>(
        direction: Direction, frame: Int, time: Timestamp, sink: inout Sink
    ) {
        while !pending.isEmpty {
            skipToFirstPending(direction: direction, frame: frame, time: time, sink: &sink)
        }
    }

    public mutating func flush<Sink: StreamSink>(direction: Direction, frame: Int, time: Timestamp, sink: inout Sink) {
        while !pending.isEmpty {
            skipToFirstPending(direction: direction, frame: frame, time: time, sink: &sink)
        }
        if let acked = ackedBeyond {
            let missing = sequenceDistance(acked, nextSequence)
            if missing > 0 { declareGap(Int(missing), direction: direction, frame: frame, time: time, sink: &sink) }
            ackedBeyond = nil
        }
    }

    // MARK: - Internals

    private mutating func deliver<Sink: StreamSink>(
        _ bytes: UnsafeRawBufferPointer, direction: Direction, frame: Int, time: Timestamp, sink: inout Sink
    ) {
        guard !bytes.isEmpty else { return }
        nextSequence = nextSequence &+ UInt32(truncatingIfNeeded: bytes.count)
        deliveredBytes += bytes.count
        sink.streamData(bytes, direction: direction, frame: frame, time: time)
    }

    private mutating func declareGap<Sink: StreamSink>(
        _ bytes: Int, direction: Direction, frame: Int, time: Timestamp, sink: inout Sink
    ) {
        gaps += 1
        gapBytes += bytes
        nextSequence = nextSequence &+ UInt32(truncatingIfNeeded: bytes)
        sink.streamGap(bytes, direction: direction, frame: frame, time: time)
    }

    private mutating func skipToFirstPending<Sink: StreamSink>(
        direction: Direction, frame: Int, time: Timestamp, sink: inout Sink
    ) {
        guard let first = pending.first else { return }
        let hole = sequenceDistance(first.sequence, nextSequence)
        if hole > 0 { declareGap(Int(hole), direction: direction, frame: frame, time: time, sink: &sink) }
        drain(direction: direction, frame: frame, time: time, sink: &sink)
    }

    private mutating func drain<Sink: StreamSink>(
        direction: Direction, frame: Int, time: Timestamp, sink: inout Sink
    ) {
        while let first = pending.first, sequenceDistance(first.sequence, nextSequence) <= 0 {
            pending.removeFirst()
            pendingBytes -= first.bytes.count
            let skip = Int(-sequenceDistance(first.sequence, nextSequence))
            guard skip < first.bytes.count else { continue }
            first.bytes.withUnsafeBytes { raw in
                deliver(
                    UnsafeRawBufferPointer(rebasing: raw[skip...]), direction: direction, frame: frame, time: time,
                    sink: &sink)
            }
        }
    }

    /// Keeps `pending` sorted by sequence and free of bytes already buffered; returns duplicate bytes.
    private mutating func insertPending(sequence: UInt32, payload: UnsafeRawBufferPointer) -> Int {
        var start = sequence
        var bytes = payload[...]
        var duplicate = 0
        var index = pending.startIndex
        while index < pending.endIndex, !bytes.isEmpty {
            let existing = pending[index]
            let existingEnd = existing.sequence &+ UInt32(truncatingIfNeeded: existing.bytes.count)
            if sequenceDistance(existingEnd, start) <= 0 {
                index += 1
                continue
            }
            let gapBefore = sequenceDistance(existing.sequence, start)
            if gapBefore > 0 {
                // Part (or all) of the new bytes fits before this segment.
                let take = Int(min(gapBefore, Int64(bytes.count)))
                let piece = Array(bytes.prefix(take))
                pending.insert(Pending(sequence: start, bytes: piece), at: index)
                pendingBytes += take
                index += 1
                bytes = bytes.dropFirst(take)
                start = start &+ UInt32(truncatingIfNeeded: take)
                continue
            }
            // Overlaps an existing segment: skip the overlapping part.
            let overlap = Int(min(sequenceDistance(existingEnd, start), Int64(bytes.count)))
            duplicate += overlap
            bytes = bytes.dropFirst(overlap)
            start = start &+ UInt32(truncatingIfNeeded: overlap)
            index += 1
        }
        if !bytes.isEmpty {
            pending.append(Pending(sequence: start, bytes: Array(bytes)))
            pendingBytes += bytes.count
        }
        if duplicate > 0 {
            retransmittedSegments += 1
            retransmittedBytes += duplicate
        }
        return duplicate
    }
}
