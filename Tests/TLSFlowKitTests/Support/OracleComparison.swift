import Foundation
import TLSFlowKit
import TLSFlowModel

/// One value tshark and tlsflow disagree on.
struct OracleDifference: Sendable, CustomStringConvertible {
    var capture: String
    var frame: Int
    var field: String
    var expected: String
    var got: String
    /// "capture#frame#field", the key of the known-difference lists.
    var key: String { "\(capture)#\(frame)#\(field)" }
    var description: String { "\(key): tshark \(expected.debugDescription), tlsflow \(got.debugDescription)" }
}

/// Values compared and values agreeing, per field.
struct OracleTally: Sendable {
    var compared: [String: Int] = [:]
    var agreed: [String: Int] = [:]
    var differences: [OracleDifference] = []

    mutating func merge(_ other: OracleTally) {
        compared.merge(other.compared, uniquingKeysWith: +)
        agreed.merge(other.agreed, uniquingKeysWith: +)
        differences += other.differences
    }

    var totalCompared: Int { compared.values.reduce(0, +) }
    var totalAgreed: Int { agreed.values.reduce(0, +) }

    /// Markdown table: field, compared, agreeing, percentage.
    func table() -> String {
        func percent(_ a: Int, _ c: Int) -> String {
            c == 0 ? "-" : String(format: "%.2f %%", Double(a) * 100 / Double(c))
        }
        var lines = ["| field | compared | agree | agreement |", "|---|---:|---:|---:|"]
        for field in compared.keys.sorted() {
            let c = compared[field] ?? 0
            let a = agreed[field] ?? 0
            lines.append("| \(field) | \(c) | \(a) | \(percent(a, c)) |")
        }
        lines.append("| **all fields** | \(totalCompared) | \(totalAgreed) | \(percent(totalAgreed, totalCompared)) |")
        return lines.joined(separator: "\n")
    }
}

/// Compares one capture's connections with tshark's per-frame view of it.
struct OracleComparison {
    let capture: String
    let connections: [Connection]
    var tally = OracleTally()

    init(capture: String, connections: [Connection]) {
        self.capture = capture
        self.connections = connections
    }

    mutating func check(_ field: String, frame: Int, expected: String, got: String) {
        tally.compared[field, default: 0] += 1
        if expected == got {
            tally.agreed[field, default: 0] += 1
        } else {
            tally.differences.append(
                OracleDifference(capture: capture, frame: frame, field: field, expected: expected, got: got))
        }
    }

    /// The connection carrying a frame between these endpoints, and the side that sent it.
    func connection(frame: Int, src: String, srcPort: UInt16, dst: String, dstPort: UInt16) -> (Int, Side)? {
        for (index, connection) in connections.enumerated()
        where connection.firstFrame <= frame && frame <= connection.lastFrame {
            let client = connection.client
            let server = connection.server
            if client.ip == src && client.port == srcPort && server.ip == dst && server.port == dstPort {
                return (index, .client)
            }
            if server.ip == src && server.port == srcPort && client.ip == dst && client.port == dstPort {
                return (index, .server)
            }
        }
        return nil
    }

    mutating func compare(frames: [TsharkFrame], certificates: [TsharkCertificate]) {
        var byConnection: [Int: [(TsharkFrame, Side)]] = [:]
        for frame in frames.sorted(by: { $0.frame < $1.frame }) {
            let found = connection(
                frame: frame.frame, src: frame.src, srcPort: frame.srcPort, dst: frame.dst, dstPort: frame.dstPort)
            check(
                "connection", frame: frame.frame, expected: "\(frame.src):\(frame.srcPort)",
                got: found.map { _ in "\(frame.src):\(frame.srcPort)" } ?? "no connection")
            if let (index, side) = found { byConnection[index, default: []].append((frame, side)) }
        }
        for (index, rows) in byConnection.sorted(by: { $0.key < $1.key }) {
            let connection = connections[index]
            compareClientHello(connection, rows)
            compareServerHello(connection, rows)
            compareHandshakeMessages(connection, rows)
            compareAlerts(connection, rows)
        }
        // The number of certificates in each Certificate message, from its certificate_length list;
        // certs.tsv also lists certificates found elsewhere in the frame (an OCSP response's signer).
        var chainLengths: [Int: Int] = [:]
        for frame in frames where !frame.values("tls.handshake.certificate_length").isEmpty {
            chainLengths[frame.frame] = frame.values("tls.handshake.certificate_length").count
        }
        compareCertificates(certificates, chainLengths: chainLengths)
    }

