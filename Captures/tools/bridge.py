#!/usr/bin/env python3
"""A tiny user-space Ethernet bridge between two interfaces (AF_PACKET raw sockets).

It forwards every frame from one interface to the other, and can misbehave on purpose for
frames that match a rule: drop, hold (release after the next frame in the same direction,
i.e. reorder), delay, or duplicate. Rules are JSON, e.g.

  [{"dir": "s2c", "data": true, "nth": 1, "action": "hold"},
   {"dir": "c2s", "dport": 9443, "times": 0, "action": "drop"}]

Match keys: dir (c2s = from --a to --b, s2c = the reverse), sport, dport, syn (SYN without
ACK), data (TCP payload present), min_len (TCP payload length at least), nth (1-based among
frames matching the other keys; default 1), times (how many matches get the action after the
nth; 0 = every one from the nth on; default 1). Actions: drop, hold, delay (with "ms"), dup.

The bridge runs for at most --max-seconds and stops on SIGTERM/SIGINT.
"""
import argparse
import json
import select
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def tcp_info(frame):
    """(sport, dport, flags, payload_len) for an IPv4/IPv6 TCP frame, else None."""
    if len(frame) < 14:
        return None
    etype = struct.unpack_from("!H", frame, 12)[0]
    off = 14
    if etype == 0x0800:
        if len(frame) < off + 20:
            return None
        ihl = (frame[off] & 0x0F) * 4
        total = struct.unpack_from("!H", frame, off + 2)[0]
        if frame[off + 9] != 6:
            return None
        t = off + ihl
        ip_end = off + total
    elif etype == 0x86DD:
        if len(frame) < off + 40 or frame[off + 6] != 6:
            return None
        t = off + 40
        ip_end = t + struct.unpack_from("!H", frame, off + 4)[0]
    else:
        return None
    if len(frame) < t + 20:
        return None
    sport, dport = struct.unpack_from("!HH", frame, t)
    doff = (frame[t + 12] >> 4) * 4
    flags = frame[t + 13]
    return sport, dport, flags, max(0, min(ip_end, len(frame)) - (t + doff))


class Rule:
    def __init__(self, d):
        self.d = d
        self.seen = 0
        self.applied = 0

    def matches(self, direction, info):
        d = self.d
        if d.get("dir") and d["dir"] != direction:
            return False
        if info is None:
            return False
        sport, dport, flags, plen = info
        if "sport" in d and d["sport"] != sport:
            return False
        if "dport" in d and d["dport"] != dport:
            return False
        if d.get("syn") and not (flags & 0x02 and not flags & 0x10):
            return False
        if d.get("data") and plen == 0:
            return False
        if plen < d.get("min_len", 0):
            return False
        self.seen += 1
        nth = d.get("nth", 1)
        times = d.get("times", 1)
        if self.seen < nth:
            return False
        if times and self.applied >= times:
            return False
        self.applied += 1
        return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--a", required=True, help="client-side interface")
    ap.add_argument("--b", required=True, help="server-side interface")
    ap.add_argument("--rules", default="[]")
    ap.add_argument("--max-seconds", type=float, default=300)
    ap.add_argument("--log", default=None)
    ap.add_argument("--latency-ms", type=float, default=0,
                    help="one-way delay added to every frame (keeps order)")
    args = ap.parse_args()
    rules = [Rule(r) for r in json.loads(args.rules)]
    log = open(args.log, "a") if args.log else None

    socks = {}
    for name in (args.a, args.b):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind((name, 0))
        socks[name] = s
    peer = {args.a: socks[args.b], args.b: socks[args.a]}
    direction = {args.a: "c2s", args.b: "s2c"}

    stop = [False]

    def on_sig(*_):
        stop[0] = True

    signal.signal(signal.SIGTERM, on_sig)
    signal.signal(signal.SIGINT, on_sig)

    held = {"c2s": [], "s2c": []}   # (release_deadline, out_sock, frame)
    delayed = []                    # (due, seq, out_sock, frame)
    seq = [0]
    latency = args.latency_ms / 1000.0

    def emit(out, frame, extra=0.0):
        seq[0] += 1
        delayed.append((time.monotonic() + latency + extra, seq[0], out, frame))
    deadline = time.monotonic() + args.max_seconds
    print("ready", flush=True)

    def note(msg):
        if log:
            log.write(f"{time.time():.6f} {msg}\n")
            log.flush()

    while not stop[0] and time.monotonic() < deadline:
        now = time.monotonic()
        timers = [x[0] for x in delayed] + [t for q in held.values() for t, _, _ in q]
        wait = max(0.0, min(timers) - now) if timers else 0.2
        r, _, _ = select.select(list(socks.values()), [], [], min(wait, 0.2))
        now = time.monotonic()
        for dname, q in held.items():
            for t, out, fr in [x for x in q if x[0] <= now]:
                note(f"release-timeout {dname} len={len(fr)}")
                emit(out, fr)
            held[dname] = [x for x in q if x[0] > now]
        delayed.sort(key=lambda x: (x[0], x[1]))
        while delayed and delayed[0][0] <= now:
            _, _, out, fr = delayed.pop(0)
            out.send(fr)
        for s in r:
            try:
                frame, addr = s.recvfrom(65535)
            except BlockingIOError:
                continue
            if addr[2] == PACKET_OUTGOING:
                continue
            dname = direction[addr[0]]
            out = peer[addr[0]]
            info = tcp_info(frame)
            action = None
            rule = None
            for rl in rules:
                if rl.matches(dname, info):
                    action = rl.d["action"]
                    rule = rl
                    break
            if action == "drop":
                note(f"drop {dname} {info}")
                continue
            if action == "hold":
                note(f"hold {dname} {info}")
                held[dname].append((now + rule.d.get("ms", 300) / 1000.0, out, frame))
                continue
            if action == "delay":
                note(f"delay {dname} {info}")
                emit(out, frame, rule.d.get("ms", 100) / 1000.0)
                continue
            emit(out, frame)
            if action == "dup":
                note(f"dup {dname} {info}")
                emit(out, frame)
            # A held frame goes out right after the next frame of its direction: a reorder.
            if held[dname] and info is not None:
                for _, hout, hfr in held[dname]:
                    note(f"release {dname} len={len(hfr)}")
                    emit(hout, hfr)
                held[dname] = []
    for q in held.values():
        for _, out, fr in q:
            out.send(fr)
    for _, _, out, fr in sorted(delayed, key=lambda x: (x[0], x[1])):
        out.send(fr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
