"""A team's own zero-row SQL checks (``SUPPLYLINE_EXTRA_CHECKS_DIR``), outside the dbt project.

Each ``.sql`` file selects the rows that break a rule and starts with ``-- table:`` (the table
it guards) and ``-- severity:`` (``error``, the default, or ``warn``) lines. The project's own tests are dbt
tests (``warehouse/tests``); these let a team add rules without touching it.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from schemas.checks import CheckResult, severity
from warehouse import db

_HEADER = re.compile(r"^--\s*(table|severity):\s*([\w.]+)\s*$", re.M)


def run_checks(
    con: duckdb.DuckDBPyConnection, folder: Path, tool: str = "team"
) -> list[CheckResult]:
    """Run every check in ``folder``; each counts the rows its query returns."""
    results = []
    for path in sorted(Path(folder).glob("*.sql")):
        sql = path.read_text()
        header = dict(_HEADER.findall(sql))
        failing = db.scalar(con, f"select count(*) from ({sql})")
        sample = db.sample_rows(con, sql) if failing else ()
        results.append(
            CheckResult(
                path.stem,
                header.get("table", ""),
                tool,
                severity(header.get("severity", "error"), "warn"),
                failing,
                sample,
            )
        )
    return results
