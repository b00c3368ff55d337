import TLSFlowModel

/// A finding about several connections to one server.
public struct PatternFinding: Sendable, Equatable {
    /// `frames` holds the evidence frame of each listed connection (its headline finding's
    /// trigger, its ClientHello, or the leaf certificate), ascending.
    public var finding: Finding
    /// Connection ids, the first `PatternAccumulator.idLimit` only.
    public var connectionIDs: [Int]
    /// Connections that show the pattern.
    public var count: Int
    /// Connections to the same server that were compared.
    public var total: Int
}

/// Cross-connection patterns, fed one diagnosed connection at a time. Memory grows with the number
/// of servers (capped at `serverLimit`), not with the number of connections.
public struct PatternAccumulator: Sendable {
    public static let idLimit = 20
    public static let serverLimit = 10_000
    static let chainLimit = 8

    /// A connection as the accumulator saw it: its id (renumbered when findings are made) and
    /// the frame that shows what it counts for.
    struct Sample: Sendable {
        var id: Int
        var frame: Int
    }

    struct Chain: Sendable {
        var leaf: String
        var issuer: String
        var count = 0
        var samples: [Sample] = []
    }

    struct Tally: Sendable {
        var count = 0
        var samples: [Sample] = []
        mutating func add(_ sample: Sample) {
            count += 1
            if samples.count < PatternAccumulator.idLimit { samples.append(sample) }
        }
    }

    struct Server: Sendable {
        var name: String
        var total = 0
        var resumed = Tally()
        var resumedFailed = Tally()
        var full = Tally()
        var fullFailed = Tally()
        var chains: [Chain] = []
        var moreChains = 0
        var failures: [String: Tally] = [:]
        var failureOrder: [String] = []
    }

    private var servers: [String: Server] = [:]
    /// The server the previous connection went to, and where it is in `servers`: connections to
    /// one server come in runs, and hashing the name was most of `add`. Only inserting a server
    /// moves entries (tallying changes values in place), and that sets it anew.
    private var previous: (name: String, index: [String: Server].Index)?
    private var order: [String] = []
    /// Connections not tallied because `serverLimit` servers were already tracked.
    public private(set) var untracked = 0

    public init() {}

    /// What the accumulator reads from a connection: taken where the connection is analysed,
    /// so that a connection rendered on another thread is tallied without being sent along.
    public struct Observation: Sendable {
        var serverName: String
        var status: ConnectionStatus
        /// The headline finding's trigger, else the ClientHello, else the first frame.
        var evidenceFrame: Int
        var hasClientHello: Bool
        var offeredResumption: Bool
        var leaf: (sha256: String, issuer: String, frame: Int)?
        /// The code of the first error finding (the headline).
        var headlineCode: String?

        public init(_ connection: Connection) {
            serverName = connection.serverName
            status = connection.status
            // By position: binding the headline copied (retained) every field of the finding.
            let findings = connection.findings
            let headline = findings.firstIndex(where: { $0.severity == .error })
            // A field, not the whole hello: comparing the optional hello with nil copied it.
            let helloFrame = connection.clientHello?.frame
            evidenceFrame = headline.flatMap { findings[$0].frames.first } ?? helloFrame ?? connection.firstFrame
            hasClientHello = helloFrame != nil
            offeredResumption = ConnectionFacts.resumptionOffer(of: connection) != .none
            if let certificate = connection.serverCertificates.first, !certificate.sha256.isEmpty {
                leaf = (certificate.sha256, certificate.issuer, certificate.frame)
            }
            headlineCode = headline.map { findings[$0].code }
        }
    }

    public mutating func add(_ connection: Connection) { add(Observation(connection), id: connection.id) }

