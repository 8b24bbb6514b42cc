"""Severity at work: an error check blocks its mart (the last good version stays) and fails the
run, while the rest of the night's data is published; warn checks load and alert."""

from __future__ import annotations

import email
import shutil
from email import policy

import duckdb
import pytest

from flows.nightly import nightly


def rows(path, sql):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def env(tmp_path, monkeypatch, smtp_server):
    monkeypatch.setenv("SUPPLYLINE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SUPPLYLINE_SMTP_HOST", smtp_server.host)
    monkeypatch.setenv("SUPPLYLINE_SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("SUPPLYLINE_ALERT_TO", "analyst@example.org")
    return tmp_path


def test_error_check_keeps_last_good_mart_and_fails_the_run(
    env, sample_inbox, smtp_server, monkeypatch
):
    inbox = env / "inbox"
    inbox.mkdir()
    for name in ("harbour_watch_2024-02-08_january_peak.md", "voyages_tracker.csv"):
        shutil.copy(sample_inbox / name, inbox / name)
    warehouse = env / "wh.duckdb"
    assert nightly(inbox=str(inbox), warehouse=str(warehouse))["status"] == "completed"
    claims_before = rows(warehouse, "select * from marts.claims order by claim_id")
    assert claims_before

    # The team's own rule: no source has put troops_deployed above 11,000 at the top of its range; a new report breaks it.
    checks = env / "checks"
    checks.mkdir()
    (checks / "troops_deployed_plausible.sql").write_text(
        "-- table: marts.claims\n-- severity: error\n"
        "select claim_id, value_low from marts.claims where metric = 'troops_deployed' and coalesce(value_high, value_low) > 11000\n"
    )
    monkeypatch.setenv("SUPPLYLINE_EXTRA_CHECKS_DIR", str(checks))
    shutil.copy(sample_inbox / "voyages_second_tracker.xlsx", inbox)
    shutil.copy(sample_inbox / "eastline_news_2024-10-18_kyiv_missiles.txt", inbox)
    smtp_server.messages.clear()

    state = nightly(inbox=str(inbox), warehouse=str(warehouse), return_state=True)
    assert state.is_failed()
    # The blocked mart is exactly as it was; the night's other data was published.
    assert rows(warehouse, "select * from marts.claims order by claim_id") == claims_before
    assert rows(
        warehouse,
        "select count(*) from raw.received_rows where file_name = 'voyages_second_tracker.xlsx'",
    ) == [(20,)]
    assert rows(warehouse, "select max(n_ledger_rows) from marts.shipments") == [(2,)]
    failed = rows(
        warehouse, "select check_name, table_name from dq.check_results where status = 'fail'"
    )
    assert failed == [("team: troops_deployed_plausible", "marts.claims")]
    runs = rows(warehouse, "select status, message from ops.runs order by started_at")
    assert [r[0] for r in runs] == ["completed", "failed"]
    assert "last good version kept for marts.claims" in runs[1][1]
    # One alert names the failed check.
    assert len(smtp_server.messages) == 1
    msg = email.message_from_bytes(smtp_server.messages[0].content, policy=policy.default)
    assert "check" in msg["Subject"] and "failed" in msg["Subject"]
    assert "troops_deployed_plausible" in msg.get_body(("plain",)).get_content()
