#!/usr/bin/env python3
"""Synthetic hostile captures for the memory-bound checks (stdlib only).

  make-hostile-captures.py syn-flood OUT.pcap [COUNT] [SPAN_SECONDS]
      COUNT (default 1,000,000) SYN-only connections to port 443 from distinct 4-tuples,
      spread evenly over SPAN_SECONDS of capture time (default 10: a flood, far inside the
      idle timeout, so every connection is live at once).
  make-hostile-captures.py big-tls OUT.pcap [MEGABYTES]
      One TLS 1.2 connection: handshake, then MEGABYTES (default 100) of application data
      from the server in 16 KiB records cut into 1448-byte segments, ACKed by the client.
"""
import struct, sys

ETH = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def ipv4_tcp(src, dst, sport, dport, seq, ack, flags, payload=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return ETH + ip + tcp


class Writer:
    def __init__(self, path):
        self.f = open(path, "wb", buffering=1 << 20)
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))

    def packet(self, t_us, data):
        self.f.write(struct.pack("<IIII", 1_600_000_000 + t_us // 1_000_000, t_us % 1_000_000, len(data), len(data)))
        self.f.write(data)

    def close(self):
        self.f.close()


def syn_flood(path, count=1_000_000, span=10):
    w = Writer(path)
    dst = bytes([10, 0, 0, 1])
    for i in range(count):
        src = bytes([172, 16 + (i >> 24 & 0x0F), i >> 16 & 0xFF, i >> 8 & 0xFF])
        sport = 1024 + (i & 0xFF) * 200
        w.packet(i * span * 1_000_000 // count, ipv4_tcp(src, dst, sport, 443, (i * 7919) & 0xFFFFFFFF, 0, 0x02))
    w.close()


def record(ctype, body):
    return struct.pack("!BHH", ctype, 0x0303, len(body)) + body


def handshake(mtype, body):
    return bytes([mtype]) + len(body).to_bytes(3, "big") + body


def big_tls(path, megabytes=100):
    w = Writer(path)
    c, s, cp, sp = bytes([10, 0, 0, 2]), bytes([10, 0, 0, 1]), 50000, 443
    cseq, sseq, t = 1000, 5000, 0

    def send(from_client, flags, payload=b""):
        nonlocal cseq, sseq, t
        t += 100
        if from_client:
            w.packet(t, ipv4_tcp(c, s, cp, sp, cseq, sseq, flags, payload))
            cseq += len(payload) + (1 if flags & 0x03 else 0)
        else:
            w.packet(t, ipv4_tcp(s, c, sp, cp, sseq, cseq, flags, payload))
            sseq += len(payload) + (1 if flags & 0x03 else 0)

    send(True, 0x02)
    sseq -= 0
    send(False, 0x12)
    send(True, 0x10)
    sni = b"big.example"
    ext = struct.pack("!HHHBH", 0, len(sni) + 5, len(sni) + 3, 0, len(sni)) + sni
    hello = b"\x03\x03" + bytes(32) + b"\x00" + b"\x00\x02\xc0\x2f" + b"\x01\x00" + struct.pack("!H", len(ext)) + ext
    send(True, 0x18, record(22, handshake(1, hello)))
    server_hello = b"\x03\x03" + bytes(range(32)) + b"\x00" + b"\xc0\x2f\x00" + b"\x00\x00"
    send(False, 0x18, record(22, handshake(2, server_hello) + handshake(14, b"")))
    send(True, 0x18, record(22, handshake(16, b"\x41" + bytes(65))) + record(20, b"\x01") + record(22, bytes(40)))
    send(False, 0x18, record(20, b"\x01") + record(22, bytes(40)))
    chunk = record(23, bytes(16384))
    stream_bytes = megabytes * 1024 * 1024
    pending = b""
    sent = 0
    while sent < stream_bytes:
        if len(pending) < 1448:
            pending += chunk
        send(False, 0x10, pending[:1448])
        pending = pending[1448:]
        sent += 1448
        if sent % (1448 * 8) == 0:
            send(True, 0x10)
    send(False, 0x11)
    send(True, 0x11)
    send(False, 0x10)
    w.close()


if __name__ == "__main__":
    kind, out = sys.argv[1], sys.argv[2]
    numbers = [int(a) for a in sys.argv[3:]]
    {"syn-flood": syn_flood, "big-tls": big_tls}[kind](out, *numbers)
