#!/usr/bin/env python3
"""Make the tlsflow test captures. Run through Captures/make-captures.sh (root needed)."""
import argparse
import os
import shutil
import signal
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



def py_https(chain="www", *extra):
    """The Python HTTPS test server with a certificate chain file from certs/."""
    chainfile = cert(f"{chain}-chain.pem") if os.path.exists(cert(f"{chain}-chain.pem")) else cert(f"{chain}.crt")
    return pysrv("https", "--cert", chainfile, "--key", cert(f"{chain}.key"), *extra)


def www_dir():
    d = os.path.join(WORK, "www")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "index.html"), "w") as f:
        f.write("<html><body>tlsflow test page</body></html>\n")
    return d


def simple(s, server_cmd, client_cmd, stdin="", rules=(), server_wait=5, cap_kw=None, port=443,
           client_timeout=12):
    with Bridge(WORK, rules) as br, Capture(s.pcap, **(cap_kw or {})):
        srv = s.server(server_cmd, port=port)
        s.client(client_cmd, stdin=stdin, timeout=client_timeout)
        try:
            srv.wait(server_wait)
        except subprocess.TimeoutExpired:
            s.note("server still running; stopped")
        s.note("bridge:", br.events())


VERIFY_ROOT = ["-CAfile", cert("trust-root.pem"), "-verify_return_error"]


@scenario
def healthy_tls13(s):
    simple(s, py_https("www", "--min", "1.3"),
           ossl_client(s, ["-tls1_3", "-ign_eof"] + VERIFY_ROOT), stdin=HTTP_REQ)


@scenario
def wildcard(s):
    simple(s, py_https("wildcard", "--max", "1.2"),
           pycli("--host", S4, "--sni", "app.tlsflow.test", "--cafile", cert("trust-root.pem"),
                 "--keylog", s.keylog))


@scenario
def ip_san(s):
    # Client connects by IP address: Python sends no SNI and checks the IP SAN.
    simple(s, py_https("ip-san", "--max", "1.2"),
           pycli("--host", S4, "--cafile", cert("trust-root.pem"), "--keylog", s.keylog))


def resumption(s, server_extra, client_extra):
    sess = os.path.join(WORK, "sess.pem")
    if os.path.exists(sess):
        os.remove(sess)
    d = www_dir()
    with Bridge(WORK), Capture(s.pcap):
        srv = nsbg(NS_S, ossl_server(server_extra + ["-WWW", "-naccept", "2"]), cwd=d,
                   stdout=s.logf, stderr=s.logf)
        wait_listen(NS_S, 443)
        req = "GET /index.html HTTP/1.0\r\n\r\n"
        s.client(ossl_client(s, client_extra + ["-ign_eof", "-sess_out", sess] + VERIFY_ROOT), stdin=req)
        time.sleep(0.3)
        s.client(ossl_client(s, client_extra + ["-ign_eof", "-sess_in", sess] + VERIFY_ROOT), stdin=req)
        srv.wait(5)


@scenario
def resumption_session_id(s):
    resumption(s, ["-tls1_2", "-no_ticket"], ["-tls1_2", "-no_ticket"])


@scenario
def resumption_ticket(s):
    resumption(s, ["-tls1_2"], ["-tls1_2"])


@scenario
def resumption_psk_tls13(s):
    resumption(s, ["-tls1_3"], ["-tls1_3"])


@scenario
def fatal_alert(s):
    # Server sends leaf + intermediate + root; the client's CA file lacks that root.
    full = os.path.join(WORK, "inter-root.pem")
    with open(full, "w") as f:
        f.write(open(cert("intermediate-ca.crt")).read() + open(cert("root-ca.crt")).read())
    srv = ["openssl", "s_server", "-accept", "443", "-naccept", "1", "-tls1_2", "-cert", cert("www.crt"),
           "-key", cert("www.key"), "-cert_chain", full]
    simple(s, srv, ossl_client(s, ["-tls1_2", "-CAfile", cert("trust-zscaler.pem"), "-verify_return_error"]),
           stdin=HTTP_REQ)