    public mutating func add(_ observation: Observation, id: Int) {
        let name = observation.serverName
        let index: [String: Server].Index
        if let previous, previous.name == name {
            index = previous.index
        } else if let known = servers.index(forKey: name) {
            index = known
        } else {
            guard servers.count < Self.serverLimit else {
                untracked += 1
                return
            }
            servers[name] = Server(name: name)
            order.append(name)
            guard let added = servers.index(forKey: name) else {
                previous = nil
                return
            }
            index = added
        }
        previous = (name, index)
        // Tallied in place: a copy of the server taken out and written back made its tallies'
        // arrays and dictionary shared, so every append copied them.
        Self.tally(observation, id: id, into: &servers.values[index])
    }

    private static func tally(_ observation: Observation, id: Int, into server: inout Server) {
        server.total += 1
        let evidence = Sample(id: id, frame: observation.evidenceFrame)
        if observation.status != .incomplete && observation.hasClientHello {
            let failed = observation.status == .failed
            if observation.offeredResumption {
                server.resumed.add(evidence)
                if failed { server.resumedFailed.add(evidence) }
            } else {
                server.full.add(evidence)
                if failed { server.fullFailed.add(evidence) }
            }
        }
        if let leaf = observation.leaf {
            let sample = Sample(id: id, frame: leaf.frame)
            if let index = server.chains.firstIndex(where: { $0.leaf == leaf.sha256 }) {
                server.chains[index].count += 1
                if server.chains[index].samples.count < idLimit { server.chains[index].samples.append(sample) }
            } else if server.chains.count < chainLimit {
                server.chains.append(Chain(leaf: leaf.sha256, issuer: leaf.issuer, count: 1, samples: [sample]))
            } else {
                server.moreChains += 1
            }
        }
        if observation.status == .failed, let code = observation.headlineCode {
            // One lookup: a new code is one that grew the dictionary.
            let known = server.failures.count
            server.failures[code, default: Tally()].add(evidence)
            if server.failures.count != known { server.failureOrder.append(code) }
        }
    }

    /// The patterns found so far. `renumber` maps the ids connections had when added to the ids
    /// the report shows (nil: not reported); texts, `connectionIDs` and frames use those.
    public func findings(renumber: (Int) -> Int? = { $0 }) -> [PatternFinding] {
        var out: [PatternFinding] = []
        for name in order {
            guard var server = servers[name] else { continue }
            Self.renumber(&server, renumber)
            let resumption = Self.resumption(server)
            if let resumption { out.append(resumption) }
            if let finding = Self.chains(server) { out.append(finding) }
            // The resumption ratio already says everything a per-code count would.
            out += Self.repeatedFailures(server).filter { resumption == nil || $0.finding.code != "resumption.aborted" }
        }
        return out
    }

    private static func renumber(_ server: inout Server, _ renumber: (Int) -> Int?) {
        func apply(_ samples: [Sample]) -> [Sample] {
            samples.compactMap { sample in renumber(sample.id).map { Sample(id: $0, frame: sample.frame) } }
        }
        for tally in [\Server.resumed, \.resumedFailed, \.full, \.fullFailed] {
            server[keyPath: tally].samples = apply(server[keyPath: tally].samples)
        }
        for index in server.chains.indices { server.chains[index].samples = apply(server.chains[index].samples) }
        for code in server.failureOrder {
            if var tally = server.failures[code] {
                tally.samples = apply(tally.samples)
                server.failures[code] = tally
            }
        }
    }

    private static func frames(_ samples: [Sample]) -> [Int] {
        Array(Set(samples.map(\.frame))).sorted()
    }

