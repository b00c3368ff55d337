import Foundation
import TLSFlowModel
import Testing

@testable import CertificateAudit

@Suite("Findings on real chains")
struct AuditFindingsTests {
    @Test func goodChainHasNoFindings() throws {
        let result = try Fixture.auditor().auditDetailed(try Fixture.input("good.pem"))
        #expect(result.findings.isEmpty, "\(result.findings)")
        #expect(result.certificates.count == 2)
        let leaf = try #require(result.certificates.first)
        #expect(leaf.subject == "CN=www.example.com")
        #expect(leaf.issuer == "CN=tlsflow Test Intermediate CA,O=tlsflow Tests")
        #expect(leaf.san == ["dns:www.example.com", "dns:example.com"])
        #expect(leaf.key == "RSA 2048")
        #expect(leaf.signatureAlgorithm == "sha256WithRSAEncryption")
        #expect(leaf.notBefore == Timestamp(rfc3339: "2020-01-01T00:00:00Z"))
        #expect(leaf.notAfter == Timestamp(rfc3339: "2040-01-01T00:00:00Z"))
        #expect(leaf.daysLeftAtCapture == 5327)
        #expect(leaf.selfSigned == false)
        #expect(leaf.ca == false)
        #expect(leaf.frame == 14)
        #expect(leaf.sha256.count == 64)
        #expect(leaf.parseError == nil)
        #expect(result.certificates[1].ca)
        #expect(result.certificates[1].serial == "1002")
    }

    @Test func keyDescriptions() throws {
        let auditor = try Fixture.auditor()
        let ec = auditor.auditDetailed(try Fixture.input("good-ec.pem", sni: "ec.example.com"))
        #expect(ec.certificates.first?.key == "EC P-256")
        #expect(ec.findings.isEmpty, "\(ec.findings)")
        let ed = auditor.auditDetailed(try Fixture.input("ed25519.pem", sni: "ed.example.com"))
        #expect(ed.certificates.first?.key == "Ed25519")
        #expect(ed.findings.isEmpty, "\(ed.findings)")
    }

    @Test func nameOnlyInCNWithOtherSAN() throws {
        let result = try Fixture.auditor().auditDetailed(
            try Fixture.input("cn-only-other-san.pem", sni: "cnonly.example.com"))
        #expect(result.codes == ["cert.cn_only"])
        let finding = try #require(result.finding("cert.cn_only"))
        #expect(finding.detail.contains("dns:other.example.com"))
        #expect(finding.detail.contains("CN: cnonly.example.com"))
        #expect(finding.severity == .warning)
        #expect(finding.side == .server)
        #expect(finding.frames == [14])
    }

    @Test func nameOnlyInCNWithoutSAN() throws {
        // swift-certificates' ServerIdentityPolicy accepts this (CN fallback); RFC 6125 clients do not.
        let result = try Fixture.auditor().auditDetailed(
            try Fixture.input("cn-only-no-san.pem", sni: "nosan.example.com"))
        #expect(result.codes == ["cert.cn_only"])
        #expect(result.finding("cert.cn_only")?.summary.contains("no SAN") == true)
    }

    @Test func nameMismatchListsSANAndCN() throws {
        let result = try Fixture.auditor().auditDetailed(try Fixture.input("good.pem", sni: "api.example.net"))
        #expect(result.codes == ["cert.name_mismatch"])
        let detail = try #require(result.finding("cert.name_mismatch")?.detail)
        #expect(detail.contains("dns:www.example.com, dns:example.com"))
        #expect(detail.contains("CN: www.example.com"))
    }

    @Test func noSNIIsANoteNotAFinding() throws {
        let result = try Fixture.auditor().auditDetailed(try Fixture.input("good.pem", sni: nil))
        #expect(result.findings.isEmpty)
        #expect(result.notes.contains(CertificateAuditNotes.noSNI))
    }

    @Test func wildcardSAN() throws {
        let auditor = try Fixture.auditor()
        #expect(auditor.auditDetailed(try Fixture.input("wildcard.pem", sni: "a.example.com")).findings.isEmpty)
        let deep = auditor.auditDetailed(try Fixture.input("wildcard.pem", sni: "a.b.example.com"))
        #expect(deep.codes == ["cert.name_mismatch"])
        #expect(deep.finding("cert.name_mismatch")?.detail.contains("covers exactly one label") == true)
        let bare = auditor.auditDetailed(try Fixture.input("wildcard.pem", sni: "example.com"))
        #expect(bare.codes == ["cert.name_mismatch"])
        #expect(bare.finding("cert.name_mismatch")?.detail.contains("does not cover the bare name") == true)
    }

