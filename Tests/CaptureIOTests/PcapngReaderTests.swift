import CaptureIO
import Foundation
import Testing
import WireBasics

@Suite struct PcapngReaderTests {
    @Test func twoInterfacesWithDifferentLinkTypes() throws {
        let big = false
        var file = Pcapng.sectionHeader(big: big)
        file += Pcapng.interface(linkType: 1, snap: 65535, big: big)
        file += Pcapng.interface(linkType: 101, snap: 262_144, big: big)
        file += Pcapng.enhancedPacket(interface: 0, timestamp: 1_000_000, data: [1, 1, 1], big: big)
        file += Pcapng.enhancedPacket(interface: 1, timestamp: 2_500_000, data: [2, 2], originalLength: 40, big: big)
        file += Pcapng.enhancedPacket(interface: 0, timestamp: 3_000_001, data: [3], big: big)
        let (frames, outcome, reader) = try readBytes(file)
        #expect(outcome == .complete)
        #expect(reader.format == .pcapng)
        #expect(reader.linkTypes == [1, 101])
        #expect(frames.map(\.linkType) == [1, 101, 1])
        #expect(frames.map(\.interfaceID) == [0, 1, 0])
        #expect(frames.map(\.number) == [1, 2, 3])
        #expect(frames[1].originalLength == 40)
        #expect(frames[1].timestamp == Timestamp(seconds: 2, nanoseconds: 500_000_000))
        #expect(frames[2].timestamp == Timestamp(seconds: 3, nanoseconds: 1000))
        #expect(reader.nanosecondPrecision == false)
    }

    /// The reason for the native reader: libpcap refuses these files, tshark reads them.
    @Test(arguments: ["link types", "snap lengths", "byte orders"])
    func readsWhatLibpcapRefuses(mixed: String) throws {
        let packet = [UInt8](repeating: 0, count: 60)
        var file = Pcapng.sectionHeader(big: false)
        var expected = 1
        switch mixed {
        case "link types":
            file += Pcapng.interface(linkType: 1, big: false) + Pcapng.interface(linkType: 101, big: false)
            file += Pcapng.enhancedPacket(interface: 1, timestamp: 1, data: packet, big: false)
        case "snap lengths":
            file += Pcapng.interface(linkType: 1, snap: 65535, big: false)
            file += Pcapng.interface(linkType: 1, snap: 262_144, big: false)
            file += Pcapng.enhancedPacket(interface: 1, timestamp: 1, data: packet, big: false)
        default:
            file += Pcapng.interface(linkType: 1, big: false)
            file += Pcapng.enhancedPacket(interface: 0, timestamp: 1, data: packet, big: false)
            file += Pcapng.sectionHeader(big: true) + Pcapng.interface(linkType: 1, big: true)
            file += Pcapng.enhancedPacket(interface: 0, timestamp: 1, data: packet, big: true)
            expected = 2
        }
        let temp = try TemporaryFile(file, name: "mixed.pcapng")
        defer { temp.cleanup() }
        var libpcapFrames = 0
        var refused = false
        do {
            let summary = try LibpcapReader(path: temp.path).forEachFrame { _ in libpcapFrames += 1 }
            refused = summary.error != nil
        } catch {
            refused = true
        }
        #expect(refused)
        let (frames, outcome, _) = try readAll(temp.path)
        #expect(frames.count == expected)
        #expect(libpcapFrames < expected)
        #expect(outcome == .complete)
    }

