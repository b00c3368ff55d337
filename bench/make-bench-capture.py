#!/usr/bin/env python3
"""Generates large, realistic TLS captures for `make bench`, reproducibly.

Two stages:

1. seed: real TLS 1.2/1.3 connections made by Python's ssl (OpenSSL) inside a network namespace
   created for the purpose (its own loopback, MTU 1500; no other address is ever contacted),
   captured with tcpdump into bench-data/seed.pcap. Scenarios: handshake + small request,
   bulk transfers (MBs of application data, both directions), alerts (unknown CA,
   protocol_version, handshake_failure), a server reset after the ClientHello, and an unanswered
   ClientHello. Generated once; delete bench-data/seed.pcap to regenerate.
2. replicate: the seed connections are copied into one pcap with rewritten addresses and ports
   (every copy a distinct 4-tuple; TCP/IP checksums adjusted incrementally, sequence numbers
   kept) and shifted times, interleaved in time order. Deterministic for a given seed file
   (random.Random(42)).

Usage:
  make-bench-capture.py --size 100M            -> bench-data/bench-100M.pcap (~20 000 connections)
  make-bench-capture.py --size 1G              -> bench-data/bench-1G.pcap  (~200 000 connections)
  make-bench-capture.py --size 1G --out F --connections N
Needs root (ip netns, tcpdump) for the seed stage only.
"""

import argparse
import bisect
import heapq
import os
import random
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(ROOT, "bench-data")
NETNS = "tlsflow-bench-%d" % os.getpid()
HOST = "127.0.0.1"
SNI = "www.example.test"

# Scenario: (name, server port, seed repetitions, share of replicated non-bulk connections)
# Bulk scenarios have share None: their copies fill the size left after the others.
SCENARIOS = [
    ("tls13_small", 4431, 4, 0.50),
    ("tls12_small", 4432, 4, 0.24),
    ("tls12_unknown_ca", 4433, 2, 0.06),
    ("tls13_protocol_version", 4434, 2, 0.04),
    ("tls12_handshake_failure", 4435, 2, 0.04),
    ("reset_after_hello", 4436, 2, 0.06),
    ("unanswered_hello", 4437, 2, 0.06),
    ("tls13_bulk_download", 4438, 2, None),
    ("tls12_bulk_download", 4439, 1, None),
    ("tls13_bulk_upload", 4440, 1, None),
]


# ---------------------------------------------------------------- stage 1: seed capture


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def make_certificates(directory):
    def openssl(*args):
        run(["openssl", *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    d = directory
    for ca in ("ca", "otherca"):
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", f"{d}/{ca}.key", "-out", f"{d}/{ca}.pem", "-days", "3650",
                "-subj", f"/CN=tlsflow bench {ca}")
    ext = f"{d}/ext.cnf"
    with open(ext, "w") as f:
        f.write(f"subjectAltName=DNS:{SNI}\nextendedKeyUsage=serverAuth\n")
    for name, key in (("ecdsa", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]),
                      ("rsa", ["-newkey", "rsa:2048"])):
        openssl("req", *key, "-nodes", "-keyout", f"{d}/{name}.key", "-out", f"{d}/{name}.csr",
                "-subj", f"/CN={SNI}")
        openssl("x509", "-req", "-in", f"{d}/{name}.csr", "-CA", f"{d}/ca.pem", "-CAkey", f"{d}/ca.key",
                "-CAcreateserial", "-out", f"{d}/{name}.crt", "-days", "825", "-extfile", ext)
        with open(f"{d}/{name}.chain", "w") as out:
            out.write(open(f"{d}/{name}.crt").read() + open(f"{d}/ca.pem").read())


