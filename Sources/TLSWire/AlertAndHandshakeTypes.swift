/// Alert.level (RFC 5246 7.2).
public enum AlertLevel: Sendable, Hashable, CustomStringConvertible {
    case warning
    case fatal
    case other(UInt8)

    public init(_ value: UInt8) {
        switch value {
        case 1: self = .warning
        case 2: self = .fatal
        default: self = .other(value)
        }
    }

    public var rawValue: UInt8 {
        switch self {
        case .warning: 1
        case .fatal: 2
        case .other(let v): v
        }
    }

    public var description: String {
        switch self {
        case .warning: "warning"
        case .fatal: "fatal"
        case .other(let v): "unknown (\(v))"
        }
    }
}

/// Alert.description: the IANA "TLS Alerts" registry.
public struct AlertDescription: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public init(_ rawValue: UInt8) { self.rawValue = rawValue }

    static let names: [UInt8: String] = [
        0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 21: "decryption_failed",
        22: "record_overflow", 30: "decompression_failure", 40: "handshake_failure", 41: "no_certificate",
        42: "bad_certificate", 43: "unsupported_certificate", 44: "certificate_revoked",
        45: "certificate_expired", 46: "certificate_unknown", 47: "illegal_parameter", 48: "unknown_ca",
        49: "access_denied", 50: "decode_error", 51: "decrypt_error", 52: "too_many_cids_requested",
        60: "export_restriction", 70: "protocol_version", 71: "insufficient_security", 80: "internal_error",
        86: "inappropriate_fallback", 90: "user_canceled", 100: "no_renegotiation", 109: "missing_extension",
        110: "unsupported_extension", 111: "certificate_unobtainable", 112: "unrecognized_name",
        113: "bad_certificate_status_response", 114: "bad_certificate_hash_value", 115: "unknown_psk_identity",
        116: "certificate_required", 117: "general_error", 120: "no_application_protocol", 121: "ech_required",
    ]

    public var isKnown: Bool { Self.names[rawValue] != nil }
    /// IANA name, or "unknown (N)".
    public var name: String { Self.names[rawValue] ?? "unknown (\(rawValue))" }
    public var description: String { name }

    public static let closeNotify = AlertDescription(0)
    public static let unexpectedMessage = AlertDescription(10)
    public static let badRecordMAC = AlertDescription(20)
    public static let handshakeFailure = AlertDescription(40)
    public static let badCertificate = AlertDescription(42)
    public static let certificateExpired = AlertDescription(45)
    public static let certificateUnknown = AlertDescription(46)
    public static let illegalParameter = AlertDescription(47)
    public static let unknownCA = AlertDescription(48)
    public static let decodeError = AlertDescription(50)
    public static let decryptError = AlertDescription(51)
    public static let protocolVersion = AlertDescription(70)
    public static let insufficientSecurity = AlertDescription(71)
    public static let internalError = AlertDescription(80)
    public static let inappropriateFallback = AlertDescription(86)
    public static let userCanceled = AlertDescription(90)
    public static let missingExtension = AlertDescription(109)
    public static let unrecognizedName = AlertDescription(112)
    public static let certificateRequired = AlertDescription(116)
    public static let noApplicationProtocol = AlertDescription(120)
    public static let echRequired = AlertDescription(121)
}

/// HandshakeType: the IANA "TLS HandshakeType" registry.
public struct HandshakeType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public init(_ rawValue: UInt8) { self.rawValue = rawValue }

    public static let helloRequest = HandshakeType(0)
    public static let clientHello = HandshakeType(1)
    public static let serverHello = HandshakeType(2)
    public static let helloVerifyRequest = HandshakeType(3)
    public static let newSessionTicket = HandshakeType(4)
    public static let endOfEarlyData = HandshakeType(5)
    public static let helloRetryRequest = HandshakeType(6)
    public static let encryptedExtensions = HandshakeType(8)
    public static let certificate = HandshakeType(11)
    public static let serverKeyExchange = HandshakeType(12)
    public static let certificateRequest = HandshakeType(13)
    public static let serverHelloDone = HandshakeType(14)
    public static let certificateVerify = HandshakeType(15)
    public static let clientKeyExchange = HandshakeType(16)
    public static let finished = HandshakeType(20)
    public static let certificateURL = HandshakeType(21)
    public static let certificateStatus = HandshakeType(22)
    public static let supplementalData = HandshakeType(23)
    public static let keyUpdate = HandshakeType(24)
    public static let compressedCertificate = HandshakeType(25)
    public static let messageHash = HandshakeType(254)

    static let table: [UInt8: (String, String)] = [
        0: ("hello_request", "HelloRequest"), 1: ("client_hello", "ClientHello"),
        2: ("server_hello", "ServerHello"), 3: ("hello_verify_request", "HelloVerifyRequest"),
        4: ("new_session_ticket", "NewSessionTicket"), 5: ("end_of_early_data", "EndOfEarlyData"),
        6: ("hello_retry_request", "HelloRetryRequest"), 8: ("encrypted_extensions", "EncryptedExtensions"),
        9: ("request_connection_id", "RequestConnectionId"), 10: ("new_connection_id", "NewConnectionId"),
        11: ("certificate", "Certificate"), 12: ("server_key_exchange", "ServerKeyExchange"),
        13: ("certificate_request", "CertificateRequest"), 14: ("server_hello_done", "ServerHelloDone"),
        15: ("certificate_verify", "CertificateVerify"), 16: ("client_key_exchange", "ClientKeyExchange"),
        17: ("client_certificate_request", "ClientCertificateRequest"), 20: ("finished", "Finished"),
        21: ("certificate_url", "CertificateURL"), 22: ("certificate_status", "CertificateStatus"),
        23: ("supplemental_data", "SupplementalData"), 24: ("key_update", "KeyUpdate"),
        25: ("compressed_certificate", "CompressedCertificate"), 26: ("ekt_key", "EKTKey"),
        254: ("message_hash", "MessageHash"),
    ]

    /// RFC name ("client_hello"), or "unknown (N)".
    public var name: String { Self.table[rawValue]?.0 ?? "unknown (\(rawValue))" }
    /// Display name ("ClientHello"), or "Unknown(N)".
    public var displayName: String { Self.displayNames[Int(rawValue)] ?? "Unknown(\(rawValue))" }

    /// `table`'s display names by type byte: every handshake message on the timeline is named,
    /// and indexing is cheaper than hashing.
    private static let displayNames: [String?] = (0...255).map { table[UInt8($0)]?.1 }
    public var description: String { name }
}
