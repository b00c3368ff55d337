import Foundation
import Testing
import WireBasics

@testable import CaptureIO

/// A frame copied out of the callback.
struct SeenFrame: Equatable {
    var number: Int
    var timestamp: Timestamp
    var linkType: Int32
    var interfaceID: Int
    var capturedLength: Int
    var originalLength: Int
    var bytes: [UInt8]
}

func readAll(_ path: String) throws -> (frames: [SeenFrame], outcome: ReadOutcome, reader: CaptureReader) {
    let reader = try CaptureReader(path: path)
    var frames: [SeenFrame] = []
    let outcome = reader.forEachFrame { frame in
        frames.append(
            SeenFrame(
                number: frame.number, timestamp: frame.timestamp, linkType: frame.linkType,
                interfaceID: frame.interfaceID, capturedLength: frame.capturedLength,
                originalLength: frame.originalLength, bytes: Array(frame.data)))
    }
    return (frames, outcome, reader)
}

func readBytes(_ bytes: [UInt8]) throws -> (frames: [SeenFrame], outcome: ReadOutcome, reader: CaptureReader) {
    let file = try TemporaryFile(bytes)
    defer { file.cleanup() }
    return try readAll(file.path)
}

func openError(_ bytes: [UInt8]) -> String? {
    guard let file = try? TemporaryFile(bytes) else { return "could not create temp file" }
    defer { file.cleanup() }
    do {
        _ = try CaptureReader(path: file.path)
        return nil
    } catch {
        return "\(error)"
    }
}

@Suite struct PcapReaderTests {
    @Test(arguments: [false, true], [false, true])
    func readsBothByteOrdersAndResolutions(big: Bool, nanoseconds: Bool) throws {
        let payload: [UInt8] = Array(0..<60)
        var file = Pcap.header(big: big, nanoseconds: nanoseconds)
        file += Pcap.record(big: big, seconds: 1_700_000_000, fraction: 123_456, data: payload, originalLength: 1514)
        file += Pcap.record(big: big, seconds: 1_700_000_001, fraction: 999_999, data: [1, 2, 3])
        let (frames, outcome, reader) = try readBytes(file)
        #expect(outcome == .complete)
        #expect(reader.format == .pcap)
        #expect(reader.nanosecondPrecision == nanoseconds)
        #expect(reader.linkTypes == [1])
        #expect(frames.count == 2)
        let scale: UInt32 = nanoseconds ? 1 : 1000
        #expect(frames[0].timestamp == Timestamp(seconds: 1_700_000_000, nanoseconds: 123_456 * scale))
        #expect(frames[1].timestamp == Timestamp(seconds: 1_700_000_001, nanoseconds: 999_999 * scale))
        #expect(frames[0].bytes == payload)
        #expect(frames[0].originalLength == 1514)
        #expect(frames[0].capturedLength == 60)
        #expect(frames.map(\.number) == [1, 2])
        #expect(reader.bytesRead == file.count)
    }

    /// The mapped file is handed back to the kernel behind the reader, but never the frame being
    /// handed out: releasing its pages made the next access fault them back in, and they stayed
    /// resident for good (a quarter of a 1 GB file in huge folios).
    @Test func releasesTheMappedFileBehindTheFrameInUse() throws {
        var file = Pcap.header(big: false)
        var starts: [Int] = []
        for index in 0..<2_500 {
            starts.append(file.count + 16)
            file += Pcap.record(
                big: false, seconds: 1, fraction: 0,
                data: [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: 10_000 + index % 7))
        }
        let temporary = try TemporaryFile(file)
        defer { temporary.cleanup() }
        let reader = try CaptureReader(path: temporary.path)
        var behind = 0
        var intact = 0
        let outcome = reader.forEachFrame { frame in
            if reader.releasedBytes > starts[frame.number - 1] { behind += 1 }
            if frame.data.allSatisfy({ $0 == UInt8(truncatingIfNeeded: frame.number - 1) }) { intact += 1 }
        }
        #expect(outcome == .complete)
        #expect(behind == 0)
        #expect(intact == 2_500)
        #expect(reader.releasedBytes >= 16 << 20)
    }

