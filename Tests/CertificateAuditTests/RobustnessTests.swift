import Foundation
import TLSFlowModel
import Testing

@testable import CertificateAudit

@Suite("Hostile input, caching, trust store, export")
struct RobustnessTests {
    @Test func nonDERBytes() throws {
        let auditor = try Fixture.auditor()
        let garbage: [[UInt8]] = [[0x30, 0x82, 0xff, 0xff, 0x01], Array("hello world".utf8), [], [0x30, 0x00]]
        for bytes in garbage {
            let result = auditor.auditDetailed(
                ChainInput(role: .server, der: [bytes], frame: 3, serverName: "x", captureTime: Fixture.captureTime))
            #expect(result.certificates.count == 1)
            #expect(result.certificates.first?.parseError != nil)
            #expect(result.findings.isEmpty)
            #expect(!result.notes.isEmpty)
        }
        // A good leaf followed by garbage: the leaf is still audited.
        var chain = try Fixture.chain("good.pem")
        chain.append([1, 2, 3])
        let mixed = auditor.auditDetailed(
            ChainInput(
                role: .server, der: chain, frame: 3, serverName: "www.example.com", captureTime: Fixture.captureTime))
        #expect(mixed.certificates.count == 3)
        #expect(mixed.certificates[2].parseError != nil)
        #expect(mixed.findings.isEmpty, "\(mixed.findings)")
    }

    @Test func truncatedCertificate() throws {
        let der = try Fixture.chain("good.pem")[0]
        let auditor = try Fixture.auditor()
        for cut in stride(from: 0, to: der.count, by: 97) {
            let result = auditor.auditDetailed(
                ChainInput(
                    role: .server, der: [Array(der.prefix(cut))], frame: 1, serverName: nil,
                    captureTime: Fixture.captureTime))
            #expect(result.certificates.first?.parseError != nil)
        }
    }

    @Test func emptyChain() throws {
        let result = try Fixture.auditor().auditDetailed(
            ChainInput(role: .client, der: [], frame: 9, serverName: nil, captureTime: Fixture.captureTime))
        #expect(result.certificates.isEmpty)
        #expect(result.findings.isEmpty)
        #expect(result.notes.first?.contains("no client certificate") == true)
    }

    @Test func thousandCertificateChain() throws {
        let good = try Fixture.chain("good.pem")
        let intermediate = good[1]
        let ec = try Fixture.chain("good-ec.pem")[0]
        var chain = [good[0]]
        for i in 0..<999 { chain.append(i % 2 == 0 ? intermediate : ec) }
        let auditor = try Fixture.auditor()
        let result = auditor.auditDetailed(
            ChainInput(
                role: .server, der: chain, frame: 5, serverName: "www.example.com", captureTime: Fixture.captureTime))
        #expect(result.certificates.count == 1000)
        #expect(result.codes == ["cert.chain_order"])
        #expect(auditor.verificationCount == 1)
    }

    @Test func distinctThousandCertificateChainIsBounded() throws {
        // Many distinct certificates: only the first maxPathCertificates are used for path building.
        var chain = try Fixture.chain("good.pem")
        let names = try FileManager.default.contentsOfDirectory(atPath: Fixture.directory.path)
            .filter { $0.hasSuffix(".pem") }.sorted()
        var all: [[UInt8]] = []
        for name in names { all += try Fixture.chain(name) }
        while chain.count < 1000 { chain.append(all[chain.count % all.count]) }
        let result = try Fixture.auditor().auditDetailed(
            ChainInput(
                role: .server, der: chain, frame: 5, serverName: "www.example.com", captureTime: Fixture.captureTime))
        #expect(result.certificates.count == 1000)
        let order = try #require(result.finding("cert.chain_order"))
        #expect(order.detail.contains("only the first 16 distinct ones"))
    }

    @Test func loopingChain() throws {
        // Leaf issued by A, A issued by B, B issued by A: no anchor, terminates.
        let result = try Fixture.auditor().auditDetailed(try Fixture.input("loop.pem", sni: "loop.example.com"))
        #expect(result.codes == ["cert.incomplete_chain"])
        #expect(result.certificates.count == 3)
    }

