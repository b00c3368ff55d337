import PacketDecoding
import Testing
import WireBasics

@Suite struct TunnelTests {
    let inner = Build.ipv4(source: 0xc0a8_0001, destination: 0xc0a8_0002, payload: Build.segment)

    @Test func gre() {
        let gre: [UInt8] = [0x20, 0x00, 0x08, 0x00, 0, 0, 0, 42] + inner  // key present
        let outer = Build.ipv4(proto: 47, payload: gre)
        let tcp = decode(Build.ethernet(type: 0x0800, outer), linkType: 1).tcp
        #expect(tcp?.source.description == "192.168.0.1")
        #expect(tcp?.encapsulation == [.gre])
        let bridged: [UInt8] = [0x00, 0x00, 0x65, 0x58] + Build.ethernet(type: 0x0800, inner)
        #expect(
            decode(Build.ipv4(proto: 47, payload: bridged), linkType: 101).tcp?.destination.description == "192.168.0.2"
        )
    }

    @Test func vxlan() {
        let vxlan: [UInt8] = [0x08, 0, 0, 0, 0, 0, 7, 0] + Build.ethernet(type: 0x0800, inner)
        let outer = Build.ipv4(proto: 17, payload: Build.udp(destination: 4789, payload: vxlan))
        let tcp = decode(Build.ethernet(type: 0x0800, outer), linkType: 1).tcp
        #expect(tcp?.source.description == "192.168.0.1")
        #expect(tcp?.encapsulation == [.vxlan])
    }

    @Test func geneveWithOptions() {
        let option: [UInt8] = [0x01, 0x02, 0x03, 0x01, 0xde, 0xad, 0xbe, 0xef]
        let geneve: [UInt8] = [0x02, 0x00, 0x65, 0x58, 0, 0, 1, 0] + option + Build.ethernet(type: 0x0800, inner)
        let outer = Build.ipv4(proto: 17, payload: Build.udp(source: 47101, destination: 6081, payload: geneve))
        let tcp = decode(Build.ethernet(type: 0x0800, outer), linkType: 1).tcp
        #expect(tcp?.destination.description == "192.168.0.2")
        #expect(tcp?.encapsulation == [.geneve])
    }

    @Test func ipInIP() {
        let tcp = decode(Build.ipv4(proto: 4, payload: inner), linkType: 101).tcp
        #expect(tcp?.source.description == "192.168.0.1")
        #expect(tcp?.encapsulation == [.ipInIP])
    }

    @Test func innerLengthIsBoundedByTheOuterLength() {
        // Outer IPv4 claims fewer bytes than the inner packet: the inner payload is clamped.
        let outer = Build.ipv4(proto: 4, payload: inner, totalLength: 20 + inner.count - 3)
        let tcp = decode(outer, linkType: 101).tcp
        #expect(tcp?.payloadLength == 2)
    }
}

