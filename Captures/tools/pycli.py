#!/usr/bin/env python3
"""Small TLS test client (Python 3.11 ssl). Prints what happened; never raises past main."""
import argparse
import socket
import ssl
import sys

VERSIONS = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", required=True)
    ap.add_argument("--port", type=int, default=443)
    ap.add_argument("--sni")
    ap.add_argument("--cafile")
    ap.add_argument("--no-check-hostname", action="store_true")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--keylog")
    ap.add_argument("--min")
    ap.add_argument("--max")
    ap.add_argument("--ciphers")
    ap.add_argument("--timeout", type=float, default=3)
    ap.add_argument("--request", default="GET / HTTP/1.1\r\nHost: {sni}\r\n\r\n")
    ap.add_argument("--no-read", action="store_true", help="send the request, read nothing back")
    ap.add_argument("--starttls", action="store_true", help="SMTP EHLO/STARTTLS before TLS")
    a = ap.parse_args()

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = not a.no_check_hostname
    if a.cafile:
        ctx.load_verify_locations(a.cafile)
    if a.cert:
        ctx.load_cert_chain(a.cert, a.key)
    if a.keylog:
        ctx.keylog_filename = a.keylog
    if a.min:
        ctx.minimum_version = VERSIONS[a.min]
    if a.max:
        ctx.maximum_version = VERSIONS[a.max]
    if a.ciphers:
        ctx.set_ciphers(a.ciphers)
    fam = socket.AF_INET6 if ":" in a.host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(a.timeout)
    try:
        s.connect((a.host, a.port))
        if a.starttls:
            f = s.makefile("rb")
            print(f.readline(1024).decode().strip())
            s.sendall(b"EHLO client.tlsflow.test\r\n")
            while True:
                line = f.readline(1024).decode()
                print(line.strip())
                if not line or line[3:4] == " ":
                    break
            s.sendall(b"STARTTLS\r\n")
            print(f.readline(1024).decode().strip())
        t = ctx.wrap_socket(s, server_hostname=a.sni or a.host)
        print("handshake ok", t.version(), t.cipher()[0], flush=True)
        if a.starttls:
            tf = t.makefile("rb")
            for cmd in (b"EHLO client.tlsflow.test\r\n", b"QUIT\r\n"):
                t.sendall(cmd)
                while True:
                    line = tf.readline(1024).decode()
                    print(line.strip())
                    if not line or line[3:4] == " ":
                        break
        else:
            t.sendall(a.request.replace("\\r\\n", "\r\n").format(sni=a.sni or a.host).encode())
            if not a.no_read:
                data = b""
                while True:
                    chunk = t.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                print("received", len(data), "bytes")
            else:
                try:
                    t.recv(4096)
                except (socket.timeout, TimeoutError):
                    print("timed out waiting for the answer; closing without close_notify")
                    t.close()
                    return 2
        try:
            t.unwrap()
        except (ssl.SSLError, OSError):
            pass
        t.close()
    except (ssl.SSLError, OSError) as e:
        print("error:", type(e).__name__, e, flush=True)
        s.close()
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
