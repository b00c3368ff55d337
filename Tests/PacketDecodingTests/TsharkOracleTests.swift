import CaptureIO
import Foundation
import PacketDecoding
import PublicCaptureFixtures
import Testing
import WireBasics

/// Captures that have a tshark oracle next to them.
func capturesWithTsharkOracle() -> [String] {
    var out: [String] = []
    for url in publicCaptureWalk() where url.lastPathComponent.hasSuffix(".tshark.tsv") {
        let capture = String(url.path.dropLast(".tshark.tsv".count))
        if FileManager.default.fileExists(atPath: capture) { out.append(capture) }
    }
    return out.sorted()
}

struct OracleRow {
    var frame: Int
    var time: String
    var source: String
    var sourcePort: String
    var destination: String
    var destinationPort: String
    var vlans: String
}

func oracleRows(_ capture: String) throws -> [OracleRow] {
    let text = try String(contentsOfFile: capture + ".tshark.tsv", encoding: .utf8)
    var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map {
        $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
    }
    guard let header = lines.first else { return [] }
    lines.removeFirst()
    func column(_ name: String) -> Int { header.firstIndex(of: name) ?? -1 }
    let (number, time, ip4s, ip6s, sport, ip4d, ip6d, dport, vlan) = (
        column("frame.number"), column("frame.time_epoch"), column("ip.src"), column("ipv6.src"), column("tcp.srcport"),
        column("ip.dst"), column("ipv6.dst"), column("tcp.dstport"), column("vlan.id")
    )
    // The innermost header is the last of a comma-joined list (tunnels list outer first).
    func last(_ row: [String], _ index: Int) -> String {
        guard index >= 0, index < row.count else { return "" }
        return row[index].split(separator: ",").last.map(String.init) ?? ""
    }
    return lines.compactMap { row in
        // Rows without TCP ports are QUIC (TLS over UDP): not this decoder's business.
        guard number >= 0, number < row.count, let frame = Int(row[number]), !last(row, sport).isEmpty else {
            return nil
        }
        let v4s = last(row, ip4s)
        let v4d = last(row, ip4d)
        return OracleRow(
            frame: frame, time: time < row.count ? row[time] : "",
            source: v4s.isEmpty ? last(row, ip6s) : v4s, sourcePort: last(row, sport),
            destination: v4d.isEmpty ? last(row, ip6d) : v4d, destinationPort: last(row, dport),
            vlans: vlan >= 0 && vlan < row.count ? row[vlan] : "")
    }
}

func epochText(_ t: Timestamp) -> String {
    let nanos = String(t.nanoseconds)
    return "\(t.seconds)." + String(repeating: "0", count: 9 - nanos.count) + nanos
}

/// What decoding gave for one frame, flattened for comparison with tshark's fields.
struct DecodedView: Equatable, CustomStringConvertible {
    var time: String
    var source: String
    var sourcePort: String
    var destination: String
    var destinationPort: String
    var vlans: String
    var description: String { "\(time) \(source):\(sourcePort) → \(destination):\(destinationPort) vlan[\(vlans)]" }
}

/// Decodes every frame of `capture` (reassembling IP fragments) and returns the views of the
/// frames in `wanted`.
func decodedViews(_ capture: String, wanted: Set<Int>) throws -> [Int: DecodedView] {
    let reader = try CaptureReader(path: capture)
    var reassembler = IPFragmentReassembler()
    var views: [Int: DecodedView] = [:]
    func view(_ tcp: TCPPacket, _ frame: CaptureFrame) -> DecodedView {
        DecodedView(
            time: epochText(frame.timestamp), source: tcp.source.description, sourcePort: String(tcp.sourcePort),
            destination: tcp.destination.description, destinationPort: String(tcp.destinationPort),
            vlans: tcp.vlans.ids.map(String.init).joined(separator: ","))
    }
    reader.forEachFrame { frame in
        switch PacketDecoder.decode(frame.data, linkType: frame.linkType, originalLength: frame.originalLength) {
        case .tcp(let tcp):
            if wanted.contains(frame.number) { views[frame.number] = view(tcp, frame) }
        case .ipFragment(let fragment):
            if case .complete(let datagram) = reassembler.add(fragment, in: frame.data, at: frame.timestamp),
                case .tcp(let tcp) = datagram.withUnsafeBytes({ PacketDecoder.decodeIP($0) }),
                wanted.contains(frame.number)
            {
                var v = view(tcp, frame)
                v.vlans = fragment.vlans.ids.map(String.init).joined(separator: ",")
                views[frame.number] = v
            }
        default: break
        }
    }
    return views
}

@Suite struct TsharkOracleTests {
    @Test func oraclesArePresent() {
        #expect(capturesWithTsharkOracle().count == expectedPublicCaptureCount)
    }

    @Test(arguments: capturesWithTsharkOracle())
    func addressesPortsAndTimesMatchTshark(capture: String) throws {
        let rows = try oracleRows(capture)
        let views = try decodedViews(capture, wanted: Set(rows.map(\.frame)))
        var agreed = 0
        for row in rows {
            let expected = DecodedView(
                time: row.time, source: row.source, sourcePort: row.sourcePort, destination: row.destination,
                destinationPort: row.destinationPort, vlans: row.vlans)
            let got = views[row.frame]
            #expect(got == expected, "frame \(row.frame)")
            if got == expected { agreed += 1 }
        }
        #expect(agreed == rows.count)
    }

    /// The total, printed for the report: how many oracle rows agree across all captures.
    @Test func overallAgreement() throws {
        var rowsTotal = 0
        var agreed = 0
        for capture in capturesWithTsharkOracle() {
            let rows = try oracleRows(capture)
            let views = try decodedViews(capture, wanted: Set(rows.map(\.frame)))
            rowsTotal += rows.count
            agreed +=
                rows.filter { row in
                    views[row.frame]
                        == DecodedView(
                            time: row.time, source: row.source, sourcePort: row.sourcePort,
                            destination: row.destination,
                            destinationPort: row.destinationPort, vlans: row.vlans)
                }.count
        }
        print("tshark oracle agreement: \(agreed) of \(rowsTotal) frames")
        // 382 oracle rows in the copied captures, about 190 more in ja4/.
        #expect(rowsTotal > (ja4Present ? 500 : 350))
        #expect(agreed == rowsTotal)
    }

    /// The BPF filter and the decoder agree on which frames are TCP port 443.
    @Test(
        arguments: availablePublicCaptures([
            "zeek/tls1.2.pcap", "ndpi/http_ipv6.pcap", "zeek/ml-dsa-44-cert.pcap", "ja4/ipv6.pcapng",
        ]))
    func filterAgreesWithDecoder(name: String) throws {
        var filter = try PacketFilter(expression: "tcp port 443")
        let reader = try CaptureReader(path: publicCapture(name).path)
        var byFilter = 0
        var byDecoder = 0
        reader.forEachFrame { frame in
            if filter.matches(frame) { byFilter += 1 }
            if case .tcp(let tcp) = PacketDecoder.decode(frame.data, linkType: frame.linkType),
                tcp.sourcePort == 443 || tcp.destinationPort == 443
            {
                byDecoder += 1
            }
        }
        #expect(byFilter > 0)
        #expect(byFilter == byDecoder)
    }
}
