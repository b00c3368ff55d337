import CaptureIO
import CertificateAudit
import Diagnosis
import PacketDecoding
import Reports
import TCPReassembly
import TLSAnalysis
import TLSDecryption
import TLSFlowModel

/// Reads one capture and produces its analysed connections, streaming: a connection is finished,
/// audited and diagnosed as soon as it closes, so memory follows the live connections.
public final class CaptureAnalyzer {
    let options: AnalysisOptions
    let auditor: CertificateAuditor
    private var filter: PacketFilter?
    /// Read on every frame instead of `filter`: a `let` costs no dynamic exclusivity check.
    private let filtering: Bool
    private var keyLog: KeyLog

    private let flows = FlowIndex()
    private var closedQueue: [(key: FlowKey, sequence: Int)] = []
    private var nextSequence = 0
    private var lastSweep: Timestamp?
    private var fragments = IPFragmentReassembler()
    private var ordered = OrderedEmitter()
    private(set) var report: CaptureReport
    private var patterns = PatternAccumulator()
    private var interception = InterceptionTracker()
    private var sessions = SessionLinker()
    private var undecodable = 0
    private var firstUndecodable: (frame: Int, reason: String)?
    private var unsupportedLinkTypes: Set<Int32> = []
    /// The frame being processed: one stored property written once per frame (each write to a
    /// class's stored property costs a dynamic exclusivity check).
    private var clock = FrameClock()
    private var lastFrame: Int { clock.frame }
    private var lastTime: Timestamp { clock.time }
    /// Set by `ParallelAnalysis`: only this shard's flows are tracked, and flow creations and
    /// finished connections go to the merger instead of being completed here.
    let shard: ShardRole?
    /// Set by `ParallelAnalysis` when the output is compact JSON: a shard renders the
    /// connections whose text depends on nothing but their final id.
    var renderer: ConnectionRenderer?

    /// A closed connection lingers this long (capture time) for trailing ACKs, retransmitted FINs
    /// and late alerts before it is finished.
    static let closeLinger = 2.0

    public convenience init(
        options: AnalysisOptions, auditor: CertificateAuditor, keyLog: KeyLog, file: String, format: String
    ) throws {
        try self.init(options: options, auditor: auditor, keyLog: keyLog, file: file, format: format, shard: nil)
    }

    init(
        options: AnalysisOptions, auditor: CertificateAuditor, keyLog: KeyLog, file: String, format: String,
        shard: ShardRole?
    ) throws {
        self.options = options
        self.auditor = auditor
        self.keyLog = keyLog
        if let expression = options.filter { filter = try PacketFilter(expression: expression) }
        filtering = filter != nil
        report = CaptureReport(file: file, format: format)
        self.shard = shard
    }

    /// Analyses `path`; `emit` receives connections in order of their first packet. With
    /// `emitRendered`, a parallel run may hand over some of them rendered as compact JSON
    /// instead, each in its place in that order (see `AnalysisSession.analyze`).
    public static func analyze(
        path: String, displayName: String? = nil, options: AnalysisOptions, auditor: CertificateAuditor,
        keyLog: KeyLog = KeyLog(), start: ((CaptureReport) -> Void)? = nil,
        emitRendered: ((PrerenderedConnection) -> Void)? = nil, emit: (Connection) -> Void
    ) throws -> CaptureReport {
        let threads = min(options.threads, 64)
        if threads > 1, path != "-" {
            return try ParallelAnalysis.analyze(
                path: path, displayName: displayName ?? path, options: options, auditor: auditor, keyLog: keyLog,
                threads: threads, start: start, emitRendered: emitRendered, emit: emit)
        }
        let reader = try CaptureReader(path: path)
        let analyzer = try CaptureAnalyzer(
            options: options, auditor: auditor, keyLog: keyLog, file: displayName ?? path,
            format: reader.format.rawValue)
        // Streaming writers need the capture's header (file, time precision) before its first
        // connection; it is known once frames have been read.
        var started = false
        return analyzer.run(reader: reader) { connection in
            if !started {
                started = true
                var header = CaptureReport(file: analyzer.report.file, format: analyzer.report.format)
                header.nanosecondPrecision = reader.nanosecondPrecision
                header.firstTime = analyzer.report.firstTime
                start?(header)
            }
            emit(connection)
        }
    }

