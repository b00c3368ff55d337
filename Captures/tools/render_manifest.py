#!/usr/bin/env python3
"""Render Captures/MANIFEST.md from the hand-written Captures/cases.json (the single source)."""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")

HEAD = """# tlsflow test captures (generated here, by real TLS stacks)

Made by `Captures/make-captures.sh` in private network namespaces (client 10.77.0.1 / fd77::1,
server 10.77.0.2 / fd77::2, a user-space bridge in between that adds 10 ms each way). Every
capture is the client's view (tcpdump on the client's veth). Stacks: OpenSSL 3.0.19
(`openssl s_server` / `s_client`), Python 3.11 `ssl` (same OpenSSL), OpenJDK 17 JSSE.
Certificates: `Captures/certs/` (test-only keys, fixed validity dates; valid ones 2024-01-01 to
2040-01-01, "expired" ones 2023-01-01 to 2024-06-01, captures taken 2026-11-23).

Key logs: `pcaps/<capture>.keylog` (NSS key log format) wherever the TLS stack derived secrets;
none for captures without TLS or where the handshake stopped before any secret existed
(TLS 1.2 rejected before ClientKeyExchange). For the Java capture the key log is the server's.

The expectations below were written by hand from what tshark 4.0 shows on the wire, and are
machine-readable in `cases.json` (same content, plus per-connection expected findings, status,
SNI, version, alerts). `tools/check_cases.py` re-checks the wire facts of `cases.json`
(connections, SNI, version, cipher suite, alerts and their frames, resumption offers, link type)
against tshark; `tools/summarize.sh` prints tshark's view of every capture.

Alert notation: `<sender> <level> <description>` as seen without keys; `<sender> encrypted` is
a TLS 1.2 alert record sent after ChangeCipherSpec (content type 21, body encrypted). TLS 1.3
alerts after the ServerHello are hidden in application_data records and only appear under
"with keys". Frame numbers are 1-based as Wireshark counts them.

Regenerating gives equivalent captures, not byte-identical ones (ports, timings and sometimes
frame numbers move): re-run `tools/check_cases.py` and update `cases.json` if it disagrees.

| file | scenario | how it was made | on the wire (frame numbers) | expected diagnosis |
|---|---|---|---|---|
"""


def cell(s):
    return str(s).replace("|", "\\|").replace("\n", " ")


def expectation(case):
    parts = []
    for e in case["expect"]:
        f = ", ".join(f"`{x}`" for x in e["findings"]) or "no finding"
        alerts = "; ".join(e.get("alerts", [])) or "none"
        s = f"conn {e['connection']}: **{e['status']}**, {f}; SNI {e.get('sni')}; {e.get('version')}; alerts: {alerts}"
        if e.get("alerts_decrypted"):
            s += "; with keys: " + "; ".join(e["alerts_decrypted"])
        if e.get("resumption"):
            r = e["resumption"]
            s += f"; resumption offered {r['offered']}" + (f", accepted {r['accepted']}" if r["accepted"] is not None else "")
        if e.get("status_also_acceptable"):
            s += f" (status {'/'.join(e['status_also_acceptable'])} also acceptable)"
        if e.get("notes"):
            s += f". {e['notes']}"
        parts.append(s)
    return "<br>".join(cell(p) for p in parts)


def main():
    cases = json.load(open(os.path.join(ROOT, "cases.json")))
    out = [HEAD]
    for c in cases:
        wire = "<br>".join(cell(w) for w in c["wire"])
        fmt = f"{c['format']}, {c['link_type']}"
        out.append(f"| `{c['file']}` ({fmt}) | {cell(c['scenario'])} | {cell(c['how'])} | {wire} | {expectation(c)} |\n")
    with open(os.path.join(ROOT, "MANIFEST.md"), "w") as f:
        f.write("".join(out))


if __name__ == "__main__":
    main()
