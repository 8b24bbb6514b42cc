"""The nightly Supplyline flow (ingest, extract, normalise, validate, load, publish, alert) and
the rebuild flow that re-derives staging and marts from the raw layer.

Large task arguments (the batch, the file list, frames) are passed through ``quote``: Prefect
otherwise walks every element of a parameter to track dependencies, which took 14 s for a list
of 200,000 dicts here and most of a minute per task on a 100,000-report night.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

import polars as pl
from prefect import flow, get_run_logger, runtime, task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from supplyline import alerts, expectations, extract_worker, pipeline, progress
from supplyline.desk.report import write_after_run
from supplyline.faults import crash_point
from supplyline.inbox import load_hash_cache, now_ns, retry_can_help, save_hash_cache, scan_inbox
from supplyline.settings import Settings
from transforms.rules import ExtractionRules, load_rules
from warehouse import db, load, restore, targets


@dataclass
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
    rows_quarantined: int = 0
    alert: str = ""
    message: str = ""
    failed_files: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


class RunFailed(RuntimeError):
    """The run finished but must be reported as failed (error checks or a crash)."""

    def __init__(self, summary: RunSummary) -> None:
        super().__init__(summary.message or "run failed")
        self.summary = summary


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1, retry_condition_fn=retry_can_help)
def scan(inbox: Path, max_bytes: int, hash_cache: Path | None) -> list:
    """List and hash the inbox, reusing hashes of files whose stamps have not changed
    (retried: a disk hiccup can pass; a missing or unreadable inbox cannot)."""
    started = now_ns()
    known = load_hash_cache(hash_cache) if hash_cache else None
    files = scan_inbox(inbox, max_bytes, known)
    if hash_cache:
        save_hash_cache(hash_cache, files, started, known)
    return files


@task(cache_policy=NO_CACHE)
def plan(target, files: list, reference_dir: Path) -> pipeline.Night:
    """What each inbox file is (new, unchanged, duplicate, skipped), against the published
    ledger, and whether the night is quiet."""
    return pipeline.plan_night(target, files, reference_dir)


@task(cache_policy=NO_CACHE)
def ingest(batch: pipeline.Batch, group: pl.DataFrame, files: dict) -> list[pipeline.TableInput]:
    """Parse one group's new files and stage their raw rows."""
    return pipeline.stage_ingest(batch, group, pipeline.parse_new_files(group, files))


@task(cache_policy=NO_CACHE)
def read_raw(con, batch: pipeline.Batch, group: tuple) -> list[pipeline.TableInput]:
    """One rebuild group's documents or table sheet, from the raw layer."""
    return pipeline.rebuild_inputs(con, batch, group)


