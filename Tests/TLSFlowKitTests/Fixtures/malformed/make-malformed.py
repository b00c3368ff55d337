#!/usr/bin/env python3
"""Generates the malformed-capture corpus (HostileInputTests.swift reads it).

Every capture except the file-level ones holds the same healthy TLS 1.2 connection
(10.0.0.2:40000 -> 10.0.0.1:443, SNI healthy.example) plus one hostile connection from
10.0.0.3:4xxxx, so the tests can check the healthy one is analysed exactly as in healthy.pcap.
Needs python3-cryptography (only to regenerate; the outputs are committed).
"""
import datetime as dt
import os
import struct

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HERE = os.path.dirname(os.path.abspath(__file__))
BASE_TIME = 1_700_000_000  # 2023-11-14
CLIENT, SERVER, HOSTILE = bytes([10, 0, 0, 2]), bytes([10, 0, 0, 1]), bytes([10, 0, 0, 3])


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def frame(src, dst, sport, dport, seq, ack, flags, payload=b"", ihl=5, doff=5, ip_total=None):
    """An Ethernet/IPv4/TCP frame. ihl, doff and ip_total are written as given, without the
    option bytes they imply, so they can lie about the layout."""
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, doff << 4, flags, 65535, 0, 0) + payload
    options = b""
    total = ip_total if ip_total is not None else 20 + len(options) + len(tcp)
    ip = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, total & 0xFFFF, 0, 0x4000, 64, 6, 0, src, dst) + options
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + tcp


class Conversation:
    """A TCP connection whose segments are appended to a shared packet list."""

    def __init__(self, packets, client, cport, server=SERVER, sport=443, start=0.0):
        self.packets, self.client, self.cport, self.server, self.sport = packets, client, cport, server, sport
        self.cseq, self.sseq, self.t = 1000, 90000, start

    def send(self, from_client, flags, payload=b"", **kw):
        self.t += 0.001
        if from_client:
            data = frame(self.client, self.server, self.cport, self.sport, self.cseq, self.sseq, flags, payload, **kw)
            self.cseq += len(payload) + (1 if flags & 0x03 else 0)
        else:
            data = frame(self.server, self.client, self.sport, self.cport, self.sseq, self.cseq, flags, payload, **kw)
            self.sseq += len(payload) + (1 if flags & 0x03 else 0)
        self.packets.append((self.t, data, len(data)))
        return data

    def handshake(self):
        self.send(True, 0x02)
        self.send(False, 0x12)
        self.send(True, 0x10)

    def close(self):
        self.send(True, 0x11)
        self.send(False, 0x11)
        self.send(True, 0x10)


def record(ctype, body, version=0x0303):
    return struct.pack("!BHH", ctype, version, len(body)) + body


def hs(mtype, body, length=None):
    return bytes([mtype]) + (len(body) if length is None else length).to_bytes(3, "big") + body


def ext(etype, data):
    return struct.pack("!HH", etype, len(data)) + data


def client_hello(sni="healthy.example", session_id=b"", suites=(0xC02F, 0xC030), extensions=None, ext_length=None):
    name = sni.encode()
    if extensions is None:
        extensions = (
            ext(0, struct.pack("!HBH", len(name) + 3, 0, len(name)) + name)
            + ext(10, b"\x00\x02\x00\x17")
            + ext(11, b"\x01\x00")
            + ext(13, b"\x00\x04\x04\x01\x04\x03")
        )
    suites_bytes = b"".join(struct.pack("!H", s) for s in suites)
    body = b"\x03\x03" + bytes(range(32)) + bytes([len(session_id)]) + session_id
    body += struct.pack("!H", len(suites_bytes)) + suites_bytes + b"\x01\x00"
    body += struct.pack("!H", len(extensions) if ext_length is None else ext_length) + extensions
    return hs(1, body)


def server_hello(suite=0xC02F):
    extensions = ext(0xFF01, b"\x00") + ext(11, b"\x01\x00")
    body = b"\x03\x03" + bytes(range(32, 64)) + b"\x20" + bytes(range(7, 39)) + struct.pack("!HB", suite, 0)
    return hs(2, body + struct.pack("!H", len(extensions)) + extensions)


def certificate(ders):
    entries = b"".join(len(d).to_bytes(3, "big") + d for d in ders)
    return hs(11, len(entries).to_bytes(3, "big") + entries)


