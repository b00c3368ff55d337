/// TLSPlaintext/TLSCiphertext header (RFC 8446 5.1, RFC 5246 6.2).
public struct TLSRecordHeader: Sendable, Hashable {
    public static let size = 5
    /// RFC 5246 6.2.3: TLSCiphertext.length must not exceed 2^14 + 2048.
    public static let maxLength = 16384 + 2048

    public var contentType: ContentType
    public var version: ProtocolVersion
    /// Length of the fragment that follows the 5-byte header.
    public var length: Int

    public init(contentType: ContentType, version: ProtocolVersion, length: Int) {
        self.contentType = contentType
        self.version = version
        self.length = length
    }

    public enum ParseResult: Sendable, Hashable {
        case record(TLSRecordHeader)
        /// Every byte seen so far is plausible; the header is not complete yet.
        case needMoreData
        /// The bytes cannot start a TLS record; the reason names the rule that failed.
        case notTLS(String)
    }

    /// Checks each field as soon as its bytes are present, so a stream that is not TLS is
    /// rejected from its first byte rather than after five.
    public static func parse(_ bytes: ArraySlice<UInt8>) -> ParseResult {
        var reader = ByteReader(bytes)
        guard let typeByte = try? reader.readUInt8("content type") else { return .needMoreData }
        guard (20...24).contains(typeByte) else {
            return .notTLS("content type \(typeByte) is not a TLS record type (20-24)")
        }
        guard let major = try? reader.readUInt8("version major") else { return .needMoreData }
        guard major == 3 else {
            return .notTLS("record version major byte \(major) is not 3 (SSL 3.0-TLS 1.3)")
        }
        guard let minor = try? reader.readUInt8("version minor") else { return .needMoreData }
        guard minor <= 4 else {
            return .notTLS("record version 0x03\(bareHex4(UInt16(minor)).suffix(2)) is above TLS 1.3 (0x0304)")
        }
        guard let length = try? reader.readUInt16("length") else { return .needMoreData }
        guard Int(length) <= maxLength else {
            return .notTLS("record length \(length) exceeds the 2^14+2048 ciphertext limit")
        }
        return .record(
            TLSRecordHeader(
                contentType: ContentType(typeByte), version: ProtocolVersion(major: major, minor: minor),
                length: Int(length)))
    }

    public static func parse(_ bytes: [UInt8]) -> ParseResult { parse(bytes[...]) }
}

/// SSL 2.0 record layer, only as far as the SSLv2-compatible ClientHello (RFC 5246 E.2) and
/// the SSLv2 SERVER-HELLO need it.
public enum SSLv2 {
    public static let clientHello: UInt8 = 1
    public static let clientMasterKey: UInt8 = 2
    public static let serverHello: UInt8 = 4

    public struct Header: Sendable, Hashable {
        /// Bytes of header before the message (2, or 3 for the padded form).
        public var headerLength: Int
        /// Length of the message that follows the header.
        public var length: Int
        public var messageType: UInt8
        public var padding: Int
    }

    public enum ParseResult: Sendable, Hashable {
        case record(Header)
        case needMoreData
        case notSSLv2(String)
    }

    /// SSLv2 message names (draft-hickman-netscape-ssl-00 2.6).
    public static func messageName(_ type: UInt8) -> String {
        switch type {
        case 0: "ERROR"
        case 1: "CLIENT-HELLO"
        case 2: "CLIENT-MASTER-KEY"
        case 3: "CLIENT-FINISHED"
        case 4: "SERVER-HELLO"
        case 5: "SERVER-VERIFY"
        case 6: "SERVER-FINISHED"
        case 7: "REQUEST-CERTIFICATE"
        case 8: "CLIENT-CERTIFICATE"
        default: "unknown (\(type))"
        }
    }

