import TLSFlowModel

/// `tlsflow show N`: one connection as a ladder diagram of its timeline, then its findings.
public struct LadderView: Sendable {
    /// Columns between the "client" and "server" labels.
    static let arrowWidth = 40

    public init() {}

    /// `width` wraps the findings' texts; the ladder itself is a fixed 80 columns.
    public func render(_ connection: Connection, nanosecondPrecision: Bool, color: Bool, width: Int = 120) -> String {
        let width = max(width, 60)
        let style = Style(enabled: color)
        let c = connection
        var lines: [String] = []

        var title = "#\(c.id)  \(Terminal.endpoint(c.client)) → \(Terminal.endpoint(c.server))"
        if let sni = c.clientHello?.sni { title += "  SNI \(Terminal.safe(sni))" }
        title += "  \(c.version ?? "no TLS version negotiated")  "
        lines.append(style.bold(title) + style.status(c.status, c.status.rawValue))
        var span = "start \(c.start.rfc3339(nanosecondPrecision: nanosecondPrecision))"
        span += ", frames \(c.firstFrame)–\(c.lastFrame)"
        span += ", " + Terminal.duration(milliseconds: c.end.milliseconds(since: c.start))
        if let upgraded = c.upgradedFrom { span += ", upgraded from \(Terminal.safe(upgraded))" }
        if c.decrypted { span += ", decrypted with key log" }
        lines.append(style.dim(span))
        lines.append("")

        let events = c.timeline.events
        if events.isEmpty {
            lines.append("  (no events recorded)")
        } else {
            let timeWidth = 14
            lines.append(
                Terminal.pad("frame", to: 7, right: true) + "  " + Terminal.pad("time", to: timeWidth, right: true)
                    + "  client" + String(repeating: " ", count: Self.arrowWidth + 2) + "server")
            let elideAt = c.timeline.elided > 0 ? c.timeline.head.count : nil
            for (index, event) in events.enumerated() {
                if index == elideAt {
                    lines.append(style.dim("        … \(c.timeline.elided) events not shown …"))
                }
                let ms = event.time.milliseconds(since: c.start)
                let time = (ms < 0 ? "" : "+") + Terminal.decimal(ms, places: nanosecondPrecision ? 6 : 3) + " ms"
                let (label, mark) = describe(event.kind, version: c.version)
                let arrow = Self.arrow(label, from: event.from)
                var arrowText = arrow
                switch mark {
                case .normal: break
                case .warning: arrowText = style.yellow(arrow)
                case .error: arrowText = style.red(arrow)
                }
                lines.append(
                    style.dim(Terminal.pad(String(event.frame), to: 7, right: true)) + "  "
                        + Terminal.pad(time, to: timeWidth, right: true) + "  client " + arrowText + " server")
            }
        }

        if !c.findings.isEmpty {
            lines.append("")
            lines.append(style.bold("Findings"))
            for f in c.findings {
                let side = f.side.map { " (\($0.rawValue))" } ?? ""
                lines.append(
                    "  " + style.severity(f.severity, f.severity.rawValue) + "  " + Terminal.safe(f.code) + side)
                func wrapped(_ text: String, lead: String = "", hanging: String = "    ") -> [String] {
                    Terminal.wrap(Terminal.safe(text), width: width - 4, indent: hanging, lead: lead).map {
                        "    " + $0
                    }
                }
                lines += wrapped(f.summary, hanging: "")
                if !f.detail.isEmpty { lines += wrapped(f.detail, hanging: "") }
                if !f.fix.isEmpty { lines += wrapped(f.fix, lead: "fix: ", hanging: "     ") }
                if !f.frames.isEmpty { lines.append("    " + style.dim(Terminal.frames(f.frames))) }
            }
        }
        if !c.notes.isEmpty {
            lines.append("")
            lines.append(style.bold("Notes"))
            for note in c.notes {
                let at = note.frame.map { "frame \($0): " } ?? ""
                lines += Terminal.wrap(Terminal.safe(note.message), width: width - 2, indent: "    ", lead: at).map {
                    "  " + $0
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    enum Mark { case normal, warning, error }

    /// `──label────▶` for client to server, `◀────label──` for server to client; exactly
    /// `arrowWidth` columns so that the "server" column stays put.
    static func arrow(_ label: String, from side: Side) -> String {
        let body = arrowWidth - 1
        let text = Terminal.truncate(label, to: body - 4)
        let fill = body - 2 - Terminal.width(text)
        switch side {
        case .client:
            return "──" + text + String(repeating: "─", count: fill) + "▶"
        case .server:
            return "◀" + String(repeating: "─", count: fill) + text + "──"
        }
    }

    func describe(_ kind: TimelineEvent.Kind, version: String?) -> (String, Mark) {
        switch kind {
        case .segment(let flags, let payload):
            var text = flags.label.isEmpty ? "segment" : flags.label
            if payload > 0 { text += " \(payload) B" }
            return (text, flags.contains(.rst) ? .error : .normal)
        case .retransmission(let bytes):
            return ("retransmission \(bytes) B", .warning)
        case .gap(let bytes):
            return ("gap: \(bytes) B missing", .error)
        case .handshake(_, let name, let length):
            return ("\(Terminal.safe(name)) \(length) B", .normal)
        case .changeCipherSpec:
            return ("ChangeCipherSpec", .normal)
        case .alert(let level, let description, let encrypted):
            let levelName =
                switch level {
                case 1: "warning"
                case 2: "fatal"
                default: "level \(level)"
                }
            let text = "Alert \(levelName) \(AlertNames.name(description))"
            let mark: Mark = level == 2 ? .error : (description == 0 ? .normal : .warning)
            return (encrypted ? text + " (decrypted)" : text, mark)
        case .encryptedRecord(let contentType, let length, let decryptedType):
            if let decryptedType {
                return ("\(Self.contentTypeName(decryptedType)) \(length) B (decrypted)", .normal)
            }
            // In TLS 1.3 every record after the ServerHello is disguised as application_data,
            // so only TLS 1.2 and earlier can name the content from the outer type.
            if contentType == 23 && version != "TLS 1.3" && version != nil {
                return ("ApplicationData \(length) B", .normal)
            }
            if contentType == 22 { return ("encrypted Handshake \(length) B", .normal) }
            if contentType == 21 { return ("encrypted Alert \(length) B", .warning) }
            return ("encrypted record \(length) B", .normal)
        case .plaintext(let bytes):
            return ("plaintext \(bytes) B", .normal)
        }
    }

    static func contentTypeName(_ type: UInt8) -> String {
        switch type {
        case 20: "ChangeCipherSpec"
        case 21: "Alert"
        case 22: "Handshake"
        case 23: "ApplicationData"
        case 24: "Heartbeat"
        default: "content type \(type)"
        }
    }
}

/// IANA TLS Alert descriptions (RFC 8446 §6, RFC 5246 §7.2 and later registrations), for the
/// ladder view, which holds only the numeric code of alerts in the timeline. Kept here because
/// Reports depends on the model only, not on TLSWire.
enum AlertNames {
    static func name(_ code: UInt8) -> String {
        switch code {
        case 0: "close_notify"
        case 10: "unexpected_message"
        case 20: "bad_record_mac"
        case 21: "decryption_failed"
        case 22: "record_overflow"
        case 30: "decompression_failure"
        case 40: "handshake_failure"
        case 41: "no_certificate"
        case 42: "bad_certificate"
        case 43: "unsupported_certificate"
        case 44: "certificate_revoked"
        case 45: "certificate_expired"
        case 46: "certificate_unknown"
        case 47: "illegal_parameter"
        case 48: "unknown_ca"
        case 49: "access_denied"
        case 50: "decode_error"
        case 51: "decrypt_error"
        case 60: "export_restriction"
        case 70: "protocol_version"
        case 71: "insufficient_security"
        case 80: "internal_error"
        case 86: "inappropriate_fallback"
        case 90: "user_canceled"
        case 100: "no_renegotiation"
        case 109: "missing_extension"
        case 110: "unsupported_extension"
        case 111: "certificate_unobtainable"
        case 112: "unrecognized_name"
        case 113: "bad_certificate_status_response"
        case 114: "bad_certificate_hash_value"
        case 115: "unknown_psk_identity"
        case 116: "certificate_required"
        case 120: "no_application_protocol"
        case 121: "ech_required"
        default: "unknown(\(code))"
        }
    }
}
