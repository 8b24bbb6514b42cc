"""Where a run writes: one DuckDB file (built in a working copy, then swapped in) or a DuckLake
(catalog in a DuckDB file or PostgreSQL, data as Parquet).

Both give a run the same handful of operations: ``peek`` (read the published state to plan),
``open`` (the connection the run writes), ``dbt_profile`` (dbt builds on that same database),
``published`` (where a blocked mart's last good version is read), ``publishing`` (the final
writes) and ``commit`` / ``abort``. Fault points are passed in by the caller (``faults``), so
the warehouse never imports the application.
"""

from __future__ import annotations

import contextlib
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from warehouse import db
from warehouse.dbt import Profile
from warehouse.restore import Published, PublishedFile, PublishedSnapshot
from warehouse.upgrade import apply_with_upgrade

Faults = Callable[[str], None]
LAKE_DATABASE = ":memory:supplyline_lake"  # one named in-memory instance, shared with dbt
PUBLISH_MESSAGE = "supplyline publish"


def _no_fault(_stage: str) -> None:
    return None


class WarehouseDamaged(RuntimeError):
    """The warehouse file cannot be read as a DuckDB database; it is left as it is."""

    clear = True  # its message is written for people: a failed run shows it whole


def damaged(path: Path, exc: Exception) -> WarehouseDamaged:
    """The clear error for a warehouse file DuckDB refuses (truncated, overwritten, corrupt)."""
    why = " ".join(str(exc).split())[:300]
    return WarehouseDamaged(
        f"the warehouse file {path} is damaged ({why}); it was left as it is: restore it from a "
        "copy, or move it away to start a new warehouse"
    )