def make_chain():
    now = dt.datetime(2023, 1, 1, tzinfo=dt.timezone.utc)
    root_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Hostile Corpus Root")])
    root = (
        x509.CertificateBuilder().subject_name(root_name).issuer_name(root_name).public_key(root_key.public_key())
        .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    leaf = (
        x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "healthy.example")]))
        .issuer_name(root_name).public_key(leaf_key.public_key()).serial_number(2)
        .not_valid_before(now).not_valid_after(now + dt.timedelta(days=825))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("healthy.example")]), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    return root, root_key, leaf


def healthy(packets, chain):
    c = Conversation(packets, CLIENT, 40000)
    c.handshake()
    c.send(True, 0x18, record(22, client_hello()))
    flight = server_hello() + certificate([chain[2].public_bytes(serialization.Encoding.DER)])
    flight += hs(12, b"\x03\x00\x17\x41\x04" + bytes(64) + b"\x04\x03\x00\x46" + bytes(70)) + hs(14, b"")
    c.send(False, 0x18, record(22, flight))
    c.send(True, 0x18, record(22, hs(16, b"\x41\x04" + bytes(64))) + record(20, b"\x01") + record(22, bytes(40)))
    c.send(False, 0x18, record(20, b"\x01") + record(22, bytes(40)))
    c.send(True, 0x18, record(23, bytes(100)))
    c.send(False, 0x18, record(23, bytes(1200)))
    c.send(True, 0x18, record(21, bytes(26)))
    c.close()


def write_pcap(name, packets, snaplen=262144, magic=0xA1B2C3D4, raw_tail=b""):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(struct.pack("<IHHiIII", magic, 2, 4, 0, 0, snaplen, 1))
        for t, data, orig in packets:
            sec = BASE_TIME + int(t)
            f.write(struct.pack("<IIII", sec, int(round((t % 1) * 1e6)), len(data), orig))
            f.write(data)
        f.write(raw_tail)


def pcapng_blocks(packets):
    def block(btype, body):
        body += b"\0" * (-len(body) % 4)
        return struct.pack("<II", btype, len(body) + 12) + body + struct.pack("<I", len(body) + 12)

    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += block(1, struct.pack("<HHI", 1, 0, 262144))
    for t, data, orig in packets:
        ts = int((BASE_TIME + t) * 1e6)
        out += block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(data), orig) + data)
    return out


