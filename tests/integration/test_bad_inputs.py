"""One nightly run over an inbox that mixes sample files with the bad-input corpus.

The run uses a real aiosmtpd server on loopback. Each corpus case is checked as its own test
against ``ops.files``, ``raw.*`` and ``dq.quarantine``; the alert email is checked once for every
failed file and every failed or warned check. A second run over the same inbox must add nothing
and send no second alert: a failed file is recorded once under its content hash and is not
retried until its content changes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest
from markupsafe import escape
from typer.testing import CliRunner

from flows.nightly import RunFailed, nightly
from supplyline.cli import app
from tests.bad_inputs import (
    CASES,
    MAX_FILE_MB,
    OUTSIDE_MARKER,
    SCRIPT_MARKER,
    Case,
    build_corpus,
    duplicate_of_sample,
)
from tests.smtp_fixture import SmtpServer, running_server
from tests.warehouse_contents import query

SAMPLE_TEXTS = [
    "korea_wire_2025-03-05_nis_casualties.txt",
    "harbour_watch_2024-02-08_january_peak.md",
    "frontline_bulletin_2025-01-24_kursk_losses.html",
]
SAMPLE_TABLES = ["voyages_tracker.csv", "troops_casualties.json"]
RECIPIENTS = ["ops-desk@example.org", "analyst@example.net"]
ALL_CASES = [*CASES, duplicate_of_sample(SAMPLE_TEXTS[0])]
FAILED = [c for c in ALL_CASES if c.status == "failed"]


def _one_line(value: str) -> str:
    """How the alert shows a file name: control characters become one space."""
    return re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+", " ", value).strip()


def snapshot_inputs(folder: Path) -> dict[str, object]:
    """Every entry under ``folder`` without following links: bytes, link targets, fifos."""
    found: dict[str, object] = {}
    for root, dirs, names in os.walk(folder, followlinks=False):
        for name in [*dirs, *names]:
            path = Path(root) / name
            mode = path.lstat().st_mode
            key = path.relative_to(folder).as_posix()
            if stat.S_ISLNK(mode):
                found[key] = ("link", os.readlink(path))
            elif stat.S_ISREG(mode):
                found[key] = ("file", path.read_bytes())
            elif stat.S_ISFIFO(mode):
                found[key] = ("fifo",)
            else:
                found[key] = ("dir",)
    return found


@dataclass
class Run:
    root: Path
    inbox: Path
    outside: Path
    warehouse: Path
    smtp: SmtpServer
    summary: dict
    before: dict[str, object]
    outside_before: dict[str, object]
    mp: pytest.MonkeyPatch

    def q(self, sql: str, params: list | None = None) -> list[tuple]:
        return query(self.warehouse, sql, params)

    @property
    def email(self) -> EmailMessage:
        assert len(self.smtp.messages) >= 1, "no alert email received"
        return self.smtp.messages[0].parse()

    def parts(self) -> tuple[str, str]:
        msg = self.email
        text = msg.get_body(("plain",)).get_content()
        body = msg.get_body(("html",)).get_content()
        return text, body


@pytest.fixture(scope="module")
def run(tmp_path_factory, sample_inbox) -> Run:
    root = tmp_path_factory.mktemp("bad_inputs")
    inbox, outside = root / "inbox", root / "outside"
    inbox.mkdir()
    for name in [*SAMPLE_TEXTS, *SAMPLE_TABLES]:
        shutil.copy2(sample_inbox / name, inbox / name)
    build_corpus(inbox, outside, ALL_CASES)
    before, outside_before = snapshot_inputs(inbox), snapshot_inputs(outside)
    with running_server() as smtp, pytest.MonkeyPatch.context() as mp:
        for var in (
            "SUPPLYLINE_SMTP_USER",
            "SUPPLYLINE_SMTP_PASSWORD",
            "SUPPLYLINE_SMTP_CREDENTIALS_BLOCK",
            "SUPPLYLINE_SMTP_TLS",
            "SUPPLYLINE_ALERT_ALWAYS",
        ):
            mp.delenv(var, raising=False)
        mp.setenv("SUPPLYLINE_SMTP_HOST", smtp.host)
        mp.setenv("SUPPLYLINE_SMTP_PORT", str(smtp.port))
        mp.setenv("SUPPLYLINE_ALERT_TO", ", ".join(RECIPIENTS))
        mp.setenv("SUPPLYLINE_DATA_DIR", str(root / "data"))
        mp.setenv("SUPPLYLINE_MAX_FILE_MB", str(MAX_FILE_MB))
        try:
            summary = nightly(inbox=str(inbox), warehouse=str(root / "wh.duckdb"))
        except RunFailed as exc:  # the tests below then say what failed
            summary = exc.summary.as_dict()
        yield Run(
            root, inbox, outside, root / "wh.duckdb", smtp, summary, before, outside_before, mp
        )


def _params(cases: list[Case]) -> list:
    return [
        pytest.param(
            c, id=c.kind, marks=[pytest.mark.xfail(reason=c.xfail, strict=True)] if c.xfail else []
        )
        for c in cases
    ]


def test_corpus_has_at_least_25_kinds():
    kinds = [c.kind for c in ALL_CASES]
    assert len(set(kinds)) == len(kinds) >= 25
    assert {c.status for c in ALL_CASES} == {"loaded", "failed", "skipped", "duplicate"}


def test_run_completes_with_expected_counts(run):
    s = run.summary
    assert s["status"] == "completed", s["message"]
    assert s["files_failed"] == len(FAILED)
    assert s["files_skipped"] == sum(c.status == "skipped" for c in ALL_CASES)
    assert s["files_duplicate"] == sum(c.status == "duplicate" for c in ALL_CASES)
    assert sorted(p for p, _ in s["failed_files"]) == sorted(c.name for c in FAILED)
    assert s["alert"].startswith("alert sent to 2 recipients"), s["alert"]


def test_every_inbox_entry_has_exactly_one_ops_row(run):
    expected = sorted([c.name for c in ALL_CASES] + SAMPLE_TEXTS + SAMPLE_TABLES)
    assert sorted(p for (p,) in run.q("select path from ops.files")) == expected


@pytest.mark.parametrize("case", _params(ALL_CASES))
def test_case_outcome(run, case: Case):
    rows = run.q(
        "select status, error, note, rows_in, rows_loaded, rows_quarantined, rows_skipped, "
        "duplicate_of from ops.files where path = ?",
        [case.name],
    )
    assert len(rows) == 1, rows
    status, error, note, *counts, duplicate_of = rows[0]
    assert status == case.status, (error, note)
    if case.status in ("failed", "skipped"):
        assert error and case.reason in error
    elif case.reason:
        assert case.reason in (note or ""), note
    if case.status == "failed":
        parse_rows = run.q(
            "select stage, reason from dq.quarantine where source_file = ?", [case.name]
        )
        assert parse_rows == [("ingest", error)]
    if case.duplicate_of:
        assert duplicate_of == case.duplicate_of
    _check_rows_accounted(run, case, tuple(counts))
    if case.rows_quarantined or case.quarantine_reasons:
        _check_quarantined_rows(run, case)
    if case.check:
        sql, expected = case.check
        params = [SCRIPT_MARKER] if "?||" in sql else [case.name] * sql.count("?")
        assert run.q(sql, params) == expected


def _check_rows_accounted(run: Run, case: Case, counts: tuple) -> None:
    """A table's rows add up and all reached raw.table_rows, but for those quarantined at ingest
    for their shape; a document is one row."""
    rows_in, loaded, quarantined, skipped = counts
    if case.is_table:
        assert counts == (case.rows_in, case.rows_loaded, case.rows_quarantined, case.rows_skipped)
        assert rows_in == loaded + quarantined + skipped
        misfits = run.q(
            "select count(*) from dq.quarantine where source_file = ? and stage = 'ingest' "
            "and locator is not null",
            [case.name],
        )[0][0]
        assert run.q("select count(*) from raw.received_rows where file_name = ?", [case.name]) == [
            (rows_in - misfits,)
        ]
    elif case.status == "loaded":
        assert (rows_in, loaded) == (1, 1)
        assert run.q("select count(*) from raw.documents where file_name = ?", [case.name]) == [
            (1,)
        ]


def _check_quarantined_rows(run: Run, case: Case) -> None:
    """Each quarantined row names its row, check and reason, and keeps the row as received."""
    bad = run.q(
        "select stage, locator, check_name, reason, original_row from dq.quarantine "
        "where source_file = ? and locator is not null",
        [case.name],
    )
    assert len(bad) == case.rows_quarantined
    for stage, locator, check_name, reason, original in bad:
        assert re.fullmatch(r"(?:[^:]+:)?row \d+", locator) and check_name and reason
        row_number = int(locator.rsplit(" ", 1)[1])
        raw = run.q(
            "select row_json from raw.received_rows where file_name = ? and row_number = ?",
            [case.name, row_number],
        )
        if stage == "normalise":  # a row read but refused: its cells as raw.table_rows holds them
            assert json.loads(original) == json.loads(raw[0][0])
        else:  # a row that did not fit its header: its own cells, and no raw row
            assert stage == "ingest" and raw == [] and isinstance(json.loads(original), list)
    reasons = " | ".join(r for _, _, _, r, _ in bad)
    for expected in case.quarantine_reasons:
        assert expected in reasons, reasons


def test_good_sample_files_load(run):
    for name in SAMPLE_TEXTS:
        assert run.q("select status from ops.files where path = ?", [name]) == [("loaded",)]
        assert run.q("select count(*) from marts.claims where file_name = ?", [name])[0][0] > 0, (
            name
        )
    for name in SAMPLE_TABLES:
        rows_in, loaded = run.q(
            "select rows_in, rows_loaded from ops.files where path = ?", [name]
        )[0]
        assert rows_in == loaded > 0, name


def test_every_table_row_is_accounted_for(run):
    files = run.q(
        "select path, rows_in, rows_loaded, rows_quarantined, rows_skipped from ops.files "
        "where kind = 'table' and status = 'loaded'"
    )
    assert len(files) >= 20
    raw = dict(run.q("select file_name, count(*) from raw.received_rows group by 1"))
    quarantined = dict(
        run.q(
            "select source_file, count(*) from dq.quarantine where locator is not null group by 1"
        )
    )
    misfits = dict(
        run.q(
            "select source_file, count(*) from dq.quarantine where stage = 'ingest' "
            "and locator is not null group by 1"
        )
    )
    for path, rows_in, loaded, n_quarantined, skipped in files:
        assert rows_in == loaded + n_quarantined + skipped, path
        assert raw.get(path, 0) + misfits.get(path, 0) == rows_in, path
        assert quarantined.get(path, 0) == n_quarantined, path


def test_nothing_outside_the_inbox_is_read(run):
    assert run.q(
        "select count(*) from raw.documents where text like ?", [f"%{OUTSIDE_MARKER[:20]}%"]
    ) == [(0,)]
    assert run.q(
        "select count(*) from raw.received_rows where row_json like ?", [f"%{OUTSIDE_MARKER[:20]}%"]
    ) == [(0,)]
    assert run.q("select count(*) from ops.files where path like '%inside_link%'") == [(0,)]


def test_input_files_are_unchanged(run):
    assert snapshot_inputs(run.inbox) == run.before
    assert snapshot_inputs(run.outside) == run.outside_before


# --------------------------------------------------------------------------- the alert email


def test_exactly_one_alert_to_both_recipients(run):
    assert len(run.smtp.messages) == 1
    received = run.smtp.messages[0]
    assert sorted(received.rcpt_tos) == sorted(RECIPIENTS)
    msg = run.email
    for header in ("Subject", "From", "To", "Message-ID"):
        assert "\n" not in str(msg[header]) and "\r" not in str(msg[header])
    assert not msg.defects


def test_alert_subject_counts_failed_files_and_checks(run):
    subject = str(run.email["Subject"])
    assert f"{len(FAILED)} files failed" in subject
    n_quarantined = run.q("select count(*) from dq.quarantine")[0][0]
    assert f"{n_quarantined} rows quarantined" in subject
    warned = run.q("select count(*) from dq.check_results where status = 'warn'")[0][0]
    assert warned > 0 and f"{warned} checks warned" in subject


@pytest.mark.parametrize("case", _params(FAILED))
def test_alert_names_failed_file_and_reason(run, case: Case):
    text, body = run.parts()
    (error,) = run.q("select error from ops.files where path = ?", [case.name])[0]
    shown = _one_line(case.name)
    assert f"- {shown}: {_one_line(error)[:80]}" in text
    assert f">{escape(shown)}</td>" in body
    assert escape(_one_line(error)[:80]) in body


def test_file_names_are_escaped_in_html(run):
    _, body = run.parts()
    assert "&lt;b&gt;bold &amp; co.txt" in body
    assert "<b>bold" not in body
    text, _ = run.parts()
    assert "- line break.txt: binary content" in text


def test_alert_names_every_failed_or_warned_check(run):
    text, body = run.parts()
    problems = run.q(
        "select distinct check_name, table_name from dq.check_results where status in ('fail', 'warn')"
    )
    assert problems
    for check, table in problems:
        assert check in text and table in text
        assert escape(check) in body


def test_alert_names_skipped_and_unreadable_table_files(run):
    text, _ = run.parts()
    quiet = [c for c in ALL_CASES if c.status == "skipped" or (c.rows_skipped or 0) > 0]
    assert quiet
    for case in quiet:
        assert _one_line(case.name) in text, case.name


def _file_block(text: str, path: str) -> str:
    """The alert text's lines for one file: its line and the indented lines under it."""
    start = text.index(f"\n  - {_one_line(path)}")
    end = min(
        (i for i in (text.find("\n  - ", start + 1), text.find("\n\n", start + 1)) if i >= 0),
        default=len(text),
    )
    return text[start:end]


