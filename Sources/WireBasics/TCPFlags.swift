/// TCP control bits: the low byte of the flags field as on the wire. Shared by the packet
/// decoder and the connection timeline. ECE and CWR are kept as bits, but `control` leaves them
/// out so congestion signalling never reads as a state change.
public struct TCPFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let fin = TCPFlags(rawValue: 0x01)
    public static let syn = TCPFlags(rawValue: 0x02)
    public static let rst = TCPFlags(rawValue: 0x04)
    public static let psh = TCPFlags(rawValue: 0x08)
    public static let ack = TCPFlags(rawValue: 0x10)
    public static let urg = TCPFlags(rawValue: 0x20)
    public static let ece = TCPFlags(rawValue: 0x40)
    public static let cwr = TCPFlags(rawValue: 0x80)

    /// FIN, SYN, RST, PSH, ACK, URG only.
    public var control: TCPFlags { TCPFlags(rawValue: rawValue & 0x3f) }

    /// Wireshark-style short form, e.g. "SYN, ACK".
    public var label: String {
        var parts: [String] = []
        if contains(.syn) { parts.append("SYN") }
        if contains(.fin) { parts.append("FIN") }
        if contains(.rst) { parts.append("RST") }
        if contains(.psh) { parts.append("PSH") }
        if contains(.ack) { parts.append("ACK") }
        return parts.joined(separator: ", ")
    }
}
