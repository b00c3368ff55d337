import CaptureIO
import CertificateAudit
import Foundation
import PacketDecoding
import Reports
import TLSDecryption
import TLSFlowModel

/// Sharded analysis of one capture file on several threads, with output identical to the
/// single-threaded run.
///
/// Every shard thread reads the whole file (its own mapping; the page cache is shared) and
/// decodes every frame, but tracks only the flows whose normalised 4-tuple hashes to it: TCP
/// reassembly and TLS decoding, the bulk of the work, are split. Each shard reports two kinds of
/// events, stamped with the frame at which they happened: a flow was created, a connection was
/// finished. The calling thread merges them in the order the single-threaded analyser would
/// have produced them — (frame, phase within the frame, tie) — and runs the cross-connection
/// steps there, in that order: numbering, session linking, the interception tracker, patterns
/// and ordered emission. Certificate audit (cached by the shared `CertificateAuditor`, which
/// has its own lock) and diagnosis run in the shards; a connection whose diagnosis depends on
/// a session link across shards is diagnosed again by the merger. Since every shard sees every
/// frame, sweeps of closed and idle connections happen at the same frames in every shard, and
/// the merged order is the single-threaded order.
///
/// Limitation: each of the N shards tracks at most `maxConnections / N` flows, so which
/// connections are evicted under that cap can differ from a single-threaded run.
enum ParallelAnalysis {
    static func analyze(
        path: String, displayName: String, options: AnalysisOptions, auditor: CertificateAuditor, keyLog: KeyLog,
        threads: Int, start: ((CaptureReport) -> Void)?, emitRendered: ((PrerenderedConnection) -> Void)?,
        emit: (Connection) -> Void
    ) throws -> CaptureReport {
        // Streaming writers need the capture's header before its first connection. The shards'
        // readers belong to their threads, so a probe reads it: the first frame is enough.
        let probe = try CaptureReader(path: path)
        var header = CaptureReport(file: displayName, format: probe.format.rawValue)
        struct FirstFrameRead: Error {}
        _ = try? probe.forEachFrame { frame in
            header.firstTime = frame.timestamp
            throw FirstFrameRead()
        }
        header.nanosecondPrecision = probe.nanosecondPrecision
        var started = false
        func emitInOrder(_ finished: consuming FinishedConnection) {
            if !started {
                started = true
                start?(header)
            }
            switch consume finished {
            case .connection(let connection): emit(connection)
            case .rendered(let work):
                emitRendered?(PrerenderedConnection(id: work.id, json: work.json, outcome: work.outcome))
                channel.giveBack(work)
            }
        }
        let channel = ShardChannel(shards: threads)
        var jobs: [ShardJob] = []
        for index in 0..<threads {
            let reader = try CaptureReader(path: path)
            let analyzer = try CaptureAnalyzer(
                options: options, auditor: auditor, keyLog: keyLog, file: displayName, format: reader.format.rawValue,
                shard: ShardRole(index: index, count: threads, channel: channel))
            if emitRendered != nil { analyzer.renderer = ConnectionRenderer(nanoseconds: header.nanosecondPrecision) }
            jobs.append(ShardJob(reader: reader, analyzer: analyzer))
        }
        let merger = try CaptureAnalyzer(
            options: options, auditor: auditor, keyLog: keyLog, file: displayName,
            format: jobs[0].reader.format.rawValue)
        for job in jobs {
            let thread = Thread { job.run() }
            thread.stackSize = 8 << 20
            thread.start()
        }
        // Sequence numbers of the flows still open, by first frame (a frame creates at most one).
        var sequences: [Int: Int] = [:]
        var batch: [ShardEvent] = []
        while channel.nextBatch(into: &batch) {
            for event in batch {
                switch event.kind {
                case .created:
                    sequences[event.firstFrame] = merger.registerCreated()
                case .finished(let work):
                    guard let sequence = sequences.removeValue(forKey: event.firstFrame) else { continue }
                    merger.completeShardWork(sequence: sequence, work, captureEnd: event.captureEnd, emit: emitInOrder)
                }
            }
            batch.removeAll(keepingCapacity: true)
        }
        merger.drain(emit: emitInOrder)
        channel.giveBackPending()
        if let report = jobs[0].report { merger.adoptCaptureFields(from: report) }
        merger.completeReport()
        return merger.currentReport
    }
}

/// One shard's reader and analyser, run on its own thread.
final class ShardJob: @unchecked Sendable {
    let reader: CaptureReader
    let analyzer: CaptureAnalyzer
    /// Set before the shard's last events are handed over (read by the merger after them).
    var report: CaptureReport?