def server_context(d, cert, minimum=None, maximum=None, ciphers=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(f"{d}/{cert}.chain", f"{d}/{cert}.key")
    if minimum:
        ctx.minimum_version = minimum
    if maximum:
        ctx.maximum_version = maximum
    if ciphers:
        ctx.set_ciphers(ciphers)
    return ctx


def client_context(d, cafile="ca", maximum=None, ciphers=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(f"{d}/{cafile}.pem")
    if maximum:
        ctx.maximum_version = maximum
    if ciphers:
        ctx.set_ciphers(ciphers)
    return ctx


def recv_exactly(sock, n):
    got = 0
    while got < n:
        chunk = sock.recv(min(65536, n - got))
        if not chunk:
            break
        got += len(chunk)
    return got


def serve(listener, handler):
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        threading.Thread(target=handler, args=(conn,), daemon=True).start()


def tls_server(ctx, after):
    def handler(raw):
        try:
            with ctx.wrap_socket(raw, server_side=True) as s:
                after(s)
                try:
                    s.unwrap()
                except (ssl.SSLError, OSError):
                    pass
        except (ssl.SSLError, OSError):
            pass
        finally:
            raw.close()
    return handler


def small_response(s):
    s.recv(4096)
    body = b"x" * 300
    s.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)


def bulk_download(size):
    def after(s):
        s.recv(4096)
        block = os.urandom(16384)
        sent = 0
        while sent < size:
            s.sendall(block)
            sent += len(block)
    return after


def bulk_upload(size):
    def after(s):
        recv_exactly(s, size)
        s.sendall(b"HTTP/1.1 204 No Content\r\n\r\n")
    return after


def reset_handler(raw):
    raw.recv(4096)
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    raw.close()


def silent_handler(raw):
    try:
        while raw.recv(4096):
            pass
    finally:
        raw.close()


def client(port, ctx, request=b"GET / HTTP/1.1\r\nHost: " + SNI.encode() + b"\r\n\r\n", expect=2000,
           upload=0, timeout=5.0):
    with socket.create_connection((HOST, port), timeout=timeout) as raw:
        try:
            with ctx.wrap_socket(raw, server_hostname=SNI) as s:
                if upload:
                    block = os.urandom(16384)
                    sent = 0
                    while sent < upload:
                        s.sendall(block)
                        sent += len(block)
                else:
                    s.sendall(request)
                recv_exactly(s, expect)
                try:
                    s.unwrap()
                except (ssl.SSLError, OSError):
                    pass
        except (ssl.SSLError, OSError):
            pass


def run_scenarios(d):
    """Runs inside the namespace: starts the servers, makes the seed connections."""
    t13, t12 = ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_2
    servers = {
        4431: tls_server(server_context(d, "ecdsa"), small_response),
        4432: tls_server(server_context(d, "rsa", maximum=t12), small_response),
        4433: tls_server(server_context(d, "rsa", maximum=t12), small_response),
        4434: tls_server(server_context(d, "ecdsa", minimum=t13), small_response),
        4435: tls_server(server_context(d, "rsa", maximum=t12, ciphers="ECDHE-RSA-AES256-GCM-SHA384"), small_response),
        4436: reset_handler,
        4437: silent_handler,
        4438: tls_server(server_context(d, "ecdsa"), bulk_download(4 << 20)),
        4439: tls_server(server_context(d, "rsa", maximum=t12), bulk_download(2 << 20)),
        4440: tls_server(server_context(d, "ecdsa"), bulk_upload(1 << 20)),
    }
    for port, handler in servers.items():
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((HOST, port))
        listener.listen(64)
        threading.Thread(target=serve, args=(listener, handler), daemon=True).start()
    clients = {
        4431: lambda: client(4431, client_context(d)),
        4432: lambda: client(4432, client_context(d, maximum=t12)),
        4433: lambda: client(4433, client_context(d, cafile="otherca", maximum=t12)),
        4434: lambda: client(4434, client_context(d, maximum=t12)),
        4435: lambda: client(4435, client_context(d, maximum=t12, ciphers="ECDHE-RSA-CHACHA20-POLY1305")),
        4436: lambda: client(4436, client_context(d)),
        4437: lambda: client(4437, client_context(d), timeout=0.6),
        4438: lambda: client(4438, client_context(d), expect=4 << 20),
        4439: lambda: client(4439, client_context(d, maximum=t12), expect=2 << 20),
        4440: lambda: client(4440, client_context(d), upload=1 << 20, expect=20),
    }
    time.sleep(0.3)
    for name, port, repetitions, _ in SCENARIOS:
        for _ in range(repetitions):
            clients[port]()
            time.sleep(0.05)
    time.sleep(0.5)


def make_seed(path):
    if os.geteuid() != 0:
        sys.exit("make-bench-capture: the seed capture needs root (ip netns, tcpdump)")
    with tempfile.TemporaryDirectory() as d:
        make_certificates(d)
        run(["ip", "netns", "add", NETNS])
        try:
            run(["ip", "netns", "exec", NETNS, "ip", "link", "set", "lo", "mtu", "1500", "up"])
            tcpdump = subprocess.Popen(
                ["ip", "netns", "exec", NETNS, "tcpdump", "-i", "lo", "-s", "0", "-U", "-w", path + ".tmp",
                 "tcp portrange 4431-4440"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1.0)
            try:
                run(["ip", "netns", "exec", NETNS, sys.executable, os.path.abspath(__file__),
                     "--run-scenarios", d])
                time.sleep(0.5)
            finally:
                tcpdump.terminate()
                tcpdump.wait()
        finally:
            subprocess.run(["ip", "netns", "delete", NETNS])
    os.replace(path + ".tmp", path)


# ---------------------------------------------------------------- stage 2: replication


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack_from("<I", data, 0)[0]
    if magic == 0xA1B2C3D4:
        endian, scale = "<", 1000
    elif magic == 0xA1B23C4D:
        endian, scale = "<", 1
    else:
        sys.exit("seed: unexpected pcap magic %#x" % magic)
    linktype = struct.unpack_from(endian + "I", data, 20)[0]
    if linktype != 1:
        sys.exit("seed: expected Ethernet link type, got %d" % linktype)
    packets = []
    offset = 24
    while offset + 16 <= len(data):
        sec, frac, incl, _orig = struct.unpack_from(endian + "IIII", data, offset)
        offset += 16
        packets.append((sec * 1_000_000_000 + frac * scale, data[offset:offset + incl]))
        offset += incl
    return packets


def fold(x):
    while x >> 16:
        x = (x & 0xFFFF) + (x >> 16)
    return x


def segment(frame, mss=1448):
    """Splits an offloaded super-segment into MSS-sized segments (sequence numbers advanced)."""
    ihl = (frame[14] & 0x0F) * 4
    tcp = 14 + ihl
    doff = (frame[tcp + 12] >> 4) * 4
    head = frame[:tcp + doff]
    payload = frame[tcp + doff:]
    if len(payload) <= mss:
        return [frame]
    seq = struct.unpack_from(">I", frame, tcp + 4)[0]
    flags = frame[tcp + 13]
    out = []
    for start in range(0, len(payload), mss):
        chunk = payload[start:start + mss]
        h = bytearray(head)
        struct.pack_into(">H", h, 16, ihl + doff + len(chunk))
        struct.pack_into(">I", h, tcp + 4, (seq + start) & 0xFFFFFFFF)
        last = start + mss >= len(payload)
        h[tcp + 13] = flags if last else flags & ~0x09  # FIN and PSH only on the last piece
        h[24:26] = b"\0\0"
        struct.pack_into(">H", h, 24, (~fold(sum(struct.unpack_from(">10H", h, 14)))) & 0xFFFF)
        out.append(bytes(h) + chunk)
    return out


class SeedConnection:
    """One seed connection as one blob of pcap records (timestamps left zero) and their offsets."""

    def __init__(self, name, packets, client_key):
        self.name = name
        t0 = packets[0][0]
        self.t0 = t0
        # The (address, address, port, port) run as it appears in client-to-server frames.
        client_ip, client_port = client_key[:4], client_key[4:]
        first = packets[0][1]
        if first[26:30] == client_ip and first[34:36] == client_port:
            self.c2s = first[26:38]
        else:
            self.c2s = first[30:34] + first[26:30] + first[36:38] + first[34:36]
        self.s2c = self.c2s[4:8] + self.c2s[0:4] + self.c2s[10:12] + self.c2s[8:10]
        self.address_sum = sum(struct.unpack(">4H", self.c2s[:8]))
        self.client_port, self.server_port = struct.unpack(">HH", self.c2s[8:12])
        parts = []
        self.offsets = []  # (relative time in microseconds, start of the record, end)
        offset = 0
        for t, frame in packets:
            record = struct.pack("<IIII", 0, 0, len(frame), len(frame)) + frame
            self.offsets.append(((t - t0) // 1000, offset, offset + len(record)))
            parts.append(record)
            offset += len(record)
        self.blob = b"".join(parts)
        self.bytes = len(self.blob)
        self.duration = packets[-1][0] - t0
        self.copies = 0


def load_seed(path):
    packets = read_pcap(path)
    flows = {}
    order = []
    for t, frame in packets:
        if len(frame) < 54 or frame[12:14] != b"\x08\x00" or frame[23] != 6 or (frame[14] & 0x0F) != 5:
            continue
        a = frame[26:30] + frame[34:36]
        b = frame[30:34] + frame[36:38]
        key = min(a, b) + max(a, b)
        if key not in flows:
            if not frame[47] & 0x02 or frame[47] & 0x10:  # starts with a SYN
                continue
            flows[key] = (a, [])
            order.append(key)
        for piece in segment(frame):
            flows[key][1].append((t, piece))
    by_port = {port: name for name, port, _, _ in SCENARIOS}
    seeds = {}
    for key in order:
        client_key, frames = flows[key]
        server_port = struct.unpack(">H", frames[0][1][36:38])[0]
        name = by_port.get(server_port)
        if name:
            seeds.setdefault(name, []).append(SeedConnection(name, frames, client_key))
    missing = [name for name, *_ in SCENARIOS if name not in seeds]
    if missing:
        sys.exit("seed: no connections for " + ", ".join(missing))
    return seeds


def parse_size(text):
    units = {"K": 10**3, "M": 10**6, "G": 10**9}
    if text[-1].upper() in units:
        return int(float(text[:-1]) * units[text[-1].upper()])
    return int(text)


def addresses_for_copy(conn, j):
    """A distinct client address and a server address for copy j of conn, chosen so that the
    ones-complement sum of the addresses (and of the ports) equals the seed's: the IP and TCP
    checksums of every frame stay valid without touching them. Server port 443; the client port
    absorbs the port difference."""
    if j >= 256 * 192 * 4:
        return None
    server_index = j % 256
    high = (j // 256) % 192
    low_bits = j // (256 * 192)
    cw1 = (10 << 8) | (64 + high)
    sw1, sw2 = (172 << 8) | (16 + low_bits), (server_index << 8) | 10
    cw2 = fold(conn.address_sum + 3 * 0xFFFF - cw1 - sw1 - sw2)
    if cw2 in (0, 0xFFFF):
        return None
    client_port = fold(conn.client_port + conn.server_port + 0xFFFF - 443)
    if client_port < 1024:
        return None
    client_ip = struct.pack(">HH", cw1, cw2)
    server_ip = struct.pack(">HH", sw1, sw2)
    ports = struct.pack(">HH", client_port, 443)
    return client_ip + server_ip + ports, server_ip + client_ip + ports[2:] + ports[:2]


def replicate(seeds, out_path, target_bytes, connections, rate, time_scale, seed=42):
    rng = random.Random(seed)
    small = [(name, share) for name, _, _, share in SCENARIOS if share is not None]
    bulk = [name for name, _, _, share in SCENARIOS if share is None]
    average_small = sum(share * sum(c.bytes for c in seeds[name]) / len(seeds[name]) for name, share in small)
    average_bulk = sum(sum(c.bytes for c in seeds[name]) / len(seeds[name]) for name in bulk) / len(bulk)
    # n_small * average_small + n_bulk * average_bulk = target, n_small + n_bulk = connections
    n_bulk = max(1, int((target_bytes - connections * average_small) / max(1.0, average_bulk - average_small)))
    n_bulk = min(n_bulk, connections // 10)
    n_small = connections - n_bulk
    plan = []
    for name, share in small:
        plan += [name] * int(round(n_small * share))
    plan += [bulk[i % len(bulk)] for i in range(n_bulk)]
    rng.shuffle(plan)
    counters = {}
    out = open(out_path + ".tmp", "wb", buffering=0)
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
    written = 24
    # Connection i starts at a Poisson arrival time; its packets keep the seed's spacing scaled
    # by time_scale (loopback round trips stretched towards a LAN's). Records wait in `pending`
    # until the next arrival: nothing later can precede that time, so everything before it is
    # sorted and written.
    pending = []
    pack = struct.pack
    # The copies start when the seed was recorded: the seed's certificates are valid then, as a
    # real capture's are at its own time (a fixed date made every certificate "not yet valid").
    t = min(conn.t0 for conns in seeds.values() for conn in conns) // 1000
    mean_gap = 1e6 / rate
    n = 0
    used = set()
    skipped = 0
    for name in plan:
        t += int(rng.expovariate(1.0) * mean_gap) + 1
        if len(pending) > 200_000:
            pending.sort()
            cut = bisect.bisect_left(pending, (t,))
            chunk = b"".join([entry[2] for entry in pending[:cut]])
            out.write(chunk)
            written += len(chunk)
            del pending[:cut]
        index = counters.get(name, 0)
        counters[name] = index + 1
        choices = seeds[name]
        conn = choices[index % len(choices)]
        while True:
            tuples = addresses_for_copy(conn, conn.copies)
            conn.copies += 1
            if tuples is None:
                skipped += 1
                if conn.copies > 256 * 192 * 4:
                    sys.exit("replicate: out of distinct addresses for " + name)
                continue
            if tuples[0] not in used:
                break
        used.add(tuples[0])
        blob = conn.blob.replace(conn.c2s, tuples[0]).replace(conn.s2c, tuples[1])
        for rel, start, end in conn.offsets:
            at = t + rel * time_scale
            n += 1
            pending.append((at, n, pack("<II", at // 1_000_000, at % 1_000_000) + blob[start + 8:end]))
    pending.sort()
    chunk = b"".join([entry[2] for entry in pending])
    out.write(chunk)
    written += len(chunk)
    out.close()
    os.replace(out_path + ".tmp", out_path)
    return len(plan), n_bulk, written, n


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="100M", help="target file size: 100M, 1G, ...")
    parser.add_argument("--connections", type=int, help="connections in the file (default: 200 000 per GB)")
    parser.add_argument("--out", help="output pcap (default bench-data/bench-SIZE.pcap)")
    parser.add_argument("--seed-pcap", default=os.path.join(DATA, "seed.pcap"))
    parser.add_argument("--rate", type=float, default=200.0, help="new connections per second of capture time")
    parser.add_argument("--time-scale", type=int, default=5, help="stretch seed packet spacing by this factor")
    parser.add_argument("--run-scenarios", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_scenarios:
        run_scenarios(args.run_scenarios)
        return
    os.makedirs(DATA, exist_ok=True)
    if not os.path.exists(args.seed_pcap):
        print("make-bench-capture: recording seed connections in network namespace", NETNS, file=sys.stderr)
        make_seed(args.seed_pcap)
    target = parse_size(args.size)
    connections = args.connections or max(100, int(target / 5000))
    out = args.out or os.path.join(DATA, "bench-%s.pcap" % args.size)
    began = time.time()
    seeds = load_seed(args.seed_pcap)
    count, n_bulk, written, packets = replicate(seeds, out, target, connections, args.rate, args.time_scale)
    with open(out + ".info", "w") as info:
        info.write('{"connections": %d, "bulk": %d, "bytes": %d, "packets": %d}\n' % (count, n_bulk, written, packets))
    print("make-bench-capture: %s: %d connections (%d bulk), %.1f MB in %.1f s"
          % (out, count, n_bulk, written / 1e6, time.time() - began), file=sys.stderr)


if __name__ == "__main__":
    main()
