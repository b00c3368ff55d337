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

    // No capacity is reserved up front: headers are usually read in place (`plausibleHeader`),
    // and most connections never need the buffer.
    init() {}

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
            if current == nil, header.isEmpty, input.count >= TLSRecordHeader.size,
                let parsed = Self.plausibleHeader(input)
            {
                // Usual case: the whole header is in the input and valid; read it in place.
                // Anything else goes through the buffered path below, which names the problem.
                input = UnsafeRawBufferPointer(rebasing: input[TLSRecordHeader.size...])
                begin(type: parsed.type, version: parsed.version, length: parsed.length, wantsBody: wantsBody)
            }
            if current == nil {
                let take = min(5 - header.count, input.count)
                header.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[..<take]))
                input = UnsafeRawBufferPointer(rebasing: input[take...])
                guard header.count == 5 else { return .needMoreData }
                switch TLSRecordHeader.parse(header[...]) {
                case .record(let parsed):
                    header.removeAll(keepingCapacity: true)
                    begin(
                        type: parsed.contentType.rawValue, version: parsed.version.rawValue, length: parsed.length,
                        wantsBody: wantsBody)
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
                // The body is handed over, not shared: the handshake reassembler keeps slices of
                // it, so a shared buffer would be copied when the next record reuses it.
                var kept: [UInt8] = []
                if keepBody { swap(&kept, &body) }
                let framed = FramedRecord(
                    contentType: record.type, version: record.version, length: record.length, body: kept)
                current = nil
                return .record(framed)
            }
        }
        return .needMoreData
    }

    private mutating func begin(type: UInt8, version: UInt16, length: Int, wantsBody: (UInt8, Int) -> Bool) {
        current = (type, version, length)
        remaining = length
        keepBody = wantsBody(type, length)
        // Guarded: emptying an empty array still costs a call into the array's range replacement.
        if !body.isEmpty { body.removeAll(keepingCapacity: true) }
        // Sized once for the whole body (the previous one was handed over with its buffer).
        if keepBody { body.reserveCapacity(length) }
    }

    /// The header at the start of `input` when it passes every check `TLSRecordHeader.parse`
    /// makes (type 20-24, version 3.0-3.4, length within the ciphertext limit); nil otherwise.
    private static func plausibleHeader(_ input: UnsafeRawBufferPointer) -> (
        type: UInt8, version: UInt16, length: Int
    )? {
        let type = input[0]
        let major = input[1]
        let minor = input[2]
        let length = Int(input[3]) << 8 | Int(input[4])
        guard (20...24).contains(type), major == 3, minor <= 4, length <= TLSRecordHeader.maxLength else { return nil }
        return (type, UInt16(major) << 8 | UInt16(minor), length)
    }
}
