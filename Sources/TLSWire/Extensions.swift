/// One extension as sent (RFC 8446 4.2). Unknown types are kept raw.
public struct TLSExtension: Sendable, Hashable {
    public var type: ExtensionType
    /// The extension_data bytes: a slice of the message body they were read from, so decoding
    /// a hello does not copy each extension out of it.
    public var body: ArraySlice<UInt8>
    /// Offset of `data` within the message body, so typed decoders report real offsets.
    public var dataOffset: Int

    public init(type: ExtensionType, data: [UInt8], dataOffset: Int = 0) {
        self.init(type: type, body: data[...], dataOffset: dataOffset)
    }

    public init(type: ExtensionType, body: ArraySlice<UInt8>, dataOffset: Int = 0) {
        self.type = type
        self.body = body
        self.dataOffset = dataOffset
    }

    /// extension_data as an array of its own (a copy; `body` avoids it).
    public var data: [UInt8] {
        get { Array(body) }
        set { body = newValue[...] }
    }

    /// A reader over `data` that reports offsets within the enclosing message body.
    public var reader: ByteReader { ByteReader(body, baseOffset: dataOffset) }
}

/// Reads `Extension extensions<0..2^16-1>` (RFC 8446 4.1.2).
func readExtensions(_ r: inout ByteReader, _ field: String) throws(DecodeError) -> [TLSExtension] {
    try readExtensionBlock(&r, field).list
}

/// Reads `Extension extensions<0..2^16-1>` as a block walked in place, with `readExtensions`'s
/// checks and errors.
func readExtensionBlock(_ r: inout ByteReader, _ field: String) throws(DecodeError) -> ExtensionBlock {
    var list = try r.readLengthPrefixed(lengthBytes: 2, field)
    let block = ExtensionBlock(bytes: list.bytes, offset: list.offset)
    // Usually every entry is complete; otherwise the checked walk names the problem.
    if ExtensionBlock.entryCount(block.bytes) == nil { _ = try readExtensionsChecked(&list, field) }
    return block
}

/// The checked walk: the same extensions as an `ExtensionBlock` of well-formed entries, and for
/// a malformed list the error that names the problem.
func readExtensionsChecked(_ list: inout ByteReader, _ field: String) throws(DecodeError) -> [TLSExtension] {
    var out: [TLSExtension] = []
    // Each extension takes at least 4 bytes; hellos carry 10-20 of them.
    out.reserveCapacity(min(list.remaining / 4, 32))
    while !list.isAtEnd {
        let type = ExtensionType(try list.readUInt16("\(field): extension type"))
        let data = try list.readUInt16LengthPrefixedBytes("\(field): \(type.name) extension")
        out.append(TLSExtension(type: type, body: data.bytes, dataOffset: data.offset))
    }
    return out
}

/// Typed decoders for extension bodies, shared by every message that carries extensions.
public enum ExtensionDecoders {
    /// RFC 6066 3: ServerNameList; returns host_name entries. An empty body is the server's
    /// acknowledgement and yields [].
    public static func serverNames(_ ext: TLSExtension) throws(DecodeError) -> [String] {
        var names: [String] = []
        try forEachHostName(ext) { names.append(String(decoding: $0, as: UTF8.self)) }
        return names
    }

    /// The first of `serverNames`, with the whole list checked as `serverNames` checks it; only
    /// that name is made a string (the SNI a connection reports).
    public static func firstServerName(_ ext: TLSExtension) throws(DecodeError) -> String? {
        if let first = firstHostNameIfWellFormed(ext.body) { return first.map { String(decoding: $0, as: UTF8.self) } }
        var first: ArraySlice<UInt8>?
        try forEachHostName(ext) { if first == nil { first = $0 } }
        return first.map { String(decoding: $0, as: UTF8.self) }
    }

