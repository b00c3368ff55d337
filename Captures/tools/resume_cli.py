#!/usr/bin/env python3
"""TLS 1.2 client that alternates full handshakes and resumption attempts in one process.

Pattern per --pattern letters: F = full handshake (new session, saved), R = resume the last
saved session. Each connection sends one HTTP request and reads the answer; every socket
operation times out after --timeout seconds.
"""
import argparse
import socket
import ssl
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", required=True)
    ap.add_argument("--port", type=int, default=443)
    ap.add_argument("--sni", required=True)
    ap.add_argument("--cafile", required=True)
    ap.add_argument("--keylog")
    ap.add_argument("--pattern", default="FRFRFR")
    ap.add_argument("--timeout", type=float, default=2)
    ap.add_argument("--pause", type=float, default=0.3)
    a = ap.parse_args()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(a.cafile)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    if a.keylog:
        ctx.keylog_filename = a.keylog
    saved = None
    for i, kind in enumerate(a.pattern, 1):
        s = socket.create_connection((a.host, a.port), timeout=a.timeout)
        try:
            t = ctx.wrap_socket(s, server_hostname=a.sni, session=saved if kind == "R" else None)
            t.sendall(f"GET /{i} HTTP/1.1\r\nHost: {a.sni}\r\n\r\n".encode())
            data = b""
            while True:
                chunk = t.recv(4096)
                if not chunk:
                    break
                data += chunk
            print(i, kind, "ok reused" if t.session_reused else "ok full", len(data), flush=True)
            if kind == "F":
                saved = t.session
            try:
                t.unwrap()
            except (ssl.SSLError, OSError):
                pass
            t.close()
        except (ssl.SSLError, OSError) as e:
            print(i, kind, "error:", type(e).__name__, e, flush=True)
            s.close()
        time.sleep(a.pause)
    return 0


if __name__ == "__main__":
    sys.exit(main())
