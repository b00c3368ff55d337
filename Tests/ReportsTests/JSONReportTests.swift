import Foundation
import TLSFlowModel
import Testing

@testable import Reports

/// The contract's keys (docs/output.md), in its order, with the JSON type each must have.
/// "?" marks a value that may be null.
enum Contract {
    static let document = [
        "tool": "string", "version": "string", "schema": "int", "captures": "array", "summary": "object",
    ]
    static let documentOrder = ["tool", "version", "schema", "captures", "summary"]
    static let capture: [(String, String)] = [
        ("file", "string"), ("format", "string"), ("link_types", "array"), ("packets", "int"), ("bytes", "int"),
        ("first_time", "string?"), ("last_time", "string?"), ("errors", "array"), ("connections", "array"),
    ]
    static let captureError: [(String, String)] = [("message", "string"), ("frame", "int?")]
    static let summary: [(String, String)] = [
        ("connections", "int"), ("ok", "int"), ("warning", "int"), ("failed", "int"), ("incomplete", "int"),
        ("findings", "object"),
    ]
    static let connection: [(String, String)] = [
        ("id", "int"), ("client", "object"), ("server", "object"), ("first_frame", "int"), ("last_frame", "int"),
        ("start", "string"), ("end", "string"), ("tcp", "object"), ("client_hello", "object?"),
        ("server_hello", "object?"), ("version", "string?"), ("resumption", "object"),
        ("client_auth_requested", "bool"), ("server_certificates", "array"), ("client_certificates", "array"),
        ("alerts", "array"), ("application_data", "object"), ("handshake_ms", "number?"), ("status", "string"),
        ("findings", "array"),
    ]
    static let endpoint: [(String, String)] = [("ip", "string"), ("port", "int")]
    static let tcp: [(String, String)] = [
        ("handshake", "string"), ("end", "string"), ("ended_by", "string?"), ("retransmissions", "int"),
        ("gaps", "int"),
    ]
    static let clientHello: [(String, String)] = [
        ("frame", "int"), ("record_version", "string"), ("legacy_version", "string"), ("supported_versions", "array"),
        ("sni", "string?"), ("session_id", "string"), ("session_ticket", "bool"), ("psk", "bool"),
        ("cipher_suites", "array"), ("alpn", "array"), ("groups", "array"), ("ja4", "string?"), ("ja3", "string?"),
    ]
    static let serverHello: [(String, String)] = [
        ("frame", "int"), ("version", "string"), ("cipher_suite", "string"), ("session_id", "string"),
        ("alpn", "string?"), ("hello_retry_request", "bool"), ("ja4s", "string?"),
    ]
    static let resumption: [(String, String)] = [("offered", "string"), ("accepted", "bool?")]
    static let alert: [(String, String)] = [
        ("frame", "int"), ("from", "string"), ("level", "string"), ("description", "string"), ("encrypted", "bool"),
    ]
    static let applicationData: [(String, String)] = [
        ("client_bytes", "int"), ("server_bytes", "int"), ("client_records", "int"), ("server_records", "int"),
        ("first_frame", "int?"), ("last_frame", "int?"),
    ]
    static let cert: [(String, String)] = [
        ("frame", "int"), ("subject", "string"), ("issuer", "string"), ("serial", "string"), ("san", "array"),
        ("not_before", "string?"), ("not_after", "string?"), ("key", "string"), ("signature_algorithm", "string"),
        ("sha256", "string"), ("self_signed", "bool"), ("ca", "bool"),
    ]
    static let finding: [(String, String)] = [
        ("code", "string"), ("severity", "string"), ("side", "string?"), ("summary", "string"), ("detail", "string"),
        ("fix", "string"), ("frames", "array"),
    ]
}

