import Foundation
import TLSFlowModel

/// Everything a run of the analyser can be told.
public struct AnalysisOptions: Sendable {
    /// BPF expression applied to every frame (by libpcap).
    public var filter: String?
    /// A connection with no packet for this long (capture time) is closed as idle.
    public var idleTimeout: Double = 60
    /// A ClientHello unanswered for this long is a stalled handshake.
    public var handshakeTimeout: Double = 10
    /// Ports treated as TLS even without TLS bytes (SYN-only and reset connections are reported).
    public var extraTLSPorts: Set<UInt16> = []
    /// Trust store: PEM bundles and directories added to (or replacing) the system roots.
    public var caFiles: [String] = []
    public var caDirectories: [String] = []
    public var useSystemRoots = true
    /// Validation time for certificates instead of each packet's own time (`--at`).
    public var validationTime: Timestamp?
    /// "Now" for statements about validity today; injectable for tests.
    public var now: Timestamp?
    /// NSS key log files.
    public var keyLogFiles: [String] = []
    /// Keep each connection's timeline in the result (the ladder view needs it).
    public var keepTimelines = false
    /// Keep each certificate's DER in the result (for --export-certs).
    public var keepCertificateDER = false
    /// Upper bound on concurrently tracked connections; the least recently active are evicted
    /// beyond it. A tracked connection costs about 3 KiB, so the default bounds a SYN flood to
    /// well under 1 GiB while leaving room for 200 000 live connections (3 300 new ones a
    /// second, all idle for the 60 s timeout).
    public var maxConnections = 200_000
    /// Upper bound on out-of-order bytes buffered across all connections; past it the connection
    /// that adds more gives up on its holes (they become capture gaps).
    public var maxBufferedBytesTotal = 256 * 1024 * 1024
    /// Upper bound on out-of-order bytes buffered per connection direction.
    public var maxBufferedBytesPerDirection = 512 * 1024
    /// Shard threads for one capture file (1: single-threaded). The output is the same for
    /// every value; standard input is always read on one thread.
    public var threads = ProcessInfo.processInfo.activeProcessorCount

    public init() {}
}
