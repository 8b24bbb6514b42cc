"""SQL models and assertions on an in-memory DuckDB with hand-made staging rows."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from supplyline.settings import REPO_ROOT
from warehouse import db, load

TEXT = "Officials said 64 voyages carried at least 15,809 containers."


@pytest.fixture
def con():
    con = db.connect()
    db.apply_ddl(con)
    load.load_reference(con, REPO_ROOT / "reference")
    now = dt.datetime(2025, 1, 1)
    con.execute(
        "insert into ops.files (path, sha256, size_bytes, format, kind, version, status, first_seen, run_id) values "
        "('a.txt', ?, 10, 'txt', 'text', 1, 'loaded', ?, 'r1'), ('b.txt', ?, 10, 'txt', 'text', 1, 'loaded', ?, 'r1'),"
        "('b.txt', ?, 10, 'txt', 'text', 2, 'loaded', ?, 'r2')",
        ["a" * 64, now, "b" * 64, now, "c" * 64, now],
    )
    for sha in ("a", "b", "c"):
        con.execute(
            "insert into raw.documents (doc_id, sha256, file_name, format, published, text, run_id, ingested_at) "
            "values (?, ?, ?, 'txt', ?, ?, 'r1', ?)",
            [sha * 16, sha * 64, "a.txt" if sha == "a" else "b.txt", dt.date(2025, 1, 1), TEXT, now],
        )
    start = TEXT.index("at least")
    for sha in ("a", "b", "c"):
        con.execute(
            "insert into staging.stg_reports__claims (doc_id, claim_seq, metric, value_low, value_high, unit, "
            "qualifier, attributed_to, quote, char_start, char_end) values (?, 0, 'containers', 15809, null, "
            "'containers', 'at_least', 'Officials', ?, ?, ?)",
            [sha * 16, "at least 15,809 containers", start, start + len("at least 15,809 containers")],
        )
    yield con
    con.close()


def test_models_build_in_dependency_order(con):
    order = [m.target for m in db.load_models()]
    assert order.index("marts.claims") < order.index("marts.metric_estimates")
    assert order.index("marts.shipments") < order.index("marts.shipments_monthly")
    db.run_models(con)
    db.build_fts_index(con)


def test_superseded_versions_leave_the_marts(con):
    db.run_models(con)
    docs = con.execute("select doc_id from marts.documents order by 1").fetchall()
    assert docs == [("a" * 16,), ("c" * 16,)]  # b.txt's first version was replaced by c
    groups = con.execute("select n_documents, n_independent_sources from marts.claim_groups").fetchall()
    assert groups == [(2, 1)]


def test_assertions_pass_then_catch_a_bad_quote(con):
    db.run_models(con)
    assert all(r.failing_count == 0 for r in db.run_assertions(con))
    con.execute("update staging.stg_reports__claims set char_start = char_start + 1")
    db.run_models(con)
    failed = {r.name: r.failing_count for r in db.run_assertions(con) if r.failing_count}
    assert failed == {"claims_quote_at_offsets": 2}


def test_shipments_merge_ledgers_and_monthly_totals(con):
    rows = pl.DataFrame({
        "sha256": ["f1", "f1", "f2"], "sheet": ["", "", "voyages"], "row_number": [1, 2, 1],
        "source_file": ["a.csv", "a.csv", "b.xlsx"], "vessel_id": ["vessel:angara", "vessel:maria", "vessel:angara"],
        "vessel": ["Angara", "Maria", "ANGARA"], "departure_port_id": ["port:rajin"] * 3,
        "departure_port": ["Najin", "Rajin", "Rason"], "departure_date": [dt.date(2024, 1, 2), dt.date(2024, 1, 9), dt.date(2024, 1, 2)],
        "arrival_port_id": ["port:dunai", "port:vostochny", "port:dunai"], "arrival_port": ["Dunay", "Vostochny", "Dunai"],
        "arrival_date": [dt.date(2024, 1, 4), dt.date(2024, 1, 11), dt.date(2024, 1, 4)],
        "containers": [100, 50, 120], "evidence": ["imagery", None, "AIS"], "source": ["T1", "T1", "T2"],
    })
    load.append_rows(con, "staging.stg_ledgers__shipments", rows)
    db.run_models(con)
    shipments = con.execute(
        "select vessel, departure_port, arrival_port, containers_low, containers_high, n_ledger_rows "
        "from marts.shipments order by departure_date"
    ).fetchall()
    assert shipments == [("Angara", "Rajin", "Dunai", 100, 120, 2), ("Maria", "Rajin", "Vostochny", 50, 50, 1)]
    monthly = con.execute("select month, voyages, voyages_to_dunai from marts.shipments_monthly").fetchall()
    assert monthly == [(dt.date(2024, 1, 1), 2, 1)]
    entity_ids = {r[0] for r in con.execute("select entity_id from marts.entities").fetchall()}
    assert {"vessel:angara", "port:rajin", "port:dunai"} <= entity_ids


def test_replace_rows_is_idempotent(con):
    frame = pl.DataFrame({"sha256": ["x"], "file_name": ["t.csv"], "sheet": [""], "row_number": [1],
                          "row_json": ['{"a": "1"}'], "run_id": ["r"]})
    for _ in range(3):
        load.replace_rows(con, "raw.table_rows", frame, ["sha256", "sheet", "row_number"])
    assert con.execute("select count(*) from raw.table_rows").fetchone() == (1,)


def test_open_bounds_on_either_side_are_different_estimates(con):
    start = TEXT.index("at least")
    con.execute(
        "insert into staging.stg_reports__claims (doc_id, claim_seq, metric, value_low, value_high, unit, "
        "qualifier, attributed_to, quote, char_start, char_end) values (?, 1, 'containers', null, 15809, "
        "'containers', 'at_most', 'Officials', ?, ?, ?)",
        ["a" * 16, "at least 15,809 containers", start, start + len("at least 15,809 containers")],
    )
    db.run_models(con)
    assert con.execute("select count(*) from marts.claim_groups").fetchone() == (2,)
    assert con.execute("select count(distinct estimate_id) from marts.metric_estimates").fetchone() == (2,)
    failing = {r.name for r in db.run_assertions(con) if r.failing_count}
    assert "metric_estimates_key_unique" not in failing


def test_only_models_that_read_what_changed_are_rebuilt(con):
    everything = db.run_models(con)
    assert "marts.shipments" in everything and "marts.claims" in everything
    # A night of reports: the shipments marts read nothing that changed.
    built = db.run_models(con, changed={"staging.stg_reports__claims"})
    assert "marts.claims" in built and "marts.claim_groups" in built
    assert "marts.shipments" not in built and "marts.shipments_monthly" not in built
    # A new ledger: shipments and what reads them, not the claims.
    built = db.run_models(con, changed={"staging.stg_ledgers__shipments"})
    assert {"marts.shipments", "marts.shipments_monthly"} <= set(built) and "marts.claims" not in built
    assert db.run_models(con, changed=set()) == []
    con.execute("drop table marts.shipments_monthly")
    assert db.run_models(con, changed=set()) == ["marts.shipments_monthly"]  # a missing mart is built