    func run(reader: CaptureReader, emit: (Connection) -> Void) -> CaptureReport {
        var linkTypesSeen: [Int32] = []
        // Keys embedded in the capture (pcapng Decryption Secrets Blocks) join the key log for
        // the connections that follow them; the reader may have met some while opening the file.
        for secret in reader.decryptionSecrets { absorb(secret) }
        reader.onDecryptionSecret = { [unowned self] secret in absorb(secret) }
        defer { reader.onDecryptionSecret = nil }
        var first = true
        let outcome = reader.forEachFrame { frame in
            if first {
                first = false
                report.firstTime = frame.timestamp
            }
            if !linkTypesSeen.contains(frame.linkType) { linkTypesSeen.append(frame.linkType) }
            process(frame, emit: emit)
            shard?.frameDone(frame.number)
        }
        if !first { report.lastTime = lastTime }
        report.packets = lastFrame
        report.bytes = reader.bytesRead
        report.nanosecondPrecision = reader.nanosecondPrecision
        report.linkTypes = linkTypesSeen.map(LinkTypeName.name)
        if case .truncated(let afterFrame, let message) = outcome {
            report.errors.append(CaptureError(message: message, frame: afterFrame))
        }
        if let first = firstUndecodable {
            report.errors.append(
                CaptureError(
                    message:
                        "\(undecodable) frame(s) could not be decoded and were skipped (first: frame \(first.frame): \(first.reason))",
                    frame: first.frame))
        }
        for linkType in unsupportedLinkTypes.sorted() {
            report.errors.append(
                CaptureError(
                    message:
                        "link type \(LinkTypeName.name(linkType)) (\(linkType)) is not supported; its frames were skipped",
                    frame: nil))
        }
        if let filter, !filter.linkTypeErrors.isEmpty {
            for (linkType, message) in filter.linkTypeErrors.sorted(by: { $0.key < $1.key }) {
                report.errors.append(
                    CaptureError(
                        message: "filter not applied to link type \(LinkTypeName.name(linkType)): \(message)",
                        frame: nil))
            }
        }
        finishAll(emit: emit)
        completeReport()
        return report
    }

    /// Cross-connection findings, with connection ids as reported.
    func completeReport() {
        // Both trackers saw provisional ids (creation order); the report shows the final ones.
        let renumber = { [ordered] (sequence: Int) in ordered.finalID(forSequence: sequence) }
        let found =
            patterns.findings(renumber: renumber).map { ($0.connectionIDs, $0.finding) }
            + interception.findings(renumber: renumber).map { ($0.connectionIDs, $0.finding) }
        report.patterns = found.map { ids, finding in
            var pattern = finding
            pattern.connectionIDs = ids
            return pattern
        }
    }

    private func absorb(_ secret: DecryptionSecret) {
        if let embedded = KeyLog(decryptionSecretsType: secret.type, data: secret.data, source: "pcapng secrets block")
        {
            keyLog.merge(embedded)
        }
    }

    private func process(_ frame: CaptureFrame, emit: (Connection) -> Void) {
        clock = FrameClock(frame: frame.number, time: frame.timestamp)
        if filtering, var filter {
            let keep = filter.matches(frame)
            self.filter = filter
            guard keep else { return }
        }
        sweepIfDue(now: frame.timestamp, emit: emit)
        if let packet = PacketDecoder.plainTCP(
            frame.data, linkType: frame.linkType, originalLength: frame.originalLength)
        {
            handle(packet, payload: Self.payload(of: packet, in: frame.data), frame: frame, emit: emit)
            return
        }
        switch PacketDecoder.decode(frame.data, linkType: frame.linkType, originalLength: frame.originalLength) {
        case .tcp(let packet):
            handle(packet, payload: Self.payload(of: packet, in: frame.data), frame: frame, emit: emit)
        case .ipFragment(let fragment):
            guard case .complete(let datagram) = fragments.add(fragment, in: frame.data, at: frame.timestamp) else {
                return
            }
            datagram.withUnsafeBytes { raw in
                if case .tcp(let packet) = PacketDecoder.decodeIP(raw) {
                    handle(packet, payload: Self.payload(of: packet, in: raw), frame: frame, emit: emit)
                }
            }
        case .other:
            break
        case .malformed(let reason):
            undecodable += 1
            if firstUndecodable == nil { firstUndecodable = (frame.number, reason) }
        case .unsupportedLinkType(let linkType):
            unsupportedLinkTypes.insert(linkType)
        }
    }

