"""The data dictionary on a real DuckDB file whose tables carry COMMENT ON descriptions."""

from __future__ import annotations

import json

import duckdb
import pytest
from typer.testing import CliRunner

from supplyline.cli import app
from supplyline.desk.describe import UnknownTable, describe


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    path = tmp_path_factory.mktemp("describe") / "wh.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema marts; create schema staging; create schema ops")
    con.execute(
        "create table marts.claims (claim_id varchar, metric varchar, attributed_to varchar, value_low double)"
    )
    con.execute("create table staging.claims (x integer)")  # a namesake in another schema
    con.execute("create table ops.runs (run_id varchar)")
    con.execute("create view marts.claim_count as select count(*) as n from marts.claims")
    con.execute(
        "comment on table marts.claims is 'One row per distinct claim in a current report.'"
    )
    for column, text in {
        "claim_id": "Report id and claim number: doc_id:claim_seq.",
        "metric": "What is counted, from the metric catalogue.",
        "attributed_to": "Who the report says gave the figure (the claimant).",
    }.items():
        con.execute(f"comment on column marts.claims.{column} is '{text}'")
    con.execute("comment on view marts.claim_count is 'How many claims there are.'")
    con.close()
    return path


def test_tables_columns_and_their_descriptions(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    everything = {t.target: t for t in describe(con)}
    assert list(everything)[:2] == ["marts.claim_count", "marts.claims"]  # marts first
    assert everything["marts.claim_count"].kind == "view"
    claims = describe(con, "marts.claims")[0]
    assert claims.comment == "One row per distinct claim in a current report."
    assert [c.name for c in claims.columns] == ["claim_id", "metric", "attributed_to", "value_low"]
    assert claims.columns[2].comment.startswith("Who the report says")
    assert claims.undescribed == ["value_low"]
    # A bare name prefers the mart over its staging namesake; a column can be asked for alone.
    assert describe(con, "claims")[0].target == "marts.claims"
    column = describe(con, "marts.claims.metric")[0]
    assert [(c.name, c.comment) for c in column.columns] == [
        ("metric", "What is counted, from the metric catalogue.")
    ]


def test_unknown_names_get_suggestions(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    with pytest.raises(UnknownTable, match="did you mean marts.claims"):
        describe(con, "marts.claim")
    with pytest.raises(UnknownTable) as info:
        describe(con, "marts.claims.metrics")
    assert info.value.suggestions == ["marts.claims.metric"]


def test_cli_prints_every_column_with_its_description(warehouse):
    runner = CliRunner()
    result = runner.invoke(app, ["describe", "marts.claims", "--warehouse", str(warehouse)])
    assert result.exit_code == 0, result.output
    for text in (
        "One row per distinct claim",
        "claim_id",
        "doc_id:claim_seq",
        "the claimant",
        "value_low",
        "(no description)",
        "1 of 4 columns have no description",
    ):
        assert text in result.output
    listing = runner.invoke(app, ["describe", "--warehouse", str(warehouse)])
    assert "3/4 described" in listing.output and "ops.runs" in listing.output
    as_json = json.loads(
        runner.invoke(app, ["describe", "claims", "--json", "-w", str(warehouse)]).output
    )
    assert as_json[0]["columns"][1] == {
        "name": "metric",
        "type": "VARCHAR",
        "description": "What is counted, from the metric catalogue.",
    }
    missing = runner.invoke(app, ["describe", "marts.nothing", "-w", str(warehouse)])
    assert missing.exit_code == 1 and "no table or view named 'marts.nothing'" in missing.output
