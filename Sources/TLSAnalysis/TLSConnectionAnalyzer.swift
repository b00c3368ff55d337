import TCPReassembly
import TLSDecryption
import TLSFlowModel
import TLSWire

/// Builds a `Connection` from one TCP connection's segments and reassembled byte streams.
///
/// The pipeline calls `beginSegment` for every segment, hands the segment to `TCPConnection`
/// with this analyser as its `StreamSink`, then calls `endSegment`; `finish` closes the record.
/// TLS knowledge lives here and in TLSWire; TCP knowledge stays in TCPReassembly.
public struct TLSConnectionAnalyzer: StreamSink {
    public var connection: Connection
    /// Side of each `Direction` (index by rawValue). Flipped once if the ClientHello proves the
    /// port-based guess wrong.
    var sides: DirectionPair<Side>
    var rolesFixed: Bool
    var directions = [DirectionState(), DirectionState()]
    /// TLS 1.3 bookkeeping: the client's first encrypted record after the ServerHello is its
    /// Finished (or an alert, when it is alert-sized).
    var tls13 = false
    var serverHelloSeen = false
    var helloRetryRequestSeen = false
    var clientKeyExchangeSeen = false
    var abbreviatedHandshake: Bool?
    var finishedFrame = DirectionPair<Int?>(nil, nil)
    var finishedTime = DirectionPair<Timestamp?>(nil, nil)
    var clientHelloCount = 0
    /// What the reported ClientHello offered for resumption, noted as it is decoded: reading the
    /// fields back from `connection.clientHello` costs a copy-out of the optional per field.
    var clientOffer: ClientResumptionOffer?
    /// Time of the reported ClientHello, and what the analyser reads back of the latest
    /// ServerHello: kept here for the same reason as `clientOffer`.
    var clientHelloTime: Timestamp?
    var serverAnswer: ServerHelloFacts?
    var negotiatedVersionValue: UInt16 = 0

    /// Present when a key log was given: every record is offered to it. Boxed (copy on
    /// write, so the analyser keeps value semantics): stored inline, its half a kilobyte was
    /// initialised and copied with every analyser, and most captures come without a key log.
    var decryptor: ConnectionDecryptor? {
        get { decryptorBox?.value }
        set {
            guard let newValue else {
                decryptorBox = nil
                return
            }
            if isKnownUniquelyReferenced(&decryptorBox) {
                decryptorBox?.value = newValue
            } else {
                decryptorBox = DecryptorBox(newValue)
            }
        }
    }
    private var decryptorBox: DecryptorBox?
    /// `decryptor != nil`, kept apart: testing the optional decryptor copied it whole for every
    /// record.
    let decrypts: Bool

    /// `initiatorIsClient`: the pipeline's guess from the SYN or the ports.
    public init(connection: Connection, initiatorIsClient: Bool, rolesKnownFromSYN: Bool, keyLog: KeyLog? = nil) {
        self.connection = connection
        if let keyLog, keyLog.count > 0 {
            decryptorBox = DecryptorBox(ConnectionDecryptor(keyLog: keyLog))
            decrypts = true
        } else {
            decrypts = false
        }
        sides = initiatorIsClient ? DirectionPair(.client, .server) : DirectionPair(.server, .client)
        rolesFixed = rolesKnownFromSYN
    }

    public func side(of direction: Direction) -> Side { sides[direction.rawValue] }

    // MARK: - Segments

    public mutating func beginSegment(
        flags: UInt8, payloadLength: Int, direction: Direction, frame: Int, time: Timestamp
    ) {
        let tcpFlags = TCPFlags(rawValue: flags & 0x1f)
        // SYN, and FIN, SYN or RST (RFC 9293 3.1), tested on the raw bits: the named options are
        // globals of another module, a call each, and this runs for every segment.
        let syn: UInt8 = 0x02
        let finSynRst: UInt8 = 0x07
        if flags & syn != 0 { directions[direction.rawValue].sawSYN = true }
        let event: TimelineEvent? =
            payloadLength > 0 || flags & finSynRst != 0
            ? TimelineEvent(
                frame: frame, time: time, from: side(of: direction),
                kind: .segment(flags: tcpFlags, payload: payloadLength))
            : nil
        connection.noteSegment(frame: frame, time: time, event: event)
    }

    public mutating func endSegment(
        _ outcome: SegmentOutcome, direction: Direction, frame: Int, time: Timestamp
    ) {
        if outcome.retransmittedBytes > 0 || outcome.retransmittedSYN {
            connection.timeline.append(
                TimelineEvent(
                    frame: frame, time: time, from: side(of: direction),
                    kind: .retransmission(bytes: outcome.retransmittedBytes)))
        }
    }

