"""Writing frames into the warehouse: idempotent replace-by-key, appends, reference data."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from transforms.ledger import LEDGER_SCHEMA


def replace_rows(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, keys: list[str]) -> int:
    """Delete rows sharing a key with ``frame``, then insert ``frame`` by column name."""
    if frame.is_empty():
        return 0
    con.register("_incoming", frame)
    try:
        match = " and ".join(f"t.{k} = i.{k}" for k in keys)
        con.execute(f"delete from {table} t where exists (select 1 from _incoming i where {match})")
        con.execute(f"insert into {table} by name select * from _incoming")
    finally:
        con.unregister("_incoming")
    return frame.height


def append_rows(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> int:
    """Insert ``frame`` by column name."""
    if frame.is_empty():
        return 0
    con.register("_incoming", frame)
    try:
        con.execute(f"insert into {table} by name select * from _incoming")
    finally:
        con.unregister("_incoming")
    return frame.height


def delete_for_docs(con: duckdb.DuckDBPyConnection, table: str, doc_ids: list[str]) -> None:
    """Remove a document's staged rows before its fresh extraction is inserted."""
    if doc_ids:
        con.execute(f"delete from {table} where doc_id in (select unnest(?))", [doc_ids])


def load_reference(con: duckdb.DuckDBPyConnection, reference_dir: Path) -> None:
    """Reload the versioned reference CSVs into the ``ref`` schema."""
    for name in ("aliases", "metrics"):
        frame = pl.read_csv(reference_dir / f"{name}.csv", infer_schema=False)
        con.register("_ref", frame)
        try:
            con.execute(f"create or replace table ref.{name} as select * from _ref")
        finally:
            con.unregister("_ref")


def read_ledger(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every (path, content) pair the warehouse has recorded."""
    return con.execute(
        "select path, sha256, format, version, status, first_seen from ops.files"
    ).pl().cast(LEDGER_SCHEMA)
