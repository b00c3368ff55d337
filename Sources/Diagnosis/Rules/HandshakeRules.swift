import TLSFlowModel

extension ConnectionFacts {
    /// The last TLS message before `frame`, for "after the server's Certificate (frame 7)".
    func lastMessage(before frame: Int) -> (event: TimelineEvent, name: String)? {
        // By position: only the event found is copied, and only its name is built.
        var found: Int?
        for index in events.indices where events[index].frame <= frame {
            switch events[index].kind {
            case .handshake, .changeCipherSpec, .encryptedRecord: found = index
            default: continue
            }
        }
        guard let found else { return nil }
        let event = events[found]
        switch event.kind {
        case .handshake(_, let name, _): return (event, name)
        case .changeCipherSpec: return (event, "ChangeCipherSpec")
        case .encryptedRecord(let type, let length, _):
            return (event, type == 22 ? "encrypted Finished" : "encrypted record (\(length) bytes)")
        default: return nil
        }
    }

    func describeLastMessage(before frame: Int) -> String { Self.describe(lastMessage(before: frame)) }

    /// "after the server's Certificate (frame 7)" for a `lastMessage` answer, which rules that
    /// also want its frame find once.
    static func describe(_ lastMessage: (event: TimelineEvent, name: String)?) -> String {
        guard let (event, name) = lastMessage else { return "before any TLS message" }
        return .text("after the \(event.from.rawValue)'s \(name) (frame \(event.frame))")
    }

    /// ClientHello retransmissions before the server's first payload (or `limit`).
    func clientHelloRetransmissions(before limit: Int = Int.max) -> [TimelineEvent] {
        guard let hello = clientHelloEvent else { return [] }
        let serverAnswer = firstPayloadFrame(from: .server, after: hello.frame) ?? Int.max
        return retransmissions(from: .client, after: hello.frame, before: min(serverAnswer, limit))
    }

    /// True when the close at `event` happened before the TLS handshake started.
    func isBeforeClientHello(_ event: TimelineEvent) -> Bool {
        guard let helloFrame = clientHelloEvent?.frame ?? clientHelloFrame else { return true }
        return event.frame < helloFrame
    }

    /// TCP closes that are about the handshake: the capture saw it start and it had not finished.
    func handshakeClose(_ event: TimelineEvent?) -> TimelineEvent? {
        // With one direction missing, a close says nothing about what the other side did.
        guard let event, sawStart, missingDirection == nil, inHandshake(event.frame) else { return nil }
        return event
    }
}

/// `handshake.stalled`: the handshake stopped moving and the side that had to answer never did.
public struct StalledRule: DiagnosisRule {
    public static let codes = ["handshake.stalled"]
    /// A client that gives up after this long without an answer was waiting, not aborting.
    static let patienceMs = 1000.0

    public init() {}

    public func evaluate(_ connection: Connection, context: DiagnosisContext) -> [Finding] {
        evaluate(ConnectionFacts(connection), context: context)
    }

