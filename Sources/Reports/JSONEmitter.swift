import TLSFlowModel

/// A forward-only JSON byte writer.
///
/// Hand-written because the report for a large capture (hundreds of thousands of connections)
/// must render in well under a second, and because the output's key order is part of the
/// contract, which `JSONEncoder` does not let us control. The buffer is a reference: an emitter
/// is used from one place and never copied while in use.
struct JSONEmitter {
    private let buf: ByteBuffer
    /// Rendered name lists that connections share (see `sharedStrings`).
    private let lists = ListFragments()
    let pretty: Bool
    private var depth = 0
    /// True until the current container has received its first element.
    private var first = true
    /// Inside an array of scalars printed on one line even when pretty.
    private var inline = false
    /// A key was just written: the next value takes no separator.
    private var pendingKey = false

    /// `containerDepth` > 0 starts the emitter inside an array at that nesting depth, so that
    /// elements rendered apart (buffered connections) indent as they will sit in the document.
    init(pretty: Bool, containerDepth: Int = 0, capacity: Int = 4096) {
        self.pretty = pretty
        depth = containerDepth
        buf = ByteBuffer(capacity: capacity)
    }

    var isEmpty: Bool { buf.isEmpty }

    var count: Int { buf.count }

    /// The text so far (for tests and small documents).
    var bytes: [UInt8] { buf.array }

    /// Hands over the text written so far, keeping the nesting state (so the next element still
    /// gets its separator).
    mutating func takeText() -> String {
        let text = buf.string
        buf.removeAll()
        return text
    }

    /// Hands the bytes written so far to `body`, then forgets them (the nesting state is kept).
    mutating func drainBytes(_ body: (UnsafeRawBufferPointer) -> Void) {
        body(UnsafeRawBufferPointer(start: buf.base, count: buf.count))
        buf.removeAll()
    }

    /// A copy of the bytes written so far, which are then forgotten.
    mutating func takeBytes() -> [UInt8] {
        let bytes = buf.array
        buf.removeAll()
        return bytes
    }

    /// Elements of the current container were written to the output by another emitter.
    mutating func noteElementsWrittenElsewhere() { first = false }

    /// Ends a line; at top level the next value starts a new document (JSON Lines).
    mutating func endLine() {
        buf.append(0x0A)
        if depth == 0 { first = true }
    }

    // MARK: Structure

    /// Separator and indentation before an element of the current container.
    private mutating func elementPrefix() {
        let wasFirst = first
        if !first { buf.append(UInt8(ascii: ",")) }
        first = false
        guard pretty else { return }
        if inline {
            if !wasFirst { buf.append(0x20) }
        } else if depth > 0 {
            newlineIndent()
        }
    }

    private mutating func newlineIndent() {
        buf.appendNewline(indent: 2 * depth)
    }

    private mutating func valuePrefix() {
        if pendingKey {
            pendingKey = false
        } else {
            elementPrefix()
        }
    }

    mutating func key(_ name: StaticString) {
        elementPrefix()
        buf.appendKey(name, space: pretty)
        pendingKey = true
    }

    /// A key known only at run time (e.g. a finding code in the summary).
    mutating func key(dynamic name: String) {
        elementPrefix()
        appendQuoted(name)
        buf.append(UInt8(ascii: ":"))
        if pretty { buf.append(0x20) }
        pendingKey = true
    }

    mutating func beginObject() {
        valuePrefix()
        buf.append(UInt8(ascii: "{"))
        depth += 1
        first = true
    }

    mutating func endObject() {
        depth -= 1
        if pretty && !first { newlineIndent() }
        buf.append(UInt8(ascii: "}"))
        first = false
    }

    /// `inline` keeps an array of scalars on one line in pretty output (frames, names...).
    mutating func beginArray(inline: Bool = false) {
        valuePrefix()
        buf.append(UInt8(ascii: "["))
        depth += 1
        first = true
        self.inline = inline
    }

    mutating func endArray() {
        depth -= 1
        if pretty && !first && !inline { newlineIndent() }
        buf.append(UInt8(ascii: "]"))
        first = false
        inline = false
    }

    // MARK: Scalars

    mutating func null() {
        valuePrefix()
        buf.append("null")
    }

    mutating func bool(_ value: Bool) {
        valuePrefix()
        if value {
            buf.append("true")
        } else {
            buf.append("false")
        }
    }

    mutating func int(_ value: Int) {
        valuePrefix()
        appendDigits(value)
    }

    private mutating func appendDigits(_ value: Int) {
        if value < 0 { buf.append(UInt8(ascii: "-")) }
        // magnitude avoids the trap on Int.min.
        buf.appendDecimal(UInt64(value.magnitude))
    }

    /// A number with at most three decimals and no trailing zeros (durations in ms).
    /// Non-finite values have no JSON spelling and become null.
    mutating func milliseconds(_ value: Double) {
        guard value.isFinite else {
            null()
            return
        }
        valuePrefix()
        let scaled = (value * 1000).rounded()
        // Beyond 2^53 the fixed-point path loses meaning; Swift's shortest form is still valid JSON.
        guard abs(scaled) < 9.0e15 else {
            appendASCII(value.description)
            return
        }
        var thousandths = Int(scaled)
        if thousandths < 0 {
            buf.append(UInt8(ascii: "-"))
            thousandths = -thousandths
        }
        appendDigits(thousandths / 1000)
        var fraction = thousandths % 1000
        guard fraction != 0 else { return }
        buf.append(UInt8(ascii: "."))
        var width = 3
        while fraction % 10 == 0 {
            fraction /= 10
            width -= 1
        }
        if width >= 2 && fraction < 10 { buf.append(UInt8(ascii: "0")) }
        if width == 3 && fraction < 100 { buf.append(UInt8(ascii: "0")) }
        appendDigits(fraction)
    }

