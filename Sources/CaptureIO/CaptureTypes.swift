import WireBasics

/// The two container formats tlsflow reads.
public enum CaptureFormat: String, Sendable {
    case pcap
    case pcapng
}

/// One captured frame. The bytes belong to the reader's buffer and are valid only during the
/// callback that receives the frame: copy them out if they must outlive it.
public struct CaptureFrame {
    /// 1-based, counted as Wireshark counts: every record in pcap; in pcapng every packet block
    /// (EPB, SPB, obsolete PB) and also the non-packet records Wireshark numbers as frames
    /// (systemd journal, custom and sysdig event blocks), which are skipped, so numbers can jump.
    public let number: Int
    public let timestamp: Timestamp
    /// LINKTYPE value of the frame's interface, FCS bits masked off.
    public let linkType: Int32
    public let interfaceID: Int
    public let capturedLength: Int
    public let originalLength: Int
    public let data: UnsafeRawBufferPointer

    public init(
        number: Int, timestamp: Timestamp, linkType: Int32, interfaceID: Int, capturedLength: Int,
        originalLength: Int, data: UnsafeRawBufferPointer
    ) {
        self.number = number
        self.timestamp = timestamp
        self.linkType = linkType
        self.interfaceID = interfaceID
        self.capturedLength = capturedLength
        self.originalLength = originalLength
        self.data = data
    }
}

/// A capture file that cannot be read at all (missing, not a capture, unreadable header).
/// Problems after the header are reported as a `ReadOutcome.truncated` instead, so that the
/// frames before the damage are still analysed.
public struct CaptureReadError: Error, CustomStringConvertible, Sendable, Equatable {
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(displayPath(path)): \(reason)" }
}

func displayPath(_ path: String) -> String { path == "-" ? "standard input" : path }

/// How reading a capture ended.
public enum ReadOutcome: Equatable, Sendable {
    case complete
    /// The capture ends inside a record or a record is damaged. Frames numbered up to and
    /// including `afterFrame` were delivered; nothing after the damage is.
    case truncated(afterFrame: Int, message: String)
}

/// A pcapng Decryption Secrets Block.
public struct DecryptionSecret: Sendable, Equatable {
    /// 0x544c534b ("TLSK") is an NSS key log.
    public static let tlsKeyLogType: UInt32 = 0x544c_534b

    public let type: UInt32
    public let data: [UInt8]

    public init(type: UInt32, data: [UInt8]) {
        self.type = type
        self.data = data
    }

    public var isTLSKeyLog: Bool { type == Self.tlsKeyLogType }
}
