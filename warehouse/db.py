"""DuckDB connections, the loaders' DDL, run state, the full-text index, the run lock and the
atomic publish of a working copy. The SQL models and tests are the dbt project beside this file
(``warehouse/dbt.py`` runs it)."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb

from schemas.checks import SAMPLE_SIZE, plain

HERE = Path(__file__).resolve().parent
# The files of the dbt project whose change can change a mart (seeds are hashed separately).
PROJECT_FILES = ("dbt_project.yml", "ddl.sql", "models/**/*", "tests/**/*", "macros/**/*")
SEEDS = ("aliases.csv", "metrics.csv", "demonyms.csv")  # reference CSVs the models read (seeds)
# Reference data the models read that Python loads (declarations with lists, validated first).
REFERENCE_SOURCES = ("reconciliations.yaml",)


def extension_path(name: str) -> Path:
    """Path of a DuckDB extension shipped in its PyPI wheel (no download at run time)."""
    module = __import__(f"duckdb_extension_{name}")
    found = sorted(Path(str(module.__file__)).parent.glob(f"extensions/*/{name}.duckdb_extension"))
    if not found:
        raise RuntimeError(
            f"DuckDB extension {name!r} is not installed (pip install duckdb-extension-{name})"
        )
    return found[-1]


def connect(
    path: Path | str = ":memory:", read_only: bool = False, wait_s: float = 0.0
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse (or an in-memory database) with the FTS extension loaded.

    ``wait_s``: keep trying that long while another process holds the file's lock (a quiet
    nightly run writes its run record in place for well under a second).
    """
    deadline = time.monotonic() + wait_s
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as exc:
            if not is_lock_conflict(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.05)
    # The path is our own install location, never input text; LOAD takes no parameters.
    con.execute(f"load '{extension_path('fts')}'")
    return con


def is_lock_conflict(exc: Exception) -> bool:
    """DuckDB refused the file because another process holds it (not "block", as in a damaged
    file's checksum error)."""
    text = str(exc).lower()
    return "could not set lock" in text or "conflicting lock" in text


def apply_ddl(con: duckdb.DuckDBPyConnection) -> None:
    """Create every schema and loader-owned table that does not exist yet (converting an earlier
    version's raw table rows first, see ``warehouse/upgrade.py``)."""
    from warehouse.upgrade import apply_with_upgrade  # it builds on this module

    ddl = (HERE / "ddl.sql").read_text()
    apply_with_upgrade(con, lambda: con.execute(ddl))


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> Any:
    """The single value a query of ours returns (an aggregate, a setting)."""
    row = con.execute(sql, params or []).fetchone()
    if row is None:
        raise LookupError(f"no row from: {sql[:80]}")
    return row[0]


