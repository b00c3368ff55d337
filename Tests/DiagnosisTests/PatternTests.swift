import TLSFlowModel
import Testing

@testable import Diagnosis

@Suite struct PatternAccumulatorTests {
    func resumedFailure(id: Int, server: String = "cmg.example.com") -> Connection {
        var b = ConnectionBuilder(id: id, sni: server)
        b.tcpHandshake()
        b.clientHello(ticketLength: 160)
        b.rst(.server, after: 2)
        return b.diagnosed()
    }

    func fullSuccess(id: Int, server: String = "cmg.example.com", leaf: String = "11", issuer: String = "CN=Example CA")
        -> Connection
    {
        var b = ConnectionBuilder(id: id, sni: server)
        b.tcpHandshake()
        b.clientHello()
        b.serverFlight12()
        b.connection.serverCertificates[0].sha256 = leaf
        b.connection.serverCertificates[0].issuer = issuer
        b.clientFinish12()
        b.serverFinish12()
        b.appData(.client)
        b.appData(.server)
        b.fin(.client)
        return b.diagnosed()
    }

    @Test func resumedFailuresVersusFullSuccesses() {
        var acc = PatternAccumulator()
        var id = 0
        for _ in 0..<12 {
            id += 1
            acc.add(resumedFailure(id: id))
        }
        for _ in 0..<9 {
            id += 1
            acc.add(fullSuccess(id: id))
        }
        let patterns = acc.findings()
        let resumption = patterns.first { $0.finding.code == "resumption.aborted" }
        #expect(
            resumption?.finding.summary
                == "12 of 12 resumed handshakes to cmg.example.com failed; 0 of 9 full handshakes did")
        #expect(resumption?.finding.severity == .error)
        #expect(resumption?.count == 12)
        #expect(resumption?.total == 21)
        #expect(resumption?.connectionIDs == Array(1...12))
        // Reported once: no second per-code count for the same connections.
        #expect(patterns.filter { $0.finding.code == "resumption.aborted" }.count == 1)
    }

    @Test func repeatedFailureCodeIsCountedPerServer() {
        var acc = PatternAccumulator()
        for id in 1...3 {
            var b = ConnectionBuilder(id: id, sni: "api.example.com")
            b.tcpHandshake()
            b.clientHello()
            b.rst(.server, after: 2)
            acc.add(b.diagnosed())
        }
        acc.add(fullSuccess(id: 4, server: "api.example.com"))
        let patterns = acc.findings()
        #expect(patterns.count == 1)
        #expect(patterns.first?.finding.code == "handshake.reset")
        #expect(
            patterns.first?.finding.summary.hasPrefix("handshake.reset on 3 of 4 connections to api.example.com")
                == true)
        #expect(patterns.first?.connectionIDs == [1, 2, 3])
    }

    /// `add` remembers where the previous connection's server is: runs, switches between servers,
    /// new servers and a copy of the accumulator that goes on on its own all tally as a fresh
    /// lookup per connection would.
    @Test func runsOfOneServerTallyAsSeparateLookups() {
        let servers = ["a.example.com", "a.example.com", "b.example.com", "a.example.com", "c.example.com"]
        func connection(_ id: Int) -> Connection {
            let server = servers[id % servers.count]
            return id % 3 == 0 ? fullSuccess(id: id, server: server) : resumedFailure(id: id, server: server)
        }
        var acc = PatternAccumulator()
        for id in 1...20 { acc.add(connection(id)) }
        var copy = acc
        for id in 21...40 {
            acc.add(connection(id))
            copy.add(connection(id))
        }
        var expected: [String: [Connection]] = [:]
        var order: [String] = []
        for id in 1...40 {
            let server = servers[id % servers.count]
            if expected[server] == nil { order.append(server) }
            expected[server, default: []].append(connection(id))
        }
        // Each server fed on its own, in order of first appearance: no remembered position helps.
        var fresh: [PatternFinding] = []
        for server in order {
            var single = PatternAccumulator()
            for connection in expected[server] ?? [] { single.add(connection) }
            fresh += single.findings()
        }
        #expect(!fresh.isEmpty)
        #expect(acc.findings() == fresh)
        #expect(copy.findings() == fresh)
    }

    @Test func noPatternWhenFullHandshakesFailToo() {
        var acc = PatternAccumulator()
        for id in 1...5 { acc.add(resumedFailure(id: id)) }
        for id in 6...10 {
            var b = ConnectionBuilder(id: id, sni: "cmg.example.com")
            b.tcpHandshake()
            b.clientHello()
            b.rst(.server, after: 2)
            acc.add(b.diagnosed())
        }
        #expect(!acc.findings().contains { $0.finding.summary.contains("resumed handshakes") })
    }

    @Test func idListIsBounded() {
        var acc = PatternAccumulator()
        for id in 1...50 { acc.add(resumedFailure(id: id)) }
        let resumption = acc.findings().first { $0.finding.code == "resumption.aborted" }
        #expect(resumption?.count == 50)
        #expect(resumption?.connectionIDs.count == PatternAccumulator.idLimit)
        #expect(resumption?.finding.severity == .warning)  // nothing to compare with
    }

    /// Connections are added with provisional ids and reported with others: the text, the id
    /// list and the evidence frames all follow the reported numbering.
    @Test func reportedIdsAndEvidenceFrames() throws {
        var acc = PatternAccumulator()
        for id in [10, 20, 30] { acc.add(resumedFailure(id: id)) }
        let resumption = try #require(
            acc.findings(renumber: { $0 == 20 ? nil : $0 / 10 }).first { $0.finding.code == "resumption.aborted" })
        #expect(resumption.connectionIDs == [1, 3])
        #expect(resumption.finding.detail.contains("connections #1, #3."))
        #expect(!resumption.finding.detail.contains("#10"))
        #expect(!resumption.finding.frames.isEmpty)
        #expect(resumption.finding.frames == resumption.finding.frames.sorted())
    }

    @Test func differentChainsForOneName() {
        var acc = PatternAccumulator()
        acc.add(fullSuccess(id: 1, leaf: "aa"))
        acc.add(fullSuccess(id: 2, leaf: "aa"))
        acc.add(fullSuccess(id: 3, leaf: "bb", issuer: "CN=Inspection Proxy CA"))
        acc.add(fullSuccess(id: 4, server: "other.example.com", leaf: "cc"))
        let chains = acc.findings().filter { $0.finding.code == "cert.inconsistent_chain" }
        #expect(chains.count == 1)
        #expect(chains[0].finding.summary.contains("app") == false)
        #expect(chains[0].finding.summary.contains("cmg.example.com served 2 different certificate chains (2 issuers)"))
        #expect(chains[0].finding.detail.contains("TLS-inspecting proxy"))
        #expect(chains[0].connectionIDs == [1, 2, 3])
    }

    @Test func healthyTrafficHasNoPatterns() {
        var acc = PatternAccumulator()
        for id in 1...10 { acc.add(fullSuccess(id: id)) }
        #expect(acc.findings().isEmpty)
    }
}

