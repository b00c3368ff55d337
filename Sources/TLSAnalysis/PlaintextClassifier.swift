/// Recognises what a non-TLS byte stream is, for STARTTLS upgrades and for "not TLS" notes.
enum PlaintextClassifier {
    /// The plaintext protocol that negotiated an upgrade to TLS, from the first bytes each side sent.
    static func upgradeProtocol(client: [UInt8], server: [UInt8]) -> String? {
        let clientText = String(decoding: client.prefix(2048), as: UTF8.self).uppercased()
        let serverText = String(decoding: server.prefix(2048), as: UTF8.self).uppercased()
        if client.count >= 8, client[0] == 0, client[1] == 0, client[2] == 0, client[3] == 8,
            client[4] == 0x04, client[5] == 0xd2, client[6] == 0x16, client[7] == 0x2f
        {
            return "PostgreSQL SSLRequest"
        }
        if clientText.contains("STARTTLS") {
            if clientText.contains("EHLO") || clientText.contains("HELO") || serverText.hasPrefix("220") {
                return "SMTP STARTTLS"
            }
            if serverText.hasPrefix("* OK") || clientText.contains(" STARTTLS") { return "IMAP STARTTLS" }
            if clientText.contains("<STARTTLS") { return "XMPP STARTTLS" }
            return "STARTTLS"
        }
        if clientText.contains("<STARTTLS") { return "XMPP STARTTLS" }
        if clientText.hasPrefix("STLS") || clientText.contains("\nSTLS") { return "POP3 STLS" }
        if clientText.contains("AUTH TLS") || clientText.contains("AUTH SSL") { return "FTP AUTH TLS" }
        // LDAP StartTLS extended request carries its OID as text inside the BER.
        if clientText.contains("1.3.6.1.4.1.1466.20037") { return "LDAP StartTLS" }
        if isMySQLGreeting(server) { return "MySQL SSL" }
        if clientText.hasPrefix("CONNECT ") { return "HTTP CONNECT proxy" }
        if client.first == 0x05 || client.first == 0x04 { return "SOCKS" }
        return nil
    }

    /// MySQL's initial handshake packet: 3-byte length, sequence 0, protocol version 10.
    static func isMySQLGreeting(_ bytes: [UInt8]) -> Bool {
        bytes.count > 5 && bytes[3] == 0 && bytes[4] == 10
    }

    /// A short human description of non-TLS bytes, e.g. `HTTP request "GET / HTTP/1.1"`.
    static func describe(_ bytes: [UInt8]) -> String {
        let line = bytes.prefix(80).prefix { $0 != 0x0d && $0 != 0x0a }
        let printable = line.allSatisfy { $0 >= 0x20 && $0 < 0x7f }
        let text = String(decoding: line, as: UTF8.self)
        let methods = ["GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "CONNECT ", "PATCH "]
        if printable, methods.contains(where: { text.hasPrefix($0) }) { return "an HTTP request \"\(text)\"" }
        if printable, text.hasPrefix("HTTP/") { return "an HTTP response \"\(text)\"" }
        if printable, text.hasPrefix("SSH-") { return "an SSH banner \"\(text)\"" }
        if printable, !text.isEmpty { return "text \"\(text)\"" }
        let hex = bytes.prefix(8).map { byte -> String in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
        }
        return "bytes \(hex.joined(separator: " "))"
    }
}
