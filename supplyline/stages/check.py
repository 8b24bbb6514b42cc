"""Check: every check result of the run in one list, and the tables they block.

The Pandera gates ran on each group (``Loaded.checks``) and dbt ran its tests with the models
(``Built.checks``); here Great Expectations validates the marts, each declared claims-against-
tables check reports its disagreements, and a team's own SQL checks run. A night whose marts
did not change re-runs only the checks that depend on the date.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from schemas.checks import CheckResult, blocked_marts
from supplyline import expectations, reconciliations
from supplyline.reconciliations import Verdicts
from supplyline.settings import Settings
from supplyline.stages.load import Loaded
from supplyline.traced import Traced, trace_results
from warehouse import sqlchecks
from warehouse.dbt import Built


@dataclass(frozen=True)
class Checked:
    """Every result of the run, the marts an error holds back, the claims-against-tables
    verdicts per check, and where each failed or warned check's example rows came from."""

    results: tuple[CheckResult, ...]
    verdicts: tuple[Verdicts, ...] = ()
    traced: tuple[Traced, ...] = ()

    @property
    def blocked_marts(self) -> list[str]:
        return blocked_marts(self.results)


def check(
    con: duckdb.DuckDBPyConnection, loaded: Loaded, built: Built, run_id: str, settings: Settings
) -> Checked:
    """Run GX over the marts when any was rebuilt (else the date-dependent checks in SQL), and
    the team's checks; gather them with the gates' and dbt's results."""
    if built.anything:
        # A large mart this run left as it was is not read again (see run_expectations).
        only = expectations.Batches(rebuilt=built.models)
        marts = expectations.run_expectations(
            con,
            run_id,
            settings.data_docs_dir,
            freshness_days=settings.freshness_days,
            batches=only,
        )
        if reconciliations.MART not in built.unbuilt:  # else its build error says why
            marts += reconciliations.check_results(con)
        prune_data_docs(settings.data_docs_dir, settings.data_docs_keep)
    else:  # same marts as the last run: only freshness and volume can change
        marts = expectations.run_date_checks(con, run_id, freshness_days=settings.freshness_days)
    extra = settings.extra_checks_dir
    team = sqlchecks.run_checks(con, extra) if extra else []
    results = (*loaded.checks, *built.checks, *marts, *team)
    # Traced now, while the run's warehouse is open: the alert names each row's file and place.
    return Checked(results, reconciliations.verdicts(con), trace_results(con, results))


def prune_data_docs(folder: Path, keep: int) -> list[Path]:
    """Keep the Data Docs of the ``keep`` newest runs (one sub-folder each); returns the rest,
    removed."""
    runs = sorted(
        (p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else [],
        key=lambda p: p.stat().st_mtime_ns,
        reverse=True,
    )
    for old in runs[keep:]:
        shutil.rmtree(old, ignore_errors=True)
    return runs[keep:]
