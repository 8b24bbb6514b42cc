"""Compare warehouses by content, ignoring what legitimately differs between runs."""

from __future__ import annotations

from pathlib import Path

import duckdb

from supplyline import reconciliations
from supplyline.settings import REPO_ROOT
from warehouse import db, dbt

VOLATILE = {
    "run_id",
    "flow_run_id",
    "started_at",
    "finished_at",
    "ingested_at",
    "first_seen",
    "quarantined_at",
    "checked_at",
    "counted_at",
    "table_id",  # a compact id in arrival order: compared through the views that join it
}
COMPARED_SCHEMAS = ("raw", "staging", "marts")
# The loader's views that join each received sheet's file back (warehouse/ddl.sql).
LOADER_VIEWS = (
    "raw.received_rows",
    "staging.stg_ledgers__shipments",
    "staging.stg_tables__figures",
    "staging.stg_tables__deliveries",
    "staging.stg_tables__strikes",
    "staging.stg_tables__series",
)


def query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Rows of one read-only query on a warehouse file."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def insert_document(
    con: duckdb.DuckDBPyConnection, doc_id: str, published, at, text: str = "x"
) -> None:
    """A loaded, current text document (ledger entry + raw row), for tests of the SQL models."""
    con.execute(
        "insert into ops.files (path, sha256, size_bytes, format, kind, version, status, "
        "first_seen, run_id) values (?, ?, 1, 'txt', 'text', 1, 'loaded', ?, 'r1')",
        [f"{doc_id}.txt", doc_id * 4, at],
    )
    con.execute(
        "insert into raw.documents (doc_id, sha256, file_name, format, published, text, "
        "run_id, ingested_at) values (?, ?, ?, 'txt', ?, ?, 'r1', ?)",
        [doc_id, doc_id * 4, f"{doc_id}.txt", published, text, at],
    )


def fresh_warehouse(folder: Path, name: str) -> tuple[duckdb.DuckDBPyConnection, Path]:
    """An empty warehouse file ``folder/name`` with the loaders' tables.

    Tests reuse the same few paths (a session folder): dbt parses the project again whenever
    the database path changes, and a parse costs seconds.
    """
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    con = db.connect(path)
    db.apply_ddl(con)
    return con, path


def build_models(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    selection: dbt.Selection | None = None,
    project: Path = dbt.PROJECT_DIR,
) -> dbt.Built:
    """Build the dbt project (everything, or ``selection``) into the warehouse file ``path``
    that ``con`` holds open, as a run does."""
    work = Path(path).parent / f".dbt-{Path(path).name}-{Path(project).name}"
    reconciliations.write_declared(con, REPO_ROOT / "reference")  # as the build stage does
    return dbt.build(
        con,
        dbt.Profile(str(path), threads=1),
        selection or dbt.Selection(dbt.EVERYTHING),
        dbt.Project(work, REPO_ROOT / "reference", project),
    )


def contents(path: Path, extra_tables: tuple[str, ...] = ("ops.files",)) -> dict[str, list[tuple]]:
    """Every row of every raw, staging and mart table (plus extras), volatile columns dropped."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return connection_contents(con, extra_tables)
    finally:
        con.close()


def connection_contents(
    con: duckdb.DuckDBPyConnection, extra_tables: tuple[str, ...] = ("ops.files",)
) -> dict:
    """As ``contents``, from an open connection (a DuckLake, say)."""
    tables = [
        f"{s}.{t}"
        for s, t in con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ? and (table_type = 'BASE TABLE' "
            "or table_schema || '.' || table_name in ?) order by 1, 2",
            [list(COMPARED_SCHEMAS), list(LOADER_VIEWS)],
        ).fetchall()
    ] + list(extra_tables)
    out = {}
    for table in tables:
        schema, name = table.split(".")
        cols = [
            c
            for (c,) in con.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
                "order by ordinal_position",
                [schema, name],
            ).fetchall()
            if c not in VOLATILE
        ]
        # Identifiers come from the catalogue, not from input.
        select = ", ".join(f'"{c}"' for c in cols)
        out[table] = con.execute(f"select {select} from {table} order by all").fetchall()
    return out


def differences(a: dict[str, list[tuple]], b: dict[str, list[tuple]]) -> dict[str, str]:
    """Tables whose rows differ, with counts of rows only in one side."""
    diff = {}
    for table in sorted(set(a) | set(b)):
        left, right = a.get(table, []), b.get(table, [])
        if left != right:
            only_left = len(set(map(repr, left)) - set(map(repr, right)))
            only_right = len(set(map(repr, right)) - set(map(repr, left)))
            diff[table] = (
                f"{len(left)} vs {len(right)} rows; {only_left} only left, {only_right} only right"
            )
    return diff


def insert_staged(
    con: duckdb.DuckDBPyConnection, table: str, sql: str, params: list | None = None
) -> None:
    """Run a test's ``insert into <staged table> (sha256, sheet, ..., source_file, ...)`` the way
    the loader stores such rows: each sheet in raw.tables (added if new), the rows in
    ``<table>_rows`` under its table_id (``table`` itself is a view). ``params``: a list of rows
    runs the statement once per row."""
    con.execute(f"create or replace temp table _staged as select * from {table} limit 0")
    target = sql.replace(f"insert into {table} ", "insert into _staged ", 1)
    assert target != sql, "the statement must insert into the staged table"
    if params and isinstance(params[0], list | tuple):
        con.executemany(target, params)
    else:
        con.execute(target, params or [])
    _move_staged(con, table)


def stage_frame(con: duckdb.DuckDBPyConnection, table: str, frame) -> None:
    """``insert_staged`` for a frame of the staged table's columns."""
    con.register("_frame", frame)
    try:
        insert_staged(con, table, f"insert into {table} by name select * from _frame")
    finally:
        con.unregister("_frame")


def _move_staged(con: duckdb.DuckDBPyConnection, table: str) -> None:
    con.execute(
        "insert into raw.tables (table_id, sha256, file_name, sheet, columns, run_id) "
        "select (select coalesce(max(table_id), 0) from raw.tables) + row_number() over (), "
        "sha256, source_file, sheet, [], 'test' "
        "from (select distinct sha256, source_file, sheet from _staged) as s "
        "where not exists (select 1 from raw.tables as t where t.sha256 = s.sha256 and t.sheet = s.sheet)"
    )
    con.execute(
        f"insert into {table}_rows by name select t.table_id, "
        "s.* exclude (sha256, sheet, source_file) from _staged as s "
        "join raw.tables as t using (sha256, sheet)"
    )
    con.execute("drop table _staged")
