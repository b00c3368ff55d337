/// One thing that happened on a connection, in capture order. Diagnosis rules and the ladder
/// view read these; the JSON contract does not carry them.
public struct TimelineEvent: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A TCP segment with control flags or payload (pure ACKs are not recorded).
        case segment(flags: TCPFlags, payload: Int)
        /// A segment that repeated bytes already seen.
        case retransmission(bytes: Int)
        /// Bytes missing from the capture before this frame.
        case gap(bytes: Int)
        /// A plaintext handshake message, e.g. type 1 "ClientHello".
        case handshake(type: UInt8, name: String, length: Int)
        case changeCipherSpec
        case alert(level: UInt8, description: UInt8, encrypted: Bool)
        /// A record whose content is encrypted: application_data (23), or handshake after CCS.
        /// `decryptedType` is the inner content type when a key log revealed it.
        case encryptedRecord(contentType: UInt8, length: Int, decryptedType: UInt8?)
        /// Plain bytes before TLS (STARTTLS dialogue) or not TLS at all.
        case plaintext(bytes: Int)
    }
    public var frame: Int
    public var time: Timestamp
    public var from: Side
    public var kind: Kind
    public init(frame: Int, time: Timestamp, from: Side, kind: Kind) {
        self.frame = frame
        self.time = time
        self.from = from
        self.kind = kind
    }
}

/// A connection's events, bounded: the first `headLimit` events are kept in full and after
/// that only the latest `tailLimit`, so a bulk transfer cannot grow memory without bound.
public struct Timeline: Sendable {
    public static let headLimit = 400
    public static let tailLimit = 100

    public private(set) var head: [TimelineEvent] = []
    private var tail: [TimelineEvent] = []
    private var tailStart = 0
    /// Events dropped between head and tail.
    public private(set) var elided = 0

    public init() {}

    /// Most connections record a few dozen events: once one has shown it is more than a stray
    /// SYN (`reserveAt` events), room for them is reserved at once instead of doubling up to it.
    /// Not at the first event: a flood of half-open connections would then cost 1.7 KiB each.
    static let initialCapacity = 32
    static let reserveAt = 4

    /// The event is taken, not borrowed: it holds a string (handshake names), so a borrowed one
    /// would be copied in and the caller's destroyed again.
    public mutating func append(_ event: consuming TimelineEvent) {
        if head.count < Self.headLimit {
            if head.count == Self.reserveAt, head.capacity < Self.initialCapacity {
                head.reserveCapacity(Self.initialCapacity)
            }
            head.append(event)
            return
        }
        if tail.count < Self.tailLimit {
            tail.append(event)
        } else {
            tail[tailStart] = event
            tailStart = (tailStart + 1) % Self.tailLimit
            elided += 1
        }
    }

    /// The retained events in order; `elided` events are missing between head and tail.
    public var events: [TimelineEvent] {
        // Most connections never reach the tail: hand out the stored array, not a copy.
        if tail.isEmpty { return head }
        return head + tail[tailStart...] + tail[..<tailStart]
    }

    public var isEmpty: Bool { head.isEmpty }
}
