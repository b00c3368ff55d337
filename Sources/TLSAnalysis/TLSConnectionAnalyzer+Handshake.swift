import TCPReassembly
import TLSFlowModel
import TLSWire

extension TLSConnectionAnalyzer {
    mutating func feedHandshake(_ body: [UInt8], direction: Direction, frame: Int, time: Timestamp) {
        let index = direction.rawValue
        let messages: [HandshakeMessage]
        do {
            messages = try directions[index].handshake.append(body[...])
        } catch {
            malformed("handshake data: \(error)", direction: direction, frame: frame)
            directions[index].mode = .stopped
            return
        }
        for message in messages {
            handleHandshake(message, direction: direction, frame: frame, time: time)
        }
    }

    mutating func handleHandshake(_ message: HandshakeMessage, direction: Direction, frame: Int, time: Timestamp) {
        let from = side(of: direction)
        connection.timeline.append(
            TimelineEvent(
                frame: frame, time: time, from: from,
                kind: .handshake(type: message.type.rawValue, name: message.type.name, length: message.body.count)))
        do {
            switch message.type.rawValue {
            case 1:
                let hello = try ClientHello(parsing: message.body)
                clientHello(hello, recordVersion: directions[direction.rawValue].lastRecordVersion, frame: frame, time: time)
            case 2:
                let hello = try ServerHello(parsing: message.body)
                serverHello(hello, frame: frame, time: time)
            case 11:
                let certificate = try CertificateMessage(parsing: message.body, tls13: tls13)
                if from == .server {
                    connection.serverCertificateDER = certificate.certificates
                    connection.serverCertificateFrame = frame
                } else {
                    connection.clientCertificateDER = certificate.certificates
                    connection.clientCertificateFrame = frame
                }
            case 12:
                let suite = connection.serverHello?.cipherSuiteValue ?? 0
                let exchange = try ServerKeyExchange(parsing: message.body, cipherSuite: suite)
                connection.keyExchangeGroup = exchange.groupName
            case 13:
                connection.clientAuthRequested = true
            case 4:
                let ticket = try NewSessionTicket(parsing: message.body, tls13: tls13)
                if !ticket.ticket.isEmpty { connection.issuedTickets.append(hexString(ticket.ticket.prefix(32))) }
            default:
                break
            }
        } catch {
            malformed("\(message.type.name): \(error)", direction: direction, frame: frame)
        }
    }

    mutating func clientHello(_ hello: ClientHello, recordVersion: UInt16, frame: Int, time: Timestamp) {
        markTLS()
        clientHelloCount += 1
        // After a HelloRetryRequest the client sends a second ClientHello; the first is the one
        // fingerprinted and reported, the second is on the timeline.
        guard connection.clientHello == nil else { return }
        var info = ClientHelloInfo(frame: frame, time: time)
        info.recordVersion = ProtocolVersion(rawValue: recordVersion).name
        info.legacyVersion = hello.legacyVersion.name
        info.supportedVersions = hello.supportedVersions.map(\.name)
        info.sni = hello.serverName
        info.sessionID = hexString(hello.sessionID)
        info.sessionTicket = hello.sessionTicket != nil
        info.sessionTicketLength = hello.sessionTicket?.count ?? 0
        info.psk = hello.preSharedKey != nil
        info.earlyData = hello.offersEarlyData
        info.cipherSuiteValues = hello.cipherSuites.map(\.rawValue)
        info.cipherSuites = hello.cipherSuites.map(\.name)
        info.alpn = hello.alpnProtocols
        info.groups = hello.supportedGroups.map(\.name)
        info.keyShareGroups = hello.keyShareGroups.map(\.name)
        info.signatureAlgorithms = hello.signatureAlgorithms.map(\.name)
        info.sslv2Format = hello.isSSLv2Compatible
        info.ja3String = JA3.string(for: hello)
        info.ja3 = JA3.hash(for: hello)
        info.ja4 = JA4.fingerprint(for: hello)
        connection.clientHello = info
    }

    mutating func serverHello(_ hello: ServerHello, frame: Int, time: Timestamp) {
        if hello.isHelloRetryRequest {
            helloRetryRequestSeen = true
            return
        }
        serverHelloSeen = true
        var info = ServerHelloInfo(frame: frame, time: time)
        let version = hello.selectedVersion
        info.version = version.name
        info.cipherSuiteValue = hello.cipherSuite.rawValue
        info.cipherSuite = hello.cipherSuite.name
        info.sessionID = hexString(hello.sessionID)
        info.alpn = hello.alpnProtocol
        info.helloRetryRequest = helloRetryRequestSeen
        info.selectedPSK = hello.selectedPSKIdentity != nil
        info.keyShareGroup = hello.keyShareGroup?.name
        info.ja4s = JA4S.fingerprint(for: hello)
        connection.serverHello = info
        connection.version = info.version
        if version.isTLS13 {
            tls13 = true
            // Everything after the ServerHello is encrypted in both directions.
            directions[0].encrypted = true
            directions[1].encrypted = true
        }
    }

    /// Parses an SSLv2-compatible ClientHello at the start of `input`. Returns true when the
    /// direction carries TLS from here on (the bytes are consumed by the record path).
    mutating func sslv2ClientHello(_ input: UnsafeRawBufferPointer, direction: Direction) -> Bool {
        markTLS()
        let index = direction.rawValue
        directions[index].pendingSSLv2 = true
        return true
    }

    /// Works out whether resumption was offered and accepted, once the handshake is over.
    mutating func resolveResumption() {
        guard let hello = connection.clientHello else { return }
        var resumption = ResumptionInfo()
        let offersTLS13 = hello.supportedVersions.contains(ProtocolVersion.tls13.name)
        if hello.psk {
            resumption.offered = .psk
        } else if hello.sessionTicket && hello.sessionTicketLength > 0 {
            resumption.offered = .ticket
        } else if !hello.sessionID.isEmpty {
            // TLS 1.3 clients send a random legacy session ID for middlebox compatibility; it is
            // a resumption attempt only when the server echoes it for TLS 1.2 or below.
            if !offersTLS13 {
                resumption.offered = .sessionID
            } else if let server = connection.serverHello, !tls13, server.sessionID == hello.sessionID {
                resumption.offered = .sessionID
            }
        }
        if let server = connection.serverHello {
            switch resumption.offered {
            case .none:
                resumption.accepted = nil
            case .psk:
                resumption.accepted = server.selectedPSK
            case .sessionID:
                resumption.accepted = server.sessionID == hello.sessionID
            case .ticket:
                if let abbreviated = abbreviatedHandshake {
                    resumption.accepted = abbreviated
                } else if connection.serverCertificateFrame != nil {
                    resumption.accepted = false
                } else if !server.sessionID.isEmpty, server.sessionID == hello.sessionID {
                    resumption.accepted = true
                }
            }
        }
        if resumption.offered == .none { resumption.accepted = nil }
        connection.resumption = resumption
    }
}
