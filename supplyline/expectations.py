"""Great Expectations suites over the loaded marts, and the analyst reconciliation checks.

``run_expectations`` validates every mart through GX's pandas data source (GX 1.x has no working
DuckDB dialect: each mart goes DuckDB -> Polars -> pandas), builds Data Docs into
``docs_dir / run_id`` and records this run's mart row counts in ``dq.mart_counts``.
Every outcome is a ``schemas.checks.CheckResult`` (tool ``gx``, or ``sql`` for the rules
computed from counts). The analyst checks are dbt tests (``warehouse/tests/checks``), and the
claims-against-tables checks report from ``marts.reconciliations``
(``supplyline/reconciliations.py``).

Severities (``error`` blocks loading of the affected mart, ``warn`` loads and alerts):

============================  ======================================================  ========
check                         rule                                                    severity
============================  ======================================================  ========
``<mart>_key_not_null``       every mart's key is present                             error
``<mart>_key_unique``         every mart's key is unique                              error
``claims_doc_in_documents``   marts.claims.doc_id exists in marts.documents (SQL)     error
``shipments_vessel_known``    marts.shipments.vessel_id is null or in marts.entities  error
                              (SQL)
``*_metric_in_catalogue``     claims/figures/deliveries/reported_series metric is in  error
                              ref.metrics
``*_qualifier_allowed``       qualifier is one of exact, approx, at_least, ...        error
``reconciliations_verdict_…`` verdict is agree, disagree or no overlap               error
``claims_*_iso2``             supplier/recipient match ``^[A-Z]{2}$`` (null allowed)  error
``shipments_containers_...``  containers between 0 and 100,000 (null allowed)         error
``*_dates_plausible``         dates from EARLIEST_DATE to a year after the run date   warn
``documents_fresh``           a report arrived within ``freshness_days`` of the run   warn
                              (by when it was ingested, not when it was published)
``<mart>_volume_drop``        row count fell by more than half since the last run     warn
                              (only for marts that had more than 2 rows)
``<mart>_volume_emptied``     a mart that had rows has none                           error
============================  ======================================================  ========

Keys, relationships and allowed values are errors: a row breaking them corrupts joins and
aggregates downstream. A date outside the window is one row's misread fact, so it warns rather
than holding back a whole mart; freshness and a volume drop say "look", not "wrong". An empty
mart where there were rows is almost always a broken load, so that one is an error.

The previous run is the newest other run in ``dq.mart_counts``. A failed run's working copy is
discarded, so its counts never land there: the comparison is always with the last published run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from schemas.checks import SAMPLE_SIZE, CheckResult, merge, plain, severity
from transforms.vocabulary import EARLIEST_DATE, ISO2, MAX_CONTAINERS, PLAUSIBLE_AHEAD, QUALIFIERS
from warehouse import db

# Rules between two marts, in SQL over the whole mart on every run that validates:
# (check, mart, column, mart it must be in, that mart's key). A row GX passed can break one of
# these when the other mart changes, so they cannot ride on GX's record of passed rows; an
# anti-join costs DuckDB milliseconds where GX needed the other mart's keys as a Python list.
REFERENCES = (
    ("claims_doc_in_documents", "claims", "doc_id", "documents", "doc_id"),
    ("shipments_vessel_known", "shipments", "vessel_id", "entities", "entity_id"),
)
# mart -> (key column, extra columns the suite needs). Only these are pulled into pandas.
MARTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "documents": ("doc_id", ("published",)),
    "claims": (
        "claim_id",
        (
            "doc_id",
            "metric",
            "qualifier",
            "supplier",
            "recipient",
            "published",
            "period_start",
            "period_end",
        ),
    ),
    "claim_groups": ("claim_group_id", ()),
    "metric_estimates": ("estimate_id", ()),
    "entities": ("entity_id", ()),
    "shipments": (
        "shipment_id",
        ("vessel", "vessel_id", "containers", "departure_date", "arrival_date"),
    ),
    "shipments_monthly": ("month", ()),
    "figures": ("figure_id", ("metric", "qualifier", "period_start", "period_end")),
    "deliveries": ("delivery_id", ("metric",)),
    "strike_events": ("strike_id", ("event_date",)),
    "reported_series": ("point_id", ("metric", "qualifier", "date")),
    "reconciliations": ("reconciliation_id", ("verdict",)),
}
VERDICTS = ["agree", "disagree", "no overlap"]
_SAFE_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")


# ---------------------------------------------------------------------------------------------
# Great Expectations


def _ts(day: dt.date) -> dt.datetime:
    """Date columns reach pandas as datetime64; bounds must be datetimes to compare."""
    return dt.datetime(day.year, day.month, day.day)


def _previous_counts(
    con: duckdb.DuckDBPyConnection, run_id: str
) -> tuple[str | None, dict[str, int]]:
    row = con.execute(
        "select run_id from dq.mart_counts where run_id <> ? "
        "order by counted_at desc, run_id desc limit 1",
        [run_id],
    ).fetchone()
    if row is None:
        return None, {}
    counts = con.execute(
        "select table_name, row_count from dq.mart_counts where run_id = ?", [row[0]]
    ).fetchall()
    return row[0], dict(counts)


def _specs(
    con: duckdb.DuckDBPyConnection,
    run_date: dt.date,
    previous: dict[str, int],
    previous_run: str | None,
) -> dict[str, list]:
    """mart -> GX expectations, each tagged in ``meta`` with its check name and severity."""
    import great_expectations as gx

    E = gx.expectations

    def values(sql: str) -> list:
        try:
            return [r[0] for r in con.execute(sql).fetchall()]
        except duckdb.CatalogException:  # a mart that was not built fails its expectations in GX
            return []

    metrics = values("select metric from ref.metrics order by 1")
    latest = run_date + PLAUSIBLE_AHEAD

    meta = _meta

    def dates(mart: str, *columns: str) -> list:
        return [
            E.ExpectColumnValuesToBeBetween(
                column=c,
                min_value=_ts(EARLIEST_DATE),
                max_value=_ts(latest),
                meta=meta(f"{mart}_{c}_plausible", "warn"),
            )
            for c in columns
        ]

    specs: dict[str, list] = {}
    for mart, (key, _) in MARTS.items():
        specs[mart] = [
            E.ExpectColumnValuesToNotBeNull(column=key, meta=meta(f"{mart}_key_not_null", "error")),
            E.ExpectColumnValuesToBeUnique(column=key, meta=meta(f"{mart}_key_unique", "error")),
        ]
        before = previous.get(f"marts.{mart}")
        if before:
            specs[mart].append(
                E.ExpectTableRowCountToBeBetween(
                    min_value=1,
                    meta=meta(
                        f"{mart}_volume_emptied",
                        "error",
                        previous_count=before,
                        previous_run_id=previous_run,
                    ),
                )
            )
        if before and before > 2:  # from 1 or 2 rows, only 0 is a drop of more than half
            specs[mart].append(
                E.ExpectTableRowCountToBeBetween(
                    min_value=math.ceil(before / 2),
                    meta=meta(
                        f"{mart}_volume_drop",
                        "warn",
                        previous_count=before,
                        previous_run_id=previous_run,
                    ),
                )
            )

    specs["documents"] += dates("documents", "published")  # freshness: see freshness_check
    specs["claims"] += [
        E.ExpectColumnValuesToNotBeNull(
            column="doc_id", meta=meta("claims_doc_id_not_null", "error")
        ),
        E.ExpectColumnValuesToBeInSet(
            column="metric", value_set=metrics, meta=meta("claims_metric_in_catalogue", "error")
        ),
        E.ExpectColumnValuesToBeInSet(
            column="qualifier",
            value_set=list(QUALIFIERS),
            meta=meta("claims_qualifier_allowed", "error"),
        ),
        E.ExpectColumnValuesToMatchRegex(
            column="supplier", regex=ISO2, meta=meta("claims_supplier_iso2", "error")
        ),
        E.ExpectColumnValuesToMatchRegex(
            column="recipient", regex=ISO2, meta=meta("claims_recipient_iso2", "error")
        ),
        *dates("claims", "published", "period_start", "period_end"),
    ]
    specs["shipments"] += [
        E.ExpectColumnValuesToBeBetween(
            column="containers",
            min_value=0,
            max_value=MAX_CONTAINERS,
            meta=meta("shipments_containers_in_range", "error"),
        ),
        *dates("shipments", "departure_date", "arrival_date"),
    ]
    specs["figures"] += _figure_rules(E, "figures", metrics, dates, "period_start", "period_end")
    specs["deliveries"] += [
        E.ExpectColumnValuesToBeInSet(
            column="metric",
            value_set=metrics,
            meta=meta("deliveries_metric_in_catalogue", "error"),
        ),
    ]
    specs["strike_events"] += dates("strike_events", "event_date")
    specs["reported_series"] += _figure_rules(E, "reported_series", metrics, dates, "date")
    specs["reconciliations"] += [
        E.ExpectColumnValuesToBeInSet(
            column="verdict",
            value_set=VERDICTS,
            meta=meta("reconciliations_verdict_allowed", "error"),
        ),
    ]
    return specs


def _figure_rules(E: Any, mart: str, metrics: list, dates: Any, *date_columns: str) -> list:
    """Rules for a mart of figures a table states: catalogue metric, known hedge, dates."""
    return [
        E.ExpectColumnValuesToBeInSet(
            column="metric", value_set=metrics, meta=_meta(f"{mart}_metric_in_catalogue", "error")
        ),
        E.ExpectColumnValuesToBeInSet(
            column="qualifier",
            value_set=list(QUALIFIERS),
            meta=_meta(f"{mart}_qualifier_allowed", "error"),
        ),
        *dates(mart, *date_columns),
    ]


def _meta(check: str, severity: str, **extra: Any) -> dict:
    """An expectation's check name and severity, as its ``meta``."""
    return {"check": check, "severity": severity, **extra}