    /// A quoted RFC 3339 time, byte for byte what `Timestamp.rfc3339(nanosecondPrecision:)`
    /// returns (the tests hold them equal) but written in place: string building there was a
    /// third of the time spent rendering a connection.
    mutating func timestamp(_ t: Timestamp, nanoseconds: Bool) {
        let days = t.seconds >= 0 ? t.seconds / 86_400 : (t.seconds - 86_399) / 86_400
        let (year, month, day) = Timestamp.civilDate(daysSinceEpoch: days)
        guard (0...9999).contains(year) else {
            string(t.rfc3339(nanosecondPrecision: nanoseconds))
            return
        }
        valuePrefix()
        let secondOfDay = Int(t.seconds - days * 86_400)
        buf.append(UInt8(ascii: "\""))
        appendFixed(Int(year), digits: 4)
        buf.append(UInt8(ascii: "-"))
        appendFixed(month, digits: 2)
        buf.append(UInt8(ascii: "-"))
        appendFixed(day, digits: 2)
        buf.append(UInt8(ascii: "T"))
        appendFixed(secondOfDay / 3600, digits: 2)
        buf.append(UInt8(ascii: ":"))
        appendFixed((secondOfDay % 3600) / 60, digits: 2)
        buf.append(UInt8(ascii: ":"))
        appendFixed(secondOfDay % 60, digits: 2)
        buf.append(UInt8(ascii: "."))
        if nanoseconds {
            appendFixed(Int(t.nanoseconds), digits: 9)
        } else {
            appendFixed(Int(t.nanoseconds / 1000), digits: 6)
        }
        buf.append(UInt8(ascii: "Z"))
        buf.append(UInt8(ascii: "\""))
    }

    /// A non-negative number in exactly `digits` digits, zero-padded.
    private mutating func appendFixed(_ value: Int, digits: Int) {
        var divisor = 1
        for _ in 1..<digits { divisor &*= 10 }
        var rest = value
        while divisor > 0 {
            buf.append(UInt8(truncatingIfNeeded: (rest / divisor) % 10) &+ 48)
            rest %= divisor
            divisor /= 10
        }
    }

    private mutating func appendASCII(_ text: String) {
        var text = text
        text.withUTF8 { buf.append(contentsOf: $0) }
    }

    mutating func string(_ value: String) {
        valuePrefix()
        appendQuoted(value)
    }

    mutating func string(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    mutating func strings(_ values: [String]) {
        beginArray(inline: true)
        for value in values { string(value) }
        endArray()
    }

    /// Like `strings`, for lists that many connections share one copy of (a client stack's
    /// cipher suites, groups, signature algorithms: the analyser hands every connection of the
    /// same hello the same array). Each distinct array is rendered once and its bytes reused.
    mutating func sharedStrings(_ values: [String]) {
        guard values.count >= 2 else {
            strings(values)
            return
        }
        let pretty = self.pretty
        let fragment = lists.fragment(for: values) {
            var scratch = JSONEmitter(pretty: pretty, capacity: 512)
            scratch.strings(values)
            return scratch.bytes
        }
        valuePrefix()
        fragment.withUnsafeBufferPointer { buf.append(contentsOf: $0) }
        first = false
    }

    mutating func ints(_ values: [Int]) {
        beginArray(inline: true)
        for value in values { int(value) }
        endArray()
    }

    mutating func int(_ value: Int?) {
        if let value { int(value) } else { null() }
    }

    mutating func bool(_ value: Bool?) {
        if let value { bool(value) } else { null() }
    }

    mutating func milliseconds(_ value: Double?) {
        if let value { milliseconds(value) } else { null() }
    }

    /// Quotes and escapes per RFC 8259. Control characters, quote and backslash must be escaped;
    /// DEL and U+2028/U+2029 are escaped too so the output is safe to paste into JavaScript
    /// and does not disturb terminals. Everything else passes through as UTF-8.
    private mutating func appendQuoted(_ value: String) {
        if value.utf8.withContiguousStorageIfAvailable({ buf.appendJSONString($0) }) == nil {
            Array(value.utf8).withUnsafeBufferPointer { buf.appendJSONString($0) }
        }
    }
}

/// Rendered inline arrays by the identity of the array's storage. Each entry keeps its array, so
/// the storage stays alive and unchanged (a write to a shared array copies it first) and its
/// address cannot be reused by another array while the entry exists: equal address means equal
/// contents. Bounded; emptied when full.
final class ListFragments {
    private struct Entry {
        let list: [String]
        let bytes: [UInt8]
    }
    private var entries: [UnsafeRawPointer: Entry] = [:]
    private static let capacity = 256

    func fragment(for list: [String], render: () -> [UInt8]) -> [UInt8] {
        guard let address = list.withUnsafeBufferPointer({ $0.baseAddress.map(UnsafeRawPointer.init) }) else {
            return render()
        }
        if let entry = entries[address], entry.list.count == list.count { return entry.bytes }
        let bytes = render()
        if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
        entries[address] = Entry(list: list, bytes: bytes)
        return bytes
    }
}
