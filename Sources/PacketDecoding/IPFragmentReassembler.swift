import WireBasics

/// Rebuilds IPv4 and IPv6 datagrams from fragments, within fixed memory bounds: hostile or
/// lossy captures can only make it drop datagrams, never grow without limit.
public struct IPFragmentReassembler {
    public enum Result: Equatable, Sendable {
        /// Stored; more fragments are needed.
        case incomplete
        /// The whole datagram, starting with its IP header; decode it with `PacketDecoder.decodeIP`.
        case complete([UInt8])
        /// The fragment (and its datagram so far) was thrown away.
        case dropped(reason: String)
    }

    struct Key: Hashable {
        var source: IPAddress
        var destination: IPAddress
        var identification: UInt32
        var protocolNumber: UInt8
    }

    struct Pending {
        var ipVersion: UInt8
        var header: [UInt8]?
        var data: [UInt8] = []
        /// Sorted, non-overlapping byte ranges of `data` filled so far.
        var filled: [Range<Int>] = []
        var totalLength: Int?
        var firstSeen: Timestamp
        var order: UInt64
    }

    public let timeoutNanoseconds: Int64
    public let maximumDatagramBytes: Int
    public let maximumTotalBytes: Int
    public let maximumDatagrams: Int

    private var pending: [Key: Pending] = [:]
    private var bufferedBytes = 0
    private var nextOrder: UInt64 = 0
    private var lastSweep: Timestamp?
    /// Datagrams dropped for age or to stay within the caps.
    public private(set) var expiredDatagrams = 0
    public private(set) var evictedDatagrams = 0

    public init(
        timeoutSeconds: Int = 30, maximumDatagramBytes: Int = 65_535 + 40, maximumTotalBytes: Int = 32 << 20,
        maximumDatagrams: Int = 4096
    ) {
        timeoutNanoseconds = Int64(timeoutSeconds) * 1_000_000_000
        self.maximumDatagramBytes = maximumDatagramBytes
        self.maximumTotalBytes = maximumTotalBytes
        self.maximumDatagrams = maximumDatagrams
    }

    public var pendingDatagrams: Int { pending.count }
    public var pendingBytes: Int { bufferedBytes }

    /// Adds a fragment decoded from `buffer` at time `time`.
    public mutating func add(_ fragment: IPFragment, in buffer: UnsafeRawBufferPointer, at time: Timestamp) -> Result {
        sweep(now: time)
        let key = Key(
            source: fragment.source, destination: fragment.destination, identification: fragment.identification,
            protocolNumber: fragment.protocolNumber)
        let start = fragment.fragmentOffset
        let end = start + fragment.payloadLength
        guard fragment.payloadOffset >= 0, fragment.payloadOffset + fragment.payloadLength <= buffer.count,
            fragment.headerOffset >= 0, fragment.headerOffset + fragment.headerLength <= buffer.count
        else { return .dropped(reason: "fragment lies outside the decoded buffer") }
        if fragment.payloadMissing > 0 {
            discard(key)
            return .dropped(reason: "fragment cut by the snap length; its datagram cannot be rebuilt")
        }
        if end > maximumDatagramBytes {
            discard(key)
            return .dropped(
                reason: "fragment ends at byte \(end), beyond the \(maximumDatagramBytes)-byte datagram limit")
        }
        var entry =
            pending[key]
            ?? Pending(ipVersion: fragment.ipVersion, firstSeen: time, order: nextOrder)
        if pending[key] == nil { nextOrder &+= 1 }
        if !fragment.moreFragments {
            if let known = entry.totalLength, known != end {
                discard(key)
                return .dropped(reason: "two last fragments disagree on the datagram length (\(known) and \(end))")
            }
            entry.totalLength = end
        }
        if start == 0 && entry.header == nil {
            entry.header = Array(
                UnsafeRawBufferPointer(
                    rebasing: buffer[fragment.headerOffset..<(fragment.headerOffset + fragment.headerLength)]))
        }
        let before = entry.data.count
        if entry.data.count < end { entry.data.append(contentsOf: repeatElement(0, count: end - entry.data.count)) }
        bufferedBytes += entry.data.count - before
        // First data wins where fragments overlap.
        var cursor = start
        let payload = UnsafeRawBufferPointer(
            rebasing: buffer[fragment.payloadOffset..<(fragment.payloadOffset + fragment.payloadLength)])
        for range in entry.filled where range.upperBound > cursor && range.lowerBound < end {
            if range.lowerBound > cursor {
                copy(payload, from: cursor, to: range.lowerBound, base: start, into: &entry.data)
            }
            cursor = max(cursor, range.upperBound)
        }
        if cursor < end { copy(payload, from: cursor, to: end, base: start, into: &entry.data) }
        if start < end { entry.filled = merged(entry.filled, start..<end) }

        if let total = entry.totalLength, let header = entry.header, entry.filled == [0..<total] || total == 0 {
            discard(key)
            return .complete(
                rebuild(version: entry.ipVersion, header: header, payload: entry.data[0..<total], fragment))
        }
        pending[key] = entry
        enforceCaps()
        if pending[key] == nil { return .dropped(reason: "fragment buffer full; oldest datagrams dropped") }
        return .incomplete
    }

    private func copy(_ payload: UnsafeRawBufferPointer, from: Int, to: Int, base: Int, into data: inout [UInt8]) {
        for i in from..<to { data[i] = payload[i - base] }
    }

    private func merged(_ ranges: [Range<Int>], _ new: Range<Int>) -> [Range<Int>] {
        var all = ranges + [new]
        all.sort { $0.lowerBound < $1.lowerBound }
        var out: [Range<Int>] = []
        for range in all {
            if let last = out.last, range.lowerBound <= last.upperBound {
                out[out.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                out.append(range)
            }
        }
        return out
    }

    private func rebuild(version: UInt8, header: [UInt8], payload: ArraySlice<UInt8>, _ last: IPFragment) -> [UInt8] {
        var datagram = header
        if version == 4 {
            let total = header.count + payload.count
            if datagram.count >= 8 {
                datagram[2] = UInt8(truncatingIfNeeded: total >> 8)
                datagram[3] = UInt8(truncatingIfNeeded: total)
                datagram[6] = 0
                datagram[7] = 0
            }
        } else if datagram.count >= 40 {
            // The rebuilt IPv6 datagram drops the fragment header and unfragmentable extension
            // headers: the upper-layer header follows the fixed header directly.
            datagram[4] = UInt8(truncatingIfNeeded: payload.count >> 8)
            datagram[5] = UInt8(truncatingIfNeeded: payload.count)
            datagram[6] = last.protocolNumber
        }
        datagram.append(contentsOf: payload)
        return datagram
    }

    private mutating func discard(_ key: Key) {
        if let entry = pending.removeValue(forKey: key) { bufferedBytes -= entry.data.count }
    }

    private mutating func sweep(now: Timestamp) {
        if let lastSweep, now.totalNanoseconds &- lastSweep.totalNanoseconds < timeoutNanoseconds / 4 { return }
        lastSweep = now
        let cutoff = now.totalNanoseconds &- timeoutNanoseconds
        for (key, entry) in pending where entry.firstSeen.totalNanoseconds < cutoff {
            discard(key)
            expiredDatagrams += 1
        }
    }

    private mutating func enforceCaps() {
        while bufferedBytes > maximumTotalBytes || pending.count > maximumDatagrams,
            let oldest = pending.min(by: { $0.value.order < $1.value.order })
        {
            discard(oldest.key)
            evictedDatagrams += 1
        }
    }
}
