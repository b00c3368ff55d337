/// A protocol version code point as it appears in records, hellos and supported_versions.
public struct ProtocolVersion: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }
    public init(major: UInt8, minor: UInt8) { self.rawValue = UInt16(major) << 8 | UInt16(minor) }

    public static let sslv2 = ProtocolVersion(0x0002)
    public static let sslv3 = ProtocolVersion(0x0300)
    public static let tls10 = ProtocolVersion(0x0301)
    public static let tls11 = ProtocolVersion(0x0302)
    public static let tls12 = ProtocolVersion(0x0303)
    public static let tls13 = ProtocolVersion(0x0304)

    public var major: UInt8 { UInt8(rawValue >> 8) }
    public var minor: UInt8 { UInt8(rawValue & 0xff) }
    public var isGREASE: Bool { TLSWire.isGREASE(rawValue) }

    /// Pre-RFC 8446 drafts (0x7fNN) and the 2017 middlebox experiments (0x7e01...) and
    /// Facebook's variants (0xfb17, 0xfb1a) all speak a form of TLS 1.3.
    public var isTLS13Variant: Bool {
        rawValue == 0x0304 || major == 0x7f || (rawValue >= 0x7e01 && rawValue <= 0x7e0f) || rawValue == 0xfb17
            || rawValue == 0xfb1a
    }

    /// The draft number for 0x7fNN versions.
    public var draftNumber: Int? { major == 0x7f ? Int(minor) : nil }

    public var name: String {
        switch rawValue {
        case 0x0002: return "SSL 2.0"
        case 0x0300: return "SSL 3.0"
        case 0x0301: return "TLS 1.0"
        case 0x0302: return "TLS 1.1"
        case 0x0303: return "TLS 1.2"
        case 0x0304: return "TLS 1.3"
        case 0xfeff: return "DTLS 1.0"
        case 0xfefd: return "DTLS 1.2"
        case 0xfefc: return "DTLS 1.3"
        case 0xfb17: return "TLS 1.3 (Facebook draft 23)"
        case 0xfb1a: return "TLS 1.3 (Facebook draft 26)"
        default: break
        }
        if let draft = draftNumber { return "TLS 1.3 (draft \(draft))" }
        if rawValue >= 0x7e01 && rawValue <= 0x7e0f {
            let n = rawValue - 0x7e00
            return n == 1 ? "TLS 1.3 (experiment)" : "TLS 1.3 (experiment \(n))"
        }
        if isGREASE { return "GREASE" }
        return hex4(rawValue)
    }

    public var description: String { name }

    /// JA4's two-character version code (FoxIO JA4 spec, "TLS and DTLS Version").
    public var ja4Code: String {
        switch rawValue {
        case 0x0304: "13"
        case 0x0303: "12"
        case 0x0302: "11"
        case 0x0301: "10"
        case 0x0300: "s3"
        case 0x0002: "s2"
        case 0xfeff: "d1"
        case 0xfefd: "d2"
        case 0xfefc: "d3"
        default: "00"
        }
    }

    public static func < (a: ProtocolVersion, b: ProtocolVersion) -> Bool { a.rawValue < b.rawValue }
}

/// TLSPlaintext.type (RFC 8446 5.1, RFC 6520 for heartbeat).
public enum ContentType: Sendable, Hashable, CustomStringConvertible {
    case changeCipherSpec
    case alert
    case handshake
    case applicationData
    case heartbeat
    case other(UInt8)

    public init(_ value: UInt8) {
        switch value {
        case 20: self = .changeCipherSpec
        case 21: self = .alert
        case 22: self = .handshake
        case 23: self = .applicationData
        case 24: self = .heartbeat
        default: self = .other(value)
        }
    }

    public var rawValue: UInt8 {
        switch self {
        case .changeCipherSpec: 20
        case .alert: 21
        case .handshake: 22
        case .applicationData: 23
        case .heartbeat: 24
        case .other(let v): v
        }
    }

    public var description: String {
        switch self {
        case .changeCipherSpec: "change_cipher_spec"
        case .alert: "alert"
        case .handshake: "handshake"
        case .applicationData: "application_data"
        case .heartbeat: "heartbeat"
        case .other(let v): "unknown (\(v))"
        }
    }
}
