#!/usr/bin/env python3
"""Cross-check the hand-written Captures/cases.json against tshark's reading of each capture.

Checks what tshark can see for sure: number of TCP connections, SNI, negotiated version and
cipher suite, cleartext / encrypted alerts (sender, level, description, frame), alerts seen
with the key log, resumption offers in the ClientHello, link type. It does not judge the
findings (that is the analyzer's job); it only makes sure the expectations describe the wire.
Exit status 1 if anything disagrees.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PCAPS = os.path.join(HERE, "..", "pcaps")

SUITES = {
    "0xc030": "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "0xc02f": "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "0xc02c": "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "0xcca8": "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "0xc027": "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "0x1301": "TLS_AES_128_GCM_SHA256",
    "0x1302": "TLS_AES_256_GCM_SHA384", "0x1303": "TLS_CHACHA20_POLY1305_SHA256",
}
VERSIONS = {"0x0304": "TLS 1.3", "0x0303": "TLS 1.2", "0x0302": "TLS 1.1", "0x0301": "TLS 1.0"}
ALERTS = {"0": "close_notify", "10": "unexpected_message", "20": "bad_record_mac", "40": "handshake_failure",
          "42": "bad_certificate", "43": "unsupported_certificate", "45": "certificate_expired",
          "46": "certificate_unknown", "47": "illegal_parameter", "48": "unknown_ca", "50": "decode_error",
          "51": "decrypt_error", "70": "protocol_version", "71": "insufficient_security", "80": "internal_error",
          "116": "certificate_required"}
LEVELS = {"1": "warning", "2": "fatal"}
FIELDS = ["frame.number", "tcp.stream", "tcp.srcport", "tcp.dstport", "tls.record.content_type",
          "tls.alert_message.level", "tls.alert_message.desc", "tls.handshake.type",
          "tls.handshake.extensions_server_name", "tls.handshake.session_id_length",
          "tls.handshake.extension.type", "tls.handshake.extension.len", "tls.handshake.version",
          "tls.handshake.extensions.supported_version", "tls.handshake.ciphersuite",
          "tls.handshake.random", "tcp.flags.syn", "tcp.flags.ack"]
HRR_RANDOM = "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c"


def tshark(path, keylog=None, ooo=False):
    # Out-of-order reassembly only where segments are reordered: with a real gap (capture-gap)
    # tshark would otherwise hold back everything after the hole.
    cmd = ["tshark", "-r", path, "-o", f"tcp.reassemble_out_of_order:{'TRUE' if ooo else 'FALSE'}", "-T", "fields",
           "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=,"]
    if keylog:
        cmd += ["-o", f"tls.keylog_file:{keylog}"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout
    rows = []
    for line in out.splitlines():
        vals = line.split("\t")
        rows.append({k: (vals[i].split(",") if i < len(vals) and vals[i] else []) for i, k in enumerate(FIELDS)})
    return rows


def connections(rows):
    conns = {}
    order = []
    for r in rows:
        if not r["tcp.stream"]:
            continue
        s = r["tcp.stream"][0]
        if s not in conns:
            conns[s] = {"rows": [], "client_port": None}
            order.append(s)
        c = conns[s]
        c["rows"].append(r)
        if c["client_port"] is None and r["tcp.flags.syn"] == ["1"] and r["tcp.flags.ack"] == ["0"]:
            c["client_port"] = r["tcp.srcport"][0]
    for c in conns.values():
        if c["client_port"] is None and c["rows"]:
            # No SYN (capture started mid-stream): the client is the side with the ephemeral port.
            r = c["rows"][0]
            sp, dp = int(r["tcp.srcport"][0]), int(r["tcp.dstport"][0])
            c["client_port"] = str(sp if sp > dp else dp)
    return [conns[s] for s in order]


def alerts(conn):
    out = []
    for r in conn["rows"]:
        ctypes = r["tls.record.content_type"]
        if "21" not in ctypes:
            continue
        who = "client" if r["tcp.srcport"] and r["tcp.srcport"][0] == conn["client_port"] else "server"
        levels, descs = r["tls.alert_message.level"], r["tls.alert_message.desc"]
        n_alert = ctypes.count("21")
        for i in range(n_alert):
            if i < len(levels) and i < len(descs):
                out.append((int(r["frame.number"][0]), f"{who} {LEVELS.get(levels[i], levels[i])} "
                                                        f"{ALERTS.get(descs[i], descs[i])}"))
            else:
                out.append((int(r["frame.number"][0]), f"{who} encrypted"))
    return out


def hello_facts(conn):
    f = {"sni": None, "version": None, "suite": None, "offered": None}
    for r in conn["rows"]:
        types = r["tls.handshake.type"]
        if "1" in types and f["offered"] is None:
            f["sni"] = r["tls.handshake.extensions_server_name"][0] if r["tls.handshake.extensions_server_name"] else None
            ext, lens = r["tls.handshake.extension.type"], r["tls.handshake.extension.len"]
            ticket_len = next((int(lens[i]) for i, e in enumerate(ext) if e == "35" and i < len(lens)), 0)
            sid = int(r["tls.handshake.session_id_length"][0]) if r["tls.handshake.session_id_length"] else 0
            if "41" in ext:
                f["offered"] = "psk"
            elif ticket_len:
                f["offered"] = "ticket"
            elif sid and "43" not in ext:
                f["offered"] = "session_id"
            else:
                f["offered"] = "none" if not sid or "43" in ext else "session_id"
        if "2" in types and r["tls.handshake.random"] and r["tls.handshake.random"][0] != HRR_RANDOM:
            sv = r["tls.handshake.extensions.supported_version"]
            hv = r["tls.handshake.version"]
            # handshake.version lists every hello in the frame; the ServerHello's is the one with type 2
            idx = types.index("2")
            v = sv[-1] if sv else (hv[idx] if idx < len(hv) else hv[-1])
            f["version"] = VERSIONS.get(v, v)
            f["suite"] = SUITES.get(r["tls.handshake.ciphersuite"][-1], r["tls.handshake.ciphersuite"][-1]) \
                if r["tls.handshake.ciphersuite"] else None
    return f


def main():
    cases = json.load(open(os.path.join(HERE, "..", "cases.json")))
    problems = 0
    for case in cases:
        path = os.path.join(PCAPS, case["file"])
        base = os.path.splitext(path)[0]
        keylog = base + ".keylog" if os.path.exists(base + ".keylog") else None
        ooo = case.get("tshark_reassemble_out_of_order", False)
        conns = connections(tshark(path, ooo=ooo))
        dconns = connections(tshark(path, keylog, ooo)) if keylog else None
        errs = []
        if len(conns) != case["connections"]:
            errs.append(f"connections: expected {case['connections']}, tshark sees {len(conns)}")
        for e in case["expect"]:
            i = e["connection"] - 1
            if i >= len(conns):
                errs.append(f"conn {e['connection']} missing")
                continue
            c = conns[i]
            f = hello_facts(c)
            if "sni" in e and e["sni"] != f["sni"]:
                errs.append(f"conn {i+1} sni {e['sni']!r} != {f['sni']!r}")
            if "version" in e and e["version"] != f["version"]:
                errs.append(f"conn {i+1} version {e['version']!r} != {f['version']!r}")
            if "cipher_suite" in e and e["cipher_suite"] != f["suite"]:
                errs.append(f"conn {i+1} suite {e['cipher_suite']} != {f['suite']}")
            if "resumption" in e and e["resumption"]["offered"] != f["offered"]:
                errs.append(f"conn {i+1} resumption offered {e['resumption']['offered']} != {f['offered']}")
            seen = alerts(c)
            if "alerts" in e and e["alerts"] != [a for _, a in seen]:
                errs.append(f"conn {i+1} alerts {e['alerts']} != {[a for _, a in seen]}")
            if "alert_frames" in e and e["alert_frames"] != [n for n, _ in seen]:
                errs.append(f"conn {i+1} alert frames {e['alert_frames']} != {[n for n, _ in seen]}")
            if "alerts_decrypted" in e:
                if not dconns:
                    errs.append(f"conn {i+1} alerts_decrypted given but no key log")
                else:
                    dseen = [a for _, a in alerts(dconns[i])]
                    if sorted(e["alerts_decrypted"]) != sorted(dseen):
                        errs.append(f"conn {i+1} decrypted alerts {e['alerts_decrypted']} != {dseen}")
        enc = subprocess.run(["capinfos", "-E", "-M", path], capture_output=True, text=True).stdout
        want = {"EN10MB": "ether", "LINUX_SLL2": "linux-sll2"}[case["link_type"]]
        if not any(ln.split(":", 1)[-1].strip() == want for ln in enc.splitlines() if "encapsulation" in ln):
            errs.append(f"link type not {case['link_type']}")
        status = "ok" if not errs else "MISMATCH"
        print(f"{status:8} {case['file']}")
        for x in errs:
            print("         ", x)
        problems += bool(errs)
    print(f"{len(cases) - problems} passed, {problems} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
