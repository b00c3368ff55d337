import SwiftASN1
import TLSFlowModel
import X509

extension Checks {
    struct RoleFindings: Sendable {
        var trust: [Finding]
        var order: [Finding]
        var strength: [Finding]
    }

    /// Runs the chain-only checks for `role` as a Certificate message at frame 0 would; the
    /// auditor sets each connection's frame (`CheckContext.framed`).
    static func roleFindings(_ analysis: ChainAnalysis, role: Side, trustStore: TrustStore) -> RoleFindings {
        let context = CheckContext(
            input: ChainInput(role: role, der: [], frame: 0, serverName: nil, captureTime: .zero), analysis: analysis,
            trustStore: trustStore, time: .zero, timeIsOverride: false, now: .zero, today: "")
        return RoleFindings(trust: trust(context), order: order(context), strength: strength(context))
    }

    // MARK: Trust path

    static func trust(_ context: CheckContext) -> [Finding] {
        let analysis = context.analysis
        guard let leaf = analysis.leaf, !analysis.trusted else { return [] }
        let store =
            context.trustStore.sources.isEmpty
            ? "the trust store is empty"
            : "trust store: " + context.trustStore.sources.joined(separator: ", ")
        let sentText = sentChain(analysis)
        if leaf.isSelfSigned {
            return [
                context.finding(
                    "cert.self_signed", "\(context.role) certificate \(leaf.label) is self-signed and not trusted",
                    detail:
                        "Sent: \(sentText). The certificate is its own issuer (SHA-256 \(leaf.sha256)) and is not in the trust store (\(store)).\(leaf.basicConstraintsCA ? " It carries CA:TRUE, as `openssl req -x509` makes by default." : "")",
                    fix: context.input.role == .server
                        ? "Serve a certificate issued by a CA the clients trust, or, if this self-signed certificate is intended, install it as trusted on every client (and give it to tlsflow with --ca-file)."
                        : "Issue the client certificate from the CA the server trusts for client authentication, or add this certificate to the server's client-CA list."
                )
            ]
        }
        if let verdict = analysis.verdict, !verdict.policyFailures.isEmpty {
            let reasons = verdict.policyFailures.prefix(3).joined(separator: " | ")
            let basic = verdict.policyFailures.contains {
                $0.localizedCaseInsensitiveContains("basicconstraints")
                    || $0.localizedCaseInsensitiveContains("basic constraints")
            }
            return [
                context.finding(
                    basic ? "cert.wrong_usage" : "cert.invalid_chain",
                    "\(context.role) chain reaches a trusted root but breaks RFC 5280 path rules",
                    detail: "Sent: \(sentText). swift-certificates rejected every path: \(reasons).",
                    fix: basic
                        ? "An issuing certificate is not allowed to act as a CA (basicConstraints CA:FALSE, missing, or path length exceeded): reissue the intermediate with CA:TRUE or serve the correct intermediate."
                        : "Reissue the offending certificate so that it follows RFC 5280 (name constraints, version, critical extensions), or serve the CA's correct chain."
                )
            ]
        }
        let path = analysis.pathCertificates
        guard let tip = path.last else { return [] }
        if tip.isSelfSigned {
            return [
                context.finding(
                    "cert.untrusted_root",
                    "\(context.role) chain ends in root \(tip.label), which is not in the trust store",
                    detail: "Sent: \(sentText). Root: \(tip.subjectText) (SHA-256 \(tip.sha256)); \(store).",
                    fix:
                        "If this private CA is intended, install its root on the \(context.peer)s (and give it to tlsflow with --ca-file); otherwise serve a chain from a CA the \(context.peer)s trust."
                )
            ]
        }
        // The tip's issuer is neither sent nor an anchor that verifies: a missing intermediate
        // (or a private CA whose root is unknown too).
        var detail =
            "Sent: \(sentText). The issuer of \(tip.label), \"\(tip.issuerText)\", was not sent and is not a trust anchor."
        let sameName = context.trustStore.anchors(named: tip.issuer)
        if !sameName.isEmpty {
            detail +=
                " The trust store has \(sameName.count) certificate(s) with that name, but none signed \(tip.label) (a re-keyed or cross-signed CA: the matching issuer certificate is missing)."
        }
        for link in analysis.brokenLinks {
            if let child = analysis.entries[link.child].parsed, let candidate = analysis.entries[link.candidate].parsed
            {
                detail +=
                    " Certificate #\(link.candidate + 1) (\(candidate.label)) has the issuer's name but its key did not sign \(child.label)."
            }
        }
        if let aia = caIssuersURL(tip) { detail += " Its AIA extension points to the issuer at \(aia)." }
        if analysis.pathCertificates.count == 1 && analysis.entries.count == 1 {
            detail += " Only the leaf was sent."
        }
        return [
            context.finding(
                "cert.incomplete_chain",
                "\(context.role) chain is incomplete: issuer \(tip.issuer.lastCommonName ?? tip.issuerText) of \(tip.label) is missing",
                detail: detail,
                fix:
                    "Configure the \(context.roleLower) to send its intermediate certificate(s) after the leaf (a full-chain file, e.g. fullchain.pem, instead of the bare certificate). If the issuer is a private CA, its root must also be trusted by the \(context.peer)s (--ca-file for tlsflow)."
            )
        ]
    }