def _context(site_dir: Path):
    """One in-memory GX context per run, with a single local Data Docs site, no analytics."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        data_docs_sites={
            "supplyline": {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(site_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        },
    )
    return gx.get_context(project_config=config, mode="ephemeral")


def _exception_message(info: Any) -> str | None:
    """GX reports an exception either flat or keyed by the metric that raised it."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message"))
    return None


def _row_from_result(mart: str, result) -> CheckResult:
    cfg = result.expectation_config
    meta = dict(cfg.meta or {})
    res = result.result or {}
    error = _exception_message(result.exception_info)
    if error is not None:
        failing, sample = 1, [{"exception": error[:500]}]
    elif result.success:
        failing, sample = 0, []
    elif "unexpected_count" in res:  # column map expectation: offending rows with their key
        failing = int(res["unexpected_count"])
        rows = res.get("partial_unexpected_index_list") or [
            {cfg.kwargs.get("column", "value"): v} for v in res.get("partial_unexpected_list", [])
        ]
        sample = [{k: plain(v) for k, v in row.items()} for row in rows[:SAMPLE_SIZE]]
    else:  # aggregate expectation (row count, max): the observed figure against the bound
        failing = 1
        bounds = {
            k: plain(cfg.kwargs.get(k))
            for k in ("min_value", "max_value")
            if cfg.kwargs.get(k) is not None
        }
        extra = {k: v for k, v in meta.items() if k not in ("check", "severity")}
        sample = [{"observed": plain(res.get("observed_value")), **bounds, **extra}]
    return CheckResult(
        str(meta.get("check", cfg.type)),
        f"marts.{mart}",
        "gx",
        severity(meta.get("severity")),
        failing,
        tuple(sample),
    )


