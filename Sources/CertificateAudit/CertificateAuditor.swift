import Crypto
import Foundation
import TLSFlowModel
import X509

/// One Certificate message to audit, as the pipeline saw it.
public struct ChainInput: Sendable {
    /// Whose certificates these are (server or client).
    public var role: Side
    /// DER of each certificate as sent, leaf first.
    public var der: [[UInt8]]
    /// Frame of the Certificate message.
    public var frame: Int
    /// SNI (server role); nil when the ClientHello carried none.
    public var serverName: String?
    /// Packet time of the Certificate message.
    public var captureTime: Timestamp
    /// First fatal alert from the peer after this Certificate message, if any.
    public var peerAlert: (frame: Int, description: String)?
    /// Negotiated key exchange: "RSA", "ECDHE_RSA", "DHE_RSA", "ECDHE_ECDSA", "TLS13", …
    public var negotiatedKeyExchange: String?

    public init(
        role: Side, der: [[UInt8]], frame: Int, serverName: String?, captureTime: Timestamp,
        peerAlert: (frame: Int, description: String)? = nil, negotiatedKeyExchange: String? = nil
    ) {
        self.role = role
        self.der = der
        self.frame = frame
        self.serverName = serverName
        self.captureTime = captureTime
        self.peerAlert = peerAlert
        self.negotiatedKeyExchange = negotiatedKeyExchange
    }
}

/// The audit of one chain: the CERT objects, the findings, and notes (remarks that are not
/// findings: no SNI to check, valid then but expired now, undecodable certificates).
public struct AuditResult: Sendable {
    public var certificates: [CertificateInfo]
    public var findings: [Finding]
    public var notes: [String]
}

/// Audits certificate chains the way a strict RFC 5280 / RFC 6125 client would, at the capture's
/// own time. Thread-safe: the caches are guarded by a lock, so one auditor can serve concurrent
/// connection analyses. Parsed chains and swift-certificates verifications are cached by the
/// SHA-256 of the whole DER chain, so 100 000 connections with one chain cost one verification.
public final class CertificateAuditor: @unchecked Sendable {
    /// At most this many distinct certificates of a chain are used for path building.
    public static let maxPathCertificates = 16
    /// Cache entries kept before the cache is cleared (bounds memory on captures with many chains).
    public static let maxCachedChains = 20_000

    public let trustStore: TrustStore
    /// `--at`: validate at this time instead of each Certificate message's packet time.
    public let validationTime: Timestamp?
    /// "Now", for statements about validity today; injected so tests never depend on the date.
    public let now: Timestamp
    /// `now` as a date, for the "valid now (…)" wording of every audit.
    let today: String

    let anchorStore: CertificateStore
    private let lock = NSLock()
    private var chains: [SHA256Digest: ChainAnalysis] = [:]
    private var datedVerdicts: [DatedKey: PathVerdict] = [:]
    private var identityVerdicts: [IdentityKey: Bool] = [:]
    /// The checks' findings by their inputs (`CheckMemoKey`), with the entries array that keeps
    /// the key's address from being reused.
    private var checkMemo: [CheckMemoKey: (entries: [ChainAnalysis.Entry], findings: [Finding])] = [:]
    /// The chain looked up last (always also in `chains`): captures send one chain on run after
    /// run of connections, and comparing bytes is cheaper than hashing them for the key.
    private var lastChain: (der: [[UInt8]], analysis: ChainAnalysis)?
    private var verifierRuns = 0
    private var hits = 0

    /// The leaf and the names it was checked against, as a value rather than one string joined
    /// with "|", which was built for every server audit. A missing name counts as "", as it did.
    private struct IdentityKey: Hashable {
        var leafSHA256: String
        var hostname: String
        var ip: String
    }

    private struct DatedKey: Hashable {
        var chain: SHA256Digest
        /// Which path candidates (sent certificates and anchors) are outside their validity at the
        /// time: the Verifier's answer depends on the time only through this.
        var outOfDate: [Int]
    }

    public init(trustStore: TrustStore, validationTime: Timestamp?, now: Timestamp) {
        self.trustStore = trustStore
        self.validationTime = validationTime
        self.now = now
        today = TimeText.date(now)
        self.anchorStore = CertificateStore(trustStore.anchors)
    }

