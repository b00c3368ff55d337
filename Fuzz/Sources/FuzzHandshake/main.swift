import FuzzDriver
import TLSWire

// One handshake message body. Byte 0: message type; byte 1: negotiated version (TLS 1.0-1.3 or
// unknown); bytes 2-3: negotiated cipher suite. The decoded hellos also go through every
// extension accessor and the JA3/JA4 fingerprints, which walk extension contents.
let versions: [ProtocolVersion?] = [nil, .tls10, .tls11, .tls12, .tls13, .sslv3, ProtocolVersion(0x7f1c)]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    guard let start, count >= 4 else { return 0 }
    let input = Array(UnsafeRawBufferPointer(start: start, count: count))
    let type = HandshakeType(rawValue: input[0])
    let version = versions[Int(input[1]) % versions.count]
    let suite = CipherSuite(UInt16(input[2]) << 8 | UInt16(input[3]))
    let message = HandshakeMessage(type: type, body: Array(input[4...]))
    _ = message.encoded
    guard let decoded = try? message.decode(version: version, cipherSuite: suite) else { return 0 }
    switch decoded {
    case .clientHello(let hello):
        _ = try? hello.supportedVersions()
        _ = try? hello.preSharedKey()
        _ = try? hello.keyShareGroups()
        _ = try? hello.supportedGroups()
        _ = try? hello.ecPointFormats()
        _ = try? hello.renegotiationInfo()
        _ = try? hello.encryptedClientHello()
        _ = try? hello.alpnProtocols()
        _ = try? hello.signatureAlgorithms()
        _ = try? hello.serverNames()
        _ = hello.highestOfferedVersion
        _ = JA3(hello)
        _ = JA4(hello)
    case .serverHello(let hello):
        _ = try? hello.selectedVersion()
        _ = try? hello.selectedPSKIdentity()
        _ = try? hello.keyShareGroup()
        _ = try? hello.alpnProtocol()
        _ = JA3S(hello)
        _ = JA4S(hello)
    case .encryptedExtensions(let extensions):
        _ = try? extensions.alpnProtocols()
        _ = try? extensions.serverNames()
    default:
        break
    }
    return 0
}

@_cdecl("FuzzHandshake_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzOne(data, size) }
}
