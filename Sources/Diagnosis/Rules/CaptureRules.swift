import TLSFlowModel

/// `capture.gap`: the capture lacks part of the connection, so the verdict is partial.
public struct CaptureGapRule: DiagnosisRule {
    public static let codes = ["capture.gap"]
    public init() {}

    public func evaluate(_ connection: Connection, context: DiagnosisContext) -> [Finding] {
        evaluate(ConnectionFacts(connection), context: context)
    }

    func evaluate(_ facts: ConnectionFacts, context: DiagnosisContext) -> [Finding] {
        let connection = facts.connection
        var reasons: [String] = []
        // Missing or cut segments inside a captured connection deserve attention (warning); a
        // late start or a missing direction is only context and leaves the status incomplete.
        var lostSegments = false
        var frames: [Int] = []
        var sides = Set<Side>()
        let gaps = facts.gaps()
        let missing = gaps.reduce(0) { total, event in
            if case .gap(let bytes) = event.kind { return total &+ max(bytes, 0) }
            return total
        }
        let gapCount = max(gaps.count, connection.tcp.gaps)
        if gapCount > 0 || connection.tcp.missingBytes > 0 {
            let bytes = max(missing, connection.tcp.missingBytes)
            var text = "\(Format.plural(gapCount, "gap")) in the TCP stream, \(Format.bytes(bytes)) never captured"
            if let first = gaps.first {
                text += " (first before frame \(first.frame), \(first.from.rawValue) → \(first.from.peer.rawValue))"
                if facts.inHandshake(first.frame) { text += "; the handshake itself is affected" }
            }
            reasons.append(text)
            lostSegments = true
            frames += gaps.map(\.frame)
            sides.formUnion(gaps.map(\.from))
        }
        if !facts.sawStart && facts.clientHelloFrame == nil {
            reasons.append(
                "the capture started after the connection was set up (no SYN, no ClientHello; first frame \(connection.firstFrame)): the handshake cannot be checked"
            )
            frames.append(connection.firstFrame)
        }
        if let absent = facts.missingDirection {
            reasons.append(
                "only the \(absent.peer.rawValue)'s packets are in the capture, none of the \(absent.rawValue)'s: the capture saw one direction only (asymmetric routing, or a capture filter on one address/port)"
            )
            sides.insert(absent)
            // The evidence: the connection's packets, all from one side, starting here.
            frames.append(connection.firstFrame)
        }
        let truncations = connection.notes.filter { Self.hasPrefix($0.message, DiagnosisNote.truncatedPrefix) }
        if let first = truncations.first {
            reasons.append(
                "packets cut short by the capture's snapshot length (\(Self.strip(first.message, DiagnosisNote.truncatedPrefix))\(truncations.count > 1 ? ", and \(truncations.count - 1) more" : ""))"
            )
            frames += truncations.compactMap(\.frame)
            lostSegments = true
        }
        guard !reasons.isEmpty else { return [] }
        let sorted = frames.sorted()
        return [
            Finding(
                code: "capture.gap", severity: lostSegments ? .warning : .info,
                side: sides.count == 1 ? sides.first : nil,
                summary: "capture incomplete for this connection: \(reasons[0]); the verdict is partial",
                detail: reasons.joined(separator: "; ") + ". tlsflow reports only what the captured packets prove.",
                fix:
                    "Capture again on a point that sees both directions, from before the connection starts, with the full snapshot length (`tcpdump -s 0 -i IFACE -w out.pcap 'host \(connection.server.ip) and port \(connection.server.port)'`) and enough buffer (`-B 8192`) to avoid drops.",
                frames: Format.frames(trigger: sorted.first, Array(sorted.dropFirst())))
        ]
    }

    /// Case-insensitive (ASCII) prefix test; every note of every connection is checked, so no
    /// lowercased copy of the message is made.
    static func hasPrefix(_ message: String, _ prefix: String) -> Bool {
        var remaining = message.utf8.makeIterator()
        for expected in prefix.utf8 {
            guard var byte = remaining.next() else { return false }
            if byte >= 0x41 && byte <= 0x5a { byte |= 0x20 }
            if byte != expected { return false }
        }
        return true
    }

