"""Analyst checks (dbt tests in warehouse/tests/checks), the claims-against-tables checks
declared in reference/reconciliations.yaml, and restoring a blocked mart."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from supplyline import reconciliations
from supplyline.expectations import record_mart_counts
from tests.warehouse_contents import build_models, fresh_warehouse, insert_document, insert_staged
from warehouse import dbt
from warehouse.restore import PublishedFile, restore_tables

CHECKS_DIR = dbt.PROJECT_DIR / "tests" / "checks"

D = dt.date
NOW = dt.datetime(2024, 7, 1)
DOCS = {"a" * 16: D(2024, 3, 1), "b" * 16: D(2024, 6, 1)}
A, B = "a" * 16, "b" * 16

# Ledger: 4 voyages in January 2024 (two on one day, one without a container count), 2 in
# February.
LEDGER = [
    ("vessel:angara", "Angara", D(2024, 1, 3), 100),
    ("vessel:maria", "Maria", D(2024, 1, 3), 100),
    ("vessel:angara", "Angara", D(2024, 1, 20), 100),
    ("vessel:maria", "Maria", D(2024, 1, 28), None),
    ("vessel:angara", "Angara", D(2024, 2, 5), 150),
    ("vessel:maria", "Maria", D(2024, 2, 15), 150),
]
JAN = (D(2024, 1, 1), D(2024, 1, 31))

# (doc, seq, metric, low, high, unit, qualifier, attributed_to, supplier, recipient, start, end)
GOOD_CLAIMS = [
    (A, 0, "shipments", 4, 4, "voyages", "exact", "NIS", None, None, *JAN),
    (A, 1, "containers", 300, None, "containers", "at_least", "NIS", None, None, *JAN),
    (A, 2, "containers", 200, None, "containers", "at_least", "NIS", None, None, *JAN),
    (A, 3, "shipments", 3, None, "voyages", "at_least", "NIS", None, None, *JAN),
    (A, 4, "artillery_shells", 1e6, 1e6, "rounds", "exact", "NIS", "KP", "RU", None, None),
    (B, 0, "artillery_shells", 1.5e6, 1.5e6, "rounds", "exact", "NIS", "KP", "RU", None, None),
    (B, 1, "artillery_shells", 1.2e6, None, "rounds", "at_least", "NIS", "KP", "RU", None, None),
    (B, 2, "share_of_artillery_ammo", 50, 50, "percent", "approx", "NIS", "KP", "RU", None, None),
    (B, 3, "share_of_artillery_ammo", 30, 40, "percent", "range", "NIS", "BY", "RU", None, None),
    # Period open: runs from 1 January to the published date (1 March): all 6 voyages.
    (A, 5, "shipments", 5, 7, "voyages", "range", "NIS", None, None, D(2024, 1, 1), None),
]
BAD_CLAIMS = [
    (A, 10, "shipments", 10, 10, "voyages", "exact", "NIS", None, None, *JAN),  # ledger 4
    (A, 11, "containers", 1000, None, "containers", "at_least", "NIS", None, None, *JAN),  # 300
    (A, 12, "containers", None, 100, "containers", "at_most", "NIS", None, None, *JAN),  # 300
    (A, 13, "shipments", 9, 9, "voyages", "exact", "NIS", None, None, *JAN),  # contradicts A:0
    (B, 10, "artillery_shells", 8e5, 8e5, "rounds", "exact", "NIS", "KP", "RU", None, None),
    (B, 11, "share_of_artillery_ammo", 70, 70, "percent", "approx", "NIS", "CN", "RU", None, None),
    (B, 12, "shipments", 1, 1, "voyages", "exact", "Nobody Institute", None, None, None, None),
]


def build(folder, name, claims, ledger=LEDGER, unresolved=()):
    """A warehouse with hand-made staging rows and the marts built from them (and the
    reconciliation checks' results, keyed by check name)."""
    con, path = fresh_warehouse(folder, name)
    for doc_id, published in DOCS.items():
        insert_document(con, doc_id, published, NOW)
    con.executemany(
        "insert into staging.stg_reports__claims (doc_id, claim_seq, metric, value_low, value_high, "
        "unit, qualifier, attributed_to, supplier, recipient, period_start, period_end, quote, "
        "char_start, char_end) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'x', 0, 1)",
        [list(c) for c in claims],
    )
    rows = [(vid, name, "port:rajin", "Rajin", day, n) for vid, name, day, n in ledger]
    rows += list(unresolved)
    insert_staged(
        con,
        "staging.stg_ledgers__shipments",
        "insert into staging.stg_ledgers__shipments (sha256, sheet, row_number, source_file, "
        "vessel_id, vessel, departure_port_id, departure_port, departure_date, containers) "
        "values ('f1', '', ?, 'ledger.csv', ?, ?, ?, ?, ?, ?)",
        [[i, *row] for i, row in enumerate(rows)],
    )
    built = build_models(con, path)
    checks = (*built.checks, *reconciliations.check_results(con))
    return con, {r.name: r for r in checks if r.tool == "reconcile"}, built


UNRESOLVED = [
    (None, "Ghost Ship", "port:rajin", "Rajin", D(2024, 3, 1), 10),
    (None, "ghost ship ", "port:rajin", "Rajin", D(2024, 3, 9), 10),
    ("vessel:angara", "Angara", None, "Port Nowhere", D(2024, 3, 20), 10),
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.getbasetemp() / "reconciliation"


@pytest.fixture(scope="module")
def good(folder):
    con, checks, _ = build(folder, "good.duckdb", GOOD_CLAIMS)
    con.close()
    return checks


@pytest.fixture(scope="module")
def bad(folder):
    con, checks, _ = build(folder, "bad.duckdb", GOOD_CLAIMS + BAD_CLAIMS, unresolved=UNRESOLVED)
    verdicts = con.execute(
        "select claim_id, check_name, verdict, note from marts.reconciliations"
    ).fetchall()
    con.close()
    return {**checks, "mart": {r[0]: r[1:] for r in verdicts}}


def test_every_check_passes_on_consistent_data(good):
    declared = {
        "claims_vs_ledger_voyages",
        "claims_vs_ledger_containers",
        "kn23_launches_vs_strike_log",
        "weapons_to_ukraine_vs_deliveries",
        "troop_losses_vs_daily_series",
    }
    assert set(good) == {p.stem for p in CHECKS_DIR.glob("*.sql")} | declared
    assert {name: r.failing_count for name, r in good.items() if r.failing_count} == {}
    assert all(
        r.tool == "reconcile" and r.severity == "warn" and r.status == "pass" for r in good.values()
    )


def test_headers_and_stated_tolerance_match_the_sql():
    for path in CHECKS_DIR.glob("*.sql"):
        sql = path.read_text()
        config = r"^\{\{ config\(severity='warn', meta=\{'table': '(marts|staging)\.\w+', 'tool': 'reconcile'\}\) \}\}$"
        assert re.search(config, sql, re.M), path.name
        stated = re.search(r"^-- tolerance: ([\d.]+)$", sql, re.M)
        if stated:
            assert f"select {stated.group(1)} as tolerance" in sql, path.name


def test_voyages_claimed_vs_ledger(bad):
    res = bad["claims_vs_ledger_voyages"]
    # 10 and 9 voyages claimed for January; the ledger lists 4. "At least 3" and the open-ended
    # 5-7 (January to publication: 6 voyages) hold.
    assert res.failing_count == 2 and res.status == "warn"
    assert res.table == "marts.reconciliations"
    by_claim = {row["claim_id"]: row for row in res.sample}
    assert set(by_claim) == {f"{A}:10", f"{A}:13"}
    row = by_claim[f"{A}:10"]
    assert (row["claim_low"], row["claim_high"], row["table_low"], row["table_high"]) == (
        10,
        10,
        4,
        4,
    )
    assert row["relative_difference"] == pytest.approx(-0.6) and row["verdict"] == "disagree"
    assert row["tolerance"] == pytest.approx(0.25)
    # The mart sums the ledger per day before the period join: two voyages on 3 January still
    # count as two rows.
    assert (row["table_rows"], row["table_rows_uncounted"]) == (4, 0)
    assert (row["window_start"], row["window_end"]) == ("2024-01-01", "2024-01-31")
    # Every voyages claim has a row in the mart; one without a start date cannot be placed.
    assert bad["mart"][f"{A}:0"] == ("claims_vs_ledger_voyages", "agree", None)
    assert bad["mart"][f"{A}:5"] == ("claims_vs_ledger_voyages", "agree", None)
    assert bad["mart"][f"{B}:12"] == (
        "claims_vs_ledger_voyages",
        "no overlap",
        "the claim gives no start date",
    )


def test_containers_claimed_vs_ledger_respects_open_bounds(bad):
    res = bad["claims_vs_ledger_containers"]
    by_claim = {row["claim_id"]: row for row in res.sample}
    # at least 1000 (ledger 300, far below) and at most 100 (ledger 300, far above) fail;
    # at least 200 and at least 300 hold against the same ledger figure.
    assert res.failing_count == 2 and set(by_claim) == {f"{A}:11", f"{A}:12"}
    assert by_claim[f"{A}:11"]["claim_low"] == 1000 and by_claim[f"{A}:11"]["table_low"] == 300
    assert by_claim[f"{A}:11"]["relative_difference"] == pytest.approx(-0.7)
    assert by_claim[f"{A}:12"]["claim_high"] == 100 and by_claim[f"{A}:12"]["table_low"] == 300
    assert by_claim[f"{A}:12"]["relative_difference"] == pytest.approx(2.0)
    assert (by_claim[f"{A}:12"]["table_rows"], by_claim[f"{A}:12"]["table_rows_uncounted"]) == (
        4,
        1,
    )
    assert bad["mart"][f"{A}:1"][1:] == ("agree", None)
    assert bad["mart"][f"{A}:2"][1:] == ("agree", None)


def test_running_total_that_goes_down(bad):
    res = bad["running_total_goes_down"]
    pairs = {(r["earlier_claim_id"], r["later_claim_id"]): r for r in res.sample}
    # NIS: 1,000,000 shells by 1 March, 800,000 by 1 June. And 10 voyages since 1 January as of
    # 31 January, then at most 7 since 1 January as of 1 March. "At least 1.2 million" after
    # 1.5 million is not a drop.
    assert res.failing_count == 2
    assert set(pairs) == {(f"{A}:4", f"{B}:10"), (f"{A}:10", f"{A}:5")}
    row = pairs[(f"{A}:4", f"{B}:10")]
    assert (row["earlier_figure"], row["later_figure"]) == (1e6, 8e5)
    assert (row["earlier_as_of"], row["later_as_of"]) == ("2024-03-01", "2024-06-01")
    assert row["attributed_to"] == "NIS" and row["metric"] == "artillery_shells"


def test_document_contradicting_itself(bad):
    res = bad["document_contradicts_itself"]
    pairs = {(r["first_claim_id"], r["second_claim_id"]): r for r in res.sample}
    assert res.failing_count == 8
    # Only 5 of the 8 pairs fit in the sample; the count proves the rest. Never reported:
    # "at least 3 voyages" (A:3) and "at least 300/200/1000 containers" among themselves.
    assert all(f"{A}:3" not in pair for pair in pairs)
    assert (f"{A}:0", f"{A}:10") in pairs
    row = pairs[(f"{A}:0", f"{A}:10")]
    assert (row["first_low"], row["second_low"], row["metric"]) == (4, 10, "shipments")


def test_shares_above_100(bad):
    res = bad["share_above_100"]
    assert res.failing_count == 1
    (row,) = res.sample
    # KP 50 + BY 30 (the range's lower bound) + CN 70
    assert row["source"] == "NIS" and row["total_share"] == 150 and row["n_suppliers"] == 3
    assert sorted(row["shares"]) == ["BY: 30.0", "CN: 70.0", "KP: 50.0"]


def test_unresolved_names(bad):
    ships = bad["unresolved_table_names"]
    assert ships.failing_count == 2
    assert {(r["kind"], r["name"].lower(), r["n_rows"]) for r in ships.sample} == {
        ("vessel", "ghost ship", 2),
        ("port", "port nowhere", 1),
    }
    claimants = bad["unresolved_claimants"]
    assert claimants.failing_count == 1
    assert claimants.sample[0]["name"] == "Nobody Institute"
    assert claimants.sample[0]["example_claim_ids"] == [f"{B}:12"]


def test_restore_keeps_the_published_mart_and_its_dependants(folder, tmp_path):
    last_good, _, _ = build(folder, "good.duckdb", GOOD_CLAIMS)
    last_good.execute("drop table marts.figures")  # as if the model were new this run
    last_good.close()
    published = PublishedFile(folder / "good.duckdb")

    work, _, built = build(folder, "bad.duckdb", GOOD_CLAIMS + BAD_CLAIMS, unresolved=UNRESOLVED)
    assert work.execute("select count(*) from marts.claims").fetchone()[0] == 17
    tables = dbt.with_downstream(["marts.claims"], built.graph)
    assert tables[0] == "marts.claims" and {"marts.claim_groups", "marts.metric_estimates"} <= set(
        tables
    )
    assert "marts.shipments" not in tables
    described = (
        "select comment from duckdb_columns() where table_name = 'claims' and column_name = 'quote'"
    )
    comment = work.execute(described).fetchone()[0]
    outcome = restore_tables(work, published, tables)
    assert outcome == {t: "restored" for t in tables}
    assert work.execute("select count(*) from marts.claims").fetchone()[0] == len(GOOD_CLAIMS)
    assert comment and work.execute(described).fetchone()[0] == comment  # the dictionary stays
    groups = work.execute(
        "select count(*) from marts.claim_groups where metric = 'shipments'"
    ).fetchone()[0]
    assert groups == 3  # 4, at least 3, 5-7: the bad figures left with the restored claims
    assert (
        work.execute(
            "select count(*) from duckdb_databases() where database_name like 'published%'"
        ).fetchone()[0]
        == 0
    )
    counts = record_mart_counts(work, "run-x")  # what gets published, for the next volume check
    assert counts["marts.claims"] == len(GOOD_CLAIMS)
    assert work.execute(
        "select row_count from dq.mart_counts where run_id = 'run-x' "
        "and table_name = 'marts.claims'"
    ).fetchone()[0] == len(GOOD_CLAIMS)
    # A mart the published warehouse lacks is emptied; names outside marts are refused.
    work.execute("insert into marts.figures (figure_id, metric) values ('f:1', 'money')")
    assert restore_tables(work, published, ["marts.figures"]) == {"marts.figures": "emptied"}
    assert work.execute("select count(*) from marts.figures").fetchone()[0] == 0
    assert restore_tables(work, published, ["marts.nothing"]) == {"marts.nothing": "missing"}
    # First run: nothing published yet, so a blocked mart is emptied.
    assert restore_tables(work, PublishedFile(tmp_path / "none.duckdb"), ["marts.shipments"]) == {
        "marts.shipments": "emptied"
    }
    assert work.execute("select count(*) from marts.shipments").fetchone()[0] == 0
    with pytest.raises(ValueError):
        restore_tables(work, published, ["staging.stg_reports__claims"])
    work.close()
