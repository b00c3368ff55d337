/// Ports where a TCP connection is presumed to be TLS even before (or without) any TLS byte, so
/// that an unanswered SYN or a reset to them is reported. TLS on other ports is found by content.
public enum TLSPorts {
    public static let implicitTLS: Set<UInt16> = [
        261, 443, 448, 465, 563, 614, 636, 853, 989, 990, 992, 993, 994, 995, 1443, 2083, 2087, 2096, 2376,
        3269, 4433, 4443, 5061, 5223, 5349, 5671, 5986, 6443, 6514, 6697, 8443, 8883, 9093, 9443, 10443,
    ]

    /// Picks the likely server of a connection whose SYN was not captured.
    public static func responderLooksLikeServer(initiatorPort: UInt16, responderPort: UInt16) -> Bool {
        let initiatorTLS = implicitTLS.contains(initiatorPort)
        let responderTLS = implicitTLS.contains(responderPort)
        if initiatorTLS != responderTLS { return responderTLS }
        // Neither (or both) well known: the lower port is the service, the ephemeral one the client.
        return responderPort <= initiatorPort
    }
}
