import CertificateAudit
import Diagnosis
import TLSFlowModel

/// The per-connection work after TCP and TLS decoding: certificate audit, explanations of what
/// could not be checked, then diagnosis.
enum ConnectionFinisher {
    static let resumedNote = "resumed session: no certificate sent"
    /// Built once: a diagnoser sorts its rules when it is made.
    static let diagnoser = Diagnoser()

    static func finish(
        _ connection: inout Connection, auditor: CertificateAuditor, options: AnalysisOptions, captureEnd: Timestamp,
        interception: inout InterceptionTracker
    ) {
        auditAndExplain(&connection, auditor: auditor, options: options)
        observe(connection, interception: &interception)
        diagnose(&connection, options: options, captureEnd: captureEnd)
    }

    /// The certificate part: depends on this connection alone (the auditor's cache is shared
    /// and locked), so parallel shards run it.
    static func auditAndExplain(_ connection: inout Connection, auditor: CertificateAuditor, options: AnalysisOptions) {
        audit(&connection, role: .server, auditor: auditor, keepDER: options.keepCertificateDER)
        audit(&connection, role: .client, auditor: auditor, keepDER: options.keepCertificateDER)
        explainMissingCertificates(&connection)
    }

    static func observe(_ connection: Connection, interception: inout InterceptionTracker) {
        if let leaf = connection.serverCertificates.first, let name = connection.clientHello?.sni {
            interception.observe(
                serverName: name, issuer: leaf.issuer, leafSHA256: leaf.sha256, connectionID: connection.id,
                frame: leaf.frame)
        }
    }

    static func diagnose(_ connection: inout Connection, options: AnalysisOptions, captureEnd: Timestamp) {
        let context = DiagnosisContext(
            captureEnd: captureEnd, handshakeTimeout: options.handshakeTimeout, idleTimeout: options.idleTimeout)
        diagnoser.diagnose(&connection, context: context)
    }

    /// Whether session linking could name an issuer for this connection (the only input to
    /// diagnosis that comes from other connections).
    static func mayBeLinked(_ connection: Connection) -> Bool {
        guard let hello = connection.clientHello else { return false }
        return !hello.sessionID.isEmpty || !hello.sessionTicketHead.isEmpty
    }

    private static func audit(_ connection: inout Connection, role: Side, auditor: CertificateAuditor, keepDER: Bool) {
        let der = role == .server ? connection.serverCertificateDER : connection.clientCertificateDER
        guard !der.isEmpty,
            let frame = role == .server ? connection.serverCertificateFrame : connection.clientCertificateFrame
        else { return }
        // The head first: `events` joins head and tail into a new array when there is a tail.
        let timeline = connection.timeline
        let time =
            (timeline.head.first { $0.frame == frame } ?? timeline.events.first { $0.frame == frame })?.time
            ?? connection.start
        let peerAlert = connection.alerts.first { $0.from == role.peer && $0.frame >= frame && $0.level != .warning }
        let input = ChainInput(
            role: role, der: der, frame: frame, serverName: connection.clientHello?.sni, captureTime: time,
            peerAlert: peerAlert.map { ($0.frame, $0.description) },
            negotiatedKeyExchange: keyExchange(of: connection))
        let result = auditor.audit(input)
        if role == .server {
            connection.serverCertificates = result.certificates
        } else {
            connection.clientCertificates = result.certificates
        }
        // Adopted rather than appended when there are none yet: appending copied (retained)
        // every field of every finding.
        if connection.findings.isEmpty {
            connection.findings = result.findings
        } else {
            connection.findings.append(contentsOf: result.findings)
        }
        // The raw DER has served its purpose unless certificates are to be exported.
        guard !keepDER else { return }
        if role == .server { connection.serverCertificateDER = [] } else { connection.clientCertificateDER = [] }
    }

    private static func keyExchange(of connection: Connection) -> String? {
        guard let suite = connection.serverHello?.cipherSuite else { return nil }
        if connection.version == "TLS 1.3" { return "TLS13" }
        for kind in keyExchangeKinds where contains(suite, kind.needle) {
            return kind.name
        }
        return nil
    }

    /// Key exchanges by the "_KIND" that marks them in a suite name, most specific first.
    private static let keyExchangeKinds: [(needle: [UInt8], name: String)] = [
        ("ECDHE_ECDSA", "ECDHE_ECDSA"), ("ECDHE_RSA", "ECDHE_RSA"), ("DHE_RSA", "DHE_RSA"), ("DHE_DSS", "DHE_DSS"),
        ("ECDH_", "ECDH"), ("RSA", "RSA"),
    ].map { (Array("_\($0.0)".utf8), $0.1) }

    /// Byte substring search: suite names are ASCII (IANA names, "GREASE", "0x…"), and a
    /// Foundation `contains` per kind and connection showed up in profiles.
    private static func contains(_ text: String, _ needle: [UInt8]) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard needle.count <= bytes.count else { return false }
            for start in 0...(bytes.count - needle.count) {
                var index = 0
                while index < needle.count && bytes[start + index] == needle[index] { index += 1 }
                if index == needle.count { return true }
            }
            return false
        }
    }

    /// Says why certificate checks could not run, instead of leaving the fields empty.
    private static func explainMissingCertificates(_ connection: inout Connection) {
        // The frame, not the whole ServerHello: comparing the optional hello with nil copied it.
        guard connection.serverCertificates.isEmpty, connection.serverHello?.frame != nil else { return }
        if connection.resumption.accepted == true {
            // The emitter names the issuing connection once reported ids are known.
            connection.notes.append(Note(frame: connection.serverHello?.frame, message: resumedNote))
        } else if connection.version == "TLS 1.3", !connection.decrypted {
            connection.notes.append(
                Note(
                    frame: connection.serverHello?.frame,
                    message: "TLS 1.3: certificates are encrypted — supply a key log with --keylog to check them"))
        }
    }
}