/// Checks presence and JSON type of every contract key in a JSONSerialization object.
func checkTypes(_ object: Any?, _ spec: [(String, String)], _ context: String) {
    guard let dict = object as? [String: Any] else {
        Issue.record("\(context): not an object")
        return
    }
    for (key, type) in spec {
        guard let value = dict[key] else {
            Issue.record("\(context): missing key \(key)")
            continue
        }
        let nullable = type.hasSuffix("?")
        if value is NSNull {
            #expect(nullable, "\(context).\(key) is null but must be \(type)")
            continue
        }
        let ok: Bool =
            switch type.trimmingCharacters(in: ["?"]) {
            case "string": value is String
            case "int": (value as? NSNumber).map { !isBool($0) && $0.doubleValue == $0.doubleValue.rounded() } ?? false
            case "number": (value as? NSNumber).map { !isBool($0) } ?? false
            case "bool": (value as? NSNumber).map(isBool) ?? false
            case "array": value is [Any]
            case "object": value is [String: Any]
            default: false
            }
        #expect(ok, "\(context).\(key) should be \(type), got \(value)")
    }
}

private func isBool(_ n: NSNumber) -> Bool {
    #if canImport(Darwin)
        return CFGetTypeID(n) == CFBooleanGetTypeID()
    #else
        return String(cString: n.objCType) == "c" || type(of: n) == type(of: NSNumber(value: true))
    #endif
}

/// The contract keys come first and in the contract's order; extras only after them.
func checkOrder(_ object: OrderedJSON?, _ spec: [(String, String)], _ context: String, leading: [String] = []) {
    guard let keys = object?.keys else {
        Issue.record("\(context): missing")
        return
    }
    let expected = leading + spec.map(\.0)
    #expect(Array(keys.prefix(expected.count)) == expected, "\(context) key order: \(keys)")
}

func jsonObject(_ text: String) throws -> [String: Any] {
    let any = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    return try #require(any as? [String: Any])
}

@Suite struct JSONReportTests {
    let captures = [Fixtures.capture(Fixtures.all)]
    var document: String {
        JSONReportWriter.render(
            captures: captures, summary: Fixtures.summary(captures), version: "0.1.0", pretty: true)
    }

    @Test(arguments: [true, false]) func everyContractKeyWithItsType(pretty: Bool) throws {
        let text = JSONReportWriter.render(
            captures: captures, summary: Fixtures.summary(captures), version: "0.1.0", pretty: pretty)
        let root = try jsonObject(text)
        #expect(root["tool"] as? String == "tlsflow")
        #expect(root["version"] as? String == "0.1.0")
        #expect(root["schema"] as? Int == 1)
        checkTypes(root, Contract.documentOrder.map { ($0, Contract.document[$0] ?? "") }, "root")
        checkTypes(root["summary"], Contract.summary, "summary")
        let capture = try #require((root["captures"] as? [[String: Any]])?.first)
        checkTypes(capture, Contract.capture, "capture")
        for error in capture["errors"] as? [Any] ?? [] { checkTypes(error, Contract.captureError, "error") }
        let connections = try #require(capture["connections"] as? [[String: Any]])
        #expect(connections.map { $0["id"] as? Int } == [1, 2, 3, 4])
        for c in connections {
            let name = "connection \(c["id"] ?? "?")"
            checkTypes(c, Contract.connection, name)
            checkTypes(c["client"], Contract.endpoint, name + ".client")
            checkTypes(c["server"], Contract.endpoint, name + ".server")
            checkTypes(c["tcp"], Contract.tcp, name + ".tcp")
            if !(c["client_hello"] is NSNull) {
                checkTypes(c["client_hello"], Contract.clientHello, name + ".client_hello")
            }
            if !(c["server_hello"] is NSNull) {
                checkTypes(c["server_hello"], Contract.serverHello, name + ".server_hello")
            }
            checkTypes(c["resumption"], Contract.resumption, name + ".resumption")
            checkTypes(c["application_data"], Contract.applicationData, name + ".application_data")
            for cert in (c["server_certificates"] as? [Any] ?? []) + (c["client_certificates"] as? [Any] ?? []) {
                checkTypes(cert, Contract.cert, name + ".cert")
            }
            for alert in c["alerts"] as? [Any] ?? [] { checkTypes(alert, Contract.alert, name + ".alert") }
            for finding in c["findings"] as? [Any] ?? [] { checkTypes(finding, Contract.finding, name + ".finding") }
        }
        let patterns = try #require(capture["patterns"] as? [[String: Any]])
        #expect(patterns.count == 1)
        checkTypes(patterns.first, Contract.finding, "pattern")
    }