    /// Recognises an SSLv2 record carrying CLIENT-HELLO (1) or SERVER-HELLO (4): those are
    /// the only SSLv2 messages that can open a stream. The version must be SSL 2.0 or a
    /// TLS/SSL 3 version, which keeps random bytes with the high bit set from matching.
    public static func parseHeader(_ bytes: ArraySlice<UInt8>) -> ParseResult {
        var reader = ByteReader(bytes)
        guard let first = try? reader.readUInt8("header") else { return .needMoreData }
        guard first & 0x80 != 0 else {
            return .notSSLv2("first byte 0x\(bareHex4(UInt16(first)).suffix(2)) lacks the 2-byte header flag")
        }
        guard let second = try? reader.readUInt8("header") else { return .needMoreData }
        let length = Int(first & 0x7f) << 8 | Int(second)
        guard let type = try? reader.readUInt8("msg_type") else { return .needMoreData }
        switch type {
        case clientHello:
            guard let version = try? reader.readUInt16("version") else { return .needMoreData }
            guard version == 0x0002 || (version >= 0x0300 && version <= 0x0304) else {
                return .notSSLv2("CLIENT-HELLO version \(hex4(version)) is not SSL 2.0-TLS 1.3")
            }
            guard length >= 9 else {
                return .notSSLv2("CLIENT-HELLO length \(length) is shorter than its fixed fields")
            }
        case serverHello:
            guard (try? reader.readUInt16("session_id_hit/certificate_type")) != nil,
                let version = try? reader.readUInt16("version")
            else { return .needMoreData }
            guard version == 0x0002 || (version >= 0x0300 && version <= 0x0304) else {
                return .notSSLv2("SERVER-HELLO version \(hex4(version)) is not SSL 2.0-TLS 1.3")
            }
            guard length >= 11 else {
                return .notSSLv2("SERVER-HELLO length \(length) is shorter than its fixed fields")
            }
        default:
            return .notSSLv2("SSLv2 message type \(type) cannot start a connection")
        }
        return .record(Header(headerLength: 2, length: length, messageType: type, padding: 0))
    }

    public static func parseHeader(_ bytes: [UInt8]) -> ParseResult { parseHeader(bytes[...]) }

    /// SSLv2 CIPHER-KIND names for the 3-byte specs whose first byte is not zero.
    public static func cipherKindName(_ spec: UInt32) -> String {
        switch spec {
        case 0x010080: "SSL2_RC4_128_WITH_MD5"
        case 0x020080: "SSL2_RC4_128_EXPORT40_WITH_MD5"
        case 0x030080: "SSL2_RC2_128_CBC_WITH_MD5"
        case 0x040080: "SSL2_RC2_128_CBC_EXPORT40_WITH_MD5"
        case 0x050080: "SSL2_IDEA_128_CBC_WITH_MD5"
        case 0x060040: "SSL2_DES_64_CBC_WITH_MD5"
        case 0x0700c0: "SSL2_DES_192_EDE3_CBC_WITH_MD5"
        default:
            spec >> 16 == 0 ? CipherSuite(UInt16(spec & 0xffff)).name : "0x" + String(spec, radix: 16)
        }
    }

    /// SSLv2 SERVER-HELLO body (from msg_type on).
    public struct ServerHello: Sendable, Hashable {
        public var sessionIDHit: Bool
        public var certificateType: UInt8
        public var version: ProtocolVersion
        public var certificate: [UInt8]
        public var cipherSpecs: [UInt32]
        public var connectionID: [UInt8]

        public init(parsing body: ArraySlice<UInt8>) throws(DecodeError) {
            var r = ByteReader(body)
            let type = try r.readUInt8("msg_type")
            guard type == SSLv2.serverHello else {
                throw DecodeError(field: "msg_type", offset: 0, kind: .invalidValue("\(type) is not SERVER-HELLO (4)"))
            }
            sessionIDHit = try r.readUInt8("session_id_hit") != 0
            certificateType = try r.readUInt8("certificate_type")
            version = ProtocolVersion(try r.readUInt16("server_version"))
            let certLength = Int(try r.readUInt16("certificate_length"))
            let specsLength = Int(try r.readUInt16("cipher_specs_length"))
            let connLength = Int(try r.readUInt16("connection_id_length"))
            guard specsLength % 3 == 0 else {
                throw DecodeError(field: "cipher_specs", offset: r.offset, kind: .invalidLength(specsLength))
            }
            certificate = Array(try r.readBytes(certLength, "certificate"))
            var specs = ByteReader(try r.readBytes(specsLength, "cipher_specs"), baseOffset: r.offset - specsLength)
            cipherSpecs = []
            while !specs.isAtEnd {
                cipherSpecs.append(try specs.readUInt24("cipher_spec"))
            }
            connectionID = Array(try r.readBytes(connLength, "connection_id"))
            try r.expectEnd("SERVER-HELLO")
        }
    }
}