@Suite struct FragmentTests {
    func fragments(of datagram: [UInt8], size: Int) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var offset = 0
        while offset < datagram.count {
            let chunk = Array(datagram[offset..<min(offset + size, datagram.count)])
            let more = offset + size < datagram.count
            out.append(Build.ipv4(payload: chunk, fragment: (more ? 0x2000 : 0) | (offset / 8), id: 77))
            offset += size
        }
        return out
    }

    func add(_ packet: [UInt8], to reassembler: inout IPFragmentReassembler, at seconds: Int64 = 0)
        -> IPFragmentReassembler.Result?
    {
        packet.withUnsafeBytes { buffer in
            guard case .ipFragment(let fragment) = PacketDecoder.decode(buffer, linkType: 101) else { return nil }
            return reassembler.add(fragment, in: buffer, at: Timestamp(seconds: seconds, nanoseconds: 0))
        }
    }

    @Test func ipv4OutOfOrderWithOverlap() {
        let segment = Build.tcp(payload: (0..<300).map { UInt8(truncatingIfNeeded: $0) })
        let parts = fragments(of: segment, size: 96)
        #expect(parts.count == 4)
        var reassembler = IPFragmentReassembler()
        #expect(add(parts[3], to: &reassembler) == .incomplete)
        #expect(add(parts[1], to: &reassembler) == .incomplete)
        #expect(add(parts[1], to: &reassembler) == .incomplete)  // duplicate
        #expect(add(parts[2], to: &reassembler) == .incomplete)
        guard case .complete(let datagram) = add(parts[0], to: &reassembler) else {
            Issue.record("not complete")
            return
        }
        #expect(reassembler.pendingDatagrams == 0)
        #expect(reassembler.pendingBytes == 0)
        let tcp = datagram.withUnsafeBytes { PacketDecoder.decodeIP($0) }.tcp
        #expect(tcp?.payloadLength == 300)
        let marked = PacketDecoder.decodeReassembled(datagram).tcp
        #expect(marked?.encapsulation == [.reassembled])
        #expect(marked?.payloadOffset == 40)
        #expect(Array(datagram[40...]) == (0..<300).map { UInt8(truncatingIfNeeded: $0) })
    }

    @Test func fragmentFieldsAreReported() {
        let first = fragments(of: Build.tcp(payload: Array(repeating: 1, count: 100)), size: 64)[0]
        let fragment = decode(first, linkType: 101).fragment
        #expect(fragment?.moreFragments == true)
        #expect(fragment?.fragmentOffset == 0)
        #expect(fragment?.identification == 77)
        #expect(fragment?.protocolNumber == 6)
        #expect(fragment?.payloadLength == 64)
    }

    @Test func ipv6Fragments() {
        let segment = Build.tcp(payload: Array(repeating: 9, count: 200))
        var reassembler = IPFragmentReassembler()
        let firstHeader: [UInt8] = [6, 0, 0, 0x01, 0, 0, 0x12, 0x34]  // offset 0, M=1
        let secondHeader: [UInt8] = [6, 0, 0, 0x80, 0, 0, 0x12, 0x34]  // offset 128, M=0
        let first = Build.ipv6(next: 44, payload: firstHeader + Array(segment[0..<128]))
        let second = Build.ipv6(next: 44, payload: secondHeader + Array(segment[128...]))
        #expect(decode(second, linkType: 229).fragment?.fragmentOffset == 128)
        let results: [IPFragmentReassembler.Result?] = [second, first].map { packet in
            packet.withUnsafeBytes { buffer in
                guard case .ipFragment(let fragment) = PacketDecoder.decode(buffer, linkType: 229) else { return nil }
                return reassembler.add(fragment, in: buffer, at: .zero)
            }
        }
        guard case .complete(let datagram)? = results.last else {
            Issue.record("not complete: \(results)")
            return
        }
        let tcp = datagram.withUnsafeBytes { PacketDecoder.decodeIP($0) }.tcp
        #expect(tcp?.payloadLength == 200)
        #expect(tcp?.source.description == "2001:db8::1")
    }

    @Test func timeoutAndCaps() {
        let parts = fragments(of: Build.tcp(payload: Array(repeating: 1, count: 200)), size: 64)
        var reassembler = IPFragmentReassembler(timeoutSeconds: 10)
        #expect(add(parts[0], to: &reassembler, at: 0) == .incomplete)
        // Much later: the old datagram has expired, so the rest cannot complete it.
        for part in parts.dropFirst() { _ = add(part, to: &reassembler, at: 100) }
        #expect(reassembler.expiredDatagrams == 1)
        #expect(reassembler.pendingDatagrams == 1)

        var small = IPFragmentReassembler(maximumDatagramBytes: 100)
        guard case .dropped = add(parts[2], to: &small) else {
            Issue.record("a fragment beyond the datagram cap was kept")
            return
        }
        var few = IPFragmentReassembler(maximumDatagrams: 2)
        for id in 0..<5 {
            let packet = Build.ipv4(payload: Array(repeating: 0, count: 16), fragment: 0x2000, id: id)
            _ = add(packet, to: &few)
        }
        #expect(few.pendingDatagrams == 2)
        #expect(few.evictedDatagrams == 3)
    }

    @Test func snapLengthCutFragmentIsDropped() {
        let part = fragments(of: Build.tcp(payload: Array(repeating: 1, count: 200)), size: 128)[0]
        var reassembler = IPFragmentReassembler()
        let result: IPFragmentReassembler.Result? = Array(part.prefix(60)).withUnsafeBytes { buffer in
            guard
                case .ipFragment(let fragment) = PacketDecoder.decode(buffer, linkType: 101, originalLength: part.count)
            else { return nil }
            #expect(fragment.payloadMissing == 88)
            return reassembler.add(fragment, in: buffer, at: .zero)
        }
        guard case .dropped? = result else {
            Issue.record("expected drop, got \(String(describing: result))")
            return
        }
    }
}

