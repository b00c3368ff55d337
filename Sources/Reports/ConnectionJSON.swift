import TLSFlowModel

/// The contract's CONNECTION, CERT and FINDING objects (docs/output.md). Contract keys come first,
/// in the contract's order; the extra fields documented under "Fields beyond the contract" follow.
extension JSONEmitter {
    mutating func time(_ value: Timestamp?, nanoseconds: Bool) {
        if let value { timestamp(value, nanoseconds: nanoseconds) } else { null() }
    }

    mutating func side(_ value: Side?) { string(value?.rawValue) }

    mutating func connection(_ c: Connection, nanoseconds ns: Bool, captureFile: String? = nil) {
        beginObject()
        if let captureFile {
            key("capture")
            string(captureFile)
        }
        key("id")
        int(c.id)
        connectionFields(c, nanoseconds: ns)
        endObject()
    }

    /// The members of a connection object after `id`. Split out so that `ConnectionRenderer`
    /// can render them on a worker thread before the connection's final id is known.
    mutating func connectionFields(_ c: Connection, nanoseconds ns: Bool) {
        key("client")
        endpoint(c.client)
        key("server")
        endpoint(c.server)
        key("first_frame")
        int(c.firstFrame)
        key("last_frame")
        int(c.lastFrame)
        key("start")
        time(c.start, nanoseconds: ns)
        key("end")
        time(c.end, nanoseconds: ns)

        key("tcp")
        beginObject()
        key("handshake")
        string(c.tcp.handshake.rawValue)
        key("end")
        string(c.tcp.end.rawValue)
        key("ended_by")
        side(c.tcp.endedBy)
        key("retransmissions")
        int(c.tcp.retransmissions)
        key("gaps")
        int(c.tcp.gaps)
        key("missing_bytes")
        int(c.tcp.missingBytes)
        endObject()

        key("client_hello")
        if let hello = c.clientHello { clientHello(hello) } else { null() }
        key("server_hello")
        if let hello = c.serverHello { serverHello(hello) } else { null() }

        key("version")
        string(c.version)
        key("resumption")
        beginObject()
        key("offered")
        string(c.resumption.offered.rawValue)
        key("accepted")
        bool(c.resumption.accepted)
        key("issued_by")
        int(c.resumption.issuedBy)
        endObject()
        key("client_auth_requested")
        bool(c.clientAuthRequested)
        key("server_certificates")
        certificates(c.serverCertificates, nanoseconds: ns)
        key("client_certificates")
        certificates(c.clientCertificates, nanoseconds: ns)

        key("alerts")
        beginArray()
        for alert in c.alerts {
            beginObject()
            key("frame")
            int(alert.frame)
            key("from")
            string(alert.from.rawValue)
            key("level")
            string(alert.level.rawValue)
            key("description")
            string(alert.description)
            key("encrypted")
            bool(alert.encrypted)
            key("decrypted")
            bool(alert.decrypted)
            endObject()
        }
        endArray()

        let data = c.applicationData
        key("application_data")
        beginObject()
        key("client_bytes")
        int(data.clientBytes)
        key("server_bytes")
        int(data.serverBytes)
        key("client_records")
        int(data.clientRecords)
        key("server_records")
        int(data.serverRecords)
        key("first_frame")
        int(data.firstFrame)
        key("last_frame")
        int(data.lastFrame)
        endObject()

        key("handshake_ms")
        milliseconds(c.handshakeMs)
        key("status")
        string(c.status.rawValue)
        key("findings")
        findings(c.findings)

        key("handshake_complete")
        bool(c.handshakeComplete)
        key("decrypted")
        bool(c.decrypted)
        key("upgraded_from")
        string(c.upgradedFrom)
        // Read once: each read of a field through the connection is an accessor call.
        let timing = c.timing
        key("timing")
        beginObject()
        key("tcp_rtt_ms")
        milliseconds(timing.tcpRTTms)
        key("server_response_ms")
        milliseconds(timing.serverResponseMs)
        key("server_think_ms")
        milliseconds(timing.serverThinkMs)
        endObject()
        key("notes")
        beginArray()
        for note in c.notes {
            beginObject()
            key("frame")
            int(note.frame)
            key("message")
            string(note.message)
            endObject()
        }
        endArray()
    }

