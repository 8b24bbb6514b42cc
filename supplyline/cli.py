"""The ``supplyline`` command line: run, sql, status."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

# Before Prefect is imported: no phoning home, and room for a slow ephemeral server start.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

app = typer.Typer(
    help="Supplyline: attributed claims about military supply lines, in DuckDB.",
    no_args_is_help=True,
    add_completion=False,
)

WarehouseOpt = Annotated[
    Path | None, typer.Option("--warehouse", "-w", help="Warehouse file (SUPPLYLINE_WAREHOUSE).")
]


def _settings(**overrides: Any) -> Any:
    from supplyline.settings import Settings

    return Settings(**{k: v for k, v in overrides.items() if v is not None})


@app.command()
def run(
    inbox: Annotated[
        Path | None, typer.Option("--inbox", "-i", help="Inbox folder (SUPPLYLINE_INBOX).")
    ] = None,
    warehouse: WarehouseOpt = None,
) -> None:
    """Run the nightly flow once: ingest the inbox and publish the warehouse."""
    settings = _settings(inbox=inbox, warehouse=warehouse)
    _refuse_if_running(settings.warehouse)
    from flows.nightly import nightly, with_task_runner

    _run_flow(
        with_task_runner(nightly, settings),
        inbox=str(settings.inbox),
        warehouse=str(settings.warehouse),
    )


@app.command()
def rebuild(warehouse: WarehouseOpt = None) -> None:
    """Rebuild staging and marts from the raw layer (after a change to rules or aliases)."""
    settings = _settings(warehouse=warehouse)
    from flows.nightly import rebuild as rebuild_flow
    from flows.nightly import with_task_runner

    if not settings.warehouse.exists():
        typer.echo(f"supplyline: no warehouse at {settings.warehouse}", err=True)
        raise typer.Exit(2)
    _refuse_if_running(settings.warehouse)
    _run_flow(with_task_runner(rebuild_flow, settings), warehouse=str(settings.warehouse))


def _run_flow(flow, **params: str) -> None:
    """Run a flow, print its summary, and turn failures into exit codes (1 failed, 3 locked)."""
    from flows.nightly import RunFailed
    from warehouse.db import RunInProgress

    try:
        summary = flow(**params)
    except RunInProgress as exc:
        typer.echo(f"supplyline: {exc}", err=True)
        raise typer.Exit(3) from None
    except RunFailed as exc:
        _print_summary(exc.summary.as_dict())
        raise typer.Exit(1) from None
    _print_summary(summary)


@app.command()
def serve(
    cron: Annotated[str, typer.Option(help="Schedule (cron).")] = "0 2 * * *",
    timezone: Annotated[str, typer.Option(help="Time zone of the schedule.")] = "UTC",
) -> None:
    """Serve the nightly flow on its schedule from this process (one machine, no worker)."""
    from prefect.client.schemas.schedules import CronSchedule

    from flows.nightly import nightly

    nightly.serve(name="nightly", schedules=[CronSchedule(cron=cron, timezone=timezone)])


@app.command()
def docs(warehouse: WarehouseOpt = None) -> None:
    """Build the dbt docs site of the published warehouse: every model, column and test."""
    import shutil

    from warehouse import dbt, targets

    settings = _settings(warehouse=warehouse)
    if not settings.lake_catalog and not settings.warehouse.exists():
        typer.echo(f"supplyline: no warehouse at {settings.warehouse}", err=True)
        raise typer.Exit(2)
    work = settings.data_dir / "dbt_docs"
    profile = targets.docs_profile(settings, work / "scratch")
    try:
        site = dbt.docs(profile, dbt.Project(work / "dbt", settings.reference_dir))
        shutil.copyfile(site, work / "index.html")
    finally:
        shutil.rmtree(work / "scratch", ignore_errors=True)
    typer.echo(f"dbt docs: {work / 'index.html'}")


def _refuse_if_running(warehouse: Path) -> None:
    """Exit at once, before Prefect starts, when another run holds the lock."""
    from warehouse.db import lock_holder

    holder = lock_holder(warehouse.resolve())
    if holder:
        typer.echo(
            f"supplyline: a run is already in progress ({holder}); try again later", err=True
        )
        raise typer.Exit(3)


def _print_summary(s: dict) -> None:
    typer.echo(
        f"{s['kind']} run {s['run_id']}: {s['status']}\n"
        f"  files: {s['files_new']} new, {s['files_unchanged']} unchanged, "
        f"{s['files_duplicate']} duplicate, {s['files_failed']} failed, {s['files_skipped']} skipped\n"
        f"  loaded: {s['claims_loaded']} claims, {s['shipments_loaded']} shipment rows, "
        f"{s['entities_loaded']} entity mentions\n"
        f"  checks failed: {s['checks_failed']}; rows quarantined: {s['rows_quarantined']}\n"
        f"  alert: {s['alert'] or 'none'}\n"
        f"  warehouse: {s['warehouse']}"
    )
    for path, reason in s.get("failed_files") or []:
        typer.echo(f"  failed: {path}: {reason}")
    if s["status"] != "completed":
        typer.echo(f"  {s['message']}")


def _open_readonly(warehouse: Path | None):
    from warehouse.targets import open_for_reading

    settings = _settings(warehouse=warehouse)
    if not settings.lake_catalog and not settings.warehouse.exists():
        typer.echo(
            f"supplyline: no warehouse at {settings.warehouse}; run `supplyline run` first",
            err=True,
        )
        raise typer.Exit(2)
    return open_for_reading(settings)


@app.command()
def sql(
    query: Annotated[
        str | None, typer.Argument(help="SQL to run; omit for an interactive shell.")
    ] = None,
    warehouse: WarehouseOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
) -> None:
    """Read-only ad-hoc SQL on the published warehouse (FTS extension loaded)."""
    if fmt not in ("table", "csv", "json"):
        raise typer.BadParameter("format must be table, csv or json", param_hint="--format")
    con = _open_readonly(warehouse)
    try:
        if query is not None:
            _run_query(con, query, fmt)
            return
        _shell(con, fmt)
    finally:
        con.close()


def _run_query(con, query: str, fmt: str) -> None:
    import duckdb

    try:
        rel = con.sql(query)
    except duckdb.Error as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    if rel is None:
        return
    if fmt == "table":
        rel.show(max_width=200, max_rows=200)
        return
    cols, rows = rel.columns, rel.fetchall()
    if fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(cols)
        writer.writerows(rows)
    else:
        typer.echo(
            json.dumps(
                [dict(zip(cols, r, strict=True)) for r in rows], default=str, ensure_ascii=False
            )
        )


def _shell(con, fmt: str) -> None:
    typer.echo("supplyline sql: read-only. End statements with ';'. Ctrl-D to quit.")
    buffer: list[str] = []
    while True:
        try:
            line = input("sql> " if not buffer else "...> ")
        except EOFError:
            typer.echo("")
            return
        buffer.append(line)
        if line.rstrip().endswith(";"):
            statement = "\n".join(buffer)
            buffer.clear()
            with contextlib.suppress(typer.Exit):
                _run_query(con, statement, fmt)


@app.command()
def status(warehouse: WarehouseOpt = None) -> None:
    """Recent runs, files by status, and row counts per mart."""
    from warehouse import db

    con = _open_readonly(warehouse)
    try:
        typer.echo("recent runs:")
        _run_query(
            con,
            "select run_id, started_at, status, files_new, claims_loaded, checks_failed, "
            "rows_quarantined, message from ops.runs order by started_at desc limit 10",
            "table",
        )
        typer.echo("files by status:")
        _run_query(
            con,
            "select status, kind, count(*) as files from ops.files group by all order by all",
            "table",
        )
        typer.echo("rows per mart:")
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        for name in tables:
            # Names come from the catalogue, not from input text.
            n = db.scalar(con, f'select count(*) from marts."{name}"')
            typer.echo(f"  marts.{name}: {n}")
    finally:
        con.close()


if __name__ == "__main__":
    app()
