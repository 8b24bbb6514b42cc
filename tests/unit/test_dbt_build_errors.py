"""A dbt node that fails mid-build: what it holds back is reported, and nothing reads it."""

from __future__ import annotations

import datetime as dt
import shutil

from schemas.checks import blocked_marts
from supplyline.settings import Settings
from supplyline.stages.check import check
from supplyline.stages.load import Loaded
from tests.warehouse_contents import build_models, fresh_warehouse, insert_document
from warehouse import dbt

# A check on the claims mart whose SQL fails when it runs (as an out-of-memory error would):
# ``dbt build`` then skips every model below claims.
FAILING_CHECK = """{{ config(severity='warn', meta={'table': 'marts.claims', 'tool': 'reconcile'}) }}
select n from (select count(*) as n from {{ ref('claims') }})
where error('injected failure after ' || n || ' claims') is null
"""


# A check dbt counts (its count never evaluates the failing column) but whose example rows
# fail when read.
UNREADABLE_CHECK = """{{ config(severity='warn', meta={'table': 'marts.claims', 'tool': 'reconcile'}) }}
select error('rows not readable') as boom from (select count(*) as n from {{ ref('claims') }})
"""


def project_with(folder, name: str, sql: str):
    """A copy of the dbt project with one more singular check."""
    project = folder / "project"
    for part in dbt.PROJECT_PARTS:
        source = dbt.PROJECT_DIR / part
        if source.is_dir():
            shutil.copytree(source, project / part)
        else:
            project.mkdir(exist_ok=True)
            shutil.copy2(source, project / part)
    (project / "tests" / "checks" / f"{name}.sql").write_text(sql)
    return project


def test_models_skipped_below_a_failed_test_are_unbuilt_errors(tmp_path):
    project = project_with(tmp_path, "injected_failure", FAILING_CHECK)
    con, path = fresh_warehouse(tmp_path, "failing.duckdb")
    insert_document(con, "a" * 16, dt.date(2024, 3, 1), dt.datetime(2024, 3, 2))
    built = build_models(con, path, project=project)
    # The check stage reads no verdicts from the reconciliations it does not have.
    checked = check(con, Loaded(), built, "r1", Settings(data_dir=tmp_path / "state"))
    con.close()

    by_name = {r.name: r for r in built.checks}
    failed = by_name["injected_failure"]
    assert failed.severity == "error" and "injected failure after 0 claims" in str(failed.sample)
    # Everything downstream of claims was skipped, and says so; claims itself was built.
    assert "marts.claims" in built.models and "marts.claims" not in built.unbuilt
    assert {"marts.reconciliations", "marts.metric_estimates"} <= set(built.unbuilt)
    skipped = by_name["build reconciliations"]
    assert skipped.severity == "error" and skipped.table == "marts.reconciliations"
    assert "a model or test it depends on failed" in skipped.sample[0]["error"]
    assert not set(built.unbuilt) & set(built.models)
    # The failed build holds its marts back, and no reconciliation verdict stands in for them.
    assert {"marts.claims", "marts.reconciliations"} <= set(blocked_marts(checked.results))
    assert not [
        r for r in checked.results if r.table == "marts.reconciliations" and r.tool == "reconcile"
    ]


def test_a_check_whose_rows_cannot_be_read_keeps_its_count(tmp_path):
    project = project_with(tmp_path, "unreadable", UNREADABLE_CHECK)
    con, path = fresh_warehouse(tmp_path, "unreadable.duckdb")
    built = build_models(con, path, project=project)
    con.close()
    result = {r.name: r for r in built.checks}["unreadable"]
    assert (result.severity, result.failing_count) == ("warn", 1)
    assert "example rows not read" in result.sample[0]["error"]
    assert "rows not readable" in result.sample[0]["error"]
    assert not built.unbuilt
