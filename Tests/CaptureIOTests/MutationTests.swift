import CaptureIO
import Foundation
import PublicCaptureFixtures
import Testing

/// Damaged copies of real captures: reading must end (complete or truncated), never trap or spin,
/// and never deliver a frame longer than the file.
@Suite struct MutationTests {
    @Test(
        arguments: availablePublicCaptures([
            "ja4/ipv6.pcapng", "ndpi/tls_ech.pcapng", "zeek/tls1.2.pcap", "ja4/tls12.pcap",
        ]))
    func damagedCapturesNeverTrap(name: String) throws {
        let original = try [UInt8](Data(contentsOf: publicCapture(name)))
        var random = SplitMix64(state: UInt64(original.count))
        for round in 0..<150 {
            var bytes = original
            switch round % 3 {
            case 0:
                for _ in 0..<Int.random(in: 1...8, using: &random) {
                    let at = Int.random(in: 0..<bytes.count, using: &random)
                    bytes[at] = UInt8.random(in: 0...255, using: &random)
                }
            case 1:
                bytes = Array(bytes.prefix(Int.random(in: 1..<bytes.count, using: &random)))
            default:
                // Lengths are what hostile files lie about: hit a 4-byte-aligned word with 0 or 0xff.
                let at = Int.random(in: 0..<(bytes.count / 4), using: &random) * 4
                let value: UInt8 = Bool.random(using: &random) ? 0 : 0xff
                for k in at..<min(at + 4, bytes.count) { bytes[k] = value }
            }
            let file = try TemporaryFile(bytes)
            defer { file.cleanup() }
            guard let reader = try? CaptureReader(path: file.path) else { continue }
            var lastNumber = 0
            var longest = 0
            let outcome = reader.forEachFrame { frame in
                // Numbers rise; they may skip where a damaged block turned into a numbered non-packet record.
                #expect(frame.number > lastNumber)
                lastNumber = frame.number
                longest = max(longest, frame.data.count)
            }
            #expect(longest <= bytes.count)
            if case .truncated(let after, _) = outcome { #expect(after >= lastNumber) }
        }
    }
}