    @Test func keysInContractOrder() throws {
        let root = try OrderedJSON.parse(document)
        #expect(root.keys == Contract.documentOrder)
        checkOrder(root["summary"], Contract.summary, "summary")
        let capture = root["captures"]?.elements.first
        checkOrder(capture, Contract.capture, "capture")
        #expect(capture?.keys.suffix(2) == ["non_tls_connections", "patterns"])
        checkOrder(capture?["errors"]?.elements.first, Contract.captureError, "error")
        let connections = capture?["connections"]?.elements ?? []
        #expect(connections.count == 4)
        for c in connections {
            checkOrder(c, Contract.connection, "connection")
            checkOrder(c["client"], Contract.endpoint, "client")
            checkOrder(c["tcp"], Contract.tcp, "tcp")
            if c["client_hello"] != .null { checkOrder(c["client_hello"], Contract.clientHello, "client_hello") }
            if c["server_hello"] != .null { checkOrder(c["server_hello"], Contract.serverHello, "server_hello") }
            checkOrder(c["resumption"], Contract.resumption, "resumption")
            checkOrder(c["application_data"], Contract.applicationData, "application_data")
            for cert in c["server_certificates"]?.elements ?? [] { checkOrder(cert, Contract.cert, "cert") }
            for alert in c["alerts"]?.elements ?? [] { checkOrder(alert, Contract.alert, "alert") }
            for finding in c["findings"]?.elements ?? [] {
                checkOrder(finding, Contract.finding, "finding")
                // The pattern-only "connections" key stays off connection findings.
                #expect(finding.keys.last == "consequences")
            }
        }
        checkOrder(capture?["patterns"]?.elements.first, Contract.finding, "pattern")
        #expect(capture?["patterns"]?.elements.first?.keys.last == "connections")
    }

    @Test func valuesOfEachShape() throws {
        let root = try jsonObject(document)
        let capture = try #require((root["captures"] as? [[String: Any]])?.first)
        #expect(capture["first_time"] as? String == "2024-05-01T10:00:00.123456Z")
        #expect(capture["non_tls_connections"] as? Int == 2)
        let cs = try #require(capture["connections"] as? [[String: Any]])
        let healthy = cs[0]
        #expect(healthy["handshake_ms"] as? Double == 41.2)
        #expect((healthy["client"] as? [String: Any])?["port"] as? Int == 51514)
        #expect((healthy["tcp"] as? [String: Any])?["ended_by"] as? String == "client")
        #expect((healthy["client_hello"] as? [String: Any])?["sni"] as? String == "www.example.com")
        #expect((healthy["client_hello"] as? [String: Any])?["ja3_string"] as? String == "771,49199-47,0-10-11,29-23,0")
        #expect((healthy["server_hello"] as? [String: Any])?["alpn"] as? String == "h2")
        #expect((healthy["application_data"] as? [String: Any])?["server_bytes"] as? Int == 3200)
        #expect((healthy["timing"] as? [String: Any])?["server_think_ms"] as? Double == 19.3)
        #expect((healthy["server_certificates"] as? [Any])?.count == 2)

        let failed = cs[1]
        #expect(failed["status"] as? String == "failed")
        let alert = try #require((failed["alerts"] as? [[String: Any]])?.first)
        #expect(alert["from"] as? String == "client" && alert["description"] as? String == "bad_certificate")
        #expect((failed["resumption"] as? [String: Any])?["accepted"] as? Bool == false)
        let finding = try #require((failed["findings"] as? [[String: Any]])?.last)
        #expect(finding["frames"] as? [Int] == [36, 38])
        #expect(finding["consequences"] as? [String] == ["handshake.alert"])
        #expect((failed["notes"] as? [[String: Any]])?.first?["frame"] as? Int == 40)

        let tls13 = cs[2]
        #expect(tls13["version"] as? String == "TLS 1.3")
        #expect(tls13["handshake_ms"] is NSNull)
        #expect((tls13["server_hello"] as? [String: Any])?["key_share_group"] as? String == "x25519")

        let none = cs[3]
        #expect(none["client_hello"] is NSNull && none["server_hello"] is NSNull && none["version"] is NSNull)
        #expect((none["resumption"] as? [String: Any])?["accepted"] is NSNull)
        #expect((none["client"] as? [String: Any])?["ip"] as? String == "2001:db8::5")
        // NaN has no JSON spelling.
        #expect((none["timing"] as? [String: Any])?["tcp_rtt_ms"] is NSNull)

        let summary = try #require(root["summary"] as? [String: Any])
        #expect(summary["failed"] as? Int == 3 && summary["ok"] as? Int == 1)
        #expect((summary["findings"] as? [String: Int])?["cert.cn_only"] == 1)
    }