    @Test func masksFCSBitsOfTheLinkType() throws {
        // 0x1000_0000 | 1: Ethernet with "FCS length present" bits set.
        let file =
            Pcap.header(big: false, linkType: 0x1400_0001) + Pcap.record(big: false, seconds: 1, fraction: 0, data: [0])
        let (frames, _, reader) = try readBytes(file)
        #expect(reader.linkTypes == [1])
        #expect(frames.first?.linkType == 1)
    }

    @Test func truncatedRecordHeaderNamesTheFrame() throws {
        var file = Pcap.header(big: false)
        file += Pcap.record(big: false, seconds: 1, fraction: 0, data: [1, 2, 3, 4])
        file += Array(Pcap.record(big: false, seconds: 2, fraction: 0, data: [5]).prefix(10))
        let (frames, outcome, _) = try readBytes(file)
        #expect(frames.count == 1)
        guard case .truncated(let after, let message) = outcome else {
            Issue.record("expected truncation, got \(outcome)")
            return
        }
        #expect(after == 1)
        #expect(message.contains("after frame 1"))
        #expect(message.contains("frame 2"))
    }

    @Test func truncatedRecordDataNamesTheFrame() throws {
        var file = Pcap.header(big: true)
        file += Pcap.record(big: true, seconds: 1, fraction: 0, data: [1, 2])
        file += Pcap.record(big: true, seconds: 1, fraction: 0, data: [3, 4])
        file += Array(Pcap.record(big: true, seconds: 2, fraction: 0, data: Array(repeating: 7, count: 100)).prefix(50))
        let (frames, outcome, _) = try readBytes(file)
        #expect(frames.count == 2)
        #expect(outcome.truncatedAfter == 2)
        #expect(outcome.message?.contains("inside frame 3") == true)
    }

    @Test func absurdCapturedLengthStopsReading() throws {
        var file = Pcap.header(big: false)
        file += Pcap.record(big: false, seconds: 1, fraction: 0, data: [1])
        var bad = ByteWriter(bigEndian: false)
        bad.u32(2)
        bad.u32(0)
        bad.u32(4_325_376)
        bad.u32(4_325_376)
        file += bad.bytes + Array(repeating: 0, count: 64)
        let (frames, outcome, _) = try readBytes(file)
        #expect(frames.count == 1)
        #expect(outcome.truncatedAfter == 1)
        #expect(outcome.message?.contains("4325376") == true)
    }

    @Test func readsKuznetsovPatchedRecords() throws {
        var w = ByteWriter(bigEndian: false)
        w.u32(0xa1b2_cd34)
        w.u16(2)
        w.u16(4)
        w.u32(0)
        w.u32(0)
        w.u32(65535)
        w.u32(1)
        w.u32(10)
        w.u32(20)
        w.u32(3)
        w.u32(3)
        w.raw([0, 0, 0, 0, 0, 0, 0, 0])  // ifindex, protocol, pkt_type, pad
        w.raw([9, 8, 7])
        let (frames, outcome, _) = try readBytes(w.bytes)
        #expect(outcome == .complete)
        #expect(frames.map(\.bytes) == [[9, 8, 7]])
        #expect(frames.first?.timestamp == Timestamp(seconds: 10, nanoseconds: 20_000))
    }

    @Test func headerOnlyFileHasNoFrames() throws {
        let (frames, outcome, _) = try readBytes(Pcap.header(big: false))
        #expect(frames.isEmpty)
        #expect(outcome == .complete)
    }

    @Test func shortPcapHeaderIsAnError() {
        let message = openError(Array(Pcap.header(big: false).prefix(10)))
        #expect(message?.contains("too short to be a pcap file") == true)
    }

    @Test func emptyFileIsAnError() {
        #expect(openError([])?.contains("is empty") == true)
    }

    @Test func textFileIsNotACapture() {
        let message = openError(Array("<!DOCTYPE html><html>".utf8))
        #expect(message?.contains("not a capture file (starts with 3c 21 44 4f 43 54 59 50") == true)
        #expect(message?.contains("<!DOCTYPE") == true)
    }