@scenario
def reset_after_clienthello(s):
    simple(s, pysrv("rst-hello"), ossl_client(s, ["-tls1_2"] + VERIFY_ROOT), stdin=HTTP_REQ)


@scenario
def stalled_clienthello(s):
    # The ClientHello is dropped twice by the bridge (two retransmissions), then delivered to a
    # listener that never answers; the client gives up after 3 s.
    simple(s, pysrv("silent", "--hold", "5"),
           pycli("--host", S4, "--sni", "www.tlsflow.test", "--cafile", cert("trust-root.pem"),
                 "--timeout", "3", "--keylog", s.keylog),
           rules=[{"dir": "c2s", "data": True, "times": 2, "action": "drop"}], server_wait=3)


@scenario
def no_answer(s):
    # The bridge drops every packet to port 9443 (a black hole, an HTTPS-alt port); the client gives up after 3 s.
    with Bridge(WORK, [{"dir": "c2s", "dport": 9443, "times": 0, "action": "drop"}]), Capture(s.pcap):
        s.client(pycli("--host", S4, "--port", "9443", "--sni", "www.tlsflow.test", "--timeout", "3"))


@scenario
def refused(s):
    with Bridge(WORK), Capture(s.pcap):
        s.client(pycli("--host", S4, "--port", "8443", "--sni", "www.tlsflow.test", "--timeout", "3"))


@scenario
def ipv6(s):
    simple(s, py_https("www", "--min", "1.3", "--bind", "::"),
           ossl_client(s, ["-tls1_3", "-ign_eof"] + VERIFY_ROOT, host=S6), stdin=HTTP_REQ)


@scenario
def sll2(s):
    simple(s, py_https("www", "--min", "1.3"),
           ossl_client(s, ["-tls1_3", "-ign_eof"] + VERIFY_ROOT), stdin=HTTP_REQ,
           cap_kw={"iface": "any", "extra": ["-y", "LINUX_SLL2"]})


@scenario
def pcapng_nanosecond(s):
    raw = os.path.join(WORK, "ns-raw.pcap")
    s.pcap, final = raw, s.pcap.replace(".pcap", ".pcapng")
    simple(s, py_https("www", "--max", "1.2"),
           pycli("--host", S4, "--sni", "www.tlsflow.test", "--cafile", cert("trust-root.pem"),
                 "--keylog", s.keylog),
           cap_kw={"extra": ["--time-stamp-precision=nano"]})
    lab.run(["editcap", "-F", "pcapng", raw, final])
    s.pcap = final


@scenario
def reordered(s):
    # Server flight: the first full-size segment is held and released after the next one
    # (reordering); the client's HTTP request (its 3rd data segment) is dropped once so TCP
    # retransmits it.
    simple(s, py_https("www", "--max", "1.2"),
           pycli("--host", S4, "--sni", "www.tlsflow.test", "--cafile", cert("trust-root.pem"),
                 "--keylog", s.keylog),
           rules=[{"dir": "s2c", "min_len": 1000, "nth": 1, "action": "hold"},
                  {"dir": "c2s", "data": True, "nth": 3, "action": "drop"}])


@scenario
def capture_gap(s):
    # A healthy TLS 1.2 exchange, then the frame that carries the second segment of the
    # server's first flight is deleted from the file (delivered on the wire, missing in the capture).
    raw = os.path.join(WORK, "gap-raw.pcap")
    final, s.pcap = s.pcap, raw
    simple(s, py_https("www", "--max", "1.2"),
           pycli("--host", S4, "--sni", "www.tlsflow.test", "--cafile", cert("trust-root.pem"),
                 "--keylog", s.keylog))
    frames = lab.run(["tshark", "-r", raw, "-Y", f"ip.src=={S4} && tcp.len>0", "-T", "fields",
                      "-e", "frame.number"]).stdout.split()
    s.note("server data frames", frames, "deleting", frames[1])
    lab.run(["editcap", "-F", "pcap", raw, final, frames[1]])
    s.pcap = final


