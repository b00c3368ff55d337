// Module Diagnosis: implementation lands with its issue.
enum DiagnosisModule {}
