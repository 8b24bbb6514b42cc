"""A run's identity and its summary: what the CLI prints, ops.runs keeps and the alert says."""

from __future__ import annotations

import datetime as dt
import errno
import functools
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import polars as pl

from schemas.checks import CheckResult, blocked_marts, publishable

if TYPE_CHECKING:
    from supplyline.stages.load import Loaded

F = TypeVar("F", bound=Callable[..., Any])
NOT_PUBLISHED = "nothing was published; the warehouse is as the last good run left it"
AFTER_PUBLISH = ("report",)  # stages that run once the warehouse is published


def utcnow() -> dt.datetime:
    """Naive UTC timestamp (DuckDB TIMESTAMP), to the second."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


@dataclass(frozen=True)
class Run:
    """One run: its id, kind (nightly or rebuild), start time and the inbox it reads."""

    run_id: str
    kind: str
    started: dt.datetime
    warehouse: str
    inbox: str | None = None


@dataclass(frozen=True)
class RunSummary:
    """What one run did; printed by the CLI and stored in ops.runs."""

    run_id: str
    kind: str = "nightly"
    status: str = "running"
    warehouse: str = ""
    files_new: int = 0
    files_unchanged: int = 0
    files_duplicate: int = 0
    files_failed: int = 0
    files_skipped: int = 0
    claims_loaded: int = 0
    shipments_loaded: int = 0
    entities_loaded: int = 0
    checks_failed: int = 0
    checks_warned: int = 0
    rows_quarantined: int = 0
    alert: str = ""
    problems: str = ""  # what the alert says went wrong, in its subject's words
    message: str = ""
    failed_files: list[tuple[str, str]] = field(default_factory=list)
    publishable: bool = (
        False  # the checks let the run be published (all passed, or only marts failed)
    )
    failed_stage: str = ""  # the stage a run that broke stopped in (empty when it finished)

    def as_dict(self) -> dict:
        return asdict(self)


class RunFailed(RuntimeError):
    """The run finished but must be reported as failed (error checks or a crash)."""

    def __init__(self, summary: RunSummary) -> None:
        super().__init__(summary.message or "run failed")
        self.summary = summary


def summarise(
    run: Run, loaded: Loaded, unchanged: int, checks: tuple[CheckResult, ...], can_restore: bool
) -> RunSummary:
    """The summary of a run that got as far as its checks.

    Of the ledger rows the run wrote, only those of this run (new content) count as files it
    took in. A run with failed error checks is still published when only marts failed and
    their last good version can be kept.
    """
    ours = loaded.files.filter(pl.col("run_id") == run.run_id)
    status = ours.get_column("status").to_list()
    failed = [
        (p, e)
        for p, e in ours.filter(pl.col("status") == "failed").select("path", "error").iter_rows()
    ]
    rows, quarantined = loaded.rows, loaded.quarantined
    n_failed_checks = sum(1 for c in checks if c.status == "fail")
    can_publish = publishable(checks, can_restore)
    if not n_failed_checks:
        verdict, message = "completed", "ok"
    elif can_publish:
        kept = ", ".join(blocked_marts(checks))
        verdict, message = (
            "failed",
            f"{n_failed_checks} error checks failed; last good version kept for {kept}",
        )
    else:
        verdict, message = (
            "failed",
            f"{n_failed_checks} error checks failed; warehouse not published",
        )
    return RunSummary(
        run_id=run.run_id,
        kind=run.kind,
        status=verdict,
        warehouse=run.warehouse,
        files_new=status.count("loaded") + status.count("failed"),
        files_unchanged=unchanged,
        files_duplicate=status.count("duplicate"),
        files_failed=status.count("failed"),
        files_skipped=status.count("skipped"),
        claims_loaded=rows.get("claims", 0),
        shipments_loaded=rows.get("shipments", 0),
        entities_loaded=rows.get("entity_mentions", 0),
        checks_failed=n_failed_checks,
        checks_warned=sum(1 for c in checks if c.status == "warn"),
        rows_quarantined=quarantined,
        message=message,
        failed_files=failed,
        publishable=can_publish,
    )


def in_stage(name: str) -> Callable[[F], F]:
    """Mark an error raised inside a stage with the stage's name (the innermost stage wins), so
    a failed run can say where it stopped."""

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def staged(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                if not getattr(exc, "supplyline_stage", None):
                    exc.supplyline_stage = name  # type: ignore[attr-defined]
                raise

        return staged  # type: ignore[return-value]

    return wrap


_NO_SPACE_FILE = re.compile(r"No space left on device: '([^']+)'")


def cause(exc: BaseException) -> str:
    """Why a stage broke, in one line: a full disk, a database error, or the error's own words."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        where = f" ({exc.filename})" if exc.filename else ""
        return f"the disk is full{where}"
    text = " ".join(str(exc).split())
    if "No space left on device" in text or "disk is full" in text.lower():
        # a copy of many files (shutil.Error) lists every file that failed: name the first
        first = _NO_SPACE_FILE.search(text)
        return f"the disk is full ({first.group(1) if first else text[:200]})"
    if getattr(exc, "clear", False):  # an error written for people: its own words, whole
        return text[:1000]
    return f"{type(exc).__name__}: {text[:300]}" if text else type(exc).__name__


def failure_summary(run: Run, exc: BaseException, published: bool | None = None) -> RunSummary:
    """The summary of a run that broke in a stage: which stage, why, and whether anything was
    published (by default: only a break after the publish stage leaves a published run)."""
    stage = getattr(exc, "supplyline_stage", None) or "run"
    if published is None:
        published = stage in AFTER_PUBLISH
    outcome = "the warehouse was published before it broke" if published else NOT_PUBLISHED
    return RunSummary(
        run_id=run.run_id,
        kind=run.kind,
        status="failed",
        warehouse=run.warehouse,
        message=f"run failed in stage {stage}: {cause(exc)}; {outcome}",
        failed_stage=stage,
        publishable=published,
    )
