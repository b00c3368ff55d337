import TLSFlowModel
import Testing

@testable import Reports

@Suite struct TextReportTests {
    let capture = Fixtures.capture(Fixtures.all)

    func lines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    @Test func headerNamesTheCaptureAndItsSpan() {
        let text = TextReport(color: false, width: 120, verbose: false).render(capture)
        let first = lines(text)
        #expect(first[0].hasPrefix("Captures/x.pcap  (pcap, EN10MB)  123 packets, 46 kB"))
        #expect(first[1].contains("2024-05-01T10:00:00.123456Z → 2024-05-01T10:00:03.623456Z  (3.500 s)"))
        #expect(first[2].contains("4 TLS connections (+2 without TLS): 1 ok, 3 failed"))
        #expect(text.contains("capture error: capture truncated after frame 88"))
    }

    @Test func serversAreGroupedWithVersionsAndProblems() throws {
        let text = TextReport(color: false, width: 120, verbose: false).render(capture)
        let all = lines(text)
        let www = try #require(all.first { $0.hasPrefix("  www.example.com") })
        #expect(www.contains(" 2  ") && www.contains("TLS 1.2, TLS 1.3") && www.contains("tls13.encrypted_alert"))
        let cmg = try #require(all.first { $0.hasPrefix("  cmg.example.com") })
        #expect(cmg.contains("cert.cn_only"))
        // No SNI: grouped by address.
        #expect(all.contains { $0.hasPrefix("  2001:db8::443") && $0.contains("tcp.no_answer") })
    }

    @Test func connectionTableRowsAreAlignedAndTruncated() throws {
        let text = TextReport(color: false, width: 120, verbose: false).render(capture)
        let all = lines(text)
        let header = try #require(all.firstIndex { $0.hasPrefix("  #  client → server") })
        let rows = Array(all[(header + 1)...(header + 4)])
        #expect(rows.map { $0.split(separator: " ").first } == ["1", "2", "3", "4"])
        #expect(rows[1].contains("ticket ✗") && rows[1].contains("C→S fatal bad_c") && rows[1].hasSuffix("failed"))
        #expect(rows[0].contains("517 B / 3.2 kB") && rows[0].hasSuffix("ok"))
        // The status column starts at the same place on every row and in the header.
        let statusColumn = Terminal.width(all[header]) - "status".count
        for row in rows {
            let status = row.split(separator: " ").last.map(String.init) ?? ""
            #expect(Terminal.width(row) - Terminal.width(status) == statusColumn, "\(row)")
        }
        #expect(rows[3].contains("…"))
    }

    @Test func problemsShowHeadlineFramesFixAndAlso() throws {
        let text = TextReport(color: false, width: 120, verbose: false).render(capture)
        let all = lines(text)
        let start = try #require(all.firstIndex(of: "Problems"))
        let section = Array(all[start...])
        let failed2 = try #require(section.firstIndex { $0.contains("✗ failed  #2 10.0.0.5:51514 → cmg.example.com") })
        // The first error finding is the headline even though a warning comes first.
        #expect(section[failed2 + 1].contains("cert.cn_only  cmg.example.com is only in the subject CN"))
        #expect(section[failed2 + 1].hasSuffix("frames 36, 38"))
        #expect(section[failed2 + 2].hasPrefix("    fix: Reissue the certificate"))
        #expect(section[failed2 + 3] == "    also: cert.self_signed (frame 36)")
        #expect(text.contains("1 connection has notes (use --verbose)"))
        #expect(!text.contains("record after the alert was not parsed"))
        #expect(text.contains("resumption.aborted  2 of 2 resumed handshakes failed  frames 34, 4"))
        #expect(text.contains("\n  connections: #2 #3\n"))
        // The healthy connection is not a problem.
        #expect(!section.contains { $0.contains("#1 10.0.0.5") })
    }

    @Test func verboseShowsNotesUnderTheConnection() throws {
        let text = TextReport(color: false, width: 120, verbose: true).render(capture)
        #expect(text.contains("    note: frame 40: record after the alert was not parsed"))
        #expect(!text.contains("use --verbose"))
    }

    @Test func totalsCountFindingsAndStatuses() throws {
        let text = TextReport(color: false, width: 120, verbose: false).render(capture)
        let all = lines(text)
        let start = try #require(all.firstIndex { $0.hasPrefix("Totals") })
        #expect(all[start] == "Totals  1 ok, 3 failed")
        #expect(all[(start + 1)...].contains { $0.hasPrefix("  cert.cn_only") && $0.hasSuffix("1  #2") })
        #expect(all[(start + 1)...].contains { $0.hasPrefix("  cert.self_signed") })
    }