def py_client_12(s, sni, *extra):
    return pycli("--host", S4, "--sni", sni, "--cafile", cert("trust-root.pem"), "--max", "1.2",
                 "--keylog", s.keylog, *extra)


@scenario
def cn_only(s):
    simple(s, py_https("cn-only"), py_client_12(s, "cn-only.tlsflow.test"))


@scenario
def no_san(s):
    simple(s, py_https("no-san"), py_client_12(s, "nosan.tlsflow.test"))


@scenario
def name_mismatch(s):
    simple(s, py_https("www"), py_client_12(s, "mail.tlsflow.test"))


@scenario
def expired_server_cert(s):
    simple(s, py_https("expired"), ossl_client(s, ["-tls1_2"] + VERIFY_ROOT, sni="expired.tlsflow.test"),
           stdin=HTTP_REQ)


@scenario
def wrong_eku(s):
    simple(s, py_https("wrong-eku"), ossl_client(s, ["-tls1_2"] + VERIFY_ROOT, sni="eku.tlsflow.test"),
           stdin=HTTP_REQ)


@scenario
def expired_client_cert(s):
    srv = ossl_server(["-tls1_2", "-Verify", "1", "-CAfile", cert("trust-root.pem"), "-verify_return_error",
                       "-WWW"], keylog=None)
    with Bridge(WORK), Capture(s.pcap):
        p = nsbg(NS_S, srv, cwd=www_dir(), stdout=s.logf, stderr=s.logf)
        wait_listen(NS_S, 443)
        s.client(py_client_12(s, "www.tlsflow.test", "--cert", cert("client-expired-chain.pem"),
                              "--key", cert("client-expired.key")))
        stop(p)


@scenario
def interception(s):
    simple(s, py_https("zscaler-www"), ossl_client(s, ["-tls1_2"] + VERIFY_ROOT), stdin=HTTP_REQ)


@scenario
def missing_intermediate(s):
    simple(s, pysrv("https", "--cert", cert("www.crt"), "--key", cert("www.key")),
           ossl_client(s, ["-tls1_2"] + VERIFY_ROOT), stdin=HTTP_REQ)


@scenario
def weak_key(s):
    simple(s, py_https("weak", "--ciphers", "DEFAULT:@SECLEVEL=0", "--max", "1.2"),
           ossl_client(s, ["-tls1_2", "-ign_eof", "-cipher", "DEFAULT:@SECLEVEL=0"] + VERIFY_ROOT,
                       sni="weak.tlsflow.test"), stdin=HTTP_REQ)


@scenario
def resumption_aborted(s):
    with Bridge(WORK), Capture(s.pcap):
        back = nsbg(NS_S, py_https("www", "--max", "1.2", "--port", "8443", "--naccept", "6",
                                   "--timeout", "3"), stdout=s.logf, stderr=s.logf)
        wait_listen(NS_S, 8443)
        proxy = s.server([sys.executable, os.path.join(HERE, "resproxy.py"), "--naccept", "6"])
        s.client([sys.executable, os.path.join(HERE, "resume_cli.py"), "--host", S4, "--sni",
                  "www.tlsflow.test", "--cafile", cert("trust-root.pem"), "--keylog", s.keylog,
                  "--pattern", "FRFRFR", "--timeout", "2"], timeout=30)
        proxy.wait(8)
        stop(back)


@scenario
def one_way_data(s):
    simple(s, pysrv("tls-mute", "--cert", cert("www-chain.pem"), "--key", cert("www.key"), "--max", "1.2",
                 "--no-tickets", "--hold", "4.5"),
           py_client_12(s, "www.tlsflow.test", "--no-read", "--timeout", "3"), server_wait=6)


@scenario
def version_mismatch(s):
    simple(s, py_https("www", "--max", "1.2"), ossl_client(s, ["-tls1_3"] + VERIFY_ROOT), stdin=HTTP_REQ)


