extension FindingCatalog {
    static let showCerts = "`openssl s_client -connect HOST:PORT -servername NAME -showcerts`"

    static let certificateEntries: [CatalogEntry] = [
        CatalogEntry(
            code: "cert.cn_only", title: "Hostname only in the subject CN",
            meaning:
                "The hostname (SNI) matches the certificate's subject Common Name but not any DNS name in the subjectAltName (or there is no SAN). RFC 6125 clients — all current browsers, Go, recent Java and OpenSSL-based clients — ignore the CN and reject it.",
            typicalCauses: ["An old or hand-made certificate (internal CA, appliance default) issued without SAN."],
            howToConfirm: ["\(showCerts) | openssl x509 -noout -ext subjectAltName -subject"],
            fix: "Reissue the certificate with the hostname in the subjectAltName."),
        CatalogEntry(
            code: "cert.name_mismatch", title: "Hostname matches neither SAN nor CN",
            meaning: "The name the client asked for (SNI) is not covered by the certificate the server sent.",
            typicalCauses: [
                "The server has no certificate for this name and sends its default one (missing virtual host / SNI configuration).",
                "The client uses an alias or IP address not in the certificate.",
                "A TLS-inspection device answering with its own certificate.",
            ],
            howToConfirm: ["\(showCerts) | openssl x509 -noout -ext subjectAltName"],
            fix:
                "Configure a certificate covering the name on the server (or its SNI mapping), or connect with a name the certificate covers."
        ),
        CatalogEntry(
            code: "cert.expired", title: "Certificate expired at capture time",
            meaning: "A certificate in the chain (side = whose) was past its notAfter date when the capture was taken.",
            typicalCauses: [
                "A renewal that was not installed or not reloaded.", "An expired intermediate still served.",
                "A wrong clock on the peer (then cert.not_yet_valid is also typical).",
            ],
            howToConfirm: ["\(showCerts) | openssl x509 -noout -dates"],
            fix: "Install the renewed certificate and chain and reload the service."),
        CatalogEntry(
            code: "cert.not_yet_valid", title: "Certificate not yet valid at capture time",
            meaning: "A certificate's notBefore is after the capture's time.",
            typicalCauses: [
                "A clock set in the past on the validating side or the capture host.",
                "A freshly issued certificate with a future start date.",
            ],
            howToConfirm: ["\(showCerts) | openssl x509 -noout -dates; compare with `date -u` on both hosts."],
            fix: "Fix the clock (NTP) or wait for the validity start."),
        CatalogEntry(
            code: "cert.untrusted_root", title: "Chain ends in an untrusted root",
            meaning: "The chain ends in a self-signed root that is not in the trust store tlsflow used.",
            typicalCauses: [
                "A private/enterprise CA not distributed to the client.", "A TLS-inspection root not installed.",
                "A test CA left in production.",
            ],
            howToConfirm: ["\(showCerts) -CAfile TRUSTSTORE.pem and read 'Verify return code'."],
            fix:
                "Use a certificate from a CA the clients trust, or install the private root in the clients' trust store."
        ),
        CatalogEntry(
            code: "cert.incomplete_chain", title: "Missing intermediate certificate",
            meaning:
                "The issuer of the last certificate sent is neither in the chain nor a trust anchor: the server does not send the intermediate(s). Browsers may fetch it (AIA) and hide the problem; other clients fail with unknown_ca.",
            typicalCauses: ["The server is configured with the leaf only instead of the full chain file."],
            howToConfirm: [
                "\(showCerts) — count the certificates and check each 'i:' (issuer) line has a matching 's:' below it."
            ],
            fix: "Configure the full chain (leaf then intermediates) on the server."),
        CatalogEntry(
            code: "cert.invalid_chain", title: "Chain breaks RFC 5280 path rules",
            meaning:
                "The chain leads to a trusted root, but no valid path could be built: a certificate on the way violates RFC 5280 (name constraints, an unknown critical extension, an invalid version or validity encoding). Strict clients reject it.",
            typicalCauses: [
                "An intermediate whose name constraints exclude the server's name.",
                "An internal CA issuing certificates with a critical extension clients do not understand.",
                "A cross-signed or re-issued intermediate that does not match the root actually trusted.",
            ],
            howToConfirm: [
                "Save the chain (\(showCerts)) and run `openssl verify -untrusted intermediates.pem -CAfile root.pem leaf.pem`: it names the failing rule."
            ],
            fix: "Reissue the offending certificate following RFC 5280, or serve the CA's correct intermediate."),
        CatalogEntry(
            code: "cert.interception", title: "Chain issued by a TLS-inspection product",
            meaning:
                "The chain was issued by a TLS-inspection product or private CA in place of the public one: a proxy is terminating TLS in the middle.",
            typicalCauses: [
                "A corporate proxy, antivirus or firewall doing TLS inspection.", "Malware intercepting TLS.",
            ],
            howToConfirm: ["Compare the chain seen from inside and outside the network (\(showCerts))."],
            fix:
                "Exempt the destination from inspection, or distribute the inspection root to the clients that must trust it."
        ),
        CatalogEntry(
            code: "cert.self_signed", title: "Self-signed leaf certificate",
            meaning: "The leaf certificate is signed by its own key; no CA vouches for it.",
            typicalCauses: ["A default/appliance certificate or a test certificate in production."],
            howToConfirm: ["\(showCerts) | openssl x509 -noout -subject -issuer (identical)."],
            fix: "Install a CA-issued certificate (public or from the organisation's CA)."),
        CatalogEntry(
            code: "cert.weak_key", title: "Weak certificate key",
            meaning:
                "An RSA key under 2048 bits or an EC key under 224 bits: rejected by current clients and policies.",
            typicalCauses: ["An old certificate or appliance default key."],
            howToConfirm: ["\(showCerts) | openssl x509 -noout -text | grep 'Public-Key'"],
            fix: "Reissue with RSA 2048+ or ECDSA P-256."),
        CatalogEntry(
            code: "cert.weak_signature", title: "Weak certificate signature",
            meaning: "A certificate is signed with SHA-1 or MD5: rejected by current clients.",
            typicalCauses: ["An old certificate or an internal CA still signing with SHA-1."],
            howToConfirm: ["\(showCerts) | openssl x509 -noout -text | grep 'Signature Algorithm'"],
            fix: "Reissue with a SHA-256 (or better) signature; update the internal CA."),
        CatalogEntry(
            code: "cert.wrong_usage", title: "Key usage does not allow this role",
            meaning:
                "The extended key usage or key usage does not allow the certificate's role (serverAuth for servers, clientAuth for clients), or a leaf is marked CA:TRUE.",
            typicalCauses: [
                "A client certificate used on a server or vice versa.",
                "A template with the wrong EKU at the internal CA.",
            ],
            howToConfirm: ["\(showCerts) | openssl x509 -noout -ext extendedKeyUsage,keyUsage,basicConstraints"],
            fix: "Reissue from a template with the right usages (serverAuth / clientAuth, CA:FALSE on leaves)."),
        CatalogEntry(
            code: "cert.chain_order", title: "Extra, duplicate or misordered chain certificates",
            meaning:
                "The chain contains extra, duplicate or out-of-order certificates. Lenient clients cope; strict ones (older Java, embedded stacks) fail.",
            typicalCauses: [
                "A chain file assembled by hand in the wrong order or with the root and old intermediates."
            ],
            howToConfirm: ["\(showCerts) — each certificate's issuer should be the next one's subject."],
            fix: "Serve leaf, then intermediates in order, without duplicates (the root is optional)."),
        CatalogEntry(
            code: "cert.inconsistent_chain", title: "Same server name, different certificate chains",
            meaning:
                "Across the capture, one server name presented different certificate chains (different leaves or issuers). Reported once per capture, not per connection.",
            typicalCauses: [
                "Load-balanced nodes with different certificates (a renewal not rolled out everywhere).",
                "Some connections pass through a TLS-inspecting proxy.",
            ],
            howToConfirm: [
                "`tshark -r CAPTURE -Y 'tls.handshake.type==11' -T fields -e tcp.stream -e x509sat.uTF8String -e x509af.serialNumber`."
            ],
            fix: "Deploy the same certificate and chain on every node, or find the device that replaces it."),
    ]
}