    // MARK: - StreamSink

    public mutating func streamGap(_ bytes: Int, direction: Direction, frame: Int, time: Timestamp) {
        let from = side(of: direction)
        connection.timeline.append(TimelineEvent(frame: frame, time: time, from: from, kind: .gap(bytes: bytes)))
        var state = directions[direction.rawValue]
        if state.mode == .tls {
            // The rest of a record we were reading is gone; look for the next record header.
            state.framer.reset()
            state.handshake.reset()
            state.mode = .resynchronising
        }
        directions[direction.rawValue] = state
        if decrypts { decryptor?.gap(from: from) }
    }

    public mutating func streamData(
        _ bytes: UnsafeRawBufferPointer, direction: Direction, frame: Int, time: Timestamp
    ) {
        var input = bytes
        let index = direction.rawValue
        while !input.isEmpty {
            switch directions[index].mode {
            case .detecting, .plaintext:
                if startsTLS(input, direction: direction) {
                    directions[index].mode = .tls
                    continue
                }
                if directions[index].mode == .resynchronising { continue }
                if directions[index].mode == .stopped { return }
                consumePlaintext(&input, direction: direction, frame: frame, time: time)
            case .resynchronising:
                guard let offset = Self.findRecordBoundary(input) else {
                    connection.timeline.append(
                        TimelineEvent(
                            frame: frame, time: time, from: side(of: direction), kind: .plaintext(bytes: input.count)))
                    return
                }
                input = UnsafeRawBufferPointer(rebasing: input[offset...])
                directions[index].mode = .tls
            case .tls:
                if directions[index].pendingSSLv2 {
                    consumeSSLv2Record(&input, direction: direction, frame: frame, time: time)
                } else {
                    frameRecords(&input, direction: direction, frame: frame, time: time)
                }
            case .stopped:
                return
            }
        }
    }

    /// Frames records out of `input` and dispatches each.
    private mutating func frameRecords(
        _ input: inout UnsafeRawBufferPointer, direction: Direction, frame: Int, time: Timestamp
    ) {
        let index = direction.rawValue
        while !input.isEmpty, directions[index].mode == .tls {
            let encrypted = directions[index].encrypted
            let decrypting = decrypts
            let step = directions[index].framer.next(&input) { type, _ in
                // Keep what must be parsed; encrypted bodies are skipped unless we can decrypt.
                if decrypting { return true }
                switch type {
                case 20, 24: return true
                case 21, 22: return !encrypted
                default: return false
                }
            }
            switch step {
            case .needMoreData:
                return
            case .record(let record):
                handleRecord(record, direction: direction, frame: frame, time: time)
            case .invalidHeader(let bytes, let problem):
                malformed(
                    "record header \(hexString(bytes)) is not TLS (\(problem)); decoding of this direction stopped",
                    direction: direction, frame: frame)
                directions[index].mode = .stopped
                return
            }
        }
    }

    mutating func malformed(_ message: String, direction: Direction, frame: Int) {
        let from = side(of: direction)
        connection.notes.append(Note(frame: frame, message: "malformed: \(from.rawValue) \(message)"))
    }

    // MARK: - Finishing

