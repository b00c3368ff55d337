// swift-tools-version:6.1
import PackageDescription

// libFuzzer targets for tlsflow's decoders. A separate package so the main package's build and
// tests never see the sanitizer flags. Build (see docs/fuzzing.md, or `make fuzz`):
//   swift build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
// Each target exports LLVMFuzzerTestOneInput; libFuzzer supplies main.
let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
    ("FuzzPacketDecoder", [.product(name: "TLSFlowKit", package: "tlsflow")]),
    ("FuzzTLSRecords", [.product(name: "TLSFlowKit", package: "tlsflow")]),
    ("FuzzHandshake", [.product(name: "TLSFlowKit", package: "tlsflow")]),
    ("FuzzCertificate", [.product(name: "TLSFlowKit", package: "tlsflow")]),
    ("FuzzKeyLog", [.product(name: "TLSFlowKit", package: "tlsflow")]),
    ("FuzzCapture", [.product(name: "TLSFlowKit", package: "tlsflow")]),
]

let package = Package(
    name: "tlsflow-fuzz",
    dependencies: [.package(name: "tlsflow", path: "..")],
    targets: fuzzTargets.map { target in
        .executableTarget(name: target.name, dependencies: target.dependencies, path: "Sources/\(target.name)")
    },
    swiftLanguageModes: [.v6]
)
