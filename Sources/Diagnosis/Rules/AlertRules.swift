import TLSFlowModel

/// How the first handshake-ending alert of a connection is explained.
///
/// A class: three rules read it from the facts, and a struct was copied (retained field by
/// field) at each read.
final class AlertClassification {
    enum Kind { case versionMismatch, noSharedCipher, certificate, encrypted, other }
    let alert: AlertInfo
    let kind: Kind
    let code: UInt8?
    let name: String
    let cause: String?
    /// The sender's peer had already closed or reset: the alert answers that, it is not a cause.
    let answersClose: TimelineEvent?

    /// nil, without allocating, when no alert ended the handshake.
    static func of(_ facts: ConnectionFacts) -> AlertClassification? {
        guard let alert = facts.firstSignificantAlert else { return nil }
        return AlertClassification(alert, facts: facts)
    }

    private init(_ alert: AlertInfo, facts: ConnectionFacts) {
        self.alert = alert
        let (code, entry) = AlertDescriptions.entry(for: alert.descriptionCode, name: alert.description)
        self.code = code
        answersClose = facts.firstClose(by: alert.from.peer, atOrBefore: alert.frame)
        let beforeServerHello = facts.serverHelloFrame.map { alert.frame < $0 } ?? true
        if alert.encrypted && !alert.decrypted && code == nil || alert.level == .unknown && code == nil {
            kind = .encrypted
            name = "encrypted alert"
            cause = nil
            return
        }
        name = entry?.name ?? (code.map { "alert \($0) (unassigned)" } ?? alert.description)
        cause = entry?.cause
        switch code {
        case 70: kind = .versionMismatch
        case let c? where (c == 40 || c == 71) && alert.from == .server && beforeServerHello: kind = .noSharedCipher
        case let c? where AlertDescriptions.certificateAlerts.contains(c): kind = .certificate
        default: kind = .other
        }
    }

    /// "after the client's FIN (frame 8)" when the alert only answered the peer's close.
    func reactionNote() -> String? {
        guard let close = answersClose else { return nil }
        return "it answers the \(close.from.rawValue)'s \(StalledRule.closeName(close)) at frame \(close.frame)"
    }
}

extension ConnectionFacts {
    /// Alerts after `alert`, for "followed by the client's bad_certificate (frame 9)".
    func followingAlerts(_ alert: AlertInfo) -> String {
        let rest = connection.alerts.filter { $0.frame > alert.frame && $0.level != .warning }
        guard !rest.isEmpty else { return "" }
        let named = rest.prefix(3).map { "the \($0.from.rawValue)'s \($0.description) (frame \($0.frame))" }
        return .text(" Followed by \(joined: named, separator: ", ").")
    }
}

/// `handshake.version_mismatch`: no protocol version both sides accept.
public struct VersionMismatchRule: DiagnosisRule {
    public static let codes = ["handshake.version_mismatch"]
    public init() {}

    public func evaluate(_ connection: Connection, context: DiagnosisContext) -> [Finding] {
        evaluate(ConnectionFacts(connection), context: context)
    }

