import SwiftASN1
import TLSFlowModel
import X509

/// Everything about a chain that depends neither on time, SNI nor role: decoded certificates,
/// the issuance path through what was sent, and swift-certificates' path verdict with validity
/// checking off. Cached by the SHA-256 of the whole chain.
struct ChainAnalysis: Sendable {
    enum Entry: Sendable {
        case parsed(ParsedCertificate)
        case malformed(sha256: String, reason: String)

        var parsed: ParsedCertificate? {
            if case .parsed(let p) = self { return p }
            return nil
        }
    }

    var entries: [Entry]
    /// Indices (into `entries`) of the leaf's issuance path through the sent certificates.
    var sentPath: [Int] = []
    /// Sent certificates that repeat an earlier one byte for byte.
    var duplicates: [Int] = []
    /// Sent certificates that are not on the leaf's issuance path.
    var unrelated: [Int] = []
    /// Sent certificates off the path that could replace a path certificate (same name, and
    /// their key signed the same child: a renewed or cross-signed issuer).
    var alternates: [Int] = []
    /// True when the path certificates were not sent in path order.
    var misordered = false
    /// A sent certificate carrying the issuer's name whose key did not sign its child.
    var brokenLinks: [(child: Int, candidate: Int)] = []
    /// Certificates beyond `maxPathCertificates` that were not considered for path building.
    var ignoredCount = 0
    /// swift-certificates' verdict (validity not checked); nil when the leaf could not be loaded.
    var verdict: PathVerdict?
    /// For leaves swift-certificates cannot load: the anchor found by name and signature.
    var fallbackAnchor: Certificate?
    /// The validity-relevant certificates of the path (verified path, else sent path and anchor).
    var members: [Checks.PathMember] = []
    /// The CERT objects without the per-connection fields (frame, days left).
    var baseInfos: [CertificateInfo] = []
    /// A CA name in the chain that matches a TLS-inspection product: (name, product).
    var interceptionMatch: (name: String, product: String)?
    /// `Checks.sentChainText` of this chain, made once: every finding about the chain quotes it.
    var sentChainText: String?
    /// The findings of the checks that read nothing but the chain, the role and the trust store
    /// (trust, order, strength), made once per chain for the server (0) and the client (1).
    var roleFindings: [Checks.RoleFindings]?

    var leaf: ParsedCertificate? { entries.first?.parsed }
    var pathCertificates: [ParsedCertificate] { sentPath.compactMap { entries[$0].parsed } }

    var trusted: Bool { verdict?.path != nil || fallbackAnchor != nil }
    /// The anchor that ended the validated path.
    var anchor: Certificate? { verdict?.path?.last ?? fallbackAnchor }

