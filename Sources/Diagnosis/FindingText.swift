/// A finding's wording, written as an ordinary string literal with interpolations but built in
/// one byte buffer: `String` interpolation allocated a string per literal and paid a full
/// `String.append` (about 450 instructions) for every piece, and findings are worded for
/// thousands of connections.
///
/// Interpolating a value gives the same characters as in a `String` literal (decimal integers,
/// strings as they are), so a rule's text reads, and prints, exactly as before.
struct FindingText: ExpressibleByStringInterpolation, StringInterpolationProtocol {
    typealias StringLiteralType = StaticString
    typealias StringInterpolation = FindingText

    private(set) var utf8: [UInt8]

    /// Bytes reserved up front: a finding's detail is a few hundred.
    static let usualCapacity = 512

    init(stringLiteral literal: StaticString) {
        utf8 = []
        utf8.reserveCapacity(max(Self.usualCapacity, literal.utf8CodeUnitCount))
        appendLiteral(literal)
    }

    init(literalCapacity: Int, interpolationCount: Int) {
        utf8 = []
        // Room for what a detail usually grows to with `+=`: growing copied it.
        utf8.reserveCapacity(max(Self.usualCapacity, literalCapacity + 16 * interpolationCount))
    }

    init(stringInterpolation: FindingText) { self = stringInterpolation }

    /// The text as a `String`; the bytes came from valid strings, so decoding repairs nothing.
    var string: String { String(decoding: utf8, as: UTF8.self) }

    static func += (text: inout FindingText, more: FindingText) {
        more.utf8.withUnsafeBufferPointer { text.utf8.append(contentsOf: $0) }
    }

    static func + (text: FindingText, more: FindingText) -> FindingText {
        var text = text
        text += more
        return text
    }

    @inline(__always)
    mutating func appendLiteral(_ literal: StaticString) {
        literal.withUTF8Buffer { utf8.append(contentsOf: $0) }
    }

    @inline(__always)
    mutating func appendInterpolation(_ value: String) {
        var value = value
        value.withUTF8 { utf8.append(contentsOf: $0) }
    }

    mutating func appendInterpolation(_ value: Substring) {
        var value = value
        value.withUTF8 { utf8.append(contentsOf: $0) }
    }

    mutating func appendInterpolation(_ value: FindingText) { self += value }

    /// `items` with `separator` between them, as `joined(separator:)` gives them: the library's
    /// `joined` is generic over the collection and not specialised for this module.
    mutating func appendInterpolation(joined items: some Collection<String>, separator: StaticString) {
        var first = true
        for item in items {
            if !first { appendLiteral(separator) }
            first = false
            appendInterpolation(item)
        }
    }

    /// Decimal, as `description` writes it.
    mutating func appendInterpolation<Integer: FixedWidthInteger>(_ value: Integer) {
        if value < 0 { utf8.append(UInt8(ascii: "-")) }
        var magnitude = UInt64(value.magnitude)
        var digits = 1
        var rest = magnitude / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        // Written from the last digit back, in place: reversing a slice copied it.
        var index = utf8.count + digits
        utf8.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits))
        repeat {
            index -= 1
            utf8[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
    }
}

extension String {
    /// `fix: .text("… \(frame) …")`: a finding field worded with `FindingText`.
    static func text(_ text: FindingText) -> String { text.string }
}