    static func resumption(_ s: Server) -> PatternFinding? {
        let attempts = s.resumed.count
        let failed = s.resumedFailed.count
        // Most resumed attempts fail while full handshakes mostly work.
        guard failed >= 2, failed * 5 >= attempts * 4, s.full.count == 0 || s.fullFailed.count * 5 <= s.full.count
        else {
            return nil
        }
        var summary = "\(failed) of \(attempts) resumed handshakes to \(s.name) failed"
        summary +=
            s.full.count > 0
            ? "; \(s.fullFailed.count) of \(s.full.count) full handshakes did"
            : "; no full handshake to compare with"
        var detail =
            "Resumption attempts that failed: connections \(Format.list(s.resumedFailed.samples.map { "#\($0.id)" }, limit: idLimit))."
        if !s.full.samples.isEmpty {
            detail +=
                " Full handshakes: connections \(Format.list(s.full.samples.map { "#\($0.id)" }, limit: idLimit))."
        }
        detail +=
            " When only resumed sessions fail, the session cache or ticket keys are at fault: a load balancer spreading clients over nodes that do not share them, or a proxy (CMG, TLS inspection) that breaks on abbreviated handshakes."
        let finding = Finding(
            code: "resumption.aborted", severity: s.full.count > 0 ? .error : .warning, side: .server,
            summary: summary, detail: detail,
            fix:
                "Disable session resumption on the client to confirm; then share the session cache and synchronise the ticket keys across the nodes behind \(s.name), or disable resumption on the proxy in front of it.",
            frames: frames(s.resumedFailed.samples))
        return PatternFinding(
            finding: finding, connectionIDs: s.resumedFailed.samples.map(\.id), count: failed,
            total: attempts + s.full.count)
    }

    static func chains(_ s: Server) -> PatternFinding? {
        guard s.chains.count >= 2 else { return nil }
        let described = s.chains.map { chain in
            "leaf \(chain.leaf.prefix(16))… issued by \(chain.issuer.isEmpty ? "?" : chain.issuer) (\(Format.plural(chain.count, "connection"))\(chain.samples.first.map { ", first #\($0.id)" } ?? ""))"
        }
        let issuers = Set(s.chains.map(\.issuer))
        var detail =
            "\(s.name) presented \(s.chains.count + (s.moreChains > 0 ? 1 : 0) > s.chains.count ? "more than \(s.chains.count)" : "\(s.chains.count)") different certificate chains: \(described.joined(separator: "; "))."
        detail +=
            issuers.count > 1
            ? " The issuers differ: some connections may go through a TLS-inspecting proxy, or a backend has an old or different certificate."
            : " Same issuer, different leaves: backends behind a load balancer hold different certificates (e.g. a renewal not rolled out everywhere)."
        let total = s.chains.reduce(0) { $0 + $1.count }
        let finding = Finding(
            code: "cert.inconsistent_chain", severity: .warning, side: .server,
            summary:
                "\(s.name) served \(s.chains.count) different certificate chains (\(issuers.count) issuer\(issuers.count == 1 ? "" : "s"))",
            detail: detail,
            fix:
                "Deploy the same certificate and chain on every node serving \(s.name), or find the device that replaces it.",
            frames: Array(frames(s.chains.flatMap(\.samples)).prefix(idLimit)))
        return PatternFinding(
            finding: finding, connectionIDs: Array(s.chains.flatMap(\.samples).map(\.id).prefix(idLimit)),
            count: total, total: s.total)
    }

    static func repeatedFailures(_ s: Server) -> [PatternFinding] {
        s.failureOrder.compactMap { code in
            guard let tally = s.failures[code], tally.count >= 2 else { return nil }
            let title = FindingCatalog.entry(code)?.title ?? code
            let finding = Finding(
                code: code, severity: .error, side: nil,
                summary: "\(code) on \(tally.count) of \(s.total) connections to \(s.name): \(title)",
                detail:
                    "Connections whose headline is \(code): \(Format.list(tally.samples.map { "#\($0.id)" }, limit: idLimit)).",
                fix: FindingCatalog.entry(code)?.fix ?? "See `tlsflow explain \(code)`.",
                frames: frames(tally.samples))
            return PatternFinding(
                finding: finding, connectionIDs: tally.samples.map(\.id), count: tally.count, total: s.total)
        }
    }
}

