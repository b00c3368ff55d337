import TLSFlowModel

/// A connection's compact JSON without its head: the members after `"id":N` and the closing
/// brace. The id is the one thing only the ordered output knows; everything else can be
/// rendered on the thread that analysed the connection, which then frees the model values it
/// built instead of handing them to the writer's thread.
public struct RenderedConnection: Sendable {
    let tail: [UInt8]
    /// The timestamp precision it was rendered with: the writer's must be the same.
    let nanoseconds: Bool

    /// Bytes of JSON text.
    public var count: Int { tail.count }
}

/// Renders connections for `JSONReportWriter.connection(_:id:)`; one per thread. The output is
/// byte for byte what the writer renders itself from the `Connection` with the same id, in
/// compact JSON (a pretty document is rendered by the writer).
public struct ConnectionRenderer {
    private var scratch: JSONEmitter
    private let nanoseconds: Bool

    /// `nanoseconds`: the capture's timestamp precision, as given to `beginCapture`.
    public init(nanoseconds: Bool) {
        self.nanoseconds = nanoseconds
        scratch = JSONEmitter(pretty: false, capacity: 16 << 10)
        // Inside one connection object for good: each render continues after its id member.
        scratch.beginObject()
        scratch.drainBytes { _ in }
    }

    public mutating func render(_ connection: Connection) -> RenderedConnection {
        scratch.noteElementsWrittenElsewhere()
        scratch.connectionFields(connection, nanoseconds: nanoseconds)
        return RenderedConnection(tail: scratch.takeBytes(appending: UInt8(ascii: "}")), nanoseconds: nanoseconds)
    }
}

extension JSONEmitter {
    /// Ends the object begun by the caller with a rendered tail (its remaining members and the
    /// closing brace), as `endObject` would in compact output.
    mutating func endObject(renderedTail tail: [UInt8]) {
        precondition(!pretty, "rendered connections are compact JSON")
        appendRaw(tail)
        closedElsewhere()
    }
}
