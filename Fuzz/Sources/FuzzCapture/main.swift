import CertificateAudit
import Foundation
import FuzzDriver
import TLSDecryption
import TLSFlowKit

// The whole pipeline on one capture file: pcap or pcapng bytes are written to a per-process file
// (CaptureReader reads paths; regular files are memory-mapped like real captures) and analysed
// with timelines kept, so every stage from the frame reader to the diagnosis runs.
let path = (ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp") + "/tlsflow-fuzz-\(getpid()).pcap"
let auditor = CertificateAuditor(
    trustStore: .empty, validationTime: nil, now: Timestamp(seconds: 1_700_000_000, nanoseconds: 0))
let options: AnalysisOptions = {
    var options = AnalysisOptions()
    options.keepTimelines = true
    options.keepCertificateDER = true
    options.useSystemRoots = false
    // Small caps so the fuzzer reaches eviction and buffer limits with small inputs.
    options.maxConnections = 8
    options.maxBufferedBytesPerDirection = 4096
    return options
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    guard FileManager.default.createFile(atPath: path, contents: data) else { return 0 }
    _ = try? CaptureAnalyzer.analyze(path: path, options: options, auditor: auditor) { _ in }
    return 0
}

@_cdecl("FuzzCapture_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzOne(data, size) }
}
