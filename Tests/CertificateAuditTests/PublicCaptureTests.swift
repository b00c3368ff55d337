import Foundation
import TLSFlowModel
import Testing

@testable import CertificateAudit

/// Certificates copied from the public captures (Fixtures/extract-public.py), checked against
/// tshark's view of the same certificates (the captures' .certs.tsv).
@Suite("Certificates from public captures")
struct PublicCaptureTests {
    struct Sample {
        var der: [[UInt8]]
        var frame: Int
        var time: Timestamp
        var sni: String?
        var source: String
    }

    static func sample(_ name: String) throws -> Sample {
        let path = Fixture.directory.appendingPathComponent("public/\(name).pem").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var header: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("# ") {
            let parts = line.dropFirst(2).split(separator: ":", maxSplits: 1)
            if parts.count == 2 { header[String(parts[0])] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        // Undecodable DER is kept as-is by the extractor; read the base64 blocks without PEMDocument
        // validation getting in the way of the "not DER" sample.
        var der: [[UInt8]] = []
        var current = ""
        var inside = false
        for line in text.split(separator: "\n") {
            if line.hasPrefix("-----BEGIN") {
                inside = true
                current = ""
            } else if line.hasPrefix("-----END") {
                inside = false
                der.append([UInt8](Data(base64Encoded: current) ?? Data()))
            } else if inside {
                current += line
            }
        }
        return Sample(
            der: der, frame: Int(header["frame"] ?? "") ?? 0,
            time: Timestamp(seconds: Int64(header["time"] ?? "") ?? 0, nanoseconds: 0),
            sni: header["sni"].flatMap { $0.isEmpty ? nil : $0 }, source: header["source"] ?? "")
    }

    /// tshark's rows for one frame: (serial, notBefore, notAfter).
    static func tsharkRows(_ sample: Sample) throws -> [(serial: String, notBefore: String, notAfter: String)] {
        let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        // The copies in Tests/PublicCaptures; ja4/ captures stay in the shared directory.
        let tsv =
            sample.source.hasPrefix("ja4/")
            ? repoRoot.deletingLastPathComponent().appendingPathComponent(
                "shared/captures/public/\(sample.source).certs.tsv")
            : repoRoot.appendingPathComponent("Tests/PublicCaptures/\(sample.source).certs.tsv")
        let text = try String(contentsOf: tsv, encoding: .utf8)
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 12, Int(fields[0]) == sample.frame else { return nil }
            return (fields[7], fields[10], fields[11])
        }
    }

    static func tsharkTime(_ text: String) -> Timestamp? {
        // "2013-02-04 00:00:00 (UTC)"
        Timestamp(rfc3339: String(text.prefix(19)) + "Z")
    }

    static func audit(_ sample: Sample, store: TrustStore = .empty) -> AuditResult {
        CertificateAuditor(trustStore: store, validationTime: nil, now: Fixture.now).auditDetailed(
            ChainInput(
                role: .server, der: sample.der, frame: sample.frame, serverName: sample.sni, captureTime: sample.time))
    }

    @Test(arguments: [
        "tls-expired-cert", "telesec", "cert-no-cn", "cve-2015-3194-rsa-pss", "ml-dsa-44", "badssl-wrong-host",
    ])
    func fieldsAgreeWithTshark(name: String) throws {
        let sample = try Self.sample(name)
        let result = Self.audit(sample)
        let rows = try Self.tsharkRows(sample)
        #expect(rows.count == result.certificates.count)
        for (row, info) in zip(rows, result.certificates) {
            #expect(info.parseError == nil)
            #expect(info.serial == row.serial)
            #expect(info.notBefore == Self.tsharkTime(row.notBefore))
            #expect(info.notAfter == Self.tsharkTime(row.notAfter))
            #expect(info.sha256.count == 64)
        }
    }

    @Test func expiredCertificateAtItsCaptureTime() throws {
        let sample = try Self.sample("tls-expired-cert")
        let result = Self.audit(sample)
        let leaf = try #require(result.certificates.first)
        #expect(leaf.subject == "CN=www.spidh.org,OU=COMODO SSL,OU=Domain Control Validated")
        #expect(leaf.issuer == "CN=COMODO SSL CA,O=COMODO CA Limited,L=Salford,ST=Greater Manchester,C=GB")
        #expect(leaf.san == ["dns:www.spidh.org", "dns:spidh.org"])
        #expect(leaf.signatureAlgorithm == "sha1WithRSAEncryption")
        #expect(leaf.daysLeftAtCapture == -9)
        let expired = try #require(result.finding("cert.expired"))
        #expect(expired.summary.contains("www.spidh.org"))
        #expect(expired.summary.contains("8 days"))
        // The AddTrust root was not sent and the store is empty.
        #expect(result.finding("cert.incomplete_chain")?.summary.contains("AddTrust External CA Root") == true)
        #expect(result.codes.contains("cert.weak_signature"))
    }

    @Test func wrongHostOnBadSSL() throws {
        let sample = try Self.sample("badssl-wrong-host")
        #expect(sample.sni == "wrong.host.badssl.com")
        let result = Self.audit(sample)
        let mismatch = try #require(result.finding("cert.name_mismatch"))
        #expect(mismatch.detail.contains("*.badssl.com covers exactly one label"))
    }

    @Test func unusualCertificatesDecode() throws {
        let pss = Self.audit(try Self.sample("cve-2015-3194-rsa-pss")).certificates[0]
        #expect(pss.signatureAlgorithm == "rsassaPss")
        #expect(pss.key == "RSA 2048")
        let mldsa = Self.audit(try Self.sample("ml-dsa-44")).certificates[0]
        #expect(mldsa.signatureAlgorithm == "ML-DSA-44")
        #expect(mldsa.key == "ML-DSA-44")
        let noCN = Self.audit(try Self.sample("cert-no-cn"))
        #expect(noCN.certificates[0].subject == "O=TestCorp")
        let telesec = Self.audit(try Self.sample("telesec"))
        #expect(telesec.certificates[2].notBefore == Timestamp(rfc3339: "1999-07-09T12:11:00Z"))
    }

    @Test func malformedDERFromTheWire() throws {
        let result = Self.audit(try Self.sample("der-incomplete-header"))
        #expect(result.certificates.count == 1)
        #expect(result.certificates[0].parseError != nil)
        #expect(result.findings.isEmpty)
    }
}
