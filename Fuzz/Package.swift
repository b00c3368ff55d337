// swift-tools-version:6.1
import PackageDescription

// libFuzzer targets for tlsflow's decoders. A separate package so the main package's build and
// tests never see the sanitizer flags. Build (see docs/fuzzing.md, or `make fuzz`):
//   swift build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
// Each target exports LLVMFuzzerTestOneInput; libFuzzer supplies main.
let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
    ("FuzzPacketDecoder", ["FuzzDriver", .product(name: "TLSFlowKit", package: "tlsflow")]),
    ("FuzzTLSRecords", ["FuzzDriver", .product(name: "TLSFlowKit", package: "tlsflow")]),
    ("FuzzHandshake", ["FuzzDriver", .product(name: "TLSFlowKit", package: "tlsflow")]),
    ("FuzzCertificate", ["FuzzDriver", .product(name: "TLSFlowKit", package: "tlsflow")]),
    ("FuzzKeyLog", ["FuzzDriver", .product(name: "TLSFlowKit", package: "tlsflow")]),
    ("FuzzCapture", ["FuzzDriver", .product(name: "TLSFlowKit", package: "tlsflow")]),
]

let package = Package(
    name: "tlsflow-fuzz",
    dependencies: [.package(name: "tlsflow", path: "..")],
    targets: [.target(name: "FuzzDriver")]
        + fuzzTargets.map { target in
            .executableTarget(name: target.name, dependencies: target.dependencies, path: "Sources/\(target.name)")
        },
    swiftLanguageModes: [.v6]
)