def test_alert_names_every_bad_file_and_every_quarantined_row_by_file_and_row(run):
    text, body = run.parts()
    bad_files = run.q(
        "select path, rows_in, rows_loaded, rows_quarantined, rows_skipped, kind from ops.files "
        "where status in ('failed', 'skipped') or rows_quarantined > 0 or rows_skipped > 0"
    )
    assert len(bad_files) >= len(FAILED)
    for path, *counts, kind in bad_files:
        block = _file_block(text, path)
        if kind == "table":
            shown = [n or 0 for n in counts]  # a file that failed has no counts: all 0
            assert "rows in {}, loaded {}, quarantined {}, skipped {}".format(*shown) in block
    rows = run.q(
        "select source_file, locator, check_name, offending_values from dq.quarantine "
        "where locator is not null"
    )
    assert len(rows) >= 5
    for path, locator, check, offending in rows:
        block = _file_block(text, path)
        line = next((ln for ln in block.splitlines() if ln.startswith(f"      {locator} ·")), None)
        assert line is not None, (path, locator, block)
        assert f"rule {check.partition(': ')[2] or check}" in line
        if offending and ": " in check:
            assert f"column {check.partition(': ')[0]}" in line
        assert f">{escape(locator)}</td>" in body


def test_cli_summary_says_what_the_email_says(run):
    subject = str(run.email["Subject"])
    assert run.summary["problems"] and subject.endswith(": " + run.summary["problems"])
    warned = run.q(
        "select count(*) from dq.check_results where status = 'warn' and run_id = ?",
        [run.summary["run_id"]],
    )[0][0]
    assert run.summary["checks_warned"] == warned > 0
    status = CliRunner().invoke(app, ["status", "--json", "--warehouse", str(run.warehouse)])
    (latest,) = [
        r for r in json.loads(status.stdout)["recent_runs"] if r["run_id"] == run.summary["run_id"]
    ]
    assert latest["checks_warned"] == warned and latest["rows_quarantined"] > 0


# --------------------------------------------------------------------------- second run (keep last)


def test_second_run_adds_nothing_and_reports_no_failure_again(run):
    files_before = run.q("select * from ops.files order by all")
    quarantine_before = run.q("select count(*) from dq.quarantine")
    second = nightly(inbox=str(run.inbox), warehouse=str(run.warehouse))
    assert second["status"] == "completed"
    assert second["files_new"] == 0 and second["files_failed"] == 0 and second["failed_files"] == []
    assert second["files_unchanged"] == len(ALL_CASES) + len(SAMPLE_TEXTS) + len(SAMPLE_TABLES)
    assert run.q("select * from ops.files order by all") == files_before
    assert run.q("select count(*) from dq.quarantine") == quarantine_before
    # Warn-level checks (stale data, volume) still alert every night; files that failed on the
    # first night are not reported again because nothing new happened to them.
    assert len(run.smtp.messages) <= 2
    for later in run.smtp.messages[1:]:
        text = later.parse().get_body(("plain",)).get_content()
        assert "Files that could not be read" not in text
        assert all(_one_line(c.name) not in text for c in FAILED)
    assert run.q("select count(*) from ops.runs") == [(2,)]
    assert snapshot_inputs(run.inbox) == run.before