/// Links resumption attempts to the full handshake in the same capture that issued the session.
///
/// Feed connections in capture order. Session IDs are linked (a TLS 1.2-or-older ServerHello's
/// session ID, echoed later by a ClientHello) and so are TLS 1.2 tickets (the first bytes of a
/// NewSessionTicket, offered later in a ClientHello's session_ticket extension).
public struct SessionLinker: Sendable {
    public static let capacity = 65_536
    /// Issuers by session ID, and by ticket head: two tables rather than one keyed by
    /// "ticket:" + head, which built a string per lookup. (A session ID is hex, so the two kinds
    /// of key never met in one table either.) Both share one FIFO, so eviction is unchanged.
    private var issuers: [String: Int] = [:]
    private var ticketIssuers: [String: Int] = [:]
    private var fifo: [Key] = []
    private var fifoStart = 0

    private struct Key: Sendable {
        var value: String
        var isTicket: Bool
    }

    public init() {}

    /// Sets `resumption.issuedBy` when it is nil and an issuer is known, then remembers the
    /// sessions this connection issued.
    public mutating func link(_ connection: inout Connection) {
        let issuedBy = connection.resumption.issuedBy
        let linked = link(Digest(connection), id: connection.id, issuedBy: issuedBy)
        if linked != issuedBy { connection.resumption.issuedBy = linked }
    }

    /// `link` for a connection known by its digest (taken where it was analysed): returns the
    /// `resumption.issuedBy` it would set, given the current one.
    public mutating func link(_ digest: Digest, id: Int, issuedBy: Int?) -> Int? {
        var linked = issuedBy
        if linked == nil, let sessionID = digest.clientSessionID {
            if !sessionID.isEmpty, let issuer = issuers[sessionID], issuer != id {
                linked = issuer
            } else if let head = digest.ticketHead, !head.isEmpty, let issuer = ticketIssuers[head], issuer != id {
                linked = issuer
            }
        }
        for ticket in digest.issuedTickets where ticketIssuers[ticket] == nil {
            remember(Key(value: ticket, isTicket: true), id)
        }
        if let sessionID = digest.issuedSessionID, issuers[sessionID] == nil {
            remember(Key(value: sessionID, isTicket: false), id)
        }
        return linked
    }

    /// What linking reads from a connection: the session it offered and the sessions it
    /// issued. Read field by field from a borrowed connection: binding a whole hello copied
    /// (retained) it, and reading through `inout` was an accessor call per field that copied
    /// it as well.
    public struct Digest: Sendable {
        var clientSessionID: String?
        var ticketHead: String?
        var issuedTickets: [String]
        /// A TLS 1.2-or-older full handshake's session ID, else nil.
        var issuedSessionID: String?

        public init(_ connection: Connection) {
            clientSessionID = connection.clientHello?.sessionID
            ticketHead = connection.clientHello?.sessionTicketHead
            issuedTickets = connection.issuedTickets
            if connection.resumption.accepted != true, let sessionID = connection.serverHello?.sessionID,
                !sessionID.isEmpty, (connection.serverHello?.version).map(TLSVersion.isTLS13) == false
            {
                issuedSessionID = sessionID
            }
        }

        /// Whether linking could name an issuer for this connection: it offered a session.
        public var mayBeLinked: Bool { !(clientSessionID ?? "").isEmpty || !(ticketHead ?? "").isEmpty }
    }

    private mutating func remember(_ key: Key, _ id: Int) {
        if fifo.count < Self.capacity {
            fifo.append(key)
        } else {
            let evicted = fifo[fifoStart]
            if evicted.isTicket { ticketIssuers[evicted.value] = nil } else { issuers[evicted.value] = nil }
            fifo[fifoStart] = key
            fifoStart = (fifoStart + 1) % Self.capacity
        }
        if key.isTicket { ticketIssuers[key.value] = id } else { issuers[key.value] = id }
    }
}
