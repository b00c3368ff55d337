import Testing

@testable import TLSWire

/// The decoders' fast paths must give exactly what the checked walks give, on real hellos and
/// on corrupted ones.
struct FastPathTests {
    /// Outcome of a decode as comparable text: the value or the error.
    static func outcome<T>(_ body: () throws(DecodeError) -> T) -> String {
        do { return "ok \(try body())" } catch { return "error \(error)" }
    }

    /// Extension blocks and server_name bodies from the public captures, then each of them cut
    /// short and with bytes overwritten.
    static func samples() throws -> (blocks: [[UInt8]], serverNames: [[UInt8]]) {
        var blocks: [[UInt8]] = []
        var serverNames: [[UInt8]] = []
        for capture in PublicCaptureSweepTests.captures() {
            for (_, bytes) in try Captures.streams(capture) {
                for message in Captures.handshakeMessages(bytes) where message.type == .clientHello {
                    guard let hello = try? ClientHello(parsing: message.body), hello.hasExtensionBlock else { continue }
                    let encoded = hello.extensions.flatMap { u16(Int($0.type.rawValue)) + u16($0.body.count) + $0.body }
                    blocks.append(u16(encoded.count) + encoded)
                    if let sni = hello.extensionNamed(.serverName) { serverNames.append(Array(sni.body)) }
                }
            }
        }
        var seed: UInt32 = 777
        func corrupted(_ samples: [[UInt8]]) -> [[UInt8]] {
            var out = samples
            for sample in samples.prefix(40) where !sample.isEmpty {
                for n in 0..<sample.count { out.append(Array(sample[0..<n])) }
                for _ in 0..<200 {
                    var mutated = sample
                    seed = seed &* 1_103_515_245 &+ 12345
                    mutated[Int(seed >> 8) % mutated.count] = UInt8(truncatingIfNeeded: seed >> 20)
                    out.append(mutated)
                }
            }
            return out
        }
        return (corrupted(blocks), corrupted(serverNames))
    }

    @Test func extensionBlocksSplitAsTheCheckedWalkDoes() throws {
        let (blocks, _) = try Self.samples()
        #expect(blocks.count > 1000)
        for block in blocks {
            // Offsets must match too: read from the middle of a larger buffer.
            let buffer = [UInt8](repeating: 0xee, count: 3) + block
            let fast = Self.outcome { () throws(DecodeError) -> [TLSExtension] in
                var r = ByteReader(buffer[3...], baseOffset: 7)
                return try readExtensions(&r, "extensions")
            }
            // The walks over a block taken as is (complete or not) agree too.
            let block = ExtensionBlock(bytes: buffer[min(5, buffer.count)...], offset: 9)
            var walked: [TLSExtension] = []
            block.forEachEntry { walked.append(block.extension($0)) }
            #expect(walked == block.map { block.extension($0) })
            let checked = Self.outcome { () throws(DecodeError) -> [TLSExtension] in
                var r = ByteReader(buffer[3...], baseOffset: 7)
                var list = try r.readLengthPrefixed(lengthBytes: 2, "extensions")
                return try readExtensionsChecked(&list, "extensions")
            }
            #expect(fast == checked)
        }
    }

    @Test func helloExtensionLookupsMatchTheList() throws {
        var hellos = 0
        for capture in PublicCaptureSweepTests.captures() {
            for (_, bytes) in try Captures.streams(capture) {
                for hello in Captures.clientHellos(bytes) {
                    hellos += 1
                    let list = hello.extensions
                    #expect(hello.extensionBlock.count == list.count)
                    var walked: [TLSExtension] = []
                    hello.extensionBlock.forEachEntry { walked.append(hello.extensionBlock.extension($0)) }
                    #expect(walked == list)
                    for type in Set(list.map(\.type.rawValue)).union([0, 35, 40, 41, 51, 0xfe0d]) {
                        let type = ExtensionType(type)
                        #expect(hello.extensionNamed(type) == list.first { $0.type == type })
                        #expect(hello.has(type) == list.contains { $0.type == type })
                    }
                }
            }
        }
        #expect(hellos > 50)
    }

    @Test func firstServerNameIsTheFirstOfAllNames() throws {
        let (_, bodies) = try Self.samples()
        #expect(bodies.count > 100)
        for body in bodies {
            let ext = TLSExtension(type: .serverName, data: body, dataOffset: 40)
            let first = Self.outcome { () throws(DecodeError) -> String? in
                try ExtensionDecoders.firstServerName(ext)
            }
            let all = Self.outcome { () throws(DecodeError) -> String? in
                try ExtensionDecoders.serverNames(ext).first
            }
            #expect(first == all)
        }
    }
}
