"""The sample inbox is clean: two nightly runs in a row send no alert to a real SMTP server,
and the run says so in the words it would have put in an email."""

from __future__ import annotations

import shutil

import pytest

from flows.nightly import nightly

pytestmark = pytest.mark.integration


def test_two_runs_of_the_sample_inbox_send_no_alert(
    tmp_path, sample_inbox, smtp_server, monkeypatch
):
    inbox = tmp_path / "inbox"
    shutil.copytree(sample_inbox, inbox)
    for var in ("SUPPLYLINE_DATA_DIR", "SUPPLYLINE_ALERT_ALWAYS", "SUPPLYLINE_SMTP_USER"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("SUPPLYLINE_SMTP_HOST", smtp_server.host)
    monkeypatch.setenv("SUPPLYLINE_SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("SUPPLYLINE_ALERT_TO", "ops@example.org")
    warehouse = tmp_path / "wh.duckdb"

    first = nightly(inbox=str(inbox), warehouse=str(warehouse))
    second = nightly(inbox=str(inbox), warehouse=str(warehouse))

    for run in (first, second):
        assert run["status"] == "completed"
        assert (run["checks_failed"], run["checks_warned"], run["rows_quarantined"]) == (0, 0, 0)
        assert run["problems"] == "all checks passed"
        assert run["alert"] == "no alert to send"
    assert first["files_new"] == len(list(inbox.iterdir())) and second["files_new"] == 0
    assert smtp_server.messages == []
    # State lives beside the warehouse, and nothing waits in its outbox.
    state = tmp_path / "wh.duckdb.d"
    assert (state / "data_docs" / first["run_id"]).is_dir()
    assert not list(state.glob("outbox/*.eml"))