    // MARK: hellos

    mutating func compareClientHello(_ connection: Connection, _ rows: [(TsharkFrame, Side)]) {
        guard let (row, _) = rows.first(where: { $0.1 == .client && $0.0.handshakeTypes.contains(1) }) else { return }
        let frame = row.frame
        let hello = connection.clientHello
        check("clientHello.frame", frame: frame, expected: String(frame), got: hello.map { String($0.frame) } ?? "none")
        guard let hello else { return }
        check(
            "clientHello.sni", frame: frame, expected: row.first("tls.handshake.extensions_server_name") ?? "",
            got: hello.sni ?? "")
        check(
            "clientHello.sessionID", frame: frame, expected: row.first("tls.handshake.session_id") ?? "",
            got: hello.sessionID)
        if let legacy = row.first("tls.handshake.version") {
            check(
                "clientHello.legacyVersion", frame: frame, expected: Self.versionName(legacy), got: hello.legacyVersion)
        }
        check(
            "clientHello.recordVersion", frame: frame, expected: Self.versionName(Self.handshakeRecordVersion(row)),
            got: hello.recordVersion)
        if !row.isSSLv2 {
            check(
                "clientHello.supportedVersions", frame: frame,
                expected: row.values("tls.handshake.extensions.supported_version").map(Self.versionName)
                    .joined(separator: ","),
                got: hello.supportedVersions.joined(separator: ","))
            check(
                "clientHello.cipherSuites", frame: frame,
                expected: row.values("tls.handshake.ciphersuite").joined(separator: ","),
                got: hello.cipherSuiteValues.map(Self.hex4).joined(separator: ","))
        }
    }

    mutating func compareServerHello(_ connection: Connection, _ rows: [(TsharkFrame, Side)]) {
        // tshark 4.0 labels a HelloRetryRequest a ServerHello; tlsflow reports the real one,
        // which is the last. SSLv2 SERVER-HELLO (code 4) is not a TLS ServerHello.
        guard
            let (row, _) = rows.last(where: {
                $0.1 == .server && !$0.0.isSSLv2 && $0.0.handshakeTypes.contains(2)
            })
        else { return }
        let frame = row.frame
        let hello = connection.serverHello
        check("serverHello.frame", frame: frame, expected: String(frame), got: hello.map { String($0.frame) } ?? "none")
        guard let hello else { return }
        let version =
            row.first("tls.handshake.extensions.supported_version") ?? row.first("tls.handshake.version") ?? ""
        check("serverHello.version", frame: frame, expected: Self.versionName(version), got: hello.version)
        check(
            "serverHello.cipherSuite", frame: frame, expected: row.first("tls.handshake.ciphersuite") ?? "",
            got: Self.hex4(hello.cipherSuiteValue))
        check(
            "serverHello.sessionID", frame: frame, expected: row.first("tls.handshake.session_id") ?? "",
            got: hello.sessionID)
    }

    /// Every plaintext handshake message tshark dissects, by frame and type, against the timeline.
    mutating func compareHandshakeMessages(_ connection: Connection, _ rows: [(TsharkFrame, Side)]) {
        // SSLv2 messages have no place in the model; at least tlsflow must not call a frame that
        // tshark dissects as SSLv2 "not TLS".
        for (row, _) in rows where row.isSSLv2 {
            let malformed = connection.findings.filter { $0.code == "tls.malformed" && $0.frames.contains(row.frame) }
            check(
                "sslv2.recognised", frame: row.frame, expected: "",
                got: malformed.map(\.code).joined(separator: ","))
        }
        guard connection.timeline.elided == 0 else { return }
        var seen: [Int: [String]] = [:]
        for event in connection.timeline.events {
            if case .handshake(let type, _, _) = event.kind {
                seen[event.frame, default: []].append("\(event.from.rawValue):\(type)")
            }
        }
        for (row, side) in rows where !row.isSSLv2 {
            let expected = row.handshakeTypes.map { "\(side.rawValue):\($0)" }
            check(
                "handshake.messages", frame: row.frame, expected: expected.joined(separator: ","),
                got: (seen[row.frame] ?? []).joined(separator: ","))
        }
    }

    // MARK: alerts

