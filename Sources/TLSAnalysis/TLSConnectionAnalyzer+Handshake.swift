import TCPReassembly
import TLSFlowModel
import TLSWire

extension TLSConnectionAnalyzer {
    mutating func feedHandshake(_ body: [UInt8], direction: Direction, frame: Int, time: Timestamp) {
        directions[direction.rawValue].handshake.feed(body[...])
        while let output = directions[direction.rawValue].handshake.next() {
            switch output {
            case .message(let message):
                handleHandshake(type: message.type, body: message.body, direction: direction, frame: frame, time: time)
            case .malformed(let error):
                malformed("handshake: \(error)", direction: direction, frame: frame)
            }
        }
    }

    /// Takes the message's parts rather than the message: passed whole, it was copied twice
    /// on the way in (retaining its body each time).
    mutating func handleHandshake(
        type: HandshakeType, body: ArraySlice<UInt8>, direction: Direction, frame: Int, time: Timestamp
    ) {
        let from = side(of: direction)
        connection.timeline.append(
            TimelineEvent(
                frame: frame, time: time, from: from,
                kind: .handshake(
                    type: type.rawValue, name: type.displayName, length: body.count)))
        do {
            switch type.rawValue {
            case 1:
                let hello = try ClientHello(parsing: body)
                decryptorSawClientHello(hello)
                clientHello(
                    hello, recordVersion: directions[direction.rawValue].lastRecordVersion, frame: frame, time: time)
            case 2:
                let hello = try ServerHello(parsing: body)
                decryptorSawServerHello(hello)
                serverHello(hello, frame: frame, time: time)
            case 11:
                let certificate = try CertificateMessage(parsing: body, tls13: tls13)
                if from == .server {
                    connection.serverCertificateDER = certificate.certificates
                    connection.serverCertificateFrame = frame
                } else {
                    connection.clientCertificateDER = certificate.certificates
                    connection.clientCertificateFrame = frame
                }
            case 12:
                let suite = CipherSuite(serverAnswer?.cipherSuiteValue ?? 0)
                let version = ProtocolVersion(negotiatedVersion)
                let exchange = try ServerKeyExchange(
                    parsing: body, keyExchange: suite.keyExchange, version: version)
                if let group = exchange.group {
                    connection.keyExchangeGroup = group.name
                } else if let bits = exchange.dhPrimeBits {
                    connection.keyExchangeGroup = "DH \(bits)-bit"
                }
            case 13:
                connection.clientAuthRequested = true
            case 16:
                if from == .client { clientKeyExchangeSeen = true }
            case 8:
                // TLS 1.3 carries the server's ALPN choice in EncryptedExtensions.
                let extensions = try EncryptedExtensions(parsing: body)
                if let alpn = try extensions.alpnProtocol() { connection.serverHello?.alpn = alpn }
            case 20:
                noteFinished(from: from, frame: frame, time: time)
            case 4:
                let ticket = try NewSessionTicket(parsing: body, tls13: tls13)
                if !ticket.ticket.isEmpty, connection.issuedTickets.count < 8 {
                    connection.issuedTickets.append(hexString(ticket.ticket.prefix(32)))
                }
            default:
                break
            }
        } catch {
            malformed("\(type.displayName): \(error)", direction: direction, frame: frame)
        }
    }

    mutating func clientHello(_ hello: ClientHello, recordVersion: UInt16, frame: Int, time: Timestamp) {
        markTLS()
        clientHelloCount += 1
        // After a HelloRetryRequest the client sends a second ClientHello; the first is the one
        // fingerprinted and reported, the second is on the timeline.
        if hasClientHello { return }
        let profile = ClientHelloProfile.of(hello)
        // Filled in place: a local info stored afterwards is copied in and destroyed again.
        connection.clientHello = ClientHelloInfo(frame: frame, time: time)
        clientOffer = connection.clientHello!.describe(hello, profile: profile, recordVersion: recordVersion)
        clientHelloTime = time
    }

    /// The negotiated version's code point, 0 before the ServerHello.
    var negotiatedVersion: UInt16 { negotiatedVersionValue }

    mutating func serverHello(_ hello: ServerHello, frame: Int, time: Timestamp) {
        if hello.isHelloRetryRequest {
            helloRetryRequestSeen = true
            return
        }
        serverHelloSeen = true
        let profile = ServerHelloProfile.of(hello)
        let version = profile.version
        negotiatedVersionValue = version.rawValue
        connection.serverHello = ServerHelloInfo(frame: frame, time: time)
        serverAnswer = connection.serverHello!.describe(
            hello, profile: profile, helloRetryRequest: helloRetryRequestSeen)
        connection.version = profile.versionName
        // TLS 1.3 protects everything after the ServerHello inside application_data records;
        // a record of another outer type (a cleartext alert) is still plaintext.
        if version.isTLS13Variant { tls13 = true }
    }

