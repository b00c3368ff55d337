import WireBasics

/// Why a decoder rejected its input. Offsets are counted from the start of the outermost
/// buffer the reader was created over (usually the handshake body), so a message can point
/// a user at the exact byte.
public struct DecodeError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The field needed `needed` bytes but only `available` were left.
        case truncated(needed: Int, available: Int)
        /// A length prefix announced more bytes than the enclosing structure holds.
        case lengthOverrun(declared: Int, available: Int)
        /// Bytes were left over after the last field of a structure.
        case trailingBytes(count: Int)
        /// A vector that must not be empty was empty.
        case empty
        /// A vector length that is not a multiple of its element size, or otherwise illegal.
        case invalidLength(Int)
        /// A value that the protocol forbids in this position.
        case invalidValue(String)
        /// A message larger than the configured limit.
        case tooLarge(size: Int, limit: Int)
    }

    public var field: String
    public var offset: Int
    public var kind: Kind

    public init(field: String, offset: Int, kind: Kind) {
        self.field = field
        self.offset = offset
        self.kind = kind
    }

    public var description: String {
        let what: String
        switch kind {
        case .truncated(let needed, let available):
            what = "needs \(needed) bytes but only \(available) remain"
        case .lengthOverrun(let declared, let available):
            what = "declares length \(declared) but only \(available) bytes follow"
        case .trailingBytes(let count):
            what = "is followed by \(count) unexpected trailing bytes"
        case .empty:
            what = "is empty, which the protocol forbids"
        case .invalidLength(let length):
            what = "has invalid length \(length)"
        case .invalidValue(let detail):
            what = "has an invalid value: \(detail)"
        case .tooLarge(let size, let limit):
            what = "is \(size) bytes, over the \(limit)-byte limit"
        }
        return "\(field) at offset \(offset) \(what)"
    }
}

/// A bounds-checked cursor. Every read either succeeds or throws; nothing traps.
///
/// Field names are autoclosures: they only name a field in an error, so nothing is formatted
/// unless a read fails (a parse touches hundreds of fields and almost never fails).
/// The reader is an index pair over one shared slice, so sub-readers and reads move integers
/// rather than making new slices.
public struct ByteReader: Sendable {
    private let base: ArraySlice<UInt8>
    /// Index in `base` of the next byte.
    private var position: Int
    /// Index in `base` one past the last byte this reader may read.
    private let end: Int
    /// Offset of `base.startIndex` within the outermost buffer, for error messages.
    private let origin: Int

    public init(_ bytes: ArraySlice<UInt8>, baseOffset: Int = 0) {
        self.base = bytes
        self.position = bytes.startIndex
        self.end = bytes.endIndex
        self.origin = baseOffset
    }

    public init(_ bytes: [UInt8]) {
        self.init(bytes[...])
    }

    private init(base: ArraySlice<UInt8>, position: Int, end: Int, origin: Int) {
        self.base = base
        self.position = position
        self.end = end
        self.origin = origin
    }

    /// The bytes not read yet.
    public var bytes: ArraySlice<UInt8> { base[position..<end] }
    /// Position of the next byte, relative to the outermost buffer.
    public var offset: Int { origin &+ (position &- base.startIndex) }
    public var remaining: Int { end &- position }
    public var isAtEnd: Bool { position == end }

    public func peekUInt8() -> UInt8? { isAtEnd ? nil : base[position] }

    private func truncated(_ count: Int, _ field: () -> String) -> DecodeError {
        DecodeError(field: field(), offset: offset, kind: .truncated(needed: count, available: remaining))
    }

    public mutating func readUInt8(_ field: @autoclosure () -> String) throws(DecodeError) -> UInt8 {
        guard remaining >= 1 else { throw truncated(1, field) }
        let value = base[position]
        position &+= 1
        return value
    }

    public mutating func readUInt16(_ field: @autoclosure () -> String) throws(DecodeError) -> UInt16 {
        guard remaining >= 2 else { throw truncated(2, field) }
        let i = position
        position &+= 2
        return UInt16(base[i]) << 8 | UInt16(base[i &+ 1])
    }

    public mutating func readUInt24(_ field: @autoclosure () -> String) throws(DecodeError) -> UInt32 {
        guard remaining >= 3 else { throw truncated(3, field) }
        let i = position
        position &+= 3
        return UInt32(base[i]) << 16 | UInt32(base[i &+ 1]) << 8 | UInt32(base[i &+ 2])
    }

    public mutating func readUInt32(_ field: @autoclosure () -> String) throws(DecodeError) -> UInt32 {
        guard remaining >= 4 else { throw truncated(4, field) }
        let i = position
        position &+= 4
        return UInt32(base[i]) << 24 | UInt32(base[i &+ 1]) << 16 | UInt32(base[i &+ 2]) << 8 | UInt32(base[i &+ 3])
    }

    public mutating func readBytes(_ count: Int, _ field: @autoclosure () -> String) throws(DecodeError)
        -> ArraySlice<UInt8>
    {
        guard count >= 0, count <= remaining else { throw truncated(count, field) }
        let start = position
        position &+= count
        return base[start..<position]
    }

    public mutating func readRest() -> ArraySlice<UInt8> {
        let start = position
        position = end
        return base[start..<end]
    }

