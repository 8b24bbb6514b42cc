"""Faults beyond kill -9, each injected for real through the nightly flow with a real SMTP
server on loopback: a disk that fills during a run (a size-limited tmpfs), a warehouse file
truncated or overwritten before a run, and a mail server that hangs up mid-message. Each run
that breaks sends exactly one alert naming the stage and the cause, publishes nothing, loses
nothing, and the next run converges to what one clean run builds."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from email.message import EmailMessage
from pathlib import Path

import pytest

from flows.nightly import RunFailed, nightly
from tests.prefect_server import BIN, base_env
from tests.small_disk import resize, small_disk, used_bytes
from tests.smtp_fixture import SmtpServer, running_server
from tests.warehouse_contents import contents, differences

pytestmark = pytest.mark.integration

FIRST = ["korea_wire_2025-03-05_nis_casualties.txt", "voyages_tracker.csv"]
LATER = ["harbour_watch_2024-02-08_january_peak.md", "troops_casualties.json"]


def _inbox(folder: Path, sample_inbox: Path, names: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy2(sample_inbox / name, folder / name)
    return folder


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _alerts_of(server: SmtpServer, run_id: str) -> list[EmailMessage]:
    parsed = [m.parse() for m in server.messages]
    return [m for m in parsed if m["X-Supplyline-Run-Id"] == run_id]


def _text(msg: EmailMessage) -> str:
    return msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]


@pytest.fixture
def mail(monkeypatch: pytest.MonkeyPatch):
    """A real SMTP server, the alert settings pointing at it, and state beside each warehouse."""
    with running_server() as server:
        for var in ("SUPPLYLINE_DATA_DIR", "SUPPLYLINE_SMTP_USER", "SUPPLYLINE_ALERT_ALWAYS"):
            monkeypatch.delenv(var, raising=False)
        monkeypatch.setenv("SUPPLYLINE_SMTP_HOST", server.host)
        monkeypatch.setenv("SUPPLYLINE_SMTP_PORT", str(server.port))
        monkeypatch.setenv("SUPPLYLINE_ALERT_TO", "ops@example.org")
        yield server


@pytest.fixture(scope="module")
def clean(tmp_path_factory, sample_inbox) -> dict:
    """The reference: one uninterrupted run over every file, with no mail server."""
    root = tmp_path_factory.mktemp("faults-clean")
    inbox = _inbox(root / "inbox", sample_inbox, FIRST + LATER)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SUPPLYLINE_DATA_DIR", str(root / "state"))
        mp.delenv("SUPPLYLINE_SMTP_HOST", raising=False)
        nightly(inbox=str(inbox), warehouse=str(root / "wh.duckdb"))
    return contents(root / "wh.duckdb")


def _failed_run(inbox: Path, warehouse: Path) -> dict:
    with pytest.raises(RunFailed) as caught:
        nightly(inbox=str(inbox), warehouse=str(warehouse))
    return caught.value.summary.as_dict()


def _assert_one_failure_alert(server: SmtpServer, summary: dict, *words: str) -> str:
    (alert,) = _alerts_of(server, summary["run_id"])
    text = _text(alert)
    assert f"THE RUN FAILED: {summary['message']}" in text
    # a long subject is folded on the wire; compare it unfolded (runs of spaces as one)
    subject = " ".join(str(alert["Subject"]).split())
    assert subject.endswith(" ".join(summary["problems"].split()))
    assert summary["problems"] == summary["message"]
    for word in ("nothing was published", *words):
        assert word in summary["message"], summary["message"]
    assert summary["alert"] == "alert sent to 1 recipient"
    return text


def test_disk_full_during_load_alerts_once_publishes_nothing_and_the_next_run_converges(
    tmp_path, sample_inbox, clean, mail
):
    with small_disk(tmp_path / "disk", "256m") as disk:
        inbox = _inbox(tmp_path / "inbox", sample_inbox, FIRST)
        warehouse = disk / "wh.duckdb"
        nightly(inbox=str(inbox), warehouse=str(warehouse))
        published = _digest(warehouse)
        _inbox(inbox, sample_inbox, LATER)
        # Room for the working copy and a little more, not for what the new files add to it.
        resize(disk, used_bytes(disk) + warehouse.stat().st_size + (64 << 10))

        failed = _failed_run(inbox, warehouse)

        assert failed["failed_stage"] in ("load", "build", "check", "publish"), failed["message"]
        _assert_one_failure_alert(mail, failed, f"stage {failed['failed_stage']}", "disk is full")
        assert _digest(warehouse) == published  # nothing published
        assert not Path(f"{warehouse}.work").exists()

        resize(disk, "256m")
        after = nightly(inbox=str(inbox), warehouse=str(warehouse))
        assert after["status"] == "completed" and after["files_new"] == len(LATER)
        assert differences(clean, contents(warehouse)) == {}


@pytest.mark.parametrize("damage", ["truncated", "overwritten"])
def test_a_damaged_warehouse_is_named_kept_and_the_run_after_repair_converges(
    tmp_path, sample_inbox, clean, mail, damage
):
    inbox = _inbox(tmp_path / "inbox", sample_inbox, FIRST)
    warehouse = tmp_path / "wh.duckdb"
    nightly(inbox=str(inbox), warehouse=str(warehouse))
    backup = tmp_path / "backup.duckdb"
    shutil.copy2(warehouse, backup)
    _inbox(inbox, sample_inbox, LATER)
    data = warehouse.read_bytes()
    if damage == "truncated":
        warehouse.write_bytes(data[: len(data) // 2])
    else:  # the file's header overwritten, as by a stray write
        warehouse.write_bytes(b"\x5a" * 8192 + data[8192:])
    damaged = warehouse.read_bytes()

    failed = _failed_run(inbox, warehouse)

    assert failed["failed_stage"] == "plan"
    _assert_one_failure_alert(mail, failed, f"the warehouse file {warehouse} is damaged")
    assert warehouse.read_bytes() == damaged  # left as it is for a person to look at
    assert not Path(f"{warehouse}.work").exists()

    shutil.copy2(backup, warehouse)  # the repair: the last good copy
    after = nightly(inbox=str(inbox), warehouse=str(warehouse))
    assert after["status"] == "completed"
    assert differences(clean, contents(warehouse)) == {}


def test_a_mail_server_that_hangs_up_gets_the_alert_with_the_next_run_once(
    tmp_path, sample_inbox, mail
):
    inbox = _inbox(tmp_path / "inbox", sample_inbox, FIRST)
    (inbox / "broken.csv").write_bytes(b"\x00\x01 not a table \xff\xfe")
    warehouse = tmp_path / "wh.duckdb"
    mail.misbehave = "drop"
    first = nightly(inbox=str(inbox), warehouse=str(warehouse))
    assert first["alert"].startswith("SMTP unreachable (") and first["alert"].endswith(
        "1 alert waits in outbox"
    )
    assert mail.messages == []

    mail.misbehave = None
    second = nightly(inbox=str(inbox), warehouse=str(warehouse))
    third = nightly(inbox=str(inbox), warehouse=str(warehouse))
    assert second["alert"] == "alert sent to 1 recipient"
    assert third["alert"] == "no alert to send"
    (alert,) = [m.parse() for m in mail.messages]
    assert alert["X-Supplyline-Run-Id"] == first["run_id"]
    assert "- broken.csv: " in _text(alert)


def test_the_command_line_ends_a_broken_run_with_one_line_and_logs_the_traceback(
    tmp_path, sample_inbox, mail
):
    inbox = _inbox(tmp_path / "inbox", sample_inbox, FIRST)
    warehouse = tmp_path / "wh.duckdb"
    warehouse.write_bytes(b"this is not a DuckDB file\n" * 1000)
    env = base_env(tmp_path / "prefect-home")
    env.update(
        PREFECT_LOGGING_LEVEL="INFO",
        SUPPLYLINE_SMTP_HOST=mail.host,
        SUPPLYLINE_SMTP_PORT=str(mail.port),
        SUPPLYLINE_ALERT_TO="ops@example.org",
    )
    done = subprocess.run(
        [str(BIN / "supplyline"), "run", "--inbox", str(inbox), "--warehouse", str(warehouse)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 1, done.stderr[-3000:]
    head, message, alert, where = done.stdout.splitlines()
    assert head.endswith(": failed")
    assert message.startswith(f"  run failed in stage plan: the warehouse file {warehouse} is")
    assert message.endswith("nothing was published; the warehouse is as the last good run left it")
    assert alert == "  alert: alert sent to 1 recipient" and where == f"  warehouse: {warehouse}"
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    log = tmp_path / "wh.duckdb.d" / "logs" / "runs.log"
    assert f"traceback in {log}" in done.stderr
    assert "Traceback (most recent call last)" in log.read_text()
    (sent,) = [m.parse() for m in mail.messages]
    assert f"THE RUN FAILED: {message.strip()}" in _text(sent)