    static func payload(of packet: TCPPacket, in data: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        let start = packet.payloadOffset
        let end = start + packet.payloadLength
        guard start >= 0, end <= data.count, start <= end else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(rebasing: data[start..<end])
    }

    private func handle(
        _ packet: TCPPacket, payload: UnsafeRawBufferPointer, frame: CaptureFrame, emit: (Connection) -> Void
    ) {
        // Most packets a shard reads belong to another shard: dropped before any flow work, by
        // a hash of the endpoints that needs no normalised key.
        if let shard, !shard.owns(packet) { return }
        let (key, sourceIsA) = FlowKey.make(
            source: packet.source, sourcePort: packet.sourcePort, destination: packet.destination,
            destinationPort: packet.destinationPort)
        let flags = packet.flags.rawValue
        let header = SegmentHeader(
            sequence: packet.sequenceNumber, acknowledgment: packet.acknowledgmentNumber, flags: flags)
        var flow: Flow
        if let existing = flows[key] {
            flow = existing
            if flow.tcp.pointee.isNewConnection(header, direction: flow.direction(sourceIsA: sourceIsA)) {
                finish(key: key, flow: flow, end: .captureEnd, order: .inFrame, emit: emit)
                flow = makeFlow(key: key, packet: packet, sourceIsA: sourceIsA, frame: frame)
            }
        } else {
            if flows.count >= maxTrackedFlows { evictOldest(emit: emit) }
            flow = makeFlow(key: key, packet: packet, sourceIsA: sourceIsA, frame: frame)
        }
        let direction = flow.direction(sourceIsA: sourceIsA)
        let wasClosed = flow.tcp.pointee.isClosed
        flow.analyzer.pointee.beginSegment(
            flags: flags, payloadLength: payload.count, direction: direction, frame: frame.number,
            time: frame.timestamp)
        let pendingBefore = flow.tcp.pointee.pendingBytes
        let limitHitsBefore = flow.tcp.pointee.pendingLimitHits
        let outcome = flow.tcp.pointee.receive(
            header, payload: payload, direction: direction, frame: frame.number, time: frame.timestamp,
            sink: &flow.analyzer.pointee)
        flow.analyzer.pointee.endSegment(outcome, direction: direction, frame: frame.number, time: frame.timestamp)
        bufferedBytes += flow.tcp.pointee.pendingBytes - pendingBefore
        if flow.tcp.pointee.pendingLimitHits > limitHitsBefore, !flow.notedDirectionCap {
            flow.notedDirectionCap = true
            flow.analyzer.pointee.connection.notes.append(
                Note(
                    frame: frame.number,
                    message:
                        "tracking: more than \(Self.sizeText(options.maxBufferedBytesPerDirection)) arrived ahead of a hole in one direction; the hole was declared a capture gap"
                ))
        }
        if bufferedBytes > maxBufferedBytesTotal, flow.tcp.pointee.pendingBytes > 0 {
            let held = flow.tcp.pointee.pendingBytes
            flow.tcp.pointee.releasePending(frame: frame.number, time: frame.timestamp, sink: &flow.analyzer.pointee)
            bufferedBytes -= held - flow.tcp.pointee.pendingBytes
            if !flow.notedTotalCap {
                flow.notedTotalCap = true
                flow.analyzer.pointee.connection.notes.append(
                    Note(
                        frame: frame.number,
                        message:
                            "tracking: out-of-order data released early because more than \(Self.sizeText(options.maxBufferedBytesTotal)) were buffered across all connections; its holes are capture gaps"
                    ))
            }
        }
        if packet.payloadMissing > 0 {
            flow.analyzer.pointee.connection.notes.append(
                Note(
                    frame: frame.number,
                    message: "capture: \(packet.payloadMissing) bytes of this segment were cut by the snapshot length"))
        }
        if !wasClosed, flow.tcp.pointee.isClosed {
            flow.closedAt = frame.timestamp
            flow.closedFrame = frame.number
            closedQueue.append((key, flow.sequence))
        }
    }

