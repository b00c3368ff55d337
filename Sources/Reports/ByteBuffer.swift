/// A growable byte buffer written through a raw pointer.
///
/// `[UInt8].append` pays a uniqueness and capacity check per call, and a report is built from
/// millions of one-byte appends; this was the largest cost of rendering. A class so that the
/// JSON emitter can write without copy-on-write checks; it is never shared between emitters.
final class ByteBuffer {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    @inline(__always)
    func reserve(_ extra: Int) {
        if extra > capacity &- count { grow(to: count + extra) }
    }

    private func grow(to needed: Int) {
        var newCapacity = capacity &* 2
        while newCapacity < needed { newCapacity &*= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count &+= 1
    }

    func append(contentsOf bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (base + count).update(from: source, count: bytes.count)
        count &+= bytes.count
    }

    func append(_ text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }

    /// `"name":`, preceded by a comma unless `comma` is false and followed by a space when
    /// `space`, in one capacity check: keys are the most frequent write. Inlined into each call
    /// site, where the name's length is a constant and its copy a few moves.
    @inline(__always)
    func appendKey(_ name: StaticString, comma: Bool, space: Bool) {
        let length = name.utf8CodeUnitCount
        reserve(length &+ 5)
        var end = count
        if comma {
            base[end] = UInt8(ascii: ",")
            end &+= 1
        }
        base[end] = UInt8(ascii: "\"")
        (base + (end &+ 1)).update(from: name.utf8Start, count: length)
        end &+= 1 &+ length
        base[end] = UInt8(ascii: "\"")
        base[end &+ 1] = UInt8(ascii: ":")
        end &+= 2
        if space {
            base[end] = 0x20
            end &+= 1
        }
        count = end
    }

    /// A line break followed by `spaces` spaces.
    func appendNewline(indent spaces: Int) {
        reserve(spaces &+ 1)
        base[count] = 0x0A
        (base + (count &+ 1)).update(repeating: 0x20, count: spaces)
        count &+= spaces &+ 1
    }

    /// "00", "01", … "99": numbers are written two digits per division.
    private static var digitPairs: StaticString {
        """
        00010203040506070809101112131415161718192021222324252627282930313233343536373839\
        40414243444546474849505152535455565758596061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899
        """
    }

    /// Writes the two digits of `value % 100` at `index`; the caller reserved the room. The
    /// remainder keeps the table read in bounds whatever the caller passes.
    @inline(__always)
    private func storePair(_ value: UInt64, at index: Int) {
        let offset = Int(truncatingIfNeeded: value % 100) &* 2
        let pair = UnsafeRawPointer(Self.digitPairs.utf8Start).loadUnaligned(fromByteOffset: offset, as: UInt16.self)
        UnsafeMutableRawPointer(base + index).storeBytes(of: pair, as: UInt16.self)
    }

    /// Decimal digits of `value`, without sign.
    func appendDecimal(_ value: UInt64) {
        if value < 10 {
            append(UInt8(truncatingIfNeeded: value) &+ 48)
            return
        }
        var digits = 2
        var limit: UInt64 = 100
        // Past 10^19 the next limit would overflow: UInt64.max has 20 digits.
        while value >= limit {
            digits &+= 1
            if digits == 20 { break }
            limit &*= 10
        }
        reserve(digits)
        var remaining = value
        var index = count &+ digits
        while remaining >= 100 {
            index &-= 2
            storePair(remaining, at: index)
            remaining /= 100
        }
        if remaining >= 10 {
            storePair(remaining, at: index &- 2)
        } else {
            base[index &- 1] = UInt8(truncatingIfNeeded: remaining) &+ 48
        }
        count &+= digits
    }

    /// The last `digits` decimal digits of `value`, zero-padded, without a capacity check: for
    /// fixed-width fields written after one `reserve`.
    @inline(__always)
    func storeFixed(_ value: UInt64, digits: Int) {
        var remaining = value
        var index = count &+ digits
        var left = digits
        while left >= 2 {
            index &-= 2
            storePair(remaining, at: index)
            remaining /= 100
            left &-= 2
        }
        if left == 1 { base[index &- 1] = UInt8(truncatingIfNeeded: remaining % 10) &+ 48 }
        count &+= digits
    }

    /// One byte without a capacity check, after a `reserve`.
    @inline(__always)
    func store(_ byte: UInt8) {
        base[count] = byte
        count &+= 1
    }

    /// `utf8` as a quoted JSON string (RFC 8259), escaped as `JSONEmitter` documents.
    ///
    /// Most strings are names and hex that need no escaping: they are copied sixteen, then eight
    /// bytes at a time, each word checked as it is stored (the capacity reserved first), and
    /// their last bytes as one word overlapping those already copied; a string of four to seven
    /// bytes as two overlapping halves. Only the source's own bytes are ever read. From a word
    /// that may need escaping on, and for strings under four bytes, it goes byte by byte.
    func appendJSONString(_ utf8: UnsafeBufferPointer<UInt8>) {
        let length = utf8.count
        reserve(length &+ 10)
        base[count] = UInt8(ascii: "\"")
        var out = count &+ 1
        var i = 0
        if let source = utf8.baseAddress {
            let raw = UnsafeRawPointer(source)
            let destination = UnsafeMutableRawPointer(base)
            while i &+ 16 <= length {
                let low = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                let high = raw.loadUnaligned(fromByteOffset: i &+ 8, as: UInt64.self)
                if Self.escapeMask(low) | Self.escapeMask(high) != 0 { break }
                destination.storeBytes(of: low, toByteOffset: out, as: UInt64.self)
                destination.storeBytes(of: high, toByteOffset: out &+ 8, as: UInt64.self)
                i &+= 16
                out &+= 16
            }
            while i &+ 8 <= length {
                let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                if Self.mayNeedEscape8(word) { break }
                destination.storeBytes(of: word, toByteOffset: out, as: UInt64.self)
                i &+= 8
                out &+= 8
            }
            // Fewer than eight bytes left of a string of at least eight, all checked so far: the
            // last eight bytes as one word, overlapping bytes already copied (equal ones).
            let left = length &- i
            if left > 0 && left < 8 && length >= 8 {
                let word = raw.loadUnaligned(fromByteOffset: length &- 8, as: UInt64.self)
                if !Self.mayNeedEscape8(word) {
                    destination.storeBytes(of: word, toByteOffset: out &+ left &- 8, as: UInt64.self)
                    out &+= left
                    i = length
                }
            } else if length >= 4 && length < 8 {
                // A short string (names, versions): its first and last four bytes, overlapping.
                let head = raw.loadUnaligned(as: UInt32.self)
                let tail = raw.loadUnaligned(fromByteOffset: length &- 4, as: UInt32.self)
                if Self.escapeMask(UInt64(head) | UInt64(tail) &<< 32) == 0 {
                    destination.storeBytes(of: head, toByteOffset: out, as: UInt32.self)
                    destination.storeBytes(of: tail, toByteOffset: out &+ length &- 4, as: UInt32.self)
                    out &+= length
                    i = length
                }
            }
            count = out
            while i < length {
                let byte = source[i]
                if Self.mayNeedEscape(byte) {
                    appendEscaped(UnsafeBufferPointer(start: source + i, count: length &- i))
                    break
                }
                base[count] = byte
                count &+= 1
                i &+= 1
            }
        } else {
            count = out
        }
        append(UInt8(ascii: "\""))
    }

    @inline(__always)
    static func mayNeedEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F || byte == 0xE2
    }

