import TLSFlowModel
import X509

/// What the checks of one chain need, and the notes they leave.
struct CheckContext {
    let input: ChainInput
    let analysis: ChainAnalysis
    let trustStore: TrustStore
    /// The validation time: the packet time, or `--at`.
    let time: Timestamp
    let timeIsOverride: Bool
    let now: Timestamp
    /// `TimeText.date(now)`, made once by the auditor.
    let today: String
    /// swift-certificates' verdict with validity checked at `time` (cached by the auditor).
    var datedVerdict: () -> PathVerdict? = { nil }
    /// swift-certificates' RFC 6125 check of the leaf for (hostname, ip) (cached by the auditor).
    var identityMatches: (Certificate, String?, String?) -> Bool = { _, _, _ in false }
    var notes: [String] = []
    /// False when the caller discards notes (`CertificateAuditor.audit`): their sentences are
    /// then not built, which was most of the validity check's cost on captures of certificates
    /// that have expired since.
    var collectsNotes = true

    var role: String { input.role == .server ? "Server" : "Client" }
    var roleLower: String { input.role == .server ? "server" : "client" }
    var peer: String { input.role == .server ? "client" : "server" }
    /// "the capture" or "the --at time", for sentences about when something was judged.
    var momentName: String { timeIsOverride ? "the --at time" : "the capture" }
    var momentPhrase: String { timeIsOverride ? "at the --at time" : "at capture time" }

    /// Findings made by `finding` for another Certificate message of the same chain and role,
    /// as `finding` makes them for this one.
    func framed(_ findings: [Finding]) -> [Finding] {
        findings.map { finding in
            var finding = finding
            finding.frames = [input.frame]
            return finding
        }
    }

    func finding(_ code: String, _ summary: String, detail: String, fix: String, severity: Finding.Severity = .warning)
        -> Finding
    {
        Finding(
            code: code, severity: severity, side: input.role, summary: summary, detail: detail, fix: fix,
            frames: [input.frame])
    }
}

/// Durations and dates in messages.
enum TimeText {
    static func date(_ t: Timestamp) -> String { String(dateTime(t).prefix(10)) }

