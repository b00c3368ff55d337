import Crypto
import WireBasics

/// Which transport carried the hello: the first character of JA4/JA4S.
public enum FingerprintTransport: String, Sendable {
    case tcp = "t"
    case quic = "q"
    case dtls = "d"
}

/// JA3 (Salesforce): "SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats"
/// in decimal, '-'-joined, GREASE removed, and its MD5.
/// For an SSLv2-compatible hello only the TLS cipher suites (first spec byte 0) are listed.
public struct JA3: Sendable, Hashable {
    public var string: String
    public var hash: String

    public init(_ hello: ClientHello) {
        let cipherCodes = hello.cipherSuites.filter { !isGREASE($0) }
        let extensionCodes = hello.extensions.map(\.type.rawValue).filter { !isGREASE($0) }
        let groups = (((try? hello.supportedGroups()) ?? nil) ?? []).map(\.rawValue).filter { !isGREASE($0) }
        let formats = ((try? hello.ecPointFormats()) ?? nil) ?? []
        // Clients repeat the same few hellos: the strings and the MD5 are worked out once each.
        let key = FingerprintKey(
            prefix: String(hello.legacyVersion.rawValue),
            lists: [cipherCodes, extensionCodes, groups, formats.map(UInt16.init)])
        if key.isCacheable, let cached = Self.cache.lookup(key) {
            self = cached
            return
        }
        let ciphers = cipherCodes.map(String.init)
        let extensions = extensionCodes.map(String.init)
        string = [
            String(hello.legacyVersion.rawValue), ciphers.joined(separator: "-"), extensions.joined(separator: "-"),
            groups.map(String.init).joined(separator: "-"), formats.map(String.init).joined(separator: "-"),
        ].joined(separator: ",")
        hash = Insecure.MD5.hash(data: Array(string.utf8)).hexString
        if key.isCacheable { Self.cache.store(key, self) }
    }

    private static let cache = SharedCache<FingerprintKey, JA3>(capacity: 4096)
}

/// JA3S: "SSLVersion,Cipher,SSLExtension" of a ServerHello, and its MD5.
public struct JA3S: Sendable, Hashable {
    public var string: String
    public var hash: String

    public init(_ hello: ServerHello) {
        let extensions = hello.extensions.map(\.type.rawValue).filter { !isGREASE($0) }.map(String.init)
        string = [
            String(hello.legacyVersion.rawValue), String(hello.cipherSuite.rawValue),
            extensions.joined(separator: "-"),
        ].joined(separator: ",")
        hash = Insecure.MD5.hash(data: Array(string.utf8)).hexString
    }
}

/// JA4 per FoxIO's technical details (JA4.md): JA4, JA4_r, JA4_o and JA4_ro.
public struct JA4: Sendable, Hashable {
    /// Sorted and hashed: t13d1516h2_8daaf6152771_e5627efa2ab1.
    public var ja4: String
    /// Sorted, raw lists.
    public var ja4r: String
    /// Original order (SNI and ALPN kept), hashed.
    public var ja4o: String
    /// Original order, raw lists.
    public var ja4ro: String

    public init(_ hello: ClientHello, transport: FingerprintTransport = .tcp) {
        let ciphers = hello.cipherSuites.filter { !isGREASE($0) }
        let extensions = hello.extensions.map(\.type.rawValue).filter { !isGREASE($0) }
        let versions = ((try? hello.supportedVersions()) ?? nil)?.filter { !$0.isGREASE } ?? []
        let version = hello.has(.supportedVersions) ? (versions.max() ?? ProtocolVersion(0)) : hello.legacyVersion
        let sni = extensions.contains(0x0000) ? "d" : "i"
        let alpn = Self.alpnCode(((try? hello.alpnProtocolBytesFirst()) ?? nil))
        let prefix =
            transport.rawValue + version.ja4Code + sni + Self.twoDigits(ciphers.count)
            + Self.twoDigits(extensions.count) + alpn
        let signatureCodes = (((try? hello.signatureAlgorithms()) ?? nil) ?? []).map(\.rawValue)
            .filter { !isGREASE($0) }
        // The lists and the prefix determine every JA4 form; hashing them is much cheaper than
        // building the strings and their SHA-256s again for each repeat of a hello.
        let key = FingerprintKey(prefix: prefix, lists: [ciphers, extensions, signatureCodes])
        if key.isCacheable, let cached = Self.cache.lookup(key) {
            self = cached
            return
        }
        let signatureAlgorithms = signatureCodes.map(bareHex4).joined(separator: ",")

        let sortedCiphers = ciphers.sorted().map(bareHex4).joined(separator: ",")
        let sortedExtensions = extensions.filter { $0 != 0x0000 && $0 != 0x0010 }.sorted().map(bareHex4)
            .joined(separator: ",")
        let originalCiphers = ciphers.map(bareHex4).joined(separator: ",")
        let originalExtensions = extensions.map(bareHex4).joined(separator: ",")

        func withSignatures(_ exts: String) -> String {
            signatureAlgorithms.isEmpty ? exts : exts + "_" + signatureAlgorithms
        }
        let sortedC = withSignatures(sortedExtensions)
        let originalC = withSignatures(originalExtensions)
        ja4 = "\(prefix)_\(Self.hash12(sortedCiphers))_\(sortedExtensions.isEmpty ? Self.empty : Self.hash12(sortedC))"
        ja4r = "\(prefix)_\(sortedCiphers)_\(sortedC)"
        ja4o =
            "\(prefix)_\(Self.hash12(originalCiphers))_\(originalExtensions.isEmpty ? Self.empty : Self.hash12(originalC))"
        ja4ro = "\(prefix)_\(originalCiphers)_\(originalC)"
        if key.isCacheable { Self.cache.store(key, self) }
    }