    func evaluate(_ facts: ConnectionFacts, context: DiagnosisContext) -> [Finding] {
        let connection = facts.connection
        guard !facts.handshakeDone, facts.clientHelloFrame != nil else { return [] }
        let noServerHello = facts.serverHelloFrame == nil
        let anchor: TimelineEvent
        if noServerHello {
            guard let event = facts.clientHelloEvent else { return [] }
            anchor = event
        } else {
            guard let progress = facts.lastHandshakeProgress else { return [] }
            anchor = progress
        }
        let waiting = noServerHello ? Side.client : anchor.from
        let waitedOn = waiting.peer
        // Without any packet of the waited-on side the capture may simply lack that direction.
        guard facts.sidesSeen.contains(waitedOn), facts.firstPayloadFrame(from: waitedOn, after: anchor.frame) == nil
        else { return [] }
        let close = facts.firstClose(after: anchor.frame)
        if let close, close.from == waitedOn { return [] }
        let endOfWait = close?.time ?? context.captureEnd
        let waitMs = endOfWait.milliseconds(since: anchor.time)
        let retransmitted = facts.retransmissions(from: waiting, after: anchor.frame, before: close?.frame ?? Int.max)
        let timedOut = waitMs >= context.handshakeTimeout * 1000
        let gaveUp = close != nil && (waitMs >= Self.patienceMs || !retransmitted.isEmpty)
        guard timedOut || gaveUp else { return [] }

        let waited = Format.duration(ms: waitMs)
        let what = noServerHello ? "ServerHello" : "the \(waitedOn.rawValue)'s next handshake message"
        var summary: FindingText
        if noServerHello {
            summary = "ClientHello to \(connection.serverName) unanswered: no ServerHello in \(waited)"
        } else {
            summary =
                "handshake with \(connection.serverName) stalled: \(waitedOn.rawValue) silent for \(waited) after \(anchor.from.rawValue)'s last message"
        }
        if !retransmitted.isEmpty {
            summary +=
                ", \(anchor.from == .client ? "ClientHello" : "last flight") retransmitted \(Format.plural(retransmitted.count, "time"))"
        }
        if let close { summary += "; \(close.from.rawValue) gave up (\(Self.closeName(close)))" }
        // A mid-handshake silence that only the end of the capture ends, with nothing retransmitted,
        // is also what a capture filtered to handshake packets looks like: report it, but not as
        // a proven failure.
        let provenByCapture = close != nil || noServerHello || !retransmitted.isEmpty
        let severity: Finding.Severity = provenByCapture ? .error : .warning
        let frames = Format.frames(trigger: anchor.frame, retransmitted.map(\.frame) + [close?.frame])
        // Folded into the headline, the finding is read for its severity and summary only.
        if facts.isFolded("handshake.stalled", trigger: anchor.frame) {
            return [
                Finding(
                    code: "handshake.stalled", severity: severity, side: waitedOn, summary: summary.string, detail: "",
                    fix: "", frames: frames)
            ]
        }

        var detail: FindingText = "Waiting on the \(waitedOn.rawValue): the \(waiting.rawValue) sent "
        if case .handshake(_, let name, let length) = anchor.kind {
            detail += "\(name) (\(Format.bytes(length)), frame \(anchor.frame))"
        } else {
            detail += "its last handshake record at frame \(anchor.frame)"
        }
        detail += " and no \(what) followed for \(waited)"
        if let close {
            detail += " until the \(close.from.rawValue)'s \(Self.closeName(close)) at frame \(close.frame)."
        } else {
            detail += " (until the end of the capture)."
        }
        if !provenByCapture {
            detail +=
                " Nothing closed the connection in the capture, so this may also be a capture that was filtered or stopped here; a later close by either side would confirm the stall."
        }
        if noServerHello, let hello = connection.clientHello {
            detail += " \(Format.sni(connection)), offered \(joined: TLSVersion.offered(by: hello), separator: ", ")."
        }
        if !retransmitted.isEmpty {
            detail +=
                " The segment was retransmitted \(Format.plural(retransmitted.count, "time")) (frames \(Format.list(retransmitted.map { String($0.frame) }, limit: 6))):"
                + " copies of it (or their acknowledgements) were lost on the way — typical of an MTU/MSS black hole for large"
                + " handshake packets or a filter dropping it (e.g. by SNI); even once it got through, no answer followed."
        } else {
            detail +=
                " The segment was not retransmitted, so TCP delivered it: the \(waitedOn.rawValue)'s TLS layer (or a proxy in front of it) did not answer."
        }
        if let rtt = facts.timing.tcpRTTms { detail += " TCP round trip: \(Format.duration(ms: rtt))." }
        let fix: FindingText =
            waitedOn == .server
            ? "Check that the TLS service on \(Format.endpoint(connection.server)) is healthy and really speaks TLS on this port (not a plaintext or STARTTLS protocol); if the ClientHello was retransmitted, test with a smaller ClientHello or lower MSS (e.g. `openssl s_client -connect \(Format.endpoint(connection.server)) -servername \(connection.serverName)`) and look for a firewall dropping it."
            : "Find out why the client stopped mid-handshake: client logs, certificate validation that blocks (OCSP/CRL fetch), or a proxy between the two that holds the client's flight."
        return [
            Finding(
                code: "handshake.stalled", severity: severity, side: waitedOn, summary: summary.string,
                detail: detail.string, fix: fix.string, frames: frames)
        ]
    }

    static func closeName(_ event: TimelineEvent) -> String {
        if case .segment(let flags, _) = event.kind, flags.contains(.rst) { return "RST" }
        return "FIN"
    }
}

/// `handshake.reset`: a TCP reset before the TLS handshake finished.
public struct ResetRule: DiagnosisRule {
    public static let codes = ["handshake.reset"]
    public init() {}

    public func evaluate(_ connection: Connection, context: DiagnosisContext) -> [Finding] {
        evaluate(ConnectionFacts(connection), context: context)
    }