    /// Reads an SSLv2-compatible ClientHello (two-byte record header); afterwards the direction
    /// continues with ordinary TLS records.
    mutating func consumeSSLv2Record(
        _ input: inout UnsafeRawBufferPointer, direction: Direction, frame: Int, time: Timestamp
    ) {
        let index = direction.rawValue
        let needHeader = max(0, 5 - directions[index].sslv2Buffer.count)
        var take = min(input.count, needHeader)
        directions[index].sslv2Buffer.append(contentsOf: input.prefix(take))
        input = UnsafeRawBufferPointer(rebasing: input[take...])
        guard case .record(let header) = SSLv2.parseHeader(directions[index].sslv2Buffer[...]) else {
            if directions[index].sslv2Buffer.count >= 5 {
                malformed("SSLv2 record header is not a CLIENT-HELLO", direction: direction, frame: frame)
                directions[index].mode = .stopped
            }
            return
        }
        let total = header.headerLength + header.length
        take = min(input.count, total - directions[index].sslv2Buffer.count)
        directions[index].sslv2Buffer.append(contentsOf: input.prefix(take))
        input = UnsafeRawBufferPointer(rebasing: input[take...])
        guard directions[index].sslv2Buffer.count >= total else { return }
        let message = directions[index].sslv2Buffer[header.headerLength..<total]
        directions[index].pendingSSLv2 = false
        directions[index].sslv2Buffer = []
        let from = side(of: direction)
        connection.timeline.append(
            TimelineEvent(
                frame: frame, time: time, from: from,
                kind: .handshake(type: 1, name: "ClientHello (SSLv2 format)", length: header.length)))
        do {
            let hello = try ClientHello(sslv2Message: message)
            decryptorSawClientHello(hello)
            clientHello(hello, recordVersion: 0x0002, frame: frame, time: time)
        } catch {
            malformed("SSLv2 CLIENT-HELLO: \(error)", direction: direction, frame: frame)
        }
    }

    /// Works out whether resumption was offered and accepted, once the handshake is over.
    mutating func resolveResumption() {
        // The hello's offer was noted when it was decoded: reading the fields back from the
        // connection's optional hello costs a copy-out per field.
        guard let offer = clientOffer else { return }
        let helloSessionID = offer.sessionID
        var resumption = ResumptionInfo()
        let serverSessionID = serverAnswer?.sessionID
        if offer.psk {
            resumption.offered = .psk
        } else if offer.ticket {
            resumption.offered = .ticket
        } else if !helloSessionID.isEmpty {
            // TLS 1.3 clients send a random legacy session ID for middlebox compatibility; it is
            // a resumption attempt only when the server echoes it for TLS 1.2 or below.
            if !offer.offersTLS13 {
                resumption.offered = .sessionID
            } else if let serverSessionID, !tls13, serverSessionID == helloSessionID {
                resumption.offered = .sessionID
            }
        }
        if let serverSessionID {
            switch resumption.offered {
            case .none:
                resumption.accepted = nil
            case .psk:
                resumption.accepted = serverAnswer?.selectedPSK
            case .sessionID:
                resumption.accepted = serverSessionID == helloSessionID
            case .ticket:
                if let abbreviated = abbreviatedHandshake {
                    resumption.accepted = abbreviated
                } else if connection.serverCertificateFrame != nil {
                    resumption.accepted = false
                }
            }
        }
        connection.resumption = resumption
    }
}

