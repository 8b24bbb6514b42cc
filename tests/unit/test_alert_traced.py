"""Mart-level check rows traced to their file and place through a real DuckDB warehouse: a
claim by character span, a table row by sheet and row, a voyage by every ledger row that lists
it; a key the warehouse no longer holds, or a row with no key, says so and is kept."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from schemas.checks import CheckResult
from supplyline.alerts import render_alert
from supplyline.run import Run, summarise
from supplyline.settings import Settings
from supplyline.stages.alert import alert_report
from supplyline.stages.check import Checked
from supplyline.stages.load import Loaded
from supplyline.traced import UNTRACED, trace_results, trace_row

RUN = Run("run-7", "nightly", dt.datetime(2026, 12, 5, 2, 0), "/srv/wh.duckdb", "/srv/inbox")


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute("create schema marts; create schema staging")
    con.execute(
        "create table marts.claims as select * from (values "
        "('d1:1', 'reports/kn23 (copy).md', 40, 96)) t(claim_id, file_name, char_start, char_end)"
    )
    con.execute(
        "create table marts.strike_events as select * from (values "
        "('ab:Log:5:0', 'strike log.xlsx', 'Log:row 5')) t(strike_id, source_file, locator)"
    )
    # One voyage listed by two ledgers: the mart's key is derived from vessel and departure.
    con.execute(
        "create table staging.stg_ledgers__shipments as select * from (values "
        "('voyages.csv', '', 3, 'v-1', 'Angara', date '2024-01-02'), "
        "('tracker.xlsx', 'Sheet1', 8, 'v-1', 'ANGARA', date '2024-01-02')) "
        "t(source_file, sheet, row_number, vessel_id, vessel, departure_date)"
    )
    yield con
    con.close()


def test_a_claim_is_traced_to_its_file_and_character_span(con):
    (t,) = trace_row(con, "reconcile: x", {"claim_id": "d1:1", "claim_low": 60.0, "quote": "q"})
    assert (t.file, t.locator, t.column, t.value) == (
        "reports/kn23 (copy).md",
        "chars 40-96",
        "claim_low",
        "60.0",
    )
    assert t.reason == "claim_id d1:1"


def test_a_table_row_and_a_merged_voyage_are_traced_to_each_row(con):
    (row,) = trace_row(con, "gx: dates", {"strike_id": "ab:Log:5:0", "event_date": "2090-04-05"})
    assert (row.file, row.locator, row.column) == ("strike log.xlsx", "Log:row 5", "event_date")
    shipment_id = con.execute("select substr(md5('v-1|' || date '2024-01-02'), 1, 16)").fetchone()[
        0
    ]
    places = trace_row(con, "dbt: x", {"shipment_id": shipment_id, "arrival_date": None})
    assert [(p.file, p.locator) for p in places] == [
        ("tracker.xlsx", "Sheet1:row 8"),
        ("voyages.csv", "row 3"),
    ]


def test_rows_that_cannot_be_traced_say_why_and_are_kept(con):
    gone = CheckResult(
        "c", "marts.claims", "dbt", "warn", 3, ({"claim_id": "zz:9", "value_low": 1},)
    )
    nokey = CheckResult("n", "marts.claims", "team", "error", 1, ({"metric": "m", "unit": "u"},))
    nomart = CheckResult("p", "marts.reported_series", "gx", "warn", 1, ({"point_id": "p1"},))
    table = CheckResult(
        "documents_fresh", "marts.documents", "sql", "warn", 1, ({"last_arrival": "x"},)
    )
    passed = CheckResult("ok", "marts.claims", "dbt", "error", 0, ({"claim_id": "d1:1"},))
    traced = trace_results(con, [gone, nokey, nomart, table, passed])
    assert [t.file for t in traced] == [UNTRACED] * 3
    assert traced[0].reason == "claim_id zz:9 is not in the warehouse"
    assert traced[1].reason == "its columns (metric, unit) hold no key that names a file"
    assert traced[1].value == "metric=m, unit=u"
    assert traced[2].reason.startswith("point_id p1 could not be looked up (CatalogException")


def test_the_alert_lists_check_rows_by_file_with_untraced_rows_last(con, tmp_path: Path):
    results = (
        CheckResult(
            "x",
            "marts.claims",
            "dbt",
            "warn",
            2,
            ({"claim_id": "zz:9"}, {"claim_id": "d1:1", "value_low": 120}),
        ),
    )
    checked = Checked(results, (), trace_results(con, results))
    settings = Settings(warehouse=tmp_path / "wh.duckdb", data_dir=tmp_path / "state")  # type: ignore[arg-type]
    summary = summarise(RUN, Loaded(), 0, results, True)
    report = alert_report(RUN, summary, Loaded(), checked, settings)
    msg = render_alert(report, settings)
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    section = text[text.index("Rows that failed or warned a check, by file (2):") :]
    assert section.index("  - reports/kn23 (copy).md") < section.index(f"  - {UNTRACED}")
    assert "chars 40-96 · column value_low · value 120 · rule dbt: x · claim_id d1:1" in section
    assert "not traced · rule dbt: x · claim_id zz:9 is not in the warehouse" in section
    assert "reports/kn23 (copy).md" in html and "claim_id zz:9 is not in the warehouse" in html