    @Test func nanosecondCapturesPrintNineDigits() throws {
        var c = Fixtures.healthy12()
        c.start = Timestamp(seconds: 1_714_557_600, nanoseconds: 123_456_789)
        let micro = [Fixtures.capture(nanoseconds: false, [c])]
        let nano = [Fixtures.capture(nanoseconds: true, [c])]
        let m = try jsonObject(
            JSONReportWriter.render(captures: micro, summary: RunSummary(), version: "1", pretty: false))
        let n = try jsonObject(
            JSONReportWriter.render(captures: nano, summary: RunSummary(), version: "1", pretty: false))
        func start(_ root: [String: Any]) -> String? {
            let capture = (root["captures"] as? [[String: Any]])?.first
            return (capture?["connections"] as? [[String: Any]])?.first?["start"] as? String
        }
        #expect(start(m) == "2024-05-01T10:00:00.123456Z")
        #expect(start(n) == "2024-05-01T10:00:00.123456789Z")
    }

    @Test func escapingTorture() throws {
        let nasty =
            "q\"uote \\back/slash \n\r\t\u{0}\u{1}\u{8}\u{C}\u{1B}[31m\u{1F}\u{7F} é 中文 👩‍👩‍👧 \u{2028}\u{2029} \u{FFFD}\u{FFFF}\u{10FFFF}\u{E000}"
        var c = Fixtures.healthy12()
        c.clientHello?.sni = nasty
        c.findings = [Finding(code: nasty, severity: .info, side: nil, summary: nasty, detail: "", fix: "", frames: [])]
        c.notes = [Note(frame: nil, message: nasty)]
        var capture = Fixtures.capture(file: nasty, [c])
        capture.errors = []
        var summary = RunSummary()
        summary.add(c)
        for pretty in [true, false] {
            let text = JSONReportWriter.render(captures: [capture], summary: summary, version: nasty, pretty: pretty)
            // No raw control characters may reach the output (pretty mode's own newlines aside).
            #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
            #expect(!text.unicodeScalars.contains { $0.value == 0x7F || $0.value == 0x2028 || $0.value == 0x2029 })
            #expect(text.contains(#"\u0000\u0001\b\f\u001b[31m\u001f\u007f"#))
            let root = try jsonObject(text)
            #expect(root["version"] as? String == nasty)
            let cap = try #require((root["captures"] as? [[String: Any]])?.first)
            #expect(cap["file"] as? String == nasty)
            let conn = try #require((cap["connections"] as? [[String: Any]])?.first)
            #expect((conn["client_hello"] as? [String: Any])?["sni"] as? String == nasty)
            #expect((conn["findings"] as? [[String: Any]])?.first?["summary"] as? String == nasty)
            #expect((conn["notes"] as? [[String: Any]])?.first?["message"] as? String == nasty)
            #expect((root["summary"] as? [String: Any]).flatMap { $0["findings"] as? [String: Int] }?[nasty] == 1)
        }
    }

    @Test func millisecondsUseAtMostThreeDecimals() {
        let cases: [(Double, String)] = [
            (41.2, "41.2"), (0, "0"), (0.001, "0.001"), (0.0004, "0"), (0.05, "0.05"), (0.012, "0.012"),
            (1234.5678, "1234.568"), (-2.5, "-2.5"), (3, "3"), (.nan, "null"), (.infinity, "null"),
            (-.infinity, "null"), (1e300, "1e+300"),
        ]
        for (value, expected) in cases {
            var e = JSONEmitter(pretty: false)
            e.milliseconds(value)
            #expect(String(decoding: e.bytes, as: UTF8.self) == expected, "\(value)")
        }
        var e = JSONEmitter(pretty: false)
        e.beginArray()
        for value in [0, -1, Int.max, Int.min, 42] { e.int(value) }
        e.endArray()
        #expect(String(decoding: e.bytes, as: UTF8.self) == "[0,-1,9223372036854775807,-9223372036854775808,42]")
    }

