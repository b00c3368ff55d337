import Foundation
import PublicCaptureFixtures

/// Builds pcap and pcapng files byte by byte, in either byte order, for hand-made test cases.
struct ByteWriter {
    var bigEndian: Bool
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) {
        let ordered = bigEndian ? v.bigEndian : v.littleEndian
        withUnsafeBytes(of: ordered) { bytes.append(contentsOf: $0) }
    }
    mutating func u32(_ v: UInt32) {
        let ordered = bigEndian ? v.bigEndian : v.littleEndian
        withUnsafeBytes(of: ordered) { bytes.append(contentsOf: $0) }
    }
    mutating func u64(_ v: UInt64) {
        let ordered = bigEndian ? v.bigEndian : v.littleEndian
        withUnsafeBytes(of: ordered) { bytes.append(contentsOf: $0) }
    }
    mutating func raw(_ data: [UInt8]) { bytes.append(contentsOf: data) }
    mutating func pad4() { while bytes.count % 4 != 0 { bytes.append(0) } }
}

enum Pcapng {
    static func block(_ type: UInt32, big: Bool, _ fill: (inout ByteWriter) -> Void) -> [UInt8] {
        var body = ByteWriter(bigEndian: big)
        fill(&body)
        body.pad4()
        let length = UInt32(12 + body.bytes.count)
        var out = ByteWriter(bigEndian: big)
        out.u32(type)
        out.u32(length)
        out.raw(body.bytes)
        out.u32(length)
        return out.bytes
    }

    static func sectionHeader(big: Bool) -> [UInt8] {
        block(0x0a0d_0d0a, big: big) { w in
            w.u32(0x1a2b_3c4d)
            w.u16(1)
            w.u16(0)
            w.u64(UInt64.max)
        }
    }

    /// `options`: (code, value) pairs; an end-of-options marker is added.
    static func interface(linkType: UInt16, snap: UInt32 = 0, options: [(UInt16, [UInt8])] = [], big: Bool)
        -> [UInt8]
    {
        block(1, big: big) { w in
            w.u16(linkType)
            w.u16(0)
            w.u32(snap)
            for (code, value) in options {
                w.u16(code)
                w.u16(UInt16(value.count))
                w.raw(value)
                w.pad4()
            }
            if !options.isEmpty {
                w.u32(0)
            }
        }
    }

    static func enhancedPacket(
        interface: UInt32, timestamp: UInt64, data: [UInt8], originalLength: UInt32? = nil, big: Bool
    )
        -> [UInt8]
    {
        block(6, big: big) { w in
            w.u32(interface)
            w.u32(UInt32(timestamp >> 32))
            w.u32(UInt32(truncatingIfNeeded: timestamp))
            w.u32(UInt32(data.count))
            w.u32(originalLength ?? UInt32(data.count))
            w.raw(data)
        }
    }

    static func simplePacket(originalLength: UInt32, data: [UInt8], big: Bool) -> [UInt8] {
        block(3, big: big) { w in
            w.u32(originalLength)
            w.raw(data)
        }
    }

    static func obsoletePacket(interface: UInt16, timestamp: UInt64, data: [UInt8], big: Bool) -> [UInt8] {
        block(2, big: big) { w in
            w.u16(interface)
            w.u16(0)
            w.u32(UInt32(timestamp >> 32))
            w.u32(UInt32(truncatingIfNeeded: timestamp))
            w.u32(UInt32(data.count))
            w.u32(UInt32(data.count))
            w.raw(data)
        }
    }

    static func decryptionSecrets(type: UInt32, data: [UInt8], big: Bool) -> [UInt8] {
        block(0x0a, big: big) { w in
            w.u32(type)
            w.u32(UInt32(data.count))
            w.raw(data)
        }
    }

    static func nameResolution(big: Bool) -> [UInt8] {
        block(4, big: big) { w in
            w.u16(1)  // IPv4 record
            w.u16(8)
            w.raw([10, 0, 0, 1])
            w.raw(Array("a\0\0\0".utf8))
            w.u32(0)
        }
    }
}

enum Pcap {
    static func header(big: Bool, nanoseconds: Bool = false, linkType: UInt32 = 1, snap: UInt32 = 65535) -> [UInt8] {
        var w = ByteWriter(bigEndian: big)
        w.u32(nanoseconds ? 0xa1b2_3c4d : 0xa1b2_c3d4)
        w.u16(2)
        w.u16(4)
        w.u32(0)
        w.u32(0)
        w.u32(snap)
        w.u32(linkType)
        return w.bytes
    }

    static func record(big: Bool, seconds: UInt32, fraction: UInt32, data: [UInt8], originalLength: UInt32? = nil)
        -> [UInt8]
    {
        var w = ByteWriter(bigEndian: big)
        w.u32(seconds)
        w.u32(fraction)
        w.u32(UInt32(data.count))
        w.u32(originalLength ?? UInt32(data.count))
        w.raw(data)
        return w.bytes
    }
}

/// A file in a fresh temporary directory, removed by `cleanup`.
struct TemporaryFile {
    let url: URL
    var path: String { url.path }

    init(_ bytes: [UInt8], name: String = "capture.bin") throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tlsflow-captureio-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
    }

    func cleanup() { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
}

/// Every .pcap/.pcapng under the public capture folder, sorted.
func publicCaptureFiles() -> [URL] {
    publicCaptureWalk().filter { $0.pathExtension == "pcap" || $0.pathExtension == "pcapng" }
        .sorted { $0.path < $1.path }
}
