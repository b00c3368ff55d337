import Testing

@testable import Diagnosis

/// `FindingText` words a finding exactly as the same `String` interpolation would.
@Suite struct FindingTextTests {
    @Test func integersAreWrittenAsDescriptionWritesThem() {
        let values = [0, 1, 9, 10, 99, 100, 12_345, -1, -10, -987_654_321, Int.max, Int.min]
        for value in values {
            #expect(String.text("frame \(value).") == "frame \(value).")
        }
        let port: UInt16 = 65_535
        let code: UInt8 = 0
        let small: UInt8 = 112
        #expect(String.text("port \(port), code \(code), \(small)") == "port \(port), code \(code), \(small)")
    }

    @Test func stringsKeepTheirBytes() {
        let sni = "bücher.example"
        let wide = "日本語のホスト名.example.test with a long tail that is not a small string"
        let slice = wide.prefix(5)
        let empty = ""
        #expect(
            String.text("SNI \(sni) / \(wide) / \(slice) / [\(empty)]")
                == "SNI \(sni) / \(wide) / \(slice) / [\(empty)]")
    }

    @Test func appendingAndConcatenatingMatchStrings() {
        var text: FindingText = "The server answered"
        var string = "The server answered"
        for frame in [7, 42] {
            text += " at frame \(frame)"
            string += " at frame \(frame)"
        }
        let inner: FindingText = "x \(3)"
        text += "; nested: \(inner)" + " and a literal — with a dash"
        string += "; nested: \("x \(3)")" + " and a literal — with a dash"
        #expect(text.string == string)
        let plain: FindingText = "no interpolation"
        #expect(plain.string == "no interpolation")
    }
}