    /// Completes the record from the TCP state once the connection is over (or the capture ends)
    /// and hands it over; call it once, last (afterwards `connection` is an empty placeholder).
    public mutating func finish(tcp: TCPConnection, end: TCPInfo.End) -> Connection {
        var info = TCPInfo()
        if tcp.syn != nil && tcp.synAck != nil && tcp.handshakeAck != nil {
            info.handshake = .complete
        } else if tcp.syn != nil || tcp.synAck != nil {
            info.handshake = .partial
        } else {
            info.handshake = .none
        }
        info.retransmissions = tcp.retransmissions + max(0, tcp.synCount - 1)
        info.gaps = tcp.gaps
        info.missingBytes = tcp.gapBytes
        // The teardown that ended the connection: a reset wins over an orderly close (the timeline
        // still shows who sent the first FIN).
        if let rst = tcp.rst {
            info.end = .rst
            info.endedBy = side(of: rst.direction)
        } else if let firstFin = earliestFin(tcp) {
            info.end = .fin
            info.endedBy = side(of: firstFin.direction)
        } else {
            info.end = end
            info.endedBy = nil
        }
        connection.tcp = info
        if let syn = tcp.syn, let synAck = tcp.synAck {
            connection.timing.tcpRTTms = max(0, synAck.time.milliseconds(since: syn.time))
        }
        if let helloTime = clientHelloTime, let answerTime = serverAnswer?.time {
            let response = answerTime.milliseconds(since: helloTime)
            connection.timing.serverResponseMs = response
            if let rtt = connection.timing.tcpRTTms { connection.timing.serverThinkMs = max(0, response - rtt) }
        }
        let clientPlain = directions[sides[0] == .client ? 0 : 1].plaintextPrefix
        let serverPlain = directions[sides[0] == .client ? 1 : 0].plaintextPrefix
        if connection.isTLS, hasClientHello, !clientPlain.isEmpty || !serverPlain.isEmpty {
            connection.upgradedFrom =
                PlaintextClassifier.upgradeProtocol(client: clientPlain, server: serverPlain) ?? "plaintext prefix"
        } else if !connection.isTLS, !clientPlain.isEmpty || !serverPlain.isEmpty {
            let (sample, who) = clientPlain.isEmpty ? (serverPlain, Side.server) : (clientPlain, Side.client)
            connection.notes.append(
                Note(
                    frame: directions[sides[0] == who ? 0 : 1].plaintextFirstFrame,
                    message:
                        "malformed: not TLS: the \(who.rawValue) sent \(PlaintextClassifier.describe(sample)) to port \(connection.server.port)"
                ))
        }
        if !hasClientHello, directions.contains(where: \.startedMidStream) {
            connection.notes.append(
                Note(
                    frame: connection.firstFrame,
                    message:
                        "capture: started after the TLS handshake; the hello messages and certificates are not in it"))
        }
        if connection.version == "SSL 2.0", !connection.handshakeComplete {
            // SSLv2 records are not followed past the SERVER-HELLO; if both sides kept talking,
            // the session went on (the timeline still shows every segment).
            let hello = connection.timeline.events.first {
                if case .handshake(4, _, _) = $0.kind { true } else { false }
            }
            if let hello {
                let later = connection.timeline.events.filter {
                    guard $0.frame > hello.frame, case .segment(_, let payload) = $0.kind else { return false }
                    return payload > 0
                }
                if Set(later.map(\.from)).count == 2 {
                    completeHandshake(frame: later.last?.frame ?? hello.frame, time: later.last?.time ?? hello.time)
                }
            }
        }
        resolveResumption()
        collectDecryptionNotes()
        // The analyser is spent once the connection is finished: the connection is moved out,
        // not copied (a copy retains every array and string in it only for the analyser's
        // destruction to release them again). What stays behind is one shared placeholder, not
        // a record allocated per connection only to be freed with the analyser.
        var finished = Self.spentConnection
        swap(&finished, &connection)
        return finished
    }

    /// What a finished analyser holds in place of its connection (never written: the analyser
    /// is spent).
    static let spentConnection = Connection(
        id: -1, client: Endpoint(ip: "", port: 0), server: Endpoint(ip: "", port: 0), firstFrame: 0,
        start: Timestamp(seconds: 0, nanoseconds: 0))

    /// Tested by pattern: `== nil` on an Equatable optional can copy the whole hello info.
    var hasClientHello: Bool {
        if case .some = connection.clientHello { true } else { false }
    }

    /// The first FIN in frame order (the initiator's on a tie), without collecting them first.
    private func earliestFin(_ tcp: TCPConnection) -> ControlEvent? {
        guard let first = tcp.fin[0] else { return tcp.fin[1] }
        guard let second = tcp.fin[1] else { return first }
        return second.frame < first.frame ? second : first
    }
}

/// Holds a decryptor out of line (see `TLSConnectionAnalyzer.decryptor`).
final class DecryptorBox {
    var value: ConnectionDecryptor
    init(_ value: ConnectionDecryptor) { self.value = value }
}

/// Per-direction decoding state.
struct DirectionState {
    enum Mode { case detecting, plaintext, tls, resynchronising, stopped }
    var mode: Mode = .detecting
    var framer = RecordFramer()
    var handshake = HandshakeReassembler(maxMessageSize: 1 << 20)
    /// Version field of the record that carried the latest handshake bytes (the ClientHello's
    /// record version is reported).
    var lastRecordVersion: UInt16 = 0
    /// An SSLv2-compatible ClientHello is being read (two-byte record header).
    var pendingSSLv2 = false
    var sslv2Buffer: [UInt8] = []
    /// After ChangeCipherSpec (TLS ≤ 1.2) or the ServerHello (TLS 1.3), record bodies are encrypted.
    var encrypted = false
    var sentCCS = false
    /// The first plaintext bytes (bounded), for STARTTLS naming and "not TLS" notes.
    var plaintextPrefix: [UInt8] = []
    var plaintextFirstFrame: Int?
    var plaintextBytes = 0
    var encryptedRecords = 0
    /// The capture began after this direction's handshake.
    var startedMidStream = false
    /// This direction's SYN is in the capture, so its first payload byte is the stream's first.
    var sawSYN = false
}
