import Foundation
import SwiftASN1
import X509

/// A file given as --ca-file or --ca-dir that cannot be used.
public struct TrustStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
    public var description: String { "\(path): \(message)" }
}

/// The trust anchors chains are validated against.
///
/// Default: the system bundle (the first of `systemBundlePaths` that exists, or `$SSL_CERT_FILE`
/// as OpenSSL does). `--ca-file`/`--ca-dir` add anchors to it; `--no-system-roots` leaves only
/// those. Loading reads files; everything after that is pure.
public struct TrustStore: Sendable {
    /// Bundle locations of the common distributions, in the order they are tried.
    public static let systemBundlePaths = [
        "/etc/ssl/certs/ca-certificates.crt",  // Debian, Ubuntu, Arch, Alpine (ca-certificates)
        "/etc/pki/tls/certs/ca-bundle.crt",  // Fedora, RHEL, CentOS
        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  // Fedora, RHEL (extracted)
        "/etc/ssl/ca-bundle.pem",  // openSUSE
        "/etc/ssl/cert.pem",  // macOS, Alpine, BSDs
        "/usr/local/etc/openssl/cert.pem",  // Homebrew (Intel)
        "/opt/homebrew/etc/openssl@3/cert.pem",  // Homebrew (Apple silicon)
    ]

    let anchors: [Certificate]
    /// SHA-256 of each anchor's DER, to tell "this exact certificate is trusted".
    let anchorFingerprints: Set<String>
    /// Where the anchors came from, e.g. "system bundle /etc/ssl/certs/ca-certificates.crt (146)".
    public let sources: [String]
    /// Things a user should know about the store: no system bundle found, certificates skipped.
    public let problems: [String]

    public var anchorCount: Int { anchors.count }

    /// The system bundle; empty with a `problems` entry when none is found or readable.
    public static func system() -> TrustStore {
        var loader = Loader()
        loader.addSystem()
        return loader.store
    }

    /// An empty store: every chain is untrusted.
    public static let empty = TrustStore(anchors: [], fingerprints: [], sources: [], problems: [])

    /// `pemFiles` (--ca-file, PEM or DER), every certificate file in `directories` (--ca-dir), and
    /// the system bundle unless `includeSystem` is false (--no-system-roots). Throws when a given
    /// file or directory cannot be read or holds no certificate at all.
    public init(pemFiles: [String], directories: [String], includeSystem: Bool) throws {
        var loader = Loader()
        if includeSystem { loader.addSystem() }
        for path in pemFiles { try loader.addFile(path, origin: "--ca-file") }
        for path in directories { try loader.addDirectory(path) }
        self = loader.store
    }

    /// Anchors from DER certificates (for callers that already hold them, and tests).
    public init(derCertificates: [[UInt8]]) throws {
        var loader = Loader()
        for (index, der) in derCertificates.enumerated() {
            do {
                loader.append(try Certificate(derEncoded: der), der: der)
            } catch {
                throw TrustStoreError(path: "certificate #\(index + 1)", message: "not a usable certificate: \(error)")
            }
        }
        loader.sources.append("\(loader.anchors.count) certificates given directly")
        self = loader.store
    }

    /// `fingerprints`: SHA-256 of each anchor's DER as it was read, which is what the certificate
    /// serialises back to (a strict DER parse keeps the bytes of its parts): re-serialising every
    /// anchor was a tenth of start-up.
    init(anchors: [Certificate], fingerprints: Set<String>, sources: [String], problems: [String]) {
        self.anchors = anchors
        self.sources = sources
        self.problems = problems
        self.anchorFingerprints = fingerprints
    }

    /// Anchors whose subject is `name`.
    func anchors(named name: DistinguishedName) -> [Certificate] {
        anchors.filter { $0.subject == name }
    }

    func contains(sha256 fingerprint: String) -> Bool { anchorFingerprints.contains(fingerprint) }

    private struct Loader {
        var anchors: [Certificate] = []
        /// Certificates are equal exactly when their DER is (`Certificate` compares the encoded
        /// bytes of its parts, and a strict DER parse admits one encoding of the whole), so
        /// duplicates are told by the DER's SHA-256, which the store keeps anyway: hashing each
        /// `Certificate` went through it byte by byte (80 k instructions per certificate).
        var fingerprints = Set<String>()
        var sources: [String] = []
        var problems: [String] = []

