import TLSFlowModel

/// How a connection failed around its handshake, shared by the resumption and data rules.
struct FailureMode {
    let text: String
    let side: Side
    let frame: Int?

    /// The failure of a handshake or of its first exchange, or nil when the connection worked or
    /// the capture cannot tell.
    static func of(_ connection: Connection, facts: ConnectionFacts, context: DiagnosisContext) -> FailureMode? {
        guard let hello = connection.clientHello, facts.sidesSeen.contains(.server) else { return nil }
        if connection.serverHello == nil {
            if let close = facts.firstClose(after: hello.frame) {
                let after = Format.duration(from: hello.time, to: close.time)
                let how = StalledRule.closeName(close)
                if close.from == .server {
                    return FailureMode(
                        text: "server sent \(how) \(after) after the ClientHello, no ServerHello", side: .server,
                        frame: close.frame)
                }
                return FailureMode(
                    text: "no ServerHello; client gave up (\(how)) after \(after)", side: .server, frame: close.frame)
            }
            if let alert = facts.firstSignificantAlert {
                return FailureMode(
                    text: "\(alert.from.rawValue) sent \(alert.description) instead of a ServerHello", side: alert.from,
                    frame: alert.frame)
            }
            let waited = context.captureEnd.milliseconds(since: hello.time)
            guard waited >= context.handshakeTimeout * 1000 else { return nil }
            return FailureMode(text: "no ServerHello within \(Format.duration(ms: waited))", side: .server, frame: nil)
        }
        if !facts.handshakeDone {
            let server = connection.serverHello?.frame ?? hello.frame
            if let alert = facts.firstSignificantAlert {
                return FailureMode(
                    text: "\(alert.from.rawValue) sent \(alert.description) after the ServerHello", side: alert.from,
                    frame: alert.frame)
            }
            if let close = facts.firstClose(after: server) {
                return FailureMode(
                    text: "\(close.from.rawValue) sent \(StalledRule.closeName(close)) before the handshake finished",
                    side: close.from, frame: close.frame)
            }
            let waited = context.captureEnd.milliseconds(since: facts.lastHandshakeProgress?.time ?? hello.time)
            guard waited >= context.handshakeTimeout * 1000 else { return nil }
            return FailureMode(
                text: "handshake did not finish (silent for \(Format.duration(ms: waited)))", side: .server, frame: nil)
        }
        if let silence = OneWayDataRule.serverSilence(connection, facts: facts, context: context) {
            return FailureMode(
                text: "handshake completed but the server never answered: \(silence.text)", side: .server,
                frame: silence.closeFrame)
        }
        // Nobody sent data and the server ended it: it dropped the session right after the handshake.
        if connection.applicationData.clientRecords == 0, connection.applicationData.serverRecords == 0,
            let done = facts.handshakeDoneFrame, let close = facts.firstClose(after: done),
            close.from == .server
        {
            return FailureMode(
                text: "server sent \(StalledRule.closeName(close)) right after the handshake, before any data",
                side: .server, frame: close.frame)
        }
        return nil
    }
}

/// `resumption.aborted`: a resumed handshake (session ID, ticket or PSK) that died.
public struct ResumptionAbortedRule: DiagnosisRule {
    public static let codes = ["resumption.aborted"]
    public init() {}

    public func evaluate(_ connection: Connection, context: DiagnosisContext) -> [Finding] {
        evaluate(ConnectionFacts(connection), context: context)
    }

