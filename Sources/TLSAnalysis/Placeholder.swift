// Module TLSAnalysis: implementation lands with its issue.
enum TLSAnalysisModule {}