    @Test func prettyIsIndentedAndCompactIsOneLine() {
        let compact = JSONReportWriter.render(
            captures: captures, summary: Fixtures.summary(captures), version: "0.1.0", pretty: false)
        #expect(compact.split(separator: "\n").count == 1)
        #expect(compact.hasPrefix(#"{"tool":"tlsflow","version":"0.1.0","schema":1,"captures":[{"file":"#))
        let lines = document.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "{")
        #expect(lines[1] == #"  "tool": "tlsflow","#)
        #expect(lines.contains(#"          "id": 1,"#))
        #expect(lines.contains(#"              "frames": [36, 38],"#))
        #expect(lines.contains(#"          "alerts": [],"#))
        #expect(document.hasSuffix("}\n"))
    }

    @Test func jsonLinesHaveOneConnectionPerLineWithItsCapture() throws {
        let two = [
            Fixtures.capture(file: "a.pcap", Fixtures.all), Fixtures.capture(file: "b.pcapng", [Fixtures.healthy12()]),
        ]
        let text = JSONReportWriter.render(
            captures: two, summary: Fixtures.summary(two), version: "0.1.0", pretty: true, jsonLines: true)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 6 && lines.last == "")
        for (index, line) in lines.dropLast().enumerated() {
            let object = try jsonObject(String(line))
            #expect(object["capture"] as? String == (index < 4 ? "a.pcap" : "b.pcapng"))
            checkTypes(object, Contract.connection, "line \(index)")
            checkOrder(try OrderedJSON.parse(String(line)), Contract.connection, "line", leading: ["capture"])
        }
    }

    @Test func streamsInChunksWhileBufferingOnlyText() throws {
        var chunks: [String] = []
        var writer = JSONReportWriter(pretty: false) { chunks.append($0) }
        writer.begin(version: "0.1.0")
        var capture = Fixtures.capture([])
        capture.patterns = []
        writer.beginCapture(capture)
        var summary = RunSummary()
        for id in 1...500 {
            let c = Fixtures.failedCert(id: id)
            summary.add(c)
            writer.connection(c)
        }
        // Nothing reaches the sink before the capture's late header fields are known.
        #expect(chunks.isEmpty)
        writer.endCapture(capture)
        writer.end(summary: summary)
        let root = try jsonObject(chunks.joined())
        let connections = (root["captures"] as? [[String: Any]])?.first?["connections"] as? [[String: Any]]
        #expect(connections?.map { $0["id"] as? Int } == (1...500).map { $0 })
        #expect((root["summary"] as? [String: Any])?["connections"] as? Int == 500)
    }

    @Test func patternsListTheirConnections() throws {
        var text = ""
        var writer = JSONReportWriter(pretty: false) { text += $0 }
        writer.begin(version: "1")
        var capture = Fixtures.capture([])
        capture.patterns[0].connectionIDs = [7, 9, 12]
        writer.beginCapture(capture)
        writer.endCapture(capture)
        writer.end(summary: RunSummary())
        let root = try jsonObject(text)
        let pattern = ((root["captures"] as? [[String: Any]])?.first?["patterns"] as? [[String: Any]])?.first
        #expect(pattern?["connections"] as? [Int] == [7, 9, 12])
        #expect(pattern?["code"] as? String == "resumption.aborted")
    }

    @Test func emptyRunIsAValidDocument() throws {
        let text = JSONReportWriter.render(captures: [], summary: RunSummary(), version: "0.1.0", pretty: true)
        let root = try jsonObject(text)
        #expect((root["captures"] as? [Any])?.isEmpty == true)
        checkTypes(root["summary"], Contract.summary, "summary")
    }
}