    @Test func gzipFileSaysSo() {
        #expect(openError([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0])?.contains("gzip-compressed") == true)
    }

    @Test func missingFileAndDirectory() throws {
        #expect(throws: CaptureReadError.self) { try CaptureReader(path: "/nonexistent/x.pcap") }
        do {
            _ = try CaptureReader(path: "/nonexistent/x.pcap")
        } catch {
            #expect("\(error)" == "/nonexistent/x.pcap: no such file")
        }
        do {
            _ = try CaptureReader(path: NSTemporaryDirectory())
            Issue.record("a directory opened as a capture")
        } catch {
            #expect("\(error)".contains("is a directory"))
        }
    }

    @Test func secondPassDeliversNothing() throws {
        let file = try TemporaryFile(
            Pcap.header(big: false) + Pcap.record(big: false, seconds: 1, fraction: 0, data: [1]))
        defer { file.cleanup() }
        let reader = try CaptureReader(path: file.path)
        var count = 0
        #expect(reader.forEachFrame { _ in count += 1 } == .complete)
        #expect(reader.forEachFrame { _ in count += 1 } == .complete)
        #expect(count == 1)
    }

    struct Stop: Error {}

    @Test(arguments: [CaptureFormat.pcap, .pcapng])
    func throwingBodyStopsAndResumes(format: CaptureFormat) throws {
        var file: [UInt8]
        if format == .pcap {
            file = Pcap.header(big: false)
            for i in 0..<3 { file += Pcap.record(big: false, seconds: UInt32(i), fraction: 0, data: [UInt8(i)]) }
        } else {
            file = Pcapng.sectionHeader(big: false) + Pcapng.interface(linkType: 1, big: false)
            for i in 0..<3 {
                file += Pcapng.enhancedPacket(interface: 0, timestamp: UInt64(i), data: [UInt8(i)], big: false)
            }
        }
        let temp = try TemporaryFile(file)
        defer { temp.cleanup() }
        let reader = try CaptureReader(path: temp.path)
        var seen: [Int] = []
        #expect(throws: Stop.self) {
            try reader.forEachFrame { frame in
                seen.append(frame.number)
                if frame.number == 2 { throw Stop() }
            }
        }
        #expect(reader.forEachFrame { seen.append($0.number) } == .complete)
        #expect(seen == [1, 2, 3])
    }

    #if os(Linux)
        /// Pipes (standard input) take the buffered path, including blocks larger than the buffer.
        @Test func readsFromAPipe() throws {
            var file = Pcapng.sectionHeader(big: false) + Pcapng.interface(linkType: 1, big: false)
            let secret = (0..<1_500_000).map { UInt8(truncatingIfNeeded: $0) }
            file += Pcapng.decryptionSecrets(type: 0x544c_534b, data: secret, big: false)
            for i in 0..<2000 {
                file += Pcapng.enhancedPacket(
                    interface: 0, timestamp: UInt64(i),
                    data: Array(repeating: UInt8(truncatingIfNeeded: i), count: i % 300),
                    big: false)
            }
            let pipe = Pipe()
            let path = "/proc/self/fd/\(pipe.fileHandleForReading.fileDescriptor)"
            let contents = Data(file)
            let writer = Thread {
                pipe.fileHandleForWriting.write(contents)
                try? pipe.fileHandleForWriting.close()
            }
            writer.start()
            let (frames, outcome, reader) = try readAll(path)
            #expect(outcome == .complete)
            #expect(frames.count == 2000)
            #expect(frames.last?.bytes.count == 1999 % 300)
            #expect(frames[1234].bytes.allSatisfy { $0 == UInt8(truncatingIfNeeded: 1234) })
            #expect(reader.decryptionSecrets.first?.data == secret)
            #expect(reader.bytesRead == file.count)
        }
    #endif
}

extension ReadOutcome {
    var truncatedAfter: Int? {
        if case .truncated(let after, _) = self { return after }
        return nil
    }
    var message: String? {
        if case .truncated(_, let message) = self { return message }
        return nil
    }
}
