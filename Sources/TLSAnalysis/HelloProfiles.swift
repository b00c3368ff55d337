import TLSWire
import WireBasics

/// The part of a `ClientHelloInfo` that a client stack sends the same way on every connection:
/// versions, cipher suites, ALPN, groups, key share groups, signature algorithms and the
/// JA3/JA4 fingerprints. Worked out once per distinct hello (by its `HelloKey`) and shared, so a
/// repeat costs one hash lookup instead of a few hundred registry lookups and string builds.
/// SNI, session ID, tickets and key share values differ per connection and are not part of it.
/// A class: a repeat hands out one reference, not a copy of a dozen strings and arrays.
final class ClientHelloProfile: Sendable {
    let legacyVersion: String
    let supportedVersions: [String]
    /// `supportedVersions` lists TLS 1.3.
    let offersTLS13: Bool
    /// The offered code points, shared by every connection with this profile.
    let cipherSuiteValues: [UInt16]
    let cipherSuites: [String]
    let alpn: [String]
    let groups: [String]
    let keyShareGroups: [String]
    let signatureAlgorithms: [String]
    let ja3String: String
    let ja3: String
    let ja4: String

    init(_ hello: ClientHello) {
        legacyVersion = hello.legacyVersion.name
        supportedVersions = ((try? hello.supportedVersions()) ?? nil)?.map(\.name) ?? []
        offersTLS13 = supportedVersions.contains(ProtocolVersion.tls13.name)
        cipherSuiteValues = hello.cipherSuites
        cipherSuites = cipherSuiteValues.map { CipherSuite($0).name }
        alpn = ((try? hello.alpnProtocols()) ?? nil) ?? []
        groups = ((try? hello.supportedGroups()) ?? nil)?.map(\.name) ?? []
        keyShareGroups = ((try? hello.keyShareGroups()) ?? nil)?.map(\.name) ?? []
        signatureAlgorithms = ((try? hello.signatureAlgorithms()) ?? nil)?.map(\.name) ?? []
        let ja3 = JA3(hello)
        ja3String = ja3.string
        self.ja3 = ja3.hash
        ja4 = JA4(hello).ja4
    }

    /// The profile of `hello`, from the shared cache when an identical hello was seen before.
    static func of(_ hello: ClientHello) -> ClientHelloProfile {
        withUnsafeTemporaryAllocation(byteCount: HelloKey.limit, alignment: 8) { buffer in
            // Everything `init` reads: legacy_version, the suites, the extension types in order,
            // each followed by its body when `init` decodes that type (the first of each type is
            // the one decoded), and the groups of the key shares (their key bytes differ per
            // connection). One walk over the extensions.
            var key = HelloKey(buffer)
            key.put(hello.legacyVersion.rawValue)
            key.put(bytes: hello.cipherSuiteBytes)
            // Hoisted: a registry constant read from another module is a call each time.
            let groups = ExtensionType.supportedGroups.rawValue
            let formats = ExtensionType.ecPointFormats.rawValue
            let signatures = ExtensionType.signatureAlgorithms.rawValue
            let alpn = ExtensionType.applicationLayerProtocolNegotiation.rawValue
            let versions = ExtensionType.supportedVersions.rawValue
            let keyShareType = ExtensionType.keyShare.rawValue
            let draftKeyShareType = ExtensionType.draftKeyShare.rawValue
            let extensions = hello.extensionBlock
            let countAt = key.putCountPlaceholder()
            var count: UInt16 = 0
            var keyShare: ExtensionBlock.Entry?
            var draftKeyShare: ExtensionBlock.Entry?
            extensions.forEachEntry { entry in
                let type = entry.type.rawValue
                key.put(type)
                count &+= 1
                if type == groups || type == formats || type == signatures || type == alpn || type == versions {
                    key.put(bytes: extensions.bytes[entry.data])
                } else if type == keyShareType {
                    if keyShare == nil { keyShare = entry }
                } else if type == draftKeyShareType {
                    if draftKeyShare == nil { draftKeyShare = entry }
                }
            }
            key.setCount(count, at: countAt)
            // As `ClientHello.keyShareExtension` picks it.
            if let entry = keyShare ?? draftKeyShare {
                key.putClientKeyShareGroups(extensions.extension(entry))
            } else {
                key.putClientKeyShareGroups(nil)
            }
            guard let bytes = key.bytes else { return ClientHelloProfile(hello) }
            return cache.profile(for: bytes) { ClientHelloProfile(hello) }
        }
    }

    private static let cache = HelloProfileCache<ClientHelloProfile>()
}

/// The part of a `ServerHelloInfo` that a server stack answers the same way to the same hello:
/// negotiated version, cipher suite name, ALPN choice and JA4S. A class, as `ClientHelloProfile`.
final class ServerHelloProfile: Sendable {
    let version: ProtocolVersion
    let versionName: String
    let cipherSuite: String
    let alpn: String?
    let ja4s: String

    init(_ hello: ServerHello) {
        version = hello.negotiatedVersion
        versionName = version.name
        cipherSuite = hello.cipherSuite.name
        alpn = (try? hello.alpnProtocol()) ?? nil
        ja4s = JA4S(hello).ja4s
    }

    static func of(_ hello: ServerHello) -> ServerHelloProfile {
        withUnsafeTemporaryAllocation(byteCount: HelloKey.limit, alignment: 8) { buffer in
            // legacy_version, the suite, the extension types in order, each followed by its
            // body for supported_versions and ALPN: everything `init` reads.
            var key = HelloKey(buffer)
            key.put(hello.legacyVersion.rawValue)
            key.put(hello.cipherSuite.rawValue)
            let versions = ExtensionType.supportedVersions.rawValue
            let alpn = ExtensionType.applicationLayerProtocolNegotiation.rawValue
            let extensions = hello.extensionBlock
            let countAt = key.putCountPlaceholder()
            var count: UInt16 = 0
            extensions.forEachEntry { entry in
                let type = entry.type.rawValue
                key.put(type)
                count &+= 1
                if type == versions || type == alpn { key.put(bytes: extensions.bytes[entry.data]) }
            }
            key.setCount(count, at: countAt)
            guard let bytes = key.bytes else { return ServerHelloProfile(hello) }
            return cache.profile(for: bytes) { ServerHelloProfile(hello) }
        }
    }

    private static let cache = HelloProfileCache<ServerHelloProfile>()
}