    /// Number of swift-certificates `Verifier` runs so far (cache misses, plus one dated re-check
    /// per distinct chain and validity state when a path certificate is outside its validity).
    public var verificationCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return verifierRuns
    }

    /// Number of audits answered from the chain cache.
    public var cacheHits: Int {
        lock.lock()
        defer { lock.unlock() }
        return hits
    }

    /// The audit without notes, which are then not even worded.
    public func audit(_ input: ChainInput) -> (certificates: [CertificateInfo], findings: [Finding]) {
        let result = audit(input, collectingNotes: false)
        return (result.certificates, result.findings)
    }

    public func auditDetailed(_ input: ChainInput) -> AuditResult {
        audit(input, collectingNotes: true)
    }

    private func audit(_ input: ChainInput, collectingNotes: Bool) -> AuditResult {
        let effectiveTime = validationTime ?? input.captureTime
        guard !input.der.isEmpty else {
            let note =
                input.role == .client
                ? "the client sent an empty Certificate message: it has no client certificate configured for this server"
                : "the server sent an empty Certificate message"
            return AuditResult(certificates: [], findings: [], notes: [note])
        }
        let analysis = chainAnalysis(input.der)
        var notes: [String] = []
        let certificates = zip(analysis.baseInfos, analysis.entries).map { base, entry -> CertificateInfo in
            var info = base
            info.frame = input.frame
            if let parsed = entry.parsed {
                info.daysLeftAtCapture = TimeText.wholeDays(from: effectiveTime, to: parsed.notAfter)
            }
            return info
        }
        for (index, entry) in analysis.entries.enumerated() {
            if case .malformed(_, let reason) = entry {
                notes.append("certificate #\(index + 1) in frame \(input.frame) could not be decoded: \(reason)")
            }
        }
        guard analysis.leaf != nil else {
            notes.append("the leaf certificate could not be decoded: no certificate checks were made")
            return AuditResult(certificates: certificates, findings: [], notes: notes)
        }

        // Without notes, and with every path member valid at the time, the checks depend on the
        // chain, role, name and key exchange alone (the frame aside): they are made once.
        let memoKey =
            collectingNotes || analysis.members.contains(where: { Checks.state($0, at: effectiveTime) != .valid })
            ? nil : CheckMemoKey(analysis, input)
        var candidates: [Finding]
        if let memoKey, let known = memoizedChecks(memoKey) {
            candidates = known
            for index in candidates.indices { candidates[index].frames = [input.frame] }
        } else {
            var context = CheckContext(
                input: input, analysis: analysis, trustStore: trustStore, time: effectiveTime,
                timeIsOverride: validationTime != nil, now: now, today: today)
            context.collectsNotes = collectingNotes
            context.datedVerdict = { [self] in datedVerdict(analysis: analysis, der: input.der, at: effectiveTime) }
            // The closure keeps the leaf's hash, not a copy of the whole analysis.
            let leafSHA256 = analysis.leaf?.sha256 ?? ""
            context.identityMatches = { [self] certificate, hostname, ip in
                identityMatches(certificate, leafSHA256: leafSHA256, hostname: hostname, ip: ip)
            }
            candidates = Checks.run(&context)
            notes += context.notes
            // Every check frames its findings with the message's frame alone, which a reuse sets.
            if let memoKey, candidates.allSatisfy({ $0.frames == [input.frame] }) {
                memoize(candidates, for: memoKey, entries: analysis.entries)
            }
        }
        AlertCorrelation.apply(to: &candidates, input: input)
        if let unexplained = AlertCorrelation.peerDistrust(
            findings: candidates, input: input, certificates: certificates)
        {
            candidates.insert(unexplained, at: 0)
        }
        return AuditResult(certificates: certificates, findings: candidates, notes: notes)
    }

    // MARK: Caching

    /// The inputs of the checks when no path member is out of date and no notes are kept. The
    /// chain is the analysis, by the address of its entries' storage: the memo keeps that array,
    /// so the address is not reused while the entry exists.
    struct CheckMemoKey: Hashable {
        let chain: UnsafeRawPointer?
        let role: Side
        let serverName: String?
        let negotiatedKeyExchange: String?

        init(_ analysis: ChainAnalysis, _ input: ChainInput) {
            chain = analysis.entries.withUnsafeBufferPointer { $0.baseAddress.map(UnsafeRawPointer.init) }
            role = input.role
            serverName = input.serverName
            negotiatedKeyExchange = input.negotiatedKeyExchange
        }
    }

    private func memoizedChecks(_ key: CheckMemoKey) -> [Finding]? {
        lock.lock()
        defer { lock.unlock() }
        return checkMemo[key]?.findings
    }

    private func memoize(_ findings: [Finding], for key: CheckMemoKey, entries: [ChainAnalysis.Entry]) {
        // An empty chain has no storage address to stand for it.
        guard key.chain != nil else { return }
        lock.lock()
        defer { lock.unlock() }
        if checkMemo.count >= Self.maxCachedChains { checkMemo.removeAll(keepingCapacity: true) }
        checkMemo[key] = (entries, findings)
    }

    func chainAnalysis(_ der: [[UInt8]]) -> ChainAnalysis {
        lock.lock()
        if let last = lastChain, Self.sameChain(last.der, der) {
            hits += 1
            lock.unlock()
            return last.analysis
        }
        lock.unlock()
        let key = Self.chainKey(der)
        lock.lock()
        if let cached = chains[key] {
            hits += 1
            lastChain = (der, cached)
            lock.unlock()
            return cached
        }
        lock.unlock()
        // Computed outside the lock: two threads may analyse the same new chain at once; both
        // results are identical and the second store is harmless.
        let (analysis, runs) = ChainAnalysis.analyse(
            der: der, trustStore: trustStore, anchorStore: anchorStore, maxPath: Self.maxPathCertificates)
        lock.lock()
        if chains.count >= Self.maxCachedChains { chains.removeAll(keepingCapacity: true) }
        chains[key] = analysis
        lastChain = (der, analysis)
        verifierRuns += runs
        lock.unlock()
        return analysis
    }

    /// swift-certificates' verdict with validity checked at `time` (RFC5280Policy with a fixed
    /// validation time). Only needed when a certificate of the found path is outside its validity:
    /// a strict client may still find another, valid path.
    func datedVerdict(analysis: ChainAnalysis, der: [[UInt8]], at time: Timestamp) -> PathVerdict? {
        guard let leaf = analysis.leaf?.certificate else { return nil }
        let sent = analysis.entries.compactMap { $0.parsed }
        var outOfDate: [Int] = []
        for (index, certificate) in sent.enumerated() where !Self.isValid(certificate, at: time) {
            outOfDate.append(index)
        }
        for (index, anchor) in trustStore.anchors.enumerated() {
            let notBefore = Timestamp(date: anchor.notValidBefore)
            let notAfter = Timestamp(date: anchor.notValidAfter)
            if time < notBefore || notAfter < time { outOfDate.append(sent.count + index) }
        }
        let key = DatedKey(chain: Self.chainKey(der), outOfDate: outOfDate)
        lock.lock()
        if let cached = datedVerdicts[key] {
            lock.unlock()
            return cached
        }
        lock.unlock()
        let intermediates = ChainAnalysis.distinctIssuers(
            Array(sent.dropFirst().prefix(Self.maxPathCertificates - 1)), validAt: time)
        let verdict = PathVerifier.verify(
            leaf: leaf, intermediates: intermediates, anchors: anchorStore, validationTime: time.date)
        lock.lock()
        if datedVerdicts.count >= Self.maxCachedChains { datedVerdicts.removeAll(keepingCapacity: true) }
        datedVerdicts[key] = verdict
        verifierRuns += 1
        lock.unlock()
        return verdict
    }

    /// swift-certificates' ServerIdentityPolicy verdict, cached by leaf and name.
    func identityMatches(_ leaf: Certificate, leafSHA256: String, hostname: String?, ip: String?) -> Bool {
        let key = IdentityKey(leafSHA256: leafSHA256, hostname: hostname ?? "", ip: ip ?? "")
        lock.lock()
        if let cached = identityVerdicts[key] {
            lock.unlock()
            return cached
        }
        lock.unlock()
        let verdict = PathVerifier.identityMatches(leaf: leaf, hostname: hostname, ip: ip)
        lock.lock()
        if identityVerdicts.count >= Self.maxCachedChains { identityVerdicts.removeAll(keepingCapacity: true) }
        identityVerdicts[key] = verdict
        lock.unlock()
        return verdict
    }

    static func sameChain(_ a: [[UInt8]], _ b: [[UInt8]]) -> Bool {
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) {
            guard x.count == y.count else { return false }
            let equal = x.withUnsafeBytes { xBytes in
                y.withUnsafeBytes { yBytes in
                    guard let xBase = xBytes.baseAddress, let yBase = yBytes.baseAddress else { return true }
                    return memcmp(xBase, yBase, xBytes.count) == 0
                }
            }
            guard equal else { return false }
        }
        return true
    }

    static func chainKey(_ der: [[UInt8]]) -> SHA256Digest {
        // Length-prefix each certificate so that different splits of the same bytes differ.
        var hasher = SHA256()
        for certificate in der {
            let count = UInt32(truncatingIfNeeded: certificate.count)
            hasher.update(data: [
                UInt8(truncatingIfNeeded: count >> 24), UInt8(truncatingIfNeeded: count >> 16),
                UInt8(truncatingIfNeeded: count >> 8), UInt8(truncatingIfNeeded: count),
            ])
            hasher.update(data: certificate)
        }
        return hasher.finalize()
    }

    static func isValid(_ certificate: ParsedCertificate, at time: Timestamp) -> Bool {
        !(time < certificate.notBefore) && !(certificate.notAfter < time)
    }

    /// The CERT object of one decoded certificate, without frame and days left.
    static func info(_ parsed: ParsedCertificate) -> CertificateInfo {
        var info = CertificateInfo(frame: 0, sha256: parsed.sha256)
        info.subject = parsed.subjectText
        info.issuer = parsed.issuerText
        info.serial = hexString(parsed.serial)
        info.san = parsed.sanStrings
        info.notBefore = parsed.notBefore
        info.notAfter = parsed.notAfter
        info.key = parsed.key.text
        info.signatureAlgorithm = parsed.signatureAlgorithmName
        info.selfSigned = parsed.isSelfSigned
        info.ca = parsed.basicConstraintsCA
        return info
    }
}

extension Timestamp {
    init(date: Date) {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        let clamped = max(min(seconds, 9.0e15), -9.0e15)
        self.init(seconds: Int64(clamped), nanoseconds: 0)
    }

    var date: Date { Date(timeIntervalSince1970: timeIntervalSince1970) }
}