@task(cache_policy=NO_CACHE)
def extract(documents: pl.DataFrame, rules: ExtractionRules, settings: Settings, processes: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Claims and entity mentions for a batch of documents, split over worker processes when it
    is large (pure compute; on Dask each task gets one chunk and runs it in place)."""
    return extract_worker.extract_in_processes(documents, rules, settings.reference_dir, processes,
                                               settings.extract_batch_docs, settings.data_dir / "tmp")


def extract_all(documents: pl.DataFrame, rules: ExtractionRules, settings: Settings) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One extraction task on this machine, or one per chunk fanned out over a Dask cluster."""
    if not settings.dask_address or documents.is_empty():
        return extract(quote(documents), rules, settings, settings.extraction_processes)
    chunk = settings.extract_batch_docs
    futures = [extract.submit(quote(documents.slice(i, chunk)), rules, settings, 1)
               for i in range(0, documents.height, chunk)]
    results = [f.result() for f in futures]
    return pl.concat([r[0] for r in results]), pl.concat([r[1] for r in results])


@task(cache_policy=NO_CACHE)
def validate_and_normalise(batch: pipeline.Batch, extracted, tables: list, rules, reference_dir: Path) -> None:
    """Pandera gates on extractions; table rows mapped to canonical shapes and gated."""
    pipeline.stage_extractions(batch, *extracted)
    pipeline.stage_tables(batch, tables, rules, pipeline.read_shapes(reference_dir))


@task(cache_policy=NO_CACHE)
def write(con, batch: pipeline.Batch, target) -> dict[str, int]:
    """Write one group to the run's warehouse and let go of its frames."""
    loaded = pipeline.write_batch(con, batch, own_transaction=not target.outer_transaction)
    batch.release_frames()
    return loaded


@task(cache_policy=NO_CACHE)
def load_warehouse(con, batch: pipeline.Batch, settings: Settings, target, changed: set[str] | None) -> None:
    """Rebuild the SQL models that read what changed (``changed``; None: all of them), run every
    check, and put back the last good version of any mart an error check blocked."""
    fingerprint = db.build_fingerprint(settings.reference_dir)
    # Nothing new and nothing changed in the SQL or reference data: the marts would come out
    # the same, so only the checks that depend on the date (freshness, volume) run again.
    same_rules = db.read_state(con, "marts_built_from") == fingerprint
    unchanged = pipeline.nothing_new(batch) and same_rules
    if not unchanged:
        load.load_reference(con, settings.reference_dir)
        db.run_models(con, changed=changed if same_rules else None)
        pipeline.record_assertions(batch, db.run_assertions(con))
    if unchanged:  # same marts as last run: only the date-dependent checks can change
        checks = expectations.run_date_checks(con, batch.run_id)
    else:
        checks = expectations.run_expectations(con, batch.run_id, settings.data_docs_dir)
        checks += expectations.run_sql_checks(con)
        checks += expectations.run_reconciliations(con)
    batch.reconciliations = expectations.reconciliation_summary(con)
    if settings.extra_checks_dir:
        checks += expectations.run_sql_checks(con, settings.extra_checks_dir, tool="team")
    for c in checks:
        batch.add_check(c.check_name, c.table_name, c.tool, c.severity, c.failing_count, c.sample_json())
    blocked = pipeline.blocked_marts(batch)
    if blocked and target.restore_source is not None:
        restore.restore_tables(con, target.restore_source, restore.with_downstream(blocked))
        expectations.record_mart_counts(con, batch.run_id)
    if target.supports_fts and not unchanged:
        db.refresh_fts_index(con)
    # A blocked mart must be rebuilt (and fail again) until its cause is fixed.
    db.write_state(con, "marts_built_from", fingerprint if not blocked else "blocked")
    load.append_rows(con, "dq.check_results", batch.check_frame())


@task(cache_policy=NO_CACHE)
def publish(target, con) -> None:
    """Make the run visible to readers: swap in the working copy, or commit the lake transaction."""
    target.commit(con)


@task(cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2)
def alert(summary: RunSummary, batch: pipeline.Batch, loaded: dict[str, int], settings: Settings) -> str:
    """Email (or queue in the outbox) the data-quality alert; retried once for a flaky server."""
    report = pipeline.alert_report(summary, batch, loaded, flow_name=summary.kind,
                                   data_docs=settings.data_docs_dir / summary.run_id)
    return alerts.send_run_alert(report, settings).summary()


def _summarise(summary: RunSummary, batch: pipeline.Batch, loaded: dict[str, int], can_restore: bool) -> None:
    statuses = [f["status"] for f in batch.files] if not batch.rebuild else []
    summary.files_new = statuses.count("loaded") + statuses.count("failed")
    summary.files_failed = statuses.count("failed")
    summary.files_duplicate = statuses.count("duplicate")
    summary.files_skipped = statuses.count("skipped")
    summary.claims_loaded = loaded.get("claims", 0)
    summary.shipments_loaded = loaded.get("shipments", 0)
    summary.entities_loaded = loaded.get("entity_mentions", 0)
    summary.rows_quarantined = len(batch.quarantine)
    summary.checks_failed = sum(1 for c in batch.checks if c["status"] == "fail")
    summary.failed_files = batch.failures
    summary.status = "failed" if summary.checks_failed else "completed"
    if not summary.checks_failed:
        summary.message = "ok"
    elif pipeline.publishable(batch, can_restore):
        kept = ", ".join(pipeline.blocked_marts(batch))
        summary.message = f"{summary.checks_failed} error checks failed; last good version kept for {kept}"
    else:
        summary.message = f"{summary.checks_failed} error checks failed; warehouse not published"


def _record_run(con, summary: RunSummary, started, inbox: Path | None) -> None:
    con.execute("delete from ops.runs where run_id = ?", [summary.run_id])
    con.execute(
        "insert into ops.runs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [summary.run_id, summary.run_id, started, pipeline.utcnow(), summary.status,
         str(inbox) if inbox else None, summary.files_new, summary.files_unchanged,
         summary.files_duplicate, summary.files_failed, summary.files_skipped, summary.claims_loaded,
         summary.shipments_loaded, summary.entities_loaded, summary.checks_failed,
         summary.rows_quarantined, summary.alert, summary.message],
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

    due = filters.FlowRunFilter(
        deployment_id=filters.FlowRunFilterDeploymentId(any_=[deployment_id]),
        state=filters.FlowRunFilterState(
            type=filters.FlowRunFilterStateType(any_=[StateType.SCHEDULED, StateType.PENDING])
        ),
        expected_start_time=filters.FlowRunFilterExpectedStartTime(before_=pipeline.utcnow_aware()),
    )
    cancelled = 0
    with get_client(sync_client=True) as client:
        for run in client.read_flow_runs(flow_run_filter=due):
            if str(run.id) != str(this_run):
                client.set_flow_run_state(run.id, Cancelled(message=f"superseded by catch-up run {this_run}"), force=True)
                cancelled += 1
    return cancelled


def run_pipeline(settings: Settings, kind: str) -> dict:
    """Shared body of both flows: build privately, make it visible only if it is good."""
    logger = get_run_logger()
    run_id = str(runtime.flow_run.id or uuid.uuid4())
    target = targets.target_for(settings)
    summary = RunSummary(run_id=run_id, kind=kind, warehouse=target.label)
    loaded: dict[str, int] = {}
    with target.lock():
        started = pipeline.utcnow()
        batch = pipeline.Batch(run_id=run_id, started=started, rebuild=kind == "rebuild")
        con = None
        try:
            if batch.rebuild:
                con = target.open()
                target.prepare(con, settings)
                groups = pipeline.rebuild_groups(con, batch, settings.group_bytes)
            else:
                files = scan(settings.inbox, int(settings.max_file_mb * 1_000_000),
                             settings.hash_cache if settings.trust_file_stamps else None)
                progress.emit("scan", len(files), len(files), "files")
                night = plan(target, quote(files), settings.reference_dir)
                con = target.open(quiet=night.quiet)
                target.prepare(con, settings)
                todo = night.plan if night.plan is not None else pipeline.plan_files(con, files)
                groups = pipeline.ingest_groups(todo, settings.group_bytes)
                by_path = {f.path: f for f in files}
            rules = load_rules(settings.reference_dir)
            # One group of new files at a time: memory follows the group, not the night.
            progress.emit("ingest", 0, len(groups), "groups")
            docs_done = 0
            for n_group, group in enumerate(groups, 1):
                if batch.rebuild:
                    tables = read_raw(con, quote(batch), group)
                else:
                    tables = ingest(quote(batch), quote(group), quote(by_path))
                    crash_point("ingest")
                extracted = extract_all(batch.documents, rules, settings)
                docs_done += 0 if batch.documents is None else batch.documents.height
                progress.emit("extract", docs_done, None, "documents")
                crash_point("extract")
                validate_and_normalise(quote(batch), quote(extracted), quote(tables), rules, settings.reference_dir)
                del extracted, tables  # the staged frames now hold everything; free the inputs
                for key, n in write(con, quote(batch), target).items():
                    loaded[key] = loaded.get(key, 0) + n
                progress.emit("ingest", n_group, len(groups), "groups")
            if not batch.rebuild:
                summary.files_unchanged = len(files) - len(batch.files)
            progress.emit("load", 0, 1, "models and checks")
            load_warehouse(con, quote(batch), settings, target,
                           None if batch.rebuild else pipeline.written_relations(loaded))
            progress.emit("load", 1, 1, "models and checks")
            _summarise(summary, batch, loaded, can_restore=target.restore_source is not None)
            crash_point("load")
            _record_run(con, summary, started, None if batch.rebuild else settings.inbox)
            if summary.status == "completed" or pipeline.publishable(batch, target.restore_source is not None):
                publish(target, con)
                write_after_run(settings, run_id)  # the run report, beside the published file
            else:
                target.abort(con)
        except Exception as exc:
            target.abort(con)
            summary.status, summary.message = "failed", f"{type(exc).__name__}: {exc}"
            logger.error("run %s failed: %s", run_id, summary.message)
            raise
    crash_point("alert")
    progress.emit("alert", 0, 1, "email")
    summary.alert = alert(summary, quote(batch), loaded, settings)
    progress.emit("alert", 1, 1, "email")
    logger.info("run %s %s: %s; %s", run_id, summary.status, summary.message, summary.alert)
    if summary.status != "completed":
        raise RunFailed(summary)
    return summary.as_dict()


@flow(name="nightly", description="Ingest the inbox and publish the Supplyline warehouse.")
def nightly(inbox: str | None = None, warehouse: str | None = None) -> dict:
    """One nightly run; raises RunFailed (state Failed) when an error check fails."""
    overrides = {k: v for k, v in {"inbox": inbox, "warehouse": warehouse}.items() if v}
    superseded = cancel_superseded_runs()
    if superseded:
        get_run_logger().info("catch-up: cancelled %d missed runs; this run processes everything pending", superseded)
    return run_pipeline(Settings(**overrides), kind="nightly")


@flow(name="rebuild", description="Re-derive staging and marts from the raw layer.")
def rebuild(warehouse: str | None = None) -> dict:
    """Re-extract every stored document and re-normalise every stored table row."""
    overrides = {"warehouse": warehouse} if warehouse else {}
    return run_pipeline(Settings(**overrides), kind="rebuild")


def with_task_runner(flow_obj, settings: Settings):
    """The flow on a Dask cluster when SUPPLYLINE_DASK_ADDRESS is set ('local' starts one).

    Only extraction fans out; the default stays in-process because a Dask cluster costs
    seconds to start on two cores.
    """
    if not settings.dask_address:
        return flow_obj
    from prefect_dask import DaskTaskRunner

    if settings.dask_address == "local":
        runner = DaskTaskRunner(cluster_kwargs={"n_workers": 2, "threads_per_worker": 1, "processes": True,
                                                "dashboard_address": None})
    else:
        runner = DaskTaskRunner(address=settings.dask_address)
    return flow_obj.with_options(task_runner=runner)