    /// Reads a `lengthBytes`-byte big-endian length and then that many bytes, returned as a
    /// reader that keeps offsets relative to the same outermost buffer.
    public mutating func readLengthPrefixed(lengthBytes: Int, _ field: @autoclosure () -> String)
        throws(DecodeError) -> ByteReader
    {
        let start = offset
        let length: Int
        switch lengthBytes {
        case 1: length = Int(try readUInt8("\(field()) length"))
        case 2: length = Int(try readUInt16("\(field()) length"))
        case 3: length = Int(try readUInt24("\(field()) length"))
        default:
            throw DecodeError(
                field: field(), offset: start, kind: .invalidValue("length prefix of \(lengthBytes) bytes"))
        }
        guard length <= remaining else {
            throw DecodeError(
                field: field(), offset: start, kind: .lengthOverrun(declared: length, available: remaining))
        }
        let sub = ByteReader(base: base, position: position, end: position &+ length, origin: origin)
        position &+= length
        return sub
    }

    /// `readLengthPrefixed(lengthBytes: 2, field)` for when only the bytes are wanted: they
    /// come back as a slice with their offset, without a sub-reader. Same checks, same errors.
    public mutating func readUInt16LengthPrefixedBytes(_ field: @autoclosure () -> String)
        throws(DecodeError) -> (bytes: ArraySlice<UInt8>, offset: Int)
    {
        let start = offset
        let length = Int(try readUInt16("\(field()) length"))
        guard length <= remaining else {
            throw DecodeError(
                field: field(), offset: start, kind: .lengthOverrun(declared: length, available: remaining))
        }
        let dataOffset = offset
        let first = position
        position &+= length
        return (base[first..<position], dataOffset)
    }

    /// Like `readLengthPrefixed` but for vectors the RFC declares `<1..2^n-1>`.
    public mutating func readNonEmptyLengthPrefixed(lengthBytes: Int, _ field: @autoclosure () -> String)
        throws(DecodeError) -> ByteReader
    {
        let start = offset
        let sub = try readLengthPrefixed(lengthBytes: lengthBytes, field())
        if sub.isAtEnd { throw DecodeError(field: field(), offset: start, kind: .empty) }
        return sub
    }

    /// Reads a vector of UInt16 values (cipher suites, groups, signature schemes...).
    public mutating func readUInt16Vector(
        lengthBytes: Int, _ field: @autoclosure () -> String, allowEmpty: Bool = true
    ) throws(DecodeError) -> [UInt16] {
        uint16Values(try readUInt16VectorBytes(lengthBytes: lengthBytes, field(), allowEmpty: allowEmpty))
    }

    /// `readUInt16Vector`'s bytes as sent (big-endian pairs), same checks, same errors: for a
    /// vector kept whole, such as the cipher suites of every ClientHello, whose values are
    /// rarely needed one by one.
    public mutating func readUInt16VectorBytes(
        lengthBytes: Int, _ field: @autoclosure () -> String, allowEmpty: Bool = true
    ) throws(DecodeError) -> ArraySlice<UInt8> {
        let start = offset
        var sub = try readLengthPrefixed(lengthBytes: lengthBytes, field())
        if sub.remaining % 2 != 0 {
            throw DecodeError(field: field(), offset: start, kind: .invalidLength(sub.remaining))
        }
        if !allowEmpty && sub.isAtEnd { throw DecodeError(field: field(), offset: start, kind: .empty) }
        return sub.readRest()
    }

    /// Throws when bytes remain: structures in TLS have no room for trailing garbage.
    public func expectEnd(_ field: @autoclosure () -> String) throws(DecodeError) {
        if !isAtEnd {
            throw DecodeError(field: field(), offset: offset, kind: .trailingBytes(count: remaining))
        }
    }
}

/// Big-endian 16-bit values of `bytes` (a trailing odd byte is ignored), decoded in one pass
/// over contiguous memory rather than a checked read per value.
public func uint16Values(_ bytes: ArraySlice<UInt8>) -> [UInt16] {
    let count = bytes.count / 2
    return [UInt16](unsafeUninitializedCapacity: count) { out, initialized in
        bytes.withUnsafeBufferPointer { source in
            var i = 0
            for k in 0..<count {
                out[k] = UInt16(source[i]) << 8 | UInt16(source[i &+ 1])
                i &+= 2
            }
        }
        initialized = count
    }
}

extension Sequence where Element == UInt8 {
    /// Lowercase hex without separators, as the JSON contract prints byte strings.
    public var hexString: String { WireBasics.hexString(self) }
}

/// "0x1a2b": how unnamed code points are printed.
func hex4(_ value: UInt16) -> String {
    let s = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 4 - s.count)) + s
}

/// "1a2b": the bare form fingerprints use.
func bareHex4(_ value: UInt16) -> String {
    let s = String(value, radix: 16)
    return String(repeating: "0", count: max(0, 4 - s.count)) + s
}

/// GREASE (RFC 8701): 0x?a?a with both bytes equal.
public func isGREASE(_ value: UInt16) -> Bool {
    (value & 0x0f0f) == 0x0a0a && (value >> 8) == (value & 0xff)
}