@dataclass(frozen=True)
class Batches:
    """How much of a mart GX sees at once (see ``run_expectations``); ``rebuilt``: the marts
    (``marts.x``) this run built, None for all of them."""

    # Above this GX sees only rows it has not passed: at 232,000 claims (10,000 reports) whole
    # validation was most of a night's GX time; the keys are unique by dbt tests either way.
    full_rows: int = 50_000
    chunk_rows: int = 1_000_000
    rebuilt: Collection[str] | None = None


def run_expectations(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    docs_dir: Path,
    *,
    run_date: dt.date | None = None,
    freshness_days: float = 7.0,
    batches: Batches = Batches(),
) -> list[CheckResult]:
    """Validate every mart with GX, build Data Docs in ``docs_dir/run_id``, record mart counts;
    the rules between two marts run in SQL (``reference_checks``).

    ``run_date`` (default: today, UTC) anchors the plausible date window; freshness is measured
    from now (see ``freshness_check``).

    A mart of up to ``batches.full_rows`` rows is validated whole. A larger one is validated
    only on rows GX has not passed before (by a hash of the checked columns, kept in
    dq.gx_validated), ``batches.chunk_rows`` at a time so memory stays flat; its row-count rules run in SQL and its key
    uniqueness over the whole mart is a SQL assertion. GX on pandas costs about ten times
    Pandera, so re-validating millions of unchanged rows every night is what this avoids. A
    large mart this run did not rebuild, and whose every row GX passed when it was last built
    (``_whole_passed``), has no unseen rows: GX gets it empty, without hashing the whole mart
    to find that out (ten million shipment rows on a night of new reports). The same holds for
    a mart of any size that the run did not rebuild and in which GX found nothing at all when
    it was last built: GX gets it empty, and its row-count rules run in SQL.
    """
    if not _SAFE_RUN_ID.match(run_id) or ".." in run_id:
        raise ValueError(f"run id {run_id!r} is not usable as a folder name")
    from great_expectations.core.run_identifier import RunIdentifier

    given_date = run_date is not None
    run_date = run_date or dt.datetime.now(dt.UTC).date()
    site_dir = Path(docs_dir) / run_id
    site_dir.mkdir(parents=True, exist_ok=True)
    previous_run, previous = _previous_counts(con, run_id)
    specs = _specs(con, run_date, previous, previous_run)
    _forget_validated_if_suites_changed(con)

    context = _context(site_dir)
    source = context.data_sources.add_pandas("marts")
    rows: list[CheckResult] = []
    counts: dict[str, int] = {}
    for mart, expectations in specs.items():
        key = MARTS[mart][0]
        counts[f"marts.{mart}"] = total = _count(con, mart)
        large = total > batches.full_rows
        seen_whole = (
            batches.rebuilt is not None
            and f"marts.{mart}" not in batches.rebuilt
            and _whole_passed(con, mart)
        )
        if not seen_whole:
            _set_whole_passed(con, mart, False)  # until GX passes this build's rows
        if large or seen_whole:  # row counts in SQL; GX sees only rows it has not passed
            expectations = [
                e
                for e in expectations
                if not (e.meta or {}).get("check", "").endswith(("_volume_emptied", "_volume_drop"))
            ]
            rows += _volume_rows(
                mart, total, previous.get(f"marts.{mart}"), previous_run, tool="sql"
            )
        index = [key] if key in _checked_columns(con, mart) else []
        checkpoint = _checkpoint(context, source, mart, expectations, index)
        results: list[CheckResult] = []
        hashes: list[pl.Series] = []
        frames = _frames(
            con, mart, batches.chunk_rows, unvalidated_only=large, hashes=hashes, none=seen_whole
        )
        for frame in frames:
            outcome = checkpoint.run(
                batch_parameters={"dataframe": frame}, run_id=RunIdentifier(run_name=run_id)
            )
            for validation_result in outcome.run_results.values():
                results += [_row_from_result(mart, r) for r in validation_result.results]
        results = list(merge(results))  # one result per check across chunks
        rows += results
        if not seen_whole:
            _record_passed(con, mart, large, results, hashes)
    rows += reference_checks(con)
    rows.append(freshness_check(con, freshness_days, _ts(run_date) if given_date else None))
    context.build_data_docs(site_names=["supplyline"])
    if not (site_dir / "index.html").exists():
        raise RuntimeError(f"GX Data Docs were not written to {site_dir}")

    record_mart_counts(con, run_id, counts)
    return rows