    /// The first host_name of a ServerNameList that passes every check `forEachHostName` makes
    /// (`.some(nil)` when it has none); nil when one fails, for the checked walk to name it.
    /// Read by index: the SNI is decoded on every connection.
    static func firstHostNameIfWellFormed(_ body: ArraySlice<UInt8>) -> ArraySlice<UInt8>?? {
        var i = body.startIndex
        let end = body.endIndex
        if i == end { return .some(nil) }
        guard end &- i >= 2 else { return nil }
        let listLength = Int(body[i]) << 8 | Int(body[i &+ 1])
        i &+= 2
        guard listLength > 0, listLength == end &- i else { return nil }
        var first: ArraySlice<UInt8>?
        while i != end {
            guard end &- i >= 3 else { return nil }
            let nameType = body[i]
            let length = Int(body[i &+ 1]) << 8 | Int(body[i &+ 2])
            i &+= 3
            guard length > 0, end &- i >= length else { return nil }
            if nameType == 0 && first == nil { first = body[i..<(i &+ length)] }
            i &+= length
        }
        return .some(first)
    }

    /// Walks the ServerNameList, handing over each host_name's bytes.
    private static func forEachHostName(_ ext: TLSExtension, _ body: (ArraySlice<UInt8>) -> Void) throws(DecodeError) {
        var r = ext.reader
        if r.isAtEnd { return }
        var list = try r.readNonEmptyLengthPrefixed(lengthBytes: 2, "server_name_list")
        try r.expectEnd("server_name extension")
        while !list.isAtEnd {
            let nameType = try list.readUInt8("server_name name_type")
            var name = try list.readNonEmptyLengthPrefixed(lengthBytes: 2, "server_name HostName")
            if nameType == 0 { body(name.readRest()) }
        }
    }

    /// Client form (RFC 8446 4.2.1): ProtocolVersion versions<2..254>.
    public static func supportedVersionsList(_ ext: TLSExtension) throws(DecodeError) -> [ProtocolVersion] {
        var r = ext.reader
        let values = try r.readUInt16Vector(lengthBytes: 1, "supported_versions", allowEmpty: false)
        try r.expectEnd("supported_versions extension")
        return values.map { ProtocolVersion($0) }
    }

    /// Server form (RFC 8446 4.2.1): a single selected_version.
    public static func selectedVersion(_ ext: TLSExtension) throws(DecodeError) -> ProtocolVersion {
        var r = ext.reader
        let value = try r.readUInt16("selected_version")
        try r.expectEnd("supported_versions extension")
        return ProtocolVersion(value)
    }

    /// RFC 7301 3.1: ProtocolName protocol_name_list<2..2^16-1>, each ProtocolName<1..2^8-1>.
    public static func alpnProtocolBytes(_ ext: TLSExtension) throws(DecodeError) -> [[UInt8]] {
        var r = ext.reader
        var list = try r.readNonEmptyLengthPrefixed(lengthBytes: 2, "protocol_name_list")
        try r.expectEnd("application_layer_protocol_negotiation extension")
        var out: [[UInt8]] = []
        while !list.isAtEnd {
            var name = try list.readNonEmptyLengthPrefixed(lengthBytes: 1, "ProtocolName")
            out.append(Array(name.readRest()))
        }
        return out
    }

    public static func alpnProtocols(_ ext: TLSExtension) throws(DecodeError) -> [String] {
        try alpnProtocolBytes(ext).map { String(decoding: $0, as: UTF8.self) }
    }

    /// NamedGroup named_group_list<2..2^16-1> (RFC 8446 4.2.7).
    public static func supportedGroups(_ ext: TLSExtension) throws(DecodeError) -> [NamedGroup] {
        var r = ext.reader
        let values = try r.readUInt16Vector(lengthBytes: 2, "named_group_list", allowEmpty: false)
        try r.expectEnd("supported_groups extension")
        return values.map { NamedGroup($0) }
    }