    @Test func manyIssuersSharingNameAndKey() throws {
        // 16 mutually verifying "Evil CA" certificates: finishes (one candidate per name and key).
        let result = try Fixture.auditor().auditDetailed(
            try Fixture.input("hostile-same-key.pem", sni: "victim.example.com"))
        #expect(result.certificates.count == 17)
        #expect(result.codes.contains("cert.untrusted_root"))
    }

    @Test func sameChainVerifiedOnce() throws {
        let auditor = try Fixture.auditor()
        let input = try Fixture.input("good.pem")
        let first = auditor.auditDetailed(input)
        #expect(auditor.verificationCount == 1)
        var later = input
        later.captureTime = Fixture.captureTime.adding(nanoseconds: 3_600_000_000_000)
        later.frame = 900
        let second = auditor.auditDetailed(later)
        #expect(auditor.verificationCount == 1)
        #expect(auditor.cacheHits == 1)
        #expect(first.findings == second.findings)
        #expect(second.certificates.first?.frame == 900)
        _ = auditor.auditDetailed(try Fixture.input("good-ec.pem", sni: "ec.example.com"))
        #expect(auditor.verificationCount == 2)
    }

    @Test func expiredChainDatedRecheckIsCached() throws {
        let auditor = try Fixture.auditor()
        var input = try Fixture.input("expired.pem", sni: "expired.example.com")
        _ = auditor.auditDetailed(input)
        let runs = auditor.verificationCount
        #expect(runs == 2)  // validity-free path + dated re-check
        for minute in 1...50 {
            input.captureTime = Fixture.captureTime.adding(nanoseconds: Int64(minute) * 60_000_000_000)
            #expect(auditor.auditDetailed(input).codes == ["cert.expired"])
        }
        #expect(auditor.verificationCount == runs)
    }

    @Test func concurrentAuditsFromTasks() async throws {
        let auditor = try Fixture.auditor()
        let inputs = try ["good.pem", "expired.pem", "missing-intermediate.pem", "wildcard.pem"].map {
            try Fixture.input($0)
        }
        let counts = await withTaskGroup(of: Int.self) { group in
            for i in 0..<64 {
                let input = inputs[i % inputs.count]
                group.addTask { auditor.auditDetailed(input).certificates.count }
            }
            var total = 0
            for await count in group { total += count }
            return total
        }
        #expect(counts == 16 * (2 + 2 + 1 + 2))
    }

