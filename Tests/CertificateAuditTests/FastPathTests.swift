import Foundation
import SwiftASN1
import TLSFlowModel
import Testing

@testable import CertificateAudit

/// The shortcuts the audit takes for speed answer exactly as the general paths do.
@Suite struct FastPathTests {
    @Test func dateTextsMatchRFC3339() {
        var seconds: [Int64] = [0, -1, 86_399, 86_400, -86_400, -86_401, 951_782_400, 4_102_444_799, 253_402_300_799]
        seconds += [253_402_300_800, -62_167_219_200, -62_167_219_201, 9_000_000_000_000_000, -9_000_000_000_000_000]
        // Every day boundary and a spread of times across 0000–9999 and beyond.
        var value: Int64 = -70_000_000_000
        while value < 400_000_000_000 {
            seconds += [value, value + 86_399, value - 1]
            value += 7_919 * 86_400 + 3_671
        }
        for second in seconds {
            let t = Timestamp(seconds: second, nanoseconds: 123_456_789)
            #expect(TimeText.dateTime(t) == String(t.rfc3339().prefix(19)) + "Z", "\(second)")
            #expect(TimeText.date(t) == String(t.rfc3339().prefix(10)), "\(second)")
        }
    }

    /// An auditor that has seen a chain reuses its checks' findings; they must come out as a
    /// fresh auditor makes them, for every frame, name, key exchange, alert and time (at the
    /// capture's time, and years later when members have expired and nothing is reused).
    @Test func reusedChecksFindWhatFreshChecksFind() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Fixture.directory.path)
            .filter { $0.hasSuffix(".pem") }.sorted()
        for validationTime in [nil, Timestamp(rfc3339: "2031-01-01T00:00:00Z")] {
            let warm = try Fixture.auditor(at: validationTime)
            for name in names {
                for role in [Side.server, .client] {
                    for (frame, sni, kx, alert) in [
                        (14, "www.example.com", "ECDHE_RSA", nil),
                        (30, "www.example.com", "ECDHE_RSA", (31, "unknown_ca")),
                        (44, "other.example.org", "RSA", nil), (52, nil, "TLS13", (53, "bad_certificate")),
                        (60, "www.example.com", "ECDHE_RSA", nil),
                    ] as [(Int, String?, String?, (Int, String)?)] {
                        var input = try Fixture.input(name, role: role, sni: sni, alert: alert, kx: kx)
                        input.frame = frame
                        let fresh = try Fixture.auditor(at: validationTime).audit(input)
                        let reused = warm.audit(input)
                        #expect(reused.findings == fresh.findings, "\(name) \(role) \(frame)")
                        #expect(reused.certificates == fresh.certificates, "\(name) \(role) \(frame)")
                    }
                }
            }
        }
    }

    /// The store keeps the DER it read instead of serialising each anchor again: the same
    /// fingerprints, and duplicates (the fixtures twice, the system bundle) dropped as before.
    @Test func trustStoreFingerprintsTheDERItRead() throws {
        let fixtures = try FileManager.default.contentsOfDirectory(atPath: Fixture.directory.path)
            .filter { $0.hasSuffix(".pem") }.sorted().map(Fixture.path)
        for includeSystem in [false, true] {
            let store = try TrustStore(pemFiles: fixtures + fixtures, directories: [], includeSystem: includeSystem)
            let reserialised = Set(try store.anchors.map { sha256Hex(try $0.derBytes()) })
            #expect(store.anchorFingerprints == reserialised)
            #expect(store.anchorCount == reserialised.count)
            #expect(store.anchorCount == Set(store.anchors).count)
        }
    }

    /// The byte scan reads what `PEMDocument.parseMultiple` reads, and gives up (nil) wherever
    /// that throws: on the system bundle, every fixture, and damaged variants of them.
    @Test func pemScanAgreesWithPEMDocument() throws {
        var texts: [String] = []
        let fixtures = try FileManager.default.contentsOfDirectory(atPath: Fixture.directory.path)
            .filter { $0.hasSuffix(".pem") }.sorted().map(Fixture.path)
        for path in fixtures + TrustStore.systemBundlePaths {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            texts.append(String(decoding: data, as: UTF8.self))
        }
        #expect(texts.count > 20)
        let sample = texts[0]
        let lines = sample.split(separator: "\n", omittingEmptySubsequences: false)
        texts += [
            "", "no markers", sample.replacingOccurrences(of: "\n", with: "\r\n"),
            "comment\n" + sample + "\ntrailer -----BEGIN X-----", String(sample.dropLast()),
            String(sample.dropLast(30)), sample.replacingOccurrences(of: "END CERTIFICATE", with: "END OTHER"),
            sample.replacingOccurrences(of: "BEGIN CERTIFICATE-----\n", with: "BEGIN CERTIFICATE----- \n"),
            sample.replacingOccurrences(of: "CERTIFICATE", with: "PRIVATE KEY"),
            "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", "-----BEGIN A-----\nQUJD\n-----END A-----",
            "-----BEGIN A-----\nQUJD\r\n-----END A-----\n-----BEGIN B-----\nQUJ\n-----END B-----",
            "-----BEGIN A-----\nQ\u{FFFD}JD\n-----END A-----", "x-----BEGIN -----\nQUJD\n-----END -----",
            lines.enumerated().map { $0.offset == 3 ? String($0.element.dropLast()) : String($0.element) }
                .joined(separator: "\n"),
            lines.enumerated().map { $0.offset == 2 ? $0.element + "=" : String($0.element) }.joined(separator: "\n"),
        ]
        for (index, text) in texts.enumerated() {
            let reference = try? PEMDocument.parseMultiple(pemString: text).map { [$0.discriminator: $0.derBytes] }
            guard let scanned = PEMScan.documents(text) else { continue }
            #expect(reference == scanned.map { [$0.discriminator: $0.der] }, "text \(index)")
        }
        // The bundle and the fixtures are read by the scan, not handed back.
        for text in texts.prefix(3) { #expect(PEMScan.documents(text) != nil) }
    }

    @Test func auditWithoutNotesFindsWhatTheDetailedAuditFinds() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Fixture.directory.path)
            .filter { $0.hasSuffix(".pem") }.sorted()
        #expect(names.count > 20)
        for validationTime in [nil, Timestamp(rfc3339: "2031-01-01T00:00:00Z")] {
            let auditor = try Fixture.auditor(at: validationTime)
            for name in names {
                for role in [Side.server, .client] {
                    let input = try Fixture.input(name, role: role, alert: (20, "bad_certificate"))
                    let detailed = auditor.auditDetailed(input)
                    let plain = auditor.audit(input)
                    #expect(plain.findings == detailed.findings, "\(name) \(role)")
                    #expect(plain.certificates == detailed.certificates, "\(name) \(role)")
                }
            }
        }
    }
}
