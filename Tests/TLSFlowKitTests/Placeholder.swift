import Testing

@testable import TLSFlowKit