def main():
    root, root_key, leaf = make_chain()
    root_der = root.public_bytes(serialization.Encoding.DER)
    with open(os.path.join(HERE, "root.pem"), "wb") as f:
        f.write(root.public_bytes(serialization.Encoding.PEM))
    chain = (root, root_key, leaf)

    def with_healthy(name, hostile, **kw):
        packets = []
        healthy(packets, chain)
        hostile(packets)
        write_pcap(name, packets, **kw)
        return packets

    base = []
    healthy(base, chain)
    write_pcap("healthy.pcap", base)

    # --- file level ---------------------------------------------------------------------------
    open(os.path.join(HERE, "empty.pcap"), "wb").close()
    with open(os.path.join(HERE, "truncated-pcap-header.pcap"), "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)[:10])
    with open(os.path.join(HERE, "wrong-magic.pcap"), "wb") as f:
        f.write(b"GIF89a" + bytes(200))
    # A packet record whose header promises 1000 bytes, then the file ends (full disk).
    write_pcap("truncated-packet.pcap", base, raw_tail=struct.pack("<IIII", BASE_TIME + 5, 0, 1000, 1000) + bytes(40))
    # Half a record header at the end.
    write_pcap("truncated-record-header.pcap", base, raw_tail=b"\x01\x02\x03\x04\x05\x06")
    blocks = pcapng_blocks(base)
    with open(os.path.join(HERE, "truncated-pcapng-header.pcapng"), "wb") as f:
        f.write(blocks[:18])
    # A block whose length is not a multiple of 4 after the healthy packets.
    with open(os.path.join(HERE, "pcapng-bad-block-length.pcapng"), "wb") as f:
        f.write(blocks + struct.pack("<II", 6, 31) + bytes(23))
    # A block claiming 1 GiB after the healthy packets.
    with open(os.path.join(HERE, "pcapng-huge-block-length.pcapng"), "wb") as f:
        f.write(blocks + struct.pack("<II", 6, 1 << 30) + bytes(64))
    # A block whose length is smaller than a block header.
    with open(os.path.join(HERE, "pcapng-tiny-block-length.pcapng"), "wb") as f:
        f.write(blocks + struct.pack("<II", 6, 8) + bytes(8))

    # --- packet level -------------------------------------------------------------------------
    def snaplen_cut(packets):
        c = Conversation(packets, HOSTILE, 41001, start=1)
        c.handshake()
        data = c.send(True, 0x18, record(22, client_hello(sni="cut.example")))
        t, _, orig = packets[-1]
        packets[-1] = (t, data[:80], orig)
        c.close()

    with_healthy("snaplen-cut.pcap", snaplen_cut, snaplen=80)

    def ip_lies(packets):
        c = Conversation(packets, HOSTILE, 41002, start=1)
        c.handshake()
        c.send(True, 0x18, b"x" * 10, ihl=15)  # IHL says 60 bytes of header; frame has 20+30
        c.send(True, 0x18, b"y" * 10, ihl=4)  # IHL below the minimum
        c.send(True, 0x18, record(22, client_hello(sni="ip.example")), ip_total=2000)  # total length > frame
        c.send(True, 0x18, b"z" * 10, ip_total=30)  # total length shorter than the headers

    with_healthy("ipv4-length-lies.pcap", ip_lies)

    def tcp_lies(packets):
        c = Conversation(packets, HOSTILE, 41003, start=1)
        c.handshake()
        c.send(True, 0x18, b"x" * 8, doff=15)  # data offset beyond the segment
        c.send(True, 0x18, b"y" * 8, doff=2)  # data offset below the minimum

    with_healthy("tcp-length-lies.pcap", tcp_lies)

    # --- TLS level ----------------------------------------------------------------------------
    def record_overrun(packets):
        c = Conversation(packets, HOSTILE, 41004, start=1)
        c.handshake()
        # A record header announcing 16000 bytes, followed by 60, then the client closes.
        c.send(True, 0x18, struct.pack("!BHH", 22, 0x0301, 16000) + client_hello(sni="short.example")[:60])
        c.close()

    with_healthy("tls-record-length-overrun.pcap", record_overrun)

    def record_too_long(packets):
        c = Conversation(packets, HOSTILE, 41005, start=1)
        c.handshake()
        c.send(True, 0x18, struct.pack("!BHH", 22, 0x0301, 0xFFFF) + bytes(100))  # beyond 2^14 + 2048
        c.close()

    with_healthy("tls-record-too-long.pcap", record_too_long)

    def handshake_overrun(packets):
        c = Conversation(packets, HOSTILE, 41006, start=1)
        c.handshake()
        body = client_hello(sni="overrun.example")[4:]
        c.send(True, 0x18, record(22, hs(1, body, length=0xFFFFFF)))  # 16 MiB announced
        c.close()

    with_healthy("handshake-length-overrun.pcap", handshake_overrun)

    def zero_lengths(packets):
        c = Conversation(packets, HOSTILE, 41007, start=1)
        c.handshake()
        c.send(True, 0x18, record(22, b""))  # empty handshake record
        c.send(True, 0x18, record(22, client_hello(sni="zero.example", suites=())))  # no cipher suites
        c.close()

    with_healthy("zero-length-fields.pcap", zero_lengths)

    def max_lengths(packets):
        c = Conversation(packets, HOSTILE, 41008, start=1)
        c.handshake()
        # session_id of 255 bytes (the maximum the length byte allows; RFC says <= 32) and an
        # extension of 65535 bytes.
        big = ext(0xFFFE, bytes(65531))
        hello = client_hello(sni="max.example", session_id=bytes(255), extensions=big)
        stream = b""
        for i in range(0, len(hello), 16384):
            stream += record(22, hello[i:i + 16384])
        for i in range(0, len(stream), 1400):
            c.send(True, 0x18, stream[i:i + 1400])
        c.close()

    with_healthy("max-length-fields.pcap", max_lengths)

    def extension_overrun(packets):
        c = Conversation(packets, HOSTILE, 41009, start=1)
        c.handshake()
        name = b"ext.example"
        sni = ext(0, struct.pack("!HBH", len(name) + 3, 0, len(name)) + name)
        c.send(True, 0x18, record(22, client_hello(extensions=sni, ext_length=len(sni) + 40)))
        c.close()
        d = Conversation(packets, HOSTILE, 41010, start=1.5)
        d.handshake()
        lying = struct.pack("!HH", 0, 500) + b"\x00\x05"  # server_name extension claims 500 bytes
        d.send(True, 0x18, record(22, client_hello(extensions=lying)))
        d.close()

    with_healthy("extension-overrun.pcap", extension_overrun)

    def server_flight(c, ders):
        c.handshake()
        c.send(True, 0x18, record(22, client_hello(sni="chain.example")))
        flight = server_hello() + certificate(ders) + hs(14, b"")
        stream = b""
        for i in range(0, len(flight), 16384):
            stream += record(22, flight[i:i + 16384])
        for i in range(0, len(stream), 1400):
            c.send(False, 0x18, stream[i:i + 1400])
        c.send(True, 0x18, record(21, b"\x02\x2a"))  # bad_certificate
        c.close()

    def not_der(packets):
        server_flight(Conversation(packets, HOSTILE, 41011, start=1), [b"this is not a certificate", b"\x30\x03\x02\x01"])

    with_healthy("certificate-not-der.pcap", not_der)

    def deep_chain(packets):
        # 1000 CA certificates, each issued by the next: far beyond any path length limit.
        keys = [ec.generate_private_key(ec.SECP256R1()) for _ in range(1001)]
        names = [x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Deep CA %d" % i)]) for i in range(1001)]
        now = dt.datetime(2023, 1, 1, tzinfo=dt.timezone.utc)
        ders = []
        for i in range(1000):
            cert = (
                x509.CertificateBuilder().subject_name(names[i]).issuer_name(names[i + 1])
                .public_key(keys[i].public_key()).serial_number(i + 10)
                .not_valid_before(now).not_valid_after(now + dt.timedelta(days=3650))
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .sign(keys[i + 1], hashes.SHA256())
            )
            ders.append(cert.public_bytes(serialization.Encoding.DER))
        server_flight(Conversation(packets, HOSTILE, 41012, start=1), ders)

    with_healthy("deep-chain.pcap", deep_chain)

    def looping_chain(packets):
        # A issued by B and B issued by A (and A repeated): chain building must not loop.
        now = dt.datetime(2023, 1, 1, tzinfo=dt.timezone.utc)
        ka, kb = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
        na = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Loop A")])
        nb = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Loop B")])

        def cert(subject, issuer, key, signer, serial):
            return (
                x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
                .serial_number(serial).not_valid_before(now).not_valid_after(now + dt.timedelta(days=3650))
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .sign(signer, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
            )

        a, b = cert(na, nb, ka, kb, 100), cert(nb, na, kb, ka, 101)
        server_flight(Conversation(packets, HOSTILE, 41013, start=1), [a, b, a, b, a])

    with_healthy("looping-chain.pcap", looping_chain)

    def sslv2_garbage(packets):
        c = Conversation(packets, HOSTILE, 41014, start=1)
        c.handshake()
        # An SSLv2 CLIENT-HELLO header whose lengths point past the record, then noise.
        c.send(True, 0x18, b"\x80\x2e\x01\x00\x02\x00\xff\x00\x00\x00\x10" + bytes(range(200, 235)))
        c.send(True, 0x18, bytes((i * 37) & 0xFF for i in range(300)))
        c.close()

    with_healthy("sslv2-garbage.pcap", sslv2_garbage)

    def http_on_443(packets):
        c = Conversation(packets, HOSTILE, 41015, start=1)
        c.handshake()
        c.send(True, 0x18, b"GET / HTTP/1.1\r\nHost: healthy.example\r\n\r\n")
        c.send(False, 0x18, b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        c.close()

    with_healthy("http-on-443.pcap", http_on_443)

    def out_of_order_flood(packets):
        # The ClientHello never arrives; 20 kB of segments beyond the hole do (the tests lower the
        # per-direction buffer cap to 4 KiB, so the hole becomes a capture gap).
        c = Conversation(packets, HOSTILE, 41016, start=1)
        c.handshake()
        hello = record(22, client_hello(sni="flood.example"))
        c.cseq += len(hello)
        for _ in range(20):
            c.send(True, 0x10, bytes(1000))
        c.close()

    with_healthy("out-of-order-flood.pcap", out_of_order_flood)
    print("written to", HERE)


if __name__ == "__main__":
    main()
