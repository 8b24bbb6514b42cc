"""DuckDB connections, DDL, SQL models, assertions and the atomic publish of the warehouse."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from supplyline.faults import crash_point

HERE = Path(__file__).resolve().parent
MODELS_DIR = HERE / "models"
ASSERTIONS_DIR = HERE / "assertions"
_REF = re.compile(r"\b(staging|marts)\.([a-z_][a-z0-9_]*)\b")


def extension_path(name: str) -> Path:
    """Path of a DuckDB extension shipped in its PyPI wheel (no download at run time)."""
    module = __import__(f"duckdb_extension_{name}")
    found = sorted(Path(module.__file__).parent.glob(f"extensions/*/{name}.duckdb_extension"))
    if not found:
        raise RuntimeError(f"DuckDB extension {name!r} is not installed (pip install duckdb-extension-{name})")
    return found[-1]


def connect(path: Path | str = ":memory:", read_only: bool = False, wait_s: float = 0.0) -> duckdb.DuckDBPyConnection:
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
    """DuckDB refused the file because another process holds it."""
    return "lock" in str(exc).lower()


def apply_ddl(con: duckdb.DuckDBPyConnection) -> None:
    """Create every schema and loader-owned table that does not exist yet."""
    con.execute((HERE / "ddl.sql").read_text())


@dataclass(frozen=True)
class Model:
    """One SQL model: a select materialised as ``schema.name``."""

    schema: str
    name: str
    sql: str
    materialized: str  # table | view

    @property
    def target(self) -> str:
        return f"{self.schema}.{self.name}"


def load_models(models_dir: Path = MODELS_DIR) -> list[Model]:
    """All models under models/<schema>/<name>.sql, ordered so dependencies come first."""
    models = {}
    for path in sorted(models_dir.glob("*/*.sql")):
        sql = path.read_text()
        mat = re.search(r"--\s*materialized:\s*(\w+)", sql)
        model = Model(path.parent.name, path.stem, sql, mat.group(1) if mat else "table")
        models[model.target] = model
    ordered: list[Model] = []
    visiting: set[str] = set()

    def visit(target: str) -> None:
        if target in visiting or any(m.target == target for m in ordered):
            return
        visiting.add(target)
        for ref in {f"{s}.{n}" for s, n in _REF.findall(models[target].sql)}:
            if ref in models and ref != target:
                visit(ref)
        ordered.append(models[target])

    for target in models:
        visit(target)
    return ordered


def run_models(con: duckdb.DuckDBPyConnection, models: list[Model] | None = None,
               changed: set[str] | None = None) -> list[str]:
    """Rebuild the SQL models in dependency order; returns the ones rebuilt.

    With ``changed`` (the relations this run wrote), a model is rebuilt only when a relation it
    reads changed or was rebuilt, or when it does not exist yet: a night of new reports leaves a
    ten-million-row shipments mart as it is. Without it, every model is rebuilt.
    """
    dirty = set(changed) if changed is not None else None
    built = []
    for model in models or load_models():
        reads = {f"{s}.{n}" for s, n in _REF.findall(model.sql)} - {model.target}
        if dirty is not None and not (reads & dirty) and _relation_exists(con, model.target):
            continue
        kind = "view" if model.materialized == "view" else "table"
        con.execute(f"create or replace {kind} {model.target} as\n{model.sql}")
        built.append(model.target)
        if dirty is not None:
            dirty.add(model.target)
    return built


def _relation_exists(con: duckdb.DuckDBPyConnection, target: str) -> bool:
    schema, name = target.split(".", 1)
    return bool(con.execute(
        "select count(*) from duckdb_tables() where database_name = current_database() "
        "and schema_name = ? and table_name = ?", [schema, name]).fetchone()[0] or con.execute(
        "select count(*) from duckdb_views() where database_name = current_database() "
        "and schema_name = ? and view_name = ?", [schema, name]).fetchone()[0])


def build_fingerprint(reference_dir: Path) -> str:
    """Hash of everything the marts are derived from besides staging: SQL and reference data."""
    digest = hashlib.sha256()
    reference = Path(reference_dir)
    data = [*reference.glob("*.csv"), *reference.glob("*.yaml"), *reference.glob("shapes/*.y*ml")]
    for path in sorted([*HERE.glob("models/*/*.sql"), *HERE.glob("ddl.sql"), *data]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def read_state(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    """A value the previous successful run left in ops.state."""
    row = con.execute("select value from ops.state where key = ?", [key]).fetchone()
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
    exists = con.execute(
        "select count(*) from duckdb_tables() where database_name = current_database() "
        "and schema_name = 'fts_marts_documents' and table_name = 'docs'"
    ).fetchone()[0]
    if exists:
        indexed = con.execute("select count(*) from fts_marts_documents.docs").fetchone()[0]
        changed = con.execute(
            "select (select count(*) from (select doc_id from marts.documents "
            "except select name from fts_marts_documents.docs)) + (select count(*) from ("
            "select name from fts_marts_documents.docs except select doc_id from marts.documents))"
        ).fetchone()[0]
        if indexed and changed <= rebuild_share * indexed:
            con.execute((HERE / "fts_update.sql").read_text())
            con.execute("drop table if exists fts_gone; drop table if exists fts_new; "
                        "drop table if exists fts_new_tokens")
            return "updated"
    build_fts_index(con)
    return "built"


@dataclass(frozen=True)
class AssertionResult:
    """Outcome of one zero-row assertion: offending rows found (0 means it holds)."""

    name: str
    table: str
    severity: str
    failing_count: int
    sample: list[dict]


def run_assertions(con: duckdb.DuckDBPyConnection, folder: Path = ASSERTIONS_DIR) -> list[AssertionResult]:
    """Run every assertion query; each returns the rows that break it."""
    results = []
    for path in sorted(folder.glob("*.sql")):
        sql = path.read_text()
        table = re.search(r"--\s*table:\s*([\w.]+)", sql)
        severity = re.search(r"--\s*severity:\s*(\w+)", sql)
        cur = con.execute(f"select * from ({sql}) limit 1000")
        cols = [d[0] for d in cur.description]
        rows = cur.fetchall()
        results.append(
            AssertionResult(
                name=path.stem,
                table=table.group(1) if table else "",
                severity=severity.group(1) if severity else "error",
                failing_count=len(rows),
                sample=[dict(zip(cols, r, strict=True)) for r in rows[:5]],
            )
        )
    return results


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
            raise RunInProgress(f"a run is already in progress ({holder}); try again later") from None
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


def publish(work: Path, warehouse: Path) -> None:
    """Atomically replace the published warehouse with the finished working copy."""
    con = duckdb.connect(str(work))
    con.execute("checkpoint")
    con.close()
    with open(work, "rb") as handle:
        os.fsync(handle.fileno())
    crash_point("publish")
    os.replace(work, warehouse)


def discard(work: Path) -> None:
    """Drop a working copy after a failed run; the published warehouse is untouched."""
    for path in (work, work.with_name(work.name + ".wal")):
        path.unlink(missing_ok=True)
