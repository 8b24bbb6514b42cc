"""Alert delivery under real faults: an SMTP server (aiosmtpd on loopback) that hangs up in the
middle of a message or answers too late, an outbox on a full disk (a size-limited tmpfs), and
two warehouses whose outboxes must never mix. An alert that was not sent waits and goes out
with the next run, exactly once."""

from __future__ import annotations

from datetime import date
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from supplyline.alerts import AlertReport, FileNote, deliver_alerts, pending_alerts, render_alert
from supplyline.settings import Settings
from tests.small_disk import fill, small_disk
from tests.smtp_fixture import SmtpServer


def _settings(state: Path, server: SmtpServer, **kw: object) -> Settings:
    given: dict[str, object] = {
        "data_dir": state,
        "smtp_host": server.host,
        "smtp_port": server.port,
        "alert_to": "ops@example.org",
        "smtp_timeout": 1.0,
    }
    return Settings(**{**given, **kw})  # type: ignore[arg-type]


def _report(run_id: str) -> AlertReport:
    return AlertReport(
        run_id,
        date(2026, 12, 5),
        "nightly",
        (),
        [FileNote("bad.csv", "not a table")],
        {},
        {},
        0,
        "wh.duckdb",
        None,
    )


def _run_ids(server: SmtpServer) -> list[str]:
    return [
        str(BytesParser(policy=policy.default).parsebytes(m.content)["X-Supplyline-Run-Id"])
        for m in server.messages
    ]


@pytest.mark.parametrize("fault", ["drop", "stall"])
def test_a_server_that_drops_or_stalls_mid_message_gets_the_alert_next_run_once(
    tmp_path: Path, smtp_server: SmtpServer, fault: str
) -> None:
    s = _settings(tmp_path, smtp_server)
    smtp_server.misbehave = fault
    first = deliver_alerts(s, render_alert(_report("run-1"), s))
    assert (first.sent, first.queued) == (0, 1)
    assert first.error and first.error.startswith("SMTP unreachable ("), first.error
    assert "SMTPServerDisconnected" in first.error  # hung up, or timed out waiting
    assert smtp_server.messages == [] and pending_alerts(s) == first.written_to_outbox

    smtp_server.misbehave = None  # the next night the server is well again
    second = deliver_alerts(s, None)
    assert (second.sent, second.queued, second.error) == (1, 0, None)
    third = deliver_alerts(s, None)
    assert (third.sent, third.queued) == (0, 0)
    assert _run_ids(smtp_server) == ["run-1"]


def test_an_outbox_on_a_full_disk_still_sends_the_alert(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    with small_disk(tmp_path / "disk", "2m") as disk:
        s = _settings(disk / "state", smtp_server)
        waiting = deliver_alerts(
            _settings(disk / "state", smtp_server, smtp_host=None),
            render_alert(_report("run-1"), s),
        )
        assert waiting.queued == 1  # an alert from a night when SMTP was not set up
        fill(disk)
        result = deliver_alerts(s, render_alert(_report("run-2"), s))
        assert result.written_to_outbox == [] and result.error is None
        assert (result.sent, result.queued) == (2, 0)
        assert _run_ids(smtp_server) == ["run-1", "run-2"]
        again = deliver_alerts(s, None)  # the sent one is never sent twice, even on a full disk
        assert (again.sent, again.queued) == (0, 0)
        assert len(smtp_server.messages) == 2


def test_a_full_disk_without_smtp_says_the_alert_is_lost(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "1m") as disk:
        s = Settings(data_dir=disk / "state", smtp_host=None)
        fill(disk)
        result = deliver_alerts(s, render_alert(_report("run-1"), s))
        assert result.error == ("the alert could not be written to the outbox; no SMTP configured")
        assert "could not be written" in result.summary()


def test_a_run_on_one_warehouse_never_sends_another_warehouse_alerts(
    tmp_path: Path, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SUPPLYLINE_DATA_DIR", raising=False)
    a = Settings(warehouse=tmp_path / "a.duckdb", alert_to="ops@example.org")
    deliver_alerts(a, render_alert(_report("run-on-a"), a))  # no SMTP: waits in a's outbox
    b = Settings(
        warehouse=tmp_path / "b.duckdb",
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        alert_to="ops@example.org",
    )
    result = deliver_alerts(b, render_alert(_report("run-on-b"), b))
    assert result.sent == 1 and _run_ids(smtp_server) == ["run-on-b"]
    assert len(pending_alerts(a)) == 1 and a.outbox.parent == tmp_path / "a.duckdb.d"
