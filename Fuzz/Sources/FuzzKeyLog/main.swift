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

// SwiftPM links executables with main aliased to <module>_main, so libFuzzer's own main is not
// used: this entry point hands control to libFuzzer's driver instead.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafeRawPointer?, Int) -> CInt
) -> CInt

@_cdecl("FuzzKeyLog_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzOne(data, size) }
}
