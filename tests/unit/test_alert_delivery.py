"""Delivery of alert emails through the outbox to a real (aiosmtpd) SMTP server on loopback."""

from __future__ import annotations

import logging
import re
import socket
import time
from collections.abc import Iterator
from datetime import date
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from schemas.checks import CheckResult
from supplyline.alerts import (
    AlertReport,
    FileNote,
    deliver_alerts,
    pending_alerts,
    render_alert,
    send_run_alert,
)
from supplyline.settings import Settings

if TYPE_CHECKING:
    from tests.smtp_fixture import SmtpServer

# Registers the smtp_* fixtures. "from tests.smtp_fixture import smtp_server" would work too,
# but ruff then flags every test parameter that shadows the import (F811), and importing the
# module before pytest registers it loses assert rewriting. Harmless to keep once
# tests/conftest.py registers the same plugin.


HOST = "127.0.0.1"

RECIPIENTS = ["ops@example.org", "analyst@example.org"]


def settings(tmp_path: Path, server: SmtpServer | None = None, **kw: object) -> Settings:
    base: dict[str, object] = {
        "data_dir": tmp_path,
        "alert_from": "supplyline@example.org",
        "alert_to": " ops@example.org ,analyst@example.org,",
        "smtp_timeout": 5.0,
    }
    if server is not None:
        base.update(smtp_host=server.host, smtp_port=server.port)
    base.update(kw)
    return Settings(**base)


def report(run_id: str = "run-1", **kw: object) -> AlertReport:
    fields: dict[str, object] = {
        "run_id": run_id,
        "run_date": date(2026, 11, 29),
        "flow_name": "nightly",
        "checks": [
            CheckResult("not_null_qty", "shipments", "dbt", "error", 3, ({"id": 7, "qty": None},))
        ],
        "failed_files": [FileNote("inbox/bad.csv", "line 2: unterminated quote")],
        "loaded": {"depots": 4},
        "not_loaded": {"shipments": "blocked by not_null_qty"},
        "quarantined_rows": 3,
        "warehouse_path": "data/warehouse.duckdb",
        "data_docs_path": None,
    }
    fields.update(kw)
    return AlertReport(**fields)  # type: ignore[arg-type]


def parse(raw: bytes) -> EmailMessage:
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    return msg


def outbox_files(s: Settings) -> list[Path]:
    return sorted(p for p in s.outbox.iterdir() if p.is_file())