    static func caIssuersURL(_ certificate: ParsedCertificate) -> String? {
        guard let aia = try? certificate.extensions.authorityInformationAccess else { return nil }
        for description in aia where description.method == .issuingCA {
            if case .uniformResourceIdentifier(let uri) = description.location { return uri }
        }
        return nil
    }

    /// The cached text when the analysis has one (the auditor's always do).
    static func sentChain(_ analysis: ChainAnalysis) -> String {
        analysis.sentChainText ?? sentChainText(analysis)
    }

    static func sentChainText(_ analysis: ChainAnalysis) -> String {
        let parts = analysis.entries.prefix(8).enumerated().map { index, entry -> String in
            switch entry {
            case .parsed(let p): return "#\(index + 1) \(p.label) (issuer \(p.issuer.lastCommonName ?? p.issuerText))"
            case .malformed: return "#\(index + 1) (undecodable)"
            }
        }
        let more = analysis.entries.count > 8 ? ", … \(analysis.entries.count - 8) more" : ""
        return parts.joined(separator: ", ") + more
    }

    // MARK: Interception

    static func interception(_ context: CheckContext) -> [Finding] {
        let analysis = context.analysis
        if let (name, product) = analysis.interceptionMatch {
            let host = context.input.serverName ?? "this server"
            let trusted =
                analysis.trusted
                ? "The chain validates against the trust store (the inspection root is trusted here)."
                : "Its root is not in the trust store."
            return [
                context.finding(
                    "cert.interception",
                    "\(context.role) certificate for \(host) was issued by \(product): the connection is being inspected by a TLS proxy",
                    detail:
                        "CA name \"\(name)\" matches \(product). The \(context.peer) is not talking to the real \(context.roleLower) but to a proxy that decrypts and re-signs. \(trusted) Sent: \(sentChain(analysis)).",
                    fix:
                        "Either install the proxy's root CA in the \(context.peer)'s trust store (for tlsflow: --ca-file), or have the proxy administrators bypass inspection for \(host) (needed for certificate pinning and mutual TLS), or configure the \(context.peer) to use the proxy explicitly."
                )
            ]
        }
        return []
    }

    // MARK: Order

    static func order(_ context: CheckContext) -> [Finding] {
        let analysis = context.analysis
        var problems: [String] = []
        if !analysis.duplicates.isEmpty {
            problems.append("duplicates: " + analysis.duplicates.map { "#\($0 + 1)" }.joined(separator: ", "))
        }
        if analysis.misordered {
            let order = analysis.sentPath.map { "#\($0 + 1)" }.joined(separator: " → ")
            problems.append("issuers not in order (issuance order is \(order))")
        }
        if !analysis.unrelated.isEmpty {
            let labels = analysis.unrelated.compactMap { i in analysis.entries[i].parsed.map { "#\(i + 1) \($0.label)" }
            }
            problems.append("not part of the leaf's chain: " + labels.joined(separator: ", "))
        }
        if !analysis.alternates.isEmpty {
            let labels = analysis.alternates.compactMap { i in
                analysis.entries[i].parsed.map {
                    "#\(i + 1) \($0.label) (valid \(TimeText.date($0.notBefore)) to \(TimeText.date($0.notAfter)))"
                }
            }
            problems.append(
                "extra issuer certificates: " + labels.joined(separator: ", ")
                    + " — a second certificate for an issuer already in the chain (renewed or cross-signed)")
        }
        if analysis.ignoredCount > 0 {
            problems.append(
                "\(analysis.entries.count) certificates sent; only the first \(CertificateAuditor.maxPathCertificates) distinct ones were used for path building"
            )
        }
        guard !problems.isEmpty else { return [] }
        return [
            context.finding(
                "cert.chain_order",
                "\(context.role) chain has "
                    + problems.map { $0.components(separatedBy: ":").first ?? $0 }.joined(separator: "; "),
                detail: "Sent: \(sentChain(analysis)). " + problems.joined(separator: "; ") + ".",
                fix:
                    "Send the leaf first, then each issuer in order (leaf, intermediate, …), once each and nothing unrelated; the root may be left out. Strict TLS stacks reject misordered chains."
            )
        ]
    }

