import Foundation
import TLSFlowModel

/// What a capture is expected to yield, per connection: the sidecar `NAME.expect.json` used by
/// `tlsflow check` to catch drift in CI.
public struct CaptureExpectation: Equatable, Sendable {
    public struct ConnectionExpectation: Equatable, Sendable {
        public var connection: Int
        public var status: String
        /// Error and warning finding codes, headline first.
        public var findings: [String]
        public init(connection: Int, status: String, findings: [String]) {
            self.connection = connection
            self.status = status
            self.findings = findings
        }
    }
    public var connections: Int?
    public var expect: [ConnectionExpectation]

    public init(connections: Int?, expect: [ConnectionExpectation]) {
        self.connections = connections
        self.expect = expect
    }

    /// The expectation that the given results would satisfy (for `check --update`).
    public init(results: [Connection]) {
        connections = results.count
        expect = results.map {
            ConnectionExpectation(connection: $0.id, status: $0.status.rawValue, findings: Self.codes(of: $0))
        }
    }

    static func codes(of connection: Connection) -> [String] {
        connection.findings.filter { $0.severity != .info }.map(\.code)
    }

    public init(json: Data) throws {
        guard let object = try JSONSerialization.jsonObject(with: json) as? [String: Any] else {
            throw ExpectationError("the top level must be an object")
        }
        connections = object["connections"] as? Int
        guard let list = object["expect"] as? [[String: Any]] else {
            throw ExpectationError("\"expect\" must be a list of {\"connection\", \"status\", \"findings\"}")
        }
        expect = try list.map { entry in
            guard let id = entry["connection"] as? Int else {
                throw ExpectationError("every entry needs \"connection\" (the id as tlsflow numbers it)")
            }
            return ConnectionExpectation(
                connection: id, status: entry["status"] as? String ?? "ok",
                findings: entry["findings"] as? [String] ?? [])
        }
    }

    public func json() -> String {
        var lines = ["{"]
        if let connections { lines.append("  \"connections\": \(connections),") }
        lines.append("  \"expect\": [")
        for (index, entry) in expect.enumerated() {
            let codes = entry.findings.map { "\"\($0)\"" }.joined(separator: ", ")
            let comma = index == expect.count - 1 ? "" : ","
            lines.append(
                "    {\"connection\": \(entry.connection), \"status\": \"\(entry.status)\", \"findings\": [\(codes)]}\(comma)"
            )
        }
        lines.append("  ]")
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Human-readable differences between this expectation and the results; empty when they agree.
    public func differences(from results: [Connection]) -> [String] {
        var out: [String] = []
        if let connections, connections != results.count {
            out.append("expected \(connections) TLS connection(s), found \(results.count)")
        }
        let byID = Dictionary(results.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for entry in expect {
            guard let connection = byID[entry.connection] else {
                out.append("connection \(entry.connection): expected, not found")
                continue
            }
            let found = Self.codes(of: connection)
            if connection.status.rawValue != entry.status {
                out.append(
                    "connection \(entry.connection): status \(entry.status) expected, found \(connection.status.rawValue)"
                )
            }
            for code in entry.findings where !found.contains(code) {
                out.append("connection \(entry.connection): - \(code) (expected, not found)")
            }
            for code in found where !entry.findings.contains(code) {
                out.append("connection \(entry.connection): + \(code) (found, not expected)")
            }
            if let expectedHeadline = entry.findings.first, let headline = found.first, expectedHeadline != headline,
                Set(found) == Set(entry.findings)
            {
                out.append("connection \(entry.connection): headline \(expectedHeadline) expected, found \(headline)")
            }
        }
        return out
    }

    /// The sidecar for a capture: `NAME.expect.json` beside `NAME.pcap` (or `NAME.pcap.expect.json`).
    public static func sidecarPath(for capture: String) -> String {
        let ext = (capture as NSString).pathExtension
        let base = ext.isEmpty ? capture : String(capture.dropLast(ext.count + 1))
        return base + ".expect.json"
    }

    public static func existingSidecar(for capture: String) -> String? {
        let candidates = [sidecarPath(for: capture), capture + ".expect.json"]
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }
}

public struct ExpectationError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