    private func makeFlow(key: FlowKey, packet: TCPPacket, sourceIsA: Bool, frame: CaptureFrame) -> Flow {
        let isSYN = packet.flags.contains(.syn)
        let isACK = packet.flags.contains(.ack)
        let initiatorIsClient: Bool
        if isSYN {
            initiatorIsClient = !isACK
        } else {
            initiatorIsClient = !TLSPorts.responderLooksLikeServer(
                initiatorPort: packet.destinationPort, responderPort: packet.sourcePort)
        }
        let source = Endpoint(ip: packet.source.description, port: packet.sourcePort)
        let destination = Endpoint(ip: packet.destination.description, port: packet.destinationPort)
        // The id is provisional (creation order) until the emitter numbers reported connections.
        let connection = Connection(
            id: nextSequence, client: initiatorIsClient ? source : destination,
            server: initiatorIsClient ? destination : source,
            firstFrame: frame.number, start: frame.timestamp)
        var limits = ReassemblyLimits()
        limits.maxPendingBytesPerDirection = options.maxBufferedBytesPerDirection
        let flow = Flow(
            sequence: nextSequence, initiatorIsA: sourceIsA, tcp: TCPConnection(limits: limits),
            analyzer: TLSConnectionAnalyzer(
                connection: connection, initiatorIsClient: initiatorIsClient, rolesKnownFromSYN: isSYN,
                keyLog: keyLog.count > 0 ? keyLog : nil))
        nextSequence += 1
        flows.set(key, flow)
        peakTrackedFlows = max(peakTrackedFlows, flows.count)
        ordered.register(flow.sequence)
        shard?.created(firstFrame: frame.number)
        return flow
    }

    // MARK: - Closing connections

    private func sweepIfDue(now: Timestamp, emit: (Connection) -> Void) {
        guard let last = lastSweep else {
            lastSweep = now
            return
        }
        guard now.milliseconds(since: last) >= 1000 else { return }
        lastSweep = now
        // Closed connections that have lingered long enough.
        var keep: [(key: FlowKey, sequence: Int)] = []
        for entry in closedQueue {
            guard let flow = flows[entry.key], flow.sequence == entry.sequence, let closedAt = flow.closedAt else {
                continue
            }
            if now.milliseconds(since: closedAt) >= Self.closeLinger * 1000 {
                finish(key: entry.key, flow: flow, end: .captureEnd, order: .lingered(flow.closedFrame), emit: emit)
            } else {
                keep.append(entry)
            }
        }
        closedQueue = keep
        // Idle connections: a full pass at most every quarter of the idle timeout.
        if now.milliseconds(since: lastIdleSweep ?? .zero) >= options.idleTimeout * 250 {
            lastIdleSweep = now
            // In order of creation, so the finishing order (and what it decides: session links,
            // pattern id lists) does not depend on hashing, and shards merge to the same order.
            let idle = flows.entries.filter {
                now.milliseconds(since: $0.value.lastActivity) >= options.idleTimeout * 1000
            }
            for (key, flow) in idle.sorted(by: { $0.value.sequence < $1.value.sequence }) {
                finish(key: key, flow: flow, end: .idle, order: .idle, emit: emit)
            }
        }
    }

    private var lastIdleSweep: Timestamp?
    /// Most flows tracked at once: what bounds memory (the tests check it stays under the cap).
    private(set) var peakTrackedFlows = 0

    /// At the cap the least recently active sixteenth of the flows is finished at once: one
    /// scan per many new connections, not one per connection (a SYN flood at the cap would
    /// otherwise cost a full scan per packet).
    private func evictOldest(emit: (Connection) -> Void) {
        let batch = max(1, min(flows.count, maxTrackedFlows / 16))
        let byAge = flows.entries.sorted {
            let a = $0.value.lastActivity
            let b = $1.value.lastActivity
            return a != b ? a < b : $0.value.sequence < $1.value.sequence
        }
        let message = "tracking: evicted because more than \(options.maxConnections) connections were open"
        for (key, flow) in byAge.prefix(batch).sorted(by: { $0.value.sequence < $1.value.sequence }) {
            flow.analyzer.pointee.connection.notes.append(Note(frame: nil, message: message))
            finish(key: key, flow: flow, end: .idle, order: .inFrame, emit: emit)
        }
    }

    /// "256 MiB", "4 KiB", "100 bytes": limits as the user would have set them.
    static func sizeText(_ bytes: Int) -> String {
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }

