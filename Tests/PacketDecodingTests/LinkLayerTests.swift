import PacketDecoding
import Testing

@Suite struct LinkLayerTests {
    func expectStandardSegment(
        _ result: DecodedPacket, payloadOffset: Int, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard let tcp = result.tcp else {
            Issue.record("expected TCP, got \(result)", sourceLocation: sourceLocation)
            return
        }
        #expect(tcp.source.description == "10.0.0.1", sourceLocation: sourceLocation)
        #expect(tcp.destination.description == "10.0.0.2", sourceLocation: sourceLocation)
        #expect(tcp.sourcePort == 51000 && tcp.destinationPort == 443, sourceLocation: sourceLocation)
        #expect(tcp.sequenceNumber == 1000 && tcp.acknowledgmentNumber == 2000, sourceLocation: sourceLocation)
        #expect(tcp.flags == [.psh, .ack], sourceLocation: sourceLocation)
        #expect(tcp.window == 512, sourceLocation: sourceLocation)
        #expect(tcp.headerLength == 20, sourceLocation: sourceLocation)
        #expect(tcp.payloadOffset == payloadOffset, sourceLocation: sourceLocation)
        #expect(tcp.payloadLength == 5, sourceLocation: sourceLocation)
        #expect(tcp.payloadMissing == 0, sourceLocation: sourceLocation)
        #expect(tcp.ipVersion == 4 && tcp.ttl == 64, sourceLocation: sourceLocation)
    }

    @Test func ethernet() {
        expectStandardSegment(decode(Build.ethernet(type: 0x0800, Build.ipSegment), linkType: 1), payloadOffset: 54)
    }

    @Test func singleAndStackedVLANTags() {
        let single = Build.ethernet(type: 0x8100, Build.vlanTag(id: 0x2064, type: 0x0800) + Build.ipSegment)
        let result = decode(single, linkType: 1)
        expectStandardSegment(result, payloadOffset: 58)
        #expect(result.tcp?.vlans.ids == [100])
        #expect(result.tcp?.encapsulation == [.vlan])
        let qinq = Build.ethernet(
            type: 0x88a8, Build.vlanTag(id: 10, type: 0x8100) + Build.vlanTag(id: 20, type: 0x0800) + Build.ipSegment)
        let stacked = decode(qinq, linkType: 1)
        expectStandardSegment(stacked, payloadOffset: 62)
        #expect(stacked.tcp?.vlans.ids == [10, 20])
        #expect(stacked.tcp?.vlans.outermost == 10)
    }

    @Test func pppoeSession() {
        let ppp = Build.be16(0x0021) + Build.ipSegment
        let pppoe: [UInt8] = [0x11, 0x00] + Build.be16(0x1234) + Build.be16(ppp.count) + ppp
        let result = decode(Build.ethernet(type: 0x8864, pppoe), linkType: 1)
        expectStandardSegment(result, payloadOffset: 62)
        #expect(result.tcp?.encapsulation.contains(.pppoe) == true)
        let v6 = Build.be16(0x0057) + Build.ipv6(payload: Build.segment)
        let pppoe6: [UInt8] = [0x11, 0x00, 0, 1] + Build.be16(v6.count) + v6
        #expect(decode(Build.ethernet(type: 0x8864, pppoe6), linkType: 1).tcp?.ipVersion == 6)
        let lcp: [UInt8] = [0x11, 0x00, 0, 1, 0, 4, 0xc0, 0x21, 1, 1]
        #expect(decode(Build.ethernet(type: 0x8864, lcp), linkType: 1).isOther)
    }

    @Test func linuxCookedV1AndV2() {
        let sll: [UInt8] = [0, 0, 0, 1, 0, 6] + Array(repeating: 0xaa, count: 8) + Build.be16(0x0800) + Build.ipSegment
        expectStandardSegment(decode(sll, linkType: 113), payloadOffset: 56)
        let sll2: [UInt8] =
            Build.be16(0x0800) + [0, 0, 0, 0, 0, 2, 0, 1, 0, 6] + Array(repeating: 0xbb, count: 8) + Build.ipSegment
        expectStandardSegment(decode(sll2, linkType: 276), payloadOffset: 60)
        #expect(decode(Array(sll.prefix(10)), linkType: 113).malformedReason?.contains("SLL") == true)
    }

    @Test(arguments: [101, 12, 14, 228] as [Int32])
    func rawIPv4(linkType: Int32) {
        expectStandardSegment(decode(Build.ipSegment, linkType: linkType), payloadOffset: 40)
    }

    @Test func rawIPv6() {
        let packet = Build.ipv6(payload: Build.segment)
        for linkType: Int32 in [101, 229] {
            let tcp = decode(packet, linkType: linkType).tcp
            #expect(tcp?.source.description == "2001:db8::1")
            #expect(tcp?.destination.description == "fe80::211:22ff:fe33:4455")
            #expect(tcp?.payloadOffset == 60)
            #expect(tcp?.ttl == 57)
        }
    }

    @Test(arguments: [2, 24, 28, 30] as [UInt32], [false, true])
    func bsdLoopback(family: UInt32, bigEndian: Bool) {
        let header: [UInt8] =
            bigEndian
            ? Build.be32(family) : [UInt8(family), 0, 0, 0]
        let body = family == 2 ? Build.ipSegment : Build.ipv6(payload: Build.segment)
        for linkType: Int32 in [0, 108] {
            let tcp = decode(header + body, linkType: linkType).tcp
            #expect(tcp?.ipVersion == (family == 2 ? 4 : 6))
            #expect(tcp?.payloadLength == 5)
        }
    }

    @Test func loopbackWithOtherFamilyIsSkipped() {
        #expect(decode([7, 0, 0, 0] + Build.ipSegment, linkType: 0).isOther)
    }

    @Test func pppLinkType() {
        expectStandardSegment(decode([0xff, 0x03, 0x00, 0x21] + Build.ipSegment, linkType: 9), payloadOffset: 44)
    }

    @Test func unsupportedLinkTypeIsReported() {
        guard case .unsupportedLinkType(let type) = decode(Build.ipSegment, linkType: 127) else {
            Issue.record("expected unsupportedLinkType")
            return
        }
        #expect(type == 127)
    }

    @Test func nonIPIsOther() {
        #expect(decode(Build.ethernet(type: 0x0806, Array(repeating: 0, count: 28)), linkType: 1).isOther)
        #expect(decode(Build.ethernet(type: 0x0800, Build.ipv4(proto: 1, payload: [8, 0, 0, 0])), linkType: 1).isOther)
        #expect(
            decode(
                Build.ethernet(type: 0x0800, Build.ipv4(proto: 17, payload: Build.udp(destination: 53, payload: [1]))),
                linkType: 1
            )
            .isOther)
    }

    @Test func llcSnapCarriesIP() {
        let snap: [UInt8] = [0xaa, 0xaa, 0x03, 0, 0, 0] + Build.be16(0x0800) + Build.ipSegment
        expectStandardSegment(decode(Build.ethernet(type: snap.count, snap), linkType: 1), payloadOffset: 62)
    }

    @Test func mplsLabelStack() {
        let labels: [UInt8] = [0x00, 0x01, 0x00, 0x40, 0x00, 0x02, 0x01, 0x40]
        let result = decode(Build.ethernet(type: 0x8847, labels + Build.ipSegment), linkType: 1)
        expectStandardSegment(result, payloadOffset: 62)
        #expect(result.tcp?.encapsulation == [.mpls])
    }
}
