import PacketDecoding
import Testing

/// Every length field that can lie, and what the decoder makes of it.
@Suite struct LengthTests {
    @Test func truncatedEthernet() {
        let reason = decode(Array(Build.ethernet(type: 0x0800, []).prefix(13)), linkType: 1).malformedReason
        #expect(reason == "Ethernet header needs 14 bytes but only 13 were captured")
    }

    @Test func truncatedVLANTag() {
        let frame = Build.ethernet(type: 0x8100, [0x00, 0x64])
        #expect(decode(frame, linkType: 1).malformedReason == "VLAN tag needs 4 bytes but only 2 were captured")
    }

    @Test func ipv4HeaderLengthBelowMinimum() {
        let frame = Build.ethernet(type: 0x0800, Build.ipv4(payload: Build.segment, ihlWords: 4))
        #expect(decode(frame, linkType: 1).malformedReason == "IPv4 header length 4 words is below the minimum of 5")
    }

    @Test func ipv4HeaderLengthBeyondCapture() {
        let packet = Array(Build.ipv4(payload: Array(repeating: 0, count: 60), ihlWords: 15).prefix(40))
        #expect(
            decode(packet, linkType: 101).malformedReason
                == "IPv4 header length of 60 bytes exceeds the 40 bytes captured")
    }

    @Test func ipv4OptionsAreSkipped() {
        let options: [UInt8] = [0x01, 0x01, 0x01, 0x00]  // NOP NOP NOP EOL
        let tcp = decode(Build.ipv4(payload: Build.segment, options: options), linkType: 101).tcp
        #expect(tcp?.headerOffset == 24)
        #expect(tcp?.payloadLength == 5)
    }

    @Test func ipv4TotalLengthShorterThanHeader() {
        let packet = Build.ipv4(payload: Build.segment, totalLength: 12)
        #expect(
            decode(packet, linkType: 101).malformedReason == "IPv4 total length 12 is shorter than its 20-byte header")
    }

    @Test func ipv4TotalLengthBeyondFrameIsClamped() {
        let packet = Build.ipv4(payload: Build.segment, totalLength: 400)
        let tcp = decode(packet, linkType: 101).tcp
        #expect(tcp?.payloadLength == 5)
        #expect(tcp?.payloadMissing == 0)
        #expect(tcp?.ipLengthExceedsFrame == true)
    }

    @Test func ipv4TotalLengthZeroMeansSegmentationOffload() {
        let packet = Build.ipv4(payload: Build.tcp(payload: Array(repeating: 1, count: 3000)), totalLength: 0)
        let tcp = decode(packet, linkType: 101).tcp
        #expect(tcp?.payloadLength == 3000)
        #expect(tcp?.ipLengthExceedsFrame == false)
    }

    @Test func ethernetPaddingIsNotPayload() {
        // A bare ACK: 54 bytes, padded to the 60-byte Ethernet minimum.
        let frame = Build.ethernet(type: 0x0800, Build.ipv4(payload: Build.tcp(flags: 0x10))) + [0, 0, 0, 0, 0, 0]
        let tcp = decode(frame, linkType: 1).tcp
        #expect(frame.count == 60)
        #expect(tcp?.payloadLength == 0)
        #expect(tcp?.payloadMissing == 0)
        #expect(tcp?.flags == .ack)
    }

    @Test func snapLengthCutIsReportedAsMissing() {
        let full = Build.ethernet(
            type: 0x0800, Build.ipv4(payload: Build.tcp(payload: Array(repeating: 7, count: 1000))))
        let cut = Array(full.prefix(96))
        let tcp = decode(cut, linkType: 1, originalLength: full.count).tcp
        #expect(tcp?.payloadLength == 42)
        #expect(tcp?.payloadMissing == 958)
        // Padding beyond the IP length is not counted as missing either.
        let padded = decode(cut, linkType: 1, originalLength: full.count + 4).tcp
        #expect(padded?.payloadMissing == 958)
    }

    @Test func tcpDataOffsetBelowMinimum() {
        let packet = Build.ipv4(payload: Build.tcp(payload: [1, 2, 3], dataOffsetWords: 4))
        #expect(decode(packet, linkType: 101).malformedReason == "TCP data offset 4 words is below the minimum of 5")
    }

    @Test func tcpDataOffsetBeyondCapture() {
        let full = Build.ipv4(payload: Build.tcp(payload: Array(repeating: 0, count: 40), dataOffsetWords: 15))
        let cut = Array(full.prefix(50))
        #expect(
            decode(cut, linkType: 101, originalLength: full.count).malformedReason
                == "TCP header length of 60 bytes exceeds the 30 bytes captured")
    }

    @Test func tcpDataOffsetBeyondIPLength() {
        let packet = Build.ipv4(payload: Build.tcp(dataOffsetWords: 8))
        #expect(
            decode(packet, linkType: 101).malformedReason
                == "TCP header length of 32 bytes exceeds the 20 bytes of the IP payload")
    }

    @Test func truncatedTCPHeader() {
        let packet = Array(Build.ipSegment.prefix(30))
        #expect(decode(packet, linkType: 101).malformedReason == "TCP header needs 20 bytes but only 10 were captured")
    }

    @Test func tcpOptionsAreParsed() {
        let options: [UInt8] = [2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 1, 0, 0, 0]
        let packet = Build.ipv4(payload: Build.tcp(flags: 0x02, options: options))
        packet.withUnsafeBytes { buffer in
            guard case .tcp(let tcp) = PacketDecoder.decode(buffer, linkType: 101) else {
                Issue.record("not TCP")
                return
            }
            #expect(tcp.headerLength == 44)
            #expect(tcp.flags == .syn)
            let parsed = TCPOptions(tcp.optionBytes(in: buffer))
            #expect(parsed.maximumSegmentSize == 1460)
            #expect(parsed.windowScale == 7)
            #expect(parsed.sackPermitted)
            #expect(parsed.timestamp?.value == 1 && parsed.timestamp?.echoReply == 2)
        }
    }

    @Test func eceAndCWRStayOutOfControlFlags() {
        let tcp = decode(Build.ipv4(payload: Build.tcp(flags: 0xc2)), linkType: 101).tcp
        #expect(tcp?.flags.contains(.ece) == true)
        #expect(tcp?.flags.contains(.cwr) == true)
        #expect(tcp?.flags.control == .syn)
    }

    @Test func ipv6ExtensionHeadersAreSkipped() {
        let hopByHop: [UInt8] = [60, 0, 1, 4, 0, 0, 0, 0]  // next: destination options
        let destination: [UInt8] = [43, 1] + Array(repeating: 0, count: 14)  // 16 bytes, next: routing
        let routing: [UInt8] = [44, 0, 0, 0, 0, 0, 0, 0]  // next: fragment
        let atomicFragment: [UInt8] = [51, 0, 0, 0, 0, 0, 0, 9]  // offset 0, M=0; next: AH
        let ah: [UInt8] = [6, 4] + Array(repeating: 0, count: 22)  // (4+2)*4 = 24 bytes
        let chain = hopByHop + destination + routing + atomicFragment + ah
        let packet = Build.ipv6(next: 0, payload: chain + Build.segment)
        let tcp = decode(packet, linkType: 229).tcp
        #expect(tcp?.headerOffset == 40 + chain.count)
        #expect(tcp?.payloadLength == 5)
    }

    @Test func ipv6ExtensionHeaderOverrun() {
        let destination: [UInt8] = [6, 9] + Array(repeating: 0, count: 14)  // claims 80 bytes, has 16
        let packet = Build.ipv6(next: 60, payload: destination)
        #expect(
            decode(packet, linkType: 229).malformedReason
                == "IPv6 extension header 60 of 80 bytes overruns the packet (16 bytes left)")
        let short = Build.ipv6(next: 0, payload: [6, 0, 0])
        #expect(decode(short, linkType: 229).malformedReason?.contains("overruns the packet (3 bytes left)") == true)
    }

    @Test func truncatedIPv6Header() {
        #expect(
            decode(Array(Build.ipv6(payload: []).prefix(39)), linkType: 229).malformedReason
                == "IPv6 header needs 40 bytes but only 39 were captured")
    }

    @Test func wrongIPVersion() {
        var packet = Build.ipSegment
        packet[0] = 0x55
        #expect(decode(packet, linkType: 101).malformedReason == "IP version 5 is neither 4 nor 6")
        #expect(
            decode(Build.ethernet(type: 0x0800, packet), linkType: 1).malformedReason == "IPv4 header carries version 5"
        )
    }

    @Test func emptyAndTinyFramesNeverTrap() {
        for linkType: Int32 in [0, 1, 9, 12, 101, 108, 113, 228, 229, 276] {
            for length in 0..<70 {
                let full = Build.ethernet(type: 0x8100, Build.vlanTag(id: 1, type: 0x0800) + Build.ipSegment)
                _ = decode(Array(full.prefix(length)), linkType: linkType)
                _ = decode(Array(Build.ipv6(payload: Build.segment).prefix(length)), linkType: linkType)
            }
        }
    }

    @Test func randomBytesNeverTrap() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            let length = Int.random(in: 0..<200, using: &generator)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if length > 20, Bool.random(using: &generator) {
                bytes[12] = 0x08
                bytes[13] = 0
            }
            let linkType = ([0, 1, 101, 113, 229, 276] as [Int32]).randomElement(using: &generator) ?? 1
            _ = decode(bytes, linkType: linkType, originalLength: Int.random(in: 0..<400, using: &generator))
        }
    }
}