    static func strip(_ message: String, _ prefix: String) -> String {
        guard hasPrefix(message, prefix) else { return message }
        var rest = Substring(message).dropFirst(prefix.count)
        while rest.first == " " { rest = rest.dropFirst() }
        return String(rest)
    }
}

/// `tls.malformed`: bytes that are not TLS where TLS was expected.
public struct MalformedRule: DiagnosisRule {
    public static let codes = ["tls.malformed"]
    public init() {}

    public func evaluate(_ connection: Connection, context: DiagnosisContext) -> [Finding] {
        evaluate(ConnectionFacts(connection), context: context)
    }

    func evaluate(_ facts: ConnectionFacts, context: DiagnosisContext) -> [Finding] {
        let connection = facts.connection
        let notes = connection.notes.filter { CaptureGapRule.hasPrefix($0.message, DiagnosisNote.malformedPrefix) }
        // Plaintext before the ClientHello is the STARTTLS dialogue on upgraded connections.
        let helloFrame = facts.clientHelloFrame ?? Int.max
        let plaintext =
            !facts.hasPlaintext
            ? []
            : facts.events.filter { event in
                guard case .plaintext = event.kind else { return false }
                return connection.upgradedFrom == nil || event.frame > helloFrame
            }
        guard !notes.isEmpty || !plaintext.isEmpty else { return [] }
        let first = plaintext.first
        let side = first?.from
        var summary: String
        let noteText = notes.map { CaptureGapRule.strip($0.message, DiagnosisNote.malformedPrefix) }.filter {
            !$0.isEmpty
        }
        if let text = noteText.first {
            summary = text
        } else if let first, case .plaintext(let bytes) = first.kind {
            summary =
                "\(first.from.rawValue) sent \(Format.bytes(bytes)) that are not TLS to port \(connection.server.port) (frame \(first.frame))"
        } else {
            summary = "bytes on the connection are not valid TLS"
        }
        var detail = notes.compactMap { note -> String? in
            let text = CaptureGapRule.strip(note.message, DiagnosisNote.malformedPrefix)
            return text.isEmpty ? nil : text + (note.frame.map { " (frame \($0))" } ?? "")
        }.joined(separator: "; ")
        if !plaintext.isEmpty {
            let total = plaintext.reduce(0) { sum, event in
                if case .plaintext(let bytes) = event.kind { return sum &+ bytes }
                return sum
            }
            if !detail.isEmpty { detail += ". " }
            detail +=
                "\(Format.plural(plaintext.count, "segment")) with \(Format.bytes(total)) of non-TLS data, first at frame \(plaintext[0].frame) from the \(plaintext[0].from.rawValue)"
        }
        detail +=
            ". A TLS record starts with content type 20–23, version 3.x and a length ≤ 16 KiB; these bytes do not."
        let fix: String
        if side == .server && facts.clientHelloFrame.map({ $0 < (first?.frame ?? 0) }) == true {
            fix =
                "The service on port \(connection.server.port) answered the ClientHello in plaintext: it does not speak TLS there. Point the client at the TLS port, or use STARTTLS if the protocol needs it."
        } else if side == .client {
            fix =
                "The client spoke plaintext to a TLS port: enable TLS in the client (https://, ssl=true) or connect to the plaintext port."
        } else {
            fix =
                "Check that both ends speak TLS on port \(connection.server.port); if a proxy sits between them, check that it does not rewrite the stream."
        }
        summary += connection.handshakeComplete ? " (after the handshake)" : ""
        return [
            Finding(
                code: "tls.malformed", severity: facts.sawStart || facts.clientHelloFrame != nil ? .error : .info,
                side: side, summary: summary, detail: detail, fix: fix,
                frames: Format.frames(
                    trigger: first?.frame ?? notes.first?.frame,
                    notes.compactMap(\.frame) + plaintext.dropFirst().prefix(5).map(\.frame)))
        ]
    }
}
