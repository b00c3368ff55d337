import TLSWire
import WireBasics

/// The part of a `ClientHelloInfo` that a client stack sends the same way on every connection:
/// versions, cipher suites, ALPN, groups, signature algorithms and the JA3/JA4 fingerprints.
/// Worked out once per distinct hello (by `HelloKey`) and shared, so a repeat costs one hash
/// lookup instead of a few hundred registry lookups and string builds. SNI, session ID, tickets
/// and key shares differ per connection and are not part of it.
struct ClientHelloProfile: Sendable {
    var legacyVersion: String
    var supportedVersions: [String]
    var cipherSuites: [String]
    var alpn: [String]
    var groups: [String]
    var signatureAlgorithms: [String]
    var ja3String: String
    var ja3: String
    var ja4: String

    init(_ hello: ClientHello) {
        legacyVersion = hello.legacyVersion.name
        supportedVersions = ((try? hello.supportedVersions()) ?? nil)?.map(\.name) ?? []
        cipherSuites = hello.cipherSuites.map { CipherSuite($0).name }
        alpn = ((try? hello.alpnProtocols()) ?? nil) ?? []
        groups = ((try? hello.supportedGroups()) ?? nil)?.map(\.name) ?? []
        signatureAlgorithms = ((try? hello.signatureAlgorithms()) ?? nil)?.map(\.name) ?? []
        let ja3 = JA3(hello)
        ja3String = ja3.string
        self.ja3 = ja3.hash
        ja4 = JA4(hello).ja4
    }

    /// The profile of `hello`, from the shared cache when an identical hello was seen before.
    static func of(_ hello: ClientHello) -> ClientHelloProfile {
        // Everything `init` reads: legacy_version, the suites, the extension types in order and
        // the bodies of the extensions it decodes (the first of each type is the one decoded).
        let key = HelloKey(
            version: hello.legacyVersion.rawValue, values: hello.cipherSuites, extensions: hello.extensions
        ) {
            switch $0 {
            case .supportedGroups, .ecPointFormats, .signatureAlgorithms, .applicationLayerProtocolNegotiation,
                .supportedVersions:
                true
            default: false
            }
        }
        guard let key else { return ClientHelloProfile(hello) }
        if let cached = cache.lookup(key) { return cached }
        let profile = ClientHelloProfile(hello)
        cache.store(key, profile)
        return profile
    }

    private static let cache = SharedCache<HelloKey, ClientHelloProfile>(capacity: 1024)
}

/// The part of a `ServerHelloInfo` that a server stack answers the same way to the same hello:
/// negotiated version, cipher suite name, ALPN choice and JA4S.
struct ServerHelloProfile: Sendable {
    var version: ProtocolVersion
    var versionName: String
    var cipherSuite: String
    var alpn: String?
    var ja4s: String

    init(_ hello: ServerHello) {
        version = hello.negotiatedVersion
        versionName = version.name
        cipherSuite = hello.cipherSuite.name
        alpn = (try? hello.alpnProtocol()) ?? nil
        ja4s = JA4S(hello).ja4s
    }

    static func of(_ hello: ServerHello) -> ServerHelloProfile {
        // legacy_version, the suite, the extension types in order, and the bodies of
        // supported_versions and ALPN: everything `init` reads.
        let key = HelloKey(
            version: hello.legacyVersion.rawValue, values: CollectionOfOne(hello.cipherSuite.rawValue),
            extensions: hello.extensions
        ) { $0 == .supportedVersions || $0 == .applicationLayerProtocolNegotiation }
        guard let key else { return ServerHelloProfile(hello) }
        if let cached = cache.lookup(key) { return cached }
        let profile = ServerHelloProfile(hello)
        cache.store(key, profile)
        return profile
    }

    private static let cache = SharedCache<HelloKey, ServerHelloProfile>(capacity: 1024)
}

/// A hello's inputs to a profile, serialised: a version, a list of 16-bit values (suites), the
/// extension types in order, then the body of each extension the profile decodes, each after
/// its length. The layout is unambiguous, so equal keys mean equal inputs and equal profiles,
/// whatever the bodies hold (malformed ones decode to the same empty lists again).
struct HelloKey: Hashable, Sendable {
    var bytes: [UInt8]

    /// Keys past this size are not cached: hostile hellos must not fill memory through the
    /// cache, and real stacks stay far below it (Chrome's hello gives about 150 bytes).
    static let limit = 1024

    /// nil when the key would be over `limit`.
    init?<Values: Collection<UInt16>>(
        version: UInt16, values: Values, extensions: [TLSExtension], decodes: (ExtensionType) -> Bool
    ) {
        var size = 2 + 2 + 2 * values.count + 2 + 2 * extensions.count
        for ext in extensions where decodes(ext.type) { size += 2 + ext.body.count }
        guard size <= Self.limit else { return nil }
        // Counts and lengths fit 16 bits: the limit is far below 2^16.
        bytes = [UInt8](unsafeUninitializedCapacity: size) { out, count in
            var i = 0
            func put(_ value: UInt16) {
                out[i] = UInt8(truncatingIfNeeded: value >> 8)
                out[i &+ 1] = UInt8(truncatingIfNeeded: value)
                i &+= 2
            }
            put(version)
            put(UInt16(truncatingIfNeeded: values.count))
            for value in values { put(value) }
            put(UInt16(truncatingIfNeeded: extensions.count))
            for ext in extensions { put(ext.type.rawValue) }
            for ext in extensions where decodes(ext.type) {
                put(UInt16(truncatingIfNeeded: ext.body.count))
                for byte in ext.body {
                    out[i] = byte
                    i &+= 1
                }
            }
            count = i
        }
    }

    func hash(into hasher: inout Hasher) {
        // One pass over the raw bytes, not a combine call per element.
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
