"""As-of questions: the warehouse as it would have answered on a past date.

An in-memory DuckDB attaches the published warehouse read-only and defines, under the same
names, views that keep only what could be known on the date:

- a report is known from its publication date (or, when it has none, from the day it was
  ingested); its claims and entity mentions travel with it;
- a voyage is known from its departure date, a table figure from the end of its period (its
  start, else the day its file arrived);
- every SQL model (staging views and marts) is then defined again over those filtered inputs,
  so claim groups get their first and last seen dates, and metric estimates their figures, as
  of the date.

Runs, checks, quarantine and reference data pass through unchanged: they describe the pipeline,
not the world. The date is bound as a parameter into a one-row table, never spliced into SQL.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from warehouse import dbt

SOURCE = "published"  # catalog alias of the attached warehouse (a constant, never input)

# What could be known on the date, per loader-owned table. ``as_of_date()`` is a macro over the
# one-row table that holds the bound date.
FILTERS = {
    "raw.documents": "select * from {src}.raw.documents "
    "where coalesce(published, ingested_at::date) <= as_of_date()",
    "ops.files": "select * from {src}.ops.files "
    "where kind is distinct from 'text' or sha256 in (select sha256 from raw.documents)",
    "staging.stg_reports__claims": "select * from {src}.staging.stg_reports__claims "
    "where doc_id in (select doc_id from raw.documents)",
    "staging.stg_reports__entity_mentions": "select * from {src}.staging.stg_reports__entity_mentions "
    "where doc_id in (select doc_id from raw.documents)",
    "staging.stg_ledgers__shipments": "select * from {src}.staging.stg_ledgers__shipments "
    "where departure_date <= as_of_date()",
    "staging.stg_tables__figures": (
        "select f.* from {src}.staging.stg_tables__figures as f "
        "where coalesce(f.period_end, f.period_start, "
        "(select min(first_seen)::date from {src}.ops.files as o where o.sha256 = f.sha256)) "
        "<= as_of_date()"
    ),
}


def parse_as_of(text: str) -> dt.date:
    """An ISO date (YYYY-MM-DD), or a clear error."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"--as-of takes a date as YYYY-MM-DD, not {text!r}") from None


def model_definitions() -> list[tuple[str, str]]:
    """(schema.name, select) of every SQL model of the dbt project, dependencies first, with
    its ``ref()`` and ``source()`` rendered as plain names, so they read the views here."""
    return dbt.model_sql()


def open_as_of(warehouse: Path, as_of: dt.date) -> duckdb.DuckDBPyConnection:
    """A read-only view of ``warehouse`` as of ``as_of`` (an in-memory database)."""
    con = duckdb.connect()
    # ATTACH takes no parameters; the path is the configured warehouse file, quotes doubled.
    con.execute(f"attach '{str(warehouse).replace(chr(39), chr(39) * 2)}' as {SOURCE} (read_only)")
    define_as_of_views(con, SOURCE, as_of)
    return con


def define_as_of_views(con: duckdb.DuckDBPyConnection, source: str, as_of: dt.date) -> None:
    """Views in the connection's default catalog that answer as ``source`` would have on ``as_of``."""
    if not isinstance(as_of, dt.date):
        raise TypeError("as_of must be a date")
    con.execute("create table main.as_of_setting (as_of date not null)")
    con.execute("insert into main.as_of_setting values (?)", [as_of])
    con.execute("create macro as_of_date() as (select as_of from main.as_of_setting)")
    relations = _relations(con, source)
    models = model_definitions()
    model_targets = {target for target, _ in models}
    for schema in sorted(
        {r.split(".")[0] for r in relations} | {t.split(".")[0] for t in model_targets}
    ):
        con.execute(f'create schema if not exists "{schema}"')
    # Filtered inputs first, in FILTERS' order (later filters read earlier ones).
    ordered = [t for t in FILTERS if t in relations] + [t for t in relations if t not in FILTERS]
    for target in ordered:
        if target in model_targets:
            continue
        schema, name = target.split(".")
        select = FILTERS.get(target, f'select * from {{src}}."{schema}"."{name}"')
        con.execute(f'create view "{schema}"."{name}" as {select.format(src=source)}')
    for target, sql in models:
        con.execute(f"create view {target} as\n{sql}")


def _relations(con: duckdb.DuckDBPyConnection, source: str) -> list[str]:
    """schema.name of every table and view in the attached warehouse, but for index internals."""
    rows = con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = ? "
        "union select schema_name, view_name from duckdb_views() where database_name = ? "
        "and not internal",
        [source, source],
    ).fetchall()
    return sorted(f"{s}.{n}" for s, n in rows if s != "main" and not s.startswith("fts_"))
