"""The data dictionary: table and column descriptions from the warehouse catalog.

The descriptions are DuckDB comments (``COMMENT ON TABLE`` / ``COMMENT ON COLUMN``), so any
DuckDB client sees the same text through ``duckdb_tables()`` and ``duckdb_columns()``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import duckdb

SCHEMAS = ("marts", "staging", "raw", "ops", "dq", "ref")


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    comment: str | None


@dataclass
class Table:
    schema: str
    name: str
    kind: str  # table | view
    comment: str | None
    columns: list[Column] = field(default_factory=list)

    @property
    def target(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def undescribed(self) -> list[str]:
        """Columns that have no description."""
        return [c.name for c in self.columns if not c.comment]

    def as_dict(self) -> dict:
        return {
            "table": self.target,
            "kind": self.kind,
            "description": self.comment,
            "columns": [
                {"name": c.name, "type": c.data_type, "description": c.comment}
                for c in self.columns
            ],
        }


class UnknownTable(LookupError):
    """No table or view of that name; carries the closest names."""

    def __init__(self, name: str, suggestions: list[str]) -> None:
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"no table or view named {name!r}{hint}")
        self.suggestions = suggestions


def catalog(con: duckdb.DuckDBPyConnection) -> list[Table]:
    """Every table and view of the warehouse's own schemas, with its columns, in schema order."""
    rows = con.execute(
        "select schema_name, table_name, 'table', comment from duckdb_tables() "
        "where database_name = current_database() and schema_name in (select unnest(?)) "
        "union all "
        "select schema_name, view_name, 'view', comment from duckdb_views() "
        "where database_name = current_database() and schema_name in (select unnest(?)) "
        "and not internal",
        [list(SCHEMAS), list(SCHEMAS)],
    ).fetchall()
    tables = {(s, n): Table(s, n, k, _text(c)) for s, n, k, c in rows}
    for s, n, col, dtype, comment in con.execute(
        "select schema_name, table_name, column_name, data_type, comment from duckdb_columns() "
        "where database_name = current_database() and schema_name in (select unnest(?)) "
        "order by schema_name, table_name, column_index",
        [list(SCHEMAS)],
    ).fetchall():
        if (s, n) in tables:
            tables[(s, n)].columns.append(Column(col, dtype, _text(comment)))
    return sorted(tables.values(), key=lambda t: (SCHEMAS.index(t.schema), t.name))


def find_table(tables: list[Table], name: str) -> Table:
    """The table named ``schema.name`` or, when unambiguous, just ``name`` (marts first)."""
    wanted = name.strip().lower()
    for t in tables:
        if t.target.lower() == wanted:
            return t
    bare = [t for t in tables if t.name.lower() == wanted]
    if bare:
        return bare[0]  # tables are in schema order, so a mart wins over its staging namesake
    names = [t.target for t in tables]
    raise UnknownTable(name, difflib.get_close_matches(name, names, n=3, cutoff=0.5))


def describe(con: duckdb.DuckDBPyConnection, name: str | None = None) -> list[Table]:
    """All tables, or the one named (``schema.table``, ``table``, or ``schema.table.column``)."""
    tables = catalog(con)
    if name is None:
        return tables
    try:
        return [find_table(tables, name)]
    except UnknownTable:
        if name.count(".") != 2:
            raise
    table_name, column = name.rsplit(".", 1)
    table = find_table(tables, table_name)
    match = [c for c in table.columns if c.name.lower() == column.lower()]
    if not match:
        close = difflib.get_close_matches(column, [c.name for c in table.columns], n=3, cutoff=0.4)
        raise UnknownTable(name, [f"{table.target}.{c}" for c in close])
    return [Table(table.schema, table.name, table.kind, table.comment, match)]


def _text(comment: str | None) -> str | None:
    return comment.strip() if comment and comment.strip() else None
