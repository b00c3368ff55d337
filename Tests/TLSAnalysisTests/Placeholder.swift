import Testing

@testable import TLSAnalysis
