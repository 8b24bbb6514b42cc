"""The nightly flow and the rebuild flow: a run's stages, in order.

    scan -> plan -> [ingest -> extract -> normalise -> validate -> load] per group of new files
         -> build (dbt) -> check -> publish -> report -> alert

A night reads, extracts and writes one group of new files at a time, so its memory follows
the group, not the inbox. A rebuild is the same stages fed from the raw layer: ``plan_raw``
and ``read_raw`` take the place of scan, plan and ingest. Every stage is a function in
``supplyline/stages``; ``flows/tasks.py`` makes them Prefect tasks, and dbt shows each model,
seed and test as a task of its own. The tasks emit progress events (``supplyline.progress``)
as each stage moves on.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from prefect import flow, get_run_logger, runtime

from flows import tasks
from flows.orchestration import cancel_superseded_runs, with_task_runner
from flows.tasks import big
from supplyline.faults import crash_point
from supplyline.run import Run, RunFailed, RunSummary, failure_summary, summarise, utcnow
from supplyline.settings import Settings
from supplyline.stages.load import Loaded
from transforms.rules import load_rules
from warehouse import targets

if TYPE_CHECKING:  # stages load their libraries when they run (flows/tasks.py)
    from supplyline.stages.check import Checked
    from supplyline.stages.ingest import Ingested
    from supplyline.stages.plan import Plan

__all__ = ["RunFailed", "nightly", "rebuild", "with_task_runner"]

Reader = Callable[[Any, Any], "Ingested"]  # (connection, group) -> the group's inputs


@flow(name="nightly", description="Ingest the inbox and publish the Supplyline warehouse.")
def nightly(inbox: str | None = None, warehouse: str | None = None) -> dict:
    """One nightly run; raises RunFailed (state Failed) when an error check fails."""
    given: dict[str, Any] = {"inbox": inbox, "warehouse": warehouse}
    settings = Settings(**{k: v for k, v in given.items() if v})
    if superseded := cancel_superseded_runs():
        get_run_logger().info(
            "catch-up: cancelled %d missed runs; this run does everything pending", superseded
        )
    run, target = _start("nightly", settings, inbox=str(settings.inbox))
    with target.lock(), _reported(run, settings):
        files = tasks.scan(settings)
        plan = tasks.plan(target, big(files), settings)
        outcome = _stages(
            run, target, plan, settings, read=lambda _con, group: tasks.ingest(big(group), run)
        )
    with _reported(run, settings, published=outcome[0].publishable):
        done = _alert(run, settings, *outcome)
    return done


@flow(name="rebuild", description="Re-derive staging and marts from the raw layer.")
def rebuild(warehouse: str | None = None) -> dict:
    """Re-extract every stored document and re-normalise every stored table row."""
    given: dict[str, Any] = {"warehouse": warehouse} if warehouse else {}
    settings = Settings(**given)
    run, target = _start("rebuild", settings)
    with target.lock(), _reported(run, settings):
        plan = tasks.plan_raw(target, settings)
        outcome = _stages(run, target, plan, settings, read=tasks.read_raw)
    with _reported(run, settings, published=outcome[0].publishable):
        done = _alert(run, settings, *outcome)
    return done


def _start(kind: str, settings: Settings, inbox: str | None = None) -> tuple[Run, Any]:
    target = targets.target_for(settings, faults=crash_point)
    run_id = str(runtime.flow_run.id or uuid.uuid4())
    return Run(run_id, kind, utcnow(), target.label, inbox), target


def _stages(
    run: Run, target: Any, plan: Plan, settings: Settings, read: Reader
) -> tuple[RunSummary, Loaded, Checked]:
    """Load the plan's groups, build and check the marts, and publish if the checks allow."""
    rules = load_rules(settings.reference_dir)
    con = None
    try:
        con = tasks.open_target(target, plan.quiet)
        loaded = Loaded()
        for n, group in enumerate(plan.groups, 1):
            ingested = read(con, group)
            crash_point("ingest")
            extracted = tasks.extract_all(ingested.documents, rules, settings)
            crash_point("extract")
            normalised = tasks.normalise(big(ingested.tables), rules, settings)
            validated = tasks.validate(big(ingested), big(extracted), big(normalised), run)
            del ingested, extracted, normalised  # the validated frames hold everything now
            loaded += tasks.load(con, big(validated))
            tasks.group_done(n, len(plan.groups), loaded)
        built = tasks.build(con, target, plan, loaded, settings)
        checked = tasks.check(con, big(loaded), big(built), run, settings)
        summary = summarise(
            run, loaded, plan.files_unchanged, checked.results, target.published() is not None
        )
        crash_point("load")
        tasks.publish(con, target, run, summary, big(built), big(checked))
        tasks.report(run, summary, settings)
    except Exception:
        target.abort(con)
        raise
    return summary, loaded, checked


@contextmanager
def _reported(run: Run, settings: Settings, published: bool | None = None) -> Iterator[None]:
    """A run that breaks in any stage sends one alert saying where and why (and whether it was
    published), logs the traceback, and ends as RunFailed with the same words."""
    try:
        yield
    except RunFailed:
        raise
    except Exception as exc:
        summary = failure_summary(run, exc, published)
        get_run_logger().error("%s", summary.message, exc_info=exc)
        said = tasks.alert_failure(run, summary, settings)
        raise RunFailed(replace(summary, alert=said.delivery, problems=said.headline)) from exc


def _alert(
    run: Run, settings: Settings, summary: RunSummary, loaded: Loaded, checked: Checked
) -> dict:
    """Send the run's alert, then report the run (RunFailed when it failed)."""
    crash_point("alert")
    said = tasks.alert(run, summary, big(loaded), big(checked), settings)
    summary = replace(summary, alert=said.delivery, problems=said.headline)
    get_run_logger().info(
        "run %s %s: %s; %s", run.run_id, summary.status, summary.message, summary.alert
    )
    if summary.status != "completed":
        raise RunFailed(summary)
    return summary.as_dict()
