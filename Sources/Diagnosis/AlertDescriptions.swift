/// TLS alert descriptions (IANA "TLS Alerts" registry) with what each usually means when it
/// ends a handshake. `cause` completes "the <sender> sent <name>: ...".
enum AlertDescriptions {
    struct Entry {
        let name: String
        let cause: String
    }

    static let table: [UInt8: Entry] = [
        0: Entry(name: "close_notify", cause: "an orderly close"),
        10: Entry(
            name: "unexpected_message",
            cause:
                "it received a message it did not expect at this point of the handshake (state machine mismatch, often a middlebox rewriting the stream or a non-TLS peer)"
        ),
        20: Entry(
            name: "bad_record_mac",
            cause:
                "a record failed authentication: the two sides derived different keys or the bytes were altered on the way (inspection device, broken offload)"
        ),
        21: Entry(
            name: "decryption_failed",
            cause: "a record could not be decrypted (obsolete alert; altered bytes or key mismatch)"),
        22: Entry(
            name: "record_overflow",
            cause: "a record exceeded the permitted length (max_fragment_length mismatch or corruption)"),
        30: Entry(name: "decompression_failure", cause: "TLS compression failed (obsolete feature)"),
        40: Entry(name: "handshake_failure", cause: "it could not agree on a set of security parameters with the peer"),
        41: Entry(name: "no_certificate", cause: "no certificate was available (SSL 3.0)"),
        42: Entry(
            name: "bad_certificate",
            cause: "a certificate was corrupt or failed verification (signature, client-certificate check)"),
        43: Entry(name: "unsupported_certificate", cause: "the certificate's type or key is not supported"),
        44: Entry(name: "certificate_revoked", cause: "the certificate was revoked by its issuer"),
        45: Entry(name: "certificate_expired", cause: "the certificate has expired or is not yet valid"),
        46: Entry(
            name: "certificate_unknown",
            cause:
                "the certificate was rejected for another reason (often an unknown issuer or a name mismatch, depending on the TLS stack)"
        ),
        47: Entry(
            name: "illegal_parameter",
            cause:
                "a handshake field was out of range or inconsistent (e.g. a group or signature algorithm it did not offer)"
        ),
        48: Entry(
            name: "unknown_ca",
            cause:
                "the certificate chain does not lead to a CA it trusts (missing intermediate, private CA, TLS inspection)"
        ),
        49: Entry(name: "access_denied", cause: "the peer's identity is valid but not allowed access"),
        50: Entry(
            name: "decode_error", cause: "a message could not be parsed (a field out of range or a truncated message)"),
        51: Entry(
            name: "decrypt_error",
            cause: "a signature or Finished check failed (wrong key, middlebox, or broken implementation)"),
        60: Entry(name: "export_restriction", cause: "an export-grade parameter was refused (obsolete)"),
        70: Entry(name: "protocol_version", cause: "the peer's protocol version is not supported"),
        71: Entry(name: "insufficient_security", cause: "the peer's offered parameters are weaker than it requires"),
        80: Entry(
            name: "internal_error",
            cause: "it failed internally (resource or configuration problem, e.g. a missing key)"),
        86: Entry(
            name: "inappropriate_fallback",
            cause:
                "the client retried with a lower version than both support (TLS_FALLBACK_SCSV): an earlier attempt failed, possibly because of a middlebox"
        ),
        90: Entry(name: "user_canceled", cause: "the handshake was cancelled"),
        100: Entry(name: "no_renegotiation", cause: "renegotiation is refused"),
        109: Entry(name: "missing_extension", cause: "a required extension is missing"),
        110: Entry(name: "unsupported_extension", cause: "the peer sent an extension it must not send"),
        111: Entry(name: "certificate_unobtainable", cause: "the certificate could not be fetched from a URL"),
        112: Entry(name: "unrecognized_name", cause: "it has no configuration for the requested server name (SNI)"),
        113: Entry(name: "bad_certificate_status_response", cause: "the OCSP response was invalid"),
        114: Entry(name: "bad_certificate_hash_value", cause: "a certificate hash did not match"),
        115: Entry(name: "unknown_psk_identity", cause: "the offered PSK identity is unknown"),
        116: Entry(name: "certificate_required", cause: "a client certificate is required and none was sent"),
        120: Entry(name: "no_application_protocol", cause: "no ALPN protocol in common"),
        121: Entry(name: "ech_required", cause: "ECH is required"),
    ]

    static let certificateAlerts: Set<UInt8> = [41, 42, 43, 44, 45, 46, 48, 49, 111, 113, 114, 116]

    static func name(_ code: UInt8) -> String { table[code]?.name ?? "alert \(code) (unassigned)" }

    /// The alert's registry entry, by number or, failing that, by the pipeline's name.
    static func entry(for code: UInt8?, name: String) -> (code: UInt8?, entry: Entry?) {
        if let code { return (code, table[code]) }
        if let match = table.first(where: { $0.value.name == name }) { return (match.key, match.value) }
        return (nil, nil)
    }
}
