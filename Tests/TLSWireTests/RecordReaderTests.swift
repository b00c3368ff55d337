import Testing

@testable import TLSWire

struct RecordReaderTests {
    static let alert: [UInt8] = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]
    static let ccs: [UInt8] = [0x14, 0x03, 0x03, 0x00, 0x01, 0x01]

    @Test func cutsRecordsAcrossAppends() throws {
        var reader = TLSRecordReader()
        let stream = Self.ccs + Self.alert
        #expect(reader.append(Array(stream[0..<3])).isEmpty)
        let first = reader.append(Array(stream[3..<8]))
        #expect(
            first == [
                .record(
                    TLSRecord(
                        header: TLSRecordHeader(contentType: .changeCipherSpec, version: .tls12, length: 1),
                        fragment: [1], streamOffset: 0))
            ])
        #expect(reader.bufferedBytes == 2)
        let second = reader.append(Array(stream[8...]))
        guard case .record(let record) = second.first else { return #expect(Bool(false)) }
        #expect(record.streamOffset == 6)
        #expect(try Alert(parsing: record.fragment).alertDescription == .handshakeFailure)
    }

    @Test func stopsAtBytesThatAreNotTLS() {
        var reader = TLSRecordReader()
        let out = reader.append(Self.alert + Array("HTTP/1.1 400".utf8))
        #expect(out.count == 2)
        guard case .notTLS(let offset, let reason) = out.last else { return #expect(Bool(false)) }
        #expect(offset == 7)
        #expect(reason.contains("content type 72"))
        #expect(reader.stopped)
        #expect(reader.append(Self.alert).isEmpty)
    }

    /// A record header that claims more bytes than the stream ever delivers: nothing is
    /// emitted and the bytes stay buffered, which the caller reports as a truncated record.
    @Test func recordLengthLongerThanStreamStaysBuffered() {
        var reader = TLSRecordReader()
        let lying: [UInt8] = [0x16, 0x03, 0x01, 0x01, 0x00] + [0x01, 0x00, 0x00, 0x10]
        #expect(reader.append(lying).isEmpty)
        #expect(reader.bufferedBytes == lying.count)
        #expect(!reader.stopped)
    }

    /// A handshake header that claims more than its records carry stays a partial message.
    @Test func handshakeLengthLongerThanRecordsIsPartial() {
        var reassembler = HandshakeReassembler()
        #expect(reassembler.append([0x02, 0x00, 0x00, 0x64] + [UInt8](repeating: 0, count: 10)).isEmpty)
        #expect(reassembler.hasPartialMessage)
        #expect(reassembler.bufferedBytes == 14)
    }

    @Test func decodesMessagesByType() throws {
        let done = HandshakeMessage(type: .serverHelloDone, body: [])
        #expect(try done.decode() == .serverHelloDone)
        #expect(throws: DecodeError.self) { try HandshakeMessage(type: .serverHelloDone, body: [0]).decode() }
        let ske = HandshakeMessage(type: .serverKeyExchange, body: [3] + u16(29) + [1, 4])
        guard case .serverKeyExchange(let decoded) = try ske.decode(version: .tls12, cipherSuite: CipherSuite(0xc02f))
        else { return #expect(Bool(false)) }
        #expect(decoded.group == .x25519)
        let ocsp = HandshakeMessage(type: .certificateStatus, body: [1] + u24(2) + [0x30, 0x00])
        #expect(try ocsp.decode() == .certificateStatus(try CertificateStatus(parsing: [1] + u24(2) + [0x30, 0x00])))
        let compressed = HandshakeMessage(type: .compressedCertificate, body: [1, 2])
        #expect(try compressed.decode() == .other(compressed))
        let cert13 = HandshakeMessage(type: .certificate, body: [0] + u24(0))
        guard case .certificate(let message) = try cert13.decode(version: .tls13) else { return #expect(Bool(false)) }
        #expect(message.isTLS13)
    }

    /// Fed in small uneven chunks, the reader cuts real streams into the same records as a
    /// header-by-header walk over the whole stream, and the fragmented Certificate comes out whole.
    /// (TLS 1.3 certificates are encrypted, so none is visible there.)
    @Test(arguments: [
        ("zeek/tls-fragmented-handshake.pcap", 1), ("zeek/tls1.2.pcap", 1),
        ("illustrated-tls/illustrated-tls13.pcap", 0),
    ])
    func chunkedFeedingMatchesWholeStreamWalk(capture: String, expectedCertificates: Int) throws {
        var total = 0
        var certificates = 0
        for (_, bytes) in try Captures.streams(capture) {
            var walked = 0
            var position = 0
            while case .record(let header) = TLSRecordHeader.parse(bytes[position...]),
                position + 5 + header.length <= bytes.count
            {
                walked += 1
                position += 5 + header.length
            }
            var reader = TLSRecordReader()
            var reassembler = HandshakeReassembler()
            var cut = 0
            var encrypted = false
            var i = 0
            var step = 1
            while i < bytes.count {
                let end = min(bytes.count, i + step)
                for case .record(let record) in reader.append(bytes[i..<end]) {
                    cut += 1
                    if record.header.contentType == .changeCipherSpec { encrypted = true }
                    guard record.header.contentType == .handshake, !encrypted else { continue }
                    for case .message(let message) in reassembler.append(record.fragment)
                    where message.type == .certificate {
                        certificates += 1
                    }
                }
                i = end
                step = step % 97 + 13
            }
            #expect(cut == walked)
            total += cut
        }
        #expect(total > 5)
        #expect(certificates == expectedCertificates)
    }
}
