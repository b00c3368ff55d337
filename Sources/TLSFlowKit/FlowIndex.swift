/// The tracked flows by key: an open-addressing table probed on every packet.
///
/// Why not `Dictionary`: a lookup cost about 340 instructions, mostly SipHash over the key and the
/// dictionary's generic machinery, once per packet. Here the key is folded into one word by a
/// multiply-xorshift mix keyed with a per-table random seed (a capture cannot be crafted to
/// collide without knowing it), probed linearly at no more than half load, and deleted by
/// backward shift, so there are no tombstones and probes stay short however many flows come and
/// go. A class used through a `let`, with its slots behind a pointer: no copy-on-write or
/// exclusivity checks on the per-packet path.
final class FlowIndex {
    /// Keys and flows in parallel; a slot is in use when its flow is not nil. Keys are plain
    /// values (no references), so probing compares them in place without retaining anything.
    private var keys: UnsafeMutablePointer<FlowKey>
    private var flows: UnsafeMutablePointer<Flow?>
    private var capacity: Int
    private(set) var count = 0
    private let seed: UInt64

    init(capacity minimum: Int = 64, seed: UInt64 = .random(in: .min ... .max)) {
        var capacity = 16
        while capacity < minimum * 2 { capacity *= 2 }
        self.capacity = capacity
        (keys, flows) = Self.allocate(capacity)
        self.seed = seed
    }

    deinit {
        Self.deallocate(keys, flows, capacity)
    }

    private static func allocate(_ capacity: Int) -> (UnsafeMutablePointer<FlowKey>, UnsafeMutablePointer<Flow?>) {
        let keys = UnsafeMutablePointer<FlowKey>.allocate(capacity: capacity)
        let flows = UnsafeMutablePointer<Flow?>.allocate(capacity: capacity)
        flows.initialize(repeating: nil, count: capacity)
        return (keys, flows)
    }

    private static func deallocate(
        _ keys: UnsafeMutablePointer<FlowKey>, _ flows: UnsafeMutablePointer<Flow?>, _ capacity: Int
    ) {
        flows.deinitialize(count: capacity)
        flows.deallocate()
        keys.deallocate()
    }

    @inline(__always)
    private static func mix(_ value: UInt64) -> UInt64 {
        var x = value
        x = (x ^ (x >> 32)) &* 0xD6E8_FEB8_6659_FD93
        x = (x ^ (x >> 32)) &* 0xD6E8_FEB8_6659_FD93
        return x ^ (x >> 32)
    }

    @inline(__always)
    private func home(_ key: FlowKey) -> Int {
        var h = seed
        switch key.addressA {
        case .v4(let a): h = Self.mix(h ^ UInt64(a))
        case .v6(let high, let low): h = Self.mix(Self.mix(h ^ high) ^ low)
        }
        switch key.addressB {
        case .v4(let b): h = Self.mix(h ^ UInt64(b) ^ 1 << 40)
        case .v6(let high, let low): h = Self.mix(Self.mix(h ^ high ^ 1 << 40) ^ low)
        }
        h = Self.mix(h ^ (UInt64(key.portA) << 16 | UInt64(key.portB)))
        return Int(truncatingIfNeeded: h) & (capacity - 1)
    }

    /// The slot holding `key`, or the empty slot where it would go.
    @inline(__always)
    private func probe(_ key: FlowKey) -> (index: Int, found: Bool) {
        var index = home(key)
        while flows[index] != nil {
            if keys[index] == key { return (index, true) }
            index = (index + 1) & (capacity - 1)
        }
        return (index, false)
    }

    subscript(key: FlowKey) -> Flow? {
        let (index, found) = probe(key)
        return found ? flows[index] : nil
    }

    /// Adds `flow` under `key`, replacing what was there.
    func set(_ key: FlowKey, _ flow: Flow) {
        let (index, found) = probe(key)
        keys[index] = key
        flows[index] = flow
        guard !found else { return }
        count += 1
        if count * 2 > capacity { grow() }
    }

    func remove(_ key: FlowKey) {
        let (found, isPresent) = probe(key)
        guard isPresent else { return }
        flows[found] = nil
        count -= 1
        // Backward shift: pull later members of the probe run into the hole when the hole lies
        // between their home slot and where they sit, so a lookup never stops early.
        var hole = found
        var index = (found + 1) & (capacity - 1)
        while flows[index] != nil {
            let distanceFromHome = (index - home(keys[index])) & (capacity - 1)
            let distanceFromHole = (index - hole) & (capacity - 1)
            if distanceFromHome >= distanceFromHole {
                keys[hole] = keys[index]
                flows[hole] = flows[index].take()
                hole = index
            }
            index = (index + 1) & (capacity - 1)
        }
    }

    private func grow() {
        let (oldKeys, oldFlows, oldCapacity) = (keys, flows, capacity)
        capacity *= 2
        (keys, flows) = Self.allocate(capacity)
        for index in 0..<oldCapacity {
            guard let flow = oldFlows[index].take() else { continue }
            var at = home(oldKeys[index])
            while flows[at] != nil { at = (at + 1) & (capacity - 1) }
            keys[at] = oldKeys[index]
            flows[at] = flow
        }
        Self.deallocate(oldKeys, oldFlows, oldCapacity)
    }

    /// Every tracked flow, in no particular order (callers sort: output never depends on it).
    var entries: [(key: FlowKey, value: Flow)] {
        var out: [(key: FlowKey, value: Flow)] = []
        out.reserveCapacity(count)
        for index in 0..<capacity {
            if let flow = flows[index] { out.append((keys[index], flow)) }
        }
        return out
    }
}