def limit_memory(con: duckdb.DuckDBPyConnection, memory_limit: str, spill_dir: Path) -> None:
    """Cap DuckDB's buffer pool (its default is 80% of RAM, on top of the run's own frames)."""
    spill_dir.mkdir(parents=True, exist_ok=True)
    # SET takes no parameters; both values come from settings, and the size is checked first.
    if not re.fullmatch(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", memory_limit.strip(), re.I):
        raise ValueError(
            f"SUPPLYLINE_DUCKDB_MEMORY_LIMIT must be a size like 4GB, not {memory_limit!r}"
        )
    con.execute(f"set memory_limit = '{memory_limit.strip()}'")
    con.execute(f"set temp_directory = '{_quote(str(spill_dir))}'")


@dataclass(frozen=True)
class Memory:
    """DuckDB's memory cap for a run and the folder it spills to beyond it."""

    limit: str = "2GB"
    spill_dir: Path = Path("data/tmp")

    def apply(self, con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
        limit_memory(con, self.limit, self.spill_dir)
        return con


@dataclass
class FileWarehouse:
    """The default: readers keep the published file while a run builds the next one."""

    path: Path
    faults: Faults = _no_fault
    memory: Memory = Memory()
    supports_fts: bool = True
    _work: Path | None = field(default=None, init=False)
    in_place: bool = field(default=False, init=False)

    @property
    def label(self) -> str:
        return str(self.path)

    def lock(self) -> AbstractContextManager[None]:
        return db.run_lock(self.path)

    def peek(self) -> duckdb.DuckDBPyConnection | None:
        """A read-only look at the published file (None when there is none yet)."""
        if not self.path.exists():
            return None
        try:
            return db.connect(self.path, read_only=True, wait_s=5.0)
        except duckdb.Error as exc:
            if db.is_lock_conflict(exc):
                raise
            raise damaged(self.path, exc) from exc

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
                db.apply_ddl(self.memory.apply(con))
                con.execute("begin transaction")
                self.in_place = True
                return con
        work = self.path.with_name(self.path.name + ".work")
        try:
            self._work = db.working_copy(self.path)
        except OSError:  # a disk too full for the copy: leave no half copy behind
            db.discard(work)
            raise
        try:
            con = db.connect(self._work)
        except duckdb.Error as exc:  # the copy is the published file's bytes
            db.discard(self._work)
            raise damaged(self.path, exc) from exc
        self.memory.apply(con)
        db.apply_ddl(con)
        return con

    def dbt_profile(self, threads: int) -> Profile:
        """dbt builds in the working copy this run holds open."""
        if self._work is None:
            raise RuntimeError("the models are only built in a working copy")
        return Profile(str(self._work), threads=threads)

    def published(self) -> Published | None:
        """The published file, from which a blocked mart's last good version is copied back."""
        return None if self.in_place else PublishedFile(self.path)

    @contextlib.contextmanager
    def publishing(self, con: duckdb.DuckDBPyConnection, run_id: str) -> Iterator[None]:
        """The run's last writes (its record, state, check results) go straight in."""
        yield

    def commit(self, con: duckdb.DuckDBPyConnection) -> None:
        if self.in_place:
            con.execute("commit")
            con.close()
            return
        con.close()
        if self._work is None:
            raise RuntimeError("nothing to publish: the run did not open a working copy")
        db.publish(self._work, self.path, before_swap=lambda: self.faults("publish"))

    def abort(self, con: duckdb.DuckDBPyConnection | None) -> None:
        if con is not None:
            con.close()  # an in-place run's open transaction rolls back
        if self._work is not None:
            db.discard(self._work)


@dataclass
class LakeWarehouse:
    """DuckLake: many readers on many machines, one writer.

    A run's loads and models commit as they go; the run is published by its last transaction,
    whose commit message marks the snapshot (``PUBLISH_MESSAGE``). ``supplyline sql`` reads the
    newest published snapshot, so readers see whole runs. A blocked mart is restored from the
    snapshot the previous run published. A run that writes first marks the marts as being
    built, so one that follows a killed or failed run rebuilds all of them.
    """

    catalog: str
    data_path: Path
    faults: Faults = _no_fault
    memory: Memory = Memory()
    supports_fts: bool = False  # DuckLake cannot store the FTS index tables
    _published: int | None = field(default=None, init=False)
    _in_transaction: bool = field(default=False, init=False)

    @property
    def label(self) -> str:
        return f"ducklake:{self.catalog}"

    def lock(self) -> AbstractContextManager[None]:
        return db.run_lock(self.data_path / "supplyline.run")

    def peek(self) -> duckdb.DuckDBPyConnection | None:
        """A read-only look at the lake's newest snapshot (None before the first run)."""
        if not self.catalog.startswith("postgres:") and not Path(self.catalog).exists():
            return None
        return connect_lake(self.catalog, self.data_path, read_only=True)

    def open(self, quiet: bool = False) -> duckdb.DuckDBPyConnection:
        con = self.memory.apply(connect_lake(self.catalog, self.data_path, database=LAKE_DATABASE))
        apply_lake_ddl(con)
        self._published = published_snapshot(con)
        if quiet:  # nothing to load: the run's few writes are one transaction
            con.execute("begin transaction")
            self._in_transaction = True
        else:
            db.write_state(con, "marts_built_from", "building")
            con.execute("delete from ops.state where key = 'dbt_manifest'")
        return con

    def dbt_profile(self, threads: int) -> Profile:
        """dbt shares the run's in-memory database, where the lake is attached as ``lake``."""
        attach = {
            "path": f"ducklake:{self.catalog}",
            "alias": "lake",
            "options": {"data_path": str(self.data_path)},
        }
        return Profile(LAKE_DATABASE, database="lake", attach=(attach,), threads=1)

    def published(self) -> Published | None:
        return PublishedSnapshot(self._published)

    @contextlib.contextmanager
    def publishing(self, con: duckdb.DuckDBPyConnection, run_id: str) -> Iterator[None]:
        """The run's last writes as one transaction, marked as this run's publish."""
        if not self._in_transaction:
            con.execute("begin transaction")
            self._in_transaction = True
        yield
        con.execute(
            "call lake.set_commit_message('supplyline', ?)", [f"{PUBLISH_MESSAGE} {run_id}"]
        )

    def commit(self, con: duckdb.DuckDBPyConnection) -> None:
        self.faults("publish")
        con.execute("commit")
        con.close()

    def abort(self, con: duckdb.DuckDBPyConnection | None) -> None:
        if con is not None:
            con.close()  # an open transaction rolls back; readers keep the published snapshot


def connect_lake(
    catalog: str,
    data_path: Path,
    read_only: bool = False,
    database: str = ":memory:",
    snapshot: int | None = None,
) -> duckdb.DuckDBPyConnection:
    """A DuckDB with the lake attached as ``lake`` and used as the default database."""
    con = duckdb.connect(database)
    # Extension paths are our own install locations; the catalog and data path are settings.
    con.execute(f"load '{db.extension_path('ducklake')}'")
    data_path.mkdir(parents=True, exist_ok=True)
    options = f"data_path '{_quote(str(data_path))}'" + (", read_only" if read_only else "")
    if snapshot is not None:
        options += f", snapshot_version {int(snapshot)}"
    con.execute(f"attach if not exists 'ducklake:{_quote(catalog)}' as lake ({options})")
    con.execute("use lake")
    return con


def published_snapshot(con: duckdb.DuckDBPyConnection) -> int | None:
    """The newest snapshot a run published (None before the first publish)."""
    return db.scalar(
        con,
        "select max(snapshot_id) from ducklake_snapshots('lake') where commit_message like ?",
        [f"{PUBLISH_MESSAGE} %"],
    )


def apply_lake_ddl(con: duckdb.DuckDBPyConnection) -> None:
    """The warehouse DDL without key constraints, which DuckLake does not support."""
    ddl = (db.HERE / "ddl.sql").read_text()
    ddl = re.sub(r" primary key", "", re.sub(r",\s*primary key \([^)]*\)", "", ddl))
    apply_with_upgrade(con, lambda: con.execute(ddl))


def _quote(value: str) -> str:
    return value.replace("'", "''")


def open_for_reading(settings) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the configured warehouse, for ad-hoc SQL: the published file,
    or the lake as its last published run left it."""
    if settings.lake_catalog:
        data = Path(settings.lake_data_path or settings.data_dir / "lake").resolve()
        con = connect_lake(settings.lake_catalog, data, read_only=True)
        version = published_snapshot(con)
        if version is None:
            return con
        con.close()
        return connect_lake(settings.lake_catalog, data, read_only=True, snapshot=version)
    return db.connect(settings.warehouse, read_only=True, wait_s=5.0)


def docs_profile(settings, scratch: Path) -> Profile:
    """Where ``dbt docs generate`` reads the catalogue: a copy of the published file (dbt opens
    its database for writing, and readers must never wait), or the lake attached read-only."""
    if settings.lake_catalog:
        data = Path(settings.lake_data_path or settings.data_dir / "lake").resolve()
        attach = {
            "path": f"ducklake:{settings.lake_catalog}",
            "alias": "lake",
            "options": {"data_path": str(data), "read_only": True},
        }
        return Profile(":memory:supplyline_docs", database="lake", attach=(attach,), threads=1)
    scratch.mkdir(parents=True, exist_ok=True)
    copy = scratch / "published-copy.duckdb"
    source = Path(settings.warehouse).resolve()
    # A read-only connection keeps writers out while the file (and any log) is copied.
    con = db.connect(source, read_only=True, wait_s=5.0)
    try:
        for suffix in ("", ".wal"):
            target = copy.with_name(copy.name + suffix)
            target.unlink(missing_ok=True)
            if source.with_name(source.name + suffix).exists():
                shutil.copyfile(source.with_name(source.name + suffix), target)
    finally:
        con.close()
    return Profile(str(copy), threads=1)


def target_for(settings, faults: Faults = _no_fault) -> FileWarehouse | LakeWarehouse:
    """The configured warehouse: DuckLake when SUPPLYLINE_LAKE_CATALOG is set, else the file."""
    memory = Memory(settings.duckdb_memory_limit, settings.data_dir / "tmp")
    if settings.lake_catalog:
        data = settings.lake_data_path or settings.data_dir / "lake"
        return LakeWarehouse(settings.lake_catalog, Path(data).resolve(), faults, memory)
    return FileWarehouse(settings.warehouse.resolve(), faults, memory)
