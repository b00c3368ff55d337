import TLSFlowModel
import TLSWire
import Testing

@testable import TLSAnalysis

/// The analyser's fast paths must give exactly what the plain versions give.
@Suite struct FastPathTests {
    /// The byte-by-byte scan `findRecordBoundary` replaced with a memchr jump.
    static func referenceBoundary(_ input: [UInt8]) -> Int? {
        func plausible(_ offset: Int) -> Bool {
            (0x14...0x17).contains(input[offset]) && input[offset + 1] == 0x03 && input[offset + 2] <= 0x04
                && (Int(input[offset + 3]) << 8 | Int(input[offset + 4])) <= 16_384 + 2048
        }
        var offset = 0
        while offset + 5 <= input.count {
            if plausible(offset) {
                let next = offset + 5 + (Int(input[offset + 3]) << 8 | Int(input[offset + 4]))
                if next == input.count || (next + 5 <= input.count && plausible(next)) { return offset }
            }
            offset += 1
        }
        return nil
    }

    @Test func recordBoundaryScanMatchesByteByByteScan() {
        var generator = SystemRandomNumberGenerator()
        // Bytes drawn mostly from the header alphabet, so candidates and near misses are common.
        let alphabet: [UInt8] = [0x14, 0x16, 0x17, 0x18, 0x03, 0x03, 0x04, 0x05, 0x00, 0x01, 0x02, 0xff]
        for round in 0..<4000 {
            let count = round % 40
            var input = (0..<count).map { _ in alphabet.randomElement(using: &generator)! }
            if round % 3 == 0, count >= 5 {
                // Plant a real record that ends exactly at the end.
                let start = Int.random(in: 0...(count - 5), using: &generator)
                let length = count - start - 5
                input.replaceSubrange(
                    start..<(start + 5), with: [0x17, 0x03, 0x03, UInt8(length >> 8), UInt8(length & 0xff)])
            }
            let fast = input.withUnsafeBytes { TLSConnectionAnalyzer.findRecordBoundary($0) }
            #expect(fast == Self.referenceBoundary(input), "input \(input)")
        }
    }

    @Test func recordFramerCutsTheSameRecordsWholeOrBytewise() {
        let stream: [UInt8] =
            [22, 3, 1, 0, 3, 1, 2, 3] + [23, 3, 3, 0, 2, 9, 9] + [21, 3, 3, 0, 2, 2, 40] + [20, 3, 3, 0, 0]
            + [0x47, 0x45, 0x54, 0x20, 0x2f]
        func frames(pieceSize: Int) -> [String] {
            var framer = RecordFramer()
            var out: [String] = []
            var position = 0
            var stopped = false
            // Like the analyser, stop at the first header that is not TLS (how many of its bytes
            // were buffered depends on the piece size; the problem named does not).
            while position < stream.count, !stopped {
                let end = min(stream.count, position + pieceSize)
                stream[position..<end].withUnsafeBytes { bytes in
                    var input = bytes
                    while !input.isEmpty, !stopped {
                        switch framer.next(&input, wantsBody: { type, _ in type != 23 }) {
                        case .record(let r): out.append("\(r.contentType) \(r.version) \(r.length) \(r.body)")
                        case .invalidHeader(let bytes, let problem):
                            out.append("invalid \(bytes[0]) \(problem)")
                            stopped = true
                        case .needMoreData: break
                        }
                    }
                }
                position = end
            }
            return out
        }
        let whole = frames(pieceSize: stream.count)
        #expect(whole.count == 5)
        #expect(whole.last?.hasPrefix("invalid 71 ") == true)
        for size in 1..<stream.count { #expect(frames(pieceSize: size) == whole, "piece size \(size)") }
    }

    /// Bodies are handed over rather than shared with the framer: a body kept by the caller
    /// (the handshake reassembler keeps slices) must not change while later records are framed.
    @Test func keptRecordBodiesSurviveLaterRecords() {
        let bodies: [[UInt8]] = [[1, 2, 3], [4, 5, 6, 7, 8], [], [9], [10, 11]]
        var stream: [UInt8] = []
        for body in bodies { stream += [22, 3, 3, 0, UInt8(body.count)] + body }
        for pieceSize in 1...stream.count {
            var framer = RecordFramer()
            var kept: [ArraySlice<UInt8>] = []
            var position = 0
            while position < stream.count {
                let end = min(stream.count, position + pieceSize)
                stream[position..<end].withUnsafeBytes { bytes in
                    var input = bytes
                    while !input.isEmpty {
                        guard case .record(let r) = framer.next(&input, wantsBody: { _, _ in true }) else { break }
                        kept.append(r.body[...])
                    }
                }
                position = end
            }
            #expect(kept.map(Array.init) == bodies, "piece size \(pieceSize)")
        }
    }

    /// `Connection.noteSegment` writes in one access what the analyser wrote field by field.
    @Test func segmentNoteMatchesSeparateWrites() {
        let endpoint = Endpoint(ip: "192.0.2.1", port: 443)
        let start = Timestamp(seconds: 10, nanoseconds: 0)
        var combined = Connection(id: 1, client: endpoint, server: endpoint, firstFrame: 1, start: start)
        var separate = combined
        let shared = combined
        for frame in 2..<600 {
            let time = Timestamp(seconds: 10 + Int64(frame), nanoseconds: UInt32(frame))
            let event: TimelineEvent? =
                frame % 3 == 0
                ? nil
                : TimelineEvent(frame: frame, time: time, from: .client, kind: .segment(flags: [], payload: frame))
            combined.noteSegment(frame: frame, time: time, event: event)
            separate.lastFrame = frame
            separate.end = time
            if let event { separate.timeline.append(event) }
            #expect(combined.lastFrame == separate.lastFrame)
            #expect(combined.end == separate.end)
        }
        #expect(combined.timeline.events == separate.timeline.events)
        #expect(combined.timeline.elided == separate.timeline.elided)
        // Copy-on-write: the copy taken before the writes is untouched.
        #expect(shared.lastFrame == 1)
        #expect(shared.timeline.isEmpty)
    }

    /// The fields live in the header of `Connection`'s single-allocation box: a copy shares
    /// it until written, the write copies every field, and a box outlives neither owner.
    @Test func connectionCopiesAreIndependent() {
        let start = Timestamp(seconds: 1, nanoseconds: 0)
        var original = Connection(
            id: 7, client: Endpoint(ip: "2001:db8::1:2:3:4", port: 50_000),
            server: Endpoint(ip: "2001:db8::5:6:7:8", port: 443), firstFrame: 3, start: start)
        original.notes.append(Note(frame: 3, message: "a note long enough to live on the heap"))
        var copy = original
        copy.notes.append(Note(frame: 4, message: "second"))
        copy.id = 8
        #expect(original.id == 7 && copy.id == 8)
        #expect(original.notes.count == 1 && copy.notes.count == 2)
        original = Connection(id: 9, client: copy.client, server: copy.server, firstFrame: 1, start: start)
        #expect(copy.notes.first?.message == "a note long enough to live on the heap")
        #expect(copy.client.ip == "2001:db8::1:2:3:4" && original.id == 9)
    }
}