    /// Out-of-order bytes buffered by all tracked flows.
    private var bufferedBytes = 0

    /// Buffered bytes this analyser may hold: the whole cap, or a shard's share of it.
    private var maxBufferedBytesTotal: Int {
        guard let shard else { return options.maxBufferedBytesTotal }
        return max(1, options.maxBufferedBytesTotal / shard.count)
    }

    /// Flows this analyser may track: the whole cap, or a shard's share of it.
    private var maxTrackedFlows: Int {
        guard let shard else { return options.maxConnections }
        return max(1, (options.maxConnections + shard.count - 1) / shard.count)
    }

    private func finishAll(emit: (Connection) -> Void) {
        let remaining = flows.entries.sorted { $0.value.sequence < $1.value.sequence }
        for (key, flow) in remaining {
            let idle = lastTime.milliseconds(since: flow.lastActivity) >= options.idleTimeout * 1000
            finish(key: key, flow: flow, end: idle ? .idle : .captureEnd, order: .captureEnd, emit: emit)
            // Hand finished connections over as they come, so a capture that ends with many
            // connections open never holds them all at once.
            shard?.captureEndProgress()
        }
        ordered.drain { Self.unwrap($0, emit) }
    }

    /// A single-threaded run has only model values to emit.
    private static func unwrap(_ finished: consuming FinishedConnection, _ emit: (Connection) -> Void) {
        if case .connection(let connection) = consume finished { emit(connection) }
    }

    private func finish(key: FlowKey, flow: Flow, end: TCPInfo.End, order: FinishOrder, emit: (Connection) -> Void) {
        if flows[key] === flow { flows.remove(key) }
        bufferedBytes -= flow.tcp.pointee.pendingBytes
        flow.tcp.pointee.flush(frame: lastFrame, time: lastTime, sink: &flow.analyzer.pointee)
        let connection = flow.analyzer.pointee.finish(tcp: flow.tcp.pointee, end: end)
        let firstFrame = connection.firstFrame
        let reportable: Connection? = isReportable(connection) ? consume connection : nil
        if let shard {
            let work: ShardWork?
            if let reportable = consume reportable { work = shardWork(reportable) } else { work = nil }
            shard.finished(
                order: order, frame: lastFrame, firstFrame: firstFrame, captureEnd: lastTime, work: work)
            return
        }
        complete(sequence: flow.sequence, consume reportable, captureEnd: lastTime, emit: emit)
    }

    /// The cross-connection part of finishing, in finishing order: session links, certificate
    /// audit and diagnosis, patterns, then ordered emission. `connection.id` is `sequence`.
    func complete(sequence: Int, _ finished: consuming Connection?, captureEnd: Timestamp, emit: (Connection) -> Void) {
        guard var connection = consume finished else {
            report.nonTLSConnections += 1
            ordered.complete(sequence, nil) { Self.unwrap($0, emit) }
            return
        }
        sessions.link(&connection)
        ConnectionFinisher.finish(
            &connection, auditor: auditor, options: options, captureEnd: captureEnd, interception: &interception)
        patterns.add(connection)
        if !options.keepTimelines { connection.timeline = Timeline() }
        ordered.complete(sequence, .connection(connection)) { Self.unwrap($0, emit) }
    }

    /// A shard's part of finishing a reported connection: everything that depends on this
    /// connection alone. Diagnosis reads one thing other connections decide (the session
    /// issuer), so a connection that may be linked travels with an undiagnosed copy.
    private func shardWork(_ finished: consuming Connection) -> ShardWork {
        var connection = consume finished
        ConnectionFinisher.auditAndExplain(&connection, auditor: auditor, options: options)
        if renderer != nil { return renderedWork(connection) }
        let undiagnosed = ConnectionFinisher.mayBeLinked(connection) ? connection : nil
        ConnectionFinisher.diagnose(&connection, options: options, captureEnd: lastTime)
        if !options.keepTimelines { connection.timeline = Timeline() }
        return ShardWork(connection: connection, undiagnosed: undiagnosed)
    }

