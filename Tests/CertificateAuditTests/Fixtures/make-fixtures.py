#!/usr/bin/env python3
"""Generates the certificate fixtures for CertificateAuditTests.

Run once; the output (PEM files in this directory) is committed. Validity dates are fixed so the
tests pass in any year: the tests audit at a capture time of 2025-06-01 with "now" = 2026-11-23.
Keys are generated fresh on each run, so rerunning changes fingerprints but not any test outcome.

    python3 make-fixtures.py        (needs the `cryptography` package)
"""
import datetime as dt
import ipaddress
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, AuthorityInformationAccessOID

HERE = os.path.dirname(os.path.abspath(__file__))
UTC = dt.timezone.utc


def when(y, m=1, d=1):
    return dt.datetime(y, m, d, tzinfo=UTC)


VALID = (when(2020), when(2040))


def name(cn, org=None):
    attrs = []
    if org:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


def rsa_key(bits=2048):
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


_serial = [0x1000]


def make(subject, issuer_name, key, signer_key, *, validity=VALID, ca=False, path_len=None,
         san=None, eku=(ExtendedKeyUsageOID.SERVER_AUTH,), ku="leaf", hash_alg=None,
         aia=None, basic=True):
    _serial[0] += 1
    b = (x509.CertificateBuilder()
         .subject_name(subject).issuer_name(issuer_name)
         .public_key(key.public_key())
         .serial_number(_serial[0])
         .not_valid_before(validity[0]).not_valid_after(validity[1]))
    if basic:
        b = b.add_extension(x509.BasicConstraints(ca=ca, path_length=path_len), critical=True)
    if ku == "ca":
        b = b.add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                          key_encipherment=False, data_encipherment=False,
                                          key_agreement=False, key_cert_sign=True, crl_sign=True,
                                          encipher_only=False, decipher_only=False), critical=True)
    elif ku == "leaf":
        b = b.add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                          key_encipherment=True, data_encipherment=False,
                                          key_agreement=False, key_cert_sign=False, crl_sign=False,
                                          encipher_only=False, decipher_only=False), critical=True)
    elif ku == "encipher-only":
        b = b.add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                          key_encipherment=True, data_encipherment=False,
                                          key_agreement=False, key_cert_sign=False, crl_sign=False,
                                          encipher_only=False, decipher_only=False), critical=True)
    if san is not None:
        b = b.add_extension(x509.SubjectAlternativeName(san), critical=False)
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=False)
    if aia:
        b = b.add_extension(x509.AuthorityInformationAccess([
            x509.AccessDescription(AuthorityInformationAccessOID.CA_ISSUERS,
                                   x509.UniformResourceIdentifier(aia))]), critical=False)
    b = b.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    if isinstance(signer_key, ed25519.Ed25519PrivateKey):
        alg = None
    else:
        alg = hash_alg or hashes.SHA256()
    return b.sign(signer_key, alg)


def write(filename, *certs):
    with open(os.path.join(HERE, filename), "wb") as f:
        for c in certs:
            f.write(c.public_bytes(serialization.Encoding.PEM))