def closed_port() -> int:
    """A loopback port nothing listens on (the SMTP server is down)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts TCP connections but never says a word (a hung SMTP server)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        sock.listen(5)
        yield sock.getsockname()[1]


# ------------------------------------------------------------------------- happy path


def test_sends_to_both_recipients_and_moves_file_to_sent(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    s = settings(tmp_path, smtp_server)
    result = deliver_alerts(s, render_alert(report(), s))

    assert result.error is None
    assert (result.sent, result.queued) == (1, 0)
    assert result.summary() == "alert sent to 2 recipients"
    [got] = smtp_server.messages
    assert got.rcpt_tos == RECIPIENTS
    assert got.mail_from == "supplyline@example.org"
    msg = parse(got.content)
    assert msg["Subject"] == (
        "[supplyline] 2026-11-29 nightly: 1 check failed, 3 rows quarantined, 1 file failed"
    )
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert "inbox/bad.csv" in msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    # The alert went through the outbox and now sits in outbox/sent.
    assert pending_alerts(s) == []
    [written] = result.written_to_outbox
    assert (s.outbox / "sent" / written.name).is_file()


def test_escaped_html_and_no_header_injection_survive_smtp(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    s = settings(tmp_path, smtp_server)
    r = report(
        flow_name="nightly\r\nBcc: evil@x",
        checks=[CheckResult("chk\r\nBcc: evil@x", "t", "dbt", "warn", 1)],
        failed_files=[
            FileNote("<script>alert(1)</script>.txt", "bad <b>bold</b> & co"),
            FileNote("x.csv\r\nBcc: evil@x", "y"),
        ],
    )
    assert deliver_alerts(s, render_alert(r, s)).sent == 1

    [got] = smtp_server.messages
    assert got.rcpt_tos == RECIPIENTS  # no extra envelope recipient
    msg = parse(got.content)
    assert msg["Bcc"] is None
    assert not re.search(rb"^Bcc:", got.content, re.M)
    assert "\n" not in msg["Subject"] and "\r" not in msg["Subject"]
    htm = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "<script>" not in htm and "<b>" not in htm
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.txt" in htm
    assert "bad &lt;b&gt;bold&lt;/b&gt; &amp; co" in htm


# ------------------------------------------------------------------------- outbox only


def test_no_smtp_configured_writes_parseable_eml(tmp_path: Path) -> None:
    s = settings(tmp_path)
    result = deliver_alerts(s, render_alert(report(run_id="nightly/../../etc 1"), s))

    assert (result.sent, result.queued, result.error) == (0, 1, None)
    [path] = result.written_to_outbox
    assert path.parent == s.outbox
    assert re.fullmatch(r"\d{8}T\d{12}Z-nightly_etc_1\.eml", path.name)
    assert outbox_files(s) == [path]  # no temp files left behind
    msg = parse(path.read_bytes())
    assert msg["Subject"].startswith("[supplyline] 2026-11-29 nightly: 1 check failed")
    assert msg.get_body(("plain",)) is not None and msg.get_body(("html",)) is not None
    assert result.summary() == f"alert written to outbox {path} (no SMTP configured)"


def test_no_recipients_keeps_alert_in_outbox(tmp_path: Path, smtp_server: SmtpServer) -> None:
    s = settings(tmp_path, smtp_server, alert_to=" , ")
    result = deliver_alerts(s, render_alert(report(), s))
    assert result.error == "no recipients (SUPPLYLINE_ALERT_TO)"
    assert result.queued == 1 and len(pending_alerts(s)) == 1
    assert smtp_server.messages == []


# ------------------------------------------------------------------------- SMTP trouble


def test_smtp_down_keeps_alert_then_next_run_sends_oldest_first(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    down = settings(tmp_path, smtp_host=HOST, smtp_port=closed_port())
    first = deliver_alerts(down, render_alert(report(run_id="run-1"), down))

    assert first.sent == 0 and first.queued == 1
    assert first.error is not None and first.error.startswith("SMTP unreachable (")
    assert first.summary().endswith("; 1 alert waits in outbox")
    assert pending_alerts(down) == first.written_to_outbox

    up = settings(tmp_path, smtp_server)
    second = deliver_alerts(up, render_alert(report(run_id="run-2"), up))

    assert second.error is None
    assert (second.sent, second.queued) == (2, 0)
    assert pending_alerts(up) == []
    run_ids = [parse(m.content)["X-Supplyline-Run-Id"] for m in smtp_server.messages]
    assert run_ids == ["run-1", "run-2"]
    assert all(m.rcpt_tos == RECIPIENTS for m in smtp_server.messages)
    assert len(list((up.outbox / "sent").glob("*.eml"))) == 2


def test_flush_without_new_alert_sends_what_waits(tmp_path: Path, smtp_server: SmtpServer) -> None:
    offline = settings(tmp_path)
    deliver_alerts(offline, render_alert(report(), offline))
    assert len(pending_alerts(offline)) == 1

    result = deliver_alerts(settings(tmp_path, smtp_server), None)
    assert (result.sent, result.queued, result.written_to_outbox) == (1, 0, [])
    assert len(smtp_server.messages) == 1


def test_server_refusing_data_keeps_alert(tmp_path: Path, smtp_server: SmtpServer) -> None:
    smtp_server.reject = "554 5.7.1 message refused for testing"
    s = settings(tmp_path, smtp_server)
    result = deliver_alerts(s, render_alert(report(), s))

    assert result.sent == 0 and result.queued == 1
    assert result.error is not None and "554" in result.error
    assert len(pending_alerts(s)) == 1

    smtp_server.reject = None
    assert deliver_alerts(s, None).sent == 1
    assert pending_alerts(s) == []


def test_hung_server_times_out(tmp_path: Path, silent_port: int) -> None:
    s = settings(tmp_path, smtp_host=HOST, smtp_port=silent_port, smtp_timeout=0.5)
    start = time.monotonic()
    result = deliver_alerts(s, render_alert(report(), s))
    assert time.monotonic() - start < 5
    assert result.error is not None and result.error.startswith("SMTP unreachable (")
    assert result.queued == 1


# ------------------------------------------------------------------------- auth and secrets


def test_login_with_user_and_password_and_no_secret_leaks(
    tmp_path: Path, smtp_auth_server: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    s = settings(
        tmp_path,
        smtp_auth_server,
        smtp_user=smtp_auth_server.user,
        smtp_password=smtp_auth_server.password,
    )
    result = deliver_alerts(s, render_alert(report(), s))

    assert result.error is None and result.sent == 1
    assert smtp_auth_server.logins == [smtp_auth_server.user]
    [got] = smtp_auth_server.messages
    password = smtp_auth_server.password
    assert password.encode() not in got.content
    assert password not in caplog.text
    assert password not in result.summary()


def test_without_login_auth_server_refuses_and_alert_waits(
    tmp_path: Path, smtp_auth_server: SmtpServer
) -> None:
    s = settings(tmp_path, smtp_auth_server)
    result = deliver_alerts(s, render_alert(report(), s))
    assert result.sent == 0 and result.queued == 1
    assert result.error is not None and "530" in result.error


def test_wrong_password_reports_login_failure_without_the_password(
    tmp_path: Path, smtp_auth_server: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "Wr0ng-but-still-secret"
    s = settings(tmp_path, smtp_auth_server, smtp_user=smtp_auth_server.user, smtp_password=wrong)
    result = deliver_alerts(s, render_alert(report(), s))

    assert result.sent == 0 and result.queued == 1
    assert result.error is not None and result.error.startswith("SMTP login failed")
    for text in (result.error, result.summary(), caplog.text, repr(result)):
        assert wrong not in text
    assert wrong.encode() not in pending_alerts(s)[0].read_bytes()


# ------------------------------------------------------------------------- TLS modes


def test_starttls_then_login(tmp_path: Path, smtp_starttls_server: SmtpServer) -> None:
    s = settings(
        tmp_path,
        smtp_starttls_server,
        smtp_tls="starttls",
        smtp_user=smtp_starttls_server.user,
        smtp_password=smtp_starttls_server.password,
    )
    result = deliver_alerts(s, render_alert(report(), s))
    assert result.error is None and result.sent == 1
    assert smtp_starttls_server.logins == [smtp_starttls_server.user]


def test_plain_connection_to_starttls_only_server_is_refused(
    tmp_path: Path, smtp_starttls_server: SmtpServer
) -> None:
    s = settings(tmp_path, smtp_starttls_server, smtp_tls="none")
    result = deliver_alerts(s, render_alert(report(), s))
    assert result.sent == 0 and result.error is not None
    assert smtp_starttls_server.messages == []


def test_starttls_asked_of_a_server_without_it_is_an_smtp_error(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    # Protocol trouble is told apart from a server that cannot be reached.
    s = settings(tmp_path, smtp_server, smtp_tls="starttls")
    result = deliver_alerts(s, render_alert(report(), s))
    assert result.error is not None and result.error.startswith("SMTP error (")
    assert "STARTTLS" in result.error
    assert result.sent == 0 and result.queued == 1


def test_implicit_ssl(tmp_path: Path, smtp_ssl_server: SmtpServer) -> None:
    s = settings(tmp_path, smtp_ssl_server, smtp_tls="ssl")
    result = deliver_alerts(s, render_alert(report(), s))
    assert result.error is None and result.sent == 1
    assert smtp_ssl_server.messages[0].rcpt_tos == RECIPIENTS


def test_ssl_against_untrusted_certificate_fails_softly(
    tmp_path: Path, smtp_ssl_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE")  # the self-signed cert is no longer trusted
    s = settings(tmp_path, smtp_ssl_server, smtp_tls="ssl")
    result = deliver_alerts(s, render_alert(report(), s))
    assert result.sent == 0 and result.queued == 1
    assert result.error is not None and "CERTIFICATE_VERIFY_FAILED" in result.error


# ------------------------------------------------------------------------- Prefect block


def test_credentials_block_supplies_server_and_login(
    tmp_path: Path, smtp_auth_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Field mapping of EmailServerCredentials; load() is stubbed because it needs a Prefect API."""
    from prefect_email import EmailServerCredentials

    block = EmailServerCredentials(
        username=smtp_auth_server.user,
        password=smtp_auth_server.password,
        smtp_server=smtp_auth_server.host,
        smtp_type="INSECURE",
        smtp_port=smtp_auth_server.port,
    )
    loaded: list[str] = []

    def fake_load(name: str) -> EmailServerCredentials:
        loaded.append(name)
        return block

    monkeypatch.setattr(EmailServerCredentials, "load", fake_load)
    # smtp_host points nowhere: the block must win.
    s = settings(tmp_path, smtp_host=HOST, smtp_port=closed_port(), smtp_credentials_block="mail")
    result = deliver_alerts(s, render_alert(report(), s))

    assert loaded == ["mail"]
    assert result.error is None and result.sent == 1
    assert smtp_auth_server.logins == [smtp_auth_server.user]


