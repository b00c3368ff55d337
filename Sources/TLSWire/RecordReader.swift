/// One record cut from a byte stream.
public struct TLSRecord: Sendable, Hashable {
    public var header: TLSRecordHeader
    public var fragment: [UInt8]
    /// Offset of the record header within all bytes fed to the reader.
    public var streamOffset: Int

    public init(header: TLSRecordHeader, fragment: [UInt8], streamOffset: Int) {
        self.header = header
        self.fragment = fragment
        self.streamOffset = streamOffset
    }
}

/// Cuts one direction of a TCP stream into TLS records, incrementally. It holds at most one
/// incomplete record, so memory stays bounded by the record size limit. After bytes that
/// cannot be TLS it stops: there is no reliable way to find the next record boundary.
public struct TLSRecordReader: Sendable {
    public enum Output: Sendable, Hashable {
        case record(TLSRecord)
        case notTLS(streamOffset: Int, reason: String)
    }

    private var buffer: [UInt8] = []
    private var bufferOffset = 0
    public private(set) var stopped = false

    public init() {}

    public var bufferedBytes: Int { buffer.count }

    public mutating func append(_ bytes: [UInt8]) -> [Output] { append(bytes[...]) }

    public mutating func append(_ bytes: ArraySlice<UInt8>) -> [Output] {
        guard !stopped else { return [] }
        buffer.append(contentsOf: bytes)
        var outputs: [Output] = []
        var position = 0
        parsing: while position < buffer.count {
            switch TLSRecordHeader.parse(buffer[position...]) {
            case .needMoreData:
                break parsing
            case .notTLS(let reason):
                outputs.append(.notTLS(streamOffset: bufferOffset &+ position, reason: reason))
                stopped = true
                buffer.removeAll()
                return outputs
            case .record(let header):
                let start = position + TLSRecordHeader.size
                guard buffer.count - start >= header.length else { break parsing }
                let fragment = Array(buffer[start..<(start + header.length)])
                outputs.append(
                    .record(TLSRecord(header: header, fragment: fragment, streamOffset: bufferOffset &+ position)))
                position = start + header.length
            }
        }
        if position > 0 {
            buffer.removeFirst(position)
            bufferOffset &+= position
        }
        return outputs
    }
}

/// CertificateStatus (RFC 6066 8): an OCSP response stapled by the server.
public struct CertificateStatus: Sendable, Hashable {
    public var statusType: UInt8
    public var response: [UInt8]

    public init(parsing body: ArraySlice<UInt8>) throws(DecodeError) {
        var r = ByteReader(body)
        statusType = try r.readUInt8("status_type")
        var response = try r.readNonEmptyLengthPrefixed(lengthBytes: 3, "OCSPResponse")
        self.response = Array(response.readRest())
        try r.expectEnd("CertificateStatus")
    }

    public init(parsing body: [UInt8]) throws(DecodeError) { try self.init(parsing: body[...]) }
}

/// A handshake message decoded by type.
public enum DecodedHandshake: Sendable, Hashable {
    case helloRequest
    case clientHello(ClientHello)
    case serverHello(ServerHello)
    case newSessionTicket(NewSessionTicket)
    case endOfEarlyData
    case encryptedExtensions(EncryptedExtensions)
    case certificate(CertificateMessage)
    case serverKeyExchange(ServerKeyExchange)
    case certificateRequest(CertificateRequest)
    case serverHelloDone
    case certificateVerify(CertificateVerify)
    /// Kept opaque: its layout depends on the key exchange and it reveals nothing useful.
    case clientKeyExchange([UInt8])
    case finished(Finished)
    case certificateStatus(CertificateStatus)
    case keyUpdate(KeyUpdate)
    /// Types without a decoder here (compressed_certificate, hello_verify_request, ...).
    case other(HandshakeMessage)
}

extension HandshakeMessage {
    /// Decodes the body. `version` is the negotiated version (from the ServerHello) and
    /// `cipherSuite` the negotiated suite; messages whose layout depends on them are read as
    /// TLS 1.2 when they are unknown.
    public func decode(version: ProtocolVersion? = nil, cipherSuite: CipherSuite? = nil) throws(DecodeError)
        -> DecodedHandshake
    {
        let negotiated = version ?? .tls12
        let tls13 = negotiated.isTLS13Variant
        let body = self.body[...]
        func expectEmpty() throws(DecodeError) {
            if !body.isEmpty {
                throw DecodeError(field: type.displayName, offset: 0, kind: .trailingBytes(count: body.count))
            }
        }
        switch type {
        case .helloRequest:
            try expectEmpty()
            return .helloRequest
        case .clientHello: return .clientHello(try ClientHello(parsing: body))
        case .serverHello: return .serverHello(try ServerHello(parsing: body))
        case .newSessionTicket: return .newSessionTicket(try NewSessionTicket(parsing: body, tls13: tls13))
        case .endOfEarlyData:
            try expectEmpty()
            return .endOfEarlyData
        case .encryptedExtensions: return .encryptedExtensions(try EncryptedExtensions(parsing: body))
        case .certificate: return .certificate(try CertificateMessage(parsing: body, tls13: tls13))
        case .serverKeyExchange:
            return .serverKeyExchange(
                try ServerKeyExchange(
                    parsing: body, keyExchange: cipherSuite?.keyExchange ?? .unknown, version: negotiated))
        case .certificateRequest: return .certificateRequest(try CertificateRequest(parsing: body, version: negotiated))
        case .serverHelloDone:
            try expectEmpty()
            return .serverHelloDone
        case .certificateVerify: return .certificateVerify(try CertificateVerify(parsing: body, version: negotiated))
        case .clientKeyExchange: return .clientKeyExchange(Array(self.body))
        case .finished: return .finished(try Finished(parsing: body))
        case .certificateStatus: return .certificateStatus(try CertificateStatus(parsing: body))
        case .keyUpdate: return .keyUpdate(try KeyUpdate(parsing: body))
        default: return .other(self)
        }
    }
}
