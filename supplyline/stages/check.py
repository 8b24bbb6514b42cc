"""Check: every check result of the run in one list, and the tables they block.

The Pandera gates ran on each group (``Loaded.checks``) and dbt ran its tests with the models
(``Built.checks``); here Great Expectations validates the marts and a team's own SQL checks run.
A night whose marts did not change re-runs only the checks that depend on the date.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from schemas.checks import CheckResult, blocked_marts
from supplyline import expectations
from supplyline.stages.load import Loaded
from warehouse import sqlchecks
from warehouse.dbt import Built


@dataclass(frozen=True)
class Checked:
    """Every result of the run, and the marts an error holds back."""

    results: tuple[CheckResult, ...]

    @property
    def blocked_marts(self) -> list[str]:
        return blocked_marts(self.results)


def check(con: duckdb.DuckDBPyConnection, loaded: Loaded, built: Built, run_id: str, data_docs: Path,
          extra_checks: Path | None) -> Checked:
    """Run GX over the marts when any was rebuilt (else the date-dependent checks in SQL), and
    the team's checks; gather them with the gates' and dbt's results."""
    if built.anything:
        marts = expectations.run_expectations(con, run_id, data_docs)
    else:  # same marts as the last run: only freshness and volume can change
        marts = expectations.run_date_checks(con, run_id)
    team = sqlchecks.run_checks(con, extra_checks) if extra_checks else []
    return Checked((*loaded.checks, *built.checks, *marts, *team))
