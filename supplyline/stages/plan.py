"""Plan: what each inbox file is (new, unchanged, duplicate, skipped) against the published
ledger, in groups of new files, and whether the night is quiet."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from supplyline.inbox import InboxFile
from transforms.ledger import SCANNED_SCHEMA, group_plan, plan_ingest
from warehouse import db, load


@dataclass(frozen=True)
class InboxGroup:
    """One group of a night's work: plan rows (path, sha256, action, version, duplicate_of...)
    and the scanned files they name."""

    rows: pl.DataFrame
    files: Mapping[str, InboxFile]


@dataclass(frozen=True)
class Plan:
    """What a run will do before it opens the warehouse for writing.

    ``project_changed``: the dbt project or its seeds differ from the last published build,
    whose manifest the warehouse kept (``manifest``). ``quiet``: nothing new and nothing
    changed, so the marts stay as they are.
    """

    groups: tuple[Any, ...] = ()
    quiet: bool = False
    files_unchanged: int = 0
    project_changed: bool = True
    manifest: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Published:
    """What the published warehouse says about itself."""

    ledger: pl.DataFrame
    project_changed: bool
    manifest: str | None


def plan(target: Any, files: tuple[InboxFile, ...], reference_dir: Path, group_bytes: int) -> Plan:
    """Plan the scanned ``files`` against the published warehouse, read-only."""
    published = read_published(target, reference_dir)
    scanned = pl.DataFrame(
        [
            {
                "path": f.path,
                "sha256": f.sha256,
                "size_bytes": f.size_bytes,
                "format": f.format,
                "kind": f.kind,
                "skip_reason": f.skip_reason,
            }
            for f in files
        ],
        schema=SCANNED_SCHEMA,
    )
    todo = plan_ingest(scanned, published.ledger)
    unchanged = int(todo.get_column("action").eq("unchanged").sum())
    by_path = {f.path: f for f in files}
    groups = tuple(
        InboxGroup(rows, {p: by_path[p] for p in rows.get_column("path")})
        for rows in group_plan(todo, group_bytes)
    )
    quiet = not groups and not published.project_changed
    return Plan(groups, quiet, unchanged, published.project_changed, published.manifest)


def read_published(target: Any, reference_dir: Path, ledger: bool = True) -> Published:
    """The published ledger and build state (empty before the first run)."""
    con = target.peek()
    if con is None:
        return Published(load.read_ledger(None), True, None)
    try:
        built = db.read_state(con, "marts_built_from") == db.build_fingerprint(reference_dir)
        manifest = None if built else (db.read_state(con, "dbt_manifest") or None)
        return Published(load.read_ledger(con if ledger else None), not built, manifest)
    finally:
        con.close()
