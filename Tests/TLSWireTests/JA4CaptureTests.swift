import Foundation
import Testing

@testable import TLSWire

/// Checks our fingerprints against FoxIO's own published outputs for their captures, read at
/// run time from shared/captures/public/ja4 (these captures must not be copied into the repo).
struct JA4CaptureTests {
    struct Expected {
        var flow: Captures.Flow
        var values: [String: String]
    }

    static func pythonExpectations(_ capture: String) throws -> [Expected] {
        let data = try Data(contentsOf: Captures.url("ja4/\(capture).ja4-python.json"))
        let entries = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
        return entries.compactMap { e in
            guard let src = e["src"] as? String, let dst = e["dst"] as? String,
                let sport = (e["srcport"] as? String).flatMap({ UInt16($0) }),
                let dport = (e["dstport"] as? String).flatMap({ UInt16($0) })
            else { return nil }
            var values: [String: String] = [:]
            for (k, v) in e { if let s = v as? String { values[k] = s } }
            return Expected(flow: .init(src: src, srcPort: sport, dst: dst, dstPort: dport), values: values)
        }
    }

    /// The insta snapshot is YAML; each stream is a "- stream:" item with flat "key: value" lines.
    static func rustExpectations(_ capture: String) throws -> [Expected] {
        let text = try String(contentsOf: Captures.url("ja4/\(capture).ja4-rust.snap"), encoding: .utf8)
        var out: [[String: String]] = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("- stream:") {
                out.append([:])
            } else if line.hasPrefix("  "), !line.hasPrefix("   "), !out.isEmpty,
                let colon = line.firstIndex(of: ":")
            {
                let key = line[..<colon].trimmingCharacters(in: .whitespaces)
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                out[out.count - 1][key] = value
            }
        }
        return out.compactMap { v in
            guard v["transport"] == "tcp", let src = v["src"], let dst = v["dst"],
                let sport = v["src_port"].flatMap({ UInt16($0) }), let dport = v["dst_port"].flatMap({ UInt16($0) })
            else { return nil }
            return Expected(flow: .init(src: src, srcPort: sport, dst: dst, dstPort: dport), values: v)
        }
    }

    struct Tally {
        var compared = 0
        var agreed = 0
        var mismatches: [String] = []
        mutating func check(_ what: String, _ ours: String?, _ theirs: String?) {
            guard let theirs else { return }
            compared += 1
            if ours == theirs { agreed += 1 } else { mismatches.append("\(what): ours \(ours ?? "nil") vs \(theirs)") }
        }
    }

    static func compare(_ capture: String) throws -> (python: Tally, rust: Tally, helloCount: Int) {
        let streams = try Captures.streams("ja4/\(capture)")
        var clientHellos: [Captures.Flow: [ClientHello]] = [:]
        var serverHellos: [Captures.Flow: ServerHello] = [:]
        for (flow, bytes) in streams {
            let chs = Captures.clientHellos(bytes)
            if !chs.isEmpty { clientHellos[flow] = chs }
            if let sh = Captures.serverHellos(bytes).first { serverHellos[flow.reversed] = sh }
        }
        var python = Tally()
        for e in try pythonExpectations(capture) {
            let hellos = clientHellos[e.flow] ?? []
            // JA4.N is the Nth ClientHello of the stream (N = 2 after a HelloRetryRequest).
            for n in 1...max(hellos.count, 2) {
                let ja4 = n <= hellos.count ? JA4(hellos[n - 1]) : nil
                python.check("\(e.flow) JA4.\(n)", ja4?.ja4, e.values["JA4.\(n)"])
                python.check("\(e.flow) JA4_r.\(n)", ja4?.ja4r, e.values["JA4_r.\(n)"])
                python.check("\(e.flow) JA4_o.\(n)", ja4?.ja4o, e.values["JA4_o.\(n)"])
                python.check("\(e.flow) JA4_ro.\(n)", ja4?.ja4ro, e.values["JA4_ro.\(n)"])
            }
            python.check("\(e.flow) JA4S", serverHellos[e.flow].map { JA4S($0).ja4s }, e.values["JA4S"])
            python.check("\(e.flow) JA4S_r", serverHellos[e.flow].map { JA4S($0).ja4sr }, e.values["JA4S_r"])
        }
        var rust = Tally()
        for e in try rustExpectations(capture) {
            rust.check("\(e.flow) ja4", clientHellos[e.flow]?.first.map { JA4($0).ja4 }, e.values["ja4"])
            rust.check("\(e.flow) ja4s", serverHellos[e.flow].map { JA4S($0).ja4s }, e.values["ja4s"])
        }
        return (python, rust, clientHellos.values.reduce(0) { $0 + $1.count })
    }

    @Test(
        .enabled(if: Captures.ja4Present, "needs ../shared/captures/public/ja4 (not redistributable, present in CI)"),
        arguments: [
            "tls-handshake.pcapng", "tls-sni.pcapng", "browsers-x509.pcapng", "ipv6.pcapng", "macos_tcp_flags.pcap",
            "tls12.pcap",
        ])
    func fingerprintsAgreeWithFoxIO(capture: String) throws {
        let (python, rust, helloCount) = try Self.compare(capture)
        print(
            "JA4 \(capture): \(helloCount) ClientHellos; python \(python.agreed)/\(python.compared) agree, rust \(rust.agreed)/\(rust.compared) agree"
        )
        #expect(helloCount > 0)
        #expect(python.compared > 0)
        #expect(python.mismatches == [])
        #expect(rust.mismatches == [])
    }
}
