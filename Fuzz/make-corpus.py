#!/usr/bin/env python3
"""Builds the fuzz seed corpora from real captures (stdlib only).

Usage: Fuzz/make-corpus.py OUTDIR CAPTURE_OR_DIR...
Writes OUTDIR/<target>/<sha1-prefix> files, deduplicated and size-capped so the committed
corpus stays small. Seeds follow each target's input layout (see Fuzz/Sources/*/main.swift).
"""
import hashlib, os, struct, sys

MAX_SEED = 16 * 1024
LIMITS = {"FuzzPacketDecoder": 300, "FuzzTLSRecords": 120, "FuzzHandshake": 400, "FuzzCertificate": 120, "FuzzCapture": 40, "FuzzKeyLog": 20}
LINK_TYPES = [0, 1, 9, 12, 14, 50, 101, 108, 113, 228, 229, 276, 147]
VERSIONS = [None, 0x0301, 0x0302, 0x0303, 0x0304, 0x0300, 0x7f1c]


def frames(path):
    """Yields (linktype, bytes) of every frame of a pcap or pcapng file; stops at damage."""
    data = open(path, "rb").read()
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = "<" if magic[0] in (0xD4, 0x4D) else ">"
        link = struct.unpack(e + "I", data[20:24])[0] & 0x0FFFFFFF
        pos = 24
        while pos + 16 <= len(data):
            _, _, incl, _ = struct.unpack(e + "IIII", data[pos:pos + 16])
            pos += 16
            if incl > len(data) - pos:
                return
            yield link, data[pos:pos + incl]
            pos += incl
    elif magic == b"\x0a\x0d\x0d\x0a":
        pos, e, links = 0, "<", []
        while pos + 12 <= len(data):
            btype = struct.unpack("<I", data[pos:pos + 4])[0]
            if btype == 0x0A0D0D0A:
                e = "<" if data[pos + 8:pos + 12] == b"\x4d\x3c\x2b\x1a" else ">"
                links = []
            btype, blen = struct.unpack(e + "II", data[pos:pos + 8])
            if blen < 12 or pos + blen > len(data):
                return
            body = data[pos + 8:pos + blen - 4]
            if btype == 1 and len(body) >= 2:
                links.append(struct.unpack(e + "H", body[:2])[0])
            elif btype == 6 and len(body) >= 20:
                iface, _, _, incl, _ = struct.unpack(e + "IIIII", body[:20])
                if iface < len(links):
                    yield links[iface], body[20:20 + incl]
            elif btype == 3 and len(body) >= 4 and links:
                yield links[0], body[4:]
            pos += blen


def tcp_of(link, frame):
    """(src, sport, dst, dport, seq, flags, payload) or None; Ethernet/VLAN/SLL/raw/null only."""
    off, etype = 0, None
    if link == 1:
        if len(frame) < 14:
            return None
        etype, off = struct.unpack(">H", frame[12:14])[0], 14
        while etype in (0x8100, 0x88A8) and len(frame) >= off + 4:
            etype, off = struct.unpack(">H", frame[off + 2:off + 4])[0], off + 4
    elif link == 113:
        if len(frame) < 16:
            return None
        etype, off = struct.unpack(">H", frame[14:16])[0], 16
    elif link in (101, 12, 14, 228, 229):
        etype = None
    elif link in (0, 108):
        off = 4
    else:
        return None
    ip = frame[off:]
    if not ip:
        return None
    version = ip[0] >> 4
    if version == 4 and len(ip) >= 20:
        ihl = (ip[0] & 15) * 4
        total = struct.unpack(">H", ip[2:4])[0]
        if ip[9] != 6 or struct.unpack(">H", ip[6:8])[0] & 0x3FFF:
            return None
        src, dst, seg = ip[12:16], ip[16:20], ip[ihl:total if total >= ihl else len(ip)]
    elif version == 6 and len(ip) >= 40:
        if ip[6] != 6:
            return None
        plen = struct.unpack(">H", ip[4:6])[0]
        src, dst, seg = ip[8:24], ip[24:40], ip[40:40 + plen]
    else:
        return None
    if len(seg) < 20:
        return None
    sport, dport, seq = struct.unpack(">HHI", seg[:8])
    doff = (seg[12] >> 4) * 4
    return src, sport, dst, dport, seq, seg[13], seg[doff:]


def streams(path):
    """Per direction, payload bytes in sequence order (first occurrence wins)."""
    flows = {}
    for link, frame in frames(path):
        t = tcp_of(link, frame)
        if not t or not t[6]:
            continue
        key = t[:4]
        flows.setdefault(key, {}).setdefault(t[4], t[6])
    for segments in flows.values():
        out, expected = b"", None
        for seq in sorted(segments):
            if expected is not None and seq != expected:
                if seq < expected:
                    continue
                break
            out += segments[seq]
            expected = seq + len(segments[seq])
        yield out