def test_credentials_block_that_cannot_load_keeps_alert(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect_email import EmailServerCredentials

    def broken_load(name: str) -> EmailServerCredentials:
        raise ValueError(f"Unable to find block document named {name}")

    monkeypatch.setattr(EmailServerCredentials, "load", broken_load)
    s = settings(tmp_path, smtp_credentials_block="missing")
    result = deliver_alerts(s, render_alert(report(), s))
    assert result.sent == 0 and result.queued == 1
    assert result.error is not None and "cannot load Prefect block 'missing'" in result.error


# ------------------------------------------------------------------------- send_run_alert


def test_all_passed_sends_nothing_unless_alert_always(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    clean = report(
        checks=[CheckResult("row_count", "depots", "dbt", "error", 0)],
        failed_files=[],
        not_loaded={},
        quarantined_rows=0,
    )
    assert clean.needs_alert() is False

    quiet = send_run_alert(clean, settings(tmp_path, smtp_server))
    assert (quiet.sent, quiet.written_to_outbox) == (0, [])
    assert smtp_server.messages == []
    assert not (tmp_path / "outbox").exists() or pending_alerts(settings(tmp_path)) == []

    loud = send_run_alert(clean, settings(tmp_path, smtp_server, alert_always=True))
    assert loud.sent == 1
    assert parse(smtp_server.messages[0].content)["Subject"] == (
        "[supplyline] 2026-11-29 nightly: all checks passed"
    )


def test_non_ascii_content_arrives_intact(tmp_path: Path, smtp_server: SmtpServer) -> None:
    s = settings(tmp_path, smtp_server)
    r = report(
        flow_name="nächtlich",
        checks=[CheckResult("valid_city", "depots", "dbt", "warn", 1, ({"city": "Київ — ñ"},))],
    )
    assert deliver_alerts(s, render_alert(r, s)).sent == 1
    [got] = smtp_server.messages
    assert max(got.content) < 128  # 7-bit on the wire
    msg = parse(got.content)
    assert msg["Subject"].startswith("[supplyline] 2026-11-29 nächtlich: 1 check warned")
    for kind in ("plain", "html"):
        assert "Київ — ñ" in msg.get_body((kind,)).get_content()  # type: ignore[union-attr]
