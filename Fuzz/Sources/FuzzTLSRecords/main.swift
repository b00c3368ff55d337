import FuzzDriver
import TLSWire

// One direction of a TLS stream: cut into records (in pieces whose sizes come from the input,
// so partial records are exercised), handshake records reassembled into messages, every
// message decoded. The first byte chooses the piece size; the SSLv2 decoders see the same bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    guard let start, count >= 1 else { return 0 }
    let input = Array(UnsafeRawBufferPointer(start: start, count: count))
    let piece = max(1, Int(input[0]))
    let stream = input[1...]

    _ = TLSRecordHeader.parse(stream)
    if case .record(let header) = SSLv2.parseHeader(stream) {
        // The message with and without its type byte: both layouts are in use by callers.
        for skip in [header.headerLength, header.headerLength + 1] where stream.startIndex + skip <= stream.endIndex {
            let body = stream[(stream.startIndex + skip)...]
            _ = try? ClientHello(sslv2Message: body)
            _ = try? SSLv2.ServerHello(parsing: body)
        }
    }

    var reader = TLSRecordReader()
    var handshake = HandshakeReassembler(maxMessageSize: 1 << 16)
    var version: ProtocolVersion?
    var suite: CipherSuite?
    var position = stream.startIndex
    while position < stream.endIndex {
        let end = min(stream.endIndex, position + piece)
        for output in reader.append(stream[position..<end]) {
            guard case .record(let record) = output, record.header.contentType == .handshake else { continue }
            for out in handshake.append(record.fragment) {
                guard case .message(let message) = out else { continue }
                guard let decoded = try? message.decode(version: version, cipherSuite: suite) else { continue }
                if case .serverHello(let hello) = decoded {
                    version = hello.negotiatedVersion
                    suite = hello.cipherSuite
                }
            }
        }
        position = end
    }
    return 0
}

@_cdecl("FuzzTLSRecords_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzOne(data, size) }
}
