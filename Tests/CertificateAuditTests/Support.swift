import Foundation
import SwiftASN1
import TLSFlowModel

@testable import CertificateAudit

/// Fixtures made by Fixtures/make-fixtures.py (fixed validity dates).
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Fixtures")

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// The DER certificates of a PEM fixture, in file order.
    static func chain(_ name: String) throws -> [[UInt8]] {
        let text = try String(contentsOfFile: path(name), encoding: .utf8)
        return try PEMDocument.parseMultiple(pemString: text).map(\.derBytes)
    }

    /// Capture time of every test: 2025-06-01T00:00:00Z.
    static let captureTime = Timestamp(rfc3339: "2025-06-01T00:00:00Z")!
    /// "Now" of every test: 2026-11-23T00:00:00Z.
    static let now = Timestamp(rfc3339: "2026-11-23T00:00:00Z")!

    /// The test root only (no system roots).
    static func trustStore() throws -> TrustStore {
        try TrustStore(pemFiles: [path("root.pem")], directories: [], includeSystem: false)
    }

    static func auditor(at validationTime: Timestamp? = nil) throws -> CertificateAuditor {
        CertificateAuditor(trustStore: try trustStore(), validationTime: validationTime, now: now)
    }

    static func input(
        _ name: String, role: Side = .server, sni: String? = "www.example.com", alert: (Int, String)? = nil,
        kx: String? = "ECDHE_RSA"
    ) throws -> ChainInput {
        ChainInput(
            role: role, der: try chain(name), frame: 14, serverName: sni, captureTime: captureTime,
            peerAlert: alert.map { (frame: $0.0, description: $0.1) }, negotiatedKeyExchange: kx)
    }
}

extension AuditResult {
    var codes: [String] { findings.map(\.code).sorted() }
    func finding(_ code: String) -> Finding? { findings.first { $0.code == code } }
}