    @Test(arguments: [60, 80, 100, 120, 200]) func linesFitTheWidth(width: Int) {
        var wide = Fixtures.failedCert()
        wide.clientHello?.sni = String(repeating: "very-long-label.", count: 20) + "example.com"
        wide.findings[1].summary = String(repeating: "word ", count: 80)
        wide.findings[1].fix = String(repeating: "x", count: 300)
        let report = TextReport(color: false, width: width, verbose: true)
        let text = report.render(Fixtures.capture(Fixtures.all + [wide]))
        for line in lines(text) {
            #expect(Terminal.width(line) <= width, "\(Terminal.width(line)) > \(width): \(line)")
        }
    }

    @Test func colourOnlyWhenAsked() {
        let plain = TextReport(color: false, width: 120, verbose: true).render(capture)
        #expect(!plain.contains("\u{1B}"))
        let summary = TextReport(color: false, width: 120, verbose: true).renderSummary(
            Fixtures.summary([capture]), captures: 1)
        #expect(!summary.contains("\u{1B}"))
        let coloured = TextReport(color: true, width: 120, verbose: true).render(capture)
        #expect(coloured.contains("\u{1B}[31m"))  // failed in red
        #expect(coloured.contains("\u{1B}[32m"))  // ok in green
        #expect(coloured.contains("\u{1B}[2mframes 36, 38\u{1B}[0m"))  // frames dim
        // Escapes do not count towards widths: the table rows still fit.
        let stripped = coloured.replacing(/\x1B\[[0-9]+m/, with: "")
        #expect(stripped == plain)
    }

    @Test func hostileNamesCannotInjectTerminalEscapes() {
        var c = Fixtures.failedCert()
        c.clientHello?.sni = "evil\u{1B}[2J\nfake line"
        c.findings[1].summary = "bad\u{7}\u{9B}31m"
        let text = TextReport(color: false, width: 120, verbose: true).render(Fixtures.capture([c]))
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B })
        #expect(!lines(text).contains { $0.hasPrefix("fake line") })
    }

    @Test func runSummaryListsTotals() {
        let text = TextReport(color: false, width: 120, verbose: false).renderSummary(
            Fixtures.summary([capture, capture]), captures: 2)
        #expect(text.hasPrefix("2 captures, 8 connections: 2 ok, 6 failed\n"))
        #expect(
            text.contains("findings: cert.cn_only ×2, cert.self_signed ×2, tcp.no_answer ×2, tls13.encrypted_alert ×2"))
    }

    @Test func emptyCapture() {
        var empty = Fixtures.capture([])
        empty.patterns = []
        let text = TextReport(color: false, width: 120, verbose: false).render(empty)
        #expect(text.contains("No TLS connections in this capture."))
    }

    @Test func humanUnits() {
        #expect(Terminal.bytes(0) == "0 B")
        #expect(Terminal.bytes(999) == "999 B")
        #expect(Terminal.bytes(3200) == "3.2 kB")
        #expect(Terminal.bytes(45678) == "46 kB")
        #expect(Terminal.bytes(1_400_000) == "1.4 MB")
        #expect(Terminal.duration(milliseconds: 312.44) == "312.4 ms")
        #expect(Terminal.duration(milliseconds: 4877) == "4.877 s")
        #expect(Terminal.duration(milliseconds: 123_000) == "2 min 3 s")
        #expect(Terminal.truncate("abcdef", to: 4) == "abc…")
        #expect(Terminal.truncate("中文中文", to: 5) == "中文…")
        #expect(Terminal.width("👩‍👩‍👧x") == 3)
    }
}

@Test func problemListIsCappedUnlessVerbose() {
    let many = (1...(TextReport.problemLimit + 5)).map { Fixtures.failedCert(id: $0) }
    let capture = Fixtures.capture(many)
    let short = TextReport(color: false, width: 120, verbose: false).render(capture)
    #expect(short.components(separatedBy: "✗ failed  #").count - 1 == TextReport.problemLimit)
    #expect(short.contains("… 5 more problem connections (use --verbose to list all)"))
    let full = TextReport(color: false, width: 120, verbose: true).render(capture)
    #expect(full.components(separatedBy: "✗ failed  #").count - 1 == TextReport.problemLimit + 5)
    #expect(!full.contains("more problem connection"))
}