    @Test func ipAddressSAN() throws {
        let auditor = try Fixture.auditor()
        let result = auditor.auditDetailed(try Fixture.input("ip-san.pem", sni: "192.0.2.10"))
        #expect(result.findings.isEmpty, "\(result.findings)")
        #expect(result.certificates.first?.san == ["ip:192.0.2.10", "ip:2001:db8::1", "dns:ip.example.com"])
        #expect(auditor.auditDetailed(try Fixture.input("ip-san.pem", sni: "2001:db8::1")).findings.isEmpty)
        // The CN "192.0.2.10" is never matched against an IP, and 192.0.2.11 is not in the SAN.
        #expect(
            auditor.auditDetailed(try Fixture.input("ip-san.pem", sni: "192.0.2.11")).codes == ["cert.name_mismatch"])
    }

    @Test func idnALabel() throws {
        let auditor = try Fixture.auditor()
        #expect(auditor.auditDetailed(try Fixture.input("idn.pem", sni: "xn--bcher-kva.example")).findings.isEmpty)
        #expect(auditor.auditDetailed(try Fixture.input("idn.pem", sni: "XN--BCHER-KVA.example.")).findings.isEmpty)
        #expect(
            auditor.auditDetailed(try Fixture.input("idn.pem", sni: "xn--bcher-kvb.example")).codes == [
                "cert.name_mismatch"
            ])
    }

    @Test func expiredLeafSaysHowLongAgo() throws {
        let result = try Fixture.auditor().auditDetailed(try Fixture.input("expired.pem", sni: "expired.example.com"))
        #expect(result.codes == ["cert.expired"])
        let finding = try #require(result.finding("cert.expired"))
        #expect(finding.summary.contains("expired.example.com"))
        #expect(finding.summary.contains("1978 days"))
        #expect(finding.summary.contains("2020-01-01"))
        #expect(finding.severity == .warning)
        // Expired then and now: no "but … now" clause.
        #expect(!finding.detail.contains("but"))
        #expect(result.certificates.first?.daysLeftAtCapture == -1978)
    }

    @Test func notYetValid() throws {
        let result = try Fixture.auditor().auditDetailed(
            try Fixture.input("not-yet-valid.pem", sni: "future.example.com"))
        #expect(result.codes == ["cert.not_yet_valid"])
        #expect(result.finding("cert.not_yet_valid")?.summary.contains("2090-01-01") == true)
    }

    @Test func notYetValidAtCaptureButValidNow() throws {
        let result = try Fixture.auditor().auditDetailed(
            try Fixture.input("not-yet-then-valid-now.pem", sni: "early.example.com"))
        #expect(result.codes == ["cert.not_yet_valid"])
        let detail = try #require(result.finding("cert.not_yet_valid")?.detail)
        #expect(detail.contains("not yet valid at capture time (2025-06-01) but valid now (2026-11-23)"))
    }

    @Test func validAtCaptureButExpiredNowIsANote() throws {
        let result = try Fixture.auditor().auditDetailed(
            try Fixture.input("valid-then-expired-now.pem", sni: "lapsed.example.com"))
        #expect(result.findings.isEmpty, "\(result.findings)")
        #expect(
            result.notes.contains { $0.contains("valid at capture time (2025-06-01) but is expired now (2026-11-23") })
    }

    @Test func atOverridesTheCaptureTime() throws {
        // The leaf's last valid instant is the intermediate's first: validity bounds are inclusive.
        let auditor = try Fixture.auditor(at: Timestamp(rfc3339: "2020-01-01T00:00:00Z"))
        let result = auditor.auditDetailed(try Fixture.input("expired.pem", sni: "expired.example.com"))
        #expect(result.findings.isEmpty, "\(result.findings)")
        let later = try Fixture.auditor(at: Timestamp(rfc3339: "2027-01-01T00:00:00Z"))
        let lapsed = later.auditDetailed(try Fixture.input("valid-then-expired-now.pem", sni: "lapsed.example.com"))
        #expect(lapsed.codes == ["cert.expired"])
        #expect(lapsed.finding("cert.expired")?.summary.contains("the --at time") == true)
    }

    @Test func expiredIntermediate() throws {
        let result = try Fixture.auditor().auditDetailed(try Fixture.input("expired-intermediate.pem"))
        #expect(result.codes == ["cert.expired"])
        let finding = try #require(result.finding("cert.expired"))
        #expect(finding.summary.contains("tlsflow Test Intermediate CA (intermediate)"))
        #expect(finding.fix.contains("intermediate"))
    }

    @Test func renewedIntermediateSentWithTheExpiredOne() throws {
        // A strict client finds the path through the current intermediate: no expiry finding,
        // but the extra (expired) copy is a chain problem.
        let auditor = try Fixture.auditor()
        let result = auditor.auditDetailed(try Fixture.input("renewed-and-expired-intermediate.pem"))
        #expect(result.codes == ["cert.chain_order"], "\(result.findings)")
        #expect(result.finding("cert.chain_order")?.detail.contains("extra issuer certificates") == true)
    }

    @Test func expiredClientCertificateWithAlert() throws {
        let input = try Fixture.input(
            "client-expired.pem", role: .client, sni: "api.example.com", alert: (20, "certificate_expired"))
        let result = try Fixture.auditor().auditDetailed(input)
        #expect(result.codes == ["cert.expired"])
        let finding = try #require(result.finding("cert.expired"))
        #expect(finding.side == .client)
        #expect(finding.severity == .error)
        #expect(finding.summary.contains("Client certificate client-device-17"))
        #expect(finding.summary.contains("certificate_expired"))
        #expect(finding.frames == [14, 20])
        #expect(finding.fix.contains("client"))
    }

    @Test func goodClientCertificate() throws {
        let input = try Fixture.input("client-good.pem", role: .client, sni: "api.example.com")
        #expect(try Fixture.auditor().auditDetailed(input).findings.isEmpty)
    }

    @Test func privateRootIsUntrusted() throws {
        let result = try Fixture.auditor().auditDetailed(
            try Fixture.input("private-root.pem", sni: "intranet.acme.test"))
        #expect(result.codes == ["cert.untrusted_root"])
        #expect(result.finding("cert.untrusted_root")?.summary.contains("Acme Corp Internal Root") == true)
        #expect(result.finding("cert.untrusted_root")?.severity == .warning)
    }

    @Test func missingIntermediateNamesTheIssuer() throws {
        let result = try Fixture.auditor().auditDetailed(
            try Fixture.input("missing-intermediate.pem", alert: (16, "unknown_ca")))
        #expect(result.codes == ["cert.incomplete_chain"])
        let finding = try #require(result.finding("cert.incomplete_chain"))
        #expect(finding.summary.contains("tlsflow Test Intermediate CA"))
        #expect(finding.detail.contains("http://ca.tlsflow.test/intermediate.cer"))
        #expect(finding.severity == .error)
        #expect(finding.summary.contains("unknown_ca"))
        #expect(finding.frames == [14, 16])
    }

    @Test func weakKeyAndSHA1() throws {
        // swift-certificates refuses RSA-1024; the audit still decodes and reports it.
        let result = try Fixture.auditor().auditDetailed(
            try Fixture.input("weak-rsa1024-sha1.pem", sni: "weak.example.com"))
        #expect(result.codes == ["cert.weak_key", "cert.weak_signature"])
        #expect(result.certificates.first?.key == "RSA 1024")
        #expect(result.certificates.first?.signatureAlgorithm == "sha1WithRSAEncryption")
        #expect(result.certificates.first?.parseError == nil)
        #expect(result.finding("cert.weak_signature")?.summary.contains("SHA-1") == true)
    }

    @Test func wrongExtendedKeyUsage() throws {
        let result = try Fixture.auditor().auditDetailed(
            try Fixture.input("wrong-eku.pem", alert: (16, "unsupported_certificate")))
        #expect(result.codes == ["cert.wrong_usage"])
        let finding = try #require(result.finding("cert.wrong_usage"))
        #expect(finding.detail.contains("clientAuth, without serverAuth"))
        #expect(finding.severity == .error)
    }

    @Test func caTrueLeaf() throws {
        let result = try Fixture.auditor().auditDetailed(try Fixture.input("ca-true-leaf.pem"))
        #expect(result.codes.contains("cert.wrong_usage"))
        #expect(result.finding("cert.wrong_usage")?.detail.contains("CA:TRUE") == true)
    }

    @Test func keyUsageAgainstKeyExchange() throws {
        let auditor = try Fixture.auditor()
        // keyEncipherment only: fine for RSA key exchange, wrong for ECDHE_RSA and TLS 1.3.
        #expect(auditor.auditDetailed(try Fixture.input("ku-encipher-only.pem", kx: "RSA")).findings.isEmpty)
        let ecdhe = auditor.auditDetailed(try Fixture.input("ku-encipher-only.pem", kx: "ECDHE_RSA"))
        #expect(ecdhe.codes == ["cert.wrong_usage"])
        #expect(ecdhe.finding("cert.wrong_usage")?.detail.contains("digitalSignature") == true)
        #expect(
            auditor.auditDetailed(try Fixture.input("ku-encipher-only.pem", kx: "TLS13")).codes == ["cert.wrong_usage"])
    }

    @Test func selfSignedLeaf() throws {
        let result = try Fixture.auditor().auditDetailed(
            try Fixture.input("self-signed.pem", sni: "selfsigned.example.com"))
        #expect(result.codes == ["cert.self_signed"])
        #expect(result.certificates.first?.selfSigned == true)
        // Trusted explicitly: no finding.
        let store = try TrustStore(pemFiles: [Fixture.path("self-signed.pem")], directories: [], includeSystem: false)
        let trusting = CertificateAuditor(trustStore: store, validationTime: nil, now: Fixture.now)
        #expect(
            trusting.auditDetailed(try Fixture.input("self-signed.pem", sni: "selfsigned.example.com")).findings.isEmpty
        )
    }

    @Test func interceptionProxyChain() throws {
        let result = try Fixture.auditor().auditDetailed(
            try Fixture.input("interception.pem", alert: (16, "unknown_ca")))
        #expect(result.codes == ["cert.interception", "cert.untrusted_root"])
        let finding = try #require(result.finding("cert.interception"))
        #expect(finding.severity == .error)
        #expect(finding.summary.contains("Zscaler"))
        #expect(finding.fix.contains("bypass inspection"))
        #expect(finding.fix.contains("explicitly"))
        #expect(result.finding("cert.untrusted_root")?.severity == .warning)
        // With the proxy's root trusted the chain validates but is still reported (as a warning).
        let store = try TrustStore(
            pemFiles: [Fixture.path("root.pem"), Fixture.path("zscaler-root.pem")], directories: [],
            includeSystem: false)
        let trusting = CertificateAuditor(trustStore: store, validationTime: nil, now: Fixture.now)
        let trusted = trusting.auditDetailed(try Fixture.input("interception.pem"))
        #expect(trusted.codes == ["cert.interception"])
    }

    @Test func chainOrderProblems() throws {
        let auditor = try Fixture.auditor()
        #expect(auditor.auditDetailed(try Fixture.input("with-root.pem")).findings.isEmpty)
        let duplicate = auditor.auditDetailed(try Fixture.input("duplicate.pem"))
        #expect(duplicate.codes == ["cert.chain_order"])
        #expect(duplicate.finding("cert.chain_order")?.detail.contains("duplicates: #3") == true)
        let extra = auditor.auditDetailed(try Fixture.input("unrelated-extra.pem"))
        #expect(extra.codes == ["cert.chain_order"])
        #expect(extra.finding("cert.chain_order")?.detail.contains("#3 ec.example.com") == true)
    }

    @Test func misorderedChainLeafNotFirst() throws {
        // The intermediate comes first: it is taken as the leaf (TLS puts the leaf first), so the
        // hostname does not match and the real leaf is unrelated to it.
        let result = try Fixture.auditor().auditDetailed(try Fixture.input("misordered.pem"))
        #expect(result.codes.contains("cert.chain_order"))
        #expect(result.codes.contains("cert.name_mismatch"))
    }

    @Test func badCertificateAlertPrefersNameProblems() throws {
        let input = try Fixture.input(
            "cn-only-other-san.pem", sni: "cnonly.example.com", alert: (16, "bad_certificate"))
        let result = try Fixture.auditor().auditDetailed(input)
        let finding = try #require(result.finding("cert.cn_only"))
        #expect(finding.severity == .error)
        #expect(finding.summary.contains("bad_certificate"))
        #expect(finding.detail.contains("fatal alert bad_certificate at frame 16"))
    }

    @Test func alertThatExplainsNothingChangesNothing() throws {
        let input = try Fixture.input("expired.pem", sni: "expired.example.com", alert: (16, "certificate_revoked"))
        let result = try Fixture.auditor().auditDetailed(input)
        #expect(result.findings.allSatisfy { $0.severity == .warning })
    }

    @Test func untrustedWithEmptyTrustStore() throws {
        let auditor = CertificateAuditor(trustStore: .empty, validationTime: nil, now: Fixture.now)
        let result = auditor.auditDetailed(try Fixture.input("with-root.pem"))
        #expect(result.codes == ["cert.untrusted_root"])
    }

    @Test func unknownCAFromAPeerWhoseStoreLacksOurRoot() throws {
        // tlsflow trusts this chain; the client said unknown_ca, so its store lacks the root.
        let input = try Fixture.input("good.pem", alert: (16, "unknown_ca"))
        let result = try Fixture.auditor().auditDetailed(input)
        #expect(result.codes == ["cert.untrusted_root"])
        let finding = try #require(result.finding("cert.untrusted_root"))
        #expect(finding.severity == .error)
        #expect(finding.frames == [14, 16])
        #expect(finding.summary.contains("client does not trust"))
        // Without the alert the same chain is fine.
        #expect(try Fixture.auditor().auditDetailed(try Fixture.input("good.pem")).findings.isEmpty)
    }
}
