"""The dbt project (SQL models, seeds and tests) on a warehouse file with hand-made staging rows."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import polars as pl
import pytest
from typer.testing import CliRunner

from schemas.checks import blocked_tables
from supplyline.cli import app
from supplyline.settings import REPO_ROOT
from tests.warehouse_contents import build_models, fresh_warehouse, stage_frame
from warehouse import db, dbt, load

TEXT = "Officials said 64 voyages carried at least 15,809 containers."
# The claims and what reads them; the reconciliations set claims against the tables.
CLAIMS_LINEAGE = {
    "marts.claims",
    "marts.claim_groups",
    "marts.metric_estimates",
    "marts.reconciliations",
}


@pytest.fixture
def wh(tmp_path_factory):
    con, path = fresh_warehouse(tmp_path_factory.getbasetemp() / "sql_models", "w.duckdb")
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
            [
                sha * 16,
                sha * 64,
                "a.txt" if sha == "a" else "b.txt",
                dt.date(2025, 1, 1),
                TEXT,
                now,
            ],
        )
    start = TEXT.index("at least")
    for sha in ("a", "b", "c"):
        con.execute(
            "insert into staging.stg_reports__claims (doc_id, claim_seq, metric, value_low, value_high, unit, "
            "qualifier, attributed_to, quote, char_start, char_end) values (?, 0, 'containers', 15809, null, "
            "'containers', 'at_least', 'Officials', ?, ?, ?)",
            [
                sha * 16,
                "at least 15,809 containers",
                start,
                start + len("at least 15,809 containers"),
            ],
        )
    yield con, path
    con.close()


def failing(built: dbt.Built) -> dict[str, int]:
    """Error-level results that found rows (the claimant "Officials" is only a warning)."""
    return {c.name: c.failing_count for c in built.checks if c.status == "fail"}


def test_superseded_versions_leave_the_marts_and_every_test_passes(wh):
    con, path = wh
    built = build_models(con, path)
    assert {"marts.documents", "marts.claims", "ref.aliases", "ref.metrics"} <= set(built.models)
    assert failing(built) == {}
    assert len(built.checks) >= 20  # every key test, assertion and reconciliation check ran
    docs = con.execute("select doc_id from marts.documents order by 1").fetchall()
    assert docs == [("a" * 16,), ("c" * 16,)]  # b.txt's first version was replaced by c
    groups = con.execute(
        "select n_documents, n_independent_sources from marts.claim_groups"
    ).fetchall()
    assert groups == [(2, 1)]
    db.build_fts_index(con)


def test_every_mart_column_is_described_in_the_warehouse(wh):
    """The YAML descriptions reach the warehouse as comments: the data dictionary."""
    con, path = wh
    build_models(con, path)
    undescribed = con.execute(
        "select table_name, column_name from duckdb_columns() where schema_name = 'marts' "
        "and coalesce(comment, '') = ''"
    ).fetchall()
    assert undescribed == []
    tables = con.execute(
        "select table_name, comment from duckdb_tables() where schema_name = 'marts'"
    ).fetchall()
    models = {p.stem for p in (REPO_ROOT / "warehouse" / "models" / "marts").glob("*.sql")}
    assert {name for name, _ in tables} == models
    assert all("Key:" in comment for _, comment in tables)


def test_a_bad_quote_fails_its_test_and_blocks_claims(wh):
    con, path = wh
    con.execute("update staging.stg_reports__claims set char_start = char_start + 1")
    built = build_models(con, path)
    # dbt skips what is built from a mart whose error test failed: each says it was not built,
    # and is held back with claims (they keep their last version).
    below = CLAIMS_LINEAGE - {"marts.claims"}
    skipped = {f"build {name.removeprefix('marts.')}": 1 for name in below}
    assert failing(built) == {"claims_quote_at_offsets": 2, **skipped}
    (result,) = [c for c in built.checks if c.name == "claims_quote_at_offsets"]
    assert (result.table, result.tool, result.status) == ("marts.claims", "dbt", "fail")
    assert result.sample and {"claim_id", "quote"} <= set(result.sample[0])
    assert blocked_tables(built.checks) == sorted(CLAIMS_LINEAGE)
    assert set(built.unbuilt) == below and not below & set(built.models)


def test_shipments_merge_ledgers_and_monthly_totals(wh):
    con, path = wh
    rows = pl.DataFrame(
        {
            "sha256": ["f1", "f1", "f2"],
            "sheet": ["", "", "voyages"],
            "row_number": [1, 2, 1],
            "source_file": ["a.csv", "a.csv", "b.xlsx"],
            "vessel_id": ["vessel:angara", "vessel:maria", "vessel:angara"],
            "vessel": ["Angara", "Maria", "ANGARA"],
            "departure_port_id": ["port:rajin"] * 3,
            "departure_port": ["Najin", "Rajin", "Rason"],
            "departure_date": [dt.date(2024, 1, 2), dt.date(2024, 1, 9), dt.date(2024, 1, 2)],
            "arrival_port_id": ["port:dunai", "port:vostochny", "port:dunai"],
            "arrival_port": ["Dunay", "Vostochny", "Dunai"],
            "arrival_date": [dt.date(2024, 1, 4), dt.date(2024, 1, 11), dt.date(2024, 1, 4)],
            "containers": [100, 50, 120],
            "evidence": ["imagery", None, "AIS"],
            "source": ["T1", "T1", "T2"],
        }
    )
    stage_frame(con, "staging.stg_ledgers__shipments", rows)
    build_models(con, path)
    shipments = con.execute(
        "select vessel, departure_port, arrival_port, containers_low, containers_high, n_ledger_rows "
        "from marts.shipments order by departure_date"
    ).fetchall()
    assert shipments == [
        ("Angara", "Rajin", "Dunai", 100, 120, 2),
        ("Maria", "Rajin", "Vostochny", 50, 50, 1),
    ]
    monthly = con.execute(
        "select month, voyages, voyages_to_dunai from marts.shipments_monthly"
    ).fetchall()
    assert monthly == [(dt.date(2024, 1, 1), 2, 1)]
    entity_ids = {r[0] for r in con.execute("select entity_id from marts.entities").fetchall()}
    assert {"vessel:angara", "port:rajin", "port:dunai"} <= entity_ids


def test_replace_rows_is_idempotent(wh):
    con, _ = wh
    frame = pl.DataFrame(
        {
            "table_id": [1],
            "sha256": ["x"],
            "file_name": ["t.csv"],
            "sheet": [""],
            "columns": [["a"]],
            "run_id": ["r"],
        }
    )
    for _ in range(3):
        load.replace_rows(con, "raw.tables", frame, ["sha256", "sheet"])
    assert con.execute("select count(*) from raw.tables").fetchone() == (1,)


def test_open_bounds_on_either_side_are_different_estimates(wh):
    con, path = wh
    start = TEXT.index("at least")
    con.execute(
        "insert into staging.stg_reports__claims (doc_id, claim_seq, metric, value_low, value_high, unit, "
        "qualifier, attributed_to, quote, char_start, char_end) values (?, 1, 'containers', null, 15809, "
        "'containers', 'at_most', 'Officials', ?, ?, ?)",
        ["a" * 16, "at least 15,809 containers", start, start + len("at least 15,809 containers")],
    )
    built = build_models(con, path)
    assert con.execute("select count(*) from marts.claim_groups").fetchone() == (2,)
    assert con.execute(
        "select count(distinct estimate_id) from marts.metric_estimates"
    ).fetchone() == (2,)
    assert "unique_metric_estimates_estimate_id" not in failing(built)


def test_only_models_that_read_what_changed_are_rebuilt(wh):
    con, path = wh
    everything = build_models(con, path)
    assert {"marts.shipments", "marts.claims"} <= set(everything.models)
    # A night of reports: the shipments marts read nothing that changed.
    night = dbt.select({"staging.stg_reports__claims"}, project_changed=False, manifest=None)
    built = set(build_models(con, path, night).models)
    assert built >= CLAIMS_LINEAGE and "marts.documents" in built
    assert not {"marts.shipments", "marts.shipments_monthly", "ref.aliases"} & built
    # A new ledger: shipments and what reads them, not the claims.
    ledger = dbt.select({"staging.stg_ledgers__shipments"}, project_changed=False, manifest=None)
    built = set(build_models(con, path, ledger).models)
    assert {
        "marts.shipments",
        "marts.shipments_monthly",
        "marts.entities",
        "marts.reconciliations",
    } == built
    assert dbt.select(
        set(), project_changed=False, manifest=None
    ).empty  # a quiet night builds nothing


def test_a_night_of_text_files_leaves_the_table_marts_as_they_are(wh):
    """New text files change ops.files only in its text rows: the table marts are not rebuilt,
    the view over ops.files and what reads its text rows are."""
    con, path = wh
    build_models(con, path)
    texts = dbt.select({dbt.TEXT_FILES, "raw.documents"}, project_changed=False, manifest=None)
    built = set(build_models(con, path, texts).models)
    assert {"staging.stg_inbox__contents", "marts.documents", "marts.claims"} <= built
    table_marts = {"marts.deliveries", "marts.strike_events", "marts.reported_series"}
    assert not table_marts & built
    files = dbt.select({"ops.files"}, project_changed=False, manifest=None)
    assert table_marts <= set(build_models(con, path, files).models)


def test_a_change_to_one_mart_rebuilds_it_and_its_descendants_only(wh, tmp_path):
    """state:modified against the manifest the warehouse kept from its last build."""
    con, path = wh
    first = build_models(con, path)
    project = tmp_path / "project"
    shutil.copytree(
        dbt.PROJECT_DIR, project, ignore=shutil.ignore_patterns("*.py", "__pycache__", "*.sql.j2")
    )
    claims_sql = project / "models" / "marts" / "claims.sql"
    claims_sql.write_text(
        claims_sql.read_text().replace("claims.quote,", "trim(claims.quote) as quote,")
    )
    selection = dbt.select(set(), project_changed=True, manifest=first.manifest)
    assert selection.selectors == ("state:modified+",)
    rebuilt = build_models(con, path, selection, project=project)
    assert set(rebuilt.models) == CLAIMS_LINEAGE
    assert failing(rebuilt) == {}
    # The same project again: nothing is modified, nothing is built.
    again = build_models(con, path, dbt.select(set(), True, rebuilt.manifest), project=project)
    assert again.models == ()
    # Without a kept manifest, everything is built.
    assert dbt.select(set(), project_changed=True, manifest=None).selectors == dbt.EVERYTHING


def test_downstream_of_a_mart_follows_the_project_graph(wh):
    con, path = wh
    graph = build_models(con, path).graph
    assert dbt.with_downstream(["marts.claims"], graph)[0] == "marts.claims"
    assert set(dbt.with_downstream(["marts.claims"], graph)) == CLAIMS_LINEAGE
    assert set(dbt.with_downstream(["marts.shipments"], graph)) == {
        "marts.shipments",
        "marts.shipments_monthly",
        "marts.reconciliations",
    }


def test_docs_site_describes_every_mart_and_renders_offline(wh, tmp_path, monkeypatch):
    """`supplyline docs` builds dbt's site from a copy of the published file; Chromium renders
    it with no network (the page embeds the project and the warehouse catalogue)."""
    con, path = wh
    build_models(con, path)
    con.close()
    monkeypatch.setenv("SUPPLYLINE_DATA_DIR", str(tmp_path / "data"))
    result = CliRunner().invoke(app, ["docs", "--warehouse", str(path)])
    assert result.exit_code == 0, result.output
    site = tmp_path / "data" / "dbt_docs" / "index.html"
    page = site.read_text()
    assert (
        "Claims extracted from this document." in page
        and "model.supplyline.metric_estimates" in page
    )
    assert not (tmp_path / "data" / "dbt_docs" / "scratch").exists()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("no Chromium on this machine to render the page")
    dom = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--virtual-time-budget=15000",
            "--dump-dom",
            site.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    rendered = re.sub(
        r"<script.*?</script>", "", dom, flags=re.S
    )  # what the page drew, not its data
    assert 'data-nav-unique-id="model.supplyline.claim_groups"' in rendered