@Suite struct SessionLinkerTests {
    @Test func sessionIDIsLinkedToTheFullHandshakeThatIssuedIt() {
        var first = ConnectionBuilder(id: 1)
        first.tcpHandshake()
        first.clientHello(versions: ["TLS 1.2"])
        first.serverFlight12(sessionID: "4f2a")
        var second = ConnectionBuilder(id: 2)
        second.tcpHandshake()
        second.clientHello(versions: ["TLS 1.2"], sessionID: "4f2a")
        second.serverFlight12(sessionID: "4f2a", resumed: true)
        var third = ConnectionBuilder(id: 3)
        third.tcpHandshake()
        third.clientHello(versions: ["TLS 1.2"], sessionID: "9999")

        var linker = SessionLinker()
        var c1 = first.connection
        var c2 = second.connection
        var c3 = third.connection
        linker.link(&c1)
        linker.link(&c2)
        linker.link(&c3)
        #expect(c1.resumption.issuedBy == nil)
        #expect(c2.resumption.issuedBy == 1)
        #expect(c3.resumption.issuedBy == nil)
    }

    @Test func tls13EchoedSessionIDsAreNotSessions() {
        var first = ConnectionBuilder(id: 1)
        first.tcpHandshake()
        first.clientHello(sessionID: "abcd")
        first.serverFlight13()
        first.connection.serverHello?.sessionID = "abcd"
        var second = ConnectionBuilder(id: 2)
        second.tcpHandshake()
        second.clientHello(sessionID: "abcd")
        var linker = SessionLinker()
        var c1 = first.connection
        var c2 = second.connection
        linker.link(&c1)
        linker.link(&c2)
        #expect(c2.resumption.issuedBy == nil)
    }
}