    /// `shardWork` when the shard renders: no undiagnosed copy (which kept every connection's
    /// timeline alive until the merger had written it). Linking changes one finding's text,
    /// so for a connection that has that finding the linked findings are made here as well.
    private func renderedWork(_ finished: consuming Connection) -> ShardWork {
        var connection = consume finished
        let mayBeLinked = ConnectionFinisher.mayBeLinked(connection)
        let before = (connection.findings, connection.timing, connection.status)
        ConnectionFinisher.diagnose(&connection, options: options, captureEnd: lastTime)
        var linked: LinkedDiagnosis?
        if mayBeLinked, connection.findings.contains(where: { $0.code == SessionIssuerText.code }) {
            var variant = connection
            (variant.findings, variant.timing, variant.status) = before
            variant.resumption.issuedBy = LinkedDiagnosis.placeholderIssuer
            ConnectionFinisher.diagnose(&variant, options: options, captureEnd: lastTime)
            linked = LinkedDiagnosis(findings: variant.findings, status: variant.status)
        }
        if !options.keepTimelines { connection.timeline = Timeline() }
        let work = RenderedWork(connection, shard: shard?.index ?? 0, renderer: &renderer!)
        if mayBeLinked { work.fallback = LinkFallback(connection: connection, linked: linked) }
        return ShardWork(rendered: work)
    }

    /// Merger side: the cross-connection part of finishing a connection a shard audited and
    /// diagnosed, in the single-threaded order's effects.
    func completeShardWork(
        sequence: Int, _ work: ShardWork?, captureEnd: Timestamp, emit: (FinishedConnection) -> Void
    ) {
        if let rendered = work?.rendered {
            rendered.sequence = sequence
            if let issuer = sessions.link(rendered.sessions, id: sequence, issuedBy: nil) {
                // Linked (rare): the shard's text has no issuer; the connection is written here.
                precondition(rendered.fallback != nil, "a connection that offered no session was linked")
                if let fallback = rendered.fallback.take() {
                    var connection = fallback.connection
                    connection.id = sequence
                    connection.resumption.issuedBy = issuer
                    if var linked = fallback.linked {
                        SessionIssuerText.renumber(
                            &linked.findings, from: LinkedDiagnosis.placeholderIssuer, to: issuer)
                        connection.findings = linked.findings
                        connection.status = linked.status
                    }
                    ConnectionFinisher.observe(connection, interception: &interception)
                    patterns.add(connection)
                    ordered.complete(sequence, .connection(connection), emit: emit)
                    return
                }
            }
            rendered.sighting?.observe(into: &interception, id: sequence)
            patterns.add(rendered.observation, id: sequence)
            ordered.complete(sequence, .rendered(rendered), emit: emit)
            return
        }
        // Moved out of the box, never copied: a connection is a large value and the merger is
        // the one thread all connections pass through.
        guard let work, var connection = work.connection.take() else {
            report.nonTLSConnections += 1
            ordered.complete(sequence, nil, emit: emit)
            return
        }
        connection.id = sequence
        sessions.link(&connection)
        if let issuer = connection.resumption.issuedBy, var redo = work.undiagnosed.take() {
            redo.id = sequence
            redo.resumption.issuedBy = issuer
            ConnectionFinisher.diagnose(&redo, options: options, captureEnd: captureEnd)
            if !options.keepTimelines { redo.timeline = Timeline() }
            swap(&connection, &redo)
        }
        ConnectionFinisher.observe(connection, interception: &interception)
        patterns.add(connection)
        ordered.complete(sequence, .connection(connection), emit: emit)
    }

    /// Merger side of a parallel run: a flow created in a shard gets the next sequence number.
    func registerCreated() -> Int {
        let sequence = nextSequence
        nextSequence += 1
        ordered.register(sequence)
        return sequence
    }

    /// Merger side: emits what is still waiting once every shard has finished.
    func drain(emit: (FinishedConnection) -> Void) { ordered.drain(emit: emit) }

    /// Merger side: the capture-level fields read by a shard (every shard reads every frame).
    func adoptCaptureFields(from shardReport: CaptureReport) {
        let nonTLS = report.nonTLSConnections
        report = shardReport
        report.nonTLSConnections = nonTLS
        report.patterns = []
    }

    var currentReport: CaptureReport { report }

    private func isReportable(_ connection: Connection) -> Bool {
        if connection.isTLS { return true }
        let port = connection.server.port
        return TLSPorts.implicitTLS.contains(port) || options.extraTLSPorts.contains(port)
    }
}

/// Where the analysis is in the capture.
struct FrameClock {
    var frame = 0
    var time = Timestamp.zero
}