def sample_rows(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[dict, ...]:
    """The first few rows of a query of our own (a check's), JSON-friendly."""
    cur = con.execute(f"select * from ({sql}) limit {SAMPLE_SIZE}")
    cols = [d[0] for d in cur.description]
    return tuple({c: plain(v) for c, v in zip(cols, row, strict=True)} for row in cur.fetchall())


def build_fingerprint(reference_dir: Path, project: Path = HERE) -> str:
    """Hash of everything the marts are derived from besides the data: the dbt project and the
    reference data it seeds or loads. Equal fingerprints mean the same SQL over the same seeds."""
    digest = hashlib.sha256()
    files = {p for pattern in PROJECT_FILES for p in project.glob(pattern) if p.is_file()}
    named = sorted((p.relative_to(project).as_posix(), p) for p in files)
    named += [(f"seeds/{name}", Path(reference_dir) / name) for name in SEEDS]
    named += [
        (f"reference/{name}", Path(reference_dir) / name)
        for name in REFERENCE_SOURCES
        if (Path(reference_dir) / name).is_file()
    ]
    for name, path in named:
        digest.update(name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def read_state(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    """A value the previous successful run left in ops.state (None before the first one)."""
    try:
        row = con.execute("select value from ops.state where key = ?", [key]).fetchone()
    except duckdb.CatalogException:  # a warehouse from before ops.state: nothing recorded
        return None
    return row[0] if row else None


def write_state(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    """Record a value for the next run (delete + insert: DuckLake has no upsert)."""
    con.execute("delete from ops.state where key = ?", [key])
    con.execute("insert into ops.state values (?, ?, current_timestamp::timestamp)", [key, value])


def build_fts_index(con: duckdb.DuckDBPyConnection) -> None:
    """Full-text index over titles and text; query with ``fts_marts_documents.match_bm25(doc_id, q)``."""
    con.execute(
        "pragma create_fts_index('marts.documents', 'doc_id', 'title', 'text', "
        "stemmer='english', overwrite=1)"
    )


def refresh_fts_index(con: duckdb.DuckDBPyConnection, rebuild_share: float = 0.3) -> str:
    """Bring the full-text index up to date with marts.documents; returns how ("built" or
    "updated").

    The extension can only rebuild, which reads every document (about 50 s for 100,000 reports
    here); ``fts_update.sql`` indexes only the documents that entered or left the mart, with
    the same result. A full build still runs when there is no index yet or when more than
    ``rebuild_share`` of the documents changed.
    """
    exists = scalar(
        con,
        "select count(*) from duckdb_tables() where database_name = current_database() "
        "and schema_name = 'fts_marts_documents' and table_name = 'docs'",
    )
    if exists:
        indexed = scalar(con, "select count(*) from fts_marts_documents.docs")
        changed = scalar(
            con,
            "select (select count(*) from (select doc_id from marts.documents "
            "except select name from fts_marts_documents.docs)) + (select count(*) from ("
            "select name from fts_marts_documents.docs except select doc_id from marts.documents))",
        )
        if indexed and changed <= rebuild_share * indexed:
            con.execute((HERE / "fts_update.sql").read_text())
            con.execute(
                "drop table if exists fts_gone; drop table if exists fts_new; "
                "drop table if exists fts_new_tokens"
            )
            return "updated"
    build_fts_index(con)
    return "built"


class RunInProgress(RuntimeError):
    """Another run holds the warehouse lock."""


def lock_holder(warehouse: Path) -> str | None:
    """Who holds the run lock right now (None when free); does not take it."""
    lock_path = warehouse.with_name(warehouse.name + ".lock")
    if not lock_path.exists():
        return None
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            return handle.read().strip() or "another process"
        fcntl.flock(handle, fcntl.LOCK_UN)
    return None


@contextlib.contextmanager
def run_lock(warehouse: Path) -> Iterator[None]:
    """Exclusive lock for one run; the OS drops it when the process dies, so none goes stale."""
    lock_path = warehouse.with_name(warehouse.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise RunInProgress(
                f"a run is already in progress ({holder}); try again later"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def working_copy(warehouse: Path) -> Path:
    """A private copy of the published warehouse for this run to write (readers keep the original)."""
    work = warehouse.with_name(warehouse.name + ".work")
    for stale in (work, work.with_name(work.name + ".wal")):
        stale.unlink(missing_ok=True)
    if warehouse.exists():
        shutil.copyfile(warehouse, work)
    return work


def publish(work: Path, warehouse: Path, before_swap: Callable[[], None] = lambda: None) -> None:
    """Atomically replace the published warehouse with the finished working copy.

    ``before_swap`` runs after the copy is on disk and before the rename (the fault tests kill
    the process there).
    """
    con = duckdb.connect(str(work))
    con.execute("checkpoint")
    con.close()
    with open(work, "rb") as handle:
        os.fsync(handle.fileno())
    before_swap()
    os.replace(work, warehouse)


def discard(work: Path) -> None:
    """Drop a working copy after a failed run; the published warehouse is untouched."""
    for path in (work, work.with_name(work.name + ".wal")):
        path.unlink(missing_ok=True)