@Test func timestampsMatchTheModelsRFC3339() {
    let samples: [Timestamp] = [
        .zero, Timestamp(seconds: 1_714_557_600, nanoseconds: 123_456_789),
        Timestamp(seconds: 951_782_400, nanoseconds: 1),
        Timestamp(seconds: 253_402_300_799, nanoseconds: 999_999_999), Timestamp(seconds: -1, nanoseconds: 500_000_000),
        Timestamp(seconds: -62_135_596_800, nanoseconds: 0), Timestamp(seconds: 4_102_444_800, nanoseconds: 7_000),
        Timestamp(seconds: -86_400 * 400, nanoseconds: 0), Timestamp(seconds: 300_000_000_000, nanoseconds: 0),
    ]
    var generator = SystemRandomNumberGenerator()
    let random = (0..<200).map { _ in
        Timestamp(
            seconds: Int64.random(in: -5_000_000_000...20_000_000_000, using: &generator),
            nanoseconds: UInt32.random(in: 0..<1_000_000_000, using: &generator))
    }
    for t in samples + random {
        for ns in [false, true] {
            var e = JSONEmitter(pretty: false)
            e.timestamp(t, nanoseconds: ns)
            #expect(
                String(decoding: e.bytes, as: UTF8.self) == "\"" + t.rfc3339(nanosecondPrecision: ns) + "\"", "\(t)")
        }
    }
}

@Test func escapesAtEveryPositionOfLongStrings() throws {
    let specials: [(String, String)] = [
        ("\"", "\\\""), ("\\", "\\\\"), ("\n", "\\n"), ("\u{0}", "\\u0000"), ("\u{1F}", "\\u001f"),
        ("\u{7F}", "\\u007f"),
        ("\u{2028}", "\\u2028"), ("é", "é"), ("😀", "😀"), ("~", "~"), (" ", " "),
    ]
    for (special, escaped) in specials {
        for position in 0..<24 {
            let text = String(repeating: "a", count: position) + special + String(repeating: "b", count: 23 - position)
            var e = JSONEmitter(pretty: false)
            e.string(text)
            let expected =
                "\"" + String(repeating: "a", count: position) + escaped + String(repeating: "b", count: 23 - position)
                + "\""
            #expect(String(decoding: e.bytes, as: UTF8.self) == expected)
        }
    }
}

/// Every length around the 16- and 8-byte copy steps and the overlapping last word, with the
/// special byte at every position and none at all.
@Test func escapesAtEveryPositionOfEveryLength() {
    let specials: [(String, String)] = [("\"", "\\\""), ("\u{1}", "\\u0001"), ("\u{7F}", "\\u007f"), ("é", "é")]
    for length in 0..<40 {
        let plain = String((0..<length).map { Character(UnicodeScalar(UInt8(0x30 + $0 % 40))) })
        var e = JSONEmitter(pretty: false)
        e.string(plain)
        #expect(String(decoding: e.bytes, as: UTF8.self) == "\"" + plain + "\"")
        for (special, escaped) in specials {
            for position in 0..<length {
                let head = String(plain.prefix(position))
                let tail = String(plain.dropFirst(position + 1))
                var e = JSONEmitter(pretty: false)
                e.string(head + special + tail)
                #expect(String(decoding: e.bytes, as: UTF8.self) == "\"" + head + escaped + tail + "\"")
            }
        }
    }
}

