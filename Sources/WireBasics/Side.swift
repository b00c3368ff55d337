/// Which end of a connection did something. Named for the TLS roles: the client is the side that
/// opened the TCP connection (or, failing that, sent the ClientHello).
public enum Side: String, Sendable, Hashable, CaseIterable {
    case client
    case server

    public var peer: Side { self == .client ? .server : .client }
}

/// Lowercase hex without separators, the form the JSON contract uses for every byte string.
public func hexString<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
    let digits: [UInt8] = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.underestimatedCount * 2)
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: out, as: UTF8.self)
}
