#!/usr/bin/env python3
"""Make the tlsflow test captures. Run through Captures/make-captures.sh (root needed)."""
import argparse
import os
import shutil
import subprocess
import sys
import time

import lab
from lab import NS_C, NS_S, C4, S4, C6, S6, Bridge, Capture, nsbg, nsrun, stop, wait_listen

HERE = os.path.dirname(os.path.abspath(__file__))
CAPS = os.path.abspath(os.path.join(HERE, ".."))
CERTS = os.path.join(CAPS, "certs")
OUT = os.path.join(CAPS, "pcaps")
WORK = "/tmp/tlsflow-captures"
JAVA = os.path.join(CAPS, "java")


def cert(n):
    return os.path.join(CERTS, n)


class S:
    """One scenario run: paths and helpers."""

    def __init__(self, name, ext="pcap"):
        self.name = name
        self.pcap = os.path.join(WORK, f"{name}.{ext}")
        self.keylog = os.path.join(WORK, f"{name}.keylog")
        self.log = os.path.join(WORK, f"{name}.log")
        for f in (self.pcap, self.keylog, self.log):
            if os.path.exists(f):
                os.remove(f)
        self.logf = open(self.log, "w")

    def note(self, *msg):
        self.logf.write(" ".join(str(m) for m in msg) + "\n")
        self.logf.flush()

    def server(self, cmd, port=443, ns=NS_S):
        p = nsbg(ns, cmd, stdout=self.logf, stderr=self.logf, stdin=subprocess.PIPE)
        wait_listen(ns, port)
        return p

    def client(self, cmd, stdin="", timeout=10):
        self.note("$", " ".join(cmd))
        try:
            p = nsrun(NS_C, cmd, timeout=timeout, input=stdin)
            self.note(p.stdout, p.stderr, "rc", p.returncode)
            return p
        except subprocess.TimeoutExpired as e:
            self.note("client timed out", e)
            return None


def ossl_server(extra, chain="www", keylog=None, naccept=1):
    cmd = ["openssl", "s_server", "-accept", "443", "-naccept", str(naccept),
           "-cert", cert(f"{chain}.crt"), "-key", cert(f"{chain}.key")]
    if chain not in ("zscaler-www",) and os.path.exists(cert(f"{chain}-chain.pem")):
        cmd += ["-cert_chain", cert("intermediate-ca.crt")]
    if keylog:
        cmd += ["-keylogfile", keylog]
    return cmd + extra


def ossl_client(s, extra, sni="www.tlsflow.test", host=S4, port=443, keylog=True):
    cmd = ["openssl", "s_client", "-connect", f"{host}:{port}" if ":" not in host else f"[{host}]:{port}",
           "-servername", sni]
    if keylog:
        cmd += ["-keylogfile", s.keylog]
    return cmd + extra


def pysrv(mode, *extra):
    return [sys.executable, os.path.join(HERE, "pysrv.py"), "--mode", mode] + list(extra)


def pycli(*extra):
    return [sys.executable, os.path.join(HERE, "pycli.py")] + list(extra)


HTTP_REQ = "GET /index.html HTTP/1.0\r\nHost: www.tlsflow.test\r\n\r\n"

SCENARIOS = {}


def scenario(fn):
    SCENARIOS[fn.__name__.replace("_", "-")] = fn
    return fn


# ---------------------------------------------------------------- healthy


@scenario
def healthy_tls12(s):
    with Bridge(WORK), Capture(s.pcap):
        srv = s.server(pysrv("https", "--cert", cert("www-chain.pem"), "--key", cert("www.key"),
                             "--max", "1.2"))
        s.client(pycli("--host", S4, "--sni", "www.tlsflow.test", "--cafile", cert("trust-root.pem"),
                       "--keylog", s.keylog))
        srv.wait(5)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("only", nargs="*")
    a = ap.parse_args()
    os.makedirs(WORK, exist_ok=True)
    os.makedirs(OUT, exist_ok=True)
    names = a.only or list(SCENARIOS)
    lab.setup()
    failed = []
    try:
        for n in names:
            print(f"== {n}", flush=True)
            s = S(n)
            try:
                SCENARIOS[n](s)
            except Exception as e:
                print(f"   FAILED: {e}", flush=True)
                failed.append(n)
                continue
            finally:
                lab.stop_all()
            for f in os.listdir(WORK):
                if f.startswith(n + ".") and (f.endswith(".pcap") or f.endswith(".pcapng")
                                              or f.endswith(".keylog")):
                    shutil.copy(os.path.join(WORK, f), os.path.join(OUT, f))
            print(f"   ok ({os.path.getsize(s.pcap)} bytes)", flush=True)
    finally:
        lab.teardown()
    if failed:
        print("failed:", " ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