def sha1_leaf_with_openssl(ca_key, ca_cert):
    """RSA 1024 + sha1WithRSAEncryption. `cryptography` refuses SHA-1 signatures, so `openssl ca` signs it."""
    import subprocess
    import tempfile
    key = rsa_key(1024)
    csr = (x509.CertificateSigningRequestBuilder().subject_name(name("weak.example.com"))
           .sign(key, hashes.SHA256()))
    with tempfile.TemporaryDirectory() as tmp:
        def put(fn, data):
            with open(os.path.join(tmp, fn), "wb") as f:
                f.write(data)
        put("ca.key", ca_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
        put("ca.pem", ca_cert.public_bytes(serialization.Encoding.PEM))
        put("req.csr", csr.public_bytes(serialization.Encoding.PEM))
        put("index.txt", b"")
        put("serial", b"2001\n")
        put("ca.cnf", (
            "[ca]\ndefault_ca=d\n[d]\ndir=%s\ndatabase=$dir/index.txt\nserial=$dir/serial\n"
            "new_certs_dir=$dir\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\n"
            "[ext]\nbasicConstraints=critical,CA:FALSE\n"
            "keyUsage=critical,digitalSignature,keyEncipherment\n"
            "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:weak.example.com\n" % tmp).encode())
        subprocess.run(["openssl", "ca", "-batch", "-config", os.path.join(tmp, "ca.cnf"),
                        "-cert", os.path.join(tmp, "ca.pem"), "-keyfile", os.path.join(tmp, "ca.key"),
                        "-in", os.path.join(tmp, "req.csr"), "-out", os.path.join(tmp, "out.pem"),
                        "-md", "sha1", "-startdate", "20200101000000Z", "-enddate", "20400101000000Z",
                        "-extensions", "ext", "-notext"], check=True, capture_output=True)
        return x509.load_pem_x509_certificate(open(os.path.join(tmp, "out.pem"), "rb").read())


def dns(*names):
    return [x509.DNSName(n) for n in names]


def main():
    # The test trust anchor and its intermediate.
    root_key = rsa_key()
    root_name = name("tlsflow Test Root CA", "tlsflow Tests")
    root = make(root_name, root_name, root_key, root_key, ca=True, ku="ca", eku=None)
    inter_key = rsa_key()
    inter_name = name("tlsflow Test Intermediate CA", "tlsflow Tests")
    inter = make(inter_name, root_name, inter_key, root_key, ca=True, path_len=0, ku="ca", eku=None,
                 aia="http://ca.tlsflow.test/root.cer")
    write("root.pem", root)
    write("intermediate.pem", inter)

    def leaf(filename, cn, san=None, key=None, chain=True, **kw):
        key = key or rsa_key()
        kw.setdefault("aia", "http://ca.tlsflow.test/intermediate.cer")
        cert = make(name(cn), inter_name, key, inter_key, san=san, **kw)
        if chain:
            write(filename, cert, inter)
        else:
            write(filename, cert)
        return cert

    leaf("good.pem", "www.example.com", dns("www.example.com", "example.com"))
    good_ec = leaf("good-ec.pem", "ec.example.com", dns("ec.example.com"),
                   key=ec.generate_private_key(ec.SECP256R1()))
    leaf("cn-only-other-san.pem", "cnonly.example.com", dns("other.example.com"))
    leaf("cn-only-no-san.pem", "nosan.example.com", None)
    leaf("expired.pem", "expired.example.com", dns("expired.example.com"),
         validity=(when(2019), when(2020)))
    leaf("not-yet-valid.pem", "future.example.com", dns("future.example.com"),
         validity=(when(2090), when(2095)))
    # Valid at the capture time (2025-06-01) but expired at the tests' "now" (2026-11-23).
    leaf("valid-then-expired-now.pem", "lapsed.example.com", dns("lapsed.example.com"),
         validity=(when(2024), when(2026)))
    # Not yet valid at the capture time but valid at "now".
    leaf("not-yet-then-valid-now.pem", "early.example.com", dns("early.example.com"),
         validity=(when(2026), when(2040)))
    leaf("client-expired.pem", "client-device-17", None, validity=(when(2019), when(2020)),
         eku=(ExtendedKeyUsageOID.CLIENT_AUTH,))
    leaf("client-good.pem", "client-device-18", None, eku=(ExtendedKeyUsageOID.CLIENT_AUTH,))
    leaf("missing-intermediate.pem", "www.example.com", dns("www.example.com"), chain=False)
    write("weak-rsa1024-sha1.pem", sha1_leaf_with_openssl(inter_key, inter), inter)
    leaf("wrong-eku.pem", "www.example.com", dns("www.example.com"),
         eku=(ExtendedKeyUsageOID.CLIENT_AUTH,))
    leaf("ca-true-leaf.pem", "www.example.com", dns("www.example.com"), ca=True)
    leaf("ku-encipher-only.pem", "www.example.com", dns("www.example.com"), ku="encipher-only")
    leaf("wildcard.pem", "*.example.com", dns("*.example.com"))
    leaf("ip-san.pem", "192.0.2.10", [x509.IPAddress(ipaddress.ip_address("192.0.2.10")),
                                     x509.IPAddress(ipaddress.ip_address("2001:db8::1")),
                                     x509.DNSName("ip.example.com")])
    leaf("idn.pem", "xn--bcher-kva.example", dns("xn--bcher-kva.example"))
    leaf("ed25519.pem", "ed.example.com", dns("ed.example.com"), key=ed25519.Ed25519PrivateKey.generate())

    # The intermediate's previous certificate: same name and key, expired in 2020.
    inter_old = make(inter_name, root_name, inter_key, root_key, validity=(when(2015), when(2020)), ca=True,
                     path_len=0, ku="ca", eku=None)
    current = x509.load_pem_x509_certificates(open(os.path.join(HERE, "good.pem"), "rb").read())[0]
    write("expired-intermediate.pem", current, inter_old)
    write("renewed-and-expired-intermediate.pem", current, inter_old, inter)

    # Misordered and duplicated chains built from good pieces.
    good = x509.load_pem_x509_certificates(open(os.path.join(HERE, "good.pem"), "rb").read())[0]
    write("misordered.pem", inter, good)
    write("duplicate.pem", good, inter, inter)
    write("with-root.pem", good, inter, root)
    write("unrelated-extra.pem", good, inter, good_ec)

    # Self-signed leaf (as `openssl req -x509` makes it: CA:TRUE by default).
    ss_key = rsa_key()
    ss_name = name("selfsigned.example.com")
    write("self-signed.pem", make(ss_name, ss_name, ss_key, ss_key, ca=True,
                                  san=dns("selfsigned.example.com")))

    # A private PKI whose root is not in the trust store; the root is sent.
    priv_root_key = rsa_key()
    priv_root_name = name("Acme Corp Internal Root", "Acme Corp")
    priv_root = make(priv_root_name, priv_root_name, priv_root_key, priv_root_key, ca=True, ku="ca",
                     eku=None)
    priv_leaf = make(name("intranet.acme.test"), priv_root_name, rsa_key(), priv_root_key,
                     san=dns("intranet.acme.test"))
    write("private-root.pem", priv_leaf, priv_root)

    # A TLS-inspection proxy's chain for a public name.
    z_root_key = rsa_key()
    z_root_name = name("Zscaler Root CA", "Zscaler Inc.")
    z_root = make(z_root_name, z_root_name, z_root_key, z_root_key, ca=True, ku="ca", eku=None)
    z_int_key = rsa_key()
    z_int_name = name("Zscaler Intermediate Root CA (zscaler.net)", "Zscaler Inc.")
    z_int = make(z_int_name, z_root_name, z_int_key, z_root_key, ca=True, ku="ca", eku=None)
    z_leaf = make(name("www.example.com"), z_int_name, rsa_key(), z_int_key,
                  san=dns("www.example.com"))
    write("interception.pem", z_leaf, z_int, z_root)
    write("zscaler-root.pem", z_root)

    # Hostile: 16 self-issued "Evil CA" certificates sharing one key but each with its own SAN,
    # and a leaf issued by "Evil CA". Every one verifies every other: without care, a path
    # search enumerates all their orderings.
    evil_key = rsa_key()
    evil_name = name("Evil CA")
    evil = [make(evil_name, evil_name, evil_key, evil_key, ca=True, ku="ca", eku=None,
                 san=dns("evil%d.example" % i)) for i in range(16)]
    evil_leaf = make(name("victim.example.com"), evil_name, rsa_key(), evil_key, san=dns("victim.example.com"))
    write("hostile-same-key.pem", evil_leaf, *evil)

    # Mutual cross-signed loop: A issued by B, B issued by A (same names, no root).
    a_key, b_key = rsa_key(), rsa_key()
    a_name, b_name = name("Loop CA A"), name("Loop CA B")
    loop_a = make(a_name, b_name, a_key, b_key, ca=True, ku="ca", eku=None)
    loop_b = make(b_name, a_name, b_key, a_key, ca=True, ku="ca", eku=None)
    loop_leaf = make(name("loop.example.com"), a_name, rsa_key(), a_key, san=dns("loop.example.com"))
    write("loop.pem", loop_leaf, loop_a, loop_b)


if __name__ == "__main__":
    main()
