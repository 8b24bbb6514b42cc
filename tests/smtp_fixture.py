"""Pytest plugin: real aiosmtpd SMTP servers on loopback that record what they receive.

Fixtures: ``smtp_server`` (plain), ``smtp_auth_server`` (AUTH required; the handle's ``user`` and
``password`` are the accepted login), ``smtp_starttls_server`` and ``smtp_ssl_server`` (self-signed certificate
for 127.0.0.1, trusted through ``SSL_CERT_FILE`` for the duration of the test).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import socket
import ssl
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

HOST = "127.0.0.1"
SMTP_USER = "alerts"
SMTP_PASSWORD = "s3cret-Pa55-do-not-leak"


@dataclass
class Received:
    """One message as the server got it."""

    mail_from: str
    rcpt_tos: list[str]
    content: bytes  # raw DATA bytes, exactly as sent

    def parse(self) -> EmailMessage:
        msg = BytesParser(policy=policy.default).parsebytes(self.content)
        assert isinstance(msg, EmailMessage)
        return msg


@dataclass
class SmtpServer:
    """Handle returned by the fixtures."""

    host: str
    port: int
    messages: list[Received] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)  # user names that authenticated
    user: str = SMTP_USER  # the only login the AUTH fixtures accept
    password: str = SMTP_PASSWORD
    reject: str | None = None  # set to e.g. "554 5.7.1 no" to refuse DATA
    # "drop": hang up once the message is sent, before answering; "stall": answer DATA only
    # after ``stall_s`` seconds (past the client's timeout), and then refuse it.
    misbehave: str | None = None
    stall_s: float = 3.0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        """aiosmtpd handler hook: store the envelope unless told to refuse or misbehave."""
        if self.misbehave == "drop":
            server.transport.close()
            return "421 4.4.2 connection dropped for testing"
        if self.misbehave == "stall":
            await asyncio.sleep(self.stall_s)
            return "451 4.4.2 too late"
        if self.reject:
            return self.reject
        raw = envelope.original_content or envelope.content
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(raw)))
        return "250 OK"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        """aiosmtpd authenticator: accept only ``user`` / ``password``."""
        if (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == self.user
            and auth_data.password.decode() == self.password
        ):
            self.logins.append(self.user)
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@contextmanager
def running_server(**smtp_kwargs: Any) -> Iterator[SmtpServer]:
    """Start an aiosmtpd Controller on a free loopback port; stop it afterwards."""
    state = SmtpServer(HOST, free_port())
    if smtp_kwargs.pop("auth", False):
        # Over plain TCP the test must allow AUTH without TLS; with STARTTLS, insist on it.
        plain = "tls_context" not in smtp_kwargs
        smtp_kwargs.update(
            authenticator=state.authenticate, auth_required=True, auth_require_tls=not plain
        )
        if plain:
            # aiosmtpd warns about exactly that; pytest resets filters after each test.
            warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS")
    controller = Controller(state, hostname=HOST, port=state.port, **smtp_kwargs)
    controller.start()
    try:
        yield state
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """Plain SMTP server without TLS or AUTH."""
    with running_server() as server:
        yield server


@pytest.fixture
def smtp_auth_server() -> Iterator[SmtpServer]:
    """SMTP server that refuses mail until the client logs in as SMTP_USER."""
    with running_server(auth=True) as server:
        yield server


@pytest.fixture
def tls_cert(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """Self-signed certificate for 127.0.0.1 that the client's default context trusts."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    # ssl.create_default_context() reads SSL_CERT_FILE, so only this test trusts the cert.
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_path))
    return cert_path, key_path


def _server_context(cert: tuple[Path, Path]) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(*cert)
    return ctx


@pytest.fixture
def smtp_starttls_server(tls_cert: tuple[Path, Path]) -> Iterator[SmtpServer]:
    """SMTP server that requires STARTTLS before MAIL, and AUTH after it."""
    ctx = _server_context(tls_cert)
    with running_server(tls_context=ctx, require_starttls=True, auth=True) as server:
        yield server


@pytest.fixture
def smtp_ssl_server(tls_cert: tuple[Path, Path]) -> Iterator[SmtpServer]:
    """SMTP server speaking implicit TLS (SMTPS) from the first byte."""
    with running_server(ssl_context=_server_context(tls_cert)) as server:
        yield server
