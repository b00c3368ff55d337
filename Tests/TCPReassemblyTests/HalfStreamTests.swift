import Testing
import WireBasics

@testable import TCPReassembly

/// Records what reassembly delivered, for assertions.
struct RecordingSink: StreamSink {
    enum Item: Equatable {
        case data([UInt8], Direction, frame: Int)
        case gap(Int, Direction, frame: Int)
    }
    var items: [Item] = []

    mutating func streamData(_ bytes: UnsafeRawBufferPointer, direction: Direction, frame: Int, time: Timestamp) {
        items.append(.data(Array(bytes), direction, frame: frame))
    }
    mutating func streamGap(_ bytes: Int, direction: Direction, frame: Int, time: Timestamp) {
        items.append(.gap(bytes, direction, frame: frame))
    }

    func bytes(_ direction: Direction) -> [UInt8] {
        items.flatMap { item -> [UInt8] in
            if case .data(let b, let d, _) = item, d == direction { return b }
            return []
        }
    }
}

struct Harness {
    var connection = TCPConnection(limits: ReassemblyLimits(maxPendingBytesPerDirection: 64))
    var sink = RecordingSink()
    var frame = 0

    @discardableResult
    mutating func send(
        _ direction: Direction, seq: UInt32, ack: UInt32 = 0, flags: UInt8 = 0x10, _ payload: [UInt8] = []
    ) -> SegmentOutcome {
        frame += 1
        let header = SegmentHeader(sequence: seq, acknowledgment: ack, flags: flags)
        let f = frame
        return payload.withUnsafeBytes { raw in
            connection.receive(
                header, payload: raw, direction: direction, frame: f,
                time: Timestamp(seconds: Int64(f), nanoseconds: 0),
                sink: &sink)
        }
    }

    mutating func flush() {
        frame += 1
        connection.flush(frame: frame, time: .zero, sink: &sink)
    }
}

@Suite struct HalfStreamTests {
    @Test func deliversInOrderAfterHandshake() {
        var h = Harness()
        h.send(.initiator, seq: 100, flags: 0x02)
        h.send(.responder, seq: 500, ack: 101, flags: 0x12)
        h.send(.initiator, seq: 101, ack: 501)
        h.send(.initiator, seq: 101, ack: 501, flags: 0x18, [1, 2, 3])
        h.send(.responder, seq: 501, ack: 104, flags: 0x18, [9, 8])
        #expect(h.sink.bytes(.initiator) == [1, 2, 3])
        #expect(h.sink.bytes(.responder) == [9, 8])
        #expect(h.connection.syn?.frame == 1)
        #expect(h.connection.synAck?.frame == 2)
        #expect(h.connection.handshakeAck?.frame == 3)
        #expect(h.connection.retransmissions == 0)
    }

    @Test func reordersAndAttributesToTheFrameThatFillsTheHole() {
        var h = Harness()
        h.send(.initiator, seq: 0, flags: 0x02)
        h.send(.initiator, seq: 4, [4, 5, 6])  // frame 2 arrives early
        h.send(.initiator, seq: 1, [1, 2, 3])  // frame 3 fills the hole
        #expect(h.sink.items == [.data([1, 2, 3], .initiator, frame: 3), .data([4, 5, 6], .initiator, frame: 3)])
    }

    @Test func countsRetransmissionsAndTrimsOverlaps() {
        var h = Harness()
        h.send(.initiator, seq: 0, flags: 0x02)
        h.send(.initiator, seq: 1, [1, 2, 3])
        let full = h.send(.initiator, seq: 1, [1, 2, 3])
        #expect(full.retransmittedBytes == 3)
        let partial = h.send(.initiator, seq: 2, [2, 3, 4, 5])
        #expect(partial.retransmittedBytes == 2)
        #expect(h.sink.bytes(.initiator) == [1, 2, 3, 4, 5])
        #expect(h.connection.retransmissions == 2)
    }

    @Test func overlappingOutOfOrderSegmentsAreNotDuplicated() {
        var h = Harness()
        h.send(.initiator, seq: 0, flags: 0x02)
        h.send(.initiator, seq: 5, [5, 6, 7])
        h.send(.initiator, seq: 3, [3, 4, 5, 6, 7, 8])
        h.send(.initiator, seq: 1, [1, 2])
        #expect(h.sink.bytes(.initiator) == [1, 2, 3, 4, 5, 6, 7, 8])
    }

    @Test func wrapsAroundSequenceSpace() {
        var h = Harness()
        h.send(.initiator, seq: UInt32.max - 1, flags: 0x02)
        h.send(.initiator, seq: UInt32.max, [1, 2, 3])
        h.send(.initiator, seq: 2, [4])
        #expect(h.sink.bytes(.initiator) == [1, 2, 3, 4])
    }

