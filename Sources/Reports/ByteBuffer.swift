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

    /// `"name":` (and a space when pretty) in one capacity check: keys are the most frequent write.
    func appendKey(_ name: StaticString, space: Bool) {
        let length = name.utf8CodeUnitCount
        reserve(length &+ 4)
        base[count] = UInt8(ascii: "\"")
        (base + (count &+ 1)).update(from: name.utf8Start, count: length)
        var end = count &+ 1 &+ length
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

    /// Decimal digits of `value`, without sign.
    func appendDecimal(_ value: UInt64) {
        var digits = 1
        var rest = value
        while rest >= 10 {
            rest /= 10
            digits &+= 1
        }
        reserve(digits)
        var remaining = value
        var index = count &+ digits &- 1
        for _ in 0..<digits {
            base[index] = UInt8(truncatingIfNeeded: remaining % 10) &+ 48
            remaining /= 10
            index &-= 1
        }
        count &+= digits
    }

    func removeAll() { count = 0 }

    var isEmpty: Bool { count == 0 }

    var array: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// The contents as text. Callers only cut between complete JSON values, so the bytes are
    /// whole UTF-8 sequences.
    var string: String { String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self) }
}