    init(reader: CaptureReader, analyzer: CaptureAnalyzer) {
        self.reader = reader
        self.analyzer = analyzer
    }

    func run() {
        let result = analyzer.run(reader: reader) { _ in }
        report = result
        analyzer.shard?.finish()
    }
}

/// A connection a shard finished, audited and diagnosed; `undiagnosed` is kept when session
/// linking (done by the merger, across shards) may change its diagnosis. A reference, so that
/// queueing and merging events moves a pointer, not two large connection values.
final class ShardWork: @unchecked Sendable {
    /// Taken (moved out) by the merger, which is the only reader once the shard handed it over.
    var connection: Connection?
    var undiagnosed: Connection?
    /// Instead of `connection`: the connection rendered by the shard.
    var rendered: RenderedWork?

    init(connection: Connection, undiagnosed: Connection?) {
        self.connection = connection
        self.undiagnosed = undiagnosed
    }

    init(rendered: RenderedWork) { self.rendered = rendered }
}

/// Where a finish happened within a frame, in the single-threaded analyser's order.
enum FinishOrder {
    /// Sweep of closed connections whose linger expired; the tie is the closing frame.
    case lingered(Int)
    /// Sweep of idle connections, in order of creation.
    case idle
    /// While handling the frame's own packet (port reuse, eviction).
    case inFrame
    /// After the last frame, in order of creation.
    case captureEnd
}

struct ShardEvent: Sendable {
    enum Kind: Sendable {
        case created
        /// nil: the connection is not reported (not TLS).
        case finished(ShardWork?)
    }
    var frame: Int
    var phase: Int
    var tie: Int
    var firstFrame: Int
    var captureEnd: Timestamp
    var kind: Kind

    @inline(__always)
    func precedes(_ other: ShardEvent) -> Bool {
        if frame != other.frame { return frame < other.frame }
        if phase != other.phase { return phase < other.phase }
        return tie < other.tie
    }
}

/// A shard's side: which flows it owns, and its events batched towards the merger.
final class ShardRole {
    let index: Int
    let count: Int
    private let channel: ShardChannel
    private var pending: [ShardEvent] = []
    private var framesSinceHandover = 0

    init(index: Int, count: Int, channel: ShardChannel) {
        self.index = index
        self.count = count
        self.channel = channel
        pending.reserveCapacity(Self.batch)
    }

    static let batch = 256

    /// A fixed hash (not the per-process seeded one), so a flow's shard is the same in every
    /// shard thread. Symmetric in the two endpoints, so both directions land in the same shard
    /// without normalising the key first: a shard checks every frame it reads, most of them
    /// another shard's, straight from the decoded packet.
    @inline(__always)
    func owns(_ source: IPAddress, _ sourcePort: UInt16, _ destination: IPAddress, _ destinationPort: UInt16) -> Bool {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15
        @inline(__always) func mix(_ value: UInt64) {
            h = (h ^ value) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 33
        }
        @inline(__always) func fold(_ address: IPAddress) -> UInt64 {
            switch address {
            case .v4(let a): return UInt64(a)
            case .v6(let high, let low): return high ^ (low &* 0xC2B2_AE3D_27D4_EB4F)
            }
        }
        let a = fold(source)
        let b = fold(destination)
        // Sum and xor are both symmetric; together they tell apart pairs either alone confuses.
        mix(a &+ b)
        mix(a ^ b)
        mix(UInt64(sourcePort) &+ UInt64(destinationPort) | UInt64(sourcePort ^ destinationPort) << 32)
        return Int(h % UInt64(count)) == index
    }

    @inline(__always)
    func owns(_ key: FlowKey) -> Bool { owns(key.addressA, key.portA, key.addressB, key.portB) }

    @inline(__always)
    func owns(_ packet: TCPPacket) -> Bool {
        owns(packet.source, packet.sourcePort, packet.destination, packet.destinationPort)
    }

    func created(firstFrame: Int) {
        pending.append(
            ShardEvent(
                frame: firstFrame, phase: 3, tie: firstFrame, firstFrame: firstFrame, captureEnd: .zero, kind: .created)
        )
    }

    func finished(order: FinishOrder, frame: Int, firstFrame: Int, captureEnd: Timestamp, work: ShardWork?) {
        let (at, phase, tie): (Int, Int, Int)
        switch order {
        case .lingered(let closedFrame): (at, phase, tie) = (frame, 0, closedFrame)
        case .idle: (at, phase, tie) = (frame, 1, firstFrame)
        case .inFrame: (at, phase, tie) = (frame, 2, firstFrame)
        case .captureEnd: (at, phase, tie) = (Int.max, 0, firstFrame)
        }
        pending.append(
            ShardEvent(
                frame: at, phase: phase, tie: tie, firstFrame: firstFrame, captureEnd: captureEnd,
                kind: .finished(work)))
    }

