import SwiftASN1
import TLSFlowModel

/// Certificates as PEM, for `--export-certs DIR` (files openssl reads directly).
public enum PEMExport {
    /// "-----BEGIN CERTIFICATE-----" … with 64-column base64 and a final newline.
    public static func pem(der: [UInt8]) -> String {
        PEMDocument(type: "CERTIFICATE", derBytes: der).pemString + "\n"
    }

    /// Several certificates concatenated (a chain file, leaf first).
    public static func pem(chain: [[UInt8]]) -> String {
        chain.map { pem(der: $0) }.joined()
    }

    /// A file name that is stable and safe on every file system: "<sha256 prefix>-<cn>.pem".
    public static func fileName(for certificate: CertificateInfo) -> String {
        var cn = ""
        if let range = certificate.subject.range(of: "CN=") {
            cn = String(certificate.subject[range.upperBound...].prefix { $0 != "," })
        }
        let safe = String(
            cn.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") ? $0 : "_" }.prefix(60))
        let prefix = String(certificate.sha256.prefix(16))
        return safe.isEmpty ? "\(prefix).pem" : "\(prefix)-\(safe).pem"
    }
}