    static func analyse(der: [[UInt8]], trustStore: TrustStore, anchorStore: CertificateStore, maxPath: Int)
        -> (ChainAnalysis, verifierRuns: Int)
    {
        var entries: [Entry] = []
        entries.reserveCapacity(der.count)
        // Repeated certificates (duplicates, padding attacks) are decoded once.
        var decoded: [String: Entry] = [:]
        for bytes in der {
            let fingerprint = sha256Hex(bytes)
            if let known = decoded[fingerprint] {
                entries.append(known)
                continue
            }
            let entry: Entry
            do {
                entry = .parsed(try ParsedCertificate(der: bytes, sha256: fingerprint))
            } catch {
                entry = .malformed(sha256: fingerprint, reason: "\(error)")
            }
            decoded[fingerprint] = entry
            entries.append(entry)
        }
        var analysis = ChainAnalysis(entries: entries)
        analysis.baseInfos = entries.map { entry in
            switch entry {
            case .parsed(let parsed): return CertificateAuditor.info(parsed)
            case .malformed(let sha256, let reason):
                var info = CertificateInfo(frame: 0, sha256: sha256)
                info.parseError = reason
                return info
            }
        }
        guard let leaf = analysis.leaf else { return (analysis, 0) }

        // Path building is bounded: a chain of thousands of certificates (hostile or broken) is
        // only considered up to `maxPath` entries, and only the first copy of each certificate.
        var considered: [Int] = []
        var seen = Set<String>()
        for (index, entry) in entries.enumerated() {
            guard let parsed = entry.parsed else { continue }
            if !seen.insert(parsed.sha256).inserted {
                analysis.duplicates.append(index)
                continue
            }
            if considered.count < maxPath {
                considered.append(index)
            } else {
                analysis.ignoredCount += 1
            }
        }

        // The leaf's issuance path through what was sent: at each step, a not yet used certificate
        // named as the tip's issuer whose key verifies the tip's signature.
        var path = [0]
        var used: Set<Int> = [0]
        var tip = leaf
        while !tip.isSelfSigned {
            var next: Int?
            for index in considered where !used.contains(index) {
                guard let candidate = entries[index].parsed, candidate.subject == tip.issuer else { continue }
                if tip.isSigned(by: candidate) {
                    next = index
                    break
                }
                analysis.brokenLinks.append((child: path[path.count - 1], candidate: index))
            }
            guard let found = next, let parsed = entries[found].parsed else { break }
            path.append(found)
            used.insert(found)
            tip = parsed
        }
        analysis.sentPath = path
        for index in considered where !used.contains(index) {
            guard let candidate = entries[index].parsed else { continue }
            let replaces = zip(path, path.dropFirst()).contains { childIndex, parentIndex in
                guard let child = entries[childIndex].parsed, let parent = entries[parentIndex].parsed else {
                    return false
                }
                return parent.subject == candidate.subject && child.isSigned(by: candidate)
            }
            if replaces {
                analysis.alternates.append(index)
            } else {
                analysis.unrelated.append(index)
            }
        }
        analysis.misordered = path != Array(path.sorted())

        var runs = 0
        if let leafCertificate = leaf.certificate {
            let intermediates = Self.distinctIssuers(
                considered.dropFirst().compactMap { entries[$0].parsed }, validAt: nil)
            analysis.verdict = PathVerifier.verify(
                leaf: leafCertificate, intermediates: intermediates, anchors: anchorStore, validationTime: nil)
            runs = 1
        } else {
            // swift-certificates cannot load the leaf (e.g. RSA-1024): find the anchor for the sent
            // path's tip by name and signature so trust can still be judged.
            analysis.fallbackAnchor = Self.anchor(for: tip, in: trustStore)
        }
        analysis.interceptionMatch = Self.interceptionMatch(analysis, maxPath: maxPath)
        analysis.members = Checks.pathMembers(analysis, verdictPath: analysis.verdict?.path)
        analysis.sentChainText = Checks.sentChainText(analysis)
        analysis.roleFindings = [Side.server, .client].map {
            Checks.roleFindings(analysis, role: $0, trustStore: trustStore)
        }
        return (analysis, runs)
    }

    /// Issuer names of the sent certificates, subjects of CA certificates, and the anchor's subject,
    /// against the TLS-inspection product list.
    static func interceptionMatch(_ analysis: ChainAnalysis, maxPath: Int) -> (name: String, product: String)? {
        var names: [String] = []
        for case .parsed(let p) in analysis.entries.prefix(maxPath) {
            names.append(p.issuerText)
            if p.basicConstraintsCA || p.isSelfSigned { names.append(p.subjectText) }
        }
        if let anchor = analysis.anchor { names.append(anchor.subject.description) }
        for name in names {
            if let product = InterceptionProducts.match(name) { return (name, product) }
        }
        return nil
    }

    /// One certificate per (subject, public key), in sent order: the intermediates handed to the
    /// Verifier. Its loop detection tells certificates apart by subject, key and SAN, so many
    /// certificates sharing a name and key but differing in SAN would let its depth-first search
    /// enumerate every ordering of them; with one per (subject, key) each step has one candidate
    /// per key. With `validAt`, the copy valid at that time is preferred (a renewed intermediate
    /// sent next to its expired predecessor).
    static func distinctIssuers(_ certificates: [ParsedCertificate], validAt time: Timestamp?) -> [Certificate] {
        struct IssuerKey: Hashable {
            var subject: DistinguishedName
            var key: Certificate.PublicKey
        }
        var order: [IssuerKey] = []
        var chosen: [IssuerKey: ParsedCertificate] = [:]
        for parsed in certificates {
            guard let certificate = parsed.certificate else { continue }
            let key = IssuerKey(subject: certificate.subject, key: certificate.publicKey)
            guard let current = chosen[key] else {
                order.append(key)
                chosen[key] = parsed
                continue
            }
            if let time, !CertificateAuditor.isValid(current, at: time), CertificateAuditor.isValid(parsed, at: time) {
                chosen[key] = parsed
            }
        }
        return order.compactMap { chosen[$0]?.certificate }
    }

    /// The trust anchor that is `tip` itself or that signed it.
    static func anchor(for tip: ParsedCertificate, in trustStore: TrustStore) -> Certificate? {
        if trustStore.contains(sha256: tip.sha256), let certificate = tip.certificate { return certificate }
        for candidate in trustStore.anchors(named: tip.issuer) {
            guard let der = try? candidate.derBytes(), let parsed = try? ParsedCertificate(der: der) else { continue }
            if tip.isSigned(by: parsed) { return candidate }
        }
        return nil
    }
}
