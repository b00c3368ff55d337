import CaptureIO
import Foundation
import PacketDecoding
import PublicCaptureFixtures
import Testing

/// `PacketDecoder.plainTCP` is a shortcut for the common frame: whenever it answers, its answer
/// must be exactly the full decoder's, and it must answer for the frames it was built for.
@Suite struct PlainTCPTests {
    /// The shortcut's answer next to the full decoder's.
    static func both(_ bytes: [UInt8], originalLength: Int? = nil) -> (fast: TCPPacket?, full: DecodedPacket) {
        bytes.withUnsafeBytes {
            (
                PacketDecoder.plainTCP($0, linkType: 1, originalLength: originalLength),
                PacketDecoder.decode($0, linkType: 1, originalLength: originalLength)
            )
        }
    }

    static let payload = Array(repeating: UInt8(0x17), count: 40)

    @Test func takesPlainIPv4AndIPv6Segments() {
        let v4 = Self.both(Build.ethernet(type: 0x0800, Build.ipv4(payload: Build.tcp(payload: Self.payload))))
        #expect(v4.fast != nil)
        #expect(v4.fast == v4.full.tcp)
        let options: [UInt8] = [2, 4, 0x05, 0xb4, 1, 1, 4, 2]
        let v6 = Self.both(
            Build.ethernet(type: 0x86dd, Build.ipv6(payload: Build.tcp(flags: 0x02, options: options))))
        #expect(v6.fast != nil)
        #expect(v6.fast == v6.full.tcp)
        #expect(v6.fast?.headerLength == 28)
    }

    /// Lengths that lie one way or another: the shortcut either agrees or steps aside.
    @Test func agreesOrStepsAsideOnEveryLyingLength() {
        let segment = Build.tcp(payload: Self.payload)
        var frames: [(String, [UInt8], Int?)] = [
            ("TSO total length 0", Build.ethernet(type: 0x0800, Build.ipv4(payload: segment, totalLength: 0)), nil),
            ("total beyond frame", Build.ethernet(type: 0x0800, Build.ipv4(payload: segment, totalLength: 400)), nil),
            ("total below header", Build.ethernet(type: 0x0800, Build.ipv4(payload: segment, totalLength: 12)), nil),
            ("total cuts TCP header", Build.ethernet(type: 0x0800, Build.ipv4(payload: segment, totalLength: 30)), nil),
            ("IHL 4", Build.ethernet(type: 0x0800, Build.ipv4(payload: segment, ihlWords: 4)), nil),
            ("IHL 15", Build.ethernet(type: 0x0800, Build.ipv4(payload: segment, ihlWords: 15)), nil),
            ("data offset 4", Build.ethernet(type: 0x0800, Build.ipv4(payload: Build.tcp(dataOffsetWords: 4))), nil),
            (
                "data offset 15", Build.ethernet(type: 0x0800, Build.ipv4(payload: Build.tcp(dataOffsetWords: 15))),
                nil
            ),
            ("fragment", Build.ethernet(type: 0x0800, Build.ipv4(payload: segment, fragment: 0x2000)), nil),
            ("UDP", Build.ethernet(type: 0x0800, Build.ipv4(proto: 17, payload: segment)), nil),
            (
                "VLAN", Build.ethernet(type: 0x8100, Build.vlanTag(id: 7, type: 0x0800) + Build.ipv4(payload: segment)),
                nil
            ),
            ("IPv6 payload 0", Build.ethernet(type: 0x86dd, Build.ipv6(payload: segment, payloadLength: 0)), nil),
            ("IPv6 payload short", Build.ethernet(type: 0x86dd, Build.ipv6(payload: segment, payloadLength: 10)), nil),
            (
                "IPv6 hop-by-hop",
                Build.ethernet(type: 0x86dd, Build.ipv6(next: 0, payload: [6, 0, 0, 0, 0, 0, 0, 0] + segment)), nil
            ),
            (
                "padding", Build.ethernet(type: 0x0800, Build.ipv4(payload: segment)) + Array(repeating: 0, count: 6),
                nil
            ),
        ]
        let whole = Build.ethernet(type: 0x0800, Build.ipv4(payload: segment))
        for cut in [13, 20, 33, 34, 40, 53, 54, 60, whole.count - 1] {
            frames.append(("snapped at \(cut)", Array(whole.prefix(cut)), whole.count))
        }
        var taken = 0
        for (name, bytes, originalLength) in frames {
            let (fast, full) = Self.both(bytes, originalLength: originalLength)
            if let fast {
                taken += 1
                #expect(fast == full.tcp, "\(name)")
            }
        }
        // TSO, a long total, padding and the later snaps are plain frames the shortcut must take.
        #expect(taken >= 6)
    }

    /// Every frame of every bundled and public capture.
    @Test func agreesWithTheFullDecoderOnRealCaptures() throws {
        let roots = [repositoryRoot.appendingPathComponent("Captures"), publicCaptures]
        var files: [URL] = []
        for root in roots {
            guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
                continue
            }
            for case let url as URL in walker where ["pcap", "pcapng", "cap"].contains(url.pathExtension) {
                files.append(url)
            }
        }
        #expect(files.count > 60)
        var (taken, plainTCP) = (0, 0)
        for file in files {
            guard let reader = try? CaptureReader(path: file.path) else { continue }
            _ = reader.forEachFrame { frame in
                let fast = PacketDecoder.plainTCP(
                    frame.data, linkType: frame.linkType, originalLength: frame.originalLength)
                let full = PacketDecoder.decode(
                    frame.data, linkType: frame.linkType, originalLength: frame.originalLength)
                if let fast {
                    taken += 1
                    #expect(fast == full.tcp, "\(file.lastPathComponent) frame \(frame.number)")
                }
                if frame.linkType == 1, let packet = full.tcp, packet.vlans.isEmpty, packet.encapsulation.isEmpty {
                    plainTCP += 1
                }
            }
        }
        // The shortcut takes every plain frame except IPv6 ones with extension headers.
        #expect(taken > 2_000)
        #expect(Double(taken) >= 0.99 * Double(plainTCP))
    }
}
