#!/usr/bin/env python3
"""TCP proxy that breaks TLS resumption, like a load balancer or inspection box that does.

Full handshakes are relayed both ways. When the ClientHello offers resumption (non-empty
session ID, non-empty SessionTicket extension, or pre_shared_key), the ClientHello is passed
to the backend but the backend's answer is thrown away; then, alternately, the proxy either
stays silent (the client times out) or resets the client connection (SO_LINGER 0).
"""
import argparse
import select
import socket
import struct
import sys
import threading
import time


def offers_resumption(ch):
    """True if a TLS ClientHello record offers a session ID, a ticket or a PSK."""
    try:
        if ch[0] != 22 or ch[5] != 1:
            return False
        p = 9 + 2 + 32                      # record hdr 5, hs hdr 4, version 2, random 32
        sid_len = ch[p]
        if sid_len:
            return True
        p += 1 + sid_len
        cs_len = struct.unpack_from("!H", ch, p)[0]
        p += 2 + cs_len
        p += 1 + ch[p]
        ext_end = p + 2 + struct.unpack_from("!H", ch, p)[0]
        p += 2
        while p + 4 <= ext_end:
            etype, elen = struct.unpack_from("!HH", ch, p)
            if (etype == 35 and elen > 0) or etype == 41:
                return True
            p += 4 + elen
    except (IndexError, struct.error):
        return False
    return False


def relay(c, b, limit):
    end = time.monotonic() + limit
    socks = [c, b]
    while time.monotonic() < end:
        r, _, _ = select.select(socks, [], [], 0.2)
        for s in r:
            data = s.recv(16384)
            other = b if s is c else c
            if not data:
                try:
                    other.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                socks.remove(s)
                continue
            other.sendall(data)
        if not socks:
            return


def handle(c, backend, n_resume, a):
    b = None
    try:
        c.settimeout(a.timeout)
        first = c.recv(16384)
        b = socket.create_connection(backend, timeout=a.timeout)
        b.sendall(first)
        if not offers_resumption(first):
            relay(c, b, a.timeout * 3)
            return
        try:
            b.recv(16384)                   # the backend's ServerHello...: discarded
        except OSError:
            pass
        if n_resume % 2 == 1:
            # stall: answer nothing until the client gives up
            c.settimeout(a.stall)
            try:
                while c.recv(16384):
                    pass
            except OSError:
                pass
        else:
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError as e:
        print("proxy:", e, file=sys.stderr)
    finally:
        c.close()
        if b:
            b.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", type=int, default=443)
    ap.add_argument("--backend", type=int, default=8443)
    ap.add_argument("--naccept", type=int, default=6)
    ap.add_argument("--timeout", type=float, default=3)
    ap.add_argument("--stall", type=float, default=4)
    a = ap.parse_args()
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", a.listen))
    ls.listen(8)
    ls.settimeout(30)
    n_resume = 0
    threads = []
    for _ in range(a.naccept):
        try:
            c, _ = ls.accept()
        except socket.timeout:
            break
        # Peek at the ClientHello to number the resumption attempts in order.
        c.settimeout(a.timeout)
        try:
            peek = c.recv(16384, socket.MSG_PEEK)
        except OSError:
            peek = b""
        if offers_resumption(peek):
            n_resume += 1
        th = threading.Thread(target=handle, args=(c, ("127.0.0.1", a.backend), n_resume, a),
                              daemon=True)
        th.start()
        threads.append(th)
    for th in threads:
        th.join(20)


if __name__ == "__main__":
    main()
