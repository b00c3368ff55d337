import TLSFlowModel

/// A forward-only JSON byte writer.
///
/// Hand-written because the report for a large capture (hundreds of thousands of connections)
/// must render in well under a second, and because the output's key order is part of the
/// contract, which `JSONEncoder` does not let us control. The buffer is a reference: an emitter
/// is used from one place and never copied while in use.
struct JSONEmitter {
    private var buf: ByteBuffer
    /// Rendered name lists that connections share (see `sharedStrings`); nil in the scratch
    /// emitter that renders them.
    private let lists: ListFragments?
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
    init(pretty: Bool, containerDepth: Int = 0, capacity: Int = 4096, sharesLists: Bool = true) {
        self.pretty = pretty
        lists = sharesLists ? ListFragments() : nil
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

    /// The buffer written so far, replaced by an empty one of `capacity` bytes (the nesting
    /// state is kept): hands over a large text without copying it.
    mutating func takeBuffer(replacingWithCapacity capacity: Int) -> ByteBuffer {
        let taken = buf
        buf = ByteBuffer(capacity: capacity)
        return taken
    }

    /// Elements of the current container were written to the output by another emitter.
    mutating func noteElementsWrittenElsewhere() { first = false }

    /// The bytes written so far and `last`, as an array; the buffer is emptied and the nesting
    /// state kept.
    mutating func takeBytes(appending last: UInt8) -> [UInt8] {
        let taken = [UInt8](unsafeUninitializedCapacity: buf.count + 1) { array, initialized in
            if buf.count > 0, let base = array.baseAddress {
                UnsafeMutableRawPointer(base).copyMemory(from: buf.base, byteCount: buf.count)
            }
            array[buf.count] = last
            initialized = buf.count + 1
        }
        buf.removeAll()
        return taken
    }

    /// Appends text rendered by another emitter, as is.
    mutating func appendRaw(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { buf.append(contentsOf: $0) }
    }

    /// The current object was closed by text appended with `appendRaw`.
    mutating func closedElsewhere() {
        depth -= 1
        first = false
    }

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

    @inline(__always)
    private mutating func valuePrefix() {
        if pendingKey {
            pendingKey = false
        } else {
            elementPrefix()
        }
    }

    /// Inlined: a connection writes about fifty keys, and at each call site the compact form is
    /// a flag test and a few constant-size stores.
    @inline(__always)
    mutating func key(_ name: StaticString) {
        if pretty {
            elementPrefix()
            buf.appendKey(name, comma: false, space: true)
        } else {
            // Compact: the element prefix is only the comma.
            buf.appendKey(name, comma: !first, space: false)
            first = false
        }
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

    @inline(__always)
    mutating func beginObject() {
        valuePrefix()
        buf.append(UInt8(ascii: "{"))
        depth += 1
        first = true
    }

    @inline(__always)
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

    @inline(__always)
    mutating func null() {
        valuePrefix()
        buf.append("null")
    }

    @inline(__always)
    mutating func bool(_ value: Bool) {
        valuePrefix()
        if value {
            buf.append("true")
        } else {
            buf.append("false")
        }
    }

    @inline(__always)
    mutating func int(_ value: Int) {
        valuePrefix()
        appendDigits(value)
    }

    @inline(__always)
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
        // 0..<86_400: `days` is rounded toward negative infinity.
        let secondOfDay = UInt64(truncatingIfNeeded: t.seconds - days * 86_400)
        buf.reserve(32)
        buf.store(UInt8(ascii: "\""))
        buf.storeFixed(UInt64(truncatingIfNeeded: year), digits: 4)
        buf.store(UInt8(ascii: "-"))
        buf.storeFixed(UInt64(truncatingIfNeeded: month), digits: 2)
        buf.store(UInt8(ascii: "-"))
        buf.storeFixed(UInt64(truncatingIfNeeded: day), digits: 2)
        buf.store(UInt8(ascii: "T"))
        buf.storeFixed(secondOfDay / 3600, digits: 2)
        buf.store(UInt8(ascii: ":"))
        buf.storeFixed(secondOfDay % 3600 / 60, digits: 2)
        buf.store(UInt8(ascii: ":"))
        buf.storeFixed(secondOfDay % 60, digits: 2)
        buf.store(UInt8(ascii: "."))
        if nanoseconds {
            buf.storeFixed(UInt64(t.nanoseconds), digits: 9)
        } else {
            buf.storeFixed(UInt64(t.nanoseconds / 1000), digits: 6)
        }
        buf.store(UInt8(ascii: "Z"))
        buf.store(UInt8(ascii: "\""))
    }

    private mutating func appendASCII(_ text: String) {
        var text = text
        text.withUTF8 { buf.append(contentsOf: $0) }
    }

    @inline(__always)
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
        guard values.count >= 2, let fragment = lists?.fragment(for: values, pretty: pretty) else {
            strings(values)
            return
        }
        valuePrefix()
        buf.append(contentsOf: fragment)
        first = false
    }

