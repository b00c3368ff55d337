#!/usr/bin/env python3
"""Generate the test PKI used by the captures (test-only keys, fixed validity dates).

Validity windows are fixed so that any analysis of the captures gives the same verdict
whatever the current date: "valid" certificates cover 2024-01-01 .. 2040-01-01 and the
"expired" ones 2023-01-01 .. 2024-06-01 (the captures were taken in 2026).

Keys are kept once made; certificates are only rewritten with --new-certs, so golden
analysis results that quote serials or fingerprints stay valid.
"""
import datetime
import ipaddress
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa, ec
from cryptography.x509.oid import NameOID, ExtendedKeyUsageOID

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "certs")
NEW = "--new-certs" in sys.argv

VALID = (datetime.datetime(2024, 1, 1), datetime.datetime(2040, 1, 1))
EXPIRED = (datetime.datetime(2023, 1, 1), datetime.datetime(2024, 6, 1))
FUTURE = (datetime.datetime(2035, 1, 1), datetime.datetime(2040, 1, 1))


def path(name):
    return os.path.join(OUT, name)


def key(name, kind="rsa2048"):
    p = path(name + ".key")
    if os.path.exists(p):
        with open(p, "rb") as f:
            return serialization.load_pem_private_key(f.read(), None)
    if kind == "rsa2048":
        k = rsa.generate_private_key(65537, 2048)
    elif kind == "rsa1024":
        k = rsa.generate_private_key(65537, 1024)
    elif kind == "p256":
        k = ec.generate_private_key(ec.SECP256R1())
    else:
        raise ValueError(kind)
    with open(p, "wb") as f:
        f.write(k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()))
    return k


def name(cn, o="tlsflow test"):
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
             x509.NameAttribute(NameOID.ORGANIZATION_NAME, o),
             x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    return x509.Name(attrs)


def load_cert(n):
    with open(path(n + ".crt"), "rb") as f:
        return x509.load_pem_x509_certificate(f.read())


def der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def sign_sha1(builder, issuer_key):
    # cryptography refuses SHA-1 certificate signatures, so sign a SHA-256 TBS rewritten to
    # name sha1WithRSAEncryption (same OID length) and assemble the DER by hand.
    from cryptography.hazmat.primitives.asymmetric import padding
    tmp = builder.sign(issuer_key, hashes.SHA256())
    sha256_rsa = bytes.fromhex("2a864886f70d01010b")
    sha1_rsa = bytes.fromhex("2a864886f70d010105")
    tbs = tmp.tbs_certificate_bytes.replace(sha256_rsa, sha1_rsa, 1)
    sig = issuer_key.sign(tbs, padding.PKCS1v15(), hashes.SHA1())
    algid = bytes.fromhex("300d0609") + sha1_rsa + bytes.fromhex("0500")
    bits = b"\x03" + der_len(len(sig) + 1) + b"\x00" + sig
    body = tbs + algid + bits
    return x509.load_der_x509_certificate(b"\x30" + der_len(len(body)) + body)


def make(n, subject, k, issuer_name, issuer_key, serial, validity=VALID, ca=False,
         san=None, eku=(ExtendedKeyUsageOID.SERVER_AUTH,), hash_alg=None, pathlen=None):
    p = path(n + ".crt")
    if os.path.exists(p) and not NEW:
        return load_cert(n)
    hash_alg = hash_alg or hashes.SHA256()
    b = (x509.CertificateBuilder()
         .subject_name(subject).issuer_name(issuer_name)
         .public_key(k.public_key()).serial_number(serial)
         .not_valid_before(validity[0]).not_valid_after(validity[1])
         .add_extension(x509.BasicConstraints(ca=ca, path_length=pathlen), critical=True)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(k.public_key()), critical=False))
    if issuer_key is not k:
        b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                            critical=False)
    if ca:
        b = b.add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                          key_encipherment=False, data_encipherment=False,
                                          key_agreement=False, key_cert_sign=True, crl_sign=True,
                                          encipher_only=False, decipher_only=False), critical=True)
    else:
        b = b.add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                          key_encipherment=isinstance(k, rsa.RSAPrivateKey),
                                          data_encipherment=False, key_agreement=False,
                                          key_cert_sign=False, crl_sign=False,
                                          encipher_only=False, decipher_only=False), critical=True)
        if eku:
            b = b.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=False)
    if san is not None:
        names = []
        for s in san:
            if s.startswith("ip:"):
                names.append(x509.IPAddress(ipaddress.ip_address(s[3:])))
            else:
                names.append(x509.DNSName(s))
        b = b.add_extension(x509.SubjectAlternativeName(names), critical=False)
    if isinstance(hash_alg, hashes.SHA1):
        c = sign_sha1(b, issuer_key)
    else:
        c = b.sign(issuer_key, hash_alg)
    with open(p, "wb") as f:
        f.write(c.public_bytes(serialization.Encoding.PEM))
    return c


