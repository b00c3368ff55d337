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
}