    mutating func compareAlerts(_ connection: Connection, _ rows: [(TsharkFrame, Side)]) {
        var tsharkAlertFrames = Set<Int>()
        for (row, side) in rows {
            let descriptions = row.values("tls.alert_message.desc")
            let levels = row.values("tls.alert_message.level")
            let alertRecords = row.values("tls.record.content_type").filter { $0 == "21" }.count
            guard alertRecords > 0 || !descriptions.isEmpty else { continue }
            tsharkAlertFrames.insert(row.frame)
            let expected = zip(levels, descriptions).map { "\(side.rawValue):\(Self.levelName($0)):\($1)" }
            let ours = connection.alerts.filter { $0.frame == row.frame }
            let plain = ours.filter { !$0.encrypted || $0.decrypted }.map {
                "\($0.from.rawValue):\($0.level.rawValue):\($0.descriptionCode.map { String($0) } ?? "?")"
            }
            check(
                "alert", frame: row.frame, expected: expected.joined(separator: ","), got: plain.joined(separator: ","))
            check(
                "alert.encrypted", frame: row.frame, expected: String(max(alertRecords - descriptions.count, 0)),
                got: String(ours.filter { $0.encrypted && !$0.decrypted }.count))
        }
        // An alert tlsflow reports in a frame tshark saw none in is a disagreement too.
        for alert in connection.alerts where !tsharkAlertFrames.contains(alert.frame) {
            check("alert", frame: alert.frame, expected: "", got: "\(alert.from.rawValue):\(alert.level.rawValue)")
        }
    }

    // MARK: certificates

    mutating func compareCertificates(_ certificates: [TsharkCertificate], chainLengths: [Int: Int]) {
        // Group into chains: one Certificate message per (frame, sender).
        var chains: [[TsharkCertificate]] = []
        for certificate in certificates.sorted(by: { ($0.frame, $0.index) < ($1.frame, $1.index) }) {
            if let last = chains.last?.last, last.frame == certificate.frame, last.src == certificate.src,
                last.srcPort == certificate.srcPort, certificate.index > last.index
            {
                chains[chains.count - 1].append(certificate)
            } else {
                chains.append([certificate])
            }
        }
        var comparedChain = Set<String>()
        for chain in chains {
            guard let head = chain.first else { continue }
            let frame = head.frame
            guard
                let (index, side) = connection(
                    frame: frame, src: head.src, srcPort: head.srcPort, dst: head.dst, dstPort: head.dstPort)
            else {
                check("certificate.frame", frame: frame, expected: String(frame), got: "no connection")
                continue
            }
            let connection = connections[index]
            // tlsflow keeps one chain per side (the first); a second Certificate message on the
            // same side (renegotiation) is compared by frame only.
            let chainKey = "\(index)/\(side.rawValue)"
            let ours = side == .server ? connection.serverCertificates : connection.clientCertificates
            let ourFrame = side == .server ? connection.serverCertificateFrame : connection.clientCertificateFrame
            let field = side == .server ? "certificate" : "clientCertificate"
            let chain = chain.prefix(chainLengths[frame] ?? chain.count)
            check("\(field).frame", frame: frame, expected: String(frame), got: ourFrame.map(String.init) ?? "none")
            guard !comparedChain.contains(chainKey) else { continue }
            comparedChain.insert(chainKey)
            check("\(field).count", frame: frame, expected: String(chain.count), got: String(ours.count))
            for certificate in chain {
                guard certificate.index < ours.count else { continue }
                let mine = ours[certificate.index]
                check("\(field).serial", frame: frame, expected: certificate.serial, got: mine.serial)
                for (label, tsharkName, ourName) in [
                    ("CN", "id-at-commonName", "CN"), ("O", "id-at-organizationName", "O"),
                ] {
                    for (part, rendering, ours) in [
                        ("subject", certificate.subject, mine.subject), ("issuer", certificate.issuer, mine.issuer),
                    ] {
                        let value = TsharkOracle.attribute(tsharkName, in: rendering)
                        // In a truncated rendering an absent or cut-off value is unknown, not empty.
                        if value == nil && TsharkOracle.isTruncated(rendering) { continue }
                        check(
                            "\(field).\(part)\(label)", frame: frame, expected: Self.tsharkValue(value),
                            got: Self.rfc4514Value(ourName, in: ours) ?? "")
                    }
                }
                check("\(field).certificateFrame", frame: frame, expected: String(frame), got: String(mine.frame))
                check(
                    "\(field).notBefore", frame: frame, expected: Self.tsharkTime(certificate.notBefore),
                    got: mine.notBefore.map(Self.utc) ?? "")
                check(
                    "\(field).notAfter", frame: frame, expected: Self.tsharkTime(certificate.notAfter),
                    got: mine.notAfter.map(Self.utc) ?? "")
                check(
                    "\(field).sanDNS", frame: frame, expected: certificate.sanDNS.joined(separator: ","),
                    got: mine.san.filter { $0.hasPrefix("dns:") }.map { String($0.dropFirst(4)) }.joined(
                        separator: ","))
                check(
                    "\(field).sanIP", frame: frame, expected: certificate.sanIP.joined(separator: ","),
                    got: mine.san.filter { $0.hasPrefix("ip:") }.map { String($0.dropFirst(3)) }.joined(
                        separator: ","))
            }
        }
    }