    /// SWAR form of `mayNeedEscape` over eight bytes, conservative: any byte below 0x20, a quote,
    /// a backslash, or anything from 0x7F up (DEL and every non-ASCII byte) answers true.
    @inline(__always)
    static func mayNeedEscape8(_ word: UInt64) -> Bool { escapeMask(word) != 0 }

    /// Non-zero when a byte of `word` may need escaping (see `mayNeedEscape8`). A byte that needs
    /// none (0x20...0x7E, not a quote or backslash) sets no high bit in any term and, having no
    /// borrow or carry to pass on, leaves its neighbours alone: a word of such bytes gives zero.
    /// Otherwise the lowest byte that may need escaping is computed exactly and sets its high
    /// bit: below 0x20 in `word - 0x20`, a quote or backslash in `(word ^ c) - 1`, 0x7F and up
    /// in `word + 1` or `word` itself.
    @inline(__always)
    static func escapeMask(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quote = (word ^ (ones &* 0x22)) &- ones
        let backslash = (word ^ (ones &* 0x5C)) &- ones
        let control = word &- ones &* 0x20
        let upper = word | (word &+ ones)
        return (quote | backslash | control | upper) & (ones &* 0x80)
    }

    private static let hexDigits: StaticString = "0123456789abcdef"

    /// The escaping path, from the first byte that may need it.
    private func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        let count = utf8.count
        var i = 0
        var runStart = 0
        let raw = UnsafeRawPointer(utf8.baseAddress)
        while i < count {
            // Text between escapes (often a single non-ASCII character in a long sentence) is
            // skipped eight bytes at a time.
            if let raw, i &+ 8 <= count, !Self.mayNeedEscape8(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) {
                i &+= 8
                continue
            }
            let byte = utf8[i]
            guard Self.mayNeedEscape(byte) else {
                i += 1
                continue
            }
            let escape: UInt8  // short escape letter; 0xFF: \u00XX; 0xFE: \u2028/9; 0: none
            var skip = 1
            switch byte {
            case 0x22: escape = 0x22
            case 0x5C: escape = 0x5C
            case 0x0A: escape = UInt8(ascii: "n")
            case 0x0D: escape = UInt8(ascii: "r")
            case 0x09: escape = UInt8(ascii: "t")
            case 0x08: escape = UInt8(ascii: "b")
            case 0x0C: escape = UInt8(ascii: "f")
            case 0xE2:
                if i + 2 < count && utf8[i + 1] == 0x80 && (utf8[i + 2] == 0xA8 || utf8[i + 2] == 0xA9) {
                    escape = 0xFE
                    skip = 3
                } else {
                    escape = 0
                }
            default: escape = 0xFF
            }
            if escape == 0 {
                i += 1
                continue
            }
            if runStart < i { append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
            append(0x5C)
            switch escape {
            case 0xFF:
                append(UInt8(ascii: "u"))
                append(0x30)
                append(0x30)
                append(Self.hexDigits.utf8Start[Int(byte >> 4)])
                append(Self.hexDigits.utf8Start[Int(byte & 0x0F)])
            case 0xFE:
                append("u202")
                append(utf8[i + 2] == 0xA8 ? UInt8(ascii: "8") : UInt8(ascii: "9"))
            default:
                append(escape)
            }
            i += skip
            runStart = i
        }
        if runStart < count { append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<count])) }
    }

    func removeAll() { count = 0 }

    var isEmpty: Bool { count == 0 }

    /// The bytes written, valid until the next write.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    var array: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// The contents as text. Callers only cut between complete JSON values, so the bytes are
    /// whole UTF-8 sequences.
    var string: String { String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self) }
}
