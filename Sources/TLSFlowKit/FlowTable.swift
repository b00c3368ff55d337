import PacketDecoding
import TCPReassembly
import TLSAnalysis
import TLSFlowModel

/// Both directions of a connection map to one key: the lower endpoint first.
/// Equatable for `FlowIndex`, which hashes it itself; Hashable for tests that model the index.
struct FlowKey: Hashable {
    var addressA: IPAddress
    var addressB: IPAddress
    var portA: UInt16
    var portB: UInt16

    /// Returns the key and whether the packet's source is endpoint A.
    static func make(source: IPAddress, sourcePort: UInt16, destination: IPAddress, destinationPort: UInt16)
        -> (FlowKey, sourceIsA: Bool)
    {
        if (source, sourcePort) <= (destination, destinationPort) {
            return (FlowKey(addressA: source, addressB: destination, portA: sourcePort, portB: destinationPort), true)
        }
        return (FlowKey(addressA: destination, addressB: source, portA: destinationPort, portB: sourcePort), false)
    }
}

/// One tracked connection: TCP state plus the TLS analyser fed by it.
///
/// The two are touched on every packet, so they live behind pointers the flow owns rather than
/// in stored properties: a class's stored property costs a dynamic exclusivity check on every
/// access (five per packet here), a pointer's pointee does not.
final class Flow {
    /// Order of creation in the capture (connections are reported in this order).
    let sequence: Int
    /// Whether endpoint A of the key sent the first packet (is the "initiator").
    let initiatorIsA: Bool
    let tcp: UnsafeMutablePointer<TCPConnection>
    let analyzer: UnsafeMutablePointer<TLSConnectionAnalyzer>
    /// Position in the idle-sweep order; flows are swept by last activity.
    var closedAt: Timestamp?
    /// Frame that closed the connection (orders the lingering ones across shards).
    var closedFrame = 0
    /// Buffer-cap notes already given (one of each per connection).
    var notedDirectionCap = false
    var notedTotalCap = false

    init(sequence: Int, initiatorIsA: Bool, tcp: TCPConnection, analyzer: TLSConnectionAnalyzer) {
        self.sequence = sequence
        self.initiatorIsA = initiatorIsA
        self.tcp = .allocate(capacity: 1)
        self.tcp.initialize(to: tcp)
        self.analyzer = .allocate(capacity: 1)
        self.analyzer.initialize(to: analyzer)
    }

    deinit {
        tcp.deinitialize(count: 1)
        tcp.deallocate()
        analyzer.deinitialize(count: 1)
        analyzer.deallocate()
    }

    /// Last packet time, for the idle sweep and eviction.
    var lastActivity: Timestamp { tcp.pointee.lastActivity }

    func direction(sourceIsA: Bool) -> Direction {
        sourceIsA == initiatorIsA ? .initiator : .responder
    }
}
