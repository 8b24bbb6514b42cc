"""Keep the last good version of a mart that failed an error-severity check.

A run builds into a working copy (or commits to the DuckLake as it goes). When a check blocks a
mart, ``restore_tables`` puts back the version readers have now: from the published file,
ATTACHed read-only, or from the lake's last published snapshot by time travel. The marts built
from a blocked mart are restored with it (``warehouse.dbt.with_downstream``), so no mart is
computed from rows the checks rejected. The restored table keeps the comments (column
descriptions) of the table it replaces.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import duckdb

from warehouse import db

_MART = re.compile(r"^marts\.[a-z_][a-z0-9_]*$")
_ALIAS = "published_previous"


class Published(Protocol):
    """Where the published version of a mart can be read during a run."""

    def opened(
        self, con: duckdb.DuckDBPyConnection
    ) -> contextlib.AbstractContextManager[str | None]:
        """Yields the SQL prefix of the published marts' relations (None: nothing published)."""
        ...

    def suffix(self) -> str:
        """SQL after the relation name (a time-travel clause), or nothing."""
        ...


@dataclass(frozen=True)
class PublishedFile:
    """The published DuckDB file, which the run's working copy will replace."""

    path: Path

    @contextlib.contextmanager
    def opened(self, con: duckdb.DuckDBPyConnection) -> Iterator[str | None]:
        path = Path(self.path).resolve()
        if not path.exists():
            yield None
            return
        # ATTACH takes no bind parameters; the path is our own setting, quoted as a literal.
        con.execute(f"attach '{str(path).replace(chr(39), chr(39) * 2)}' as {_ALIAS} (read_only)")
        try:
            yield _ALIAS
        finally:
            con.execute(f"detach {_ALIAS}")

    def suffix(self) -> str:
        return ""


@dataclass(frozen=True)
class PublishedSnapshot:
    """A DuckLake snapshot: the version readers were given by the last published run."""

    version: int | None

    @contextlib.contextmanager
    def opened(self, con: duckdb.DuckDBPyConnection) -> Iterator[str | None]:
        yield (None if self.version is None else db.scalar(con, "select current_database()"))

    def suffix(self) -> str:
        return f" at (version => {int(self.version)})" if self.version is not None else ""


def _exists(con: duckdb.DuckDBPyConnection, database: str, schema: str, name: str) -> bool:
    return (
        db.scalar(
            con,
            "select count(*) from duckdb_tables() "
            "where database_name = ? and schema_name = ? and table_name = ?",
            [database, schema, name],
        )
        > 0
    )


def restore_tables(
    con: duckdb.DuckDBPyConnection, published: Published, tables: list[str]
) -> dict[str, str]:
    """Replace each mart in ``tables`` with its published version.

    Returns ``{table: "restored" | "emptied" | "missing"}``. A mart that was never published
    (first run, new model) is emptied, keeping its columns, since there is no good version to
    keep ("missing": neither side has it). Only ``marts.*`` tables are accepted.
    """
    for table in tables:
        if not _MART.match(table):
            raise ValueError(f"only marts.* tables can be restored, not {table!r}")
    if not tables:
        return {}
    current = db.scalar(con, "select current_database()")
    outcome: dict[str, str] = {}
    with published.opened(con) as database:
        for table in tables:
            schema, name = table.split(".")  # both passed the _MART pattern above
            comments = _comments(con, current, schema, name)
            if database is not None and _copy(
                con, f"{database}.{schema}.{name}{published.suffix()}", table
            ):
                outcome[table] = "restored"
            elif _exists(con, current, schema, name):
                con.execute(
                    f"create or replace table {schema}.{name} as "
                    f"select * from {schema}.{name} limit 0"
                )
                outcome[table] = "emptied"
            else:
                outcome[table] = "missing"
                continue
            _comment(con, schema, name, comments)
    return outcome


def _copy(con: duckdb.DuckDBPyConnection, source: str, table: str) -> bool:
    """Replace ``table`` with the rows of ``source``; False when the source has no such table."""
    try:
        con.execute(f"create or replace table {table} as select * from {source}")
    except duckdb.CatalogException:  # not published yet (a snapshot from before the model)
        return False
    return True


def _comments(
    con: duckdb.DuckDBPyConnection, database: str, schema: str, name: str
) -> dict[str, str]:
    """The table's comment (key "") and its columns' comments."""
    rows = con.execute(
        "select '', comment from duckdb_tables() where database_name = ? and schema_name = ? "
        "and table_name = ? and comment is not null union all "
        "select column_name, comment from duckdb_columns() where database_name = ? "
        "and schema_name = ? and table_name = ? and comment is not null",
        [database, schema, name] * 2,
    ).fetchall()
    return dict(rows)


def _comment(
    con: duckdb.DuckDBPyConnection, schema: str, name: str, comments: dict[str, str]
) -> None:
    """Put comments back (COMMENT ON takes no parameters: the text is quoted as a literal)."""
    columns = {
        c
        for (c,) in con.execute(
            "select column_name from duckdb_columns() where database_name = current_database() "
            "and schema_name = ? and table_name = ?",
            [schema, name],
        ).fetchall()
    }
    for column, text in comments.items():
        literal = "'" + text.replace("'", "''") + "'"
        if column == "":
            con.execute(f"comment on table {schema}.{name} is {literal}")
        elif column in columns:
            quoted = '"' + column.replace('"', '""') + '"'
            con.execute(f"comment on column {schema}.{name}.{quoted} is {literal}")