def _checkpoint(context: Any, source: Any, mart: str, expectations: list, index: list[str]) -> Any:
    """The mart's suite as a GX checkpoint over a dataframe given at run time; ``index``: the
    columns that name a failing row in the sample."""
    import great_expectations as gx

    batch = source.add_dataframe_asset(mart).add_batch_definition_whole_dataframe("whole")
    suite = context.suites.add(gx.ExpectationSuite(name=f"marts.{mart}"))
    for expectation in expectations:
        suite.add_expectation(expectation)
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(data=batch, suite=suite, name=f"marts.{mart}")
    )
    return context.checkpoints.add(
        gx.Checkpoint(
            name=f"marts.{mart}",
            validation_definitions=[validation],
            actions=[],
            result_format={"result_format": "SUMMARY", "unexpected_index_column_names": index},
        )
    )


def _record_passed(
    con: duckdb.DuckDBPyConnection,
    mart: str,
    large: bool,
    results: list[CheckResult],
    hashes: list[pl.Series],
) -> None:
    """After GX read a build of the mart: remember what passed, so a run that leaves the mart
    as it is need not read it again."""
    if large and not any(r.status == "fail" for r in results):
        _remember_validated(con, mart, hashes)
        _set_whole_passed(con, mart, True)
    elif not large and not any(r.failing_count for r in results):
        _set_whole_passed(con, mart, True)  # nothing to report again while it stays as is


