"""Build: the SQL models and tests (dbt) over what the groups loaded."""

from __future__ import annotations

import hashlib
import os
from typing import Any

import duckdb
import polars as pl

from supplyline import reconciliations
from supplyline.settings import Settings
from supplyline.stages.load import Loaded
from supplyline.stages.plan import Plan
from warehouse import dbt


def build(
    con: duckdb.DuckDBPyConnection, target: Any, plan: Plan, loaded: Loaded, settings: Settings
) -> dbt.Built:
    """``dbt build`` what reads the relations this run changed (the declared
    claims-against-tables checks among them), and what changed in the project since the last
    published build; nothing at all on a quiet night."""
    if plan.quiet:
        return dbt.Built()
    declared = reconciliations.write_declared(con, settings.reference_dir)
    changed = loaded.changed | ({reconciliations.TABLE} if declared else set())
    if "ops.files" in changed and not loaded.files.filter(pl.col("kind") == "table").height:
        changed = (changed - {"ops.files"}) | {dbt.TEXT_FILES}  # the table marts read nothing new
    selection = dbt.select(changed, plan.project_changed, plan.manifest)
    if selection.empty:
        return dbt.Built()
    # One dbt folder per warehouse: its partial parse and artifacts are reused night to night.
    folder = settings.data_dir / "dbt" / hashlib.sha256(target.label.encode()).hexdigest()[:12]
    profile = target.dbt_profile(threads=min(4, len(os.sched_getaffinity(0))))
    return dbt.build(con, profile, selection, dbt.Project(folder, settings.reference_dir))
