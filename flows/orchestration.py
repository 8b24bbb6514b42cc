"""Prefect around the flows: catching up after downtime, and extraction on Dask."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any, cast

from prefect import runtime

from supplyline.settings import Settings

# Beside the ephemeral server's SQLite state database: which Prefect version brought it up to date.
MIGRATED_SUFFIX = ".migrated-by"
_MIGRATE_ON_START = (
    "PREFECT_SERVER_DATABASE_MIGRATE_ON_START",
    "PREFECT_API_DATABASE_MIGRATE_ON_START",
)


def cancel_superseded_runs() -> int:
    """Cancel this deployment's other runs that are due (missed nights after downtime).

    One run processes everything pending in the inbox, so a backlog of late runs is one catch-up
    run, not one run per missed night. Outside a deployment this does nothing.
    """
    deployment_id, this_run = runtime.deployment.id, runtime.flow_run.id
    if not deployment_id:
        return 0
    from prefect.client.orchestration import get_client
    from prefect.client.schemas import filters
    from prefect.client.schemas.objects import StateType
    from prefect.states import Cancelled
    from prefect.types._datetime import now

    due = filters.FlowRunFilter(
        deployment_id=filters.FlowRunFilterDeploymentId(any_=[deployment_id]),
        state=filters.FlowRunFilterState(
            type=filters.FlowRunFilterStateType(any_=[StateType.SCHEDULED, StateType.PENDING])
        ),
        expected_start_time=filters.FlowRunFilterExpectedStartTime(before_=cast(Any, now("UTC"))),
    )
    cancelled = 0
    with get_client(sync_client=True) as client:
        for run in client.read_flow_runs(flow_run_filter=due):
            if str(run.id) != str(this_run):
                client.set_flow_run_state(
                    run.id, Cancelled(message=f"superseded by catch-up run {this_run}"), force=True
                )
                cancelled += 1
    return cancelled


def with_task_runner(flow_obj: Any, settings: Settings) -> Any:
    """The flow on a Dask cluster when SUPPLYLINE_DASK_ADDRESS is set ('local' starts one).

    Only extraction fans out; the default stays in-process because a Dask cluster costs
    seconds to start on two cores.
    """
    if not settings.dask_address:
        return flow_obj
    from prefect_dask import DaskTaskRunner

    if settings.dask_address == "local":
        runner = DaskTaskRunner(
            cluster_kwargs={
                "n_workers": 2,
                "threads_per_worker": 1,
                "processes": True,
                "dashboard_address": None,
            }
        )
    else:
        runner = DaskTaskRunner(address=settings.dask_address)
    return flow_obj.with_options(task_runner=runner)


def state_database() -> Path | None:
    """The SQLite file of the ephemeral API server a run in this process starts; None when runs
    go to a running server (``PREFECT_API_URL``) or the state database is not a local file."""
    from prefect.settings import get_current_settings

    settings = get_current_settings()
    url = settings.server.database.connection_url
    text = url.get_secret_value() if url is not None else ""
    if settings.api.url or not text.startswith("sqlite+aiosqlite:///"):
        return None
    return Path(text.removeprefix("sqlite+aiosqlite:///"))


def _stamp(database: Path) -> str:
    import prefect

    return f"{prefect.__version__} {database.stat().st_ino}"


def skip_migration_check(database: Path | None) -> bool:
    """Start the ephemeral server without its migration check (half of its start here) when this
    Prefect version already migrated this very database file; returns whether it was skipped.

    A new or replaced file (another inode), another Prefect version, or a setting the operator
    gave is left to Prefect: the check runs, and ``remember_migrated`` stamps the file after.
    """
    if database is None or any(name in os.environ for name in _MIGRATE_ON_START):
        return False
    marker = database.with_name(database.name + MIGRATED_SUFFIX)
    try:
        warm = database.is_file() and marker.read_text() == _stamp(database)
    except OSError:
        return False
    if warm:  # read by the server subprocess, which inherits this environment
        os.environ[_MIGRATE_ON_START[0]] = "false"
    return warm


def remember_migrated(database: Path | None) -> None:
    """After a run reached the ephemeral server (which migrated ``database`` as it started)."""
    if database is not None and database.is_file():
        marker = database.with_name(database.name + MIGRATED_SUFFIX)
        with contextlib.suppress(OSError):
            marker.write_text(_stamp(database))
