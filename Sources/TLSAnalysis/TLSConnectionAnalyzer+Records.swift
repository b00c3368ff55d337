import TCPReassembly
import TLSFlowModel
import TLSWire

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension TLSConnectionAnalyzer {
    static let plaintextPrefixLimit = 4096
    /// A connection whose first bytes are not TLS is given up on after this much plaintext
    /// without a ClientHello (STARTTLS dialogues are far shorter).
    static let plaintextScanLimit = 256 * 1024

    /// Whether `input`, at a segment boundary, begins TLS for this direction.
    mutating func startsTLS(_ input: UnsafeRawBufferPointer, direction: Direction) -> Bool {
        let index = direction.rawValue
        guard input.count >= 3 else { return false }
        let b0 = input[0]
        let b1 = input[1]
        let b2 = input[2]
        let atStreamStart = directions[index].mode == .detecting
        if b0 & 0x80 != 0, input.count >= 5, b2 == 0x01, b1 >= 9 || b0 & 0x7f > 0,
            (input[3] == 0x03 && input[4] <= 0x04) || (input[3] == 0x00 && input[4] == 0x02)
        {
            // SSLv2-compatible ClientHello (RFC 5246 appendix E.2): two-byte header, message type 1.
            if side(of: direction) == .server && !rolesFixed { swapRoles() }
            markTLS()
            directions[index].pendingSSLv2 = true
            return true
        }
        if b0 & 0x80 != 0, input.count >= 5, b2 == SSLv2.serverHello, atStreamStart,
            connection.clientHello?.sslv2Format == true
        {
            // The server answered in SSL 2.0: the rest of the session is SSLv2, which tlsflow does
            // not follow further.
            connection.version = ProtocolVersion.sslv2.name
            connection.timeline.append(
                TimelineEvent(
                    frame: connection.lastFrame, time: connection.end, from: side(of: direction),
                    kind: .handshake(type: 4, name: "SSLv2 SERVER-HELLO", length: input.count)))
            connection.notes.append(
                Note(frame: connection.lastFrame, message: "SSL 2.0 session: not decoded beyond the SERVER-HELLO"))
            directions[0].mode = .stopped
            directions[1].mode = .stopped
            return false
        }
        guard (0x14...0x18).contains(b0), b1 == 0x03, b2 <= 0x04 else { return false }
        if input.count >= 6, b0 == 0x16, input[5] == 1 || input[5] == 2 {
            if input[5] == 1, side(of: direction) == .server, !rolesFixed { swapRoles() }
            markTLS()
            return true
        }
        // After plaintext, only a hello starts TLS (a STARTTLS upgrade).
        guard atStreamStart else { return false }
        if hasClientHello {
            // The peer's hello is in the capture: this is the answer to it (e.g. an alert).
            markTLS()
            return true
        }
        if directions[index].sawSYN {
            // The stream's start is in the capture, so the handshake cannot have happened before
            // it: the record is in the clear, whatever it holds (a malformed or empty hello).
            markTLS()
            return true
        }
        // The capture started mid-connection: the handshake happened before it, so records are
        // encrypted, and the first byte may be in the middle of a record.
        markTLS()
        directions[index].encrypted = true
        directions[index].startedMidStream = true
        if Self.findRecordBoundary(input) != 0 {
            directions[index].mode = .resynchronising
            return false
        }
        return true
    }

    mutating func markTLS() {
        if !connection.isTLS { connection.isTLS = true }
        rolesFixed = true
    }

    mutating func swapRoles() {
        sides.swapAt(0, 1)
        let client = connection.client
        connection.client = connection.server
        connection.server = client
        // Events recorded before we knew better were attributed to the wrong side.
        connection.timeline.flipSides()
        rolesFixed = true
    }

    mutating func consumePlaintext(
        _ input: inout UnsafeRawBufferPointer, direction: Direction, frame: Int, time: Timestamp
    ) {
        let index = direction.rawValue
        var state = directions[index]
        state.mode = .plaintext
        if state.plaintextFirstFrame == nil { state.plaintextFirstFrame = frame }
        let room = Self.plaintextPrefixLimit - state.plaintextPrefix.count
        if room > 0 { state.plaintextPrefix.append(contentsOf: input.prefix(room)) }
        state.plaintextBytes += input.count
        // A STARTTLS command and the ClientHello can share a segment only if the client pipelines,
        // which the protocols forbid; look for the hello after each line break as well, cheaply.
        var consumed = input.count
        if let lineEnd = input.firstIndex(of: 0x0a), lineEnd + 1 < input.count {
            let rest = UnsafeRawBufferPointer(rebasing: input[(lineEnd + 1)...])
            if rest.count >= 6, rest[0] == 0x16, rest[1] == 0x03, rest[5] == 1 { consumed = lineEnd + 1 }
        }
        connection.timeline.append(
            TimelineEvent(frame: frame, time: time, from: side(of: direction), kind: .plaintext(bytes: consumed)))
        input = UnsafeRawBufferPointer(rebasing: input[consumed...])
        if state.plaintextBytes > Self.plaintextScanLimit {
            state.mode = .stopped
        }
        directions[index] = state
    }

    /// Finds the first offset where a record header is followed by another header or by the end
    /// of the data — evidence of real record boundaries after a capture gap.
    static func findRecordBoundary(_ input: UnsafeRawBufferPointer) -> Int? {
        guard input.count >= 5, let base = input.baseAddress else { return nil }
        var offset = 0
        while offset + 5 <= input.count {
            // Every plausible header has 0x03 as its second byte, so jump to the next 0x03 that
            // could be one (memchr is vectorised; a mid-stream capture scans whole segments of
            // ciphertext here, byte by byte otherwise). Candidates stay in increasing order.
            guard let hit = memchr(base + offset + 1, 0x03, input.count - 4 - offset) else { return nil }
            offset = base.distance(to: UnsafeRawPointer(hit)) - 1
            if isPlausibleHeader(input, at: offset) {
                let length = Int(input[offset + 3]) << 8 | Int(input[offset + 4])
                let next = offset + 5 + length
                if next == input.count || (next + 5 <= input.count && isPlausibleHeader(input, at: next)) {
                    return offset
                }
            }
            offset += 1
        }
        return nil
    }

    private static func isPlausibleHeader(_ input: UnsafeRawBufferPointer, at offset: Int) -> Bool {
        (0x14...0x17).contains(input[offset]) && input[offset + 1] == 0x03 && input[offset + 2] <= 0x04
            && (Int(input[offset + 3]) << 8 | Int(input[offset + 4])) <= 16_384 + 2048
    }

    // MARK: - Records

    mutating func handleRecord(_ record: FramedRecord, direction: Direction, frame: Int, time: Timestamp) {
        let index = direction.rawValue
        let from = side(of: direction)
        if decrypts, decryptIfPossible(record, direction: direction, frame: frame, time: time) { return }
        switch record.contentType {
        case 20:
            connection.timeline.append(TimelineEvent(frame: frame, time: time, from: from, kind: .changeCipherSpec))
            directions[index].sentCCS = true
            // TLS 1.3 sends CCS only for middlebox compatibility (also after a HelloRetryRequest,
            // before any version is chosen); only a TLS ≤ 1.2 CCS switches to encryption.
            // Without the server's direction in the capture, a client CCS after its
            // ClientKeyExchange is a TLS ≤ 1.2 one too.
            let switches =
                serverHelloSeen ? !tls13 : (!helloRetryRequestSeen && clientKeyExchangeSeen && from == .client)
            if switches { directions[index].encrypted = true }
            if from == .server, serverHelloSeen, abbreviatedHandshake == nil, !tls13 {
                // A server CCS straight after ServerHello is an abbreviated (resumed) handshake.
                abbreviatedHandshake = connection.serverCertificateFrame == nil
            }
        case 21:
            handleAlertRecord(record, from: from, encrypted: directions[index].encrypted, frame: frame, time: time)
        case 22:
            directions[index].lastRecordVersion = record.version
            if directions[index].encrypted {
                connection.timeline.append(
                    TimelineEvent(
                        frame: frame, time: time, from: from,
                        kind: .encryptedRecord(contentType: 22, length: record.length, decryptedType: nil)))
                noteEncryptedHandshake(from: from, frame: frame, time: time)
            } else {
                if record.length == 0 {
                    malformed(
                        "sent an empty Handshake record, which RFC 8446 §5.1 and RFC 5246 §6.2.1 forbid",
                        direction: direction, frame: frame)
                }
                feedHandshake(record.body, direction: direction, frame: frame, time: time)
            }
        case 23:
            connection.timeline.append(
                TimelineEvent(
                    frame: frame, time: time, from: from,
                    kind: .encryptedRecord(contentType: 23, length: record.length, decryptedType: nil)))
            handleApplicationRecord(length: record.length, from: from, frame: frame, time: time)
        case 24:
            connection.timeline.append(
                TimelineEvent(
                    frame: frame, time: time, from: from,
                    kind: .encryptedRecord(contentType: 24, length: record.length, decryptedType: nil)))
            connection.notes.append(
                Note(frame: frame, message: "\(from.rawValue) sent a heartbeat record of \(record.length) bytes"))
        default:
            break
        }
    }

    mutating func handleAlertRecord(
        _ record: FramedRecord, from: Side, encrypted: Bool, frame: Int, time: Timestamp
    ) {
        if encrypted || record.body.count < 2 {
            connection.timeline.append(
                TimelineEvent(
                    frame: frame, time: time, from: from, kind: .alert(level: 0, description: 0, encrypted: true)))
            connection.alerts.append(
                AlertInfo(
                    frame: frame, time: time, from: from, level: .unknown, description: "unknown",
                    descriptionCode: nil, encrypted: true))
            return
        }
        var offset = 0
        while offset + 1 < record.body.count {
            let alert = Alert(
                level: AlertLevel(record.body[offset]), description: AlertDescription(record.body[offset + 1]))
            connection.timeline.append(
                TimelineEvent(
                    frame: frame, time: time, from: from,
                    kind: .alert(
                        level: alert.level.rawValue, description: alert.alertDescription.rawValue, encrypted: false)))
            let level: AlertInfo.Level =
                switch alert.level.rawValue {
                case 1: .warning
                case 2: .fatal
                default: .unknown
                }
            connection.alerts.append(
                AlertInfo(
                    frame: frame, time: time, from: from, level: level, description: alert.alertDescription.name,
                    descriptionCode: alert.alertDescription.rawValue, encrypted: false))
            offset += 2
        }
    }

    /// TLS ≤ 1.2: an encrypted handshake record after CCS is that side's Finished.
    mutating func noteEncryptedHandshake(from: Side, frame: Int, time: Timestamp) {
        let index = from == .client ? 0 : 1
        guard finishedFrame[index] == nil else { return }
        finishedFrame[index] = frame
        finishedTime[index] = time
        if finishedFrame[0] != nil, finishedFrame[1] != nil { completeHandshake(frame: frame, time: time) }
    }

    mutating func completeHandshake(frame: Int, time: Timestamp) {
        guard !connection.handshakeComplete else { return }
        connection.handshakeComplete = true
        connection.handshakeCompleteFrame = frame
        if let start = clientHelloTime { connection.handshakeMs = time.milliseconds(since: start) }
    }

    /// The size of an encrypted TLS 1.3 alert: 2 bytes of alert, 1 of inner type, 16 of AEAD tag,
    /// plus the padding some stacks add (Java: 16 bytes). A client Finished is at least 53 bytes
    /// (32-byte verify data + 4 + 1 + 16), so anything shorter cannot complete the handshake.
    static let alertSizedRecord = 19...52

    mutating func handleApplicationRecord(length: Int, from: Side, frame: Int, time: Timestamp) {
        if tls13 && !connection.handshakeComplete {
            if from == .client {
                if Self.alertSizedRecord.contains(length) {
                    // Probably an encrypted alert; the diagnosis decides what it means.
                    return
                }
                finishedFrame[0] = frame
                completeHandshake(frame: frame, time: time)
            }
            // Server records before the client's Finished are its encrypted handshake flight.
            return
        }
        // TLS ≤ 1.2 data before both Finished messages is unusual (False Start): it is counted
        // all the same. (No test for it here: comparing the optional ServerHello with nil copied
        // the whole hello for every record.)
        connection.applicationData.add(from: from, bytes: length, frame: frame, time: time)
    }
}

extension Timeline {
    /// Swaps client and server on every recorded event.
    mutating func flipSides() {
        let flipped = events.map { event -> TimelineEvent in
            var copy = event
            copy.from = event.from.peer
            return copy
        }
        self = Timeline()
        for event in flipped { append(event) }
    }
}
