import Testing

@testable import WireBasics

@Suite struct TimestampTests {
    @Test func formatsMicroAndNanoseconds() {
        let t = Timestamp(seconds: 1_357_328_848, nanoseconds: 549_370_123)
        #expect(t.rfc3339() == "2013-01-04T19:47:28.549370Z")
        #expect(t.rfc3339(nanosecondPrecision: true) == "2013-01-04T19:47:28.549370123Z")
    }

    @Test func epochAndLeapDays() {
        #expect(Timestamp.zero.rfc3339() == "1970-01-01T00:00:00.000000Z")
        let leap = Timestamp(seconds: Timestamp.daysSinceEpoch(year: 2024, month: 2, day: 29) * 86_400, nanoseconds: 0)
        #expect(leap.rfc3339() == "2024-02-29T00:00:00.000000Z")
        let before = Timestamp(seconds: -1, nanoseconds: 0)
        #expect(before.rfc3339() == "1969-12-31T23:59:59.000000Z")
    }

    @Test func civilDateRoundTripsAcrossCenturies() {
        for days in stride(from: Int64(-800_000), through: 800_000, by: 997) {
            let (y, m, d) = Timestamp.civilDate(daysSinceEpoch: days)
            #expect(Timestamp.daysSinceEpoch(year: y, month: m, day: d) == days)
        }
    }

    @Test func parsesUserTimes() {
        #expect(Timestamp(rfc3339: "2013-01-04T19:47:28Z")?.seconds == 1_357_328_848)
        #expect(Timestamp(rfc3339: "2013-01-04T21:47:28+02:00")?.seconds == 1_357_328_848)
        #expect(Timestamp(rfc3339: "2013-01-04 19:47:28.5Z")?.nanoseconds == 500_000_000)
        #expect(Timestamp(rfc3339: "2013-01-04")?.seconds == 1_357_257_600)
        #expect(Timestamp(rfc3339: "2013-13-04") == nil)
        #expect(Timestamp(rfc3339: "yesterday") == nil)
        #expect(Timestamp(rfc3339: "2013-01-04T19:47:28Zjunk") == nil)
    }

    @Test func normalisesAndMeasures() {
        let a = Timestamp(seconds: 10, nanoseconds: 1_500_000_000)
        #expect(a == Timestamp(seconds: 11, nanoseconds: 500_000_000))
        let b = Timestamp(seconds: 12, nanoseconds: 0)
        #expect(b.milliseconds(since: a) == 500)
        #expect(Timestamp(totalNanoseconds: -1) == Timestamp(seconds: -1, nanoseconds: 999_999_999))
        #expect(hexString([0x00, 0xab, 0xff]) == "00abff")
    }
}
