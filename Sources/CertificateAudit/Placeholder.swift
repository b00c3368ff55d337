// Module CertificateAudit: implementation lands with its issue.
enum CertificateAuditModule {}
