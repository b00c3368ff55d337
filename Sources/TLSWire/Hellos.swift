/// ClientHello (RFC 8446 4.1.2, RFC 5246 7.4.1.2), or an SSLv2-compatible CLIENT-HELLO
/// (RFC 5246 E.2) mapped onto the same fields.
public struct ClientHello: Sendable, Hashable, HasExtensions {
    public var legacyVersion: ProtocolVersion
    /// 32 bytes; for SSLv2 form the challenge, right-aligned and zero-padded (RFC 6101 E.1).
    /// The byte fields are slices of the message they were read from: a hello is decoded on
    /// every connection, and copying each into an array of its own cost more than the decoding.
    public var randomBytes: ArraySlice<UInt8>
    public var sessionIDBytes: ArraySlice<UInt8>
    /// Offered cipher suites in order, GREASE included, as sent (big-endian pairs).
    public var cipherSuiteBytes: ArraySlice<UInt8>
    public var compressionMethodBytes: ArraySlice<UInt8>
    /// The extensions, walked in place (`extensions` builds the list).
    public private(set) var extensionBlock: ExtensionBlock
    /// False when the message ended after compression_methods (legal before TLS 1.3).
    public var hasExtensionBlock: Bool
    public var isSSLv2Compatible: Bool
    /// SSLv2 form only: every 3-byte CIPHER-SPEC, including SSLv2-only kinds.
    public var sslv2CipherSpecs: [UInt32]

    public init(parsing body: ArraySlice<UInt8>) throws(DecodeError) {
        var r = ByteReader(body)
        legacyVersion = ProtocolVersion(try r.readUInt16("legacy_version"))
        randomBytes = try r.readBytes(32, "random")
        var sid = try r.readLengthPrefixed(lengthBytes: 1, "legacy_session_id")
        if sid.remaining > 32 {
            throw DecodeError(field: "legacy_session_id", offset: sid.offset - 1, kind: .invalidLength(sid.remaining))
        }
        sessionIDBytes = sid.readRest()
        cipherSuiteBytes = try r.readUInt16VectorBytes(lengthBytes: 2, "cipher_suites", allowEmpty: false)
        var compression = try r.readNonEmptyLengthPrefixed(lengthBytes: 1, "legacy_compression_methods")
        compressionMethodBytes = compression.readRest()
        if r.isAtEnd {
            extensionBlock = .empty
            hasExtensionBlock = false
        } else {
            extensionBlock = try readExtensionBlock(&r, "extensions")
            hasExtensionBlock = true
            try r.expectEnd("ClientHello")
        }
        isSSLv2Compatible = false
        sslv2CipherSpecs = []
    }

    public init(parsing body: [UInt8]) throws(DecodeError) { try self.init(parsing: body[...]) }

    /// Parses an SSLv2 CLIENT-HELLO message, starting at its msg_type byte (the bytes after
    /// the 2-byte record header).
    public init(sslv2Message message: ArraySlice<UInt8>) throws(DecodeError) {
        var r = ByteReader(message)
        let type = try r.readUInt8("msg_type")
        guard type == SSLv2.clientHello else {
            throw DecodeError(field: "msg_type", offset: 0, kind: .invalidValue("\(type) is not CLIENT-HELLO (1)"))
        }
        legacyVersion = ProtocolVersion(try r.readUInt16("version"))
        let specsLength = Int(try r.readUInt16("cipher_spec_length"))
        let sessionLength = Int(try r.readUInt16("session_id_length"))
        let challengeLength = Int(try r.readUInt16("challenge_length"))
        guard specsLength > 0, specsLength % 3 == 0 else {
            throw DecodeError(field: "cipher_spec_length", offset: 3, kind: .invalidLength(specsLength))
        }
        guard sessionLength == 0 || sessionLength == 16 else {
            throw DecodeError(field: "session_id_length", offset: 5, kind: .invalidLength(sessionLength))
        }
        guard (16...32).contains(challengeLength) else {
            throw DecodeError(field: "challenge_length", offset: 7, kind: .invalidLength(challengeLength))
        }
        var specs = ByteReader(try r.readBytes(specsLength, "cipher_specs"), baseOffset: 9)
        sslv2CipherSpecs = []
        var suites: [UInt8] = []
        while !specs.isAtEnd {
            let spec = try specs.readUInt24("cipher_spec")
            sslv2CipherSpecs.append(spec)
            if spec >> 16 == 0 { suites += [UInt8(truncatingIfNeeded: spec >> 8), UInt8(truncatingIfNeeded: spec)] }
        }
        cipherSuiteBytes = suites[...]
        sessionIDBytes = try r.readBytes(sessionLength, "session_id")
        let challenge = try r.readBytes(challengeLength, "challenge")
        try r.expectEnd("CLIENT-HELLO")
        randomBytes = ([UInt8](repeating: 0, count: 32 - challengeLength) + challenge)[...]
        compressionMethodBytes = [0]
        extensionBlock = .empty
        hasExtensionBlock = false
        isSSLv2Compatible = true
    }