    // MARK: Strength

    static func strength(_ context: CheckContext) -> [Finding] {
        var out: [Finding] = []
        let path = context.analysis.pathCertificates
        let weakKeys = path.compactMap { p in p.key.weakness.map { (p, $0) } }
        if let (first, _) = weakKeys.first {
            let detail = weakKeys.map { p, why in
                "\(p.label): \(why)\(p.certificate == nil ? " — swift-certificates refuses to load it (\(p.loadError ?? "unsupported"))" : "")"
            }.joined(separator: "; ")
            out.append(
                context.finding(
                    "cert.weak_key", "\(context.role) certificate \(first.label) has a weak key (\(first.key.text))",
                    detail: detail + ".",
                    fix: "Reissue with an RSA key of at least 2048 bits or an ECDSA P-256/P-384 key."))
        }
        // A self-signed root's own signature is not checked by anyone: only issued certificates count.
        let weakSignatures = path.filter { !$0.isSelfSigned }.compactMap { p in
            SignatureAlgorithmNames.weakHash(p.signatureAlgorithm).map { (p, $0) }
        }
        if let (first, hash) = weakSignatures.first {
            let detail = weakSignatures.map { p, hash in "\(p.label): \(p.signatureAlgorithmName) (\(hash))" }
                .joined(separator: "; ")
            out.append(
                context.finding(
                    "cert.weak_signature", "\(context.role) certificate \(first.label) is signed with \(hash)",
                    detail: detail
                        + ". Current browsers and TLS libraries at default security levels reject \(hash) certificate signatures.",
                    fix: "Reissue the certificate with a SHA-256 (or stronger) signature."))
        }
        return out
    }

    // MARK: Usage

    static func usage(_ context: CheckContext) -> [Finding] {
        guard let leaf = context.analysis.leaf else { return [] }
        var problems: [String] = []
        var fixes: [String] = []
        let wanted: ExtendedKeyUsage.Usage = context.input.role == .server ? .serverAuth : .clientAuth
        let wantedName = context.input.role == .server ? "serverAuth" : "clientAuth"
        if let usages = leaf.extendedKeyUsages {
            if !usages.contains(wanted) && !usages.contains(.any) {
                let names = usages.map { usageName($0) }.joined(separator: ", ")
                problems.append("extendedKeyUsage is \(names.isEmpty ? "empty" : names), without \(wantedName)")
                fixes.append("reissue with extendedKeyUsage \(wantedName)")
            }
        }
        if leaf.basicConstraintsCA && !leaf.isSelfSigned {
            problems.append(
                "the leaf has basicConstraints CA:TRUE (a CA certificate used as an end-entity certificate)")
            fixes.append("issue an end-entity certificate (CA:FALSE)")
        }
        if let keyUsage = leaf.keyUsage {
            let exchange = (context.input.negotiatedKeyExchange ?? "").uppercased()
            // ECDHE_*, DHE_* and TLS 1.3 sign the handshake with the certificate's key.
            let signs =
                exchange.hasPrefix("ECDHE") || exchange.hasPrefix("DHE") || exchange.hasPrefix("TLS13")
                || exchange.hasPrefix("TLS 1.3") || exchange.hasPrefix("TLS_1_3")
            if context.input.role == .client || signs {
                if !keyUsage.digitalSignature {
                    let why =
                        context.input.role == .client ? "signing CertificateVerify" : "the \(exchange) key exchange"
                    problems.append("keyUsage (\(keyUsage)) lacks digitalSignature, which \(why) needs")
                    fixes.append("include digitalSignature in keyUsage")
                }
            } else if exchange == "RSA" || exchange.hasPrefix("RSA_") {
                if !keyUsage.keyEncipherment {
                    problems.append("keyUsage (\(keyUsage)) lacks keyEncipherment, which RSA key exchange needs")
                    fixes.append("include keyEncipherment in keyUsage (or prefer ECDHE suites)")
                }
            }
        }
        guard !problems.isEmpty else { return [] }
        return [
            context.finding(
                "cert.wrong_usage",
                "\(context.role) certificate \(leaf.label) is not allowed for this use: \(problems[0])",
                detail: problems.joined(separator: "; ") + ".",
                fix: "Reissue the certificate: " + fixes.joined(separator: ", ") + ".")
        ]
    }

    static func usageName(_ usage: ExtendedKeyUsage.Usage) -> String {
        switch usage {
        case .serverAuth: return "serverAuth"
        case .clientAuth: return "clientAuth"
        case .codeSigning: return "codeSigning"
        case .emailProtection: return "emailProtection"
        case .timeStamping: return "timeStamping"
        case .ocspSigning: return "OCSPSigning"
        case .any: return "anyExtendedKeyUsage"
        default: return usage.description
        }
    }
}