    func evaluate(_ facts: ConnectionFacts, context: DiagnosisContext) -> [Finding] {
        let connection = facts.connection
        guard let rst = facts.handshakeClose(facts.firstRST) else { return [] }
        // A RST that is the server's only answer to the SYN is tcp.refused.
        if let syn = facts.clientSYNs.first, facts.synAck == nil, rst.from == .server,
            !facts.events.contains(where: { $0.from == .server && $0.frame > syn.frame && $0.frame < rst.frame })
        {
            return []
        }
        let side = rst.from
        let who = side.rawValue
        if facts.isBeforeClientHello(rst), let upgraded = connection.upgradedFrom {
            return [Self.plaintextEnd(upgraded, rst, name: "RST")]
        }
        if facts.isBeforeClientHello(rst) {
            if side == .client {
                return [
                    Finding(
                        code: "handshake.reset", severity: .info, side: .client,
                        summary: "client reset the connection before sending a ClientHello",
                        detail:
                            .text(
                                "The client opened the TCP connection and sent RST at frame \(rst.frame) without starting TLS: usually a port probe or load-balancer health check."
                            ),
                        fix:
                            "Nothing to fix if this is a health check; otherwise see why the client abandoned the connection.",
                        frames: [rst.frame])
                ]
            }
            return [
                Finding(
                    code: "handshake.reset", severity: .error, side: .server,
                    summary: "server reset the connection before the ClientHello",
                    detail:
                        .text(
                            "The server accepted the TCP connection and then sent RST at frame \(rst.frame) before the client started TLS: the service refuses the connection (connection limit, access list, TCP wrapper) or crashed."
                        ),
                    fix:
                        .text(
                            "Check the server's accept-level limits and access lists and its logs for \(connection.client.ip)."
                        ),
                    frames: [rst.frame])
            ]
        }
        let hello = facts.clientHelloEvent
        let since = hello.map { Format.duration(from: $0.time, to: rst.time) } ?? "?"
        let lastMessage = facts.lastMessage(before: rst.frame)
        let context = ConnectionFacts.describe(lastMessage)
        let serverAnswered = lastMessage.map { $0.event.from == .server } ?? false
        let summary: String =
            side == .server && !serverAnswered
            ? .text("server reset the connection \(since) after the ClientHello (\(Format.sni(connection)))")
            : .text("\(who) reset the connection during the handshake \(context)")
        // Folded into the headline, the finding is read for its summary (and its trigger, the first
        // frame) only: the retransmissions it would list as evidence are not looked for.
        if facts.isFolded("handshake.reset", trigger: rst.frame) {
            return [
                Finding(
                    code: "handshake.reset", severity: .error, side: side, summary: summary, detail: "", fix: "",
                    frames: [rst.frame])
            ]
        }
        let retransmits = facts.clientHelloRetransmissions(before: rst.frame)
        let frames = Format.frames(trigger: rst.frame, [hello?.frame] + retransmits.map(\.frame))
        var detail: FindingText =
            "RST from the \(who) (\(Format.endpoint(side == .server ? connection.server : connection.client))) at frame \(rst.frame), \(since) after the ClientHello"
        detail += ", \(context)."
        var fix: FindingText
        if side == .server && !serverAnswered {
            if !retransmits.isEmpty {
                detail +=
                    " The ClientHello had been retransmitted \(Format.plural(retransmits.count, "time")) before the reset."
            }
            detail +=
                " A reset right after the ClientHello, with no ServerHello, is typical of an IPS/firewall or proxy filtering on the SNI (\(connection.clientHello?.sni ?? "none sent")) or the ClientHello contents, or of a server that rejects this name or does not speak TLS here. The RST may have been injected by a device on the path in the server's name."
            fix =
                "Compare the RST's IP TTL/ID with the server's SYN-ACK (`tshark -r CAPTURE -Y 'tcp.flags.reset==1 || tcp.flags.syn==1' -T fields -e frame.number -e ip.ttl -e ip.id`): a different TTL means a middlebox sent it — allow \(connection.clientHello?.sni ?? connection.server.ip) on that device; otherwise check the server's TLS configuration and logs for this SNI."
        } else if side == .server {
            detail +=
                " The server aborted without a TLS alert: often a server-side failure (missing key/certificate, client certificate required) or a middlebox inspecting the exchange."
            fix =
                "Read the server's TLS error log at the time of frame \(rst.frame); if nothing is logged, look for a middlebox that injects resets."
        } else {
            detail +=
                " The client aborted without sending an alert: often it rejected the server's certificate or parameters (some TLS stacks reset instead of alerting), or its own timeout fired."
            fix =
                "Read the client's error message (certificate validation, protocol settings); repeat with `openssl s_client -connect \(Format.endpoint(connection.server)) -servername \(connection.serverName)` to see the server's chain."
        }
        return [
            Finding(
                code: "handshake.reset", severity: .error, side: side, summary: summary, detail: detail.string,
                fix: fix.string, frames: frames)
        ]
    }
}