    // MARK: normalisation

    static func hex4(_ value: UInt16) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// The record version of the record carrying the first handshake message in the frame.
    static func handshakeRecordVersion(_ row: TsharkFrame) -> String {
        let versions = row.values("tls.record.version")
        if row.isSSLv2 { return "0x0002" }
        let types = row.values("tls.record.content_type")
        if let index = types.firstIndex(of: "22"), index < versions.count { return versions[index] }
        return versions.first ?? ""
    }

    /// Protocol version names as RFC 8446/8701 and the drafts name them; independent of TLSWire.
    static func versionName(_ hex: String) -> String {
        guard hex.hasPrefix("0x"), let value = UInt16(hex.dropFirst(2), radix: 16) else { return hex }
        switch value {
        case 0x0002: return "SSL 2.0"
        case 0x0300: return "SSL 3.0"
        case 0x0301: return "TLS 1.0"
        case 0x0302: return "TLS 1.1"
        case 0x0303: return "TLS 1.2"
        case 0x0304: return "TLS 1.3"
        default: break
        }
        if value >> 8 == 0x7f { return "TLS 1.3 (draft \(value & 0xff))" }
        if value & 0x0f0f == 0x0a0a && value >> 8 == value & 0xff { return "GREASE" }
        if value == 0x7e01 { return "TLS 1.3 (experiment)" }
        return hex
    }

    static func levelName(_ code: String) -> String {
        switch code {
        case "1": "warning"
        case "2": "fatal"
        default: "unknown"
        }
    }

    /// The first value of an attribute ("CN", "O") in an RFC 4514 rendering ("CN=a\\,b,O=c"),
    /// unescaped ("\\," and "\\00" hex pairs).
    static func rfc4514Value(_ key: String, in name: String) -> String? {
        var components: [[UInt8]] = []
        var current: [UInt8] = []
        let bytes = Array(name.utf8)
        var index = 0
        func hexValue(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\"), index + 1 < bytes.count {
                if index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
                {
                    current.append(high << 4 | low)
                    index += 3
                } else {
                    current.append(bytes[index + 1])
                    index += 2
                }
            } else if byte == UInt8(ascii: ",") {
                components.append(current)
                current = []
                index += 1
            } else {
                current.append(byte)
                index += 1
            }
        }
        components.append(current)
        let prefix = Array((key + "=").utf8)
        return components.first(where: { $0.starts(with: prefix) }).map {
            String(decoding: $0.dropFirst(prefix.count), as: UTF8.self)
        }
    }

    /// tshark writes non-printable bytes of a string value as octal escapes ("TL\\000 CA").
    static func tsharkValue(_ value: String?) -> String {
        guard let value else { return "" }
        var out: [UInt8] = []
        let bytes = Array(value.utf8)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\"), index + 3 < bytes.count,
                bytes[(index + 1)...(index + 3)].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "7")).contains($0) })
            {
                let digits = bytes[(index + 1)...(index + 3)].map { Int($0 - UInt8(ascii: "0")) }
                out.append(UInt8(truncatingIfNeeded: digits[0] * 64 + digits[1] * 8 + digits[2]))
                index += 4
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// tshark renders UTCTime as "2011-05-04 00:00:00 (UTC)" and GeneralizedTime as
    /// "Mar  3, 2009 12:54:25.000000000 UTC"; both become "2011-05-04 00:00:00".
    static func tsharkTime(_ text: String) -> String {
        if text.hasSuffix(" (UTC)") { return String(text.dropLast(6)) }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let parts = text.split(separator: " ")
        guard parts.count == 5, parts[4] == "UTC", let month = months.firstIndex(of: String(parts[0])),
            let day = Int(parts[1].dropLast()), parts[1].hasSuffix(","), let year = Int(parts[2])
        else { return text }
        let clock = parts[3].prefix(8)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
        return "\(year)-\(two(month + 1))-\(two(day)) \(clock)"
    }

    static func utc(_ time: Timestamp) -> String {
        String(time.rfc3339().prefix(19)).replacingOccurrences(of: "T", with: " ")
    }
}
