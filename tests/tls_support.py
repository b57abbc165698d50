"""Throw-away X.509 certificates made in the test (a CA, localhost server and client certificates).

Used through the ``pki`` / ``rogue_pki`` fixtures of ``tests/conftest.py``; generated with ``cryptography``
(a dev dependency) on first use, nothing is checked in.
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class CertFiles:
    """A PEM certificate and its (unencrypted PEM) private key on disk."""

    cert: Path
    key: Path

    @property
    def cert_pem(self) -> bytes:
        return self.cert.read_bytes()

    @property
    def key_pem(self) -> bytes:
        return self.key.read_bytes()


@dataclass
class Pki:
    """A CA, a server certificate for localhost / 127.0.0.1 / ::1 and client certificates on demand."""

    root: Path
    ca: CertFiles
    server: CertFiles
    _ca_key: Any = field(repr=False)
    _ca_cert: Any = field(repr=False)
    _clients: dict[str, CertFiles] = field(default_factory=dict, repr=False)

    def client(self, common_name: str, *, sans: tuple[str, ...] = ()) -> CertFiles:
        """A client certificate (``clientAuth``) signed by this CA with subject CN ``common_name``.

        ``sans`` are DNS names (``dns:`` prefix optional) or URIs (``spiffe://...``) for the SAN extension.
        """
        key = f"{common_name}|{'|'.join(sans)}"
        if key not in self._clients:
            self._clients[key] = issue(
                self.root / f"client-{len(self._clients)}",
                common_name,
                issuer=(self._ca_cert, self._ca_key),
                sans=sans,
                client=True,
            )
        return self._clients[key]

    def leaf(self, name: str, common_name: str, **kwargs: Any) -> CertFiles:
        """Any other leaf certificate signed by this CA (see :func:`issue` for ``kwargs``)."""
        return issue(self.root / name, common_name, issuer=(self._ca_cert, self._ca_key), **kwargs)


def require_cryptography() -> None:
    """``cryptography`` is a dev dependency: a missing one is an install error, never a skipped test."""
    import cryptography  # noqa: F401


def _x509() -> Any:
    require_cryptography()
    from cryptography import x509

    return x509


def _new_key() -> Any:
    from cryptography.hazmat.primitives.asymmetric import ec

    return ec.generate_private_key(ec.SECP256R1())


def _write(path: Path, cert: Any, key: Any) -> CertFiles:
    from cryptography.hazmat.primitives import serialization

    path.parent.mkdir(parents=True, exist_ok=True)
    cert_file = path.with_suffix(".crt")
    key_file = path.with_suffix(".key")
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return CertFiles(cert_file, key_file)


def make_ca(path: Path, common_name: str) -> tuple[CertFiles, Any, Any]:
    """A self-signed CA certificate; returns its files, certificate object and key."""
    x509 = _x509()
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    key = _new_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return _write(path, cert, key), cert, key


def issue(
    path: Path,
    common_name: str,
    *,
    issuer: tuple[Any, Any],
    sans: tuple[str, ...] = (),
    client: bool = False,
    server_hosts: tuple[str, ...] = (),
    valid_days: float = 1.0,
) -> CertFiles:
    """A leaf certificate signed by ``issuer`` (certificate, key); ``server_hosts`` are DNS names / IPs."""
    x509 = _x509()
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    ca_cert, ca_key = issuer
    usage = ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH
    key = _new_key()
    now = datetime.datetime.now(datetime.UTC)
    alt_names: list[Any] = []
    for host in server_hosts:
        try:
            alt_names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            alt_names.append(x509.DNSName(host))
    for san in sans:
        if "://" in san:
            alt_names.append(x509.UniformResourceIdentifier(san))
        else:
            alt_names.append(x509.DNSName(san.removeprefix("dns:")))
    not_after = now + datetime.timedelta(days=valid_days)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(min(now - datetime.timedelta(minutes=5), not_after - datetime.timedelta(hours=1)))
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([usage]),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
    )
    if alt_names:
        builder = builder.add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
    return _write(path, builder.sign(ca_key, hashes.SHA256()), key)


def make_pki(root: Path, name: str = "PostGuard Test CA") -> Pki:
    """A CA under ``root`` with a server certificate for localhost, 127.0.0.1 and ::1."""
    ca, ca_cert, ca_key = make_ca(root / "ca", name)
    server = issue(
        root / "server",
        "localhost",
        issuer=(ca_cert, ca_key),
        server_hosts=("localhost", "127.0.0.1", "::1"),
    )
    return Pki(root=root, ca=ca, server=server, _ca_key=ca_key, _ca_cert=ca_cert)
