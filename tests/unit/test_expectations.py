"""Great Expectations suites over the marts, on a warehouse file with hand-made rows.

GX is slow to import, so one module fixture runs the suites twice on one warehouse: a clean
first run, then a second run after the data went bad, compared with the first run's counts.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from schemas.checks import CheckResult, blocked_tables
from supplyline.expectations import Batches, run_expectations
from tests.warehouse_contents import build_models, fresh_warehouse, insert_document, insert_staged
from warehouse import db

D = dt.date
NOW = dt.datetime(2024, 6, 2)
A, B = "a" * 16, "b" * 16


def _stage_good(con) -> None:
    for doc_id, published in ((A, D(2024, 3, 1)), (B, D(2024, 6, 1))):
        insert_document(con, doc_id, published, NOW)
    con.executemany(
        "insert into staging.stg_reports__claims (doc_id, claim_seq, metric, value_low, value_high, "
        "unit, qualifier, supplier, recipient, period_start, period_end, quote, char_start, char_end) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'x', 0, 1)",
        [
            [
                A,
                0,
                "shipments",
                4,
                4,
                "voyages",
                "exact",
                "KP",
                "RU",
                D(2024, 1, 1),
                D(2024, 1, 31),
            ],
            [A, 1, "containers", 300, None, "containers", "at_least", None, None, None, None],
            [B, 0, "artillery_shells", 1e6, 1e6, "rounds", "approx", "KP", None, None, None],
        ],
    )
    insert_staged(
        con,
        "staging.stg_ledgers__shipments",
        "insert into staging.stg_ledgers__shipments (sha256, sheet, row_number, source_file, "
        "vessel_id, vessel, departure_date, arrival_date, containers) "
        "values ('f1', '', ?, 'ledger.csv', ?, ?, ?, ?, ?)",
        [
            [1, "vessel:angara", "Angara", D(2024, 1, 3), D(2024, 1, 5), 100],
            [2, "vessel:maria", "Maria", D(2024, 1, 10), None, None],
            [
                3,
                None,
                "Unknown Star",
                D(2024, 2, 1),
                None,
                50,
            ],  # unresolved: vessel_id null is fine
        ],
    )
    insert_staged(
        con,
        "staging.stg_tables__figures",
        "insert into staging.stg_tables__figures (sha256, sheet, row_number, source_file, metric, "
        "value_low, value_high, unit, qualifier, period_start, period_end) "
        "values ('t1', '', ?, 'table.csv', ?, ?, ?, ?, ?, ?, ?)",
        [
            [1, "troops_deployed", 11000, 11000, "persons", "approx", None, D(2024, 12, 31)],
            [2, "troops_killed", None, 1000, "persons", "at_most", D(2024, 12, 1), D(2024, 12, 31)],
            [3, "troops_wounded", 2000, 3000, "persons", "range", None, None],
        ],
    )


def _go_bad(con, path) -> None:
    """Break one rule per check, in staging where the models carry it, else in the mart."""
    con.executemany(
        "insert into staging.stg_reports__claims (doc_id, claim_seq, metric, value_low, value_high, "
        "unit, qualifier, supplier, quote, char_start, char_end) "
        "values (?, ?, ?, 1, 1, 'voyages', ?, ?, 'x', 0, 1)",
        [
            [B, 1, "bogus_metric", "exact", None],
            [B, 2, "shipments", "maybe", None],
            [B, 3, "shipments", "exact", "kp"],
        ],
    )
    insert_staged(
        con,
        "staging.stg_ledgers__shipments",
        "insert into staging.stg_ledgers__shipments (sha256, sheet, row_number, source_file, "
        "vessel_id, vessel, departure_date, containers) values ('f2', '', ?, 'bad.csv', ?, ?, ?, ?)",
        [
            [1, "vessel:angara", "Angara", D(2024, 3, 1), 200_000],
            [2, "vessel:nope", "Nope", D(2024, 3, 2), 10],
            [3, "vessel:maria", "Maria", D(1980, 3, 3), 10],
        ],
    )
    con.execute("delete from staging.stg_tables__figures_rows")
    build_models(con, path)
    con.executemany(
        "insert into marts.claims (claim_id, doc_id, claim_seq, metric, unit, qualifier) "
        "values (?, ?, 0, 'shipments', 'voyages', 'exact')",
        [["zzzz:0", "zzzz"], [f"{A}:0", A]],  # a claim without its document; a duplicate key
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    docs = tmp_path_factory.mktemp("gx_docs")
    con, path = fresh_warehouse(tmp_path_factory.getbasetemp() / "expectations", "w.duckdb")
    _stage_good(con)
    build_models(con, path)
    first = run_expectations(con, "run-1", docs, run_date=D(2024, 7, 1), freshness_days=45)
    _go_bad(con, path)
    second = run_expectations(con, "run-2", docs, run_date=D(2024, 9, 1), freshness_days=45)
    con.execute("alter table marts.shipments drop column containers")  # a model lost a column
    third = run_expectations(con, "run-3", docs, run_date=D(2024, 9, 1), freshness_days=45)
    counts = dict(
        con.execute("select run_id || ' ' || table_name, row_count from dq.mart_counts").fetchall()
    )
    con.close()
    return {"docs": docs, "first": first, "second": second, "third": third, "counts": counts}


def _by_name(rows: list[CheckResult]) -> dict[str, CheckResult]:
    return {r.name: r for r in rows}


def test_clean_marts_pass_and_docs_are_built(runs):
    first = _by_name(runs["first"])
    assert {n: r.failing_count for n, r in first.items() if r.failing_count} == {}
    assert all(r.status == "pass" and r.sample_json() is None for r in runs["first"])
    # Freshness is measured in SQL, by when reports arrived, and the rules between two marts
    # run in SQL over every row; everything else is GX.
    assert {r.check_name for r in runs["first"] if r.tool != "gx"} == {
        "sql: documents_fresh",
        "sql: claims_doc_in_documents",
        "sql: shipments_vessel_known",
    }
    # Every mart has its key checks; no volume check without a previous run.
    assert {
        "claims_key_unique",
        "shipments_key_not_null",
        "figures_key_unique",
        "claims_doc_in_documents",
        "shipments_vessel_known",
        "documents_fresh",
        "claims_metric_in_catalogue",
        "shipments_containers_in_range",
    } <= set(first)
    assert not [n for n in first if "volume" in n]
    for run_id in ("run-1", "run-2"):
        site = runs["docs"] / run_id
        assert (site / "index.html").is_file()
        assert any((site / "validations").rglob("*.html"))
    assert runs["counts"]["run-1 marts.claims"] == 3
    assert runs["counts"]["run-1 marts.figures"] == 3
    assert runs["counts"]["run-2 marts.figures"] == 0
    assert runs["counts"]["run-2 marts.claims"] == 8


def test_broken_rules_fail_with_severity_count_and_sample(runs):
    second = _by_name(runs["second"])
    failed = {n: (r.severity, r.failing_count) for n, r in second.items() if r.failing_count}
    assert failed == {
        "claims_key_unique": ("error", 2),
        "claims_doc_in_documents": ("error", 1),
        "claims_metric_in_catalogue": ("error", 1),
        "claims_qualifier_allowed": ("error", 1),
        "claims_supplier_iso2": ("error", 1),
        "shipments_containers_in_range": ("error", 1),
        "shipments_vessel_known": ("error", 1),
        "shipments_departure_date_plausible": ("warn", 1),
        "documents_fresh": ("warn", 1),
        "figures_volume_drop": ("warn", 1),
        "figures_volume_emptied": ("error", 1),
    }
    assert list(second["claims_key_unique"].sample) == [{"claim_id": f"{A}:0"}] * 2
    assert list(second["claims_doc_in_documents"].sample) == [
        {"doc_id": "zzzz", "claim_id": "zzzz:0"}
    ]
    assert list(second["claims_metric_in_catalogue"].sample) == [
        {"metric": "bogus_metric", "claim_id": f"{B}:1"}
    ]
    assert second["claims_supplier_iso2"].sample[0]["supplier"] == "kp"
    assert second["shipments_containers_in_range"].sample[0]["containers"] == 200_000
    assert second["shipments_vessel_known"].sample[0]["vessel_id"] == "vessel:nope"
    assert second["shipments_departure_date_plausible"].sample[0]["departure_date"] == "1980-03-03"


def test_freshness_and_volume_report_both_figures(runs):
    second = _by_name(runs["second"])
    fresh = second["documents_fresh"].sample[0]
    # The newest report arrived on 2 June (published 1 June); the run on 1 September wants one
    # that arrived after 18 July.
    assert fresh["last_arrival"] == "2024-06-02" and fresh["window_starts"] == "2024-07-18"
    assert fresh["max_age_days"] == 45 and second["documents_fresh"].status == "warn"
    emptied = second["figures_volume_emptied"]
    assert emptied.status == "fail"
    assert list(emptied.sample) == [
        {"observed": 0, "min_value": 1, "previous_count": 3, "previous_run_id": "run-1"}
    ]
    assert second["figures_volume_drop"].sample[0]["min_value"] == 2
    assert second["claims_volume_drop"].failing_count == 0  # grew from 3 to 8
    assert json.loads(emptied.sample_json()) == list(emptied.sample)
    assert blocked_tables(runs["second"]) == ["marts.claims", "marts.figures", "marts.shipments"]


def test_a_missing_column_fails_its_check_instead_of_crashing(runs):
    third = _by_name(runs["third"])
    res = third["shipments_containers_in_range"]
    assert res.status == "fail" and res.failing_count == 1
    assert "containers" in res.sample[0]["exception"]
    assert third["shipments_vessel_known"].failing_count == 1  # still checked on its own column
    assert runs["counts"]["run-3 marts.shipments"] == 6


def test_run_id_must_be_a_plain_folder_name(tmp_path):
    con = db.connect()
    with pytest.raises(ValueError):
        run_expectations(con, "../escape", tmp_path)
    con.close()


def test_large_marts_validate_only_unseen_rows_in_chunks(tmp_path, tmp_path_factory):
    """Above ``full_rows`` a mart is validated on rows GX has not passed before, in chunks;
    row counts move to SQL and failing counts add up across chunks."""
    con, path = fresh_warehouse(tmp_path_factory.getbasetemp() / "expectations", "large.duckdb")
    _stage_good(con)
    build_models(con, path)
    small = {
        "batches": Batches(full_rows=2, chunk_rows=2),
        "run_date": D(2024, 7, 1),
        "freshness_days": 45,
    }

    def remembered(mart: str) -> int:
        return con.execute(
            "select count(*) from dq.gx_validated where mart = ?", [mart]
        ).fetchone()[0]

    first = _by_name(run_expectations(con, "run-1", tmp_path, **small))
    assert {n for n, r in first.items() if r.failing_count} == set()
    assert remembered("claims") == 3 and remembered("shipments") == 3

    _go_bad(con, path)
    second = run_expectations(con, "run-2", tmp_path, **small)
    by_name = {r.check_name: r for r in second}
    failed = {n: r.failing_count for n, r in by_name.items() if r.failing_count}
    # Five new claim rows in chunks of two: each broken rule is counted once, and the duplicate
    # key is left to the SQL assertion (GX only sees rows it has not passed).
    assert failed["sql: claims_doc_in_documents"] == 1
    assert failed["gx: claims_metric_in_catalogue"] == 1
    assert failed["gx: claims_qualifier_allowed"] == 1
    assert failed["gx: claims_supplier_iso2"] == 1
    assert failed["gx: shipments_containers_in_range"] == 1
    # figures fell to 0 rows, under full_rows again: validated whole, its volume rules by GX
    assert failed["gx: figures_volume_emptied"] == 1
    assert "gx: claims_key_unique" not in failed
    assert by_name["sql: claims_volume_drop"].failing_count == 0
    assert not [n for n in by_name if n.startswith("gx: claims_volume")]
    # A mart that failed keeps its old set, so its rows are checked again next run.
    assert remembered("claims") == 3
    third = {
        r.check_name: r.failing_count for r in run_expectations(con, "run-3", tmp_path, **small)
    }
    assert third["gx: claims_metric_in_catalogue"] == 1
    con.close()


def test_a_large_mart_the_run_did_not_rebuild_is_not_read_again(tmp_path, tmp_path_factory):
    """Once GX passed every row of a large mart, a run that did not rebuild it gives GX no rows
    (the hash of every row is not computed again); a rebuilt mart, or one whose rows did not
    all pass, is read for its unseen rows as before."""
    con, path = fresh_warehouse(tmp_path_factory.getbasetemp() / "expectations", "unchanged.duckdb")
    _stage_good(con)
    build_models(con, path)

    def failing(run_id: str, rebuilt: set[str]) -> dict[str, int]:
        batches = Batches(full_rows=2, chunk_rows=2, rebuilt=rebuilt)
        results = run_expectations(con, run_id, tmp_path, batches=batches, run_date=D(2024, 7, 1))
        # GX's rules only: freshness is measured by arrival, which this test does not stage
        return {
            r.check_name: r.failing_count
            for r in results
            if r.failing_count and r.check_name.startswith("gx: ")
        }

    assert failing("run-1", {"marts.claims", "marts.shipments"}) == {}
    # A row GX never saw, in a mart the run says it did not build: not looked at.
    con.execute(
        "update marts.claims set metric = 'no_such_metric' where doc_id = ? and claim_seq = 0", [A]
    )
    assert failing("run-2", set()) == {}
    # The same mart rebuilt: its unseen row is read and fails.
    assert failing("run-3", {"marts.claims"}) == {"gx: claims_metric_in_catalogue": 1}
    # Its rows did not all pass, so it is read again even when the run did not rebuild it.
    assert failing("run-4", set()) == {"gx: claims_metric_in_catalogue": 1}
    con.close()


def test_a_mart_the_run_did_not_rebuild_is_not_read_again_once_clean(tmp_path, tmp_path_factory):
    """A mart of any size that GX found clean when it was built, and that the run did not
    rebuild, gives GX no rows (its row counts are then checked in SQL); a rule between two marts
    still sees every row when only the other mart changed."""
    con, path = fresh_warehouse(tmp_path_factory.getbasetemp() / "expectations", "clean.duckdb")
    _stage_good(con)
    build_models(con, path)

    def failing(run_id: str, rebuilt: set[str]) -> dict[str, int]:
        results = run_expectations(
            con, run_id, tmp_path, batches=Batches(rebuilt=rebuilt), run_date=D(2024, 7, 1)
        )
        return {
            r.check_name: r.failing_count
            for r in results
            if r.failing_count and r.check_name != "sql: documents_fresh"
        }

    everything = {f"marts.{m}" for m in ("claims", "documents", "shipments", "entities")}
    assert failing("run-1", everything) == {}
    con.execute("update marts.shipments set containers = -1 where vessel = 'Angara'")
    # Not rebuilt and clean last time: not read again (the row never came from a build).
    assert failing("run-2", {"marts.claims"}) == {}
    volume = {
        r.check_name
        for r in run_expectations(
            con, "run-3", tmp_path, batches=Batches(rebuilt=set()), run_date=D(2024, 7, 1)
        )
        if "volume" in r.check_name
    }
    assert "sql: shipments_volume_drop" in volume and "gx: shipments_volume_drop" not in volume
    # Rebuilt: read whole again.
    assert failing("run-4", {"marts.shipments"}) == {"gx: shipments_containers_in_range": 1}
    # An entity left the entities mart: the unchanged shipments that name it fail at once.
    con.execute("delete from marts.entities where entity_id = 'vessel:maria'")
    assert failing("run-5", {"marts.entities"}) == {
        "gx: shipments_containers_in_range": 1,  # not clean last time, so read again
        "sql: shipments_vessel_known": 1,
    }
    con.close()
