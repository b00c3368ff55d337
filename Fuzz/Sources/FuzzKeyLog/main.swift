import FuzzDriver
import TLSDecryption

// An NSS key log file, read as text and as bytes, and as the payload of a pcapng Decryption
// Secrets Block (TLS key log type and an unknown type).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    var log = KeyLog(text: String(decoding: bytes, as: UTF8.self), source: "fuzz")
    let fromBytes = KeyLog(bytes: bytes, source: "fuzz")
    log.merge(fromBytes)
    _ = KeyLog(decryptionSecretsType: 0x544c_534b, data: bytes)
    _ = KeyLog(decryptionSecretsType: 0x5753_4b4c, data: bytes)
    _ = log.count
    return 0
}

@_cdecl("FuzzKeyLog_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzOne(data, size) }
}
