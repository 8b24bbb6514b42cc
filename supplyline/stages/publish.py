"""Publish: make a checked build visible to readers, or leave the published warehouse as it was.

A mart an error check blocks is put back as readers have it now (with every mart built from
it); the full-text index follows the documents mart; the run's record, its check results and
what the marts were built from are written last, and the target makes it all visible at once.
"""

from __future__ import annotations

from typing import Any

import duckdb

from schemas.checks import results_frame
from supplyline import expectations
from supplyline.run import Run, RunSummary, utcnow
from supplyline.stages.check import Checked
from warehouse import db, dbt, restore
from warehouse.load import append_rows


def publish(
    con: duckdb.DuckDBPyConnection,
    target: Any,
    run: Run,
    summary: RunSummary,
    built: dbt.Built,
    checked: Checked,
) -> None:
    """Publish the run if its checks allow it; otherwise discard what it wrote."""
    if not summary.publishable:
        target.abort(con)
        return
    blocked = checked.blocked_marts
    published = target.published()
    if blocked and published is not None:
        restore.restore_tables(con, published, dbt.with_downstream(blocked, built.graph))
        expectations.record_mart_counts(
            con, run.run_id
        )  # the next volume check compares with these
    if target.supports_fts and "marts.documents" in (*built.models, *blocked):
        db.refresh_fts_index(con)
    with target.publishing(con, run.run_id):
        if (
            built.manifest is not None and built.fingerprint is not None
        ):  # dbt ran: remember what from
            # A blocked mart must be rebuilt (and fail again) until its cause is fixed.
            db.write_state(con, "marts_built_from", "blocked" if blocked else built.fingerprint)
            db.write_state(con, "dbt_manifest", "" if blocked else built.manifest)
        append_rows(con, "dq.check_results", results_frame(checked.results, run.run_id, utcnow()))
        _record(con, run, summary)
    target.commit(con)


def _record(con: duckdb.DuckDBPyConnection, run: Run, s: RunSummary) -> None:
    con.execute("delete from ops.runs where run_id = ?", [run.run_id])
    con.execute(
        "insert into ops.runs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run.run_id,
            run.run_id,
            run.started,
            utcnow(),
            s.status,
            run.inbox,
            s.files_new,
            s.files_unchanged,
            s.files_duplicate,
            s.files_failed,
            s.files_skipped,
            s.claims_loaded,
            s.shipments_loaded,
            s.entities_loaded,
            s.checks_failed,
            s.rows_quarantined,
            s.alert,
            s.message,
        ],
    )