    /// `values` as `strings` writes them, on their own.
    fileprivate static func rendered(_ values: [String], pretty: Bool) -> [UInt8] {
        var scratch = JSONEmitter(pretty: pretty, capacity: 512, sharesLists: false)
        scratch.strings(values)
        return scratch.bytes
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
    @inline(__always)
    private mutating func appendQuoted(_ value: String) {
        if value.utf8.withContiguousStorageIfAvailable({ buf.appendJSONString($0) }) == nil {
            Array(value.utf8).withUnsafeBufferPointer { buf.appendJSONString($0) }
        }
    }
}

/// Rendered inline arrays by the identity of the array's storage. Each entry keeps its array, so
/// the storage stays alive and unchanged (a write to a shared array copies it first) and its
/// address cannot be reused by another array while the entry exists: equal address means equal
/// contents. Open addressing over a short window of slots, one of them replaced in turn when all
/// are taken (so at most 1 024 lists are kept): a hashed dictionary cost more per lookup than the
/// copy it saved, and a single slot per address let two lists in use evict each other.
final class ListFragments {
    private struct Entry {
        /// nil in an empty slot.
        var address: UnsafeRawPointer?
        var list: [String]
        /// Owned by the entry: raw, so that a hit neither retains nor releases anything.
        var bytes: UnsafeMutableBufferPointer<UInt8>
    }
    private static let slotBits = 10
    private static let slots = 1 << slotBits
    /// Slots an address may sit in, from its home slot on.
    private static let window = 4
    /// A `let` pointer: a class's stored array would cost an exclusivity check per access.
    private let entries: UnsafeMutablePointer<Entry>
    /// Which slot of a full window the next placement replaces.
    private var nextVictim = 0

    init() {
        entries = .allocate(capacity: Self.slots)
        entries.initialize(
            repeating: Entry(address: nil, list: [], bytes: UnsafeMutableBufferPointer(start: nil, count: 0)),
            count: Self.slots)
    }

    deinit {
        for slot in 0..<Self.slots { entries[slot].bytes.deallocate() }
        entries.deinitialize(count: Self.slots)
        entries.deallocate()
    }

    /// The rendered bytes of `list` (rendered on a miss), valid until the next call; nil for a
    /// list without storage of its own to stand for it.
    func fragment(for list: [String], pretty: Bool) -> UnsafeBufferPointer<UInt8>? {
        guard let address = list.withUnsafeBufferPointer({ $0.baseAddress.map(UnsafeRawPointer.init) }) else {
            return nil
        }
        // Fibonacci hashing: array storage addresses share their low bits (alignment).
        let hash = UInt(bitPattern: address) &* 0x9E37_79B9_7F4A_7C15
        let home = Int(truncatingIfNeeded: hash >> (UInt.bitWidth - Self.slotBits))
        var free: Int?
        for step in 0..<Self.window {
            let slot = (home &+ step) & (Self.slots - 1)
            let entry = entries + slot
            if entry.pointee.address == address && entry.pointee.list.count == list.count {
                return UnsafeBufferPointer(entry.pointee.bytes)
            }
            if free == nil && entry.pointee.address == nil { free = slot }
        }
        let slot = free ?? (home &+ nextVictim) & (Self.slots - 1)
        if free == nil { nextVictim = (nextVictim &+ 1) % Self.window }
        let rendered = JSONEmitter.rendered(list, pretty: pretty)
        let bytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: rendered.count)
        _ = bytes.initialize(from: rendered)
        let entry = entries + slot
        entry.pointee.bytes.deallocate()
        entry.pointee = Entry(address: address, list: list, bytes: bytes)
        return UnsafeBufferPointer(bytes)
    }
}
