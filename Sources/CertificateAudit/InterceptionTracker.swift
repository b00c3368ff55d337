import TLSFlowModel

/// Cross-connection interception check: the same server name answered, within one capture, by
/// certificates from different issuing organisations — typically some connections go through a
/// TLS-inspecting proxy and some do not.
///
/// Issuers are compared by organisation (the O= of the issuer DN, else the whole DN), so a CA
/// rotating between sibling intermediates (Let's Encrypt R10/R11, DigiCert's several CAs) is not
/// reported. Feed it the leaf's `CertificateInfo.issuer` for every server certificate seen.
public struct InterceptionTracker: Sendable {
    private struct Sighting: Sendable {
        var issuer: String
        var leafSHA256: String
        var connectionID: Int
        var frame: Int
    }
    private var byName: [String: [Sighting]] = [:]
    private var order: [String] = []
    /// Sightings kept per server name (bounds memory on huge captures).
    public static let maxSightingsPerName = 10_000

    public init() {}

    public mutating func observe(serverName: String, issuer: String, leafSHA256: String, connectionID: Int, frame: Int)
    {
        let name = serverName.lowercased()
        let count = byName[name]?.count
        if count == nil { order.append(name) }
        guard (count ?? 0) < Self.maxSightingsPerName else { return }
        byName[name, default: []].append(
            Sighting(issuer: issuer, leafSHA256: leafSHA256, connectionID: connectionID, frame: frame))
    }

    /// One warning per server name seen with more than one issuing organisation. `renumber`
    /// maps the ids given to `observe` to the ids the report shows (nil: not reported); the
    /// connection lists in the text and in `connectionIDs` use the reported ones.
    public func findings(renumber: (Int) -> Int? = { $0 }) -> [(connectionIDs: [Int], finding: Finding)] {
        var out: [(connectionIDs: [Int], finding: Finding)] = []
        // Each distinct issuer parsed once: a capture repeats a handful of issuers over every
        // connection, and parsing one walks its Characters.
        var organisations: [String: String] = [:]
        for name in order {
            guard let observed = byName[name] else { continue }
            let sightings = observed.compactMap { sighting -> Sighting? in
                guard let id = renumber(sighting.connectionID) else { return nil }
                var renumbered = sighting
                renumbered.connectionID = id
                return renumbered
            }
            var groups: [String: [Sighting]] = [:]
            var groupOrder: [String] = []
            for sighting in sightings {
                let organisation: String
                if let known = organisations[sighting.issuer] {
                    organisation = known
                } else {
                    organisation = Self.organisation(of: sighting.issuer)
                    organisations[sighting.issuer] = organisation
                }
                if groups[organisation] == nil { groupOrder.append(organisation) }
                groups[organisation, default: []].append(sighting)
            }
            guard groupOrder.count > 1 else { continue }
            let parts = groupOrder.map { organisation -> String in
                let group = groups[organisation] ?? []
                let ids = Array(Set(group.map(\.connectionID))).sorted()
                let shown = ids.prefix(10).map { "#\($0)" }.joined(separator: ", ")
                let issuer = group.first?.issuer ?? organisation
                let product = InterceptionProducts.match(issuer).map { " [\($0)]" } ?? ""
                return
                    "\"\(issuer)\"\(product) on connection\(ids.count == 1 ? "" : "s") \(shown)\(ids.count > 10 ? " and \(ids.count - 10) more" : "")"
            }
            let suspects = groupOrder.compactMap { org in
                groups[org]?.first.flatMap { InterceptionProducts.match($0.issuer) }
            }
            let suspectText = suspects.isEmpty ? "" : " \(suspects[0]) matches a known TLS-inspection product."
            let frames = Array(Set(sightings.map(\.frame))).sorted().prefix(20)
            let finding = Finding(
                code: "cert.interception", severity: .warning, side: .server,
                summary: "\(name) was served certificates from \(groupOrder.count) different issuers in this capture",
                detail: "Issuers: " + parts.joined(separator: "; ") + "." + suspectText
                    + " Different issuers for one name usually mean some connections pass through a TLS-inspecting proxy (or a different network path) and others do not.",
                fix:
                    "Find which path re-signs the traffic: either trust that proxy's root CA on the clients, have it bypass inspection for \(name), or route the clients through one explicit proxy consistently.",
                frames: Array(frames))
            out.append((connectionIDs: Array(Set(sightings.map(\.connectionID))).sorted(), finding: finding))
        }
        return out
    }

    /// The O= value of an RFC 4514 DN string as this module renders it, else the whole string.
    static func organisation(of issuer: String) -> String {
        var parts: [String] = []
        var current = ""
        var escaped = false
        for character in issuer {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "," || character == "+" {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        for part in parts where part.hasPrefix("O=") { return String(part.dropFirst(2)).lowercased() }
        return issuer.lowercased()
    }
}