    public var random: [UInt8] { Array(randomBytes) }
    public var sessionID: [UInt8] { Array(sessionIDBytes) }
    public var compressionMethods: [UInt8] { Array(compressionMethodBytes) }
    /// Offered cipher suites in order, GREASE included.
    public var cipherSuites: [UInt16] { uint16Values(cipherSuiteBytes) }

    public var extensions: [TLSExtension] { extensionBlock.list }
    public func extensionNamed(_ type: ExtensionType) -> TLSExtension? { extensionBlock.first(type) }
    public func has(_ type: ExtensionType) -> Bool { extensionBlock.contains(type) }

    // MARK: Typed extension accessors (nil when the extension is absent)

    public func supportedVersions() throws(DecodeError) -> [ProtocolVersion]? {
        guard let ext = extensionNamed(.supportedVersions) else { return nil }
        return try ExtensionDecoders.supportedVersionsList(ext)
    }

    /// Length of the ticket in session_ticket (0 = "I support tickets", nil = absent).
    public var sessionTicketLength: Int? { extensionNamed(.sessionTicket)?.body.count }

    public func preSharedKey() throws(DecodeError) -> OfferedPSKs? {
        guard let ext = extensionNamed(.preSharedKey) else { return nil }
        return try ExtensionDecoders.offeredPSKs(ext)
    }

    /// Groups of the offered key shares (key_share, or the pre-draft-23 code point 40).
    public func keyShareGroups() throws(DecodeError) -> [NamedGroup]? {
        guard let ext = keyShareExtension else { return nil }
        return try ExtensionDecoders.clientKeyShareGroups(ext)
    }

    /// key_share, or the pre-draft-23 code point 40 when key_share is absent.
    public var keyShareExtension: TLSExtension? { extensionNamed(.keyShare) ?? extensionNamed(.draftKeyShare) }

    public func supportedGroups() throws(DecodeError) -> [NamedGroup]? {
        guard let ext = extensionNamed(.supportedGroups) else { return nil }
        return try ExtensionDecoders.supportedGroups(ext)
    }

    public func ecPointFormats() throws(DecodeError) -> [UInt8]? {
        guard let ext = extensionNamed(.ecPointFormats) else { return nil }
        return try ExtensionDecoders.ecPointFormats(ext)
    }

    public func renegotiationInfo() throws(DecodeError) -> [UInt8]? {
        guard let ext = extensionNamed(.renegotiationInfo) else { return nil }
        return try ExtensionDecoders.renegotiationInfo(ext)
    }

    public var hasExtendedMasterSecret: Bool { has(.extendedMasterSecret) }
    public var hasStatusRequest: Bool { has(.statusRequest) }
    /// RFC 5746 3.3: the SCSV stands in for an empty renegotiation_info.
    public var signalsSecureRenegotiation: Bool { has(.renegotiationInfo) || cipherSuites.contains(0x00FF) }

    public func encryptedClientHello() throws(DecodeError) -> EncryptedClientHello? {
        guard let ext = extensionNamed(.encryptedClientHello) else { return nil }
        return try ExtensionDecoders.encryptedClientHello(ext)
    }

    /// The highest non-GREASE supported_versions entry, else legacy_version.
    public var highestOfferedVersion: ProtocolVersion {
        let offered = ((try? supportedVersions()) ?? nil)?.filter { !$0.isGREASE } ?? []
        return offered.max() ?? legacyVersion
    }
}

/// ServerHello (RFC 8446 4.1.3, RFC 5246 7.4.1.3), including HelloRetryRequest and the
/// pre-draft-22 TLS 1.3 layout that lacked session id and compression.
public struct ServerHello: Sendable, Hashable, HasExtensions {
    /// RFC 8446 4.1.3: SHA-256("HelloRetryRequest").
    public static let helloRetryRequestRandom: [UInt8] = [
        0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
        0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
    ]

