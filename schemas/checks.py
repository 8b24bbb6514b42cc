"""One result type for every check a run makes, and the one place that decides what a result
means: Pandera gates, dbt tests, Great Expectations, the reconciliation checks and a team's own
SQL checks all report a ``CheckResult``.

A check fails when it finds offending rows at severity ``error``: that blocks the table it
checks (the last published version of a mart is kept, and a failure elsewhere stops the
publish). At severity ``warn`` the rows load and the alert says so.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Literal

import polars as pl

Severity = Literal["error", "warn"]
Status = Literal["pass", "fail", "warn"]
SAMPLE_SIZE = 5

CHECK_RESULTS_SCHEMA = pl.Schema(
    {
        "run_id": pl.String(),
        "check_name": pl.String(),
        "table_name": pl.String(),
        "tool": pl.String(),
        "severity": pl.String(),
        "status": pl.String(),
        "failing_count": pl.Int64(),
        "sample": pl.String(),
        "checked_at": pl.Datetime("us"),
    }
)


def severity(declared: str | None, default: Severity = "error") -> Severity:
    """A declared severity as one of ours; anything else is ``default``."""
    if declared in ("error", "warn"):
        return declared  # type: ignore[return-value]
    return default


@dataclass(frozen=True)
class CheckResult:
    """One check over one table: how many rows broke it, and a few of them."""

    name: str
    table: str
    tool: str  # pandera | dbt | reconcile | gx | sql | team
    severity: Severity
    failing_count: int
    sample: tuple[Mapping[str, Any], ...] = ()

    @property
    def check_name(self) -> str:
        """The name dq.check_results and the alert show: tool, then the check."""
        return f"{self.tool}: {self.name}"

    @property
    def status(self) -> Status:
        """pass with no offending rows; otherwise fail (error) or warn."""
        if self.failing_count == 0:
            return "pass"
        return "fail" if self.severity == "error" else "warn"

    @property
    def blocking(self) -> bool:
        """Whether this result keeps its table from being published."""
        return self.status == "fail"

    def plus(self, other: CheckResult) -> CheckResult:
        """The same check over another part of the data (a group of files, a chunk of rows)."""
        return replace(
            self,
            failing_count=self.failing_count + other.failing_count,
            sample=(*self.sample, *other.sample)[:SAMPLE_SIZE],
        )

    def sample_json(self) -> str | None:
        """The sample as JSON text, as dq.check_results stores it (None when it passed)."""
        if not self.failing_count:
            return None
        return json.dumps(list(self.sample), default=str, ensure_ascii=False)


def merge(results: Iterable[CheckResult]) -> tuple[CheckResult, ...]:
    """One result per check (tool, name, table, severity), counts added up, in first-seen order."""
    merged: dict[tuple[str, str, str, str], CheckResult] = {}
    for r in results:
        key = (r.tool, r.name, r.table, r.severity)
        merged[key] = merged[key].plus(r) if key in merged else r
    return tuple(merged.values())


def blocked_tables(results: Iterable[CheckResult]) -> list[str]:
    """Tables with a blocking result, sorted."""
    return sorted({r.table for r in results if r.blocking and r.table})


def blocked_marts(results: Iterable[CheckResult]) -> list[str]:
    """Marts a blocking result holds back: their last published version is kept."""
    return [t for t in blocked_tables(results) if t.startswith("marts.")]


def publishable(results: Iterable[CheckResult], can_restore: bool) -> bool:
    """A run may be published when nothing blocks, or only marts whose last version can be kept."""
    blocked = blocked_tables(results)
    return not blocked or (can_restore and all(t.startswith("marts.") for t in blocked))


def results_frame(
    results: Iterable[CheckResult], run_id: str, checked_at: dt.datetime
) -> pl.DataFrame:
    """The rows dq.check_results keeps for ``results``."""
    rows = [
        {
            "run_id": run_id,
            "check_name": r.check_name,
            "table_name": r.table,
            "tool": r.tool,
            "severity": r.severity,
            "status": r.status,
            "failing_count": r.failing_count,
            "sample": r.sample_json(),
            "checked_at": checked_at,
        }
        for r in results
    ]
    return pl.DataFrame(rows, schema=CHECK_RESULTS_SCHEMA)


def plain(value: Any) -> Any:
    """A sample value as JSON-friendly Python: NaN and NaT as None, dates as ISO text (a
    timestamp at midnight as a date), decimals as floats, numpy values as Python, lists
    element-wise."""
    if getattr(value, "ndim", 0):  # a numpy array
        value = value.tolist()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        value = value.to_pydatetime()
    elif hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if value is None or (isinstance(value, float | dt.date) and value != value):  # NaN, NaT
        return None
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return float(value) if isinstance(value, Decimal) else value
