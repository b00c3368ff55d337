/// Which end of a connection did something. Named for the TLS roles: the client is the side that
/// opened the TCP connection (or, failing that, sent the ClientHello).
public enum Side: String, Sendable, Hashable, CaseIterable {
    case client
    case server

    public var peer: Side { self == .client ? .server : .client }
}

/// Lowercase hex without separators, the form the JSON contract uses for every byte string.
public func hexString<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
    // Certificate hashes and fingerprints are rendered for every connection: one allocation,
    // no per-character appends.
    let array = bytes as? [UInt8] ?? Array(bytes)
    return array.withUnsafeBufferPointer { source in
        String(unsafeUninitializedCapacity: source.count * 2) { out in
            for (index, byte) in source.enumerated() {
                out[2 * index] = hexDigits[Int(byte >> 4)]
                out[2 * index + 1] = hexDigits[Int(byte & 0x0f)]
            }
            return source.count * 2
        }
    }
}

private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