    /// Called after each frame: everything up to this frame has been reported.
    @inline(__always)
    func frameDone(_ frame: Int) {
        framesSinceHandover &+= 1
        if pending.count >= Self.batch || framesSinceHandover >= 4096 {
            channel.push(shard: index, events: &pending, watermark: frame)
            framesSinceHandover = 0
        }
    }

    /// While the connections still open at the capture end are finished (in creation order):
    /// every real frame has been read, so the watermark is just below the capture-end events.
    func captureEndProgress() {
        if pending.count >= Self.batch { channel.push(shard: index, events: &pending, watermark: Int.max - 1) }
    }

    /// After the capture end: the last events, and nothing more from this shard.
    func finish() {
        channel.push(shard: index, events: &pending, watermark: Int.max)
    }
}

/// The shards' event queues and how far each shard has read, behind one lock.
final class ShardChannel: @unchecked Sendable {
    private let condition = NSCondition()
    private var queues: [[ShardEvent]]
    private var heads: [Int]
    /// Frames each shard has completely processed (Int.max: finished).
    private var watermarks: [Int]
    /// Events a shard may have waiting before it pauses for the merger (bounds memory).
    private let limit = 2048

    init(shards: Int) {
        queues = Array(repeating: [], count: shards)
        returned = Array(repeating: [], count: shards)
        returning = Array(repeating: [], count: shards)
        heads = Array(repeating: 0, count: shards)
        watermarks = Array(repeating: 0, count: shards)
    }

    /// Work the merger is done with, by shard, until that shard takes it to free it.
    private var returned: [[RenderedWork]]
    /// The merger's side of `returned`, handed over in batches to spare the lock.
    private var returning: [[RenderedWork]]

    /// Merger side: `work` is written; its shard frees it.
    func giveBack(_ work: RenderedWork) {
        returning[work.shard].append(work)
        if returning[work.shard].count >= 64 { giveBackPending() }
    }

    /// Merger side: hands over what `giveBack` collected.
    func giveBackPending() {
        condition.lock()
        for shard in returning.indices where !returning[shard].isEmpty {
            returned[shard].append(contentsOf: returning[shard])
            returning[shard].removeAll(keepingCapacity: true)
        }
        condition.unlock()
    }

    func push(shard: Int, events: inout [ShardEvent], watermark: Int) {
        var freed: [RenderedWork] = []
        condition.lock()
        swap(&freed, &returned[shard])
        while queues[shard].count - heads[shard] > limit, watermark != Int.max {
            condition.wait()
        }
        if heads[shard] > 0, heads[shard] * 2 >= queues[shard].count {
            queues[shard].removeFirst(heads[shard])
            heads[shard] = 0
        }
        queues[shard].append(contentsOf: events)
        watermarks[shard] = max(watermarks[shard], watermark)
        condition.broadcast()
        condition.unlock()
        events.removeAll(keepingCapacity: true)
        // Freed here, on the shard's thread that allocated it, and outside the lock.
        freed.removeAll()
    }

    /// Moves every event that can no longer be preceded by an unseen one into `batch`, in merged
    /// order; waits when there is none yet. False when all shards are finished and drained.
    ///
    /// Each shard's queue is in order, so the smallest head is next once every shard with an
    /// empty queue has read past its frame (a k-way merge). Waiting for every shard's watermark
    /// instead would hold all capture-end events until every shard had finished.
    func nextBatch(into batch: inout [ShardEvent]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while true {
            while true {
                var best = -1
                for shard in queues.indices where heads[shard] < queues[shard].count {
                    if best < 0 || queues[shard][heads[shard]].precedes(queues[best][heads[best]]) { best = shard }
                }
                guard best >= 0 else { break }
                let frame = queues[best][heads[best]].frame
                let blocked = queues.indices.contains { shard in
                    heads[shard] == queues[shard].count && watermarks[shard] != Int.max && watermarks[shard] < frame
                }
                guard !blocked else { break }
                batch.append(queues[best][heads[best]])
                heads[best] += 1
            }
            if !batch.isEmpty {
                condition.broadcast()
                return true
            }
            if watermarks.allSatisfy({ $0 == Int.max }), queues.indices.allSatisfy({ heads[$0] == queues[$0].count }) {
                return false
            }
            condition.wait()
        }
    }
}
