import Foundation

/// Where the test data lives: the copied public fixtures, and the shared directory next to the
/// repository that holds the captures that may not be copied (ja4/).
enum FixturePaths {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent()
    static let publicFixtures = testsDirectory.deletingLastPathComponent().appendingPathComponent("PublicCaptures")
    static let repoRoot = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    static let sharedPublic = repoRoot.deletingLastPathComponent().appendingPathComponent(
        "shared/captures/public")

    /// The ja4 captures are beside the clone (they are in CI); elsewhere the checks that need them
    /// are skipped and the others still run.
    static let ja4Present = FileManager.default.fileExists(atPath: sharedPublic.appendingPathComponent("ja4").path)

    /// Public captures: 66 copied into the repository, 6 more in ja4/.
    static let expectedCount = 66 + (ja4Present ? 6 : 0)

    /// Copied sources (in the repository) and the ja4 source (read from the shared directory).
    static let copiedSources = ["zeek", "arkime", "ndpi", "suricata-verify", "illustrated-tls"]

    /// Every public capture as (name relative to the public root, absolute path).
    static func captures(includeJA4: Bool) -> [(name: String, path: String)] {
        var result: [(String, String)] = []
        for source in copiedSources {
            result += captureFiles(in: publicFixtures.appendingPathComponent(source), prefix: source)
        }
        if includeJA4 {
            result += captureFiles(in: sharedPublic.appendingPathComponent("ja4"), prefix: "ja4")
        }
        return result.sorted { $0.0 < $1.0 }
    }

    private static func captureFiles(in directory: URL, prefix: String) -> [(String, String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.map {
            ("\(prefix)/\($0)", directory.appendingPathComponent($0).path)
        }
    }
}

/// One row of a `*.tshark.tsv` oracle: one frame carrying TLS handshake/alert/CCS records.
/// tshark was run with `-E occurrence=a -E aggregator=,`, so a field that occurs several times in
/// the frame (several records, several messages) is the comma-joined list of its occurrences, in
/// order; a field absent from a record is simply missing from the list (not an empty slot).
struct TsharkFrame: Sendable {
    var frame: Int
    var stream: Int?
    var src: String
    var srcPort: UInt16
    var dst: String
    var dstPort: UInt16
    var fields: [String: [String]]

    func values(_ name: String) -> [String] { fields[name] ?? [] }
    func first(_ name: String) -> String? { values(name).first }

    /// SSLv2-format records carry record version 0x0002 and no content type; their message codes
    /// (1 CLIENT-HELLO, 2 CLIENT-MASTER-KEY, 4 SERVER-HELLO) are not TLS handshake types.
    var isSSLv2: Bool { values("tls.record.version").contains("0x0002") }

    var handshakeTypes: [Int] { values("tls.handshake.type").compactMap { Int($0) } }
}

/// One certificate of a Certificate message in a `*.certs.tsv` oracle.
struct TsharkCertificate: Sendable {
    var frame: Int
    var src: String
    var srcPort: UInt16
    var dst: String
    var dstPort: UInt16
    var index: Int
    var serial: String
    var subject: String
    var issuer: String
    var notBefore: String
    var notAfter: String
    var sanDNS: [String]
    var sanIP: [String]
}

enum TsharkOracle {
    /// Reads a tab-separated file with a header line into dictionaries keyed by column name.
    static func readTable(_ path: String) throws -> [[String: String]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard !lines.isEmpty else { return [] }
        let header = lines.removeFirst().split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        return lines.map { line in
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            var row: [String: String] = [:]
            for (index, name) in header.enumerated() where index < cells.count {
                row[name] = cells[index]
            }
            return row
        }
    }

    static func list(_ cell: String?) -> [String] {
        guard let cell, !cell.isEmpty else { return [] }
        return cell.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }

    /// Tunnelled packets list the outer and inner addresses; the TCP connection is the innermost.
    private static func address(_ row: [String: String], v4: String, v6: String) -> String {
        let v4s = list(row[v4])
        let v6s = list(row[v6])
        // A frame has one innermost IP header; prefer whichever family appears last is not
        // knowable from the TSV, so take IPv6 when there is no IPv4 and the last IPv4 otherwise.
        if let last = v4s.last { return v6s.isEmpty ? last : (v6s.last ?? last) }
        return v6s.last ?? ""
    }

    /// Frames of TCP connections only (QUIC and other UDP TLS rows carry no tcp.stream).
    static func frames(_ path: String) throws -> [TsharkFrame] {
        try readTable(path).compactMap { row in
            guard let frame = Int(row["frame.number"] ?? ""), let stream = Int(row["tcp.stream"] ?? ""),
                let srcPort = list(row["tcp.srcport"]).last.flatMap({ UInt16($0) }),
                let dstPort = list(row["tcp.dstport"]).last.flatMap({ UInt16($0) })
            else { return nil }
            var fields: [String: [String]] = [:]
            for (name, value) in row { fields[name] = list(value) }
            return TsharkFrame(
                frame: frame, stream: stream, src: address(row, v4: "ip.src", v6: "ipv6.src"), srcPort: srcPort,
                dst: address(row, v4: "ip.dst", v6: "ipv6.dst"), dstPort: dstPort, fields: fields)
        }
    }

    static func certificates(_ path: String) throws -> [TsharkCertificate] {
        try readTable(path).compactMap { row in
            guard let frame = Int(row["frame"] ?? ""), let index = Int(row["cert_index"] ?? ""),
                let srcPort = UInt16(row["srcport"] ?? ""), let dstPort = UInt16(row["dstport"] ?? "")
            else { return nil }
            return TsharkCertificate(
                frame: frame, src: list(row["src"]).last ?? "", srcPort: srcPort, dst: list(row["dst"]).last ?? "",
                dstPort: dstPort, index: index, serial: row["serial"] ?? "", subject: row["subject"] ?? "",
                issuer: row["issuer"] ?? "", notBefore: row["notBefore"] ?? "", notAfter: row["notAfter"] ?? "",
                sanDNS: list(row["san_dns"]), sanIP: list(row["san_ip"]))
        }
    }

    /// The first value of an attribute in tshark's RDN rendering ("id-at-commonName=x,id-at-..."),
    /// which may be prefixed by "N items (" and cut short. Values may contain commas, so a value
    /// ends where the next "<attribute-name>=" begins.
    static func attribute(_ name: String, in rendering: String) -> String? {
        var text = Substring(rendering)
        if let open = text.range(of: " items (") { text = text[open.upperBound...] }
        let key = name + "="
        guard let start = text.range(of: key) else { return nil }
        let rest = text[start.upperBound...]
        var end = rest.endIndex
        var search = rest.startIndex
        while let comma = rest[search...].firstIndex(of: ",") {
            let after = rest[rest.index(after: comma)...]
            if let equals = after.firstIndex(of: "="),
                after[..<equals].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }),
                !after[..<equals].isEmpty
            {
                end = comma
                break
            }
            search = rest.index(after: comma)
        }
        var value = String(rest[..<end])
        if end == rest.endIndex && isTruncated(rendering) { return nil }
        if value.hasSuffix(")") && rendering.contains(" items (") && end == rest.endIndex { value.removeLast() }
        return value
    }

    /// Long names are rendered "N items (a=1,b=2,...)" and cut at a fixed length by the PDML
    /// export, losing the closing parenthesis: values after the cut are unknown.
    static func isTruncated(_ rendering: String) -> Bool {
        guard let open = rendering.range(of: " items ("), rendering[..<open.lowerBound].allSatisfy(\.isNumber)
        else { return false }
        return !rendering.hasSuffix(")")
    }
}
