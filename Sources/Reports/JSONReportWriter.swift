import TLSFlowModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Streams the JSON report (docs/output.md) or JSON Lines, one connection at a time.
///
/// Call order: `begin`, then per capture `beginCapture`, `connection`…, `endCapture`, then `end`.
/// The writer holds its buffers by reference: use one writer from one place, without copying it.
///
/// The contract lists a capture's `packets`, `bytes`, `last_time` and `errors` before its
/// `connections`, but those are only known once the file has been read. To keep the contract's
/// key order without holding model objects, each connection is rendered to JSON text as it
/// arrives and the capture's text is written out at `endCapture`: memory is bounded by the
/// rendered text of one capture (roughly 2 KB per connection compact), never by `Connection`
/// values. Past `spillThreshold` bytes the rendered text moves to an unlinked temporary file,
/// so memory stays flat on captures of any size. JSON Lines has no such constraint and is
/// written straight through.
public struct JSONReportWriter {
    public static let schema = 1

    /// Receives the output bytes, in order; a pointer valid only during the call.
    private let sink: (UnsafeRawBufferPointer) -> Void
    private let lines: Bool
    private var out: JSONEmitter
    /// The current capture's connections, rendered as elements of its `connections` array:
    /// full chunks, then the chunk being written. Chunks end between elements (never inside a
    /// UTF-8 sequence), and avoid re-copying one huge buffer as it grows. A full chunk is the
    /// emitter's buffer itself, handed over rather than copied.
    private var pendingChunks: [ByteBuffer] = []
    private var pendingChunkBytes = 0
    /// Chunks beyond `spillThreshold`, in order after `pendingChunks`.
    private var spill: SpillFile?
    private let spillThreshold = 16 << 20
    private var pending: JSONEmitter
    private let prettyDocument: Bool
    private var captureFile = ""
    private var nanoseconds = false
    private var begun = false
    /// Flush to the sink once this much text is waiting.
    private static let flushThreshold = 1 << 20
    /// Room for a chunk and the connection that crosses `flushThreshold`, so that a chunk's
    /// buffer does not grow (copying itself) on the way; pages not written are never touched.
    private static let chunkCapacity = flushThreshold + flushThreshold / 8

    /// `sink` receives the output in chunks, in order; concatenated they form the document.
    /// `jsonLines` writes one compact connection object per line instead of a document.
    public init(pretty: Bool, jsonLines: Bool = false, sink: @escaping (String) -> Void) {
        self.init(pretty: pretty, jsonLines: jsonLines, byteSink: { sink(String(decoding: $0, as: UTF8.self)) })
    }

    /// Like `init(pretty:jsonLines:sink:)`, without turning the output into `String`s: for large
    /// reports written straight to a file descriptor.
    public init(pretty: Bool, jsonLines: Bool = false, byteSink: @escaping (UnsafeRawBufferPointer) -> Void) {
        self.sink = byteSink
        lines = jsonLines
        prettyDocument = pretty && !jsonLines
        out = JSONEmitter(pretty: prettyDocument)
        // Document depth of a connection: root { captures [ capture { connections [ .
        pending = JSONEmitter(pretty: prettyDocument, containerDepth: 4, capacity: Self.chunkCapacity)
    }

    /// Writes into a `TextOutputStream` held by reference (e.g. a class wrapping stdout).
    public init<Output: TextOutputStream & AnyObject>(output: Output, pretty: Bool, jsonLines: Bool = false) {
        self.init(pretty: pretty, jsonLines: jsonLines) { [output] text in
            var stream = output
            stream.write(text)
        }
    }

    public mutating func begin(version: String) {
        guard !begun else { return }
        begun = true
        guard !lines else { return }
        out.beginObject()
        out.key("tool")
        out.string("tlsflow")
        out.key("version")
        out.string(version)
        out.key("schema")
        out.int(Self.schema)
        out.key("captures")
        out.beginArray()
    }

    /// Uses the header fields known before reading: file, format, link types, first time and
    /// timestamp precision. The rest are taken from the report passed to `endCapture`.
    public mutating func beginCapture(_ capture: CaptureReport) {
        if !begun { begin(version: "unknown") }
        captureFile = capture.file
        nanoseconds = capture.nanosecondPrecision
        pendingChunks = []
        pendingChunkBytes = 0
        spill = nil
        pending = JSONEmitter(pretty: prettyDocument, containerDepth: 4, capacity: Self.chunkCapacity)
    }

    /// Moves the rendered text out of `pending`: kept in memory up to `spillThreshold`, then
    /// written straight from the emitter's buffer to the spill file.
    private mutating func keepPending() {
        if spill == nil, pendingChunkBytes + pending.count > spillThreshold { spill = SpillFile() }
        if let spill {
            pending.drainBytes { spill.append($0) }
            return
        }
        let chunk = pending.takeBuffer(replacingWithCapacity: Self.chunkCapacity)
        pendingChunks.append(chunk)
        pendingChunkBytes += chunk.count
    }

    public mutating func connection(_ connection: Connection) {
        if lines {
            out.connection(connection, nanoseconds: nanoseconds, captureFile: captureFile)
            out.endLine()
            flushIfNeeded()
        } else {
            pending.connection(connection, nanoseconds: nanoseconds)
            if pending.count >= Self.flushThreshold { keepPending() }
        }
    }

