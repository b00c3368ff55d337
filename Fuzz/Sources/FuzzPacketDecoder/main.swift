import FuzzDriver
import PacketDecoding

// Input: 1 byte selecting the link type, 1 byte selecting how much was "cut" by the snap
// length, then the frame. Fragments go through the reassembler so its bookkeeping is fuzzed too.
let linkTypes: [Int32] = [0, 1, 9, 12, 14, 50, 101, 108, 113, 228, 229, 276, 147]
nonisolated(unsafe) var fragments = IPFragmentReassembler()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    guard let start, count >= 2 else { return 0 }
    let input = UnsafeRawBufferPointer(start: start, count: count)
    let linkType = linkTypes[Int(input[0]) % linkTypes.count]
    let cut = Int(input[1])
    let frame = UnsafeRawBufferPointer(rebasing: input[2...])
    for originalLength in [nil, frame.count + cut] {
        switch PacketDecoder.decode(frame, linkType: linkType, originalLength: originalLength) {
        case .tcp(let packet):
            precondition(packet.payloadOffset >= 0 && packet.payloadOffset + packet.payloadLength <= frame.count)
        case .ipFragment(let fragment):
            if case .complete(let datagram) = fragments.add(fragment, in: frame, at: .zero) {
                datagram.withUnsafeBytes { raw in _ = PacketDecoder.decodeIP(raw) }
            }
        default: break
        }
    }
    _ = PacketDecoder.decodeIP(frame)
    return 0
}

@_cdecl("FuzzPacketDecoder_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzOne(data, size) }
}
