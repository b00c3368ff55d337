import TLSFlowModel

/// `tcp.no_answer`: the client's SYN got neither a SYN-ACK nor a RST.
public struct NoAnswerRule: DiagnosisRule {
    public static let codes = ["tcp.no_answer"]
    /// A lone SYN is only evidence after the client's first retransmission timers (1 s, then 2 s).
    static let loneSYNWaitMs = 3000.0

    public init() {}

    public func evaluate(_ connection: Connection, context: DiagnosisContext) -> [Finding] {
        evaluate(ConnectionFacts(connection), context: context)
    }

    func evaluate(_ facts: ConnectionFacts, context: DiagnosisContext) -> [Finding] {
        let connection = facts.connection
        let syns = facts.clientSYNs
        // The cheap tests first: binding the first and last SYN copies them.
        guard facts.synAck == nil, !facts.sidesSeen.contains(.server), !syns.isEmpty, !facts.sentPayload(.client),
            let first = syns.first, let last = syns.last
        else { return [] }
        let clientGaveUp = facts.firstClose.map { $0.from == .client } ?? false
        let endOfTrying = clientGaveUp ? (facts.firstClose?.time ?? last.time) : context.captureEnd
        let waitedMs = endOfTrying.milliseconds(since: first.time)
        guard syns.count >= 2 || clientGaveUp || waitedMs >= Self.loneSYNWaitMs else { return [] }
        let server = Format.endpoint(connection.server)
        let tried = Format.duration(from: first.time, to: last.time)
        var summary = "SYN to \(server) never answered: \(Format.plural(syns.count, "SYN")) sent"
        summary += syns.count > 1 ? " over \(tried)" : ""
        var detail =
            "The client sent \(Format.plural(syns.count, "SYN")) (frames \(Format.list(syns.map { String($0.frame) }, limit: 6)))"
            + " from \(first.time.rfc3339()) to \(last.time.rfc3339()); no SYN-ACK or RST came back."
        if clientGaveUp, let close = facts.firstClose {
            detail +=
                " The client gave up at frame \(close.frame), \(Format.duration(ms: waitedMs)) after the first SYN."
        } else {
            detail += " The capture ended \(Format.duration(ms: waitedMs)) after the first SYN."
        }
        detail += " The packets were dropped on the way (firewall DROP rule, wrong route, host down) or the capture"
        detail += " point does not see the return path."
        return [
            Finding(
                code: "tcp.no_answer", severity: .error, side: .server, summary: summary, detail: detail,
                fix:
                    "Check that \(server) is up and listening, and that every firewall and security group on the path allows TCP to port \(connection.server.port); if the server does receive the SYN (capture there), fix its return route.",
                frames: Format.frames(trigger: first.frame, syns.dropFirst().map(\.frame)))
        ]
    }
}

/// `tcp.refused`: the SYN was answered by a RST.
public struct RefusedRule: DiagnosisRule {
    public static let codes = ["tcp.refused"]
    public init() {}

    public func evaluate(_ connection: Connection, context: DiagnosisContext) -> [Finding] {
        evaluate(ConnectionFacts(connection), context: context)
    }

    func evaluate(_ facts: ConnectionFacts, context: DiagnosisContext) -> [Finding] {
        let connection = facts.connection
        guard let synFrame = facts.clientSYNs.first?.frame else { return [] }
        // The first thing the server sent, if it is a RST and no SYN-ACK preceded it. Found by
        // position: only that event is copied, and only when it is the RST.
        let events = facts.events
        // Through a buffer: reading each event's kind from the array copied the event.
        let found = events.withUnsafeBufferPointer { buffer -> (index: Int, flags: TCPFlags)? in
            for index in buffer.indices where buffer[index].from == .server && buffer[index].frame > synFrame {
                if let (flags, _) = ConnectionFacts.segment(buffer[index].kind) { return (index, flags) }
            }
            return nil
        }
        guard let found, found.flags.contains(.rst), !found.flags.contains(.syn) else { return [] }
        let answer = events[found.index]
        let syn = facts.clientSYNs[0]
        let server = Format.endpoint(connection.server)
        let after = Format.duration(from: syn.time, to: answer.time)
        let attempts = facts.clientSYNs.filter { $0.frame < answer.frame }.count
        var detail = "The client's SYN (frame \(syn.frame)) was answered by RST (frame \(answer.frame)) \(after) later"
        detail += attempts > 1 ? ", after \(Format.plural(attempts, "SYN"))." : "."
        detail += " Nothing accepts connections on port \(connection.server.port) at \(connection.server.ip),"
        detail += " or a firewall rejects them with a TCP reset."
        return [
            Finding(
                code: "tcp.refused", severity: .error, side: .server,
                summary: "connection to \(server) refused: RST answered the SYN after \(after)", detail: detail,
                fix:
                    "Start the service or make it listen on \(connection.server.ip) port \(connection.server.port) (not only on 127.0.0.1); if it is listening, find the firewall rule that rejects the port.",
                frames: Format.frames(trigger: syn.frame, [answer.frame]))
        ]
    }
}
