"""The stages as Prefect tasks: coarse, uncached (their inputs are large), retried only where a
retry can help (reading the inbox, sending the alert). Each reports its progress
(``supplyline.progress``): scan, ingest, extract, load (models and checks), report, alert.

Large arguments are passed through ``quote``: Prefect otherwise walks every element of a
parameter to track dependencies, which took 14 s for a list of 200,000 dicts here.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar, cast

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from supplyline import progress
from supplyline.inbox import retry_can_help
from supplyline.run import Run, RunSummary, in_stage
from supplyline.settings import Settings

if TYPE_CHECKING:  # the stages are imported when their task first runs (see ``stage``)
    import duckdb
    import polars as pl

    from supplyline.stages import alert as alert_stage
    from supplyline.stages import ingest as ingest_stage
    from supplyline.stages import plan as plan_stage
    from supplyline.stages import validate as validate_stage
    from supplyline.stages.check import Checked
    from supplyline.stages.extract import Extracted
    from supplyline.stages.load import Loaded
    from transforms.rules import ExtractionRules
    from warehouse.dbt import Built

T = TypeVar("T")


def big(value: T) -> T:
    """A large task argument, passed as it is: Prefect does not walk it (see above)."""
    return cast(T, quote(value))


def stage(name: str) -> ModuleType:
    """``supplyline.stages.<name>``, imported the first time a task needs it: a quiet night
    never loads Pandera, pandas or the extractor (seconds of imports on these cores)."""
    return importlib.import_module(f"supplyline.stages.{name}")


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1, retry_condition_fn=retry_can_help)
@in_stage("scan")
def scan(settings: Settings) -> tuple:
    """List and hash the inbox (retried: a disk hiccup can pass; a missing or unreadable inbox
    cannot)."""
    cache = settings.hash_cache if settings.trust_file_stamps else None
    files = stage("scan").scan(settings.inbox, int(settings.max_file_mb * 1_000_000), cache)
    progress.emit("scan", len(files), len(files), "files")
    return files


@task(cache_policy=NO_CACHE)
@in_stage("plan")
def plan(target: Any, files: tuple, settings: Settings) -> plan_stage.Plan:
    planned = stage("plan").plan(target, files, settings.reference_dir, settings.group_bytes)
    progress.emit("ingest", 0, len(planned.groups), "groups")
    return planned


@task(cache_policy=NO_CACHE)
@in_stage("plan")
def plan_raw(target: Any, settings: Settings) -> plan_stage.Plan:
    planned = stage("plan_raw").plan_raw(target, settings.reference_dir, settings.group_bytes)
    progress.emit("ingest", 0, len(planned.groups), "groups")
    return planned


@task(cache_policy=NO_CACHE)
@in_stage("ingest")
def ingest(group: plan_stage.InboxGroup, run: Run) -> ingest_stage.Ingested:
    return stage("ingest").ingest(group, run.run_id, run.started)


@task(cache_policy=NO_CACHE)
@in_stage("ingest")
def read_raw(con: duckdb.DuckDBPyConnection, group: Any) -> ingest_stage.Ingested:
    return stage("read_raw").read_raw(con, group)


@task(cache_policy=NO_CACHE)
@in_stage("extract")
def extract(
    documents: pl.DataFrame, rules: ExtractionRules, settings: Settings, processes: int
) -> Extracted:
    """Pure compute; on Dask each task gets one chunk and runs it in place."""
    return stage("extract").extract(documents, rules, settings, processes)


def extract_all(documents: pl.DataFrame, rules: ExtractionRules, settings: Settings) -> Extracted:
    """One extraction task on this machine, or one per chunk fanned out over a Dask cluster."""
    if not settings.dask_address or documents.is_empty():
        return extract(big(documents), rules, settings, settings.extraction_processes)
    # Not wrapped in ``big``: the wrapper reaches a Dask worker as a bare tuple (a frame is not
    # a collection Prefect walks, so nothing is lost).
    chunk = settings.extract_batch_docs
    futures = [
        extract.submit(documents.slice(i, chunk), rules, settings, 1)
        for i in range(0, documents.height, chunk)
    ]
    return stage("extract").Extracted.combined([f.result() for f in futures])


@task(cache_policy=NO_CACHE)
@in_stage("normalise")
def normalise(tables: tuple, rules: ExtractionRules, settings: Settings) -> tuple:
    return stage("normalise").normalise(tables, rules, settings.reference_dir)


@task(cache_policy=NO_CACHE)
@in_stage("validate")
def validate(
    ingested: Any, extracted: Extracted, normalised: tuple, run: Run
) -> validate_stage.Validated:
    return stage("validate").validate(ingested, extracted, normalised, run.run_id, run.started)


@task(cache_policy=NO_CACHE)
@in_stage("load")
def load(con: duckdb.DuckDBPyConnection, validated: validate_stage.Validated) -> Loaded:
    return stage("load").load(con, validated)


@in_stage("load")
def open_target(target: Any, quiet: bool) -> duckdb.DuckDBPyConnection:
    """The run's connection: a working copy of the warehouse (or the published file itself on
    a quiet night)."""
    return target.open(quiet=quiet)


@task(cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2)
@in_stage("alert")
def alert_failure(run: Run, summary: RunSummary, settings: Settings) -> alert_stage.Alerted:
    """The one alert of a run that broke: where, why, and that nothing was published."""
    return stage("alert").failure_alert(run, summary, settings)


def group_done(n: int, groups: int, loaded: Loaded) -> None:
    """Progress after the ``n``-th of ``groups`` groups: documents extracted so far, groups done."""
    progress.emit("extract", loaded.documents, None, "documents")
    progress.emit("ingest", n, groups, "groups")


@in_stage("build")
def build(
    con: duckdb.DuckDBPyConnection,
    target: Any,
    plan: plan_stage.Plan,
    loaded: Loaded,
    settings: Settings,
) -> Built:
    """Not a task: dbt shows each model, seed and test as a task of its own."""
    progress.emit("load", 0, 1, "models and checks")
    return stage("build").build(con, target, plan, loaded, settings)


@task(cache_policy=NO_CACHE)
@in_stage("check")
def check(
    con: duckdb.DuckDBPyConnection, loaded: Any, built: Any, run: Run, settings: Settings
) -> Checked:
    checked = stage("check").check(con, loaded, built, run.run_id, settings)
    progress.emit("load", 1, 1, "models and checks")
    return checked


@task(cache_policy=NO_CACHE)
@in_stage("publish")
def publish(
    con: duckdb.DuckDBPyConnection,
    target: Any,
    run: Run,
    summary: RunSummary,
    built: Any,
    checked: Any,
) -> None:
    stage("publish").publish(con, target, run, summary, built, checked)


@task(cache_policy=NO_CACHE)
@in_stage("report")
def report(run: Run, summary: RunSummary, settings: Settings) -> None:
    stage("report").report(run, summary, settings)


@task(cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2)
@in_stage("alert")
def alert(
    run: Run, summary: RunSummary, loaded: Any, checked: Any, settings: Settings
) -> alert_stage.Alerted:
    """Retried once for a flaky mail server (delivery errors come back in the result)."""
    progress.emit("alert", 0, 1, "email")
    sent = stage("alert").alert(run, summary, loaded, checked, settings)
    progress.emit("alert", 1, 1, "email")
    return sent
