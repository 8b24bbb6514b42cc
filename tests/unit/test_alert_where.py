"""Alerts that say where: each held-back row by file, locator, column, value and rule; each file
with its row counts; the alert of a run that broke; and what the per-warehouse state folder,
Data Docs pruning and the freshness check do."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import time
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
from markupsafe import escape

from schemas.checks import CheckResult
from schemas.quarantine import quarantine_frame
from supplyline.alerts import AlertReport, FileNote, RowNote, headline, render_alert
from supplyline.expectations import freshness_check
from supplyline.run import Run, failure_summary, in_stage, summarise
from supplyline.settings import Settings, state_dir_for
from supplyline.stages.alert import alert_report, failure_alert
from supplyline.stages.check import Checked, prune_data_docs
from supplyline.stages.load import HELD_COLUMNS, Loaded
from transforms.ledger import FILES_SCHEMA

RUN = Run("run-1", "nightly", dt.datetime(2026, 12, 5, 2, 0), "/srv/wh.duckdb", "/srv/inbox")


def _settings(tmp_path: Path, **kw: object) -> Settings:
    return Settings(warehouse=tmp_path / "wh.duckdb", data_dir=tmp_path / "state", **kw)  # type: ignore[arg-type]


def _parts(report: AlertReport, settings: Settings) -> tuple[str, str, str]:
    msg = render_alert(report, settings)
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    body = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    return str(msg["Subject"]), text, body


def _ledger(*rows: dict) -> pl.DataFrame:
    base = {c: None for c in FILES_SCHEMA}
    return pl.DataFrame(
        [{**base, "run_id": RUN.run_id, "version": 1, **r} for r in rows], schema=FILES_SCHEMA
    )


def _loaded() -> Loaded:
    """A run that read a ragged ledger, a report with a refused claim and an unreadable file."""
    quarantine = quarantine_frame(
        [
            {
                "source_file": "ledgers/voyages <2025>.csv",
                "stage": "normalise",
                "locator": "row 4",
                "check_name": "containers: greater_than_or_equal_to(0)",
                "reason": "containers: greater_than_or_equal_to(0) [-5]",
                "offending_values": "-5",
            },
            {
                "source_file": "ledgers/voyages <2025>.csv",
                "stage": "ingest",
                "locator": "row 7",
                "check_name": "row_shape",
                "reason": "6 cells where the header has 8",
            },
            {
                "source_file": "reports/quay.md",
                "stage": "extract",
                "locator": "chars 120-161",
                "check_name": "metric: isin(catalogue)",
                "reason": "metric: isin(catalogue) [tunnels]",
                "offending_values": "tunnels",
            },
            {"source_file": "broken.pdf", "stage": "ingest", "check_name": "parse", "reason": "x"},
        ],
        RUN.run_id,
        RUN.started,
    )
    files = _ledger(
        {
            "path": "ledgers/voyages <2025>.csv",
            "kind": "table",
            "status": "loaded",
            "rows_in": 9,
            "rows_loaded": 6,
            "rows_quarantined": 2,
            "rows_skipped": 1,
            "note": "1 row after the table's end not read",
        },
        {"path": "reports/quay.md", "kind": "document", "status": "loaded", "rows_in": 1},
        {"path": "broken.pdf", "kind": "document", "status": "failed", "error": "not a PDF"},
    )
    return Loaded(
        rows={"claims": 3},
        files=files,
        quarantined=3,
        held=quarantine.select(HELD_COLUMNS),
    )


def test_every_held_row_is_named_by_file_locator_column_value_and_rule(tmp_path):
    settings = _settings(tmp_path)
    loaded = _loaded()
    summary = summarise(RUN, loaded, 0, (), True)
    report = alert_report(RUN, summary, loaded, Checked(()), settings)
    subject, text, body = _parts(report, settings)
    ledger_at = text.index("- ledgers/voyages <2025>.csv")
    block = text[ledger_at : text.index("\n  - ", ledger_at + 1)]
    assert "rows in 9, loaded 6, quarantined 2, skipped 1" in block
    assert "row 4 · column containers · value -5 · rule greater_than_or_equal_to(0)" in block
    assert "row 7 · rule row_shape · 6 cells where the header has 8" in block
    quay = text[text.index("- reports/quay.md") :]
    assert "chars 120-161 · column metric · value tunnels · rule isin(catalogue)" in quay
    assert "- broken.pdf: not a PDF" in text
    assert "rows in 0, loaded 0, quarantined 0, skipped 0" in text
    # The HTML part says the same, escaped, in a table per file.
    for cell in ("row 4", "containers", "-5", "greater_than_or_equal_to(0)", "chars 120-161"):
        assert f">{escape(cell)}</td>" in body
    assert str(escape("ledgers/voyages <2025>.csv")) in body
    assert "<2025>" not in body
    assert "rows in 9, loaded 6, quarantined 2, skipped 1" in body
    assert subject.endswith(headline(report))


def test_more_rows_than_listed_are_counted(tmp_path):
    rows = tuple(RowNote(f"row {n}", "rule", "", "col", str(n)) for n in range(1, 131))
    note = FileNote("big.csv", "", rows, (130, 0, 130, 0), 400)
    report = AlertReport(
        "r", date(2026, 12, 5), "nightly", (), (), {}, {}, 400, "wh", None, row_files=[note]
    )
    _, text, _ = _parts(report, _settings(tmp_path))
    assert "row 100 · column col · value 100" in text and "row 101 ·" not in text
    assert "… and 300 more rows" in text


def test_a_failed_run_alert_says_stage_cause_and_nothing_published(tmp_path, smtp_server):
    settings = _settings(
        tmp_path, smtp_host=smtp_server.host, smtp_port=smtp_server.port, alert_to="ops@example.org"
    )

    @in_stage("load")
    def load() -> None:
        raise OSError(28, "No space left on device", "/srv/wh.duckdb.work")

    with pytest.raises(OSError) as caught:
        load()
    summary = failure_summary(RUN, caught.value)
    assert summary.failed_stage == "load"
    assert summary.message.startswith(
        "run failed in stage load: the disk is full (/srv/wh.duckdb.work); nothing was published"
    )
    said = failure_alert(RUN, summary, settings)
    assert said.headline == summary.message
    assert said.delivery == "alert sent to 1 recipient"
    (received,) = smtp_server.messages
    msg = received.parse()
    text = msg.get_body(("plain",)).get_content()
    assert f"THE RUN FAILED: {summary.message}" in text
    assert str(msg["Subject"]).endswith(summary.message)
    assert "All checks passed" not in text


def test_inner_stage_wins_and_other_errors_keep_their_words():
    @in_stage("build")
    def build() -> None:
        inner()

    @in_stage("check")
    def inner() -> None:
        raise duckdb.CatalogException("Table marts.x does not exist")

    with pytest.raises(duckdb.CatalogException) as caught:
        build()
    summary = failure_summary(RUN, caught.value)
    assert summary.message.startswith(
        "run failed in stage check: CatalogException: Table marts.x does not exist;"
    )


def test_state_folder_follows_the_warehouse(tmp_path, monkeypatch):
    monkeypatch.delenv("SUPPLYLINE_DATA_DIR", raising=False)
    monkeypatch.delenv("SUPPLYLINE_LAKE_CATALOG", raising=False)
    a = Settings(warehouse=tmp_path / "a.duckdb")
    b = Settings(warehouse=tmp_path / "b.duckdb")
    assert a.data_dir == tmp_path / "a.duckdb.d" and b.data_dir == tmp_path / "b.duckdb.d"
    assert a.outbox != b.outbox and a.hash_cache.parent != b.hash_cache.parent
    assert a.data_docs_dir != b.data_docs_dir
    monkeypatch.setenv("SUPPLYLINE_WAREHOUSE", str(tmp_path / "env.duckdb"))
    assert Settings().data_dir == tmp_path / "env.duckdb.d"
    assert state_dir_for(None, str(tmp_path / "c.ducklake")) == tmp_path / "c.ducklake.d"
    assert Settings(data_dir=tmp_path / "mine").data_dir == tmp_path / "mine"  # set: as given


def test_data_docs_keep_the_newest_runs(tmp_path):
    docs = tmp_path / "data_docs"
    for n in range(5):
        (docs / f"run-{n}").mkdir(parents=True)
        (docs / f"run-{n}" / "index.html").write_text("x")
        stamp = time.time() - 100 + n
        os.utime(docs / f"run-{n}", (stamp, stamp))
    removed = prune_data_docs(docs, 3)
    assert sorted(p.name for p in removed) == ["run-0", "run-1"]
    assert sorted(p.name for p in docs.iterdir()) == ["run-2", "run-3", "run-4"]
    assert prune_data_docs(tmp_path / "none", 3) == []


def test_freshness_is_measured_by_arrival():
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute("create table marts.documents (published date, ingested_at timestamp)")
    now = dt.datetime(2026, 12, 5, 12, 0)
    assert freshness_check(con, 7, now).status == "warn"  # nothing has ever arrived
    con.execute("insert into marts.documents values ('2019-01-01', '2026-12-04 02:00')")
    fresh = freshness_check(con, 7, now)
    assert fresh.status == "pass"  # an old report that arrived last night is news
    stale = freshness_check(con, 7, now + dt.timedelta(days=8))
    assert stale.status == "warn" and stale.sample[0]["last_arrival"].startswith("2026-12-04")
    assert isinstance(stale, CheckResult)


def test_make_clean_keeps_warehouses_their_outboxes_and_logs(tmp_path, repo):
    data = tmp_path / "data"
    keep = [
        data / "warehouse.duckdb",
        data / "warehouse.duckdb.d" / "outbox" / "20261205-run.eml",
        data / "warehouse.duckdb.d" / "logs" / "runs.log",
        data / "warehouse.duckdb.d" / "scan_hashes-abc.parquet",
    ]
    scratch = [
        data / "warehouse.duckdb.d" / "tmp" / "spill.bin",
        data / "warehouse.duckdb.d" / "dbt" / "x" / "manifest.json",
        data / "warehouse.duckdb.d" / "data_docs" / "run-1" / "index.html",
        data / "tmp" / "old.bin",
    ]
    for path in keep + scratch:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    (tmp_path / ".venv").mkdir()
    done = subprocess.run(
        ["make", "-f", str(repo / "Makefile"), "clean"], cwd=tmp_path, capture_output=True
    )
    assert done.returncode == 0, done.stderr
    assert all(p.exists() for p in keep)
    assert not any(p.exists() for p in scratch) and not (tmp_path / ".venv").exists()


def test_a_break_after_the_publish_says_the_warehouse_was_published():
    @in_stage("report")
    def report() -> None:
        raise ValueError("chart spec broken")

    with pytest.raises(ValueError) as caught:
        report()
    after = failure_summary(RUN, caught.value)
    assert after.message == (
        "run failed in stage report: ValueError: chart spec broken; "
        "the warehouse was published before it broke"
    )
    assert after.publishable
    unpublished = failure_summary(RUN, caught.value, published=False)
    assert unpublished.message.endswith(
        "; nothing was published; the warehouse is as the last good run left it"
    )
