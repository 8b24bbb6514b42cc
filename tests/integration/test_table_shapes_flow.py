"""The nightly flow on our own tables in the public layouts and three short reports we wrote:
every table row loads, the new marts fill, each claims-against-tables check lands in
dq.check_results and the alert, and a rebuild gives the same warehouse."""

from __future__ import annotations

import email
import shutil
from email import policy

import pytest

from flows.nightly import nightly, rebuild
from supplyline.settings import REPO_ROOT
from tests.warehouse_contents import contents, differences, query

pytestmark = pytest.mark.integration

REPORTS = {
    "test_desk_2024-03-31_kn23.md": (
        "2024-03-31",
        "Prosecutor counts missiles",
        "Russia has fired 60 KN-23 missiles at Ukraine since February, the prosecutor said.",
    ),
    "test_desk_2024-06-01_howitzers.md": (
        "2024-06-01",
        "Howitzers for Ukraine",
        "Poland has supplied 20 howitzers to Ukraine, the ministry said.",
    ),
    "test_desk_2024-05-04_losses.md": (
        "2024-05-04",
        "Daily losses",
        "Ukraine's General Staff said Russia has lost about 472,000 troops.",
    ),
}


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("tables-night")
    inbox = root / "inbox"
    inbox.mkdir()
    for path in (REPO_ROOT / "tests" / "data" / "tables").iterdir():
        if path.suffix != ".md":
            shutil.copy(path, inbox / path.name)
    for name, (published, title, body) in REPORTS.items():
        (inbox / name).write_text(
            f"---\ntitle: {title}\noutlet: Test Desk\npublished: {published}\n---\n{body}\n"
        )
    warehouse = root / "wh.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SUPPLYLINE_DATA_DIR", str(root / "data"))
        mp.delenv("SUPPLYLINE_SMTP_HOST", raising=False)
        summary = nightly(inbox=str(inbox), warehouse=str(warehouse))
        yield {"root": root, "warehouse": warehouse, "summary": summary, "mp": mp}


def test_every_row_of_our_tables_loads_into_the_marts(night):
    wh = night["warehouse"]
    assert night["summary"]["status"] == "completed"
    files = query(
        wh,
        "select path, rows_in, rows_loaded, rows_quarantined, rows_skipped from ops.files "
        "where kind = 'table' order by path",
    )
    assert files == [
        ("daily_losses.json", 4, 4, 0, 0),
        ("strike_log.csv", 6, 6, 0, 0),
        ("weapons_by_donor.csv", 7, 7, 0, 0),
    ]
    counts = {
        t: query(wh, f"select count(*) from marts.{t}")[0][0]
        for t in ("deliveries", "strike_events", "reported_series")
    }
    assert counts == {"deliveries": 8, "strike_events": 7, "reported_series": 6}


def test_checks_on_the_new_marts_and_the_claims_against_tables(night):
    wh, run_id = night["warehouse"], night["summary"]["run_id"]
    results = dict(
        query(wh, "select check_name, status from dq.check_results where run_id = ?", [run_id])
    )
    for mart in ("deliveries", "strike_events", "reported_series", "reconciliations"):
        assert results[f"gx: {mart}_key_unique"] == "pass"
    assert results["gx: reconciliations_verdict_allowed"] == "pass"
    declared = [
        "claims_vs_ledger_voyages",
        "claims_vs_ledger_containers",
        "kn23_launches_vs_strike_log",
        "weapons_to_ukraine_vs_deliveries",
        "troop_losses_vs_daily_series",
    ]
    assert all(f"reconcile: {c}" in results for c in declared)
    verdicts = dict(query(wh, "select check_name, verdict from marts.reconciliations"))
    # 60 fired against 10 to 22 in the log; 20 from Poland as listed; about 472,000 against
    # "more than 472,000" the day before.
    assert verdicts == {
        "kn23_launches_vs_strike_log": "disagree",
        "weapons_to_ukraine_vs_deliveries": "agree",
        "troop_losses_vs_daily_series": "agree",
    }
    assert results["reconcile: kn23_launches_vs_strike_log"] == "warn"


def test_the_alert_shows_the_claims_against_tables(night):
    (eml,) = (night["root"] / "data" / "outbox").glob("*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    text = message.get_body(("plain",)).get_content()
    assert "Claims against tables" in text and "kn23_launches_vs_strike_log" in text
    assert "reconcile: kn23_launches_vs_strike_log" in text and "table_high=22" in text.replace(
        ".0", ""
    )


def test_rebuild_gives_the_same_warehouse(night):
    wh = night["warehouse"]
    before = contents(wh, extra_tables=())
    assert rebuild(warehouse=str(wh))["status"] == "completed"
    assert differences(before, contents(wh, extra_tables=())) == {}
