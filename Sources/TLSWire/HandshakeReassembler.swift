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
    private var buffer: [UInt8] = []
    /// Bytes still to discard from an oversized message.
    private var skipping = 0
    /// Stream offset of `buffer[0]`.
    private var bufferOffset = 0
    public private(set) var totalBytes = 0

    public init(maxMessageSize: Int = 1 << 20) {
        self.maxMessageSize = maxMessageSize
    }

    /// Bytes held for a message that has not completed yet.
    public var bufferedBytes: Int { buffer.count }
    public var hasPartialMessage: Bool { !buffer.isEmpty || skipping > 0 }

    public mutating func append(_ fragment: [UInt8]) -> [Output] { append(fragment[...]) }

    public mutating func append(_ fragment: ArraySlice<UInt8>) -> [Output] {
        var input = fragment
        totalBytes &+= fragment.count
        if skipping > 0 {
            let n = min(skipping, input.count)
            skipping -= n
            bufferOffset &+= n
            input = input.dropFirst(n)
        }
        var outputs: [Output] = []
        if buffer.isEmpty {
            // Usual case: the fragment starts at a message boundary, so whole messages are cut
            // straight from it and only a trailing partial message is buffered.
            let consumed = cutMessages(from: input, into: &outputs)
            buffer.append(contentsOf: input.dropFirst(consumed))
            bufferOffset &+= consumed
            return outputs
        }
        buffer.append(contentsOf: input)
        let consumed = cutMessages(from: buffer[...], into: &outputs)
        if consumed > 0 {
            buffer.removeFirst(consumed)
            bufferOffset &+= consumed
        }
        return outputs
    }

    /// Appends every complete message at the front of `bytes` (which start at stream offset
    /// `bufferOffset`) to `outputs`; returns how many bytes they took. An oversized message is
    /// reported and its bytes skipped, including any still to come.
    private mutating func cutMessages(from bytes: ArraySlice<UInt8>, into outputs: inout [Output]) -> Int {
        let start = bytes.startIndex
        var position = start
        while bytes.endIndex - position >= 4 {
            let type = bytes[position]
            let length =
                Int(bytes[position + 1]) << 16 | Int(bytes[position + 2]) << 8 | Int(bytes[position + 3])
            let messageOffset = bufferOffset &+ (position - start)
            if length > maxMessageSize {
                outputs.append(
                    .malformed(
                        DecodeError(
                            field: "\(HandshakeType(type).displayName) message length", offset: messageOffset,
                            kind: .tooLarge(size: length, limit: maxMessageSize))))
                let available = bytes.endIndex - position - 4
                let skipNow = min(length, available)
                position += 4 + skipNow
                skipping = length - skipNow
                continue
            }
            guard bytes.endIndex - position - 4 >= length else { break }
            let body = bytes[(position + 4)..<(position + 4 + length)]
            outputs.append(
                .message(HandshakeMessage(type: HandshakeType(type), body: body, streamOffset: messageOffset)))
            position += 4 + length
        }
        return position - start
    }

    /// Forget any partial message (e.g. when the stream switches to encrypted records).
    public mutating func reset() {
        bufferOffset &+= buffer.count &+ skipping
        buffer.removeAll()
        skipping = 0
    }
}
