extension FindingCatalog {
    static let connectionEntries: [CatalogEntry] = [
        CatalogEntry(
            code: "tcp.no_answer", title: "SYN never answered",
            meaning:
                "The client sent SYN (usually several times) and got neither SYN-ACK nor RST: the TCP connection was never set up, so TLS never started.",
            typicalCauses: [
                "A firewall or security group drops (rather than rejects) traffic to the port.",
                "The server host is down, or the address is wrong (stale DNS, wrong VIP).",
                "Asymmetric routing: the server answers, but the answer takes a path that drops it or is not captured.",
            ],
            howToConfirm: [
                "`tshark -r CAPTURE -Y 'tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.analysis.retransmission'` lists the retransmitted SYNs.",
                "Capture on the server side: if the SYN arrives there, the return path is at fault; if not, the forward path.",
                "`nc -vz HOST PORT` / `Test-NetConnection HOST -Port PORT` from the client's network.",
            ],
            fix:
                "Open the port on every firewall on the path, or correct the address; if the server receives the SYN, fix its return route."
        ),
        CatalogEntry(
            code: "tcp.refused", title: "SYN answered by RST",
            meaning:
                "The SYN was answered with a TCP reset: the host (or a firewall in its name) actively refused the connection.",
            typicalCauses: [
                "Nothing listens on the port (service stopped, listening on another port or only on 127.0.0.1).",
                "A firewall rule with REJECT / tcp-reset.",
                "A load balancer with no healthy backend resetting new connections.",
            ],
            howToConfirm: [
                "`tshark -r CAPTURE -Y 'tcp.flags.reset==1'` shows the RST right after the SYN.",
                "On the server: `ss -ltnp | grep :PORT`.",
            ],
            fix:
                "Start the service or make it listen on the right address and port; otherwise remove the rejecting firewall rule."
        ),
        CatalogEntry(
            code: "handshake.stalled", title: "ClientHello unanswered (handshake stalled)",
            meaning:
                "The client sent its ClientHello and no ServerHello came within the handshake timeout or before the connection closed; more generally the handshake stopped with one side waiting on the other. The finding's side is the side that was waited on.",
            typicalCauses: [
                "ClientHello retransmitted: the packet is lost on the path — an MTU/MSS black hole for large ClientHellos (post-quantum key shares, many extensions) or a filter silently dropping by SNI.",
                "ClientHello acknowledged but unanswered: the TLS service or a proxy in front of it is hung, overloaded or waiting on its backend.",
                "The port speaks a different protocol that waits for the client (plaintext protocol, STARTTLS expected).",
            ],
            howToConfirm: [
                "`tshark -r CAPTURE -Y 'tls.handshake.type==1 || tcp.analysis.retransmission'` shows the ClientHello and its retransmissions.",
                "`openssl s_client -connect HOST:PORT -servername NAME` from the same network; retry with a smaller hello (`-no_tls1_3`) or a lower MSS to test for an MTU problem.",
                "`ping -M do -s 1472 HOST` to probe the path MTU.",
            ],
            fix:
                "Fix the path (MSS clamping, allow ICMP fragmentation-needed, firewall rule) when the hello is retransmitted; otherwise restore the TLS service or its backend."
        ),
        CatalogEntry(
            code: "handshake.reset", title: "RST during the handshake",
            meaning:
                "A TCP reset ended the connection before the TLS handshake completed. `side` is the side whose address sent the RST (a middlebox may send it in that side's name).",
            typicalCauses: [
                "Right after the ClientHello, from the server side: an IPS/firewall or proxy filtering on SNI or ClientHello contents, or a server that refuses the name or does not speak TLS.",
                "From the client after the server's flight: the client rejected the certificate or parameters without sending an alert, or its timeout fired.",
                "Before the ClientHello from the client: a port probe or health check (reported as info).",
            ],
            howToConfirm: [
                "Compare the RST's IP TTL and ID with the server's SYN-ACK: `tshark -r CAPTURE -Y 'tcp.flags.reset==1 || (tcp.flags.syn==1 && tcp.flags.ack==1)' -T fields -e frame.number -e ip.src -e ip.ttl -e ip.id`; a different TTL means another device injected it.",
                "Repeat with another SNI (`openssl s_client -connect HOST:PORT -servername other.example`) to test SNI filtering.",
            ],
            fix:
                "Allow the server name on the filtering device, or fix the server/client error the reset hides (read both sides' logs at the reset's time)."
        ),
        CatalogEntry(
            code: "handshake.closed", title: "FIN during the handshake without an alert",
            meaning:
                "One side closed the TCP connection (FIN) before the handshake completed, without sending a TLS alert first.",
            typicalCauses: [
                "Server side: no certificate or virtual host for the requested name, TLS not enabled on the port, or a proxy whose backend refused.",
                "Client side: the client rejected what it received (certificate, parameters) and its TLS stack closes without alerting, or its own timeout.",
                "Before the ClientHello: a health check or probe (client), a connection limit or plaintext protocol (server).",
            ],
            howToConfirm: [
                "`tshark -r CAPTURE -Y 'tcp.flags.fin==1 || tls.handshake'` shows which message came last before the FIN.",
                "Read the closing side's logs at that time; retry with `openssl s_client -connect HOST:PORT -servername NAME -state`.",
            ],
            fix:
                "Fix the configuration the closing side complains about (certificate for the name, TLS enabled, trust store)."
        ),
        CatalogEntry(
            code: "handshake.alert", title: "Fatal alert not covered by a more specific finding",
            meaning:
                "A side sent a fatal TLS alert (or, in TLS 1.2 after ChangeCipherSpec, an encrypted alert during the handshake). The summary names the alert and its usual cause; unknown alert numbers are reported by number. An alert that merely answers the peer's close is reported as info.",
            typicalCauses: [
                "Certificate alerts (bad_certificate, unknown_ca, certificate_expired, certificate_unknown) when no certificate finding explains them — e.g. the peer's trust store differs.",
                "decrypt_error / bad_record_mac: key mismatch or bytes altered by a middlebox.",
                "illegal_parameter / decode_error / unexpected_message: implementation bugs or middleboxes rewriting the handshake.",
                "unrecognized_name, no_application_protocol, certificate_required: configuration mismatches.",
            ],
            howToConfirm: [
                "`tshark -r CAPTURE -Y 'tls.alert_message' -T fields -e frame.number -e ip.src -e tls.alert_message.level -e tls.alert_message.desc`.",
                "For encrypted alerts, capture with SSLKEYLOGFILE and pass the key log to tlsflow to read the description.",
            ],
            fix:
                "Follow the alert's cause: read the sending side's TLS error log, then align the configuration it complains about."
        ),
        CatalogEntry(
            code: "handshake.version_mismatch", title: "No common protocol version",
            meaning:
                "Client and server share no TLS version: a protocol_version alert, a ServerHello choosing a version the client never offered, or an SSLv2-format hello the server closes on.",
            typicalCauses: [
                "An old client (TLS 1.0/1.1 only) against a server that requires TLS 1.2+.",
                "A server or appliance limited to old versions against a client that disabled them.",
                "A TLS 1.3-only endpoint and a TLS 1.2-only peer.",
            ],
            howToConfirm: [
                "`tshark -r CAPTURE -Y 'tls.handshake.type==1' -T fields -e tls.handshake.extensions.supported_version -e tls.handshake.version`.",
                "`openssl s_client -connect HOST:PORT -tls1_2` and `-tls1_3` to see which versions the server accepts.",
            ],
            fix: "Enable a common version on one side — normally TLS 1.2 and 1.3 on both."),
        CatalogEntry(
            code: "handshake.no_shared_cipher", title: "No common cipher suite or group",
            meaning:
                "The server answered the ClientHello with handshake_failure or insufficient_security before any ServerHello: it found no acceptable cipher suite, group or signature algorithm among the client's offer.",
            typicalCauses: [
                "The client offers only legacy suites (RSA key exchange, CBC, 3DES, RC4) and the server has a modern profile.",
                "The server allows only suites the client lacks (e.g. a hardened profile vs an old Java or embedded stack).",
                "An ECDSA-only offer to a server with an RSA certificate, or no common elliptic-curve group.",
                "Also sent by some servers when they have no certificate for the SNI or require an extension.",
            ],
            howToConfirm: [
                "`tshark -r CAPTURE -Y 'tls.handshake.type==1' -T fields -e tls.handshake.ciphersuite -e tls.handshake.extensions_supported_group`.",
                "`nmap --script ssl-enum-ciphers -p PORT HOST` lists what the server accepts.",
            ],
            fix:
                "Enable at least one suite and group both accept (for TLS 1.2, ECDHE with AES-GCM; for TLS 1.3 the defaults)."
        ),
        CatalogEntry(
            code: "resumption.aborted", title: "Resumed handshake failed",
            meaning:
                "The client offered a cached session (session ID, session ticket or TLS 1.3 PSK) and the connection died during or right after the abbreviated handshake: no ServerHello, a reset or alert, or a completed handshake with no server data. The capture-level pattern compares resumed and full handshakes to the same server.",
            typicalCauses: [
                "A load balancer spreads clients over nodes that do not share the session cache or the session-ticket keys.",
                "A proxy (e.g. a cloud management gateway or TLS-inspection device) that mishandles abbreviated handshakes.",
                "Ticket keys rotated on some nodes only.",
            ],
            howToConfirm: [
                "Compare resumed and full handshakes: `tshark -r CAPTURE -Y 'tls.handshake.type==1' -T fields -e tcp.stream -e tls.handshake.session_id_length -e tls.handshake.extensions.session_ticket` against which streams failed.",
                "Disable resumption on the client (`openssl s_client -no_ticket`, curl `--no-sessionid`) and check the failures stop.",
                "`openssl s_client -connect HOST:PORT -sess_out s.pem` then `-sess_in s.pem` to reproduce a resumed handshake.",
            ],
            fix:
                "Disable resumption on the client to confirm; then share the session cache and synchronise ticket keys across the nodes, or disable resumption on the proxy."
        ),
        CatalogEntry(
            code: "data.one_way", title: "Application data in one direction only",
            meaning:
                "The handshake completed, then application data flowed one way only (typically the client keeps sending and the server stays silent) until a close, a reset or idle. The finding says how much went each way and how long the silence lasted; `side` is the silent side.",
            typicalCauses: [
                "The application behind a TLS-terminating proxy is hung, overloaded or unreachable (proxy upstream timeout).",
                "Client and server disagree on the application protocol (ALPN h2 vs HTTP/1.1, wrong protocol on the port).",
                "A middlebox passes the handshake but drops larger data segments (MTU).",
            ],
            howToConfirm: [
                "`tshark -r CAPTURE -q -z conv,tcp` and `-Y 'tls.record.content_type==23'` per direction.",
                "Server or proxy logs for the request at the time of the first unanswered record.",
            ],
            fix:
                "Restore the backend or fix the proxy's upstream; align the application protocol (ALPN) between client and server."
        ),
        CatalogEntry(
            code: "tls13.encrypted_alert",
            title: "TLS 1.3: short encrypted record then close (probable certificate rejection)",
            meaning:
                "Without keys, TLS 1.3 hides alerts. After the server's encrypted flight the client sent one encrypted record the size of an alert (19 bytes; a Finished is 53 or more), no application data, and the connection closed. This is an inference: the client most likely rejected the server's certificate.",
            typicalCauses: [
                "The server's chain is incomplete or issued by a CA the client does not trust (private CA, TLS inspection).",
                "Name mismatch or an expired certificate.",
                "The client rejected another server parameter (less common).",
            ],
            howToConfirm: [
                "`tshark -r CAPTURE -Y 'tls.record.opaque_type==23 && tls.record.length<=24'`.",
                "`openssl s_client -connect HOST:PORT -servername NAME -showcerts` and verify the chain against the client's trust store.",
                "Capture again with SSLKEYLOGFILE and pass the key log to tlsflow: the alert is then decrypted and named.",
            ],
            fix:
                "Serve the complete chain from a CA the client trusts, with the right name and validity; or add the CA to the client's trust store."
        ),
        CatalogEntry(
            code: "tls.malformed", title: "Bytes that are not valid TLS",
            meaning:
                "Bytes on a connection where TLS was expected are not TLS records: plaintext (HTTP, SMTP banner) or garbage, with what was expected.",
            typicalCauses: [
                "A client speaking plaintext to a TLS port (http:// to 443).",
                "A server answering the ClientHello in plaintext: the port does not speak TLS, or it expects STARTTLS.",
                "A middlebox rewriting or injecting data into the stream.",
            ],
            howToConfirm: [
                "`tshark -r CAPTURE -Y 'tcp.stream==N' -z follow,tcp,ascii,N` shows the first bytes.",
                "`openssl s_client -connect HOST:PORT` (or `-starttls smtp`) to see what the port speaks.",
            ],
            fix:
                "Make both ends speak TLS on the port (enable TLS on the client, use the TLS port, or STARTTLS where the protocol needs it)."
        ),
        CatalogEntry(
            code: "capture.gap", title: "Capture incomplete for this connection",
            meaning:
                "The capture lacks part of the connection — segments missing, only one direction, a start after the handshake, or packets cut by the snapshot length — so the verdict is partial. Missing or cut segments are a warning; a late start or a missing direction is info and leaves the connection `incomplete` when nothing else decides it. Certificate and other findings are never invented from partial bytes.",
            typicalCauses: [
                "Capture drops (small buffer, busy host) or loss on a SPAN port.",
                "Asymmetric routing or a capture filter on one direction.",
                "The capture started after the connection was set up.",
                "A small snapshot length (`tcpdump -s 96`).",
            ],
            howToConfirm: [
                "`tshark -r CAPTURE -Y 'tcp.analysis.lost_segment || tcp.analysis.ack_lost_segment'`.",
                "`capinfos CAPTURE` for the snapshot length; `tcpdump` prints 'packets dropped by kernel' when it stops.",
            ],
            fix:
                "Capture again from before the connection starts, on a point that sees both directions, with `-s 0` and a larger buffer (`-B`)."
        ),
    ]
}