@Suite struct IPAddressTests {
    @Test(arguments: [
        ("2001:db8::1", "2001:db8::1"),
        ("2001:0db8:0000:0000:0001:0000:0000:0001", "2001:db8::1:0:0:1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("::", "::"),
        ("::1", "::1"),
        ("fe80::", "fe80::"),
        ("2001:DB8:0:0:1::1", "2001:db8::1:0:0:1"),
        ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
        ("::192.0.2.1", "::192.0.2.1"),
        // The rest as tshark 4.0 prints them (ipv6.src / ipv6.dst of a hand-made capture).
        ("::ffff:0:1.2.3.4", "::ffff:0:102:304"),
        ("::ffff:1.2.3.4", "::ffff:1.2.3.4"),
        ("::1.2.3.4", "::1.2.3.4"),
        ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("fe80::1:0:0:0", "fe80::1:0:0:0"),
        ("64:ff9b::102:304", "64:ff9b::102:304"),
        ("2001:0:0:1::", "2001:0:0:1::"),
        ("64:ff9b::c000:201", "64:ff9b::c000:201"),
        ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),
    ])
    func ipv6Rendering(input: String, expected: String) {
        #expect(IPAddress(input)?.description == expected)
    }

    @Test func ipv4RoundTripAndOrdering() {
        #expect(IPAddress("192.168.0.107") == .v4(0xc0a8_006b))
        #expect(IPAddress.v4(0x7f00_0001).description == "127.0.0.1")
        // Every digit count in every position, written without interpolation.
        #expect(IPAddress.v4(0).description == "0.0.0.0")
        #expect(IPAddress.v4(.max).description == "255.255.255.255")
        #expect(IPAddress.v4(0x0114_6409).description == "1.20.100.9")
        #expect(IPAddress.v4(0x0a64_0a00).description == "10.100.10.0")
        #expect(IPAddress("::ffff:1.20.100.9")?.description == "::ffff:1.20.100.9")
        for value: UInt32 in [0x0000_00ff, 0x6363_6363, 0x6464_6464, 0x0909_0a0a, 0xc0a8_006b] {
            let octets = [value >> 24, (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff]
            #expect(IPAddress.v4(value).description == octets.map(String.init).joined(separator: "."))
        }
        #expect(IPAddress("256.1.1.1") == nil)
        #expect(IPAddress("1.2.3") == nil)
        #expect(IPAddress("1:2:3") == nil)
        #expect(IPAddress.v4(1) < IPAddress.v4(2))
        #expect(IPAddress.v4(.max) < IPAddress.v6(0, 0))
        #expect(IPAddress("10.0.0.1")?.bytes == [10, 0, 0, 1])
        #expect(Set([IPAddress.v4(1), .v4(1), .v6(0, 1)]).count == 2)
        #expect(MemoryLayout<IPAddress>.size <= 17)
    }
}
