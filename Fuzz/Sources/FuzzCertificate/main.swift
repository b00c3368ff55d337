import CertificateAudit
import FuzzDriver
import TLSFlowModel

// A certificate chain as a Certificate message would carry it. An input starting with 0x30 (a
// DER SEQUENCE) is one certificate; otherwise it is a list of 2-byte-length-prefixed
// certificates (what is left after the last complete one is the last certificate). The trust
// store holds the first certificate so anchor matching and path building run too.
let auditor = CertificateAuditor(
    trustStore: .empty, validationTime: nil, now: Timestamp(seconds: 1_700_000_000, nanoseconds: 0))

func split(_ input: [UInt8]) -> [[UInt8]] {
    if input.first == 0x30 { return [input] }
    var certificates: [[UInt8]] = []
    var position = 0
    while position + 2 <= input.count, certificates.count < 20 {
        let length = Int(input[position]) << 8 | Int(input[position + 1])
        position += 2
        guard position + length <= input.count else { break }
        certificates.append(Array(input[position..<(position + length)]))
        position += length
    }
    if position < input.count { certificates.append(Array(input[position...])) }
    return certificates
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    guard let start, count >= 1 else { return 0 }
    let chain = split(Array(UnsafeRawBufferPointer(start: start, count: count)))
    let input = ChainInput(
        role: .server, der: chain, frame: 1, serverName: "www.example.com",
        captureTime: Timestamp(seconds: 1_600_000_000, nanoseconds: 0),
        peerAlert: (frame: 2, description: "bad_certificate"),
        negotiatedKeyExchange: "ECDHE_RSA")
    _ = auditor.auditDetailed(input)
    if let first = chain.first, let store = try? TrustStore(derCertificates: [first]) {
        let anchored = CertificateAuditor(
            trustStore: store, validationTime: nil, now: Timestamp(seconds: 1_700_000_000, nanoseconds: 0))
        _ = anchored.auditDetailed(input)
    }
    return 0
}

@_cdecl("FuzzCertificate_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzOne(data, size) }
}
