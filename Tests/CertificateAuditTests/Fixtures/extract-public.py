#!/usr/bin/env python3
"""Copies the first server Certificate message of a few public captures into public/*.pem.

Run once with tshark installed; the output is committed. Each PEM file starts with comment
lines giving the source capture, the frame, its packet time (epoch seconds) and the SNI.
"""
import base64
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
CAPTURES = os.path.normpath(os.path.join(HERE, "../../../../shared/captures/public"))
SOURCES = {
    "tls-expired-cert": "zeek/tls-expired-cert.pcap",
    "cve-2015-3194-rsa-pss": "zeek/CVE-2015-3194.pcap",
    "ml-dsa-44": "zeek/ml-dsa-44-cert.pcap",
    "telesec": "zeek/telesec.pcap",
    "cert-no-cn": "zeek/cert-no-cn.pcap",
    "badssl-wrong-host": "ndpi/ssl-cert-name-mismatch.pcap",
    "der-incomplete-header": "suricata-verify/tls_DER-incomplete-header.pcap",
}


def tshark(path, display_filter, *fields):
    args = ["tshark", "-r", path, "-Y", display_filter, "-T", "fields", "-E", "occurrence=a"]
    for f in fields:
        args += ["-e", f]
    out = subprocess.run(args, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def main():
    os.makedirs(os.path.join(HERE, "public"), exist_ok=True)
    for name, rel in SOURCES.items():
        path = os.path.join(CAPTURES, rel)
        rows = tshark(path, "tls.handshake.certificate", "frame.number", "frame.time_epoch",
                      "tls.handshake.certificate")
        if not rows:
            print("no certificate in", rel)
            continue
        frame, epoch, certs = rows[0][0], rows[0][1], rows[0][2]
        sni_rows = tshark(path, "tls.handshake.extensions_server_name", "tls.handshake.extensions_server_name")
        sni = sni_rows[0][0] if sni_rows else ""
        with open(os.path.join(HERE, "public", name + ".pem"), "w") as f:
            f.write("# source: %s\n# frame: %s\n# time: %s\n# sni: %s\n" % (rel, frame, epoch.split(".")[0], sni))
            for hexcert in certs.split(","):
                der = bytes.fromhex(hexcert.replace(":", ""))
                b64 = base64.b64encode(der).decode()
                f.write("-----BEGIN CERTIFICATE-----\n")
                for i in range(0, len(b64), 64):
                    f.write(b64[i:i + 64] + "\n")
                f.write("-----END CERTIFICATE-----\n")


if __name__ == "__main__":
    main()
