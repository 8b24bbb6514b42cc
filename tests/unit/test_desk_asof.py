"""As-of views over a small warehouse file built with the real DDL, seeds and dbt models."""

from __future__ import annotations

import datetime as dt

import pytest

from supplyline.desk.asof import model_definitions, open_as_of, parse_as_of
from tests.warehouse_contents import build_models, fresh_warehouse, insert_staged
from warehouse import db

JAN, JUN, DEC = dt.date(2024, 1, 10), dt.date(2024, 6, 1), dt.date(2024, 12, 1)
NOW = dt.datetime(2026, 1, 1, 12)  # when the pipeline ingested everything


def _document(
    con, letter: str, path: str, version: int, published: dt.date | None, figure: int
) -> None:
    sha = letter * 64
    text = f"Officials said {figure} containers left Rajin."
    con.execute(
        "insert into ops.files (path, sha256, size_bytes, format, kind, version, status, first_seen, "
        "run_id) values (?, ?, 10, 'txt', 'text', ?, 'loaded', ?, 'r1')",
        [path, sha, version, NOW],
    )
    con.execute(
        "insert into raw.documents (doc_id, sha256, file_name, format, published, text, run_id, "
        "ingested_at) values (?, ?, ?, 'txt', ?, ?, 'r1', ?)",
        [letter * 16, sha, path, published, text, NOW],
    )
    quote = f"{figure} containers"
    con.execute(
        "insert into staging.stg_reports__claims (doc_id, claim_seq, metric, value_low, value_high, unit, "
        "qualifier, attributed_to, quote, char_start, char_end) values (?, 0, 'containers', ?, ?, "
        "'containers', 'exact', 'Officials', ?, ?, ?)",
        [letter * 16, figure, figure, quote, text.index(quote), text.index(quote) + len(quote)],
    )


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """Four reports: a (January), b (June) later corrected by c (December), d with no date."""
    con, path = fresh_warehouse(tmp_path_factory.getbasetemp() / "asof", "wh.duckdb")
    _document(con, "a", "a.txt", 1, JAN, 100)
    _document(con, "b", "b.txt", 1, JUN, 200)
    _document(con, "c", "b.txt", 2, DEC, 250)  # a correction: the new version of b.txt
    _document(con, "d", "d.txt", 1, None, 300)
    insert_staged(
        con,
        "staging.stg_ledgers__shipments",
        "insert into staging.stg_ledgers__shipments (sha256, sheet, row_number, source_file, vessel_id, "
        "vessel, departure_date, containers) values ('l', '', 1, 'l.csv', 'vessel:angara', 'Angara', ?, 10), "
        "('l', '', 2, 'l.csv', 'vessel:angara', 'Angara', ?, 20)",
        [JAN, DEC],
    )
    build_models(con, path)
    con.close()
    return path


def _rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_a_date_sees_only_what_was_published_by_then(warehouse):
    con = open_as_of(warehouse, dt.date(2024, 7, 1))
    assert _rows(con, "select as_of_date()") == [(dt.date(2024, 7, 1),)]
    assert _rows(con, "select file_name, value_low from marts.claims order by 1") == [
        ("a.txt", 100),
        ("b.txt", 200),
    ]
    # b.txt's first version was current in July: its December correction was not yet known.
    assert _rows(con, "select doc_id from marts.documents order by 1") == [("a" * 16,), ("b" * 16,)]
    assert _rows(con, "select count(*), max(departure_date) from marts.shipments") == [(1, JAN)]


def test_claim_groups_and_estimates_are_rebuilt_as_of_the_date(warehouse):
    early = open_as_of(warehouse, dt.date(2024, 2, 1))
    assert _rows(
        early, "select value_low, first_published, last_published from marts.claim_groups"
    ) == [(100, JAN, JAN)]
    assert _rows(early, "select source, n_estimates_for_metric from marts.metric_estimates") == [
        ("Officials", 1)
    ]
    late = open_as_of(warehouse, dt.date(2024, 12, 31))
    assert _rows(late, "select value_low, first_published from marts.claim_groups order by 1") == [
        (100, JAN),
        (250, DEC),
    ]


def test_an_undated_report_counts_from_the_day_it_was_ingested(warehouse):
    before = open_as_of(warehouse, NOW.date() - dt.timedelta(days=1))
    on_the_day = open_as_of(warehouse, NOW.date())
    assert _rows(before, "select count(*) from marts.claims where file_name = 'd.txt'") == [(0,)]
    assert _rows(on_the_day, "select count(*) from marts.claims where file_name = 'd.txt'") == [
        (1,)
    ]


def test_far_future_equals_the_published_marts(warehouse):
    con = open_as_of(warehouse, dt.date(2100, 1, 1))
    published = db.connect(warehouse, read_only=True)
    for (target,) in published.execute(
        "select schema_name || '.' || table_name from duckdb_tables() where schema_name = 'marts'"
    ).fetchall():
        sql = f"select * from {target} order by all"
        assert con.execute(sql).fetchall() == published.execute(sql).fetchall(), target
    published.close()


def test_the_published_file_stays_untouched_and_readable(warehouse):
    con = open_as_of(warehouse, JUN)
    with pytest.raises(Exception, match="read-only|Cannot|read only"):
        con.execute(
            "insert into published.ops.runs (run_id, started_at, status) values ('x', now(), 'x')"
        )
    assert _rows(con, "select count(*) from ops.runs") == [(0,)]


@pytest.mark.parametrize("text", ["2024-13-01", "June 1", "2024-06-01; drop table x", ""])
def test_dates_are_parsed_never_spliced(text):
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_as_of(text)
    assert parse_as_of(" 2024-06-01 ") == JUN


def test_every_dbt_model_is_defined_again_over_plain_names():
    """The as-of views come from the dbt project: every model, none of its Jinja, each after
    the models it reads."""
    from warehouse import dbt

    models = model_definitions()
    names = [name for name, _ in models]
    project = {p.stem for p in (dbt.PROJECT_DIR / "models").rglob("*.sql")}
    assert {n.split(".")[1] for n in names} == project
    assert all("{{" not in sql and "{%" not in sql for _, sql in models)
    assert names.index("marts.claims") < names.index("marts.claim_groups")
    assert names.index("staging.stg_reports__documents") < names.index("marts.claims")
    assert "from ref.aliases" in dict(models)["staging.stg_reference__entities"]