    mutating func endpoint(_ e: Endpoint) {
        beginObject()
        key("ip")
        string(e.ip)
        key("port")
        int(Int(e.port))
        endObject()
    }

    mutating func clientHello(_ h: ClientHelloInfo) {
        beginObject()
        key("frame")
        int(h.frame)
        key("record_version")
        string(h.recordVersion)
        key("legacy_version")
        string(h.legacyVersion)
        key("supported_versions")
        sharedStrings(h.supportedVersions)
        key("sni")
        string(h.sni)
        key("session_id")
        string(h.sessionID)
        key("session_ticket")
        bool(h.sessionTicket)
        key("psk")
        bool(h.psk)
        key("cipher_suites")
        sharedStrings(h.cipherSuites)
        key("alpn")
        sharedStrings(h.alpn)
        key("groups")
        sharedStrings(h.groups)
        key("ja4")
        string(h.ja4)
        key("ja3")
        string(h.ja3)
        key("session_ticket_length")
        int(h.sessionTicketLength)
        key("early_data")
        bool(h.earlyData)
        key("key_share_groups")
        strings(h.keyShareGroups)
        key("signature_algorithms")
        sharedStrings(h.signatureAlgorithms)
        key("ja3_string")
        string(h.ja3String)
        key("sslv2_format")
        bool(h.sslv2Format)
        endObject()
    }

    mutating func serverHello(_ h: ServerHelloInfo) {
        beginObject()
        key("frame")
        int(h.frame)
        key("version")
        string(h.version)
        key("cipher_suite")
        string(h.cipherSuite)
        key("session_id")
        string(h.sessionID)
        key("alpn")
        string(h.alpn)
        key("hello_retry_request")
        bool(h.helloRetryRequest)
        key("ja4s")
        string(h.ja4s)
        key("selected_psk")
        bool(h.selectedPSK)
        key("key_share_group")
        string(h.keyShareGroup)
        endObject()
    }

    mutating func certificates(_ certs: [CertificateInfo], nanoseconds ns: Bool) {
        beginArray()
        for cert in certs {
            beginObject()
            key("frame")
            int(cert.frame)
            key("subject")
            string(cert.subject)
            key("issuer")
            string(cert.issuer)
            key("serial")
            string(cert.serial)
            key("san")
            strings(cert.san)
            key("not_before")
            time(cert.notBefore, nanoseconds: ns)
            key("not_after")
            time(cert.notAfter, nanoseconds: ns)
            key("key")
            string(cert.key)
            key("signature_algorithm")
            string(cert.signatureAlgorithm)
            key("sha256")
            string(cert.sha256)
            key("self_signed")
            bool(cert.selfSigned)
            key("ca")
            bool(cert.ca)
            key("days_left_at_capture")
            int(cert.daysLeftAtCapture)
            key("parse_error")
            string(cert.parseError)
            endObject()
        }
        endArray()
    }

    /// Cross-connection patterns also list the connections that show them.
    mutating func finding(_ f: Finding, isPattern: Bool = false) {
        beginObject()
        key("code")
        string(f.code)
        key("severity")
        string(f.severity.rawValue)
        key("side")
        side(f.side)
        key("summary")
        string(f.summary)
        key("detail")
        string(f.detail)
        key("fix")
        string(f.fix)
        key("frames")
        ints(f.frames)
        key("consequences")
        strings(f.consequences)
        if isPattern {
            key("connections")
            ints(f.connectionIDs)
        }
        endObject()
    }

    mutating func findings(_ list: [Finding]) {
        beginArray()
        for f in list { finding(f) }
        endArray()
    }
}