    /// A connection rendered by a `ConnectionRenderer` (compact output only: see
    /// `acceptsRenderedConnections`), given its id. The text is what `connection(_:)` writes for
    /// the same connection with that id.
    public mutating func connection(_ rendered: RenderedConnection, id: Int) {
        precondition(
            rendered.nanoseconds == nanoseconds, "rendered with another timestamp precision than beginCapture's")
        if lines {
            out.beginObject()
            out.key("capture")
            out.string(captureFile)
            out.key("id")
            out.int(id)
            out.endObject(renderedTail: rendered.tail)
            out.endLine()
            flushIfNeeded()
        } else {
            pending.beginObject()
            pending.key("id")
            pending.int(id)
            pending.endObject(renderedTail: rendered.tail)
            if pending.count >= Self.flushThreshold { keepPending() }
        }
    }

    /// Whether `connection(_:id:)` may be used: the output is compact (JSON or JSON Lines).
    public var acceptsRenderedConnections: Bool { !prettyDocument }

    /// Writes the capture object. `capture.connections` is ignored (they came through
    /// `connection`).
    public mutating func endCapture(_ capture: CaptureReport) {
        guard !lines else {
            flushIfNeeded()
            return
        }
        let ns = capture.nanosecondPrecision
        out.beginObject()
        out.key("file")
        out.string(capture.file)
        out.key("format")
        out.string(capture.format)
        out.key("link_types")
        out.strings(capture.linkTypes)
        out.key("packets")
        out.int(capture.packets)
        out.key("bytes")
        out.int(capture.bytes)
        out.key("first_time")
        out.time(capture.firstTime, nanoseconds: ns)
        out.key("last_time")
        out.time(capture.lastTime, nanoseconds: ns)
        out.key("errors")
        out.beginArray()
        for error in capture.errors {
            out.beginObject()
            out.key("message")
            out.string(error.message)
            out.key("frame")
            out.int(error.frame)
            out.endObject()
        }
        out.endArray()
        out.key("connections")
        out.beginArray()
        if !pendingChunks.isEmpty || !pending.isEmpty || spill != nil {
            flush()
            for chunk in pendingChunks { sink(chunk.bytes) }
            spill?.replay(sink)
            pending.drainBytes(sink)
            out.noteElementsWrittenElsewhere()
        }
        pendingChunks = []
        pendingChunkBytes = 0
        spill = nil
        out.endArray()
        out.key("non_tls_connections")
        out.int(capture.nonTLSConnections)
        out.key("patterns")
        out.beginArray()
        for pattern in capture.patterns { out.finding(pattern, isPattern: true) }
        out.endArray()
        out.endObject()
        flush()
    }

    public mutating func end(summary: RunSummary) {
        if !begun { begin(version: "unknown") }
        guard !lines else {
            flush()
            return
        }
        out.endArray()
        out.key("summary")
        out.beginObject()
        out.key("connections")
        out.int(summary.connections)
        out.key("ok")
        out.int(summary.ok)
        out.key("warning")
        out.int(summary.warning)
        out.key("failed")
        out.int(summary.failed)
        out.key("incomplete")
        out.int(summary.incomplete)
        out.key("findings")
        out.beginObject()
        for code in summary.findings.keys.sorted() {
            out.key(dynamic: code)
            out.int(summary.findings[code] ?? 0)
        }
        out.endObject()
        out.endObject()
        out.endObject()
        out.endLine()
        flush()
    }

    /// The whole document for captures already in memory (tests, small runs).
    public static func render(
        captures: [CaptureReport], summary: RunSummary, version: String, pretty: Bool, jsonLines: Bool = false
    ) -> String {
        var text = ""
        var writer = JSONReportWriter(pretty: pretty, jsonLines: jsonLines) { text += $0 }
        writer.begin(version: version)
        for capture in captures {
            writer.beginCapture(capture)
            for connection in capture.connections { writer.connection(connection) }
            writer.endCapture(capture)
        }
        writer.end(summary: summary)
        return text
    }

    private mutating func flushIfNeeded() {
        if out.count >= Self.flushThreshold { flush() }
    }

    private mutating func flush() {
        guard !out.isEmpty else { return }
        out.drainBytes(sink)
    }
}

/// An unlinked temporary file holding rendered chunks; each chunk is read back whole, so no
/// UTF-8 sequence is split. Chunks that cannot be written (no temporary file, disk full) are
/// kept in memory and replayed after the written ones.
final class SpillFile {
    private let file: UnsafeMutablePointer<FILE>?
    private var sizes: [Int] = []
    private var failed = false
    private var overflow: [[UInt8]] = []

    init() { file = tmpfile() }

    deinit { if let file { fclose(file) } }

    func append(_ chunk: UnsafeRawBufferPointer) {
        // After a failed write the file's tail is unusable: later chunks stay in memory.
        guard let file, !failed else {
            overflow.append(Array(chunk))
            return
        }
        let written = chunk.isEmpty ? 0 : fwrite(chunk.baseAddress, 1, chunk.count, file)
        guard written == chunk.count else {
            failed = true
            overflow.append(Array(chunk))
            return
        }
        sizes.append(chunk.count)
    }

    /// Hands each chunk back in order; the buffer is reused, valid only during the call.
    func replay(_ body: (UnsafeRawBufferPointer) -> Void) {
        if let file, !sizes.isEmpty, let largest = sizes.max() {
            fflush(file)
            rewind(file)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, largest), alignment: 16)
            defer { buffer.deallocate() }
            for size in sizes {
                let got = fread(buffer.baseAddress, 1, size, file)
                guard got == size else { break }
                body(UnsafeRawBufferPointer(rebasing: buffer[..<size]))
            }
        }
        for chunk in overflow { chunk.withUnsafeBytes(body) }
    }
}
