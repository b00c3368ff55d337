import Foundation
import TLSFlowKit
import TLSFlowModel
import Testing

/// Checks tlsflow against the hand-written expectations in Captures/cases.json: what a correct
/// analysis of each bundled capture must say (written from tshark's view of the wire, not from
/// tlsflow's output).
@Suite struct CaptureCasesTests {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let captures = repoRoot.appendingPathComponent("Captures")

    static func loadCases() throws -> [[String: Any]] {
        let data = try Data(contentsOf: captures.appendingPathComponent("cases.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
    }

    /// The clients in these captures trusted the test root; judge as they did, at a fixed "now".
    static func session(keyLog: String? = nil) throws -> AnalysisSession {
        var options = AnalysisOptions()
        options.caFiles = [captures.appendingPathComponent("certs/trust-root.pem").path]
        options.useSystemRoots = false
        options.now = Timestamp(rfc3339: "2026-11-23T00:00:00Z")
        if let keyLog { options.keyLogFiles = [keyLog] }
        return try AnalysisSession(options: options)
    }

    struct Tally {
        var compared = 0
        var agreed = 0
        var failures: [String] = []
        mutating func check(_ ok: Bool, _ what: @autoclosure () -> String) {
            compared += 1
            if ok { agreed += 1 } else { failures.append(what()) }
        }
    }

    static func alertText(_ alert: AlertInfo, decrypted: Bool) -> String {
        if alert.encrypted && !(decrypted && alert.decrypted) { return "\(alert.from.rawValue) encrypted" }
        return "\(alert.from.rawValue) \(alert.level.rawValue) \(alert.description)"
    }

    static func compare(_ expect: [String: Any], _ c: Connection, decrypted: Bool, file: String, into t: inout Tally) {
        let id = "\(file)#\(c.id)"
        let found = c.findings.filter { $0.severity != .info }.map(\.code)
        if !decrypted {
            let statuses = [expect["status"] as? String ?? "ok"] + (expect["status_also_acceptable"] as? [String] ?? [])
            t.check(statuses.contains(c.status.rawValue), "\(id): status \(c.status.rawValue), expected \(statuses)")
            let alternatives =
                [expect["findings"] as? [String] ?? []] + (expect["findings_alternatives"] as? [[String]] ?? [])
            let matches = alternatives.contains { wanted in
                wanted.isEmpty ? found.isEmpty : (found.first == wanted.first && Set(wanted).isSubset(of: Set(found)))
            }
            t.check(matches, "\(id): findings \(found), expected one of \(alternatives)")
            if let side = expect["finding_side"] as? String, let headline = c.findings.first {
                t.check(
                    headline.side?.rawValue == side,
                    "\(id): headline side \(headline.side?.rawValue ?? "nil"), expected \(side)")
            }
        }
        if let sni = expect["sni"] as? String {
            t.check(c.clientHello?.sni == sni, "\(id): sni \(c.clientHello?.sni ?? "nil")")
        }
        if let version = expect["version"] as? String {
            t.check(c.version == version, "\(id): version \(c.version ?? "nil") vs \(version)")
        }
        if let suite = expect["cipher_suite"] as? String {
            t.check(
                c.serverHello?.cipherSuite == suite, "\(id): suite \(c.serverHello?.cipherSuite ?? "nil") vs \(suite)")
        }
        if let frame = expect["client_hello_frame"] as? Int {
            t.check(c.clientHello?.frame == frame, "\(id): ClientHello frame \(c.clientHello?.frame ?? -1) vs \(frame)")
        }
        if let frame = expect["server_hello_frame"] as? Int {
            t.check(c.serverHello?.frame == frame, "\(id): ServerHello frame \(c.serverHello?.frame ?? -1) vs \(frame)")
        }
        if let resumption = expect["resumption"] as? [String: Any] {
            let offered = resumption["offered"] as? String ?? "none"
            t.check(
                c.resumption.offered.rawValue == offered,
                "\(id): resumption offered \(c.resumption.offered.rawValue) vs \(offered)")
            let accepted = resumption["accepted"] as? Bool
            t.check(
                c.resumption.accepted == accepted,
                "\(id): resumption accepted \(String(describing: c.resumption.accepted)) vs \(String(describing: accepted))"
            )
        }
        for (key, certificates) in [
            ("server_certificates", c.serverCertificates), ("client_certificates", c.clientCertificates),
        ] {
            guard let subjects = expect[key] as? [String],
                !(decrypted == false && c.version == "TLS 1.3" && key == "server_certificates")
            else {
                continue
            }
            let got = certificates.map(\.subject)
            let ok = got.count == subjects.count && zip(got, subjects).allSatisfy { $0.hasPrefix($1) }
            t.check(ok, "\(id): \(key) \(got) vs \(subjects)")
        }
        let alertKey = decrypted ? "alerts_decrypted" : "alerts"
        if let alerts = expect[alertKey] as? [String] {
            let got = c.alerts.map { alertText($0, decrypted: decrypted) }
            t.check(got == alerts, "\(id): \(alertKey) \(got) vs \(alerts)")
        }
        if let frames = expect["alert_frames"] as? [Int] {
            t.check(c.alerts.map(\.frame) == frames, "\(id): alert frames \(c.alerts.map(\.frame)) vs \(frames)")
        }
        if let tcp = expect["tcp"] as? [String: Any] {
            if let value = tcp["handshake"] as? String {
                t.check(
                    c.tcp.handshake.rawValue == value, "\(id): tcp.handshake \(c.tcp.handshake.rawValue) vs \(value)")
            }
            if let value = tcp["end"] as? String {
                t.check(c.tcp.end.rawValue == value, "\(id): tcp.end \(c.tcp.end.rawValue) vs \(value)")
            }
            if let value = tcp["ended_by"] as? String {
                t.check(
                    c.tcp.endedBy?.rawValue == value,
                    "\(id): tcp.ended_by \(c.tcp.endedBy?.rawValue ?? "nil") vs \(value)")
            }
        }
        // TLS 1.3 encrypts the CertificateRequest: only a key log shows it.
        if let requested = expect["client_auth_requested"] as? Bool, decrypted || c.version != "TLS 1.3" {
            t.check(c.clientAuthRequested == requested, "\(id): client_auth_requested \(c.clientAuthRequested)")
        }
        if let data = expect["application_data"] as? [String: Any], !decrypted {
            if let n = data["client_records"] as? Int {
                t.check(
                    c.applicationData.clientRecords == n,
                    "\(id): client records \(c.applicationData.clientRecords) vs \(n)")
            }
            if let n = data["server_records"] as? Int {
                t.check(
                    c.applicationData.serverRecords == n,
                    "\(id): server records \(c.applicationData.serverRecords) vs \(n)")
            }
        }
        if let key = expect["leaf_key"] as? String {
            t.check(
                c.serverCertificates.first?.key == key, "\(id): leaf key \(c.serverCertificates.first?.key ?? "nil")")
        }
    }

    func run(decrypted: Bool) throws -> Tally {
        var tally = Tally()
        for entry in try Self.loadCases() {
            let file = try #require(entry["file"] as? String)
            let path = Self.captures.appendingPathComponent("pcaps/\(file)").path
            let keyLog = URL(fileURLWithPath: path).deletingPathExtension().path + ".keylog"
            if decrypted && !FileManager.default.fileExists(atPath: keyLog) { continue }
            let session = try Self.session(keyLog: decrypted ? keyLog : nil)
            var connections: [Connection] = []
            _ = try session.analyze(path: path) { connections.append($0) }
            if let count = entry["connections"] as? Int {
                tally.check(connections.count == count, "\(file): \(connections.count) connections, expected \(count)")
            }
            for expect in entry["expect"] as? [[String: Any]] ?? [] {
                guard let id = expect["connection"] as? Int, let connection = connections.first(where: { $0.id == id })
                else {
                    tally.check(false, "\(file): connection \(expect["connection"] ?? "?") missing")
                    continue
                }
                Self.compare(expect, connection, decrypted: decrypted, file: file, into: &tally)
            }
        }
        return tally
    }

    @Test func everyBundledCaptureIsClassifiedAsExpected() throws {
        let tally = try run(decrypted: false)
        print("Captures/cases.json without keys: \(tally.agreed)/\(tally.compared) expectations met")
        #expect(tally.failures.isEmpty, "\(tally.failures.joined(separator: "\n"))")
        #expect(tally.compared > 300)
    }

    @Test func withKeyLogsDecryptedAlertsAndCertificatesAreAsExpected() throws {
        let tally = try run(decrypted: true)
        print("Captures/cases.json with key logs: \(tally.agreed)/\(tally.compared) expectations met")
        #expect(tally.failures.isEmpty, "\(tally.failures.joined(separator: "\n"))")
        #expect(tally.compared > 100)
    }
}
