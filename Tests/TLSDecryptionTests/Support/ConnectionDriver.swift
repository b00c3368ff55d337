import TLSDecryption
import WireBasics

// A test-only stand-in for the stream analyser: reads ClientHello/ServerHello, creates the
// decryptors the way the analyser is meant to, and collects what each frame shows once decrypted.

struct DrivenRecord {
    var frame: Int
    var side: Side
    var outcome: RecordDecryption
}

struct DriveResult {
    var records: [DrivenRecord] = []
    /// Handshake message types completed in each frame (cleartext and decrypted).
    var handshakeTypes: [Int: [UInt8]] = [:]
    var alerts: [Int: [UInt8]] = [:]
    var applicationData: [Side: [[UInt8]]] = [:]
    var earlyData: [[UInt8]] = []
    var suite: UInt16?
    var isTLS13 = false
    var sawHelloRetryRequest = false
    var statistics = ConnectionDecryptor.Statistics()
    var notes: [String] = []

    var failures: [DrivenRecord] {
        records.filter {
            switch $0.outcome {
            case .authenticationFailed, .malformed, .noKey: return true
            case .cleartext, .decrypted, .skippedEarlyData: return false
            }
        }
    }
    func count(_ keys: KeyPhase) -> Int {
        records.filter { if case .decrypted(_, _, let k) = $0.outcome { return k == keys } else { return false } }.count
    }
}

private let helloRetryRandom = KeyLogHex.decode("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")

enum KeyLogHex {
    static func decode(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        var chars = Array(s.utf8)[...]
        while chars.count >= 2 {
            out.append(UInt8(String(decoding: chars.prefix(2), as: UTF8.self), radix: 16) ?? 0)
            chars = chars.dropFirst(2)
        }
        return out
    }
}

/// `gap`: before the record at `before`, the analyser noticed lost bytes from `side`.
func drive(_ records: [CapturedRecord], keyLog: KeyLog, gap: (before: Int, side: Side)? = nil) -> DriveResult {
    var result = DriveResult()
    var decryptor = ConnectionDecryptor(keyLog: keyLog)
    var handshakeBuffers: [Side: [UInt8]] = [:]

    func handleHandshake(_ type: UInt8, _ body: ArraySlice<UInt8>, side: Side) {
        if type == 1, let hello = parseHello(body, isClient: true) {
            decryptor.clientHello(random: hello.random, offersEarlyData: hello.extensions.contains(42))
        } else if type == 2, let hello = parseHello(body, isClient: false) {
            let isHRR = hello.random == helloRetryRandom
            result.suite = hello.suite
            result.isTLS13 = hello.supportedVersion == 0x0304
            result.sawHelloRetryRequest = result.sawHelloRetryRequest || isHRR
            decryptor.serverHello(
                random: hello.random, suite: hello.suite, version: hello.supportedVersion ?? hello.legacyVersion,
                isHelloRetryRequest: isHRR)
        }
    }

    for (index, record) in records.enumerated() {
        if let gap, gap.before == index { decryptor.gap(from: gap.side) }
        let outcome = decryptor.decrypt(
            from: record.side, contentType: record.contentType, version: record.version, body: record.body)
        result.records.append(DrivenRecord(frame: record.frame, side: record.side, outcome: outcome))
        let type: UInt8
        let content: [UInt8]
        switch outcome {
        case .cleartext:
            type = record.contentType
            content = Array(record.body)
        case .decrypted(let t, let bytes, let keys):
            type = t
            content = bytes
            if keys == .earlyTraffic, t == 23 { result.earlyData.append(bytes) }
        default:
            continue
        }
        switch type {
        case 22:
            var buffer = handshakeBuffers[record.side, default: []] + content
            while buffer.count >= 4 {
                let length = Int(buffer[1]) << 16 | Int(buffer[2]) << 8 | Int(buffer[3])
                guard buffer.count >= 4 + length else { break }
                result.handshakeTypes[record.frame, default: []].append(buffer[0])
                handleHandshake(buffer[0], buffer[4..<4 + length], side: record.side)
                buffer.removeFirst(4 + length)
            }
            handshakeBuffers[record.side] = buffer
        case 21:
            var i = 1
            while i < content.count {
                result.alerts[record.frame, default: []].append(content[i])
                i += 2
            }
        case 23:
            if case .decrypted(_, _, let keys) = outcome, keys == .earlyTraffic { break }
            result.applicationData[record.side, default: []].append(content)
        default:
            break
        }
    }
    result.statistics = decryptor.statistics
    result.notes = decryptor.notes
    return result
}

struct Hello {
    var legacyVersion: UInt16
    var random: [UInt8]
    var suite: UInt16
    var extensions: [UInt16]
    var supportedVersion: UInt16?
}

/// Just enough ClientHello/ServerHello parsing for the driver; nil when the bytes do not fit.
func parseHello(_ body: ArraySlice<UInt8>, isClient: Bool) -> Hello? {
    let b = Array(body)
    var i = 0
    func u8() -> Int? {
        guard i < b.count else { return nil }
        defer { i += 1 }
        return Int(b[i])
    }
    func u16() -> Int? {
        guard i + 2 <= b.count else { return nil }
        defer { i += 2 }
        return Int(b[i]) << 8 | Int(b[i + 1])
    }
    func skip(_ n: Int) -> Bool {
        guard i + n <= b.count else { return false }
        i += n
        return true
    }
    guard let version = u16(), i + 32 <= b.count else { return nil }
    let random = Array(b[i..<i + 32])
    i += 32
    guard let sidLength = u8(), skip(sidLength) else { return nil }
    var suite = 0
    if isClient {
        guard let suitesLength = u16(), skip(suitesLength), let compLength = u8(), skip(compLength) else { return nil }
    } else {
        guard let s = u16(), skip(1) else { return nil }
        suite = s
    }
    var extensions: [UInt16] = []
    var supported: UInt16?
    if let total = u16() {
        let end = min(b.count, i + total)
        while i + 4 <= end {
            guard let type = u16(), let length = u16(), i + length <= end else { break }
            extensions.append(UInt16(type))
            if type == 43, !isClient, length == 2 { supported = UInt16(b[i]) << 8 | UInt16(b[i + 1]) }
            i += length
        }
    }
    return Hello(
        legacyVersion: UInt16(version), random: random, suite: UInt16(suite), extensions: extensions,
        supportedVersion: supported)
}

/// tshark's decrypted view: handshake types and alert descriptions per frame.
struct TsharkOracle {
    var handshakeTypes: [Int: [UInt8]] = [:]
    var alerts: [Int: [UInt8]] = [:]

    init(tsv: String) {
        let lines = tsv.split(whereSeparator: \.isNewline).map {
            $0.split(separator: "\t", omittingEmptySubsequences: false)
        }
        guard let header = lines.first else { return }
        let frameColumn = header.firstIndex(of: "frame.number")
        let typeColumn = header.firstIndex(of: "tls.handshake.type")
        let alertColumn = header.firstIndex(of: "tls.alert_message.desc")
        for row in lines.dropFirst() {
            guard let f = frameColumn, f < row.count, let frame = Int(row[f]) else { continue }
            if let t = typeColumn, t < row.count, !row[t].isEmpty {
                handshakeTypes[frame] = row[t].split(separator: ",").compactMap { UInt8($0) }
            }
            if let a = alertColumn, a < row.count, !row[a].isEmpty {
                alerts[frame] = row[a].split(separator: ",").compactMap { UInt8($0) }
            }
        }
    }
}