    private static let cache = SharedCache<FingerprintKey, JA4>(capacity: 4096)

    static let empty = "000000000000"

    /// First 12 hex digits of SHA-256; "000000000000" for an empty list.
    static func hash12(_ s: String) -> String {
        if s.isEmpty { return empty }
        return String(SHA256.hash(data: Array(s.utf8)).hexString.prefix(12))
    }

    static func twoDigits(_ n: Int) -> String {
        let v = min(n, 99)
        return v < 10 ? "0\(v)" : "\(v)"
    }

    static func isAlphanumeric(_ b: UInt8) -> Bool {
        (0x30...0x39).contains(b) || (0x41...0x5a).contains(b) || (0x61...0x7a).contains(b)
    }

    /// First and last character of the first ALPN value; hex digits when either end byte is
    /// not alphanumeric; "00" when there is none.
    static func alpnCode(_ value: [UInt8]?) -> String {
        guard let value, let first = value.first, let last = value.last else { return "00" }
        if isAlphanumeric(first) && isAlphanumeric(last) {
            return String(UnicodeScalar(first)) + String(UnicodeScalar(last))
        }
        let hex = value.hexString
        return String(hex.prefix(1)) + String(hex.suffix(1))
    }
}

/// JA4S per FoxIO's JA4S.md: transport, version, extension count, ALPN, cipher, and the
/// hash of the extensions in the order sent.
public struct JA4S: Sendable, Hashable {
    public var ja4s: String
    public var ja4sr: String

    public init(_ hello: ServerHello, transport: FingerprintTransport = .tcp) {
        let extensions = hello.extensions.map(\.type.rawValue)
        let alpnBytes: [UInt8]? = {
            guard let ext = hello.extensionNamed(.applicationLayerProtocolNegotiation) else { return nil }
            return ((try? ExtensionDecoders.alpnProtocolBytes(ext)) ?? nil)?.first
        }()
        let prefix =
            transport.rawValue + hello.negotiatedVersion.ja4Code + JA4.twoDigits(extensions.count)
            + JA4.alpnCode(alpnBytes) + "_" + bareHex4(hello.cipherSuite.rawValue)
        // A server answers the same hello the same way: the list string and its SHA-256 are
        // worked out once per prefix and extension list.
        let key = FingerprintKey(prefix: prefix, lists: [extensions])
        if key.isCacheable, let cached = Self.cache.lookup(key) {
            self = cached
            return
        }
        let list = extensions.map(bareHex4).joined(separator: ",")
        ja4s = "\(prefix)_\(JA4.hash12(list))"
        ja4sr = "\(prefix)_\(list)"
        if key.isCacheable { Self.cache.store(key, self) }
    }

    private static let cache = SharedCache<FingerprintKey, JA4S>(capacity: 4096)
}

extension ClientHello {
    /// Raw bytes of the first ALPN protocol, as JA4 needs them.
    public func alpnProtocolBytesFirst() throws(DecodeError) -> [UInt8]? {
        guard let ext = extensionNamed(.applicationLayerProtocolNegotiation) else { return nil }
        return try ExtensionDecoders.alpnProtocolBytes(ext).first
    }

    public var ja3: JA3 { JA3(self) }
    public func ja4(transport: FingerprintTransport = .tcp) -> JA4 { JA4(self, transport: transport) }
}

extension ServerHello {
    public var ja3s: JA3S { JA3S(self) }
    public func ja4s(transport: FingerprintTransport = .tcp) -> JA4S { JA4S(self, transport: transport) }
}

/// The inputs a fingerprint is computed from, as a cache key (`SharedCache`).
struct FingerprintKey: Hashable {
    var prefix: String
    var lists: [[UInt16]]

    /// Hellos with more values than this are neither looked up nor kept: a hostile capture of
    /// huge, varied hellos must not fill memory through the cache (4 096 keys and fingerprint
    /// strings of up to 32 k values each), and real stacks stay far below it.
    static let limit = 512

    var isCacheable: Bool { lists.reduce(0) { $0 + $1.count } <= Self.limit }
}
