"""The whole nightly flow on the bundled sample inbox, with a temporary warehouse."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml
from typer.testing import CliRunner

from flows.nightly import nightly
from supplyline.cli import app
from supplyline.settings import REPO_ROOT
from tests.scoring import score_claims
from tests.warehouse_contents import query

DATA_TABLES = [
    "raw.documents",
    "raw.table_rows",
    "staging.stg_reports__claims",
    "staging.stg_reports__entity_mentions",
    "staging.stg_ledgers__shipments",
    "staging.stg_tables__figures",
    "marts.documents",
    "marts.claims",
    "marts.claim_groups",
    "marts.metric_estimates",
    "marts.entities",
    "marts.shipments",
    "marts.shipments_monthly",
    "marts.figures",
    "ops.files",
    "dq.quarantine",
]


def snapshot(path: Path) -> dict[str, list]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"select * from {t} order by all").fetchall() for t in DATA_TABLES}
    finally:
        con.close()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, sample_inbox):
    root = tmp_path_factory.mktemp("nightly")
    inbox = root / "inbox"
    shutil.copytree(sample_inbox, inbox)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SUPPLYLINE_DATA_DIR", str(root / "data"))
        mp.delenv("SUPPLYLINE_SMTP_HOST", raising=False)
        first = nightly(inbox=str(inbox), warehouse=str(root / "wh.duckdb"))
        yield {
            "root": root,
            "inbox": inbox,
            "warehouse": root / "wh.duckdb",
            "first": first,
            "mp": mp,
        }


def test_first_run_loads_every_sample_file(workspace, sample_inbox):
    first, wh = workspace["first"], workspace["warehouse"]
    n_files = len(list(sample_inbox.iterdir()))
    assert first["status"] == "completed"
    assert first["files_new"] == n_files and first["files_failed"] == 0
    statuses = query(wh, "select status, count(*) from ops.files group by 1")
    assert statuses == [("loaded", n_files)]
    n_text = sum(1 for p in sample_inbox.iterdir() if p.suffix in {".md", ".txt", ".html", ".pdf"})
    assert query(wh, "select count(*) from marts.documents") == [(n_text,)]
    assert first["claims_loaded"] > 0 and first["entities_loaded"] > 0


def test_shipment_ledgers_merge_to_the_64_voyages(workspace):
    wh = workspace["warehouse"]
    assert query(wh, "select count(*) from marts.shipments") == [(64,)]
    csv_total = query(
        wh,
        "select count(*), sum(containers) from staging.stg_ledgers__shipments "
        "where source_file = 'voyages_tracker.csv'",
    )
    assert csv_total == [(64, 15809)]
    assert query(
        wh, "select voyages from marts.shipments_monthly where month = date '2024-01-01'"
    ) == [(7,)]
    assert query(wh, "select max(voyages) from marts.shipments_monthly") == [(7,)]
    # The second tracker's rows join the same voyages; where they disagree both figures remain.
    conflicts = query(
        wh, "select count(*) from marts.shipments where containers_low < containers_high"
    )
    assert conflicts[0][0] >= 1
    unresolved = query(wh, "select count(*) from marts.shipments where vessel_id is null")
    assert unresolved == [(0,)]


def test_every_table_row_is_accounted_for(workspace):
    rows = query(
        workspace["warehouse"],
        "select path, rows_in, rows_loaded, rows_quarantined, rows_skipped from ops.files "
        "where kind = 'table'",
    )
    assert len(rows) == 4
    for path, rows_in, loaded, quarantined, skipped in rows:
        assert rows_in == loaded + quarantined + skipped, path
        assert rows_in > 0
    raw = dict(
        query(
            workspace["warehouse"], "select file_name, count(*) from raw.received_rows group by 1"
        )
    )
    assert raw == {path: rows_in for path, rows_in, *_ in rows}


def test_claims_match_our_sample_gold(workspace, data_dir):
    wh = workspace["warehouse"]
    gold = [
        json.loads(line)
        for line in (data_dir / "sample_gold.jsonl").read_text().splitlines()
        if line.strip()
    ]
    cols = ["file_name", "metric", "value_low", "value_high", "attributed_to", "unit"]
    preds = [
        dict(zip(cols, r, strict=True))
        for r in query(wh, f"select {', '.join(cols)} from marts.claims")
    ]
    scores = score_claims(gold, preds)
    assert scores["f1"] >= 0.8, scores
    assert scores["bounds_accuracy"] >= 0.8, scores


def test_estimate_sources_are_whole_names_or_outlets(workspace, sample_inbox):
    wh = workspace["warehouse"]
    sources = [s for (s,) in query(wh, "select distinct source from marts.metric_estimates")]
    files = {p.name for p in sample_inbox.iterdir()}
    assert sources and not set(sources) & files, sources  # never a file name
    assert not set(sources) & {"Seoul", "Western", "Satellite", "Buryatia"}, (
        sources
    )  # never a fragment
    own = query(wh, "select distinct source from marts.metric_estimates where outlet_own_figure")
    kinds = query(
        wh, "select distinct claimant, claimant_kind from marts.claims where attributed_to is null"
    )
    assert own and all(kind == "outlet" and name for name, kind in kinds), kinds
    assert {s for (s,) in own} <= {name for name, _kind in kinds} | {
        o for (o,) in query(wh, "select outlet from marts.documents where outlet is not null")
    }


def test_quotes_sit_at_their_offsets(workspace):
    bad = query(
        workspace["warehouse"],
        "select count(*) from marts.claims c join marts.documents d using (doc_id) "
        "where substring(d.text, c.char_start + 1, c.char_end - c.char_start) <> c.quote",
    )
    assert bad == [(0,)]


def test_checks_recorded_and_fts_works(workspace):
    wh = workspace["warehouse"]
    failed = query(wh, "select check_name from dq.check_results where status = 'fail'")
    assert failed == []
    # dbt ran every key test and SQL assertion, and the analyst checks, with the models; each
    # declared claims-against-tables check reported too.
    assert query(wh, "select count(*) from dq.check_results where tool = 'dbt'")[0][0] >= 20
    analyst = {p.stem for p in (REPO_ROOT / "warehouse" / "tests" / "checks").glob("*.sql")}
    declared = {
        c["check"]
        for c in yaml.safe_load((REPO_ROOT / "reference" / "reconciliations.yaml").read_text())
    }
    reconcile = query(wh, "select check_name from dq.check_results where tool = 'reconcile'")
    assert sorted(name for (name,) in reconcile) == sorted(
        f"reconcile: {n}" for n in analyst | declared
    )
    comments = query(
        wh, "select count(*), count(comment) from duckdb_columns() where schema_name = 'marts'"
    )
    assert comments[0][0] == comments[0][1] > 80  # every mart column is described in the warehouse
    con = duckdb.connect(str(wh), read_only=True)
    from warehouse.db import extension_path

    con.execute(f"load '{extension_path('fts')}'")
    hits = con.execute(
        "select file_name from (select *, fts_marts_documents.match_bm25(doc_id, 'voyages') "
        "as score from marts.documents) where score is not null"
    ).fetchall()
    con.close()
    assert hits


def test_second_run_changes_nothing(workspace):
    wh = workspace["warehouse"]
    before = snapshot(wh)
    second = nightly(inbox=str(workspace["inbox"]), warehouse=str(wh))
    assert second["files_new"] == 0 and second["claims_loaded"] == 0
    assert second["files_unchanged"] == len(list(workspace["inbox"].iterdir()))
    assert snapshot(wh) == before
    assert query(wh, "select count(*) from ops.runs") == [(2,)]
    # Nothing new: no GX run (no Data Docs for this run), only the date-dependent checks in SQL.
    checks = query(
        wh,
        "select check_name from dq.check_results where run_id = ? order by 1",
        [second["run_id"]],
    )
    assert ("sql: documents_fresh",) in checks and not [c for (c,) in checks if c.startswith("gx:")]
    # ...and no model was built: dbt did not run, so none of its tests did.
    assert not [c for (c,) in checks if c.startswith(("dbt:", "reconcile:"))]
    data_docs = Path(workspace["root"]) / "data" / "data_docs"
    assert (
        not (data_docs / second["run_id"]).exists()
        and (data_docs / workspace["first"]["run_id"]).exists()
    )


def test_sql_command_reads_the_warehouse(workspace):
    result = CliRunner().invoke(
        app,
        [
            "sql",
            "select metric, count(*) as n from marts.claims group by 1 order by 1",
            "--warehouse",
            str(workspace["warehouse"]),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {"metric", "n"} == set(rows[0]) and sum(r["n"] for r in rows) > 10
    bad = CliRunner().invoke(
        app, ["sql", "select * from nowhere", "--warehouse", str(workspace["warehouse"])]
    )
    assert bad.exit_code == 1


def test_changed_file_is_a_new_version_and_copies_are_duplicates(workspace):
    inbox, wh = workspace["inbox"], workspace["warehouse"]
    target = inbox / "korea_wire_2025-03-05_nis_casualties.txt"
    original_doc = query(
        wh, "select doc_id from marts.documents where file_name = ?", [target.name]
    )[0][0]
    copied = inbox / "pacific_desk_2025-05-12_workers.txt"
    (inbox / "copy of pacific desk.txt").write_bytes(copied.read_bytes())
    target.write_text(
        target.read_text() + "\nA correction: officials later said 5,000 troops were wounded.\n"
    )
    third = nightly(inbox=str(inbox), warehouse=str(wh))
    assert third["files_new"] == 1 and third["files_duplicate"] == 1
    versions = query(
        wh, "select version, status from ops.files where path = ? order by version", [target.name]
    )
    assert versions == [(1, "loaded"), (2, "loaded")]
    current = query(wh, "select doc_id from marts.documents where file_name = ?", [target.name])
    assert current and current[0][0] != original_doc
    assert query(wh, "select count(*) from marts.claims where doc_id = ?", [original_doc]) == [(0,)]
    dup = query(
        wh, "select status, duplicate_of from ops.files where path = 'copy of pacific desk.txt'"
    )
    assert dup == [("duplicate", copied.name)]
    # A night of reports rebuilds what reads the ledger of files, not the shipment marts.
    tested = {
        c
        for (c,) in query(
            wh,
            "select table_name from dq.check_results where run_id = ? and tool = 'dbt'",
            [third["run_id"]],
        )
    }
    assert "marts.claims" in tested and not {"marts.shipments", "marts.shipments_monthly"} & tested


def test_interactive_shell_and_status(workspace):
    wh = str(workspace["warehouse"])
    shell = CliRunner().invoke(
        app,
        ["sql", "--warehouse", wh, "--format", "csv"],
        input="select count(*) as n_docs\nfrom marts.documents;\nselect nope;\n",
    )
    assert shell.exit_code == 0, shell.output
    assert (
        "n_docs" in shell.output and "error:" in shell.output
    )  # a bad statement does not end the shell
    status = CliRunner().invoke(app, ["status", "--warehouse", wh])
    assert status.exit_code == 0, status.output
    assert "marts.claims:" in status.output and "completed" in status.output
    # Read-only: an analyst's write is refused and the warehouse is untouched.
    write = CliRunner().invoke(app, ["sql", "delete from marts.claims", "--warehouse", wh])
    assert write.exit_code == 1 and "read-only" in write.output.lower()


def test_no_database_instance_of_the_run_outlives_it(workspace):
    """dbt shares the run's DuckDB instance; it must be gone after the publish, or the next run
    in this process would be handed the old instance for its fresh working copy."""
    work = Path(str(workspace["warehouse"]) + ".work")
    assert not work.exists()
    con = duckdb.connect(str(work))
    try:
        assert con.execute("select count(*) from duckdb_tables()").fetchone() == (0,)
    finally:
        con.close()
        work.unlink(missing_ok=True)
