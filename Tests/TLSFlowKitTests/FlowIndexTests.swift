import PacketDecoding
import PublicCaptureFixtures
import TCPReassembly
import TLSAnalysis
import TLSFlowModel
import Testing
import WireBasics

@testable import TLSFlowKit

/// The flow table against `Dictionary` as the model: random inserts, replacements and removals,
/// including runs of colliding keys, must leave both with the same contents.
@Suite struct FlowIndexTests {
    static func flow(_ sequence: Int) -> Flow {
        let connection = Connection(
            id: sequence, client: Endpoint(ip: "10.0.0.1", port: 1), server: Endpoint(ip: "10.0.0.2", port: 443),
            firstFrame: sequence, start: .zero)
        return Flow(
            sequence: sequence, initiatorIsA: true, tcp: TCPConnection(),
            analyzer: TLSConnectionAnalyzer(
                connection: connection, initiatorIsClient: true, rolesKnownFromSYN: true, keyLog: nil))
    }

    static func key(_ n: Int) -> FlowKey {
        // A mix of IPv4 and IPv6 keys, many sharing addresses and differing only in a port.
        if n % 5 == 0 {
            return FlowKey.make(
                source: .v6(0x2001_0db8 << 32, UInt64(n / 7)), sourcePort: UInt16(truncatingIfNeeded: n),
                destination: .v6(0x2001_0db8 << 32, 1), destinationPort: 443
            ).0
        }
        return FlowKey.make(
            source: .v4(0x0a00_0000 | UInt32(n / 300)), sourcePort: UInt16(1024 + n % 300),
            destination: .v4(0x0a63_0001), destinationPort: 443
        ).0
    }

    @Test(arguments: [0, 1, 0xdead_beef])
    func behavesLikeADictionary(seed: UInt64) {
        var generator = SplitMix64(state: seed)
        let index = FlowIndex(capacity: 4, seed: seed)
        var model: [FlowKey: Int] = [:]
        var flows: [Int: Flow] = [:]
        for step in 0..<20_000 {
            let n = Int(generator.next() % 3_000)
            let key = Self.key(n)
            switch generator.next() % 3 {
            case 0, 1:
                let flow = flows[step] ?? Self.flow(step)
                flows[step] = flow
                index.set(key, flow)
                model[key] = step
            default:
                index.remove(key)
                model[key] = nil
            }
            if step % 997 == 0 {
                #expect(index.count == model.count)
                for probe in 0..<3_000 {
                    let key = Self.key(probe)
                    #expect(index[key]?.sequence == model[key], "step \(step), key \(probe)")
                }
            }
        }
        let listed = Dictionary(uniqueKeysWithValues: index.entries.map { ($0.key, $0.value.sequence) })
        #expect(listed == model)
    }

    /// Filled to its load limit, where probe runs are long: removing every other key (backward
    /// shift) must keep the rest reachable.
    @Test func removalKeepsProbeRunsIntact() {
        let index = FlowIndex(capacity: 64, seed: 42)
        let keys = (0..<64).map(Self.key)
        for (n, key) in keys.enumerated() { index.set(key, Self.flow(n)) }
        for (n, key) in keys.enumerated() where n % 2 == 0 { index.remove(key) }
        for (n, key) in keys.enumerated() {
            #expect(index[key]?.sequence == (n % 2 == 0 ? nil : n))
        }
        #expect(index.count == 32)
    }
}