@scenario
def cipher_mismatch(s):
    simple(s, py_https("www", "--max", "1.2", "--ciphers", "ECDHE-RSA-AES128-GCM-SHA256"),
           ossl_client(s, ["-tls1_2", "-cipher", "ECDHE-RSA-CHACHA20-POLY1305"] + VERIFY_ROOT),
           stdin=HTTP_REQ)


@scenario
def tls13_cert_rejected_java(s):
    # Java has no key log; the server (openssl s_server) writes it.
    simple(s, ossl_server(["-tls1_3"], keylog=s.keylog),
           ["java", os.path.join(JAVA, "RejectingClient.java"), S4, "443", "www.tlsflow.test",
            cert("zscaler-root.crt")], client_timeout=30)


@scenario
def tls13_cert_rejected_openssl(s):
    simple(s, ossl_server(["-tls1_3"]),
           ossl_client(s, ["-tls1_3", "-CAfile", cert("trust-zscaler.pem"), "-verify_return_error"]),
           stdin=HTTP_REQ)


@scenario
def starttls_smtp(s):
    simple(s, pysrv("smtp", "--port", "25", "--cert", cert("www-chain.pem"), "--key", cert("www.key")),
           pycli("--host", S4, "--port", "25", "--sni", "mail.tlsflow.test", "--no-check-hostname",
                 "--cafile", cert("trust-root.pem"), "--starttls", "--keylog", s.keylog), port=25)


@scenario
def http_on_443(s):
    req = ("import socket; s=socket.create_connection(('%s',443),timeout=3); "
           "s.sendall(b'GET / HTTP/1.1\\r\\nHost: www.tlsflow.test\\r\\n\\r\\n'); "
           "print(s.recv(4096)); s.close()" % S4)
    simple(s, pysrv("plain-http"), [sys.executable, "-c", req])


@scenario
def tls_to_plain_http(s):
    simple(s, pysrv("plain-http"), ossl_client(s, ["-tls1_2"] + VERIFY_ROOT), stdin=HTTP_REQ)


def keylog_case(s, client_extra):
    simple(s, py_https("www"), ossl_client(s, client_extra + ["-ign_eof"] + VERIFY_ROOT), stdin=HTTP_REQ)


@scenario
def keylog_tls12_gcm(s):
    keylog_case(s, ["-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"])


@scenario
def keylog_tls12_chacha(s):
    keylog_case(s, ["-tls1_2", "-cipher", "ECDHE-RSA-CHACHA20-POLY1305"])


@scenario
def keylog_tls12_cbc(s):
    keylog_case(s, ["-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA256"])


@scenario
def keylog_tls12_cbc_noetm(s):
    keylog_case(s, ["-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA256", "-no_etm"])


@scenario
def keylog_tls13_aes128(s):
    keylog_case(s, ["-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256"])


@scenario
def keylog_tls13_aes256(s):
    keylog_case(s, ["-tls1_3", "-ciphersuites", "TLS_AES_256_GCM_SHA384"])


@scenario
def keylog_tls13_chacha(s):
    keylog_case(s, ["-tls1_3", "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"])


@scenario
def keylog_tls13_hrr(s):
    d = www_dir()
    with Bridge(WORK), Capture(s.pcap):
        srv = nsbg(NS_S, ossl_server(["-tls1_3", "-groups", "X25519", "-WWW"]), cwd=d,
                   stdout=s.logf, stderr=s.logf)
        wait_listen(NS_S, 443)
        s.client(ossl_client(s, ["-tls1_3", "-groups", "P-256:X25519", "-ign_eof"] + VERIFY_ROOT),
                 stdin="GET /index.html HTTP/1.0\r\n\r\n")
        srv.wait(5)


@scenario
def mtls_ok(s):
    srv = ossl_server(["-tls1_2", "-Verify", "1", "-CAfile", cert("trust-root.pem"), "-verify_return_error",
                       "-WWW"])
    with Bridge(WORK), Capture(s.pcap):
        p = nsbg(NS_S, srv, cwd=www_dir(), stdout=s.logf, stderr=s.logf)
        wait_listen(NS_S, 443)
        s.client(py_client_12(s, "www.tlsflow.test", "--cert", cert("client-valid-chain.pem"),
                              "--key", cert("client-valid.key"), "--request",
                              "GET /index.html HTTP/1.0\\r\\n\\r\\n"))
        p.wait(5)


