/// One complete handshake message (RFC 8446 4: Handshake struct).
public struct HandshakeMessage: Sendable, Hashable {
    public var type: HandshakeType
    /// The message body: a slice of the bytes it was cut from (usually the record), so that
    /// reassembly does not copy every message.
    public var body: ArraySlice<UInt8>
    /// Offset of the message's 4-byte header within all handshake bytes fed to the reassembler.
    public var streamOffset: Int

    public init(type: HandshakeType, body: ArraySlice<UInt8>, streamOffset: Int = 0) {
        self.type = type
        self.body = body
        self.streamOffset = streamOffset
    }

    public init(type: HandshakeType, body: [UInt8], streamOffset: Int = 0) {
        self.init(type: type, body: body[...], streamOffset: streamOffset)
    }

    /// The message as it is hashed into the transcript: header plus body.
    public var encoded: [UInt8] {
        let n = body.count
        return [
            type.rawValue, UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 8),
            UInt8(truncatingIfNeeded: n),
        ] + body
    }
}

/// Rebuilds handshake messages from the payloads of consecutive plaintext handshake records
/// (RFC 8446 5.1: messages may be split across records and several may share one).
/// Pure and incremental: feed payloads in order, collect whatever completed.
public struct HandshakeReassembler: Sendable {
    public enum Output: Sendable, Hashable {
        case message(HandshakeMessage)
        /// A message declared a length over the limit. Its bytes are skipped, not buffered,
        /// so that the following messages still line up.
        case malformed(DecodeError)
    }

    public let maxMessageSize: Int
    /// Bytes of a message that has not completed yet; `buffer[..<bufferStart]` are cut already.
    private var buffer: [UInt8] = []
    private var bufferStart = 0
    /// The rest of the latest fragment, read in place while `buffer` is empty (the usual case:
    /// a fragment starts at a message boundary, so its messages are slices of it).
    private var fragment: ArraySlice<UInt8> = []
    /// Bytes still to discard from an oversized message.
    private var skipping = 0
    /// Stream offset of the first byte not cut yet.
    private var bufferOffset = 0
    public private(set) var totalBytes = 0

    public init(maxMessageSize: Int = 1 << 20) {
        self.maxMessageSize = maxMessageSize
    }

    /// Bytes held for a message that has not completed yet.
    public var bufferedBytes: Int { buffer.count &- bufferStart &+ fragment.count }
    public var hasPartialMessage: Bool { bufferedBytes > 0 || skipping > 0 }

    public mutating func append(_ fragment: [UInt8]) -> [Output] { append(fragment[...]) }

    /// Feeds `fragment` and returns every output it completed.
    public mutating func append(_ fragment: ArraySlice<UInt8>) -> [Output] {
        feed(fragment)
        var outputs: [Output] = []
        while let output = next() { outputs.append(output) }
        return outputs
    }

    /// Feeds the next fragment; then call `next()` until it returns nil. Pulling the outputs one
    /// at a time spares an array per record.
    public mutating func feed(_ fragment: ArraySlice<UInt8>) {
        var input = fragment
        totalBytes &+= input.count
        if skipping > 0 {
            let n = min(skipping, input.count)
            skipping -= n
            bufferOffset &+= n
            input = input.dropFirst(n)
        }
        if buffer.isEmpty && self.fragment.isEmpty {
            self.fragment = input
        } else {
            // Outputs not pulled before this feed stay in order ahead of the new bytes.
            if !self.fragment.isEmpty {
                buffer.append(contentsOf: self.fragment)
                self.fragment = []
            }
            buffer.append(contentsOf: input)
        }
    }

    /// The next complete message (or oversize report) from the bytes fed so far; nil when the
    /// rest is an incomplete message, which is then kept for the following fragments.
    public mutating func next() -> Output? {
        if buffer.isEmpty {
            guard let (output, consumed) = cutMessage(from: fragment) else {
                // A partial message is copied out: the fragment's storage is the caller's.
                // Dropped even when empty: its storage is the caller's, who may reuse it.
                if !fragment.isEmpty { buffer.append(contentsOf: fragment) }
                fragment = []
                return nil
            }
            fragment = fragment[(fragment.startIndex &+ consumed)...]
            return output
        }
        guard let (output, consumed) = cutMessage(from: buffer[bufferStart...]) else {
            buffer.removeFirst(bufferStart)
            bufferStart = 0
            return nil
        }
        bufferStart &+= consumed
        return output
    }

    /// The message at the front of `bytes` (which start at stream offset `bufferOffset`) and the
    /// bytes it took, or nil when it is not complete. An oversized message is reported and its
    /// bytes skipped, including any still to come.
    private mutating func cutMessage(from bytes: ArraySlice<UInt8>) -> (Output, Int)? {
        let position = bytes.startIndex
        guard bytes.endIndex - position >= 4 else { return nil }
        let type = bytes[position]
        let length = Int(bytes[position + 1]) << 16 | Int(bytes[position + 2]) << 8 | Int(bytes[position + 3])
        let messageOffset = bufferOffset
        if length > maxMessageSize {
            let available = bytes.endIndex - position - 4
            let skipNow = min(length, available)
            skipping = length - skipNow
            bufferOffset &+= 4 + skipNow
            let error = DecodeError(
                field: "\(HandshakeType(type).displayName) message length", offset: messageOffset,
                kind: .tooLarge(size: length, limit: maxMessageSize))
            return (.malformed(error), 4 + skipNow)
        }
        guard bytes.endIndex - position - 4 >= length else { return nil }
        let body = bytes[(position + 4)..<(position + 4 + length)]
        bufferOffset &+= 4 + length
        return (
            .message(HandshakeMessage(type: HandshakeType(type), body: body, streamOffset: messageOffset)), 4 + length
        )
    }

    /// Forget any partial message (e.g. when the stream switches to encrypted records).
    public mutating func reset() {
        bufferOffset &+= bufferedBytes &+ skipping
        buffer.removeAll()
        bufferStart = 0
        fragment = []
        skipping = 0
    }
}