    func evaluate(_ facts: ConnectionFacts, context: DiagnosisContext) -> [Finding] {
        let connection = facts.connection
        let offer = facts.resumptionOffer
        guard offer != .none, let hello = connection.clientHello, connection.resumption.accepted != false,
            let failure = FailureMode.of(connection, facts: facts, context: context)
        else { return [] }
        let offerText: String
        switch offer {
        case .sessionID: offerText = "session ID \(hello.sessionID.prefix(16))…"
        case .ticket: offerText = "a \(hello.sessionTicketLength)-byte session ticket"
        case .psk: offerText = "a TLS 1.3 PSK"
        case .none: offerText = "none"
        }
        var detail =
            "The ClientHello (frame \(hello.frame), \(Format.sni(connection))) offered a cached session: \(offerText)."
        switch connection.resumption.accepted {
        case true?:
            detail +=
                " The server accepted it (abbreviated handshake, ServerHello at frame \(connection.serverHello?.frame ?? 0))."
        case false?: break
        case nil: detail += " No ServerHello says whether the server accepted it."
        }
        if let issuer = connection.resumption.issuedBy { detail += SessionIssuerText.sentence(issuer) }
        detail += " Then: \(failure.text)."
        detail +=
            " A resumed handshake that dies while full handshakes to the same server succeed points at the session cache or ticket keys of a proxy or load balancer (a node that cannot resume, a TLS-inspecting proxy that mishandles resumption); see the capture's patterns for the ratio."
        return [
            Finding(
                code: "resumption.aborted", severity: .error, side: failure.side,
                summary: "resumed handshake offering \(offerText) to \(connection.serverName) failed: \(failure.text)",
                detail: detail,
                fix:
                    "Disable session resumption on the client to confirm (e.g. `openssl s_client -no_ticket`, curl `--no-sessionid`, or the client's session-cache setting); if that fixes it, share the session cache and synchronise the session-ticket keys across the proxy/load-balancer nodes, or turn off resumption on the proxy.",
                frames: Format.frames(trigger: hello.frame, [connection.serverHello?.frame, failure.frame]))
        ]
    }
}

/// `data.one_way`: the handshake completed, then data flowed in one direction only.
public struct OneWayDataRule: DiagnosisRule {
    public static let codes = ["data.one_way"]
    public init() {}

    struct Silence {
        let text: String
        let firstUnanswered: Int
        let closeFrame: Int?
        let closed: Bool
        let silentMs: Double
    }

    /// The server's silence after the client's first data, if it ended the connection or lasted.
    static func serverSilence(_ connection: Connection, facts: ConnectionFacts, context: DiagnosisContext) -> Silence? {
        let data = connection.applicationData
        guard connection.handshakeComplete, data.clientRecords > 0, let first = data.clientFirstFrame else {
            return nil
        }
        if let serverLast = data.serverLastFrame, serverLast > first { return nil }
        return silence(of: .server, from: first, connection, facts: facts, context: context)
    }

    static func silence(
        of silent: Side, from first: Int, _ connection: Connection, facts: ConnectionFacts, context: DiagnosisContext
    ) -> Silence? {
        guard facts.sidesSeen.count == 2,
            facts.gaps(from: silent, after: connection.handshakeCompleteFrame ?? 0).isEmpty
        else { return nil }
        let data = connection.applicationData
        let start =
            facts.time(ofFrame: first)
            ?? (silent == .server ? data.clientLastTime : data.serverLastTime) ?? connection.start
        let close = facts.firstClose(after: first)
        let closed = close != nil || connection.tcp.end == .fin || connection.tcp.end == .rst
        let endTime = close?.time ?? (closed ? connection.end : context.captureEnd)
        let silentMs = endTime.milliseconds(since: start)
        guard closed || connection.tcp.end == .idle || silentMs >= context.idleTimeout * 1000 else { return nil }
        var text = "\(silent.rawValue) silent for \(Format.duration(ms: silentMs))"
        if let close {
            text += ", then \(close.from.rawValue) sent \(StalledRule.closeName(close))"
        } else if closed {
            text += ", then \(connection.tcp.endedBy?.rawValue ?? "one side") closed (\(connection.tcp.end.rawValue))"
        } else {
            text += connection.tcp.end == .idle ? " until the connection went idle" : " until the capture ended"
        }
        return Silence(text: text, firstUnanswered: first, closeFrame: close?.frame, closed: closed, silentMs: silentMs)
    }