    func evaluate(_ facts: ConnectionFacts, context: DiagnosisContext) -> [Finding] {
        let connection = facts.connection
        // Computed where a finding needs them: most connections have no version problem.
        lazy var offered: [String] = connection.clientHello.map(TLSVersion.offered) ?? []
        lazy var offeredText: String = Self.text(offered)
        if let c = facts.alertClassification, c.kind == .versionMismatch, c.answersClose == nil {
            let alert = c.alert
            if alert.from == .server {
                let top = offered.max { TLSVersion.rank($0) < TLSVersion.rank($1) } ?? "?"
                let hint: String
                if TLSVersion.rank(top) < 3 {
                    hint = "the client's newest version is \(top); current servers require TLS 1.2 or newer"
                } else if offered.allSatisfy(TLSVersion.isTLS13) {
                    hint = "the client offered TLS 1.3 only, and the server does not support it (TLS 1.2 at most)"
                } else {
                    hint = "the server accepts none of them (it may be limited to older versions, or to TLS 1.3 only)"
                }
                return [
                    Finding(
                        code: "handshake.version_mismatch", severity: .error, side: .server,
                        summary: .text(
                            "server rejected the client's TLS versions (\(offeredText)) with protocol_version"),
                        detail:
                            .text(
                                "The client offered \(offeredText) in its ClientHello (frame \(connection.clientHello?.frame ?? 0)); the server answered with a fatal protocol_version alert at frame \(alert.frame): \(hint).\(facts.followingAlerts(alert))"
                            ),
                        fix:
                            .text(
                                "Enable a common version: allow TLS 1.2 (and 1.3) on the client, or on the server; check with `openssl s_client -connect \(Format.endpoint(connection.server)) -tls1_2` and `-tls1_3`."
                            ),
                        frames: Format.frames(trigger: alert.frame, [connection.clientHello?.frame]))
                ]
            }
            let chosen = connection.serverHello?.version ?? "an unknown version"
            return [
                Finding(
                    code: "handshake.version_mismatch", severity: .error, side: .client,
                    summary:
                        .text(
                            "client rejected the server's \(chosen) with protocol_version (client offered \(offeredText))"
                        ),
                    detail:
                        .text(
                            "The server chose \(chosen) in its ServerHello (frame \(connection.serverHello?.frame ?? 0)); the client, which offered \(offeredText), refused it with a fatal protocol_version alert at frame \(alert.frame).\(facts.followingAlerts(alert))"
                        ),
                    fix:
                        .text(
                            "Enable \(offered.first ?? "TLS 1.2") on the server, or (if acceptable) allow \(chosen) on the client."
                        ),
                    frames: Format.frames(
                        trigger: alert.frame, [connection.serverHello?.frame, connection.clientHello?.frame]))
            ]
        }
        // Offers disjoint without an alert: the server picked a version the client never offered.
        // The cheap tests come before the hellos are bound, which copies them.
        if !facts.handshakeDone, connection.serverHello?.helloRetryRequest == false,
            connection.clientHello?.supportedVersions.isEmpty == false,
            let server = connection.serverHello, !server.version.isEmpty,
            let hello = connection.clientHello, !offered.contains(server.version)
        {
            return [
                Finding(
                    code: "handshake.version_mismatch", severity: .error, side: .server,
                    summary: .text("server chose \(server.version), which the client did not offer (\(offeredText))"),
                    detail:
                        .text(
                            "ClientHello (frame \(hello.frame)) supported_versions: \(offeredText); ServerHello (frame \(server.frame)) selected \(server.version), and the handshake did not complete."
                        ),
                    fix: .text("Enable one of \(offeredText) on the server (or its TLS-terminating proxy)."),
                    frames: Format.frames(trigger: server.frame, [hello.frame]))
            ]
        }
        // An SSLv2-format ClientHello that the server closes on without a word.
        // The flag is tested before the (large) ClientHello is bound, which copies it.
        if connection.clientHello?.sslv2Format == true, connection.serverHello == nil,
            let hello = connection.clientHello,
            facts.firstPayloadFrame(from: .server, after: hello.frame) == nil,
            let close = facts.firstClose(after: hello.frame), close.from == .server
        {
            return [
                Finding(
                    code: "handshake.version_mismatch", severity: .error, side: .server,
                    summary: "server closed on the client's SSLv2-format ClientHello",
                    detail:
                        .text(
                            "The ClientHello (frame \(hello.frame)) used the SSLv2-compatible record format, and the server closed (frame \(close.frame)) without answering. Inference: current servers do not accept SSLv2-format hellos."
                        ),
                    fix:
                        "Configure the client to send a TLS-format ClientHello (disable SSLv2/SSLv3 compatibility mode).",
                    frames: Format.frames(trigger: hello.frame, [close.frame]))
            ]
        }
        return []
    }
}

extension VersionMismatchRule {
    static func text(_ offered: [String]) -> String {
        offered.isEmpty ? "unknown versions" : .text("\(joined: offered, separator: ", ")")
    }
}

/// `handshake.no_shared_cipher`: handshake_failure / insufficient_security right after the ClientHello.
public struct NoSharedCipherRule: DiagnosisRule {
    public static let codes = ["handshake.no_shared_cipher"]
    public init() {}

    public func evaluate(_ connection: Connection, context: DiagnosisContext) -> [Finding] {
        evaluate(ConnectionFacts(connection), context: context)
    }