def reference_checks(con: duckdb.DuckDBPyConnection) -> list[CheckResult]:
    """The rules between two marts (``REFERENCES``) over every row: a value (null allowed) that
    the other mart's key does not hold, sampled with the row's key as GX reported it."""
    rows = []
    for check, mart, column, other, other_key in REFERENCES:  # names from REFERENCES only
        key = MARTS[mart][0]
        missing = (
            f"from marts.{mart} as m where m.{column} is not null and not exists "
            f"(select 1 from marts.{other} as o where o.{other_key} = m.{column})"
        )
        try:
            failing = db.scalar(con, f"select count(*) {missing}")
            sample = [
                {column: plain(value), key: plain(row_key)}
                for value, row_key in con.execute(
                    f"select m.{column}, m.{key} {missing} order by m.{key} limit {SAMPLE_SIZE}"
                ).fetchall()
            ]
        except duckdb.Error as exc:  # a missing mart or column fails the check, not the run
            failing, sample = 1, [{"exception": str(exc)[:500]}]
        rows.append(CheckResult(check, f"marts.{mart}", "sql", "error", failing, tuple(sample)))
    return rows


def _count(con: duckdb.DuckDBPyConnection, mart: str) -> int:
    try:  # mart names come from MARTS, never from input
        return db.scalar(con, f"select count(*) from marts.{mart}")
    except duckdb.CatalogException:  # a missing mart fails its expectations inside GX
        return 0


def _checked_columns(con: duckdb.DuckDBPyConnection, mart: str) -> list[str]:
    key, extra = MARTS[mart]
    present = {
        r[0]
        for r in con.execute(
            "select column_name from duckdb_columns() "
            "where database_name = current_database() and schema_name = 'marts' and table_name = ?",
            [mart],
        ).fetchall()
    }
    return [c for c in dict.fromkeys((key, *extra)) if c in present]


def _frames(
    con: duckdb.DuckDBPyConnection,
    mart: str,
    chunk_rows: int,
    unvalidated_only: bool,
    hashes: list[pl.Series] | None = None,
    none: bool = False,
):
    """The mart's checked columns as pandas frames of at most ``chunk_rows`` rows (at least one
    frame, possibly empty). A missing table or column is left out, so the expectations on it
    raise inside GX and are reported as failed, not crash the run. With ``unvalidated_only``,
    only rows whose hash GX has not passed, and their hashes are appended to ``hashes``.
    ``none``: no rows at all (one empty frame of the checked columns' types)."""
    import pandas as pd

    cols = _checked_columns(con, mart)
    if not cols:
        yield pd.DataFrame()
        return
    select = ", ".join(cols)  # names from MARTS, filtered to columns that exist
    sql = f"select {select} from marts.{mart}"
    params: list = []
    if unvalidated_only:
        sql = (
            f"select * from (select {select}, hash({select}) as _row_hash from marts.{mart}) "
            "where _row_hash not in (select row_hash from dq.gx_validated where mart = ?)"
        )
        params = [mart]
    if none:
        sql = f"select * from ({sql}) limit 0"
    reader = con.execute(sql, params).fetch_record_batch(chunk_rows)
    sent = False
    for record_batch in reader:
        if record_batch.num_rows or not sent:
            sent = True
            frame = pl.DataFrame(pl.from_arrow(record_batch))
            if unvalidated_only:
                if hashes is not None:
                    hashes.append(frame.get_column("_row_hash"))
                frame = frame.drop("_row_hash")
            yield frame.to_pandas()
    if not sent:
        yield pl.DataFrame(schema=cols).to_pandas()


def _remember_validated(con: duckdb.DuckDBPyConnection, mart: str, hashes: list[pl.Series]) -> None:
    """Add the hashes of the rows GX just passed (rows that left the mart may keep theirs: a row
    with the same content passed the same suite)."""
    if not hashes:
        return
    passed = pl.concat(hashes).unique().to_frame("row_hash")  # noqa: F841 (read by DuckDB below)
    con.execute("insert into dq.gx_validated select ?, row_hash from passed", [mart])


