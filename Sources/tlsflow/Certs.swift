import ArgumentParser
import CertificateAudit
import Foundation
import TLSFlowKit
import TLSFlowModel

struct Certs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the distinct certificates in captures with the connections that used them.",
        discussion:
            "Example: tlsflow certs --export-certs /tmp/certs capture.pcap   (then: openssl x509 -in /tmp/certs/X.pem -text)"
    )

    @OptionGroup var analysis: AnalysisFlags

    @Option(name: .customLong("export-certs"), help: "Also write each distinct certificate as PEM into this directory.")
    var exportDirectory: String?

    @Argument(help: "Capture files or directories.")
    var inputs: [String]

    func run() throws {
        try Self.list(inputs: inputs, flags: analysis, exportDirectory: exportDirectory, print: true)
    }

    struct Seen {
        var certificate: CertificateInfo
        var der: [UInt8]?
        var roles: Set<String> = []
        var uses: [String] = []
    }

    static func list(inputs: [String], flags: AnalysisFlags, exportDirectory: String?, print shouldPrint: Bool) throws {
        let expansion = InputFiles.expand(inputs)
        for problem in expansion.problems { warn(problem) }
        var options = flags.analysisOptions
        options.keepCertificateDER = exportDirectory != nil
        let session = try makeSession(options)
        var seen: [String: Seen] = [:]
        var order: [String] = []
        var analysed = 0
        for file in expansion.files {
            do {
                _ = try session.analyze(path: file) { connection in
                    for (role, certificates, der) in [
                        ("server", connection.serverCertificates, connection.serverCertificateDER),
                        ("client", connection.clientCertificates, connection.clientCertificateDER),
                    ] {
                        for (index, certificate) in certificates.enumerated() {
                            if seen[certificate.sha256] == nil {
                                seen[certificate.sha256] = Seen(
                                    certificate: certificate, der: index < der.count ? der[index] : nil)
                                order.append(certificate.sha256)
                            }
                            seen[certificate.sha256]?.roles.insert(index == 0 ? "\(role) leaf" : "\(role) chain")
                            let use = "\(file)#\(connection.id)"
                            if seen[certificate.sha256]?.uses.last != use { seen[certificate.sha256]?.uses.append(use) }
                        }
                    }
                }
                analysed += 1
            } catch {
                warn("\(error)")
            }
        }
        guard analysed > 0 else { throw ExitCode(ExitStatus.unusable) }
        if let directory = exportDirectory {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            var written = 0
            for key in order {
                guard let der = seen[key]?.der else { continue }
                let path = (directory as NSString).appendingPathComponent("\(key.prefix(16)).pem")
                try PEMExport.pem(der: der).write(toFile: path, atomically: true, encoding: .utf8)
                written += 1
            }
            warn("wrote \(written) certificate(s) as PEM to \(directory)")
        }
        guard shouldPrint else { return }
        print("\(order.count) distinct certificate(s)")
        for key in order {
            guard let entry = seen[key] else { continue }
            let cert = entry.certificate
            print("")
            print("sha256   \(cert.sha256)")
            print("subject  \(cert.subject)")
            print("issuer   \(cert.issuer)")
            if !cert.san.isEmpty { print("san      \(cert.san.joined(separator: ", "))") }
            let validity = [cert.notBefore, cert.notAfter].map { $0?.rfc3339() ?? "?" }
            print("valid    \(validity[0]) → \(validity[1])")
            print(
                "key      \(cert.key), \(cert.signatureAlgorithm)\(cert.ca ? ", CA" : "")\(cert.selfSigned ? ", self-signed" : "")"
            )
            if let error = cert.parseError { print("error    \(error)") }
            print("role     \(entry.roles.sorted().joined(separator: ", "))")
            let shown = entry.uses.prefix(10).joined(separator: ", ")
            print("used by  \(shown)\(entry.uses.count > 10 ? " … (\(entry.uses.count) connections)" : "")")
        }
    }
}