    public func evaluate(_ connection: Connection, context: DiagnosisContext) -> [Finding] {
        evaluate(ConnectionFacts(connection), context: context)
    }

    func evaluate(_ facts: ConnectionFacts, context: DiagnosisContext) -> [Finding] {
        let connection = facts.connection
        let data = connection.applicationData
        // Only a finding needs the wording; most connections produce none.
        var counts: String {
            "client sent \(Format.plural(data.clientRecords, "record")) (\(Format.bytes(data.clientBytes))), server \(Format.plural(data.serverRecords, "record")) (\(Format.bytes(data.serverBytes)))"
        }
        if let silence = Self.serverSilence(connection, facts: facts, context: context) {
            var detail = "The handshake completed (frame \(connection.handshakeCompleteFrame ?? 0)); \(counts)."
            if let last = data.serverLastFrame {
                detail += " The server's last data (frame \(last)) came before the client's first request."
            }
            detail += " From the client's first data (frame \(silence.firstUnanswered)) the \(silence.text)."
            detail +=
                " The server (or a proxy in front of it) accepted TLS but its application never answered: a hung or overloaded backend, a proxy that cannot reach its upstream, or a request the application waits on (wrong protocol, e.g. HTTP/1.1 to an h2-only endpoint)."
            return [
                Finding(
                    code: "data.one_way", severity: silence.closed || connection.tcp.end == .idle ? .error : .warning,
                    side: .server,
                    summary: "server never answered after the handshake: \(counts); \(silence.text)",
                    detail: detail,
                    fix:
                        "Check the application behind \(Format.endpoint(connection.server)) (its logs at the time of frame \(silence.firstUnanswered), backend health, proxy upstream timeouts) and that client and server agree on the application protocol (ALPN \(connection.serverHello?.alpn ?? "none")).",
                    frames: Format.frames(
                        trigger: silence.firstUnanswered, [connection.handshakeCompleteFrame, silence.closeFrame]))
            ]
        }
        // Client silent: only meaningful where the server cannot have sent session tickets that
        // look like data (TLS 1.3 without keys).
        guard connection.handshakeComplete, data.serverRecords > 0, data.clientRecords == 0,
            !facts.isTLS13 || connection.decrypted, let first = data.serverFirstFrame,
            let silence = Self.silence(of: .client, from: first, connection, facts: facts, context: context)
        else { return [] }
        return [
            Finding(
                code: "data.one_way", severity: .warning, side: .client,
                summary: "client never sent data after the handshake: \(counts); \(silence.text)",
                detail:
                    "The handshake completed (frame \(connection.handshakeCompleteFrame ?? 0)); \(counts). From the server's first data (frame \(first)) the \(silence.text). Only server-speaks-first protocols (SMTP/IMAP banners) expect the server to talk first; the client application did not follow up.",
                fix:
                    "Check the client application's logs and that it speaks the protocol the server expects on port \(connection.server.port).",
                frames: Format.frames(trigger: first, [connection.handshakeCompleteFrame, silence.closeFrame]))
        ]
    }
}

/// `tls13.encrypted_alert`: TLS 1.3 without keys, the client answers the server's flight with one
/// alert-sized encrypted record and closes.
public struct EncryptedAlertRule: DiagnosisRule {
    public static let codes = ["tls13.encrypted_alert"]
    /// An encrypted alert is 19 bytes (2 + content type + 16-byte tag) plus any padding — Java
    /// pads it to 35. A client Finished is at least 53 bytes (4 + 32 + 1 + 16), so a lone record
    /// below that, followed by a close, cannot be the client completing the handshake.
    static let maxAlertRecord = 52

    public init() {}

    public func evaluate(_ connection: Connection, context: DiagnosisContext) -> [Finding] {
        evaluate(ConnectionFacts(connection), context: context)
    }