    func evaluate(_ facts: ConnectionFacts, context: DiagnosisContext) -> [Finding] {
        let connection = facts.connection
        guard let c = facts.alertClassification, c.kind == .noSharedCipher, c.answersClose == nil
        else { return [] }
        let hello = connection.clientHello
        let suites = (hello?.cipherSuites ?? []).filter { !Self.isPlaceholder($0) }
        var detail: FindingText = "The server answered the ClientHello"
        if let hello { detail += " (frame \(hello.frame), \(Format.sni(connection)))" }
        detail += " with a fatal \(c.name) alert at frame \(c.alert.frame), before any ServerHello."
        if let hello {
            detail +=
                " The client offered \(Format.plural(suites.count, "cipher suite")): \(Format.list(suites, limit: 6))"
            detail +=
                "; groups: \(Format.list(hello.groups, limit: 6)); versions: \(joined: TLSVersion.offered(by: hello), separator: ", ")."
        }
        let expectation = Self.expectation(suites: suites, versions: hello.map(TLSVersion.offered) ?? [])
        if let expectation { detail += " \(expectation)" }
        detail +=
            " The same alert is also sent when the server has no certificate for the requested name or requires an extension the client left out."
        detail += "\(facts.followingAlerts(c.alert))"
        return [
            Finding(
                code: "handshake.no_shared_cipher", severity: .error, side: .server,
                summary:
                    .text(
                        "server refused the ClientHello with \(c.name): no common cipher suite or group (client offered \(Format.plural(suites.count, "suite")): \(Format.list(suites, limit: 3)))"
                    ),
                detail: detail.string,
                fix:
                    .text(
                        "Enable on the client at least one suite the server accepts (for TLS 1.2 normally TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 or the ECDSA variant), or enable one of the client's suites on the server; list the server's suites with `nmap --script ssl-enum-ciphers -p \(connection.server.port) \(connection.serverName)`."
                    ),
                frames: Format.frames(trigger: c.alert.frame, [hello?.frame]))
        ]
    }

    /// GREASE and signalling (SCSV) values are not suites a server could pick.
    static func isPlaceholder(_ name: String) -> Bool {
        ASCIIText.contains(name, "GREASE", ignoringCase: true) || ASCIIText.contains(name, "SCSV")
    }

    /// What a current server most likely expected, when the offer itself shows the gap.
    static func expectation(suites: [String], versions: [String]) -> String? {
        let few =
            suites.count <= 2 && !suites.isEmpty
            ? "The client offered only \(Format.list(suites)): the server must enable \(suites.count == 1 ? "that suite" : "one of them") (typical of a client restricted with a cipher option)."
            : nil
        switch (expectationDetail(suites: suites, versions: versions), few) {
        case (let detail?, let few?): return detail + " " + few
        case (let detail?, nil): return detail
        case (nil, let few): return few
        }
    }

    static func expectationDetail(suites: [String], versions: [String]) -> String? {
        guard !suites.isEmpty else { return nil }
        let upper = suites.map { $0.uppercased() }
        let tls13Only = upper.allSatisfy { $0.hasPrefix("TLS_AES_") || $0.hasPrefix("TLS_CHACHA20_") }
        if tls13Only && !versions.contains(where: TLSVersion.isTLS13) {
            return
                "Only TLS 1.3 suites were offered for a TLS 1.2 handshake: a TLS 1.2 server needs TLS_ECDHE_* suites."
        }
        if tls13Only {
            return "Only TLS 1.3 suites were offered: a server limited to TLS 1.2 needs TLS_ECDHE_* suites."
        }
        let tls12 = upper.filter { !$0.hasPrefix("TLS_AES_") && !$0.hasPrefix("TLS_CHACHA20_") }
        if !tls12.contains(where: { ASCIIText.contains($0, "ECDHE") || ASCIIText.contains($0, "DHE_") }) {
            return
                "No (EC)DHE suite was offered (RSA key exchange only): servers with current profiles accept only ECDHE suites."
        }
        if !tls12.contains(where: {
            ASCIIText.contains($0, "GCM") || ASCIIText.contains($0, "CHACHA20") || ASCIIText.contains($0, "CCM")
        }) {
            return
                "No AEAD suite (GCM/ChaCha20) was offered, only CBC/RC4/3DES ones: servers with current profiles accept only AEAD suites."
        }
        if !tls12.contains(where: { ASCIIText.contains($0, "RSA_WITH") }) {
            return "Only ECDSA suites were offered for TLS 1.2: a server with an RSA certificate cannot use them."
        }
        return nil
    }
}

/// `handshake.alert`: a fatal alert no more specific rule explains.
public struct HandshakeAlertRule: DiagnosisRule {
    public static let codes = ["handshake.alert"]
    public init() {}

    public func evaluate(_ connection: Connection, context: DiagnosisContext) -> [Finding] {
        evaluate(ConnectionFacts(connection), context: context)
    }