    /// `rfc3339()` cut to whole seconds: "2024-05-01T10:00:00Z". Years of four digits (every
    /// real certificate) are written directly; `rfc3339()` pads through temporary strings,
    /// which showed in profiles of captures where every connection's chain is out of date.
    static func dateTime(_ t: Timestamp) -> String {
        let days = t.seconds / 86_400 - (t.seconds % 86_400 < 0 ? 1 : 0)
        let secondOfDay = t.seconds - days * 86_400
        let (year, month, day) = Timestamp.civilDate(daysSinceEpoch: days)
        guard (0...9999).contains(year) else { return String(t.rfc3339().prefix(19)) + "Z" }
        return String(unsafeUninitializedCapacity: 20) { buffer in
            var index = 0
            func put(_ value: Int, digits: Int, then separator: UInt8) {
                var rest = value
                for position in (index..<index + digits).reversed() {
                    buffer[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
                buffer[index + digits] = separator
                index += digits + 1
            }
            put(Int(year), digits: 4, then: UInt8(ascii: "-"))
            put(month, digits: 2, then: UInt8(ascii: "-"))
            put(day, digits: 2, then: UInt8(ascii: "T"))
            put(Int(secondOfDay / 3600), digits: 2, then: UInt8(ascii: ":"))
            put(Int(secondOfDay % 3600 / 60), digits: 2, then: UInt8(ascii: ":"))
            put(Int(secondOfDay % 60), digits: 2, then: UInt8(ascii: "Z"))
            return index
        }
    }

    /// Whole days from `from` to `to`, rounded toward negative infinity (−1 = expired less than a day ago).
    static func wholeDays(from: Timestamp, to: Timestamp) -> Int {
        let seconds = to.seconds &- from.seconds
        let magnitude = seconds.magnitude
        let days = seconds >= 0 ? magnitude / 86_400 : (magnitude / 86_400 + (magnitude % 86_400 == 0 ? 0 : 1))
        let clamped = Int(clamping: days)
        return seconds >= 0 ? clamped : -clamped
    }

    /// "3 days", "5 hours", "12 minutes", "40 seconds".
    static func duration(_ a: Timestamp, _ b: Timestamp) -> String {
        let seconds = (b.seconds &- a.seconds).magnitude
        func unit(_ n: UInt64, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        if seconds >= 86_400 {
            let days = seconds / 86_400
            if days >= 730 {
                let years = Double(days) / 365.25
                return unit(days, "day") + " (about \((years * 10).rounded() / 10) years)"
            }
            return unit(days, "day")
        }
        if seconds >= 3600 { return unit(seconds / 3600, "hour") }
        if seconds >= 60 { return unit(seconds / 60, "minute") }
        return unit(seconds, "second")
    }
}

enum Checks {
    static func run(_ context: inout CheckContext) -> [Finding] {
        var out: [Finding] = []
        // Most checks find nothing: appending their empty arrays still cost a call each.
        func add(_ new: [Finding]) {
            if !new.isEmpty { out.append(contentsOf: new) }
        }
        add(names(&context))
        add(validity(&context))
        // Checks of the chain alone were run once for the cached chain; only the frame differs.
        let role = context.analysis.roleFindings?[context.input.role == .server ? 0 : 1]
        add(role.map { context.framed($0.trust) } ?? trust(context))
        add(interception(context))
        add(role.map { context.framed($0.order) } ?? order(context))
        add(role.map { context.framed($0.strength) } ?? strength(context))
        add(usage(context))
        return out
    }

    // MARK: Hostname (RFC 6125)

    static func names(_ context: inout CheckContext) -> [Finding] {
        guard context.input.role == .server, let leaf = context.analysis.leaf else { return [] }
        guard let sni = context.input.serverName, !sni.isEmpty else {
            context.notes.append(CertificateAuditNotes.noSNI)
            return []
        }
        let names = leaf.sanNames
        let san = names ?? []
        let isIP = HostnameMatcher.isIPAddress(sni)
        let matchable = san.contains {
            if case .dnsName = $0 { return true }
            if case .ipAddress = $0 { return true }
            return false
        }
        let sanMatch: Bool
        if let certificate = leaf.certificate {
            // swift-certificates decides; it falls back to the CN only when nothing in the SAN is
            // matchable, which is the cn_only case below rather than a pass.
            sanMatch = matchable && context.identityMatches(certificate, isIP ? nil : sni, isIP ? sni : nil)
        } else {
            sanMatch = san.contains {
                switch $0 {
                case .dnsName(let name): return !isIP && HostnameMatcher.matches(presented: name, reference: sni)
                case .ipAddress(let octets):
                    return isIP && IPAddressText.render(Array(octets.bytes)) == sni.lowercased()
                default: return false
                }
            }
        }
        if sanMatch { return [] }
        let cn = leaf.commonName
        let cnMatch = !isIP && cn.map { HostnameMatcher.matches(presented: $0, reference: sni) } == true
        let sanText =
            names == nil
            ? "no subjectAltName extension"
            : "SAN " + (leaf.sanStrings.isEmpty ? "(empty)" : leaf.sanStrings.joined(separator: ", "))
        var detail = "Hostname (SNI): \(sni). \(sanText). Subject CN: \(cn ?? "(none)")."
        detail += wildcardRemarks(san: san, sni: sni)
        if cnMatch {
            let summary =
                names == nil
                ? "\(context.role) certificate has no SAN: \(sni) appears only in the subject CN"
                : "\(context.role) certificate names \(sni) only in the subject CN, not in the SAN"
            return [
                context.finding(
                    "cert.cn_only", summary,
                    detail: detail
                        + " RFC 6125 clients (all browsers, Go, Java, recent OpenSSL-based clients) ignore the CN when checking the name.",
                    fix:
                        "Reissue the certificate with \(sni) in the subjectAltName extension (DNS name); the CN alone is no longer honoured."
                )
            ]
        }
        return [
            context.finding(
                "cert.name_mismatch", "\(context.role) certificate is not valid for \(sni)", detail: detail,
                fix:
                    "Serve a certificate whose SAN contains \(sni) (or a wildcard covering it): check which certificate the server selects for this SNI (a default/fallback certificate is a common cause), or connect using a name the certificate lists."
            )
        ]
    }

    static func wildcardRemarks(san: [GeneralName], sni: String) -> String {
        var remarks: [String] = []
        let target = sni.lowercased().hasSuffix(".") ? String(sni.lowercased().dropLast()) : sni.lowercased()
        for case .dnsName(let name) in san where name.hasPrefix("*.") {
            let base = name.dropFirst(2).lowercased()
            if target == base {
                remarks.append("\(name) does not cover the bare name \(base)")
            } else if target.hasSuffix("." + base) {
                remarks.append("\(name) covers exactly one label, not \(target)")
            }
        }
        return remarks.isEmpty ? "" : " " + remarks.joined(separator: "; ") + "."
    }

    // MARK: Validity at the capture's time

    struct PathMember {
        var label: String
        var position: String  // "leaf", "intermediate", "root"
        var notBefore: Timestamp
        var notAfter: Timestamp
        var isLeaf: Bool
        /// The dates as findings print them, made once per member: the members of a cached
        /// chain serve every connection that sent it.
        var notBeforeDate: String
        var notBeforeDateTime: String
        var notAfterDate: String
        var notAfterDateTime: String

        init(label: String, position: String, notBefore: Timestamp, notAfter: Timestamp, isLeaf: Bool) {
            self.label = label
            self.position = position
            self.notBefore = notBefore
            self.notAfter = notAfter
            self.isLeaf = isLeaf
            notBeforeDateTime = TimeText.dateTime(notBefore)
            notAfterDateTime = TimeText.dateTime(notAfter)
            notBeforeDate = String(notBeforeDateTime.prefix(10))
            notAfterDate = String(notAfterDateTime.prefix(10))
        }
    }

    static func pathMembers(_ analysis: ChainAnalysis, verdictPath: [Certificate]?) -> [PathMember] {
        var members: [PathMember] = []
        if let path = verdictPath {
            for (index, certificate) in path.enumerated() {
                let isLast = index == path.count - 1
                let position = index == 0 ? "leaf" : (isLast ? "root (trust anchor)" : "intermediate")
                let label = certificate.subject.lastCommonName ?? certificate.subject.description
                members.append(
                    PathMember(
                        label: label, position: position, notBefore: Timestamp(date: certificate.notValidBefore),
                        notAfter: Timestamp(date: certificate.notValidAfter), isLeaf: index == 0))
            }
            return members
        }
        let sent = analysis.pathCertificates
        for (index, parsed) in sent.enumerated() {
            let position = index == 0 ? "leaf" : (parsed.isSelfSigned ? "root" : "intermediate")
            members.append(
                PathMember(
                    label: parsed.label, position: position, notBefore: parsed.notBefore, notAfter: parsed.notAfter,
                    isLeaf: index == 0))
        }
        if let anchor = analysis.fallbackAnchor, !(sent.last?.isSelfSigned ?? false) {
            members.append(
                PathMember(
                    label: anchor.subject.lastCommonName ?? anchor.subject.description, position: "root (trust anchor)",
                    notBefore: Timestamp(date: anchor.notValidBefore), notAfter: Timestamp(date: anchor.notValidAfter),
                    isLeaf: false))
        }
        return members
    }

    enum ValidityState: Equatable {
        case valid, expired, notYetValid
        var words: String {
            switch self {
            case .valid: return "valid"
            case .expired: return "expired"
            case .notYetValid: return "not yet valid"
            }
        }
    }

    static func state(_ m: PathMember, at t: Timestamp) -> ValidityState {
        if t < m.notBefore { return .notYetValid }
        if m.notAfter < t { return .expired }
        return .valid
    }

    static func validity(_ context: inout CheckContext) -> [Finding] {
        var members = context.analysis.members
        let outOfDate = members.contains(where: { state($0, at: context.time) != .valid })
        if outOfDate, context.analysis.verdict?.path != nil, let dated = context.datedVerdict(),
            let datedPath = dated.path
        {
            // A strict client finds another path that is valid at this time (e.g. a current
            // cross-sign or a newer root in the store): judge that one.
            members = pathMembers(context.analysis, verdictPath: datedPath)
        }
        // The validation time as text, made once, and only when a finding or note may print it.
        let judgedAt = outOfDate || context.collectsNotes ? TimeText.dateTime(context.time) : ""
        let when = String(judgedAt.prefix(10))
        let today = context.today
        var expired: [String] = []
        var notYet: [String] = []
        // The first member of each kind, with its duration text (the summary repeats it).
        var firstExpired: (member: PathMember, duration: String)?
        var firstNotYet: (member: PathMember, duration: String)?
        for m in members {
            let then = state(m, at: context.time)
            let current = state(m, at: context.now)
            // Built only for the findings that print it.
            var nowClause: String {
                then == current
                    ? "" : "; \(then.words) \(context.momentPhrase) (\(when)) but \(current.words) now (\(today))"
            }
            switch then {
            case .expired:
                let duration = TimeText.duration(m.notAfter, context.time)
                expired.append(
                    "\(m.position) \(m.label): notAfter \(m.notAfterDateTime), expired \(duration) before \(context.momentName)\(nowClause)"
                )
                if firstExpired == nil { firstExpired = (m, duration) }
            case .notYetValid:
                let duration = TimeText.duration(context.time, m.notBefore)
                notYet.append(
                    "\(m.position) \(m.label): notBefore \(m.notBeforeDateTime), \(duration) after \(context.momentName)\(nowClause)"
                )
                if firstNotYet == nil { firstNotYet = (m, duration) }
            case .valid:
                if current != .valid && context.collectsNotes {
                    context.notes.append(
                        "\(context.roleLower) certificate \(m.label) (\(m.position)) was valid \(context.momentPhrase) (\(when)) but is \(current.words) now (\(today); notBefore \(m.notBeforeDate), notAfter \(m.notAfterDate)): tools that check it today will report it \(current.words)."
                    )
                }
            }
        }
        var out: [Finding] = []
        if let (m, duration) = firstExpired {
            let more = expired.count > 1 ? " (and \(expired.count - 1) more in the chain)" : ""
            let summary =
                "\(context.role) certificate \(m.label) (\(m.position)) expired \(duration) before \(context.momentName) (notAfter \(m.notAfterDate))\(more)"
            out.append(
                context.finding(
                    "cert.expired", summary,
                    detail:
                        "Judged at \(judgedAt)\(context.timeIsOverride ? " (--at)" : " (packet time of the Certificate message)"): "
                        + expired.joined(separator: "; ") + ".",
                    fix: expiredFix(context, m)))
        }
        if let (m, duration) = firstNotYet {
            let more = notYet.count > 1 ? " (and \(notYet.count - 1) more in the chain)" : ""
            let summary =
                "\(context.role) certificate \(m.label) (\(m.position)) is not valid until \(m.notBeforeDate), \(duration) after \(context.momentName)\(more)"
            out.append(
                context.finding(
                    "cert.not_yet_valid", summary,
                    detail:
                        "Judged at \(judgedAt)\(context.timeIsOverride ? " (--at)" : " (packet time of the Certificate message)"): "
                        + notYet.joined(separator: "; ") + ".",
                    fix:
                        "Check the clocks: a \(context.peer) whose clock is behind rejects newly issued certificates (and a capture host with a wrong clock gives misleading packet times — use --at to judge at another time). Otherwise the certificate was deployed before its notBefore: keep serving the previous certificate until then."
                ))
        }
        return out
    }

    static func expiredFix(_ context: CheckContext, _ m: PathMember) -> String {
        if m.isLeaf {
            return context.input.role == .server
                ? "Renew the server certificate and install it, with its chain, on the server; make sure automatic renewal also reloads the service that serves it."
                : "Install the renewed client certificate on the client: the expired one is still configured (a renewed certificate that was issued but not deployed is the usual cause)."
        }
        if m.position.hasPrefix("root") {
            return
                "The root \(m.label) has expired: serve a chain that leads to a current root (the CA publishes the replacement chain) and update the \(context.peer)s' trust stores if they lack it."
        }
        return
            "Replace the expired intermediate \(m.label) in the \(context.roleLower)'s chain file with the CA's current intermediate certificate."
    }
}

/// Fixed texts for when a certificate check cannot be made; the pipeline puts them in notes.
public enum CertificateAuditNotes {
    public static let noSNI = "no SNI sent: hostname could not be checked against the certificate"
    public static let tls13Encrypted = "TLS 1.3: certificates are encrypted — supply a key log with --keylog"

    /// "resumed session: no certificate sent; the full handshake at frame N (connection #C) carried it".
    public static func resumedSession(fullHandshakeFrame: Int? = nil, connectionID: Int? = nil) -> String {
        var text = "resumed session: no certificate sent"
        if let fullHandshakeFrame {
            text += "; the full handshake at frame \(fullHandshakeFrame)"
            if let connectionID { text += " (connection \(connectionID))" }
            text += " carried it"
        }
        return text
    }

    /// Why certificate checks could not run on a connection, or nil when they can.
    public static func unavailableReason(
        version: String?, decrypted: Bool, resumed: Bool, fullHandshakeFrame: Int? = nil, connectionID: Int? = nil
    ) -> String? {
        if resumed { return resumedSession(fullHandshakeFrame: fullHandshakeFrame, connectionID: connectionID) }
        if version == "TLS 1.3" && !decrypted { return tls13Encrypted }
        return nil
    }
}
