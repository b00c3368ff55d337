import Foundation
import Testing

@testable import TLSWire

/// JA3/JA3S (and Arkime's JA4) against the values other analysers publish for the same
/// captures: Arkime session JSON, Suricata-verify expectations and nDPI reader output.
struct JA3CaptureTests {
    struct Ours {
        var values: Set<String> = []
        var clientHellos = 0
        var serverHellos = 0
    }

    static func fingerprints(_ capture: String) throws -> Ours {
        var ours = Ours()
        for (_, bytes) in try Captures.streams(capture) {
            for hello in Captures.clientHellos(bytes) {
                ours.clientHellos += 1
                let ja3 = JA3(hello)
                let ja4 = JA4(hello)
                ours.values.formUnion([ja3.string, ja3.hash, ja4.ja4, ja4.ja4r])
            }
            for hello in Captures.serverHellos(bytes) {
                ours.serverHellos += 1
                let ja3s = JA3S(hello)
                ours.values.formUnion([ja3s.string, ja3s.hash])
            }
        }
        return ours
    }

    /// Every string value under the given keys anywhere in a JSON document.
    static func jsonValues(_ object: Any, keys: Set<String>) -> [String] {
        if let dict = object as? [String: Any] {
            return dict.flatMap { key, value -> [String] in
                if keys.contains(key) { return (value as? [String]) ?? [(value as? String)].compactMap { $0 } }
                return jsonValues(value, keys: keys)
            }
        }
        if let list = object as? [Any] { return list.flatMap { jsonValues($0, keys: keys) } }
        return []
    }

    static let arkimeCaptures = [
        "curl-enabled-tls13.pcap", "https-generalizedtime.pcap", "openssl-ssl3.pcap", "openssl-tls1-tls1_2.pcap",
        "openssl-tls1.pcap", "openssl-tls1_2.pcap", "pppoe.pcap", "tls-client-sessionid.pcap",
        "tls-split-client-hello.pcap",
    ]

    @Test(arguments: arkimeCaptures)
    func agreesWithArkime(capture: String) throws {
        let data = try Data(contentsOf: Captures.url("arkime/\(capture).arkime.test.json"))
        let expected = Self.jsonValues(
            try JSONSerialization.jsonObject(with: data),
            keys: ["ja3", "ja3string", "ja3s", "ja3sstring", "ja4", "ja4_r"])
        let ours = try Self.fingerprints("arkime/\(capture)")
        let missing = expected.filter { !ours.values.contains($0) }
        print("JA3 arkime/\(capture): \(expected.count - missing.count)/\(expected.count) Arkime values agree")
        #expect(!expected.isEmpty)
        #expect(missing == [])
    }

    @Test(arguments: ["tls-duplicate-hello.pcap", "tls13_draft28.pcap"])
    func agreesWithSuricata(capture: String) throws {
        let dir = Captures.url("suricata-verify")
        let yaml = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            .filter { $0.hasPrefix(capture + ".suricata-verify.") }
            .map { try String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8) }.joined()
        var expected: [String] = []
        for line in yaml.split(separator: "\n") where line.contains("tls.ja3") {
            let parts = line.split(separator: "\"")
            if parts.count >= 2 { expected.append(String(parts[1])) }
        }
        let ours = try Self.fingerprints("suricata-verify/\(capture)")
        let missing = expected.filter { !ours.values.contains($0) }
        print("JA3 suricata-verify/\(capture): \(expected.count - missing.count)/\(expected.count) agree")
        #expect(!expected.isEmpty)
        #expect(missing == [])
    }

    static let ndpiCaptures = [
        "http_ipv6.pcap", "ssl-cert-name-mismatch.pcap", "tls-rdn-extract.pcap", "tls_1.2_unidirectional_client.pcapng",
        "tls_alert.pcap", "tls_certificate_too_long.pcap", "tls_ech.pcapng", "tls_esni_sni_both.pcap",
        "tls_malicious_sha1.pcapng", "tls_multiple_synack_different_seq.pcapng", "tls_1.3_unidirectional_server.pcapng",
    ]

    /// nDPI prints JA3C (client) and JA3S hashes; its JA4 uses a different ALPN rule, so only
    /// the JA3 hashes are compared.
    @Test(arguments: ndpiCaptures)
    func agreesWithNDPI(capture: String) throws {
        let text = try String(contentsOf: Captures.url("ndpi/\(capture).ndpi.out"), encoding: .utf8)
        var expected: Set<String> = []
        for marker in ["[JA3C: ", "[JA3S: "] {
            var rest = Substring(text)
            while let r = rest.range(of: marker) {
                let value = rest[r.upperBound...].prefix { $0.isHexDigit }
                if value.count == 32 { expected.insert(String(value)) }
                rest = rest[r.upperBound...]
            }
        }
        let ours = try Self.fingerprints("ndpi/\(capture)")
        let missing = expected.filter { !ours.values.contains($0) }.sorted()
        print("JA3 ndpi/\(capture): \(expected.count - missing.count)/\(expected.count) nDPI hashes agree")
        #expect(!expected.isEmpty)
        #expect(missing == [])
    }
}