        var store: TrustStore {
            TrustStore(anchors: anchors, fingerprints: fingerprints, sources: sources, problems: problems)
        }

        mutating func append(_ certificate: Certificate, der: [UInt8]) {
            if fingerprints.insert(sha256Hex(der)).inserted { anchors.append(certificate) }
        }

        mutating func addSystem() {
            var candidates = TrustStore.systemBundlePaths
            if let override = ProcessInfo.processInfo.environment["SSL_CERT_FILE"], !override.isEmpty {
                candidates.insert(override, at: 0)
            }
            for path in candidates where FileManager.default.isReadableFile(atPath: path) {
                do {
                    let loaded = try certificates(inFile: path)
                    loaded.certificates.forEach { append($0.certificate, der: $0.der) }
                    sources.append("system bundle \(path) (\(loaded.certificates.count) certificates)")
                    if loaded.skipped > 0 {
                        problems.append(
                            "\(path): skipped \(loaded.skipped) certificates swift-certificates cannot load")
                    }
                    return
                } catch {
                    problems.append("system bundle \(path) unusable: \(error)")
                }
            }
            problems.append(
                "no system trust bundle found (looked in \(candidates.joined(separator: ", "))): "
                    + "every chain will be reported untrusted; use --ca-file or --ca-dir")
        }

        mutating func addFile(_ path: String, origin: String) throws {
            let loaded = try certificates(inFile: path)
            if loaded.certificates.isEmpty {
                throw TrustStoreError(
                    path: path,
                    message: loaded.skipped > 0
                        ? "none of its \(loaded.skipped) certificates could be loaded"
                        : "no certificate found (expected PEM '-----BEGIN CERTIFICATE-----' or DER)")
            }
            loaded.certificates.forEach { append($0.certificate, der: $0.der) }
            sources.append("\(origin) \(path) (\(loaded.certificates.count) certificates)")
            if loaded.skipped > 0 {
                problems.append("\(path): skipped \(loaded.skipped) certificates swift-certificates cannot load")
            }
        }

        mutating func addDirectory(_ path: String) throws {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw TrustStoreError(path: path, message: "not a directory")
            }
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
            } catch {
                throw TrustStoreError(path: path, message: "cannot list directory: \(error.localizedDescription)")
            }
            var count = 0
            for name in names {
                let file = (path as NSString).appendingPathComponent(name)
                var fileIsDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: file, isDirectory: &fileIsDirectory),
                    !fileIsDirectory.boolValue,
                    let loaded = try? certificates(inFile: file)
                else { continue }
                // A CA directory holds other files too (README, CRLs): only certificates count.
                loaded.certificates.forEach { append($0.certificate, der: $0.der) }
                count += loaded.certificates.count
            }
            guard count > 0 else {
                throw TrustStoreError(path: path, message: "no certificate files in this directory")
            }
            sources.append("--ca-dir \(path) (\(count) certificates)")
        }

        func certificates(inFile path: String) throws -> (
            certificates: [(certificate: Certificate, der: [UInt8])], skipped: Int
        ) {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw TrustStoreError(path: path, message: "cannot read file")
            }
            let bytes = [UInt8](data)
            let text = String(decoding: bytes, as: UTF8.self)
            guard text.contains("-----BEGIN ") else {
                // Not PEM: accept one DER certificate (`openssl x509 -outform der`).
                guard let certificate = try? Certificate(derEncoded: bytes) else {
                    throw TrustStoreError(path: path, message: "neither PEM nor a DER certificate")
                }
                return ([(certificate, bytes)], 0)
            }
            let documents: [(discriminator: String, der: [UInt8])]
            if let scanned = PEMScan.documents(text) {
                documents = scanned
            } else {
                do {
                    documents = try PEMDocument.parseMultiple(pemString: text).map { ($0.discriminator, $0.derBytes) }
                } catch {
                    throw TrustStoreError(path: path, message: "malformed PEM: \(error)")
                }
            }
            var out: [(certificate: Certificate, der: [UInt8])] = []
            var skipped = 0
            for document in documents where document.discriminator == "CERTIFICATE" {
                if let certificate = try? Certificate(derEncoded: document.der) {
                    out.append((certificate, document.der))
                } else {
                    skipped += 1
                }
            }
            return (out, skipped)
        }
    }
}
