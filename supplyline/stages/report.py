"""Report: the run's HTML report (``supplyline/desk/report.py``), written beside the published
warehouse once the run is published; the alert links it."""

from __future__ import annotations

from pathlib import Path

from supplyline.desk.report import write_after_run
from supplyline.run import Run, RunSummary
from supplyline.settings import Settings


def report(run: Run, summary: RunSummary, settings: Settings) -> Path | None:
    """Write the report of a published run; a run that published nothing gets none (nor does a
    DuckLake run). A report that cannot be written is logged, never a reason to fail."""
    if not summary.publishable:
        return None
    return write_after_run(settings, run.run_id)
