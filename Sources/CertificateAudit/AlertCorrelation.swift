import TLSFlowModel

/// Ties a peer's fatal alert to the finding that explains it: that finding becomes an error and
/// names the alert; the others stay warnings (the same problem without an alert means the peer
/// accepted the certificate, e.g. because it trusts a private root).
enum AlertCorrelation {
    private static let names = ["cert.name_mismatch", "cert.cn_only"]
    private static let trust = [
        "cert.interception", "cert.untrusted_root", "cert.incomplete_chain", "cert.self_signed", "cert.invalid_chain",
    ]
    private static let dates = ["cert.expired", "cert.not_yet_valid"]
    private static let usage = ["cert.wrong_usage"]
    private static let strength = ["cert.weak_signature", "cert.weak_key"]

    /// Finding codes that can explain each alert, best explanation first. Alerts not listed
    /// (certificate_revoked: revocation is not checked; protocol alerts) explain nothing here.
    static func explanations(for alert: String, role: Side) -> [String] {
        switch alert {
        case "certificate_expired": return dates
        case "unknown_ca": return trust + strength
        case "bad_certificate", "certificate_unknown":
            // A server judging a client certificate has no hostname to check.
            return role == .server ? names + trust + dates + usage + strength : dates + trust + usage + strength
        case "unsupported_certificate": return usage + strength
        case "insufficient_security": return strength
        case "access_denied": return trust + dates + usage
        case "handshake_failure", "decrypt_error":
            return role == .server ? names + trust + dates + usage + strength : dates + trust + usage + strength
        default: return []
        }
    }

    static func apply(to findings: inout [Finding], input: ChainInput) {
        guard let alert = input.peerAlert else { return }
        let peer = input.role == .server ? "client" : "server"
        for code in explanations(for: alert.description, role: input.role) {
            guard let index = findings.firstIndex(where: { $0.code == code }) else { continue }
            findings[index].severity = .error
            findings[index].summary +=
                " — the \(peer) rejected it with a fatal \(alert.description) alert (frame \(alert.frame))"
            findings[index].detail =
                "The \(peer) answered this Certificate message (frame \(input.frame)) with fatal alert \(alert.description) at frame \(alert.frame). "
                + findings[index].detail
            if !findings[index].frames.contains(alert.frame) { findings[index].frames.append(alert.frame) }
            return
        }
    }

    /// The peer said unknown_ca but, against tlsflow's trust store, the chain is fine: the peer's
    /// own store lacks the root (or the intermediate) that tlsflow has. Its alert is stronger
    /// evidence than our store, so this is still an untrusted-root error — from the peer's side.
    static func peerDistrust(findings: [Finding], input: ChainInput, certificates: [CertificateInfo]) -> Finding? {
        guard let alert = input.peerAlert, alert.description == "unknown_ca",
            !findings.contains(where: { $0.severity == .error }), let top = certificates.last
        else { return nil }
        let peer = input.role == .server ? "client" : "server"
        let whose = input.role == .server ? "Server" : "Client"
        let root = top.selfSigned ? top.subject : top.issuer
        return Finding(
            code: "cert.untrusted_root", severity: .error, side: input.role,
            summary:
                "\(whose) chain ends in \(root), which the \(peer) does not trust — it rejected it with a fatal unknown_ca alert (frame \(alert.frame))",
            detail:
                "The \(peer) answered this Certificate message (frame \(input.frame)) with fatal alert unknown_ca at frame \(alert.frame). The chain verifies against tlsflow's trust store, so the \(peer)'s trust store differs: it does not contain \(root) (sent chain: \(certificates.map(\.subject).joined(separator: " ← "))).",
            fix:
                "Install \(root) in the \(peer)'s trust store (or serve a chain from a CA the \(peer) already trusts); if a TLS-inspecting proxy issued this chain, trust its root on the \(peer) or bypass inspection for this host.",
            frames: [input.frame, alert.frame])
    }
}
