/// Which end of a connection did something. Named for the TLS roles: the client is the side that
/// opened the TCP connection (or, failing that, sent the ClientHello).
public enum Side: String, Sendable, Hashable, CaseIterable {
    case client
    case server

    public var peer: Side { self == .client ? .server : .client }
}

/// Lowercase hex without separators, the form the JSON contract uses for every byte string.
@inlinable
public func hexString<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
    // Inlinable so that arrays and slices reach the buffer directly in every module (no
    // dynamic cast, no copy into an array): session IDs and ticket heads are rendered for every
    // connection.
    if let text = bytes.withContiguousStorageIfAvailable({ hexString(buffer: $0) }) { return text }
    return Array(bytes).withUnsafeBufferPointer { hexString(buffer: $0) }
}

/// `hexString` of a buffer: one allocation, no per-character appends.
public func hexString(buffer source: UnsafeBufferPointer<UInt8>) -> String {
    String(unsafeUninitializedCapacity: source.count * 2) { out in
        for (index, byte) in source.enumerated() {
            out[2 * index] = hexDigit(byte >> 4)
            out[2 * index + 1] = hexDigit(byte & 0x0f)
        }
        return source.count * 2
    }
}

/// ASCII of a nibble, computed: a table in a global costs an initialisation check and a bounds
/// check per digit.
@inline(__always)
private func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 &+ nibble : 0x57 &+ nibble }
