/// ExtensionType: the IANA "TLS ExtensionType Values" registry plus a few widely deployed
/// unregistered code points that show up in captures.
public struct ExtensionType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    public static let serverName = ExtensionType(0)
    public static let maxFragmentLength = ExtensionType(1)
    public static let statusRequest = ExtensionType(5)
    public static let supportedGroups = ExtensionType(10)
    public static let ecPointFormats = ExtensionType(11)
    public static let signatureAlgorithms = ExtensionType(13)
    public static let heartbeat = ExtensionType(15)
    public static let applicationLayerProtocolNegotiation = ExtensionType(16)
    public static let signedCertificateTimestamp = ExtensionType(18)
    public static let padding = ExtensionType(21)
    public static let encryptThenMAC = ExtensionType(22)
    public static let extendedMasterSecret = ExtensionType(23)
    public static let compressCertificate = ExtensionType(27)
    public static let recordSizeLimit = ExtensionType(28)
    public static let sessionTicket = ExtensionType(35)
    public static let preSharedKey = ExtensionType(41)
    public static let earlyData = ExtensionType(42)
    public static let supportedVersions = ExtensionType(43)
    public static let cookie = ExtensionType(44)
    public static let pskKeyExchangeModes = ExtensionType(45)
    public static let certificateAuthorities = ExtensionType(47)
    public static let postHandshakeAuth = ExtensionType(49)
    public static let signatureAlgorithmsCert = ExtensionType(50)
    public static let keyShare = ExtensionType(51)
    public static let quicTransportParameters = ExtensionType(57)
    public static let encryptedClientHello = ExtensionType(0xfe0d)
    public static let renegotiationInfo = ExtensionType(0xff01)
    /// Pre-RFC 8446 drafts (up to draft 22) used 40 for key_share.
    public static let draftKeyShare = ExtensionType(40)

    static let names: [UInt16: String] = [
        0: "server_name", 1: "max_fragment_length", 2: "client_certificate_url", 3: "trusted_ca_keys",
        4: "truncated_hmac", 5: "status_request", 6: "user_mapping", 7: "client_authz", 8: "server_authz",
        9: "cert_type", 10: "supported_groups", 11: "ec_point_formats", 12: "srp", 13: "signature_algorithms",
        14: "use_srtp", 15: "heartbeat", 16: "application_layer_protocol_negotiation", 17: "status_request_v2",
        18: "signed_certificate_timestamp", 19: "client_certificate_type", 20: "server_certificate_type",
        21: "padding", 22: "encrypt_then_mac", 23: "extended_master_secret", 24: "token_binding",
        25: "cached_info", 26: "tls_lts", 27: "compress_certificate", 28: "record_size_limit",
        29: "pwd_protect", 30: "pwd_clear", 31: "password_salt", 32: "ticket_pinning",
        33: "tls_cert_with_extern_psk", 34: "delegated_credential", 35: "session_ticket", 36: "TLMSP",
        37: "TLMSP_proxying", 38: "TLMSP_delegate", 39: "supported_ekt_ciphers", 40: "Reserved (key_share draft)",
        41: "pre_shared_key", 42: "early_data", 43: "supported_versions", 44: "cookie",
        45: "psk_key_exchange_modes", 46: "Reserved (ticket_early_data_info draft)", 47: "certificate_authorities",
        48: "oid_filters", 49: "post_handshake_auth", 50: "signature_algorithms_cert", 51: "key_share",
        52: "transparency_info", 53: "connection_id (deprecated)", 54: "connection_id", 55: "external_id_hash",
        56: "external_session_id", 57: "quic_transport_parameters", 58: "ticket_request", 59: "dnssec_chain",
        60: "sequence_number_encryption_algorithms", 61: "rrc", 62: "tls_flags",
        0x3374: "next_protocol_negotiation", 0x4469: "application_settings (old)", 0x44cd: "application_settings",
        0x754f: "channel_id_old", 0x7550: "channel_id", 0xfd00: "ech_outer_extensions",
        0xfe0d: "encrypted_client_hello", 0xff01: "renegotiation_info", 0xffa5: "quic_transport_parameters (draft)",
        0xffce: "encrypted_server_name",
    ]

    public var name: String {
        if let name = Self.names[rawValue] { return name }
        if isGREASE { return "GREASE" }
        return hex4(rawValue)
    }
    public var description: String { name }
    public var isGREASE: Bool { TLSWire.isGREASE(rawValue) }
}