    /// SignatureScheme supported_signature_algorithms<2..2^16-2> (RFC 8446 4.2.3).
    public static func signatureAlgorithms(_ ext: TLSExtension) throws(DecodeError) -> [SignatureScheme] {
        var r = ext.reader
        let values = try r.readUInt16Vector(lengthBytes: 2, "supported_signature_algorithms", allowEmpty: false)
        try r.expectEnd("\(ext.type.name) extension")
        return values.map { SignatureScheme($0) }
    }

    /// ECPointFormat ec_point_format_list<1..2^8-1> (RFC 8422 5.1.2).
    public static func ecPointFormats(_ ext: TLSExtension) throws(DecodeError) -> [UInt8] {
        var r = ext.reader
        var list = try r.readNonEmptyLengthPrefixed(lengthBytes: 1, "ec_point_format_list")
        try r.expectEnd("ec_point_formats extension")
        return Array(list.readRest())
    }

    /// renegotiated_connection<0..255> (RFC 5746 3.2).
    public static func renegotiationInfo(_ ext: TLSExtension) throws(DecodeError) -> [UInt8] {
        var r = ext.reader
        var value = try r.readLengthPrefixed(lengthBytes: 1, "renegotiated_connection")
        try r.expectEnd("renegotiation_info extension")
        return Array(value.readRest())
    }

    /// Client key_share (RFC 8446 4.2.8): KeyShareEntry client_shares<0..2^16-1>.
    public static func clientKeyShareGroups(_ ext: TLSExtension) throws(DecodeError) -> [NamedGroup] {
        var groups: [NamedGroup] = []
        try forEachClientKeyShareGroup(ext) { groups.append(NamedGroup($0)) }
        return groups
    }

    /// Walks client_shares as `clientKeyShareGroups` does, handing over each entry's group.
    public static func forEachClientKeyShareGroup(_ ext: TLSExtension, _ body: (UInt16) -> Void)
        throws(DecodeError)
    {
        var r = ext.reader
        var list = try r.readLengthPrefixed(lengthBytes: 2, "client_shares")
        try r.expectEnd("key_share extension")
        while !list.isAtEnd {
            body(try list.readUInt16("KeyShareEntry group"))
            _ = try list.readNonEmptyLengthPrefixed(lengthBytes: 2, "KeyShareEntry key_exchange")
        }
    }

    /// Server key_share: a KeyShareEntry in a ServerHello, a bare NamedGroup in an HRR.
    public static func serverKeyShareGroup(_ ext: TLSExtension, helloRetryRequest: Bool) throws(DecodeError)
        -> NamedGroup
    {
        var r = ext.reader
        let group = NamedGroup(try r.readUInt16("key_share group"))
        if !helloRetryRequest { _ = try r.readNonEmptyLengthPrefixed(lengthBytes: 2, "KeyShareEntry key_exchange") }
        try r.expectEnd("key_share extension")
        return group
    }

    /// Server pre_shared_key (RFC 8446 4.2.11): uint16 selected_identity.
    public static func selectedIdentity(_ ext: TLSExtension) throws(DecodeError) -> UInt16 {
        var r = ext.reader
        let value = try r.readUInt16("selected_identity")
        try r.expectEnd("pre_shared_key extension")
        return value
    }

    /// Client pre_shared_key (RFC 8446 4.2.11): OfferedPsks.
    public static func offeredPSKs(_ ext: TLSExtension) throws(DecodeError) -> OfferedPSKs {
        var r = ext.reader
        var identities = try r.readNonEmptyLengthPrefixed(lengthBytes: 2, "identities")
        var binders = try r.readNonEmptyLengthPrefixed(lengthBytes: 2, "binders")
        try r.expectEnd("pre_shared_key extension")
        var result = OfferedPSKs(identities: [], binders: [])
        while !identities.isAtEnd {
            var identity = try identities.readNonEmptyLengthPrefixed(lengthBytes: 2, "PskIdentity identity")
            let age = try identities.readUInt32("PskIdentity obfuscated_ticket_age")
            result.identities.append(.init(identity: Array(identity.readRest()), obfuscatedTicketAge: age))
        }
        while !binders.isAtEnd {
            var binder = try binders.readLengthPrefixed(lengthBytes: 1, "PskBinderEntry")
            guard binder.remaining >= 32 else {
                throw DecodeError(
                    field: "PskBinderEntry", offset: binder.offset, kind: .invalidLength(binder.remaining))
            }
            result.binders.append(Array(binder.readRest()))
        }
        return result
    }

