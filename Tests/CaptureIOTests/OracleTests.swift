import CaptureIO
import Foundation
import PublicCaptureFixtures
import Testing
import WireBasics

/// CaptureReader against libpcap's own reader over every public capture: same frame count,
/// and per frame the same timestamp, lengths and bytes.
@Suite struct LibpcapOracleTests {
    @Test func publicCapturesArePresent() {
        #expect(publicCaptureFiles().count == expectedPublicCaptureCount)
    }

    @Test(arguments: publicCaptureFiles().map { $0.path })
    func agreesWithLibpcap(path: String) throws {
        struct Reference {
            var timestamp: Timestamp
            var captured: Int
            var original: Int
            var bytes: [UInt8]
        }
        var reference: [Reference] = []
        let summary = try LibpcapReader(path: path).forEachFrame { frame in
            reference.append(
                Reference(
                    timestamp: frame.timestamp, captured: frame.capturedLength, original: frame.originalLength,
                    bytes: Array(frame.data)))
        }
        let (frames, outcome, _) = try readAll(path)
        #expect(frames.count == reference.count, "frame count differs from libpcap")
        #expect(
            (summary.error == nil) == (outcome == .complete), "libpcap: \(summary.error ?? "ok"), native: \(outcome)")
        for (mine, theirs) in zip(frames, reference) {
            #expect(mine.timestamp == theirs.timestamp, "frame \(mine.number) timestamp")
            #expect(mine.capturedLength == theirs.captured, "frame \(mine.number) captured length")
            #expect(mine.originalLength == theirs.original, "frame \(mine.number) original length")
            #expect(mine.bytes == theirs.bytes, "frame \(mine.number) bytes")
        }
        #expect(frames.map(\.number) == Array(stride(from: 1, through: frames.count, by: 1)))
    }

    @Test func truncatedPublicCaptureNamesTheFrame() throws {
        let path = publicCapture("suricata-verify/tls_DER-incomplete-header.pcap").path
        let (frames, outcome, _) = try readAll(path)
        #expect(frames.count == 6)
        #expect(outcome.truncatedAfter == 6)
        #expect(outcome.message?.hasPrefix("capture truncated after frame 6") == true)
        #expect(outcome.message?.contains("frame 7 claims 4325376 captured bytes") == true)
    }

    @Test func publicLinkTypesAreNamed() throws {
        var names: Set<String> = []
        for url in publicCaptureFiles() {
            let reader = try CaptureReader(path: url.path)
            for type in reader.linkTypes { names.insert(LinkTypeName.name(type)) }
        }
        #expect(names == ["EN10MB", "RAW", "NULL", "LINUX_SLL"])
    }
}

@Suite struct LinkTypeAndFilterTests {
    @Test func namesComeFromLibpcap() {
        #expect(LinkTypeName.name(1) == "EN10MB")
        #expect(LinkTypeName.name(276) == "LINUX_SLL2")
        #expect(LinkTypeName.name(113) == "LINUX_SLL")
        #expect(LinkTypeName.name(101) == "RAW")
        #expect(LinkTypeName.name(0) == "NULL")
        #expect(LinkTypeName.name(228) == "IPV4")
        #expect(LinkTypeName.name(99_999) == "LINKTYPE_99999")
    }

    @Test func invalidExpressionIsAClearError() {
        do {
            _ = try PacketFilter(expression: "tcp prot 443")
            Issue.record("a typo compiled")
        } catch {
            #expect("\(error)".hasPrefix("invalid capture filter \"tcp prot 443\""))
        }
    }

    @Test func filterSelectsFramesPerLinkType() throws {
        // Ethernet file and a raw-IP file: the same expression compiles once per link type.
        var filter = try PacketFilter(expression: "tcp port 443")
        var matched: [String: (Int, Int)] = [:]
        for name in ["zeek/tls1.2.pcap", "zeek/ml-dsa-44-cert.pcap", "zeek/ssl-v2.pcap"] {
            let reader = try CaptureReader(path: publicCapture(name).path)
            var hits = 0
            var total = 0
            reader.forEachFrame { frame in
                total += 1
                if filter.matches(frame) { hits += 1 }
            }
            matched[name] = (hits, total)
        }
        for (name, counts) in matched {
            #expect(counts.0 > 0, "\(name): nothing matched")
        }
        #expect(filter.linkTypeErrors.isEmpty)
        var none = try PacketFilter(expression: "udp port 53")
        let reader = try CaptureReader(path: publicCapture("zeek/tls1.2.pcap").path)
        var any = false
        reader.forEachFrame { if none.matches($0) { any = true } }
        #expect(!any)
    }

    @Test func expressionThatCannotApplyRecordsTheLinkType() throws {
        var filter = try PacketFilter(expression: "ether host 00:11:22:33:44:55")
        let reader = try CaptureReader(path: publicCapture("zeek/ml-dsa-44-cert.pcap").path)
        var hits = 0
        reader.forEachFrame { if filter.matches($0) { hits += 1 } }
        #expect(hits == 0)
        #expect(filter.linkTypeErrors[101] != nil)
    }
}