extension ResetRule {
    /// A STARTTLS-style session that ended before TLS began: the plaintext protocol's own business.
    static func plaintextEnd(_ protocolName: String, _ event: TimelineEvent, name: String) -> Finding {
        let code = name == "RST" ? "handshake.reset" : "handshake.closed"
        return Finding(
            code: code, severity: .info, side: event.from,
            summary:
                .text(
                    "\(protocolName) session ended before TLS started (\(event.from.rawValue) \(name), frame \(event.frame))"
                ),
            detail:
                .text(
                    "The \(event.from.rawValue) sent \(name) at frame \(event.frame) during the plaintext \(protocolName) dialogue, before any ClientHello: the upgrade to TLS never happened (the server may have refused STARTTLS, or the client did not ask for it)."
                ),
            fix:
                "If TLS was expected, check the plaintext dialogue (e.g. the server's reply to STARTTLS) with `tshark -r CAPTURE -z follow,tcp,ascii,STREAM`.",
            frames: [event.frame])
    }
}

/// `handshake.closed`: a FIN before the handshake finished, with no alert explaining it.
public struct ClosedRule: DiagnosisRule {
    public static let codes = ["handshake.closed"]
    public init() {}

    public func evaluate(_ connection: Connection, context: DiagnosisContext) -> [Finding] {
        evaluate(ConnectionFacts(connection), context: context)
    }

    func evaluate(_ facts: ConnectionFacts, context: DiagnosisContext) -> [Finding] {
        let connection = facts.connection
        guard let fin = facts.handshakeClose(facts.firstFIN) else { return [] }
        let side = fin.from
        // An alert already says why; the FIN is only its consequence.
        if connection.alerts.contains(where: { $0.frame <= fin.frame && ($0.from == side || $0.level != .warning) }) {
            return []
        }
        if facts.isBeforeClientHello(fin), let upgraded = connection.upgradedFrom {
            return [ResetRule.plaintextEnd(upgraded, fin, name: "FIN")]
        }
        if facts.isBeforeClientHello(fin) {
            if side == .client {
                return [
                    Finding(
                        code: "handshake.closed", severity: .info, side: .client,
                        summary: "client closed the connection before sending a ClientHello",
                        detail:
                            .text(
                                "The client opened the TCP connection and closed it (FIN, frame \(fin.frame)) without starting TLS: usually a port probe or health check\(connection.upgradedFrom.map { ", or a \($0) session that never upgraded" } ?? "")."
                            ),
                        fix: "Nothing to fix if this is a health check.", frames: [fin.frame])
                ]
            }
            return [
                Finding(
                    code: "handshake.closed", severity: .error, side: .server,
                    summary: "server closed the connection before the ClientHello",
                    detail:
                        .text(
                            "The server sent FIN at frame \(fin.frame) before the client started TLS: the service may expect a plaintext protocol first (STARTTLS), be out of connections, or not run TLS on port \(connection.server.port)."
                        ),
                    fix:
                        .text(
                            "Check which protocol the service on port \(connection.server.port) expects and its connection limits."
                        ),
                    frames: [fin.frame])
            ]
        }
        let hello = facts.clientHelloEvent
        let lastMessage = facts.lastMessage(before: fin.frame)
        let context = ConnectionFacts.describe(lastMessage)
        let summary: String = .text(
            "\(side.rawValue) closed the connection during the handshake \(context), without an alert")
        let frames = Format.frames(
            trigger: fin.frame, [hello?.frame, lastMessage?.event.frame])
        // Folded into the headline, the finding is read for its summary only.
        if facts.isFolded("handshake.closed", trigger: fin.frame) {
            return [
                Finding(
                    code: "handshake.closed", severity: .error, side: side, summary: summary, detail: "", fix: "",
                    frames: frames)
            ]
        }
        let since = hello.map { Format.duration(from: $0.time, to: fin.time) } ?? "?"
        var detail: FindingText =
            "FIN from the \(side.rawValue) at frame \(fin.frame), \(since) after the ClientHello, \(context); no TLS alert was sent."
        let fix: String
        if side == .server {
            detail +=
                " A server that closes without an alert usually failed before it could answer (no certificate for \(Format.sni(connection)), TLS not enabled on this port, or a proxy whose backend refused)."
            fix =
                "Look at the server's (or proxy's) error log at the time of frame \(fin.frame) and check that it has a certificate and TLS enabled for \(connection.serverName)."
        } else {
            detail +=
                " A client that closes without an alert usually rejected something it received (certificate, parameters) or hit its own timeout."
            fix =
                "Read the client's error message; check the server's certificate chain and the client's trust store and protocol settings."
        }
        return [
            Finding(
                code: "handshake.closed", severity: .error, side: side, summary: summary, detail: detail.string,
                fix: fix, frames: frames)
        ]
    }
}