/// NamedGroup (RFC 8446 4.2.7, RFC 8422 5.1.1): the IANA "Supported Groups" registry and
/// the deployed post-quantum hybrids.
public struct NamedGroup: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    public static let secp256r1 = NamedGroup(23)
    public static let secp384r1 = NamedGroup(24)
    public static let secp521r1 = NamedGroup(25)
    public static let x25519 = NamedGroup(29)
    public static let x448 = NamedGroup(30)
    public static let ffdhe2048 = NamedGroup(0x0100)
    public static let X25519MLKEM768 = NamedGroup(0x11ec)
    public static let X25519Kyber768Draft00 = NamedGroup(0x6399)

    static let names: [UInt16: String] = [
        1: "sect163k1", 2: "sect163r1", 3: "sect163r2", 4: "sect193r1", 5: "sect193r2", 6: "sect233k1",
        7: "sect233r1", 8: "sect239k1", 9: "sect283k1", 10: "sect283r1", 11: "sect409k1", 12: "sect409r1",
        13: "sect571k1", 14: "sect571r1", 15: "secp160k1", 16: "secp160r1", 17: "secp160r2", 18: "secp192k1",
        19: "secp192r1", 20: "secp224k1", 21: "secp224r1", 22: "secp256k1", 23: "secp256r1", 24: "secp384r1",
        25: "secp521r1", 26: "brainpoolP256r1", 27: "brainpoolP384r1", 28: "brainpoolP512r1", 29: "x25519",
        30: "x448", 31: "brainpoolP256r1tls13", 32: "brainpoolP384r1tls13", 33: "brainpoolP512r1tls13",
        34: "GC256A", 35: "GC256B", 36: "GC256C", 37: "GC256D", 38: "GC512A", 39: "GC512B", 40: "GC512C",
        41: "curveSM2", 0x0100: "ffdhe2048", 0x0101: "ffdhe3072", 0x0102: "ffdhe4096", 0x0103: "ffdhe6144",
        0x0104: "ffdhe8192", 0x0200: "MLKEM512", 0x0201: "MLKEM768", 0x0202: "MLKEM1024",
        0x11eb: "SecP256r1MLKEM768", 0x11ec: "X25519MLKEM768", 0x11ed: "SecP384r1MLKEM1024",
        0x11ee: "curveSM2MLKEM768", 0x6399: "X25519Kyber768Draft00", 0x639a: "SecP256r1Kyber768Draft00",
        0xff01: "arbitrary_explicit_prime_curves", 0xff02: "arbitrary_explicit_char2_curves",
    ]

    public var name: String {
        if let name = Self.names[rawValue] { return name }
        if isGREASE { return "GREASE" }
        return hex4(rawValue)
    }
    public var description: String { name }
    public var isGREASE: Bool { TLSWire.isGREASE(rawValue) }
    /// Finite-field groups (RFC 7919): a ServerKeyExchange for them is DHE, not ECDHE.
    public var isFFDHE: Bool { rawValue >= 0x0100 && rawValue <= 0x01ff }
}

/// SignatureScheme (RFC 8446 4.2.3) and the TLS 1.2 SignatureAndHashAlgorithm pairs it
/// grew out of (RFC 5246 7.4.1.4.1), which keep their hash_sig spelling.
public struct SignatureScheme: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    static let names: [UInt16: String] = [
        0x0201: "rsa_pkcs1_sha1", 0x0203: "ecdsa_sha1", 0x0401: "rsa_pkcs1_sha256",
        0x0403: "ecdsa_secp256r1_sha256", 0x0420: "rsa_pkcs1_sha256_legacy", 0x0501: "rsa_pkcs1_sha384",
        0x0503: "ecdsa_secp384r1_sha384", 0x0520: "rsa_pkcs1_sha384_legacy", 0x0601: "rsa_pkcs1_sha512",
        0x0603: "ecdsa_secp521r1_sha512", 0x0620: "rsa_pkcs1_sha512_legacy", 0x0704: "eccsi_sha256",
        0x0705: "iso_ibs1", 0x0706: "iso_ibs2", 0x0707: "iso_chinese_ibs", 0x0708: "sm2sig_sm3",
        0x0709: "gostr34102012_256a", 0x070a: "gostr34102012_256b", 0x070b: "gostr34102012_256c",
        0x070c: "gostr34102012_256d", 0x070d: "gostr34102012_512a", 0x070e: "gostr34102012_512b",
        0x070f: "gostr34102012_512c", 0x0804: "rsa_pss_rsae_sha256", 0x0805: "rsa_pss_rsae_sha384",
        0x0806: "rsa_pss_rsae_sha512", 0x0807: "ed25519", 0x0808: "ed448", 0x0809: "rsa_pss_pss_sha256",
        0x080a: "rsa_pss_pss_sha384", 0x080b: "rsa_pss_pss_sha512", 0x081a: "ecdsa_brainpoolP256r1tls13_sha256",
        0x081b: "ecdsa_brainpoolP384r1tls13_sha384", 0x081c: "ecdsa_brainpoolP512r1tls13_sha512",
        0x0904: "mldsa44", 0x0905: "mldsa65", 0x0906: "mldsa87",
    ]

    private static let legacyHashes = [1: "md5", 2: "sha1", 3: "sha224", 4: "sha256", 5: "sha384", 6: "sha512"]
    private static let legacySignatures = [1: "rsa", 2: "dsa", 3: "ecdsa"]

    public var name: String {
        if let name = Self.names[rawValue] { return name }
        if isGREASE { return "GREASE" }
        // TLS 1.2 (hash, signature) pairs that TLS 1.3 did not name.
        if let hash = Self.legacyHashes[Int(rawValue >> 8)], let sig = Self.legacySignatures[Int(rawValue & 0xff)] {
            return "\(sig)_\(hash)"
        }
        return hex4(rawValue)
    }
    public var description: String { name }
    public var isGREASE: Bool { TLSWire.isGREASE(rawValue) }
}
