import Testing
@testable import TLSDecryption
