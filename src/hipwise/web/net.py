"""LAN mode helpers: the machine's LAN address, a locally generated self-signed certificate
(browsers allow the camera only on https or localhost) and QR codes of the page's address."""

from __future__ import annotations

import datetime as dt
import io
import ipaddress
import logging
import socket
from pathlib import Path

import segno
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

__all__ = ["CertError", "ensure_certificate", "lan_ip", "qr_svg", "qr_terminal"]

logger = logging.getLogger(__name__)

_CERT_DAYS = 825  # the longest validity Apple platforms accept for a TLS server certificate
_RENEW_DAYS = 30


class CertError(RuntimeError):
    """The certificate could not be created or written."""


def lan_ip() -> str:
    """This machine's address on the local network (the interface of the default route), or
    ``127.0.0.1`` when there is none. Sends no packet (a UDP socket is only connected)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("10.255.255.255", 1))
        ip = str(s.getsockname()[0])
    except OSError:
        ip = "127.0.0.1"
    finally:
        s.close()
    return ip


def _cert_ok(cert_path: Path, hosts: list[str]) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, x509.ExtensionNotFound):
        return False
    names = {str(n) for n in san.get_values_for_type(x509.DNSName)}
    names |= {str(n) for n in san.get_values_for_type(x509.IPAddress)}
    left = cert.not_valid_after_utc - dt.datetime.now(dt.UTC)
    return set(hosts) <= names and left > dt.timedelta(days=_RENEW_DAYS)


def ensure_certificate(folder: Path, hosts: list[str]) -> tuple[Path, Path]:
    """(cert.pem, key.pem) in ``folder`` valid for every name/IP in ``hosts``; reused when the
    cached one still covers them for at least 30 days, otherwise generated (ECDSA P-256,
    self-signed, 825 days). The folder (0700) and both files (0600) are the owner's only."""
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    if cert_path.is_file() and key_path.is_file() and _cert_ok(cert_path, hosts):
        try:  # an older version left the folder and the certificate world-readable
            folder.chmod(0o700)
            cert_path.chmod(0o600)
        except OSError as exc:
            logger.warning("cannot restrict the permissions of %s: %s", folder, exc)
        return cert_path, key_path
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = []
    for h in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(h)))
        except ValueError:
            names.append(x509.DNSName(h))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hipwise live (local)")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=_CERT_DAYS))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.chmod(0o700)
        for path, data in (
            (key_path, key.private_bytes(serialization.Encoding.PEM,
                                         serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption())),
            (cert_path, cert.public_bytes(serialization.Encoding.PEM)),
        ):
            path.touch(mode=0o600, exist_ok=True)
            path.chmod(0o600)
            path.write_bytes(data)
    except OSError as exc:
        raise CertError(f"cannot write the certificate to {folder}: {exc.strerror}") from exc
    logger.info("generated a self-signed certificate for %s in %s", ", ".join(hosts), folder)
    return cert_path, key_path


def qr_svg(text: str) -> str:
    """An SVG QR code of ``text`` (scale 6, quiet zone 4 modules)."""
    buf = io.BytesIO()
    segno.make(text, error="m").save(buf, kind="svg", scale=6, border=4, xmldecl=False)
    return buf.getvalue().decode("utf-8")


def qr_terminal(text: str) -> str:
    """A QR code of ``text`` drawn with block characters for a terminal."""
    buf = io.StringIO()
    segno.make(text, error="m").terminal(out=buf, compact=True)
    return buf.getvalue()
