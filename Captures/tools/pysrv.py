#!/usr/bin/env python3
"""Small test servers (Python 3.11 ssl = OpenSSL 3.0) for the capture scenarios.

Modes:
  https        TLS, read an HTTP request, answer, close_notify, close
  silent       TCP accept, never read or write, close after --hold seconds
  rst-hello    TCP accept, read the ClientHello, close with SO_LINGER 0 (RST)
  fin-hello    TCP accept, read the ClientHello, close normally (FIN, no alert)
  tls-mute     TLS handshake, then neither read nor write for --hold seconds, then close
  plain-http   plain-text HTTP answer (to be put on port 443)
  smtp         SMTP greeting, EHLO, STARTTLS, then TLS and a few SMTP lines
Each mode serves --naccept connections and stops; the whole server stops after --max-seconds.
"""
import argparse
import socket
import ssl
import struct
import sys
import threading
import time

VERSIONS = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}
BODY = b"<html><body>tlsflow test page</body></html>\n"
RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n"
            b"Connection: close\r\n\r\n" % len(BODY)) + BODY


def context(a):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if a.ciphers:
        ctx.set_ciphers(a.ciphers)      # first: @SECLEVEL=0 must be set before a weak key loads
    ctx.load_cert_chain(a.cert, a.key)
    if a.min:
        ctx.minimum_version = VERSIONS[a.min]
    if a.max:
        ctx.maximum_version = VERSIONS[a.max]
    if a.client_ca:
        ctx.load_verify_locations(a.client_ca)
        ctx.verify_mode = ssl.CERT_REQUIRED
    if a.keylog:
        ctx.keylog_filename = a.keylog
    if a.no_tickets:
        ctx.options |= ssl.OP_NO_TICKET
    ctx.num_tickets = a.tickets
    return ctx


def read_request(s, limit=8192):
    data = b""
    while b"\r\n\r\n" not in data and len(data) < limit:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def serve_one(a, conn, ctx):
    conn.settimeout(a.timeout)
    try:
        if a.mode == "https":
            t = ctx.wrap_socket(conn, server_side=True)
            if read_request(t):
                t.sendall(RESPONSE)
            try:
                t = t.unwrap()          # our close_notify, then wait for the peer's
            except (ssl.SSLError, OSError):
                pass
            t.close()
        elif a.mode == "silent":
            time.sleep(a.hold)
            conn.close()
        elif a.mode == "rst-hello":
            conn.recv(16384)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()
        elif a.mode == "fin-hello":
            conn.recv(16384)
            conn.close()
        elif a.mode == "tls-mute":
            t = ctx.wrap_socket(conn, server_side=True)
            time.sleep(a.hold)
            t.close()
        elif a.mode == "plain-http":
            first = conn.recv(4096)
            if first.startswith(b"GET "):
                if b"\r\n\r\n" not in first:
                    read_request(conn)
                conn.sendall(RESPONSE)
            elif first:
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                             b"Connection: close\r\n\r\n")
            conn.shutdown(socket.SHUT_WR)
            conn.recv(1024)
            conn.close()
        elif a.mode == "smtp":
            f = conn.makefile("rb")
            conn.sendall(b"220 mail.tlsflow.test ESMTP tlsflow-test\r\n")
            while True:
                line = f.readline(1024)
                if not line:
                    return
                cmd = line.strip().upper()
                if cmd.startswith(b"EHLO"):
                    conn.sendall(b"250-mail.tlsflow.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n"
                                 b"250 8BITMIME\r\n")
                elif cmd == b"STARTTLS":
                    conn.sendall(b"220 2.0.0 Ready to start TLS\r\n")
                    break
                else:
                    conn.sendall(b"502 5.5.2 Error: command not recognized\r\n")
            t = ctx.wrap_socket(conn, server_side=True)
            tf = t.makefile("rb")
            while True:
                line = tf.readline(1024)
                if not line:
                    break
                cmd = line.strip().upper()
                if cmd.startswith(b"EHLO"):
                    t.sendall(b"250-mail.tlsflow.test\r\n250 8BITMIME\r\n")
                elif cmd == b"QUIT":
                    t.sendall(b"221 2.0.0 Bye\r\n")
                    break
                else:
                    t.sendall(b"250 2.0.0 Ok\r\n")
            try:
                t.unwrap()
            except (ssl.SSLError, OSError):
                pass
            t.close()
    except (ssl.SSLError, OSError) as e:
        print(f"connection error: {e}", file=sys.stderr, flush=True)
        conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", required=True)
    ap.add_argument("--bind", default="0.0.0.0")
    ap.add_argument("--port", type=int, default=443)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--min")
    ap.add_argument("--max")
    ap.add_argument("--ciphers")
    ap.add_argument("--client-ca")
    ap.add_argument("--keylog")
    ap.add_argument("--no-tickets", action="store_true")
    ap.add_argument("--tickets", type=int, default=2)
    ap.add_argument("--naccept", type=int, default=1)
    ap.add_argument("--hold", type=float, default=5)
    ap.add_argument("--timeout", type=float, default=8)
    ap.add_argument("--max-seconds", type=float, default=60)
    a = ap.parse_args()
    ctx = context(a) if a.cert else None
    fam = socket.AF_INET6 if ":" in a.bind else socket.AF_INET
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((a.bind, a.port))
    ls.listen(8)
    ls.settimeout(a.max_seconds)
    threads = []
    for _ in range(a.naccept):
        try:
            conn, _ = ls.accept()
        except socket.timeout:
            break
        th = threading.Thread(target=serve_one, args=(a, conn, ctx), daemon=True)
        th.start()
        threads.append(th)
    for th in threads:
        th.join(a.max_seconds)
    ls.close()


if __name__ == "__main__":
    main()