def _forget_validated_if_suites_changed(con: duckdb.DuckDBPyConnection) -> None:
    """Rows passed by other rules (this module, the metric catalogue) must be checked again."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for (metric,) in con.execute("select metric from ref.metrics order by 1").fetchall():
        digest.update(metric.encode())
    fingerprint = digest.hexdigest()
    if db.read_state(con, "gx_suites") != fingerprint:
        con.execute("delete from dq.gx_validated")
        con.execute("delete from ops.state where starts_with(key, ?)", [_WHOLE_PASSED])
        db.write_state(con, "gx_suites", fingerprint)


_WHOLE_PASSED = "gx_whole_passed:"  # ops.state key prefix, one per mart


def _whole_passed(con: duckdb.DuckDBPyConnection, mart: str) -> bool:
    """Whether GX passed every row of the mart's last build (its hashes are all remembered)."""
    return db.read_state(con, _WHOLE_PASSED + mart) == "yes"


def _set_whole_passed(con: duckdb.DuckDBPyConnection, mart: str, passed: bool) -> None:
    if passed:
        db.write_state(con, _WHOLE_PASSED + mart, "yes")
    else:
        con.execute("delete from ops.state where key = ?", [_WHOLE_PASSED + mart])


def _volume_rows(
    mart: str, now: int, before: int | None, previous_run: str | None, tool: str
) -> list[CheckResult]:
    """The row-count rules of the GX suites, computed from counts."""
    table = f"marts.{mart}"
    context = {"previous_count": before, "previous_run_id": previous_run}
    rows = []
    if before:
        rows.append(
            CheckResult(
                f"{mart}_volume_emptied",
                table,
                tool,
                "error",
                int(now < 1),
                ({"observed": now, "min_value": 1, **context},) if now < 1 else (),
            )
        )
    if before and before > 2:
        floor = math.ceil(before / 2)
        rows.append(
            CheckResult(
                f"{mart}_volume_drop",
                table,
                tool,
                "warn",
                int(now < floor),
                ({"observed": now, "min_value": floor, **context},) if now < floor else (),
            )
        )
    return rows


def run_date_checks(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    *,
    run_date: dt.date | None = None,
    freshness_days: float = 7.0,
) -> list[CheckResult]:
    """For a run whose marts did not change: only the checks whose outcome depends on the date
    (freshness, volume against the last run), in SQL.

    GX is not imported: the rows it validated last run are the same rows, and importing it alone
    takes seconds. Same rules and severities as the GX suites, reported with tool ``sql``.
    """
    given_date = run_date is not None
    run_date = run_date or dt.datetime.now(dt.UTC).date()
    previous_run, previous = _previous_counts(con, run_id)
    counts = record_mart_counts(con, run_id)
    rows: list[CheckResult] = []
    for table, before in previous.items():
        rows += _volume_rows(
            table.removeprefix("marts."), counts.get(table, 0), before, previous_run, tool="sql"
        )
    rows.append(freshness_check(con, freshness_days, _ts(run_date) if given_date else None))
    return rows


def freshness_check(
    con: duckdb.DuckDBPyConnection, freshness_days: float, now: dt.datetime | None = None
) -> CheckResult:
    """Warn when no report has arrived within ``freshness_days``: measured by when reports were
    ingested, so old reports that arrive tonight are fresh news, and a quiet inbox still warns
    once the window has passed."""
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    newest = db.scalar(con, "select max(ingested_at) from marts.documents")
    oldest_fresh = now - dt.timedelta(days=freshness_days)
    stale = newest is None or newest < oldest_fresh
    sample = {
        "last_arrival": plain(newest),
        "window_starts": plain(oldest_fresh),
        "max_age_days": freshness_days,
    }
    return CheckResult(
        "documents_fresh", "marts.documents", "sql", "warn", int(stale), (sample,) if stale else ()
    )


def record_mart_counts(
    con: duckdb.DuckDBPyConnection, run_id: str, counts: dict[str, int] | None = None
) -> dict[str, int]:
    """Write this run's mart row counts to dq.mart_counts (replacing any for this run).

    Call it again after restoring blocked marts, so the next run compares with what was
    published rather than with the rows that were held back.
    """
    if counts is None:
        existing = {
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() "
                "where database_name = current_database() and schema_name = 'marts'"
            ).fetchall()
        }
        # names come from MARTS, filtered to tables that exist
        counts = {
            f"marts.{m}": db.scalar(con, f"select count(*) from marts.{m}")
            for m in MARTS
            if m in existing
        }
    counted_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.execute("delete from dq.mart_counts where run_id = ?", [run_id])
    con.executemany(
        "insert into dq.mart_counts (run_id, table_name, row_count, counted_at) "
        "values (?, ?, ?, ?)",
        [[run_id, table, n, counted_at] for table, n in counts.items()],
    )
    return counts
