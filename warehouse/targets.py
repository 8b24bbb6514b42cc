"""Where a run writes: one DuckDB file (built in a working copy, then swapped in) or a DuckLake
(catalog in a DuckDB file or PostgreSQL, data as Parquet; one transaction per run)."""

from __future__ import annotations

import re
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from warehouse import db


def limit_memory(con: duckdb.DuckDBPyConnection, memory_limit: str, spill_dir: Path) -> None:
    """Cap DuckDB's buffer pool (its default is 80% of RAM, on top of the run's own frames)."""
    spill_dir.mkdir(parents=True, exist_ok=True)
    # SET takes no parameters; both values come from settings, and the size is checked first.
    if not re.fullmatch(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", memory_limit.strip(), re.I):
        raise ValueError(f"SUPPLYLINE_DUCKDB_MEMORY_LIMIT must be a size like 4GB, not {memory_limit!r}")
    con.execute(f"set memory_limit = '{memory_limit.strip()}'")
    con.execute(f"set temp_directory = '{_quote(str(spill_dir))}'")


@dataclass
class FileWarehouse:
    """The default: readers keep the published file while a run builds the next one."""

    path: Path
    supports_fts: bool = True
    outer_transaction: bool = False  # the working copy is private, so loads commit as they go
    _work: Path | None = field(default=None, init=False)

    @property
    def label(self) -> str:
        return str(self.path)

    in_place: bool = field(default=False, init=False)

    @property
    def restore_source(self) -> Path | None:
        """The published file, from which a blocked mart's last good version is copied back."""
        return None if self.in_place else self.path

    def lock(self) -> AbstractContextManager[None]:
        return db.run_lock(self.path)

    def peek(self) -> duckdb.DuckDBPyConnection | None:
        """A read-only look at the published file (None when there is none yet)."""
        return db.connect(self.path, read_only=True, wait_s=5.0) if self.path.exists() else None

    def open(self, quiet: bool = False) -> duckdb.DuckDBPyConnection:
        """A connection for this run: to a working copy, or for a quiet run (nothing new to
        load) to the published file itself inside one transaction, which is cheap at any size.
        A quiet run whose file is held by a reader falls back to the working copy."""
        if quiet and self.path.exists():
            try:
                con = db.connect(self.path)
            except duckdb.IOException as exc:
                if not db.is_lock_conflict(exc):
                    raise
            else:
                db.apply_ddl(con)
                con.execute("begin transaction")
                self.in_place, self.outer_transaction = True, True
                return con
        self._work = db.working_copy(self.path)
        con = db.connect(self._work)
        db.apply_ddl(con)
        return con

    def prepare(self, con: duckdb.DuckDBPyConnection, settings) -> None:
        limit_memory(con, settings.duckdb_memory_limit, settings.data_dir / "tmp")

    def commit(self, con: duckdb.DuckDBPyConnection) -> None:
        if self.in_place:
            con.execute("commit")
            con.close()
            return
        con.close()
        db.publish(self._work, self.path)

    def abort(self, con: duckdb.DuckDBPyConnection | None) -> None:
        if con is not None:
            con.close()  # an in-place run's open transaction rolls back
        if self._work is not None:
            db.discard(self._work)


@dataclass
class LakeWarehouse:
    """DuckLake: many readers on many machines, one writer; a run is one catalog transaction."""

    catalog: str
    data_path: Path
    supports_fts: bool = False  # DuckLake cannot store the FTS index tables
    outer_transaction: bool = True  # readers see the whole run at once, at commit
    restore_source: None = None  # a blocked mart rolls the whole run back instead

    @property
    def label(self) -> str:
        return f"ducklake:{self.catalog}"

    def lock(self) -> AbstractContextManager[None]:
        return db.run_lock(self.data_path / "supplyline.run")

    def peek(self) -> None:
        """No shortcut for the lake: a run is one catalog transaction whatever it holds."""
        return None

    def open(self, quiet: bool = False) -> duckdb.DuckDBPyConnection:
        con = connect_lake(self.catalog, self.data_path)
        apply_lake_ddl(con)
        con.execute("begin transaction")
        return con

    def prepare(self, con: duckdb.DuckDBPyConnection, settings) -> None:
        limit_memory(con, settings.duckdb_memory_limit, settings.data_dir / "tmp")

    def commit(self, con: duckdb.DuckDBPyConnection) -> None:
        con.execute("commit")
        con.close()

    def abort(self, con: duckdb.DuckDBPyConnection | None) -> None:
        if con is not None:
            con.close()  # closing with an open transaction rolls it back


def connect_lake(catalog: str, data_path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the lake attached as the default database."""
    con = duckdb.connect()
    # Extension paths are our own install locations; the catalog and data path are settings.
    con.execute(f"load '{db.extension_path('ducklake')}'")
    data_path.mkdir(parents=True, exist_ok=True)
    options = f"data_path '{_quote(str(data_path))}'" + (", read_only" if read_only else "")
    con.execute(f"attach 'ducklake:{_quote(catalog)}' as lake ({options})")
    con.execute("use lake")
    return con


def apply_lake_ddl(con: duckdb.DuckDBPyConnection) -> None:
    """The warehouse DDL without key constraints, which DuckLake does not support."""
    ddl = (db.HERE / "ddl.sql").read_text()
    ddl = re.sub(r",\s*primary key \([^)]*\)", "", ddl)
    con.execute(re.sub(r" primary key", "", ddl))


def _quote(value: str) -> str:
    return value.replace("'", "''")


def open_for_reading(settings) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the configured warehouse, for ad-hoc SQL."""
    if settings.lake_catalog:
        data = settings.lake_data_path or settings.data_dir / "lake"
        return connect_lake(settings.lake_catalog, Path(data).resolve(), read_only=True)
    return db.connect(settings.warehouse, read_only=True, wait_s=5.0)


def target_for(settings) -> FileWarehouse | LakeWarehouse:
    """The configured warehouse: DuckLake when SUPPLYLINE_LAKE_CATALOG is set, else the file."""
    if settings.lake_catalog:
        data = settings.lake_data_path or settings.data_dir / "lake"
        return LakeWarehouse(settings.lake_catalog, Path(data).resolve())
    return FileWarehouse(settings.warehouse.resolve())
