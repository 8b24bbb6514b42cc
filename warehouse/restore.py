"""Keep the last good version of a mart that failed an error-severity check.

The nightly flow builds into a working copy and publishes it atomically. When a check blocks a
mart, ``restore_tables`` replaces that mart in the working copy with its copy in the published
(previous) warehouse, ATTACHed read-only, so the rest of the run can still be published.
Marts built from a blocked mart (``marts.claims`` -> ``marts.claim_groups``...) are restored with
it, so no mart is computed from rows the checks rejected.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from warehouse import db

_MART = re.compile(r"^marts\.[a-z_][a-z0-9_]*$")
_ALIAS = "published_previous"


def with_downstream(tables: list[str] | set[str], models: list[db.Model] | None = None) -> list[str]:
    """``tables`` plus every mart model that reads from them, directly or not, in build order."""
    models = models or db.load_models()
    affected = set(tables)
    for model in models:  # load_models returns dependencies first, so one pass is enough
        refs = {f"{s}.{n}" for s, n in db._REF.findall(model.sql)} - {model.target}
        if refs & affected:
            affected.add(model.target)
    order = [m.target for m in models]
    return sorted(affected, key=lambda t: (order.index(t) if t in order else -1, t))


def _exists(con: duckdb.DuckDBPyConnection, database: str, schema: str, name: str) -> bool:
    return con.execute(
        "select count(*) from duckdb_tables() "
        "where database_name = ? and schema_name = ? and table_name = ?",
        [database, schema, name],
    ).fetchone()[0] > 0


def restore_tables(con: duckdb.DuckDBPyConnection, published_path: Path | str,
                   tables: list[str]) -> dict[str, str]:
    """Replace each mart in ``tables`` with its copy in the published warehouse.

    Returns ``{table: "restored" | "emptied" | "missing"}``. A mart the published warehouse
    does not have yet (first run, new model) is emptied, keeping its columns, since there is no
    good version to keep ("missing": neither warehouse has it). Only ``marts.*`` tables are
    accepted (plain CTAS tables, so a copy loses nothing); to restore the marts built from them
    too, pass ``with_downstream(tables)``.
    """
    for table in tables:
        if not _MART.match(table):
            raise ValueError(f"only marts.* tables can be restored, not {table!r}")
    if not tables:
        return {}
    path = Path(published_path).resolve()
    attached = path.exists()
    if attached:
        # ATTACH takes no bind parameters; the path is our own setting, quoted as a literal.
        literal = str(path).replace("'", "''")
        con.execute(f"attach '{literal}' as {_ALIAS} (read_only)")
    current = con.execute("select current_database()").fetchone()[0]
    outcome: dict[str, str] = {}
    try:
        for table in tables:
            schema, name = table.split(".")  # both passed the _MART pattern above
            if attached and _exists(con, _ALIAS, schema, name):
                con.execute(f"create or replace table {schema}.{name} as "
                            f"select * from {_ALIAS}.{schema}.{name}")
                outcome[table] = "restored"
            elif _exists(con, current, schema, name):
                con.execute(f"create or replace table {schema}.{name} as "
                            f"select * from {schema}.{name} limit 0")
                outcome[table] = "emptied"
            else:
                outcome[table] = "missing"
    finally:
        if attached:
            con.execute(f"detach {_ALIAS}")
    return outcome