    func evaluate(_ facts: ConnectionFacts, context: DiagnosisContext) -> [Finding] {
        let connection = facts.connection
        guard facts.isTLS13, let serverFrame = facts.serverHelloFrame,
            !(connection.decrypted && !connection.alerts.isEmpty)
        else { return [] }
        // One pass counts each side's encrypted records from the ServerHello on; the rule only
        // goes on when a side sent exactly one, so no list of them is kept.
        let done = connection.handshakeComplete ? connection.handshakeCompleteFrame : nil
        // By position, so that only the records kept are copied.
        let events = facts.events
        // Positions, not events: an event is copied only once the inference needs it.
        var clientCount = 0
        var clientFirst: (index: Int, length: Int)?
        var lateServerCount = 0
        var lateServerFirst: (index: Int, length: Int)?
        // Through a buffer: reading each event's kind from the array copied the event.
        events.withUnsafeBufferPointer { buffer in
            for index in buffer.indices where buffer[index].frame >= serverFrame {
                guard let length = Self.encryptedLength(buffer[index].kind) else { continue }
                if buffer[index].from == .client {
                    clientCount += 1
                    if clientFirst == nil { clientFirst = (index, length) }
                } else if let done, buffer[index].frame > done {
                    lateServerCount += 1
                    if lateServerFirst == nil { lateServerFirst = (index, length) }
                }
                // Past one record from each side that counts, neither inference can hold.
                if clientCount > 1 && (done == nil || lateServerCount > 1) { break }
            }
        }
        if lateServerCount == 1, let only = lateServerFirst,
            let serverSide = serverAlert(
                connection, facts: facts, onlyRecordAfterFinished: (events[only.index], only.length))
        {
            return [serverSide]
        }
        guard clientCount == 1, let (recordIndex, length) = clientFirst, length <= Self.maxAlertRecord else {
            return []
        }
        let record = events[recordIndex]
        var flightEndIndex: Int?
        for index in events.indices where events[index].from == .server && events[index].frame >= serverFrame {
            guard case .encryptedRecord(_, let serverLength, _) = events[index].kind else { continue }
            if events[index].frame <= record.frame {
                flightEndIndex = index
            } else if serverLength > Self.maxAlertRecord {
                // Anything large from the server afterwards means the record was not a fatal alert.
                return []
            }
        }
        guard let flightEndIndex else { return [] }
        let flightEnd = events[flightEndIndex]
        guard let close = facts.firstClose(after: record.frame &- 1) else { return [] }
        let after = Format.duration(from: flightEnd.time, to: record.time)
        var detail =
            "TLS 1.3 without keys, so this is an inference. The server's encrypted flight (EncryptedExtensions, Certificate, CertificateVerify, Finished) ended at frame \(flightEnd.frame);"
        detail += " \(after) later the client sent a single \(length)-byte encrypted record (frame \(record.frame))"
        detail +=
            " and the \(close.from.rawValue) closed (\(StalledRule.closeName(close)), frame \(close.frame)), with no application data."
        detail +=
            " An encrypted alert is 19 bytes (2 bytes + content type + 16-byte AEAD tag), more when the stack pads it (Java sends 35); a client Finished would be at least 53 bytes. A client that aborts right after the server's flight has most likely rejected the server's certificate (unknown CA, missing intermediate, name mismatch, expiry)."
        return [
            Finding(
                code: "tls13.encrypted_alert", severity: .error, side: .client,
                summary:
                    "TLS 1.3: client answered the server's flight with a \(length)-byte encrypted record and closed — probably a fatal alert rejecting the server's certificate (inferred, no keys)",
                detail: detail,
                fix:
                    "Check the chain served for \(connection.serverName) against the client's trust store (`openssl s_client -connect \(Format.endpoint(connection.server)) -servername \(connection.serverName) -showcerts`), serve the full chain; to read the alert itself, capture again with SSLKEYLOGFILE and pass the key log to tlsflow.",
                frames: Format.frames(trigger: record.frame, [serverFrame, flightEnd.frame, close.frame]))
        ]
    }