def handshakes(stream):
    """Handshake messages (type, body) from the plaintext records at the start of a stream."""
    pos, hs = 0, b""
    while pos + 5 <= len(stream):
        ctype, _, length = struct.unpack(">BHH", stream[pos:pos + 5])
        if ctype not in (20, 21, 22, 23):
            break
        if ctype == 22:
            hs += stream[pos + 5:pos + 5 + length]
        pos += 5 + length
    pos = 0
    while pos + 4 <= len(hs):
        mtype = hs[pos]
        length = int.from_bytes(hs[pos + 1:pos + 4], "big")
        if pos + 4 + length > len(hs):
            break
        yield mtype, hs[pos + 4:pos + 4 + length]
        pos += 4 + length


def certificates(body):
    """DER certificates of a TLS 1.2 or 1.3 Certificate message body."""
    for tls13 in (False, True):
        pos, out = 0, []
        if tls13:
            if not body:
                continue
            pos = 1 + body[0]
        if pos + 3 > len(body):
            continue
        end = pos + 3 + int.from_bytes(body[pos:pos + 3], "big")
        if end != len(body):
            continue
        pos += 3
        while pos + 3 <= end:
            n = int.from_bytes(body[pos:pos + 3], "big")
            out.append(body[pos + 3:pos + 3 + n])
            pos += 3 + n
            if tls13 and pos + 2 <= end:
                pos += 2 + int.from_bytes(body[pos:pos + 2], "big")
        if out and out[0][:1] == b"\x30":
            return out
    return []


class Corpus:
    def __init__(self, root):
        self.root, self.count = root, {}

    def add(self, target, blob):
        if not blob or len(blob) > MAX_SEED or self.count.get(target, 0) >= LIMITS[target]:
            return
        directory = os.path.join(self.root, target)
        os.makedirs(directory, exist_ok=True)
        name = os.path.join(directory, hashlib.sha1(blob).hexdigest()[:16])
        if not os.path.exists(name):
            open(name, "wb").write(blob)
            self.count[target] = self.count.get(target, 0) + 1


def capture_files(args):
    for arg in args:
        if os.path.isdir(arg):
            for root, _, files in sorted(os.walk(arg)):
                for f in sorted(files):
                    if f.endswith((".pcap", ".pcapng", ".cap")):
                        yield os.path.join(root, f)
        elif os.path.exists(arg):
            yield arg


def main():
    out, inputs = sys.argv[1], sys.argv[2:]
    corpus = Corpus(out)
    seen_frame_shapes = set()
    for path in capture_files(inputs):
        if os.path.getsize(path) <= 12 * 1024:
            corpus.add("FuzzCapture", open(path, "rb").read())
        for link, frame in frames(path):
            if link not in LINK_TYPES:
                continue
            shape = (link, frame[:64 - len(frame) % 2][12:40] if link == 1 else frame[:24], len(frame) > 200)
            if shape in seen_frame_shapes:
                continue
            seen_frame_shapes.add(shape)
            corpus.add("FuzzPacketDecoder", bytes([LINK_TYPES.index(link), 0]) + frame[:2048])
        for stream in streams(path):
            if not stream or stream[0] not in (20, 21, 22, 23, 0x80):
                continue
            corpus.add("FuzzTLSRecords", bytes([255]) + stream[:MAX_SEED - 1])
            version, suite = None, 0
            for mtype, body in handshakes(stream):
                if mtype == 2 and len(body) >= 38:
                    sid = body[34]
                    if 35 + sid + 2 <= len(body):
                        suite = int.from_bytes(body[35 + sid:37 + sid], "big")
                        version = int.from_bytes(body[:2], "big")
                index = VERSIONS.index(version) if version in VERSIONS else 0
                corpus.add("FuzzHandshake", bytes([mtype, index]) + suite.to_bytes(2, "big") + body)
                if mtype == 11:
                    chain = certificates(body)
                    for der in chain:
                        corpus.add("FuzzCertificate", der)
                    if len(chain) > 1:
                        corpus.add("FuzzCertificate", b"".join(len(d).to_bytes(2, "big") + d for d in chain))
    for arg in inputs:
        for root, _, files in os.walk(arg if os.path.isdir(arg) else "/nonexistent"):
            for f in sorted(files):
                if os.path.getsize(os.path.join(root, f)) > 256 * 1024:
                    continue
                text = open(os.path.join(root, f), "rb").read()[:MAX_SEED]
                if text.startswith((b"CLIENT_RANDOM ", b"CLIENT_HANDSHAKE_TRAFFIC_SECRET ", b"# ", b"SERVER_HANDSHAKE")) and b"_SECRET" in text or b"CLIENT_RANDOM " in text[:200]:
                    corpus.add("FuzzKeyLog", text)
    for target, n in sorted(corpus.count.items()):
        print(f"{target}: {n} seeds")


if __name__ == "__main__":
    main()
