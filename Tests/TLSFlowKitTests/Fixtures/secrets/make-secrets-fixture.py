#!/usr/bin/env python3
"""Builds two captures from bundled TLS 1.3 connections and their key logs:
- dsb-at-start.pcapng: a Decryption Secrets Block before the first packet (as editcap
  --inject-secrets writes it), so its connection can be decrypted without --keylog;
- dsb-mid-file.pcapng: two connections with a block between them that holds the keys of both.
  Only the second connection follows the block, so only it may be decrypted.
Run from the repository root."""
import struct

def pcap_frames(path):
    data = open(path, "rb").read()
    magic, = struct.unpack("<I", data[:4])
    assert magic == 0xA1B2C3D4, "little-endian microsecond pcap expected"
    linktype, = struct.unpack("<I", data[20:24])
    frames, at = [], 24
    while at < len(data):
        sec, usec, incl, orig = struct.unpack("<IIII", data[at:at + 16])
        frames.append((sec * 1_000_000 + usec, orig, data[at + 16:at + 16 + incl]))
        at += 16 + incl
    return linktype, frames

def block(kind, body):
    body += b"\0" * (-len(body) % 4)
    length = 12 + len(body)
    return struct.pack("<II", kind, length) + body + struct.pack("<I", length)

def epb(time, orig, data):
    return block(6, struct.pack("<IIIII", 0, time >> 32, time & 0xFFFFFFFF, len(data), orig) + data)

first_link, first = pcap_frames("Captures/pcaps/healthy-tls13.pcap")
second_link, second = pcap_frames("Captures/pcaps/ipv6.pcap")
assert first_link == second_link
keys = open("Captures/pcaps/healthy-tls13.keylog", "rb").read() + open("Captures/pcaps/ipv6.keylog", "rb").read()
def secrets(keys):
    return block(0x0000000A, struct.pack("<II", 0x544C534B, len(keys)) + keys)

header = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)) + block(
    1, struct.pack("<HHI", first_link, 0, 262144))
start = header + secrets(open("Captures/pcaps/healthy-tls13.keylog", "rb").read())
start += b"".join(epb(*f) for f in first)
open("Tests/TLSFlowKitTests/Fixtures/secrets/dsb-at-start.pcapng", "wb").write(start)

out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
out += block(1, struct.pack("<HHI", first_link, 0, 262144))
out += b"".join(epb(*f) for f in first)
out += secrets(keys)
out += b"".join(epb(*f) for f in second)
open("Tests/TLSFlowKitTests/Fixtures/secrets/dsb-mid-file.pcapng", "wb").write(out)