@scenario
def self_signed(s):
    simple(s, pysrv("https", "--cert", cert("self-signed.crt"), "--key", cert("self-signed.key")),
           ossl_client(s, ["-tls1_2"] + VERIFY_ROOT, sni="selfsigned.tlsflow.test"), stdin=HTTP_REQ)


@scenario
def not_yet_valid(s):
    simple(s, py_https("future"), ossl_client(s, ["-tls1_2"] + VERIFY_ROOT, sni="future.tlsflow.test"),
           stdin=HTTP_REQ)


@scenario
def chain_misordered(s):
    simple(s, pysrv("https", "--cert", cert("www-misordered-chain.pem"), "--key", cert("www.key"),
                    "--max", "1.2"),
           ossl_client(s, ["-tls1_2", "-ign_eof"] + VERIFY_ROOT), stdin=HTTP_REQ)


@scenario
def healthy_ecdsa(s):
    simple(s, py_https("ecdsa", "--max", "1.2"),
           ossl_client(s, ["-tls1_2", "-ign_eof"] + VERIFY_ROOT, sni="ec.tlsflow.test"), stdin=HTTP_REQ)


@scenario
def closed_after_clienthello(s):
    simple(s, pysrv("fin-hello"), ossl_client(s, ["-tls1_2"] + VERIFY_ROOT), stdin=HTTP_REQ)


@scenario
def clienthello_two_segments(s):
    # 60 made-up ALPN names push the ClientHello past one 1448-byte segment.
    alpn = ",".join(f"x-tlsflow-test-protocol-{i:02d}" for i in range(60)) + ",http/1.1"
    simple(s, py_https("www", "--min", "1.3"),
           ossl_client(s, ["-tls1_3", "-ign_eof", "-alpn", alpn] + VERIFY_ROOT), stdin=HTTP_REQ)


@scenario
def tls13_client_cert_missing(s):
    # TLS 1.3 mutual TLS: the server requires a certificate, the client has none. The server's
    # certificate_required alert travels encrypted after the client's Finished.
    simple(s, ossl_server(["-tls1_3", "-Verify", "1", "-CAfile", cert("trust-root.pem"),
                           "-verify_return_error"]),
           ossl_client(s, ["-tls1_3", "-ign_eof"] + VERIFY_ROOT), stdin=HTTP_REQ)


def healthy_then_cut(s, keep):
    """A healthy TLS 1.2 exchange, then editcap keeps only some frames of it."""
    raw = os.path.join(WORK, f"{s.name}-raw.pcap")
    final, s.pcap = s.pcap, raw
    simple(s, py_https("www", "--max", "1.2"),
           pycli("--host", S4, "--sni", "www.tlsflow.test", "--cafile", cert("trust-root.pem"),
                 "--keylog", s.keylog))
    first_data = lab.run(["tshark", "-r", raw, "-Y", "tls.record.content_type == 23", "-T", "fields",
                          "-e", "frame.number"]).stdout.split()[0]
    ranges = keep(int(first_data))
    s.note("keeping frames", ranges)
    lab.run(["editcap", "-F", "pcap", "-r", raw, final, ranges])
    s.pcap = final


@scenario
def midstream(s):
    # The capture starts at the first application data record: no TCP or TLS handshake seen.
    healthy_then_cut(s, lambda first_data: f"{first_data}-100000")


@scenario
def capture_ends_mid_handshake(s):
    # The capture stops right after the server's first flight (frames 1-8).
    healthy_then_cut(s, lambda first_data: "1-8")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("only", nargs="*")
    a = ap.parse_args()
    # SIGTERM (from make-captures.sh's trap or timeout) must still run the teardown below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
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
            if os.path.exists(s.keylog) and not any(
                    ln.strip() and not ln.startswith("#") for ln in open(s.keylog)):
                os.remove(s.keylog)     # the stack logged no secret (handshake ended too early)
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