/// Two characters that need care in one string, at every pair of positions: after the first
/// escape the rest of the string is scanned eight bytes at a time between escapes.
@Test func escapesTwoSpecialsAtEveryPairOfPositions() {
    func reference(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0..<0x20, 0x7F: out += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            case 0x2028, 0x2029: out += "\\u" + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
    let specials = ["é", "\"", "\u{2028}", "\u{1}", "—", "😀"]
    for length in [20, 33] {
        for first in 0..<length {
            for second in first..<length {
                for (a, b) in [(specials[0], specials[1]), (specials[4], specials[2]), (specials[5], specials[3])] {
                    var scalars = Array(repeating: "x", count: length)
                    scalars[first] = a
                    scalars[second] = b
                    let text = scalars.joined()
                    var e = JSONEmitter(pretty: false)
                    e.string(text)
                    #expect(String(decoding: e.bytes, as: UTF8.self) == reference(text), "\(first) \(second)")
                }
            }
        }
    }
}

/// Digits come in pairs from a table: every digit count, both sides of each power of ten.
@Test func integersOfEveryLength() {
    var values: [Int] = [0, 1, 9, Int.max, Int.min, Int.min + 1]
    var power = 1
    for _ in 1...18 {
        power *= 10
        values += [power - 1, power, power + 1, -power, -(power - 1)]
    }
    for value in values {
        var e = JSONEmitter(pretty: false)
        e.int(value)
        #expect(String(decoding: e.bytes, as: UTF8.self) == String(value))
    }
}

@Test(arguments: [true, false]) func severalCapturesInOneDocument(pretty: Bool) throws {
    let captures = [
        Fixtures.capture(file: "a.pcap", Fixtures.all), Fixtures.capture(file: "empty.pcap", []),
        Fixtures.capture(file: "b.pcapng", nanoseconds: true, [Fixtures.healthy12(id: 1), Fixtures.failedCert(id: 2)]),
    ]
    let text = JSONReportWriter.render(
        captures: captures, summary: Fixtures.summary(captures), version: "0.1.0", pretty: pretty)
    let root = try jsonObject(text)
    let parsed = try #require(root["captures"] as? [[String: Any]])
    #expect(parsed.map { $0["file"] as? String } == ["a.pcap", "empty.pcap", "b.pcapng"])
    let ids = parsed.map { ($0["connections"] as? [[String: Any]])?.map { $0["id"] as? Int } }
    #expect(ids == [[1, 2, 3, 4], [], [1, 2]])
    #expect((root["summary"] as? [String: Any])?["connections"] as? Int == 6)
}

@Suite struct SpillFileTests {
    /// Chunks come back whole and in order from one reused buffer, whatever their sizes.
    @Test func replaysChunksInOrder() {
        let spill = SpillFile()
        let chunks: [[UInt8]] = [
            Array("[{\"a\":1}".utf8), [], Array(repeating: 0x41, count: 70_000), Array(",\"é\"]".utf8),
        ]
        for chunk in chunks { chunk.withUnsafeBytes { spill.append($0) } }
        var replayed: [[UInt8]] = []
        spill.replay { replayed.append(Array($0)) }
        #expect(replayed == chunks)
    }

    /// A document large enough to spill renders the same as one built in memory.
    @Test func spilledDocumentMatchesTheConnections() throws {
        var bytes: [UInt8] = []
        var writer = JSONReportWriter(pretty: false) { bytes.append(contentsOf: $0) }
        writer.begin(version: "test")
        var capture = CaptureReport(file: "big.pcap", format: "pcap")
        writer.beginCapture(capture)
        let template = Fixtures.failedCert()
        let count = 12_000
        for id in 1...count {
            var connection = template
            connection.id = id
            writer.connection(connection)
        }
        capture.packets = count
        writer.endCapture(capture)
        writer.end(summary: RunSummary())
        #expect(bytes.count > 16 << 20)
        let document = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        let captures = document?["captures"] as? [[String: Any]]
        let connections = captures?.first?["connections"] as? [[String: Any]]
        #expect(connections?.count == count)
        #expect(connections?.map { $0["id"] as? Int } == (1...count).map { Optional($0) })
    }
}

@Suite struct SharedListRenderingTests {
    /// Rendered from the cache or not, a list comes out exactly as `strings` writes it: shared
    /// arrays, arrays changed after being rendered (copy-on-write gives them new storage), and
    /// arrays freed and replaced by others of the same size.
    @Test(arguments: [false, true])
    func matchesPlainRendering(pretty: Bool) {
        var shared = JSONEmitter(pretty: pretty)
        var plain = JSONEmitter(pretty: pretty)
        func both(_ list: [String]) {
            shared.sharedStrings(list)
            plain.strings(list)
        }
        shared.beginArray()
        plain.beginArray()
        let suites = ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_\"quoted\"\n"]
        for _ in 0..<3 { both(suites) }
        var changed = suites
        changed[1] = "TLS_CHACHA20_POLY1305_SHA256"
        both(changed)
        both(suites)
        for round in 0..<600 {
            let fresh = ["a\(round)", "b\(round % 7)", "c"]
            both(fresh)
            both(fresh)
        }
        both([])
        both(["only"])
        shared.endArray()
        plain.endArray()
        #expect(shared.bytes == plain.bytes)
    }
}
