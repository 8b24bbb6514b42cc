"""Prefect around the flows: catching up after downtime, and extraction on Dask."""

from __future__ import annotations

from typing import Any, cast

from prefect import runtime

from supplyline.settings import Settings


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
