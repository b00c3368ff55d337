/// An extension list as sent (RFC 8446 4.2: `Extension extensions<..>`), kept as its bytes and
/// walked in place. A ClientHello is read on every connection and usually asked for a handful
/// of its extensions: building a `TLSExtension` for each of its 10-20 entries (each holding a
/// reference to the message) cost more than the rest of the decoding.
public struct ExtensionBlock: Sendable, Hashable, Sequence {
    /// The entries' bytes (after the list's length), a slice of the message.
    public let bytes: ArraySlice<UInt8>
    /// Offset of `bytes` within the message body, for the entries' `dataOffset`.
    public let offset: Int

    /// No extensions.
    public static let empty = ExtensionBlock(bytes: [], offset: 0)

    /// `bytes` must have passed `entryCount` (or the checked walk in `readExtensions`).
    init(bytes: ArraySlice<UInt8>, offset: Int) {
        self.bytes = bytes
        self.offset = offset
    }

    /// One entry: its type and where its data lies (indices of `bytes`).
    public struct Entry: Sendable {
        public let type: ExtensionType
        public let data: Range<Int>

        @inlinable
        init(type: ExtensionType, data: Range<Int>) {
            self.type = type
            self.data = data
        }
    }

    /// Inlinable, as the rest of the walk: it runs in the analyser's per-connection loops.
    public struct Iterator: IteratorProtocol {
        @usableFromInline let bytes: ArraySlice<UInt8>
        @usableFromInline var position: Int

        @inlinable
        init(bytes: ArraySlice<UInt8>, position: Int) {
            self.bytes = bytes
            self.position = position
        }

        @inlinable
        public mutating func next() -> Entry? {
            // The block was checked when read; the reads stay checked all the same, and an
            // incomplete entry ends the walk.
            guard bytes.endIndex &- position >= 4 else { return nil }
            let type = UInt16(bytes[position]) << 8 | UInt16(bytes[position &+ 1])
            let length = Int(bytes[position &+ 2]) << 8 | Int(bytes[position &+ 3])
            let first = position &+ 4
            guard bytes.endIndex &- first >= length else { return nil }
            position = first &+ length
            return Entry(type: ExtensionType(type), data: first..<position)
        }
    }

    @inlinable
    public func makeIterator() -> Iterator { Iterator(bytes: bytes, position: bytes.startIndex) }

    /// Calls `body` with each entry in order, like iterating, in one pass over the raw bytes
    /// (for the analyser's per-connection walks; each length is checked against what remains
    /// before it is used, and an incomplete entry ends the walk as it ends the iterator).
    @inlinable
    public func forEachEntry(_ body: (Entry) -> Void) {
        let base = bytes.startIndex
        bytes.withUnsafeBufferPointer { raw in
            var i = 0
            while raw.count &- i >= 4 {
                let type = UInt16(raw[i]) << 8 | UInt16(raw[i &+ 1])
                let length = Int(raw[i &+ 2]) << 8 | Int(raw[i &+ 3])
                let first = i &+ 4
                guard raw.count &- first >= length else { return }
                i = first &+ length
                body(Entry(type: ExtensionType(type), data: (base &+ first)..<(base &+ i)))
            }
        }
    }

    /// The entry as a `TLSExtension` (its data a slice of the message).
    @inlinable
    public func `extension`(_ entry: Entry) -> TLSExtension {
        TLSExtension(
            type: entry.type, body: bytes[entry.data], dataOffset: offset &+ (entry.data.lowerBound &- bytes.startIndex)
        )
    }

    /// Every entry, in order.
    public var list: [TLSExtension] {
        var out: [TLSExtension] = []
        out.reserveCapacity(Self.entryCount(bytes) ?? 0)
        for entry in self { out.append(`extension`(entry)) }
        return out
    }

    public var count: Int { reduce(0) { count, _ in count &+ 1 } }

    /// The first extension of `type`.
    @inlinable
    public func first(_ type: ExtensionType) -> TLSExtension? {
        for entry in self where entry.type.rawValue == type.rawValue { return `extension`(entry) }
        return nil
    }

    @inlinable
    public func contains(_ type: ExtensionType) -> Bool {
        contains { $0.type.rawValue == type.rawValue }
    }

    /// How many entries `bytes` holds when every one is complete (a 16-bit type, a 16-bit
    /// length and that many bytes); nil otherwise. One pass over the raw bytes.
    static func entryCount(_ bytes: ArraySlice<UInt8>) -> Int? {
        bytes.withUnsafeBufferPointer { bytes -> Int? in
            var i = 0
            var count = 0
            while i != bytes.count {
                guard bytes.count &- i >= 4 else { return nil }
                let length = Int(bytes[i &+ 2]) << 8 | Int(bytes[i &+ 3])
                guard bytes.count &- i &- 4 >= length else { return nil }
                i &+= 4 &+ length
                count &+= 1
            }
            return count
        }
    }
}
