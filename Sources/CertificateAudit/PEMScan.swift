import Foundation

/// `PEMDocument.parseMultiple` (swift-asn1) over the text's UTF-8 bytes, for loading trust
/// bundles: it walks a `Substring.UTF8View` index by index, which made reading the system bundle
/// a sixth of start-up. The steps and checks are the same, in the same order (markers, line
/// lengths, the base64 text handed to Foundation); where `parseMultiple` would throw, this gives
/// nil and the caller asks `parseMultiple` itself, for its error.
enum PEMScan {
    static func documents(_ text: String) -> [(discriminator: String, der: [UInt8])]? {
        var text = text
        return text.withUTF8 { scan($0) }
    }

    private static let begin = Array("-----BEGIN ".utf8)
    private static let end = Array("-----END ".utf8)
    private static let dashes = Array("-----".utf8)
    private static let lineLength = 64
    private static let lf = UInt8(ascii: "\n")
    private static let cr = UInt8(ascii: "\r")

    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> [(discriminator: String, der: [UInt8])]? {
        var documents: [(discriminator: String, der: [UInt8])] = []
        var position = 0
        while true {
            // No further BEGIN marker, or one not followed by a line break: the documents end.
            guard let beginAt = find(begin, in: bytes, from: position),
                let beginSuffix = find(dashes, in: bytes, from: beginAt + begin.count)
            else { return documents }
            let afterBegin = beginSuffix + dashes.count
            let messageStart: Int
            if afterBegin < bytes.count && bytes[afterBegin] == lf {
                messageStart = afterBegin + 1
            } else if afterBegin + 1 < bytes.count && bytes[afterBegin] == cr && bytes[afterBegin + 1] == lf {
                messageStart = afterBegin + 2
            } else {
                return documents
            }
            guard let endAt = find(end, in: bytes, from: afterBegin),
                let endSuffix = find(dashes, in: bytes, from: endAt + end.count)
            else { return nil }
            let discriminator = UnsafeBufferPointer(rebasing: bytes[(beginAt + begin.count)..<beginSuffix])
            guard discriminator.elementsEqual(bytes[(endAt + end.count)..<endSuffix]) else { return nil }
            // Every line ends with a line break (CR before it belongs to it); all but the last
            // are exactly 64 characters, the last 1 to 64.
            var base64: [UInt8] = []
            base64.reserveCapacity(endAt - messageStart)
            var lineStart = messageStart
            while lineStart < endAt {
                guard let lineFeed = (lineStart..<endAt).first(where: { bytes[$0] == lf }) else { return nil }
                var lineEnd = lineFeed
                if lineEnd > lineStart && bytes[lineEnd - 1] == cr { lineEnd -= 1 }
                let length = lineEnd - lineStart
                let minimum = lineFeed + 1 == endAt ? 1 : lineLength
                guard length >= minimum && length <= lineLength else { return nil }
                base64.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd]))
                lineStart = lineFeed + 1
            }
            position = endSuffix + dashes.count
            guard let data = Data(base64Encoded: String(decoding: base64, as: UTF8.self)), !data.isEmpty else {
                return nil
            }
            documents.append((String(decoding: discriminator, as: UTF8.self), Array(data)))
        }
    }

    /// The first position of `pattern` in `bytes` at or after `start`.
    private static func find(_ pattern: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard let first = pattern.first, start <= bytes.count, pattern.count <= bytes.count - start else {
            return nil
        }
        var index = start
        let last = bytes.count - pattern.count
        while index <= last {
            if bytes[index] == first {
                var matched = 1
                while matched < pattern.count && bytes[index + matched] == pattern[matched] { matched += 1 }
                if matched == pattern.count { return index }
            }
            index += 1
        }
        return nil
    }
}