    /// status_request (RFC 6066 8): the CertificateStatusType (1 = ocsp). An empty body is
    /// the server's acknowledgement and yields nil.
    public static func statusType(_ ext: TLSExtension) throws(DecodeError) -> UInt8? {
        var r = ext.reader
        if r.isAtEnd { return nil }
        return try r.readUInt8("status_type")
    }

    /// encrypted_client_hello (draft-ietf-tls-esni, 0xfe0d) as a client sends it.
    public static func encryptedClientHello(_ ext: TLSExtension) throws(DecodeError) -> EncryptedClientHello {
        var r = ext.reader
        let type = try r.readUInt8("ECHClientHello type")
        switch type {
        case 0:
            let kdf = try r.readUInt16("HpkeSymmetricCipherSuite kdf_id")
            let aead = try r.readUInt16("HpkeSymmetricCipherSuite aead_id")
            let configID = try r.readUInt8("config_id")
            var enc = try r.readLengthPrefixed(lengthBytes: 2, "enc")
            var payload = try r.readNonEmptyLengthPrefixed(lengthBytes: 2, "payload")
            try r.expectEnd("encrypted_client_hello extension")
            return .outer(
                kdfID: kdf, aeadID: aead, configID: configID, enc: Array(enc.readRest()),
                payloadLength: payload.readRest().count)
        case 1:
            try r.expectEnd("encrypted_client_hello extension")
            return .inner
        default:
            throw DecodeError(field: "ECHClientHello type", offset: ext.dataOffset, kind: .invalidValue("\(type)"))
        }
    }
}

public struct OfferedPSKs: Sendable, Hashable {
    public struct Identity: Sendable, Hashable {
        public var identity: [UInt8]
        public var obfuscatedTicketAge: UInt32
    }
    public var identities: [Identity]
    public var binders: [[UInt8]]
}

public enum EncryptedClientHello: Sendable, Hashable {
    case outer(kdfID: UInt16, aeadID: UInt16, configID: UInt8, enc: [UInt8], payloadLength: Int)
    case inner
}

/// Lookups shared by every message that has an extension list.
public protocol HasExtensions {
    var extensions: [TLSExtension] { get }
    /// The first extension of `type`.
    func extensionNamed(_ type: ExtensionType) -> TLSExtension?
    func has(_ type: ExtensionType) -> Bool
}

extension HasExtensions {
    public func extensionNamed(_ type: ExtensionType) -> TLSExtension? { extensions.first { $0.type == type } }
    public func has(_ type: ExtensionType) -> Bool { extensions.contains { $0.type == type } }
    public var extensionTypes: [ExtensionType] { extensions.map(\.type) }

    public func alpnProtocols() throws(DecodeError) -> [String]? {
        guard let ext = extensionNamed(.applicationLayerProtocolNegotiation) else { return nil }
        return try ExtensionDecoders.alpnProtocols(ext)
    }

    public func signatureAlgorithms() throws(DecodeError) -> [SignatureScheme]? {
        guard let ext = extensionNamed(.signatureAlgorithms) else { return nil }
        return try ExtensionDecoders.signatureAlgorithms(ext)
    }

    public func serverNames() throws(DecodeError) -> [String]? {
        guard let ext = extensionNamed(.serverName) else { return nil }
        return try ExtensionDecoders.serverNames(ext)
    }

    public var hasEarlyData: Bool { has(.earlyData) }
}