    func evaluate(_ facts: ConnectionFacts, context: DiagnosisContext) -> [Finding] {
        let connection = facts.connection
        guard let c = facts.alertClassification else { return [] }
        let alert = c.alert
        // The specific rules own these unless the alert merely answered a close.
        if (c.kind == .versionMismatch || c.kind == .noSharedCipher) && c.answersClose == nil { return [] }
        let who = alert.from.rawValue
        let lastMessage = facts.lastMessage(before: alert.frame)
        let phase =
            facts.inHandshake(alert.frame) ? ConnectionFacts.describe(lastMessage) : "after the handshake completed"
        let frames = Format.frames(trigger: alert.frame, [c.answersClose?.frame, lastMessage?.event.frame])
        // Folded into the headline, the finding is read for its severity and summary only.
        if facts.isFolded("handshake.alert", trigger: alert.frame) {
            let note = c.reactionNote()
            let summary =
                note.map { "\(who) sent \(c.name) after the peer closed: \($0)" }
                ?? (c.kind == .encrypted
                    ? "\(who) sent an encrypted alert \(phase)" : "\(who) sent fatal \(c.name) \(phase)")
            return [
                Finding(
                    code: "handshake.alert", severity: note == nil ? .error : .info, side: alert.from,
                    summary: summary, detail: "", fix: "", frames: frames)
            ]
        }
        var summary = "\(who) sent fatal \(c.name) \(phase)"
        var detail: FindingText = "Alert from the \(who) at frame \(alert.frame), \(phase)"
        if let code = c.code, c.kind != .encrypted { detail += " (description \(code))" }
        detail += "."
        var fix: String
        switch c.kind {
        case .encrypted:
            summary = "\(who) sent an encrypted alert \(phase)"
            detail +=
                " It was sent after ChangeCipherSpec, so its level and description are encrypted; during the handshake it is an error, typically bad_record_mac or decrypt_error: the two sides computed different keys or the Finished message was altered (TLS inspection, broken offload) — or the \(who) rejected something it received."
            fix =
                "Capture with a key log (SSLKEYLOGFILE) to read the alert, and check the \(who)'s error log at frame \(alert.frame)'s time."
        case .certificate:
            let whose = alert.from == .client ? "server" : "client"
            detail += " The \(who) rejected the \(whose)'s certificate: \(c.cause ?? "see the alert name")."
            if !connection.findings.contains(where: { $0.code.hasPrefix("cert.") }) {
                detail +=
                    " The certificate audit found nothing conclusive on its own; compare the chain with the \(who)'s trust store."
            }
            fix =
                alert.from == .client
                ? "Make the \(whose)'s chain valid for this client: serve the full chain for \(connection.serverName) from a CA the client trusts (or add that CA to the client's trust store)."
                : "Send a client certificate the server accepts (issued by a CA in the server's client-CA list, valid, with clientAuth usage)."
        case .versionMismatch, .noSharedCipher, .other:
            if let cause = c.cause {
                detail += " The \(who) sent this because \(cause)."
            } else {
                detail +=
                    " Alert number \(c.code.map(String.init) ?? "?") is not in the IANA registry: a non-standard or broken TLS stack."
            }
            fix =
                "Read the \(who)'s TLS error log at the time of frame \(alert.frame); \(Self.advice(c.code, sender: alert.from, connection: connection))"
        }
        detail += "\(facts.followingAlerts(alert))"
        var severity = Finding.Severity.error
        if let note = c.reactionNote() {
            severity = .info
            summary = "\(who) sent \(c.name) after the peer closed: \(note)"
            detail +=
                " This alert only answers the peer's close (a close without close_notify, or a reset); it is not the cause."
            fix = "Nothing to fix on the \(who); look at why the \(alert.from.peer.rawValue) closed."
        }
        return [
            Finding(
                code: "handshake.alert", severity: severity, side: alert.from, summary: summary,
                detail: detail.string, fix: fix, frames: frames)
        ]
    }

    static func advice(_ code: UInt8?, sender: Side, connection: Connection) -> String {
        switch code {
        case 10, 50:
            return
                "check for a middlebox altering the handshake and for implementation bugs; compare with `openssl s_client -connect \(Format.endpoint(connection.server)) -servername \(connection.serverName)`."
        case 20, 21, 51:
            return
                "look for TLS inspection or offload devices between the two and for key mismatches (wrong private key for the certificate)."
        case 40, 71:
            return
                "compare the ClientHello's versions, suites, groups and signature algorithms with the peer's configuration."
        case 47:
            return
                "one side chose a parameter the other did not offer (group, signature algorithm): align the configured groups and signature algorithms."
        case 80:
            return "the \(sender.rawValue) failed internally: check its key/certificate configuration and resources."
        case 86:
            return
                "an earlier attempt at a higher version failed; fix that failure (often a middlebox) instead of the fallback."
        case 112:
            return
                "configure a certificate/virtual host for \(connection.serverName) on the server, or send the right SNI."
        case 115: return "the server no longer knows the PSK/ticket: check session ticket key rotation across servers."
        case 120: return "align the ALPN protocols (e.g. h2, http/1.1) between client and server."
        default: return "compare both sides' TLS configuration."
        }
    }
}