    @Test func trustStoreErrors() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("certaudit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let garbage = tmp.appendingPathComponent("garbage.pem")
        try Data("this is not a certificate".utf8).write(to: garbage)
        #expect(throws: TrustStoreError.self) {
            try TrustStore(pemFiles: [garbage.path], directories: [], includeSystem: false)
        }
        #expect(throws: TrustStoreError.self) {
            try TrustStore(
                pemFiles: [tmp.appendingPathComponent("missing.pem").path], directories: [], includeSystem: false)
        }
        #expect(throws: TrustStoreError.self) {
            try TrustStore(pemFiles: [], directories: [tmp.path], includeSystem: false)
        }
        let caDir = tmp.appendingPathComponent("ca")
        try FileManager.default.createDirectory(at: caDir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: Fixture.path("root.pem"), toPath: caDir.appendingPathComponent("root.crt").path)
        try FileManager.default.copyItem(at: garbage, to: caDir.appendingPathComponent("README"))
        let store = try TrustStore(pemFiles: [], directories: [caDir.path], includeSystem: false)
        #expect(store.anchorCount == 1)
        // The same root twice is one anchor.
        let twice = try TrustStore(
            pemFiles: [Fixture.path("root.pem")], directories: [caDir.path], includeSystem: false)
        #expect(twice.anchorCount == 1)
        // A DER file works too.
        let der = tmp.appendingPathComponent("root.der")
        try Data(try Fixture.chain("root.pem")[0]).write(to: der)
        #expect(try TrustStore(pemFiles: [der.path], directories: [], includeSystem: false).anchorCount == 1)
    }

    @Test func systemTrustStoreLoadsOrExplains() {
        let store = TrustStore.system()
        #expect(store.anchorCount > 0 || !store.problems.isEmpty)
    }

    @Test func pemExportRoundTrips() throws {
        let der = try Fixture.chain("good.pem")[0]
        let pem = PEMExport.pem(der: der)
        #expect(pem.hasPrefix("-----BEGIN CERTIFICATE-----\n"))
        #expect(pem.hasSuffix("-----END CERTIFICATE-----\n"))
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString).pem")
        defer { try? FileManager.default.removeItem(at: tmp) }
        try pem.write(to: tmp, atomically: true, encoding: .utf8)
        let store = try TrustStore(pemFiles: [tmp.path], directories: [], includeSystem: false)
        #expect(store.anchorCount == 1)
        let info = try Fixture.auditor().auditDetailed(try Fixture.input("good.pem")).certificates[0]
        #expect(PEMExport.fileName(for: info) == String(info.sha256.prefix(16)) + "-www.example.com.pem")
    }

    @Test func interceptionProductList() {
        #expect(InterceptionProducts.match("CN=Zscaler Intermediate Root CA,O=Zscaler Inc.") == "Zscaler")
        #expect(InterceptionProducts.match("CN=FortiGate CA,O=Fortinet") == "Fortinet FortiGate")
        #expect(InterceptionProducts.match("CN=ESET SSL Filter CA") == "ESET")
        #expect(InterceptionProducts.match("CN=Corp SSL Inspection CA")?.contains("SSL Inspection") == true)
        #expect(InterceptionProducts.match("CN=R11,O=Let's Encrypt,C=US") == nil)
        #expect(InterceptionProducts.match("CN=Cloudflare Inc ECC CA-3,O=Cloudflare\\, Inc.") == nil)
        #expect(InterceptionProducts.match("CN=RESET Networks CA") == nil)  // whole words only
    }

    @Test func trackerReportsDifferentIssuersForOneName() {
        var tracker = InterceptionTracker()
        tracker.observe(
            serverName: "api.example.com", issuer: "CN=R10,O=Let's Encrypt,C=US", leafSHA256: "a", connectionID: 1,
            frame: 10)
        tracker.observe(
            serverName: "api.example.com", issuer: "CN=R11,O=Let's Encrypt,C=US", leafSHA256: "b", connectionID: 2,
            frame: 30)
        tracker.observe(
            serverName: "other.example.com", issuer: "CN=X,O=DigiCert Inc", leafSHA256: "c", connectionID: 3, frame: 50)
        #expect(tracker.findings().isEmpty)  // sibling intermediates of one CA are fine
        tracker.observe(
            serverName: "API.example.com", issuer: "CN=Zscaler Intermediate Root CA,O=Zscaler Inc.", leafSHA256: "d",
            connectionID: 4, frame: 70)
        let findings = tracker.findings()
        #expect(findings.count == 1)
        #expect(findings.first?.connectionIDs == [1, 2, 4])
        #expect(findings.first?.finding.code == "cert.interception")
        #expect(findings.first?.finding.detail.contains("Zscaler") == true)
        #expect(findings.first?.finding.frames == [10, 30, 70])
    }

    @Test func unavailableReasons() {
        #expect(
            CertificateAuditNotes.unavailableReason(version: "TLS 1.3", decrypted: false, resumed: false)
                == "TLS 1.3: certificates are encrypted — supply a key log with --keylog")
        #expect(CertificateAuditNotes.unavailableReason(version: "TLS 1.3", decrypted: true, resumed: false) == nil)
        #expect(
            CertificateAuditNotes.unavailableReason(
                version: "TLS 1.2", decrypted: false, resumed: true, fullHandshakeFrame: 12, connectionID: 2)
                == "resumed session: no certificate sent; the full handshake at frame 12 (connection 2) carried it")
    }
}