    public var legacyVersion: ProtocolVersion
    /// Slices of the message, as in `ClientHello`.
    public var randomBytes: ArraySlice<UInt8>
    public var sessionIDBytes: ArraySlice<UInt8>
    public var cipherSuite: CipherSuite
    public var compressionMethod: UInt8
    /// The extensions, walked in place (`extensions` builds the list).
    public private(set) var extensionBlock: ExtensionBlock
    /// True for drafts before 22, whose ServerHello had no session id or compression.
    public var isDraftLayout: Bool

    public init(parsing body: ArraySlice<UInt8>) throws(DecodeError) {
        var peek = ByteReader(body)
        let version = (try? peek.readUInt16("legacy_version")) ?? 0
        let draftLayout = (version >> 8 == 0x7f && version & 0xff < 22)
        do {
            try self.init(parsing: body, draftLayout: draftLayout)
        } catch {
            // Chrome's 2017 experiments (0x7e0X) are drafts in between; accept either layout.
            guard version >> 8 == 0x7e else { throw error }
            try self.init(parsing: body, draftLayout: true)
        }
    }

    public init(parsing body: [UInt8]) throws(DecodeError) { try self.init(parsing: body[...]) }

    private init(parsing body: ArraySlice<UInt8>, draftLayout: Bool) throws(DecodeError) {
        var r = ByteReader(body)
        legacyVersion = ProtocolVersion(try r.readUInt16("legacy_version"))
        randomBytes = try r.readBytes(32, "random")
        if draftLayout {
            sessionIDBytes = []
            cipherSuite = CipherSuite(try r.readUInt16("cipher_suite"))
            compressionMethod = 0
        } else {
            var sid = try r.readLengthPrefixed(lengthBytes: 1, "legacy_session_id_echo")
            if sid.remaining > 32 {
                throw DecodeError(
                    field: "legacy_session_id_echo", offset: sid.offset - 1, kind: .invalidLength(sid.remaining))
            }
            sessionIDBytes = sid.readRest()
            cipherSuite = CipherSuite(try r.readUInt16("cipher_suite"))
            compressionMethod = try r.readUInt8("legacy_compression_method")
        }
        extensionBlock = r.isAtEnd ? .empty : try readExtensionBlock(&r, "extensions")
        try r.expectEnd("ServerHello")
        isDraftLayout = draftLayout
    }

    public var random: [UInt8] { Array(randomBytes) }
    public var sessionID: [UInt8] { Array(sessionIDBytes) }

    public var extensions: [TLSExtension] { extensionBlock.list }
    public func extensionNamed(_ type: ExtensionType) -> TLSExtension? { extensionBlock.first(type) }
    public func has(_ type: ExtensionType) -> Bool { extensionBlock.contains(type) }

    public var isHelloRetryRequest: Bool { randomBytes.elementsEqual(Self.helloRetryRequestRandom) }

    public func selectedVersion() throws(DecodeError) -> ProtocolVersion? {
        guard let ext = extensionNamed(.supportedVersions) else { return nil }
        return try ExtensionDecoders.selectedVersion(ext)
    }

    /// supported_versions when present and valid, else legacy_version.
    public var negotiatedVersion: ProtocolVersion { ((try? selectedVersion()) ?? nil) ?? legacyVersion }

    public func selectedPSKIdentity() throws(DecodeError) -> UInt16? {
        guard let ext = extensionNamed(.preSharedKey) else { return nil }
        return try ExtensionDecoders.selectedIdentity(ext)
    }

    public func keyShareGroup() throws(DecodeError) -> NamedGroup? {
        guard let ext = extensionNamed(.keyShare) ?? extensionNamed(.draftKeyShare) else { return nil }
        return try ExtensionDecoders.serverKeyShareGroup(ext, helloRetryRequest: isHelloRetryRequest)
    }

    /// The protocol the server selected (RFC 7301: exactly one name).
    public func alpnProtocol() throws(DecodeError) -> String? {
        guard let ext = extensionNamed(.applicationLayerProtocolNegotiation) else { return nil }
        let names = try ExtensionDecoders.alpnProtocols(ext)
        guard names.count == 1 else {
            throw DecodeError(
                field: "application_layer_protocol_negotiation", offset: ext.dataOffset,
                kind: .invalidValue("server selected \(names.count) protocols, not 1"))
        }
        return names[0]
    }

    public var hasExtendedMasterSecret: Bool { has(.extendedMasterSecret) }
}
