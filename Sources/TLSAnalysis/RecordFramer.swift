import TLSWire

/// A TLS record cut from one direction's byte stream.
struct FramedRecord {
    var contentType: UInt8
    var version: UInt16
    var length: Int
    /// The record body, present only when the framer was asked to keep it.
    var body: [UInt8]
}

/// Cuts one direction's reassembled bytes into TLS records.
///
/// Bodies are copied only for records whose content the analyser needs (handshake, alerts, or
/// records to decrypt); application data is counted and skipped, so memory does not grow with
/// the transfer.
struct RecordFramer {
    private var header: [UInt8] = []
    private var body: [UInt8] = []
    private var current: (type: UInt8, version: UInt16, length: Int)?
    private var remaining = 0
    private var keepBody = false

    init() {
        header.reserveCapacity(5)
    }

    /// True between records (nothing partially read).
    var atRecordBoundary: Bool { header.isEmpty && current == nil }

    /// Forgets a partial record (after a gap: its remaining bytes will never arrive).
    mutating func reset() {
        header.removeAll(keepingCapacity: true)
        body.removeAll(keepingCapacity: true)
        current = nil
        remaining = 0
    }

    enum Step {
        case record(FramedRecord)
        case invalidHeader([UInt8], problem: String)
        case needMoreData
    }

    /// Consumes bytes from `input` until one record completes, the input runs out, or a header is
    /// not TLS. `wantsBody` decides per record header whether the body is kept.
    mutating func next(
        _ input: inout UnsafeRawBufferPointer, wantsBody: (UInt8, Int) -> Bool
    ) -> Step {
        while !input.isEmpty {
            if current == nil {
                let take = min(5 - header.count, input.count)
                header.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[..<take]))
                input = UnsafeRawBufferPointer(rebasing: input[take...])
                guard header.count == 5 else { return .needMoreData }
                switch TLSRecordHeader.parse(header[...]) {
                case .record(let parsed):
                    current = (parsed.contentType.rawValue, parsed.version.rawValue, parsed.length)
                    remaining = parsed.length
                    keepBody = wantsBody(parsed.contentType.rawValue, parsed.length)
                    body.removeAll(keepingCapacity: true)
                    if keepBody { body.reserveCapacity(parsed.length) }
                case .notTLS(let reason):
                    let bad = header
                    header.removeAll(keepingCapacity: true)
                    return .invalidHeader(bad, problem: reason)
                case .needMoreData:
                    return .needMoreData
                }
            }
            if remaining > 0 {
                let take = min(remaining, input.count)
                if keepBody { body.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[..<take])) }
                input = UnsafeRawBufferPointer(rebasing: input[take...])
                remaining -= take
            }
            if remaining == 0, let record = current {
                let framed = FramedRecord(
                    contentType: record.type, version: record.version, length: record.length,
                    body: keepBody ? body : [])
                header.removeAll(keepingCapacity: true)
                current = nil
                return .record(framed)
            }
        }
        return .needMoreData
    }
}