    @Test func peerAckOverAHoleDeclaresACaptureGap() {
        var h = Harness()
        h.send(.initiator, seq: 0, flags: 0x02)
        h.send(.initiator, seq: 1, [1, 2])
        h.send(.initiator, seq: 6, [6, 7])  // bytes 3...5 never captured
        h.send(.responder, seq: 0, ack: 8)  // but the server received them
        #expect(
            h.sink.items == [
                .data([1, 2], .initiator, frame: 2), .gap(3, .initiator, frame: 4),
                .data([6, 7], .initiator, frame: 4),
            ])
        #expect(h.connection.gaps == 1)
        #expect(h.connection.gapBytes == 3)
    }

    @Test func ackOfUnseenTrailingDataBecomesAGapOnlyAtFlush() {
        var h = Harness()
        h.send(.initiator, seq: 0, flags: 0x02)
        h.send(.responder, seq: 0, ack: 5)  // ACK captured before the data (multi-interface capture)
        h.send(.initiator, seq: 1, [1, 2, 3, 4])
        h.flush()
        #expect(h.sink.items == [.data([1, 2, 3, 4], .initiator, frame: 3)])

        var lost = Harness()
        lost.send(.initiator, seq: 0, flags: 0x02)
        lost.send(.responder, seq: 0, ack: 5)
        lost.flush()
        #expect(lost.sink.items == [.gap(4, .initiator, frame: 3)])
    }

    @Test func pendingLimitForcesAGapInsteadOfGrowing() {
        var h = Harness()
        h.send(.initiator, seq: 0, flags: 0x02)
        h.send(.initiator, seq: 11, [UInt8](repeating: 7, count: 40))
        h.send(.initiator, seq: 51, [UInt8](repeating: 8, count: 40))  // 80 > 64 buffered
        #expect(h.connection.streams[0].pendingLimitHits == 1)
        #expect(h.connection.streams[0].pendingBytes == 0)
        #expect(h.sink.items.first == .gap(10, .initiator, frame: 3))
        #expect(h.sink.bytes(.initiator).count == 80)
    }

    @Test func midStreamStartDeliversFromFirstSeenByte() {
        var h = Harness()
        h.send(.responder, seq: 7000, [1, 2])
        h.send(.responder, seq: 7002, [3])
        #expect(h.sink.bytes(.responder) == [1, 2, 3])
        #expect(h.connection.syn == nil)
        #expect(!h.connection.streams[1].sawSYN)
    }

    @Test func flushDeliversBufferedDataAfterHoles() {
        var h = Harness()
        h.send(.initiator, seq: 0, flags: 0x02)
        h.send(.initiator, seq: 3, [3])
        h.flush()
        #expect(h.sink.items == [.gap(2, .initiator, frame: 3), .data([3], .initiator, frame: 3)])
    }

    @Test func farFutureSegmentsAreDiscarded() {
        var h = Harness()
        h.connection.limits.maxSequenceLookahead = 1000
        h.send(.initiator, seq: 0, flags: 0x02)
        h.send(.initiator, seq: 5000, [1])
        #expect(h.connection.streams[0].discardedBytes == 1)
        #expect(h.connection.streams[0].pendingBytes == 0)
    }

    @Test func recognisesPortReuseAndSYNRetransmission() {
        var h = Harness()
        h.send(.initiator, seq: 100, flags: 0x02)
        let again = h.send(.initiator, seq: 100, flags: 0x02)
        #expect(again.retransmittedSYN)
        #expect(h.connection.synCount == 2)
        #expect(
            !h.connection.isNewConnection(
                SegmentHeader(sequence: 100, acknowledgment: 0, flags: 0x02), direction: .initiator))
        #expect(
            h.connection.isNewConnection(
                SegmentHeader(sequence: 9999, acknowledgment: 0, flags: 0x02), direction: .initiator))
        h.send(.responder, seq: 0, ack: 101, flags: 0x14)
        #expect(h.connection.rst?.direction == .responder)
        #expect(h.connection.isClosed)
    }

    @Test func recordsFinFromEachSide() {
        var h = Harness()
        h.send(.initiator, seq: 0, flags: 0x02)
        h.send(.initiator, seq: 1, flags: 0x11, [1])
        #expect(h.connection.fin[0]?.frame == 2)
        #expect(!h.connection.isClosed)
        h.send(.responder, seq: 50, ack: 3, flags: 0x11)
        #expect(h.connection.isClosed)
        // The ACK of the FIN (one sequence number, no byte) is not a gap.
        h.flush()
        #expect(h.connection.gaps == 0)
    }
}
