"""Alert: email (or queue in the outbox) what went wrong in a run."""

from __future__ import annotations

import polars as pl

from supplyline.alerts import AlertReport, FileNote, send_run_alert
from supplyline.desk.report import report_path
from supplyline.run import Run, RunSummary
from supplyline.settings import Settings
from supplyline.stages.check import Checked
from supplyline.stages.load import Loaded


def alert(
    run: Run, summary: RunSummary, loaded: Loaded, checked: Checked, settings: Settings
) -> str:
    """Send the run's alert when it has something to say; returns what happened to it."""
    files = loaded.files
    failed = files.filter(pl.col("status") == "failed")
    skipped = files.filter(
        (pl.col("status") == "skipped")
        | ((pl.col("status") == "loaded") & (pl.col("rows_skipped") > 0))
    )
    not_loaded = (
        {}
        if summary.status == "completed"
        else {"warehouse": summary.message or "run failed; the published warehouse is unchanged"}
    )
    docs = settings.data_docs_dir / run.run_id
    page = report_path(settings.warehouse, run.run_id)  # written by the report stage, if it ran
    report = AlertReport(
        run_id=run.run_id,
        run_date=run.started.date(),
        flow_name=run.kind,
        checks=checked.results,
        failed_files=[FileNote(p, e) for p, e in failed.select("path", "error").iter_rows()],
        loaded={k: v for k, v in loaded.rows.items() if v},
        not_loaded=not_loaded,
        quarantined_rows=loaded.quarantined,
        warehouse_path=run.warehouse,
        data_docs_path=str(docs) if docs.exists() else None,
        skipped_files=[
            FileNote(p, e if s == "skipped" else n)
            for p, e, n, s in skipped.select("path", "error", "note", "status").iter_rows()
        ],
        reconciliations=checked.verdicts,
        report_path=str(page) if summary.publishable and page.exists() else None,
    )
    return send_run_alert(report, settings).summary()
