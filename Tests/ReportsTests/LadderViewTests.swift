import TLSFlowModel
import Testing

@testable import Reports

@Suite struct LadderViewTests {
    func lines(_ c: Connection, nanoseconds: Bool = false) -> [String] {
        LadderView().render(c, nanosecondPrecision: nanoseconds, color: false).split(separator: "\n").map(String.init)
    }

    /// The event lines: those with an arrow between the two columns.
    func eventLines(_ all: [String]) -> [String] { all.filter { $0.contains("▶ server") || $0.contains("client ◀") } }

    @Test func headerNamesBothEndsAndStatus() {
        let all = lines(Fixtures.failedCert())
        #expect(all[0] == "#2  10.0.0.5:51514 → 20.1.2.3:443  SNI cmg.example.com  TLS 1.2  failed")
        #expect(all[1].hasPrefix("start 2024-05-01T10:00:00.123456Z, frames 30–45"))
    }

    @Test func eventsInOrderWithArrowsPointingTheRightWay() throws {
        let c = Fixtures.healthy12()
        let events = eventLines(lines(c))
        #expect(events.count == c.timeline.events.count)
        for (line, event) in zip(events, c.timeline.events) {
            let frame = line.split(separator: " ").first.map(String.init)
            #expect(frame == String(event.frame))
            switch event.from {
            case .client: #expect(line.contains("client ──") && line.hasSuffix("▶ server") && !line.contains("◀"))
            case .server: #expect(line.contains("client ◀") && line.hasSuffix("── server") && !line.contains("▶"))
            }
        }
        #expect(events[0].contains("+0.000 ms  client ──SYN──"))
        #expect(events[1].contains("◀") && events[1].contains("SYN, ACK"))
        #expect(events[2].contains("+1.200 ms") && events[2].contains("──ClientHello 512 B──"))
        #expect(events[3].contains("ServerHello 80 B"))
        #expect(events[7].contains("ChangeCipherSpec"))
        #expect(events[8].contains("encrypted Handshake 40 B"))
        #expect(events[11].contains("ApplicationData 517 B"))
        #expect(events[13].contains("retransmission 1460 B"))
        // Every arrow has the same width, so the "server" column lines up.
        #expect(Set(events.map { Terminal.width($0) }).count == 1)
    }

    @Test func alertsAreNamedAndDecryptedRecordsMarked() throws {
        let failed = eventLines(lines(Fixtures.failedCert()))
        #expect(failed.contains { $0.contains("──Alert fatal bad_certificate──") && $0.hasSuffix("▶ server") })
        #expect(failed.contains { $0.contains("──RST──") })
        let tls13 = eventLines(lines(Fixtures.tls13Encrypted()))
        // TLS 1.3 records cannot be named from the outer type.
        #expect(tls13.contains { $0.contains("encrypted record 2500 B") && $0.contains("◀") })
        #expect(tls13.contains { $0.contains("encrypted record 19 B") })
        #expect(tls13.contains { $0.contains("Alert 19 B (decrypted)") })
        #expect(!tls13.contains { $0.contains("ApplicationData") })
    }

    @Test func findingsAndNotesFollowTheLadder() throws {
        let all = lines(Fixtures.failedCert())
        let findings = try #require(all.firstIndex(of: "Findings"))
        #expect(all[findings + 1] == "  warning  cert.self_signed (server)")
        let error = try #require(all.firstIndex(of: "  error  cert.cn_only (server)"))
        #expect(all[error + 1] == "    cmg.example.com is only in the subject CN, not in the SAN")
        #expect(all[error + 2] == "    SAN is absent; subject CN=cmg.example.com")
        #expect(all[error + 3].hasPrefix("    fix: Reissue"))
        #expect(all[error + 4] == "    frames 36, 38")
        let notes = try #require(all.firstIndex(of: "Notes"))
        #expect(all[notes + 1] == "  frame 40: record after the alert was not parsed")
        #expect(findings > (all.lastIndex { $0.hasSuffix(" server") } ?? .max))
    }

    @Test func elidedEventsAreAnnounced() throws {
        var c = Fixtures.healthy12()
        var timeline = Timeline()
        let total = Timeline.headLimit + Timeline.tailLimit + 25
        for i in 0..<total {
            timeline.append(
                TimelineEvent(
                    frame: i + 1, time: Fixtures.at(Double(i)), from: i % 2 == 0 ? .client : .server,
                    kind: .encryptedRecord(contentType: 23, length: 100, decryptedType: nil)))
        }
        c.timeline = timeline
        let all = lines(c)
        let marker = try #require(all.firstIndex { $0.contains("… 25 events not shown …") })
        #expect(all[marker - 1].hasPrefix("    \(Timeline.headLimit) "))
        #expect(all[marker + 1].hasPrefix("    \(Timeline.headLimit + 26) "))
        #expect(eventLines(all).count == Timeline.headLimit + Timeline.tailLimit)
    }

    @Test func nanosecondCapturesShowMoreDigits() {
        var c = Fixtures.healthy12()
        c.timeline = Timeline()
        c.timeline.append(
            TimelineEvent(
                frame: 1, time: c.start.adding(nanoseconds: 1_234_567), from: .client, kind: .plaintext(bytes: 40)))
        let micro = eventLines(lines(c))
        let nano = eventLines(lines(c, nanoseconds: true))
        #expect(micro.first?.contains("+1.235 ms") == true)
        #expect(nano.first?.contains("+1.234567 ms") == true)
        #expect(nano.first?.contains("plaintext 40 B") == true)
    }

    @Test func noEventsAndNoColourEscapes() {
        let text = LadderView().render(Fixtures.noClientHello(), nanosecondPrecision: false, color: false)
        #expect(text.contains("(no events recorded)"))
        #expect(text.contains("[2001:db8::5]:40000 → [2001:db8::443]:443"))
        #expect(!text.contains("\u{1B}"))
        let coloured = LadderView().render(Fixtures.failedCert(), nanosecondPrecision: false, color: true)
        #expect(coloured.contains("\u{1B}[31m──Alert fatal bad_certificate"))
    }

    @Test func longFindingTextsWrapToTheWidth() {
        var c = Fixtures.failedCert()
        c.findings[1].detail = String(repeating: "detail words here ", count: 20)
        c.findings[1].fix = String(repeating: "fix words ", count: 30)
        c.notes = [Note(frame: 3, message: String(repeating: "note ", count: 40))]
        let all = LadderView().render(c, nanosecondPrecision: false, color: false, width: 80)
            .split(separator: "\n").map(String.init)
        for line in all { #expect(Terminal.width(line) <= 80, "\(line)") }
        #expect(all.contains { $0.hasPrefix("    fix: fix words") })
        #expect(all.contains { $0.hasPrefix("         fix words") })
        #expect(all.contains { $0.hasPrefix("  frame 3: note note") })
    }

    @Test func alertNameTable() {
        #expect(AlertNames.name(0) == "close_notify")
        #expect(AlertNames.name(42) == "bad_certificate")
        #expect(AlertNames.name(70) == "protocol_version")
        #expect(AlertNames.name(112) == "unrecognized_name")
        #expect(AlertNames.name(121) == "ech_required")
        #expect(AlertNames.name(255) == "unknown(255)")
    }
}
