import TCPReassembly
import TLSDecryption
import TLSFlowModel
import TLSWire

extension TLSConnectionAnalyzer {
    /// Offers a record to the decryptor. Returns true when the record was fully handled here
    /// (decrypted or skipped); false when it should be read as it is (cleartext or opaque).
    mutating func decryptIfPossible(
        _ record: FramedRecord, direction: Direction, frame: Int, time: Timestamp
    ) -> Bool {
        guard var decryptor else { return false }
        let from = side(of: direction)
        let result = decryptor.decrypt(
            from: from, contentType: record.contentType, version: record.version, body: record.body[...])
        self.decryptor = decryptor
        switch result {
        case .decrypted(let inner, let bytes, _):
            connection.decrypted = true
            connection.timeline.append(
                TimelineEvent(
                    frame: frame, time: time, from: from,
                    kind: .encryptedRecord(contentType: record.contentType, length: record.length, decryptedType: inner)
                ))
            handleDecrypted(inner, bytes: bytes, direction: direction, frame: frame, time: time)
            return true
        case .skippedEarlyData:
            connection.timeline.append(
                TimelineEvent(
                    frame: frame, time: time, from: from,
                    kind: .encryptedRecord(contentType: record.contentType, length: record.length, decryptedType: nil)))
            return true
        case .cleartext, .noKey, .authenticationFailed, .malformed:
            return false
        }
    }

    private mutating func handleDecrypted(
        _ contentType: UInt8, bytes: [UInt8], direction: Direction, frame: Int, time: Timestamp
    ) {
        let from = side(of: direction)
        switch contentType {
        case 21:
            var offset = 0
            while offset + 1 < bytes.count {
                let level = AlertLevel(bytes[offset])
                let description = AlertDescription(bytes[offset + 1])
                connection.timeline.append(
                    TimelineEvent(
                        frame: frame, time: time, from: from,
                        kind: .alert(level: level.rawValue, description: description.rawValue, encrypted: true)))
                var alert = AlertInfo(
                    frame: frame, time: time, from: from,
                    level: level.rawValue == 2 ? .fatal : level.rawValue == 1 ? .warning : .unknown,
                    description: description.name, descriptionCode: description.rawValue, encrypted: true)
                alert.decrypted = true
                connection.alerts.append(alert)
                offset += 2
            }
        case 22:
            feedHandshake(bytes, direction: direction, frame: frame, time: time)
        case 23:
            connection.applicationData.add(from: from, bytes: bytes.count, frame: frame, time: time)
        default:
            break
        }
    }

    /// A decrypted (or, in SSL 3.0, plaintext) Finished message from `from`.
    mutating func noteFinished(from: Side, frame: Int, time: Timestamp) {
        let index = from == .client ? 0 : 1
        if finishedFrame[index] == nil {
            finishedFrame[index] = frame
            finishedTime[index] = time
        }
        // TLS 1.3: the client's Finished ends the handshake; TLS ≤ 1.2: both Finished do.
        if tls13 ? from == .client : (finishedFrame[0] != nil && finishedFrame[1] != nil) {
            completeHandshake(frame: frame, time: time)
        }
    }

    mutating func decryptorSawClientHello(_ hello: ClientHello) {
        guard decrypts else { return }
        decryptor?.clientHello(random: hello.random, offersEarlyData: hello.hasEarlyData)
    }

    mutating func decryptorSawServerHello(_ hello: ServerHello) {
        guard decrypts else { return }
        decryptor?.serverHello(
            random: hello.random, suite: hello.cipherSuite.rawValue, version: hello.negotiatedVersion.rawValue,
            isHelloRetryRequest: hello.isHelloRetryRequest)
    }

    /// Decryption notes for the connection (missing keys, failed authentication…), once.
    mutating func collectDecryptionNotes() {
        guard decrypts, let decryptor else { return }
        for note in decryptor.notes { connection.notes.append(Note(frame: nil, message: "decryption: \(note)")) }
    }
}
