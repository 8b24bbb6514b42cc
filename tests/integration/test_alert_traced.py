"""Alerts that say where, for mart-level checks: a nightly run over our own strike log (one row
dated far in the future, which the marts' date check warns about) and a report whose claim the
log contradicts (a reconciliation warning). The alert's text and HTML parts name each offending
row's file as received and its place in it, read back from the run's warehouse."""

from __future__ import annotations

import email
import shutil
from email import policy

import pytest

from flows.nightly import nightly
from supplyline.settings import REPO_ROOT
from tests.warehouse_contents import query

pytestmark = pytest.mark.integration

REPORT = "desk_2024-03-31_kn23 (copy).md"
LOG = "strike log, march.csv"
BODY = "Russia has fired 60 KN-23 missiles at Ukraine since February, the prosecutor said."


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("traced-night")
    inbox = root / "inbox"
    inbox.mkdir()
    log = (REPO_ROOT / "tests" / "data" / "tables" / "strike_log.csv").read_text()
    # Data row 5 is dated 2090: past the plausible window of the marts' date check, which warns.
    assert log.count("2024-04-05,2024-04-05") == 1
    (inbox / LOG).write_text(log.replace("2024-04-05,2024-04-05", "2090-04-05,2090-04-05"))
    (inbox / REPORT).write_text(
        f"---\ntitle: Prosecutor counts missiles\noutlet: Test Desk\npublished: 2024-03-31\n"
        f"---\n{BODY}\n"
    )
    warehouse = root / "wh.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SUPPLYLINE_DATA_DIR", str(root / "data"))
        mp.delenv("SUPPLYLINE_SMTP_HOST", raising=False)
        summary = nightly(inbox=str(inbox), warehouse=str(warehouse))
    (eml,) = (root / "data" / "outbox").glob("*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    yield {
        "warehouse": warehouse,
        "summary": summary,
        "text": message.get_body(("plain",)).get_content(),
        "html": message.get_body(("html",)).get_content(),
    }
    shutil.rmtree(root, ignore_errors=True)


def _section(text: str) -> str:
    """The alert's section of check rows by file, up to the next blank line after it."""
    start = text.index("Rows that failed or warned a check, by file")
    end = text.find("\n\nLoaded this run", start)
    return text[start:end]


def test_a_future_date_in_a_strike_log_is_named_by_file_and_row(night):
    results = dict(
        query(
            night["warehouse"],
            "select check_name, status from dq.check_results where run_id = ?",
            [night["summary"]["run_id"]],
        )
    )
    assert results["gx: strike_events_event_date_plausible"] == "warn"
    section = _section(night["text"])
    # The file as received, then the row under it with the column, the value and the rule.
    file_line = f"  - {LOG}\n"
    assert file_line in section
    after = section[section.index(file_line) :]
    row = next(line for line in after.splitlines() if "strike_events_event_date_plausible" in line)
    assert row.strip().startswith("row 5 · column event_date · value 2090-04-05")


def test_a_contradicted_claim_is_named_by_file_and_character_span(night):
    (span,) = query(
        night["warehouse"],
        "select c.char_start, c.char_end, c.claim_id from marts.claims c "
        "join marts.reconciliations r using (claim_id) where r.verdict = 'disagree'",
    )
    start, end, claim_id = span
    section = _section(night["text"])
    file_line = f"  - {REPORT}\n"
    assert file_line in section
    after = section[section.index(file_line) :]
    row = next(line for line in after.splitlines() if "kn23_launches_vs_strike_log" in line)
    assert row.strip().startswith(f"chars {start}-{end} · value ")
    assert f"claim_id {claim_id}" in row and "table_high=" in row
    # The span is the claim's sentence in the document the warehouse keeps.
    (text,) = query(night["warehouse"], "select text from marts.documents")[0]
    assert "60 KN-23" in text[start:end]


def test_the_html_part_names_the_same_files_and_places(night):
    html = night["html"]
    assert "Rows that failed or warned a check, by file" in html
    assert "strike log, march.csv" in html and ">row 5<" in html
    assert "desk_2024-03-31_kn23 (copy).md" in html and ">chars " in html