    @Test func honoursTimestampResolutionAndOffset() throws {
        let big = true
        var file = Pcapng.sectionHeader(big: big)
        file += Pcapng.interface(linkType: 1, options: [(9, [9])], big: big)  // nanoseconds
        var offset = ByteWriter(bigEndian: big)
        offset.u64(100)
        file += Pcapng.interface(linkType: 1, options: [(9, [0x80 | 20]), (14, offset.bytes)], big: big)  // 2^-20 s
        file += Pcapng.interface(linkType: 1, options: [(9, [3])], big: big)  // milliseconds
        file += Pcapng.enhancedPacket(interface: 0, timestamp: 1_700_000_000_123_456_789, data: [0], big: big)
        file += Pcapng.enhancedPacket(interface: 1, timestamp: (1_700_000_000 << 20) + (1 << 19), data: [0], big: big)
        file += Pcapng.enhancedPacket(interface: 1, timestamp: (5 << 20) + 1, data: [0], big: big)
        file += Pcapng.enhancedPacket(interface: 2, timestamp: 1_700_000_000_250, data: [0], big: big)
        let (frames, outcome, reader) = try readBytes(file)
        #expect(outcome == .complete)
        #expect(reader.nanosecondPrecision)
        #expect(
            frames.map(\.timestamp) == [
                Timestamp(seconds: 1_700_000_000, nanoseconds: 123_456_789),
                Timestamp(seconds: 1_700_000_100, nanoseconds: 500_000_000),
                Timestamp(seconds: 105, nanoseconds: 953),  // 1e9 / 2^20 = 953.67, truncated
                Timestamp(seconds: 1_700_000_000, nanoseconds: 250_000_000),
            ])
    }

    @Test func collectsDecryptionSecrets() throws {
        let keyLog = Array("CLIENT_RANDOM 00 11\n".utf8)
        var file = Pcapng.sectionHeader(big: false) + Pcapng.interface(linkType: 1, big: false)
        file += Pcapng.decryptionSecrets(type: 0x544c_534b, data: keyLog, big: false)
        file += Pcapng.enhancedPacket(interface: 0, timestamp: 0, data: [1], big: false)
        file += Pcapng.decryptionSecrets(type: 0x5353_4854, data: [1, 2, 3], big: false)
        let (frames, outcome, reader) = try readBytes(file)
        #expect(outcome == .complete)
        #expect(frames.count == 1)
        #expect(reader.decryptionSecrets.count == 2)
        #expect(reader.decryptionSecrets[0].isTLSKeyLog)
        #expect(reader.decryptionSecrets[0].data == keyLog)
        #expect(reader.decryptionSecrets[1] == DecryptionSecret(type: 0x5353_4854, data: [1, 2, 3]))
    }

    @Test func secondSectionWithTheOtherByteOrder() throws {
        var file = Pcapng.sectionHeader(big: false) + Pcapng.interface(linkType: 1, big: false)
        file += Pcapng.nameResolution(big: false)
        file += Pcapng.enhancedPacket(interface: 0, timestamp: 1_000_000, data: [1], big: false)
        file += Pcapng.sectionHeader(big: true) + Pcapng.interface(linkType: 276, options: [(9, [9])], big: true)
        file += Pcapng.enhancedPacket(interface: 0, timestamp: 2_000_000_000, data: [2, 2], big: true)
        file += Pcapng.obsoletePacket(interface: 0, timestamp: 3_000_000_000, data: [3], big: true)
        let (frames, outcome, reader) = try readBytes(file)
        #expect(outcome == .complete)
        #expect(frames.map(\.number) == [1, 2, 3])
        #expect(frames.map(\.linkType) == [1, 276, 276])
        #expect(frames.map(\.timestamp.seconds) == [1, 2, 3])
        #expect(reader.linkTypes == [1, 276])
    }

    /// tshark 4.0 numbers these records as frames (checked by hand with hand-made files), so
    /// the packets after them carry tshark's numbers.
    @Test func nonPacketRecordsTakeFrameNumbersLikeWireshark() throws {
        func custom(_ type: UInt32) -> [UInt8] {
            Pcapng.block(type, big: false) { w in
                w.u32(32473)
                w.raw([1, 2, 3, 4])
            }
        }
        let journal = Pcapng.block(9, big: false) { w in w.raw(Array("MESSAGE=hi\n".utf8)) }
        let statistics = Pcapng.block(5, big: false) { w in w.raw(Array(repeating: 0, count: 12)) }
        var file = Pcapng.sectionHeader(big: false) + Pcapng.interface(linkType: 1, big: false)
        file += Pcapng.enhancedPacket(interface: 0, timestamp: 0, data: [1], big: false)
        file += journal + custom(0x0bad) + custom(0x4000_0bad) + statistics + Pcapng.nameResolution(big: false)
        file += Pcapng.enhancedPacket(interface: 0, timestamp: 0, data: [2], big: false)
        let (frames, outcome, _) = try readBytes(file)
        #expect(outcome == .complete)
        #expect(frames.map(\.number) == [1, 5])
        #expect(frames.map(\.bytes) == [[1], [2]])
    }

    @Test func simplePacketUsesTheFirstInterfaceSnapLength() throws {
        var file = Pcapng.sectionHeader(big: false) + Pcapng.interface(linkType: 1, snap: 4, big: false)
        file += Pcapng.simplePacket(originalLength: 6, data: [1, 2, 3, 4, 5, 6], big: false)
        file += Pcapng.simplePacket(originalLength: 3, data: [7, 8, 9], big: false)
        let (frames, outcome, _) = try readBytes(file)
        #expect(outcome == .complete)
        #expect(frames.map(\.bytes) == [[1, 2, 3, 4], [7, 8, 9]])
        #expect(frames.map(\.originalLength) == [6, 3])
        #expect(frames.map(\.timestamp) == [.zero, .zero])
    }

    @Test func mismatchedTrailingLengthIsTruncation() throws {
        var file = Pcapng.sectionHeader(big: false) + Pcapng.interface(linkType: 1, big: false)
        file += Pcapng.enhancedPacket(interface: 0, timestamp: 0, data: [1], big: false)
        var bad = Pcapng.enhancedPacket(interface: 0, timestamp: 0, data: [2], big: false)
        bad[bad.count - 4] &+= 4
        file += bad + Pcapng.enhancedPacket(interface: 0, timestamp: 0, data: [3], big: false)
        let (frames, outcome, _) = try readBytes(file)
        #expect(frames.count == 1)
        #expect(outcome.truncatedAfter == 1)
        #expect(outcome.message?.contains("mismatched lengths") == true)
    }

    @Test(arguments: [0, 4, 13, 30])
    func invalidBlockLengthNeverLoops(length: UInt32) throws {
        var file = Pcapng.sectionHeader(big: false) + Pcapng.interface(linkType: 1, big: false)
        file += Pcapng.enhancedPacket(interface: 0, timestamp: 0, data: [1], big: false)
        file += Pcapng.enhancedPacket(interface: 0, timestamp: 0, data: [2], big: false)
        var w = ByteWriter(bigEndian: false)
        w.u32(6)
        w.u32(length)
        file += w.bytes + Array(repeating: 0, count: 64)
        let (frames, outcome, _) = try readBytes(file)
        #expect(frames.count == 2)
        #expect(outcome.truncatedAfter == 2)
        #expect(outcome.message?.hasPrefix("capture truncated after frame 2") == true)
    }

    @Test func blockCutByEndOfFile() throws {
        var file = Pcapng.sectionHeader(big: false) + Pcapng.interface(linkType: 1, big: false)
        file += Pcapng.enhancedPacket(interface: 0, timestamp: 0, data: [1], big: false)
        file += Array(
            Pcapng.enhancedPacket(interface: 0, timestamp: 0, data: Array(repeating: 1, count: 100), big: false).prefix(
                60))
        let (frames, outcome, _) = try readBytes(file)
        #expect(frames.count == 1)
        #expect(outcome.message?.contains("ends inside a Enhanced Packet Block") == true)
    }

    @Test func capturedLengthBeyondTheBlock() throws {
        var file = Pcapng.sectionHeader(big: false) + Pcapng.interface(linkType: 1, big: false)
        var block = Pcapng.enhancedPacket(interface: 0, timestamp: 0, data: [1, 2, 3, 4], big: false)
        block[20] = 200  // captured length field
        file += block
        let (frames, outcome, _) = try readBytes(file)
        #expect(frames.isEmpty)
        #expect(outcome.truncatedAfter == 0)
        #expect(outcome.message?.contains("frame 1 claims 200 captured bytes") == true)
    }

    @Test func unknownInterfaceIsTruncation() throws {
        var file = Pcapng.sectionHeader(big: false) + Pcapng.interface(linkType: 1, big: false)
        file += Pcapng.enhancedPacket(interface: 0, timestamp: 0, data: [1], big: false)
        file += Pcapng.enhancedPacket(interface: 3, timestamp: 0, data: [1], big: false)
        let (frames, outcome, _) = try readBytes(file)
        #expect(frames.count == 1)
        #expect(outcome.message?.contains("names interface 3") == true)
    }

    @Test func damageBeforeTheFirstPacketIsReportedOnRead() throws {
        var file = Pcapng.sectionHeader(big: false)
        var idb = Pcapng.interface(linkType: 1, big: false)
        idb[4] = 7  // not a multiple of 4
        file += idb
        let reader = try { () throws -> CaptureReader in
            let temp = try TemporaryFile(file)
            defer { temp.cleanup() }
            return try CaptureReader(path: temp.path)
        }()
        var count = 0
        let outcome = reader.forEachFrame { _ in count += 1 }
        #expect(count == 0)
        #expect(outcome.truncatedAfter == 0)
    }

    @Test func badByteOrderMagicIsAnError() {
        var shb = Pcapng.sectionHeader(big: false)
        shb[8] = 0x99
        #expect(openError(shb)?.contains("byte-order magic") == true)
    }

    @Test func tshortSectionHeaderIsAnError() {
        #expect(openError([0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0])?.contains("too short to be a pcapng file") == true)
    }
}
