import Testing

@testable import CertificateAudit
