"""Network-namespace lab: client ns <-veth-> bridge ns (user-space bridge) <-veth-> server ns.

    tfc: c0 10.77.0.1/24 fd77::1/64  ==  c1 [tfb: bridge.py]  s1  ==  s0 10.77.0.2/24 fd77::2/64 :tfs

Nothing here talks to any address outside these namespaces. Every wait is bounded.
"""
import json
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
NS_C, NS_S, NS_B = "tfc", "tfs", "tfb"
C4, S4 = "10.77.0.1", "10.77.0.2"
C6, S6 = "fd77::1", "fd77::2"
MAC_C, MAC_S = "02:77:00:00:00:01", "02:77:00:00:00:02"

# One-way delay the bridge adds (RTT = 2x). Without it the RTT is ~0.2 ms and Linux's
# tail-loss probe re-sends FINs whenever a peer is a few ms slow to ACK: noise in "healthy" captures.
LATENCY_MS = 10

_procs = []


def run(cmd, timeout=10, check=True, **kw):
    p = subprocess.run(cmd, timeout=timeout, capture_output=True, text=True, **kw)
    if check and p.returncode != 0:
        raise RuntimeError(f"{cmd}: rc={p.returncode} {p.stderr.strip()}")
    return p


def nsrun(ns, cmd, timeout=10, check=False, **kw):
    return run(["ip", "netns", "exec", ns] + cmd, timeout=timeout, check=check, **kw)


def nsbg(ns, cmd, stdout=None, stderr=None, stdin=subprocess.DEVNULL, **kw):
    p = subprocess.Popen(["ip", "netns", "exec", ns] + cmd, stdout=stdout or subprocess.DEVNULL,
                         stderr=stderr or subprocess.DEVNULL, stdin=stdin,
                         start_new_session=True, **kw)
    _procs.append(p)
    return p


def stop(p, sig=signal.SIGTERM, wait=3):
    if p.poll() is None:
        try:
            os.killpg(p.pid, sig)
        except ProcessLookupError:
            pass
        try:
            p.wait(wait)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(2)


def stop_all():
    for p in _procs:
        try:
            stop(p, signal.SIGKILL, 1)
        except Exception:
            pass
    _procs.clear()


def teardown():
    stop_all()
    for ns in (NS_C, NS_S, NS_B):
        pids = run(["ip", "netns", "pids", ns], check=False).stdout.split()
        for pid in pids:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
        run(["ip", "netns", "del", ns], check=False)


def setup():
    teardown()
    for ns in (NS_C, NS_S, NS_B):
        run(["ip", "netns", "add", ns])
        nsrun(ns, ["ip", "link", "set", "lo", "up"], check=True)
    run(["ip", "link", "add", "c0", "netns", NS_C, "address", MAC_C, "type", "veth",
         "peer", "name", "c1", "netns", NS_B])
    run(["ip", "link", "add", "s0", "netns", NS_S, "address", MAC_S, "type", "veth",
         "peer", "name", "s1", "netns", NS_B])
    # The bridge ns must stay silent: no IPv6 link-local, no addresses.
    nsrun(NS_B, ["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"], check=True)
    nsrun(NS_B, ["sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"], check=True)
    for ns, dev, a4, a6, peer4, peer6, peermac in (
            (NS_C, "c0", C4, C6, S4, S6, MAC_S), (NS_S, "s0", S4, S6, C4, C6, MAC_C)):
        # No link-local address, no DAD, no router solicitations: the captures show only our traffic.
        nsrun(ns, ["sysctl", "-qw", f"net.ipv6.conf.{dev}.addr_gen_mode=1"], check=True)
        nsrun(ns, ["sysctl", "-qw", f"net.ipv6.conf.{dev}.accept_ra=0"], check=True)
        nsrun(ns, ["sysctl", "-qw", f"net.ipv6.conf.{dev}.router_solicitations=0"], check=True)
        nsrun(ns, ["python3", os.path.join(HERE, "offload.py"), dev], check=True)
        nsrun(ns, ["ip", "addr", "add", f"{a4}/24", "dev", dev], check=True)
        nsrun(ns, ["ip", "-6", "addr", "add", f"{a6}/64", "dev", dev, "nodad"], check=True)
        nsrun(ns, ["ip", "link", "set", dev, "up"], check=True)
        # Static neighbours: no ARP / neighbour discovery in the captures.
        nsrun(ns, ["ip", "neigh", "replace", peer4, "lladdr", peermac, "dev", dev, "nud", "permanent"],
              check=True)
        nsrun(ns, ["ip", "-6", "neigh", "replace", peer6, "lladdr", peermac, "dev", dev, "nud",
                   "permanent"], check=True)
    nsrun(NS_B, ["python3", os.path.join(HERE, "offload.py"), "c1", "s1"], check=True)
    for dev in ("c1", "s1"):
        nsrun(NS_B, ["ip", "link", "set", dev, "promisc", "on", "up"], check=True)
    time.sleep(1.0)


def wait_line(path, needle, timeout=5):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with open(path) as f:
                if needle in f.read():
                    return True
        except FileNotFoundError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"timeout waiting for {needle!r} in {path}")


def wait_listen(ns, port, timeout=8):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        out = nsrun(ns, ["ss", "-Hltn", f"sport = :{port}"]).stdout
        if out.strip():
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listening on {port} in {ns}")


class Bridge:
    def __init__(self, work, rules=(), latency_ms=LATENCY_MS):
        self.work = work
        self.rules = list(rules)
        self.latency_ms = latency_ms

    def __enter__(self):
        out = os.path.join(self.work, "bridge.out")
        self.log = os.path.join(self.work, "bridge.log")
        for f in (out, self.log):
            if os.path.exists(f):
                os.remove(f)
        self.p = nsbg(NS_B, [sys.executable, os.path.join(HERE, "bridge.py"), "--a", "c1", "--b", "s1",
                             "--rules", json.dumps(self.rules), "--max-seconds", "120",
                             "--latency-ms", str(self.latency_ms),
                             "--log", self.log], stdout=open(out, "w"))
        wait_line(out, "ready")
        return self

    def events(self):
        try:
            with open(self.log) as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def __exit__(self, *exc):
        stop(self.p)


class Capture:
    """tcpdump in the client namespace (the client's view of the wire)."""

    def __init__(self, path, iface="c0", ns=NS_C, extra=()):
        self.path, self.iface, self.ns, self.extra = path, iface, ns, list(extra)

    def __enter__(self):
        self.err = self.path + ".tcpdump.err"
        if os.path.exists(self.path):
            os.remove(self.path)
        self.p = nsbg(self.ns, ["tcpdump", "-n", "-U", "--immediate-mode", "-s", "0", "-i", self.iface] + self.extra +
                      ["-w", self.path], stderr=open(self.err, "w"))
        wait_line(self.err, "listening on")
        time.sleep(0.2)
        return self

    def __exit__(self, *exc):
        time.sleep(0.5)
        stop(self.p, signal.SIGINT, 5)
        os.remove(self.err)
