"""mock_pos's certificate authority and the certificates of its HTTPS sites, made with ``cryptography``.

The sandbox CA (a root and one intermediate) is generated on first use and kept in a directory
(``ca.pem`` is the file a client trusts); later starts reuse it, so a partner trusts it once. Leaf
certificates are cheap and made fresh at every start: the valid one and the faulty ones (expired, for
another host, self-signed, from an authority nobody trusts).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_FILE = "ca.pem"
_CA_KEY = "ca-key.pem"
_INTERMEDIATE = "intermediate.pem"
_INTERMEDIATE_KEY = "intermediate-key.pem"
DEFAULT_HOSTS = ("localhost", "127.0.0.1", "::1")
CA_NAME = "Cata Sandbox Local CA"

Key = ec.EllipticCurvePrivateKey


@dataclass(frozen=True, slots=True)
class Issuer:
    cert: x509.Certificate
    key: Key


@dataclass(frozen=True, slots=True)
class Leaf:
    """A certificate and key, and the chain a server sends after the certificate."""

    cert: x509.Certificate
    key: Key
    chain: tuple[x509.Certificate, ...] = ()

    def chain_pem(self) -> bytes:
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (self.cert, *self.chain))

    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )


@dataclass(frozen=True, slots=True)
class Authority:
    """The sandbox CA kept in ``directory``: its root (trusted by clients) and the intermediate that signs."""

    directory: Path
    root: Issuer
    intermediate: Issuer

    @property
    def ca_file(self) -> Path:
        return self.directory / CA_FILE


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Cata Sandbox mock_pos - for testing only"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key() -> Key:
    return ec.generate_private_key(ec.SECP256R1())


def _ca_cert(
    name: str, key: Key, issuer: Issuer | None, days: int, path_length: int | None
) -> x509.Certificate:
    now = _now()
    signer = issuer.key if issuer is not None else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(name))
        .issuer_name(issuer.cert.subject if issuer is not None else _name(name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
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
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False
        )
    return builder.sign(signer, hashes.SHA256())


def new_root(name: str = CA_NAME, days: int = 3650) -> Issuer:
    key = _key()
    return Issuer(_ca_cert(name, key, None, days, path_length=1), key)


def new_intermediate(root: Issuer, name: str = f"{CA_NAME} - Intermediate", days: int = 3650) -> Issuer:
    key = _key()
    return Issuer(_ca_cert(name, key, root, days, path_length=0), key)


def issue_leaf(
    issuer: Issuer | None,
    hosts: Sequence[str] = DEFAULT_HOSTS,
    *,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    chain: Sequence[x509.Certificate] = (),
) -> Leaf:
    """A server certificate for ``hosts`` (names and IP addresses), signed by ``issuer`` or by itself."""
    key = _key()
    now = _now()
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    subject = _name(hosts[0] if hosts else "mock_pos")
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer is not None else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - dt.timedelta(days=1))
        .not_valid_after(not_after or now + dt.timedelta(days=90))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False
        )
    cert = builder.sign(issuer.key if issuer is not None else key, hashes.SHA256())
    return Leaf(cert, key, tuple(chain))


def _write(path: Path, data: bytes, private: bool = False) -> None:
    path.write_bytes(data)
    if private:
        path.chmod(0o600)


def _read_issuer(cert_path: Path, key_path: Path) -> Issuer:
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{key_path} is not the EC key mock_pos writes")
    return Issuer(cert, key)


def _key_pem(key: Key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_or_create_authority(directory: Path) -> Authority:
    """The CA kept in ``directory``; made (and written there) when the directory holds none yet."""
    directory = directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    files = [directory / name for name in (CA_FILE, _CA_KEY, _INTERMEDIATE, _INTERMEDIATE_KEY)]
    if all(path.exists() for path in files):
        return Authority(directory, _read_issuer(files[0], files[1]), _read_issuer(files[2], files[3]))
    root = new_root()
    intermediate = new_intermediate(root)
    _write(files[1], _key_pem(root.key), private=True)
    _write(files[3], _key_pem(intermediate.key), private=True)
    _write(files[2], intermediate.cert.public_bytes(serialization.Encoding.PEM))
    _write(files[0], root.cert.public_bytes(serialization.Encoding.PEM))  # last: its presence means "done"
    return Authority(directory, root, intermediate)


def valid_leaf(authority: Authority, hosts: Sequence[str] = DEFAULT_HOSTS, **validity: dt.datetime) -> Leaf:
    """A leaf from the sandbox CA, sent with its intermediate: what a correct HTTPS server serves."""
    return issue_leaf(authority.intermediate, hosts, chain=(authority.intermediate.cert,), **validity)
