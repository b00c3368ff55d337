@testable import TLSWire

/// Builds handshake bodies byte by byte so each test can break exactly one length.
struct HelloBuilder {
    var version: UInt16 = 0x0303
    var random = [UInt8](repeating: 0x11, count: 32)
    var sessionID: [UInt8] = []
    var cipherSuites: [UInt16] = [0x1301, 0xc02f]
    var compression: [UInt8] = [0]
    var extensions: [(UInt16, [UInt8])] = []
    var omitExtensionBlock = false

    func clientHello() -> [UInt8] {
        var out = u16(Int(version)) + random
        out += [UInt8(sessionID.count)] + sessionID
        out += u16(cipherSuites.count * 2) + cipherSuites.flatMap { u16(Int($0)) }
        out += [UInt8(compression.count)] + compression
        if !omitExtensionBlock { out += Self.extensionBlock(extensions) }
        return out
    }

    func serverHello(cipher: UInt16 = 0xc02f) -> [UInt8] {
        var out = u16(Int(version)) + random
        out += [UInt8(sessionID.count)] + sessionID
        out += u16(Int(cipher)) + [0]
        if !omitExtensionBlock { out += Self.extensionBlock(extensions) }
        return out
    }

    static func extensionBlock(_ extensions: [(UInt16, [UInt8])]) -> [UInt8] {
        let body: [UInt8] = extensions.flatMap { e -> [UInt8] in u16(Int(e.0)) + u16(e.1.count) + e.1 }
        return u16(body.count) + body
    }
}

enum Ext {
    static func sni(_ names: String...) -> (UInt16, [UInt8]) {
        let list: [UInt8] = names.flatMap { name -> [UInt8] in [UInt8(0)] + u16(name.utf8.count) + Array(name.utf8) }
        return (0x0000, u16(list.count) + list)
    }
    static func alpn(_ protocols: [UInt8]...) -> (UInt16, [UInt8]) {
        let list: [UInt8] = protocols.flatMap { p -> [UInt8] in [UInt8(p.count)] + p }
        return (0x0010, u16(list.count) + list)
    }
    static func alpn(_ names: String...) -> (UInt16, [UInt8]) {
        let list: [UInt8] = names.flatMap { n -> [UInt8] in [UInt8(n.utf8.count)] + Array(n.utf8) }
        return (0x0010, u16(list.count) + list)
    }
    static func u16List(_ type: UInt16, _ values: [UInt16]) -> (UInt16, [UInt8]) {
        (type, u16(values.count * 2) + values.flatMap { u16(Int($0)) })
    }
    static func supportedVersions(_ values: UInt16...) -> (UInt16, [UInt8]) {
        (0x002b, [UInt8(values.count * 2)] + values.flatMap { u16(Int($0)) })
    }
    static func groups(_ values: UInt16...) -> (UInt16, [UInt8]) { u16List(0x000a, values) }
    static func signatureAlgorithms(_ values: UInt16...) -> (UInt16, [UInt8]) { u16List(0x000d, values) }
    static func keyShare(_ groups: UInt16...) -> (UInt16, [UInt8]) {
        let list: [UInt8] = groups.flatMap { g -> [UInt8] in u16(Int(g)) + u16(32) + [UInt8](repeating: 7, count: 32) }
        return (0x0033, u16(list.count) + list)
    }
    static let pointFormats: (UInt16, [UInt8]) = (0x000b, [1, 0])
}