    /// The length of an encrypted record, nil for any other event.
    @inline(__always)
    static func encryptedLength(_ kind: TimelineEvent.Kind) -> Int? {
        if case .encryptedRecord(_, let length, _) = kind { return length }
        return nil
    }

    /// The server side of the same inference: after the client's Finished, the server's only
    /// record (`onlyRecordAfterFinished`) is alert-sized and it closes — typically certificate_required (the client sent no
    /// certificate) or a rejected client certificate. NewSessionTicket records are far larger.
    func serverAlert(
        _ connection: Connection, facts: ConnectionFacts, onlyRecordAfterFinished: (TimelineEvent, Int)
    ) -> Finding? {
        guard connection.handshakeComplete, let done = connection.handshakeCompleteFrame else { return nil }
        let (record, length) = onlyRecordAfterFinished
        guard length <= Self.maxAlertRecord, let close = facts.firstClose(after: record.frame &- 1),
            close.from == .server
        else { return nil }
        var detail =
            "TLS 1.3 without keys, so this is an inference. The client finished its handshake flight at frame \(done);"
        detail += " the server's only answer was a single \(length)-byte encrypted record (frame \(record.frame))"
        detail += " and it then closed (\(StalledRule.closeName(close)), frame \(close.frame)) without sending data."
        detail +=
            " 19 bytes is exactly an encrypted alert. A server that aborts right after the client's Finished has most likely rejected the client's authentication: no client certificate sent where one is required (certificate_required), or a client certificate it does not accept."
        return Finding(
            code: "tls13.encrypted_alert", severity: .error, side: .server,
            summary:
                "TLS 1.3: server answered the client's Finished with a \(length)-byte encrypted record and closed — probably a fatal alert rejecting the client's certificate (inferred, no keys)",
            detail: detail,
            fix:
                "Check that the client is configured with a certificate the server accepts (issued by a CA in the server's client-CA list, valid, with clientAuth usage); to read the alert itself, capture again with SSLKEYLOGFILE and pass the key log to tlsflow.",
            frames: Format.frames(trigger: record.frame, [done, close.frame]))
    }
}

/// The sentence `resumption.aborted` gets when session linking named the issuing connection.
/// Diagnosis runs before connections have their reported ids, so the id in it is the issuer's
/// provisional one until `renumber` puts in the reported one.
public enum SessionIssuerText {
    public static let code = "resumption.aborted"

    public static func sentence(_ issuer: Int) -> String {
        " The session was issued by connection #\(issuer) in this capture."
    }

    /// Replaces the sentence naming `old` with one naming `new`, or removes it when the issuer
    /// is not reported (nil). The last occurrence: the sentence follows the server name, which
    /// comes from the capture and could spell the same words.
    public static func renumber(_ findings: inout [Finding], from old: Int, to new: Int?) {
        let was = sentence(old)
        for index in findings.indices where findings[index].code == code {
            guard let range = lastRange(of: was, in: findings[index].detail) else { continue }
            findings[index].detail.replaceSubrange(range, with: new.map(sentence) ?? "")
        }
    }

    static func lastRange(of needle: String, in text: String) -> Range<String.Index>? {
        let haystack = Array(text.utf8)
        let pattern = Array(needle.utf8)
        guard !pattern.isEmpty, pattern.count <= haystack.count else { return nil }
        for offset in stride(from: haystack.count - pattern.count, through: 0, by: -1)
        where haystack[offset..<offset + pattern.count].elementsEqual(pattern) {
            let start = text.utf8.index(text.utf8.startIndex, offsetBy: offset)
            return start..<text.utf8.index(start, offsetBy: pattern.count)
        }
        return nil
    }
}
