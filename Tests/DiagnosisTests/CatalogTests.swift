import Foundation
import Testing

@testable import Diagnosis

@Suite struct CatalogTests {
    /// The codes of the JSON contract (shared/spec/output.md), the capture-level pattern code and the
    /// certificate audit's cert.invalid_chain.
    static let contractCodes = [
        "tcp.no_answer", "tcp.refused", "handshake.stalled", "handshake.reset", "handshake.closed", "handshake.alert",
        "handshake.version_mismatch", "handshake.no_shared_cipher", "resumption.aborted", "data.one_way",
        "tls13.encrypted_alert", "cert.cn_only", "cert.name_mismatch", "cert.expired", "cert.not_yet_valid",
        "cert.untrusted_root", "cert.incomplete_chain", "cert.interception", "cert.self_signed", "cert.weak_key",
        "cert.weak_signature", "cert.wrong_usage", "cert.chain_order", "tls.malformed", "capture.gap",
        "cert.inconsistent_chain", "cert.invalid_chain",
    ]

    @Test func everyContractCodeHasACompleteEntry() {
        for code in Self.contractCodes {
            guard let entry = FindingCatalog.entry(code) else {
                Issue.record("missing catalog entry for \(code)")
                continue
            }
            #expect(!entry.title.isEmpty)
            #expect(entry.meaning.count > 40, "\(code) meaning too thin")
            #expect(!entry.typicalCauses.isEmpty)
            #expect(!entry.howToConfirm.isEmpty)
            #expect(!entry.fix.isEmpty)
            #expect(entry.markdown.hasPrefix("## `\(code)`"))
        }
        #expect(Set(FindingCatalog.all.map(\.code)).count == FindingCatalog.all.count, "duplicate codes")
        #expect(FindingCatalog.entry("no.such_code") == nil)
    }

    @Test func partialCodesFindTheirFamily() {
        let handshake = FindingCatalog.entries(matching: "HANDSHAKE.").map(\.code)
        #expect(handshake.count == 6)
        #expect(handshake.allSatisfy { $0.hasPrefix("handshake.") })
        #expect(FindingCatalog.entries(matching: "one_way").map(\.code) == ["data.one_way"])
        #expect(FindingCatalog.entries(matching: "zzz").isEmpty)
    }

    @Test func markdownDocumentListsEveryEntry() {
        let doc = FindingCatalog.markdownDocument
        for entry in FindingCatalog.all {
            #expect(doc.contains(entry.markdown))
            #expect(doc.contains("(#\(FindingCatalog.anchor(entry)))"))
        }
    }

    /// docs/findings.md must match the catalog. Regenerate with
    /// `TLSFLOW_WRITE_DOCS=1 swift test --filter DiagnosisTests.CatalogTests`.
    @Test func docsFindingsIsUpToDate() throws {
        let repoRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let docs = repoRoot.appendingPathComponent("docs/findings.md")
        let expected = FindingCatalog.markdownDocument
        if ProcessInfo.processInfo.environment["TLSFLOW_WRITE_DOCS"] == "1" {
            try FileManager.default.createDirectory(
                at: docs.deletingLastPathComponent(), withIntermediateDirectories: true)
            try expected.write(to: docs, atomically: true, encoding: .utf8)
        }
        let actual = try String(contentsOf: docs, encoding: .utf8)
        #expect(
            actual == expected,
            "docs/findings.md is out of date: run TLSFLOW_WRITE_DOCS=1 swift test --filter DiagnosisTests.CatalogTests")
    }
}
