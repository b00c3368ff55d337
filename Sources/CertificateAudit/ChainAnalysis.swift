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
        analysis.unrelated = considered.filter { !used.contains($0) }
        analysis.misordered = path != Array(path.sorted())

        var runs = 0
        if let leafCertificate = leaf.certificate {
            let intermediates = considered.dropFirst().compactMap { entries[$0].parsed?.certificate }
            analysis.verdict = PathVerifier.verify(
                leaf: leafCertificate, intermediates: intermediates, anchors: anchorStore, validationTime: nil)
            runs = 1
        } else {
            // swift-certificates cannot load the leaf (e.g. RSA-1024): find the anchor for the sent
            // path's tip by name and signature so trust can still be judged.
            analysis.fallbackAnchor = Self.anchor(for: tip, in: trustStore)
        }
        return (analysis, runs)
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
