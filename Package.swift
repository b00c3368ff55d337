// swift-tools-version:6.1
import PackageDescription

// Dependencies point one way: capture bytes -> packets -> TCP streams -> TLS values ->
// connection model -> audit/diagnosis -> reports. Nothing below knows what is above it.
let package = Package(
    name: "tlsflow",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tlsflow", targets: ["tlsflow"]),
        .library(name: "TLSFlowKit", targets: ["TLSFlowKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.10.0"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // libpcap: BPF compilation/filtering, link-type names, and the reference read loop.
        .systemLibrary(
            name: "CPcap",
            pkgConfig: "libpcap",
            providers: [.apt(["libpcap-dev"])]
        ),
        // Timestamps and other vocabulary shared by every stage.
        .target(name: "WireBasics"),
        // Capture files (pcap, pcapng) to frames; BPF through libpcap.
        .target(name: "CaptureIO", dependencies: ["CPcap", "WireBasics"]),
        // Link layer / IP / TCP header decoding. Pure.
        .target(name: "PacketDecoding", dependencies: ["WireBasics"]),
        // Per-connection byte streams from TCP segments. No TLS knowledge.
        .target(name: "TCPReassembly", dependencies: ["WireBasics"]),
        // TLS records, handshake messages, registries, fingerprints. Pure.
        .target(
            name: "TLSWire",
            dependencies: ["WireBasics", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // Key logs, TLS 1.2/1.3 key derivation and record decryption. Pure.
        .target(
            name: "TLSDecryption",
            dependencies: [
                "WireBasics", .product(name: "Crypto", package: "swift-crypto"),
                // AES-CBC for the TLS 1.0-1.2 CBC suites.
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // The per-connection model every later stage reads and reports render.
        .target(name: "TLSFlowModel", dependencies: ["WireBasics"]),
        // TLS stream consumer: reassembled bytes -> connection timeline and summary.
        .target(name: "TLSAnalysis", dependencies: ["TCPReassembly", "TLSWire", "TLSDecryption", "TLSFlowModel"]),
        // X.509 checks with swift-certificates.
        .target(
            name: "CertificateAudit",
            dependencies: [
                "TLSFlowModel",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Rules over the connection model that explain failures.
        .target(name: "Diagnosis", dependencies: ["TLSFlowModel"]),
        // Text and JSON renderings of the model.
        .target(name: "Reports", dependencies: ["TLSFlowModel"]),
        // The pipeline that wires the stages together.
        .target(
            name: "TLSFlowKit",
            dependencies: [
                "CaptureIO", "PacketDecoding", "TCPReassembly", "TLSWire", "TLSDecryption", "TLSAnalysis",
                "TLSFlowModel", "CertificateAudit", "Diagnosis", "Reports",
            ]
        ),
        .executableTarget(
            name: "tlsflow",
            dependencies: [
                "TLSFlowKit", "Reports", "TLSFlowModel", "Diagnosis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "WireBasicsTests", dependencies: ["WireBasics"]),
        // Locates the public captures for the test targets that read them.
        .target(name: "PublicCaptureFixtures", path: "Tests/Support/PublicCaptureFixtures"),
        .testTarget(name: "CaptureIOTests", dependencies: ["CaptureIO", "PublicCaptureFixtures"]),
        .testTarget(
            name: "PacketDecodingTests", dependencies: ["PacketDecoding", "CaptureIO", "PublicCaptureFixtures"]),
        .testTarget(name: "TCPReassemblyTests", dependencies: ["TCPReassembly"]),
        .testTarget(name: "TLSWireTests", dependencies: ["TLSWire"]),
        .testTarget(name: "TLSDecryptionTests", dependencies: ["TLSDecryption"], exclude: ["Fixtures"]),
        .testTarget(name: "TLSAnalysisTests", dependencies: ["TLSAnalysis", "TLSWire"]),
        .testTarget(name: "CertificateAuditTests", dependencies: ["CertificateAudit"], exclude: ["Fixtures"]),
        .testTarget(name: "DiagnosisTests", dependencies: ["Diagnosis"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports"]),
        .testTarget(
            name: "TLSFlowKitTests",
            dependencies: ["TLSFlowKit", "Reports", "PublicCaptureFixtures"],
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