extension ClientHelloInfo {
    /// Fills in what `hello` says, the stack's part from its profile.
    /// Returns what it offers for resumption.
    mutating func describe(_ hello: ClientHello, profile: ClientHelloProfile, recordVersion: UInt16)
        -> ClientResumptionOffer
    {
        self.recordVersion = ProtocolVersion(recordVersion).name
        legacyVersion = profile.legacyVersion
        supportedVersions = profile.supportedVersions
        // The per-connection extensions in one pass; the first of a type is the one read, as
        // `extensionNamed` reads it (registry constants hoisted: each read is a call).
        let serverNameType = ExtensionType.serverName.rawValue
        let sessionTicketType = ExtensionType.sessionTicket.rawValue
        let preSharedKeyType = ExtensionType.preSharedKey.rawValue
        let earlyDataType = ExtensionType.earlyData.rawValue
        let extensions = hello.extensionBlock
        var serverName: ExtensionBlock.Entry?
        var ticket: ExtensionBlock.Entry?
        extensions.forEachEntry { entry in
            let type = entry.type.rawValue
            if type == serverNameType {
                if serverName == nil { serverName = entry }
            } else if type == sessionTicketType {
                if ticket == nil { ticket = entry }
            } else if type == preSharedKeyType {
                psk = true
            } else if type == earlyDataType {
                earlyData = true
            }
        }
        if let serverName {
            sni = (try? ExtensionDecoders.firstServerName(extensions.extension(serverName))) ?? nil
        }
        sessionID = hexString(hello.sessionIDBytes)
        if let ticket {
            sessionTicket = true
            sessionTicketLength = ticket.data.count
            if !ticket.data.isEmpty { sessionTicketHead = hexString(extensions.bytes[ticket.data].prefix(32)) }
        }
        cipherSuiteValues = profile.cipherSuiteValues
        cipherSuites = profile.cipherSuites
        alpn = profile.alpn
        groups = profile.groups
        keyShareGroups = profile.keyShareGroups
        signatureAlgorithms = profile.signatureAlgorithms
        sslv2Format = hello.isSSLv2Compatible
        ja3String = profile.ja3String
        ja3 = profile.ja3
        ja4 = profile.ja4
        return ClientResumptionOffer(
            psk: psk, ticket: sessionTicket && sessionTicketLength > 0, sessionID: sessionID,
            offersTLS13: profile.offersTLS13)
    }
}

/// The resumption a ClientHello offers, as `resolveResumption` weighs it.
struct ClientResumptionOffer {
    var psk: Bool
    /// A session_ticket extension carrying a ticket.
    var ticket: Bool
    /// The session ID in hex.
    var sessionID: String
    /// supported_versions lists TLS 1.3.
    var offersTLS13: Bool
}

extension ServerHelloInfo {
    /// Fills in what `hello` says, the stack's part from its profile.
    /// Returns what the analyser reads back later.
    mutating func describe(_ hello: ServerHello, profile: ServerHelloProfile, helloRetryRequest: Bool)
        -> ServerHelloFacts
    {
        version = profile.versionName
        cipherSuiteValue = hello.cipherSuite.rawValue
        cipherSuite = profile.cipherSuite
        sessionID = hexString(hello.sessionIDBytes)
        alpn = profile.alpn
        self.helloRetryRequest = helloRetryRequest
        // pre_shared_key and key_share found in one walk, the first of a type as
        // `extensionNamed` finds it; decoded as `selectedPSKIdentity()` and `keyShareGroup()`
        // decode them.
        let preSharedKeyType = ExtensionType.preSharedKey.rawValue
        let keyShareType = ExtensionType.keyShare.rawValue
        let draftKeyShareType = ExtensionType.draftKeyShare.rawValue
        let extensions = hello.extensionBlock
        var preSharedKey: ExtensionBlock.Entry?
        var keyShare: ExtensionBlock.Entry?
        var draftKeyShare: ExtensionBlock.Entry?
        extensions.forEachEntry { entry in
            let type = entry.type.rawValue
            if type == preSharedKeyType {
                if preSharedKey == nil { preSharedKey = entry }
            } else if type == keyShareType {
                if keyShare == nil { keyShare = entry }
            } else if type == draftKeyShareType {
                if draftKeyShare == nil { draftKeyShare = entry }
            }
        }
        if let preSharedKey {
            selectedPSK = (try? ExtensionDecoders.selectedIdentity(extensions.extension(preSharedKey))) != nil
        }
        if let entry = keyShare ?? draftKeyShare {
            keyShareGroup =
                (try? ExtensionDecoders.serverKeyShareGroup(
                    extensions.extension(entry), helloRetryRequest: hello.isHelloRetryRequest))?.name
        }
        ja4s = profile.ja4s
        return ServerHelloFacts(
            time: time, cipherSuiteValue: cipherSuiteValue, sessionID: sessionID, selectedPSK: selectedPSK)
    }
}

/// The parts of a `ServerHelloInfo` the analyser reads back (resumption, key exchange, timing).
struct ServerHelloFacts {
    var time: Timestamp
    var cipherSuiteValue: UInt16
    /// The session ID in hex.
    var sessionID: String
    var selectedPSK: Bool
}