def cat(out, *names):
    with open(path(out), "wb") as f:
        for n in names:
            with open(path(n + ".crt"), "rb") as g:
                f.write(g.read())


def main():
    os.makedirs(OUT, exist_ok=True)
    rk = key("root-ca")
    root = make("root-ca", name("tlsflow Test Root CA"), rk, name("tlsflow Test Root CA"), rk, 0x1001,
                ca=True, eku=None)
    ik = key("intermediate-ca")
    make("intermediate-ca", name("tlsflow Test Intermediate CA"), ik, root.subject, rk, 0x1002,
         ca=True, eku=None, pathlen=0)
    inter = load_cert("intermediate-ca")

    def leaf(n, cn, san, serial, kind="rsa2048", **kw):
        lk = key(n, kind)
        make(n, name(cn), lk, inter.subject, ik, serial, san=san, **kw)
        cat(n + "-chain.pem", n, "intermediate-ca")

    leaf("www", "www.tlsflow.test", ["www.tlsflow.test", "tlsflow.test"], 0x2001)
    leaf("wildcard", "*.tlsflow.test", ["*.tlsflow.test"], 0x2002)
    leaf("cn-only", "cn-only.tlsflow.test", ["other.tlsflow.test", "alt.tlsflow.test"], 0x2003)
    leaf("no-san", "nosan.tlsflow.test", None, 0x2004)
    leaf("wrong-eku", "eku.tlsflow.test", ["eku.tlsflow.test"], 0x2005,
         eku=(ExtendedKeyUsageOID.CLIENT_AUTH,))
    leaf("ip-san", "ip.tlsflow.test", ["ip.tlsflow.test", "ip:10.77.0.2", "ip:fd77::2"], 0x2006)
    leaf("expired", "expired.tlsflow.test", ["expired.tlsflow.test"], 0x2007, validity=EXPIRED)
    leaf("weak", "weak.tlsflow.test", ["weak.tlsflow.test"], 0x2008, kind="rsa1024",
         hash_alg=hashes.SHA1())
    leaf("ecdsa", "ec.tlsflow.test", ["ec.tlsflow.test"], 0x2009, kind="p256")
    leaf("client-expired", "client.tlsflow.test", None, 0x3001, validity=EXPIRED,
         eku=(ExtendedKeyUsageOID.CLIENT_AUTH,))
    leaf("client-valid", "client.tlsflow.test", None, 0x3002,
         eku=(ExtendedKeyUsageOID.CLIENT_AUTH,))

    leaf("future", "future.tlsflow.test", ["future.tlsflow.test"], 0x200A, validity=FUTURE)
    sk = key("self-signed")
    make("self-signed", name("selfsigned.tlsflow.test"), sk, name("selfsigned.tlsflow.test"), sk, 0x200B,
         san=["selfsigned.tlsflow.test"])
    # Leaf, then the root, then the intermediate: misordered, with a root a server need not send.
    cat("www-misordered-chain.pem", "www", "root-ca", "intermediate-ca")

    # Interception: a look-alike of a TLS-inspection product issuing the same name as "www".
    zo = "Zscaler Inc."
    zk = key("zscaler-root")
    zroot = make("zscaler-root", name("Zscaler Root CA", zo), zk, name("Zscaler Root CA", zo), zk,
                 0x4001, ca=True, eku=None)
    zik = key("zscaler-intermediate")
    zi = make("zscaler-intermediate", name("Zscaler Intermediate Root CA (zscalertwo.net)", zo), zik,
              zroot.subject, zk, 0x4002, ca=True, eku=None, pathlen=0)
    zlk = key("zscaler-www")
    make("zscaler-www", name("www.tlsflow.test"), zlk, zi.subject, zik, 0x4003,
         san=["www.tlsflow.test", "tlsflow.test"])
    cat("zscaler-www-chain.pem", "zscaler-www", "zscaler-intermediate")

    # Trust stores
    cat("trust-root.pem", "root-ca")                 # the normal private root
    cat("trust-intermediate-only.pem", "intermediate-ca")  # lacks the root (for unknown_ca)
    cat("trust-zscaler.pem", "zscaler-root")


if __name__ == "__main__":
    main()
