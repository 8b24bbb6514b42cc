"""The ``supplyline`` command line: run, sql, status, rebuild, serve, shapes, and the analyst's
desk (search, report, describe, export)."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import sys
import traceback
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

# Before Prefect is imported: no phoning home, and room for a slow ephemeral server start.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

EXIT_CODES = """Exit codes:

\b
  0  done
  1  the run failed (an error check, or a crash), or a query, search, report or export could not run
  2  a usage error, or no warehouse yet
  3  another run holds the warehouse lock
"""

app = typer.Typer(
    help="Supplyline: attributed claims about military supply lines, in DuckDB.",
    epilog=EXIT_CODES,
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"supplyline {version('supplyline')}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Supplyline: attributed claims about military supply lines, in DuckDB."""


WarehouseOpt = Annotated[
    Path | None, typer.Option("--warehouse", "-w", help="Warehouse file (SUPPLYLINE_WAREHOUSE).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]


def _settings(**overrides: Any) -> Any:
    """The settings, or one line naming the bad value and exit 2 (before Prefect is imported)."""
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    from supplyline.settings import Settings

    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        _fail(_bad_setting(exc, given))
    except SettingsError as exc:
        _fail(f"bad setting: {exc}")


def _bad_setting(exc, given: dict) -> str:
    """'bad setting SUPPLYLINE_MAX_FILE_MB='abc': <why>' for the first invalid value."""
    errors = exc.errors()
    first = errors[0]
    field = str(first["loc"][0]) if first.get("loc") else "?"
    name = f"--{field.replace('_', '-')}" if field in given else f"SUPPLYLINE_{field.upper()}"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return " ".join(f"bad setting {name}={first.get('input')!r}: {first['msg']}{more}".split())


def _fail(problem: str) -> NoReturn:
    """One line on stderr and exit 2: a problem a retry cannot fix."""
    typer.echo(f"supplyline: {' '.join(problem.split())}", err=True)
    raise typer.Exit(2)


def _check_run_paths(settings, inbox: bool = True) -> None:
    """Fail fast on an inbox that is not a readable folder, or a warehouse or data folder that
    cannot be written, before anything starts."""
    if inbox:
        folder = settings.inbox
        if not folder.exists():
            _fail(f"inbox folder not found: {folder}")
        if not folder.is_dir():
            _fail(f"inbox is not a folder: {folder}")
        if not os.access(folder, os.R_OK | os.X_OK):
            _fail(f"inbox folder is not readable: {folder}")
    if not settings.lake_catalog:
        if settings.warehouse.is_dir():
            _fail(f"warehouse is a folder, not a file: {settings.warehouse}")
        _check_writable(settings.warehouse.parent, f"warehouse {settings.warehouse}")
    _check_writable(settings.data_dir, f"data folder {settings.data_dir} (SUPPLYLINE_DATA_DIR)")


def _check_writable(folder: Path, what: str) -> None:
    """The folder, or the nearest one above it that exists (the run creates the rest), takes a
    new file: tried for real, since permissions alone miss read-only disks."""
    import tempfile

    existing = folder.absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        _fail(f"cannot write {what}: {existing} is not a folder")
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as exc:
        _fail(f"cannot write {what}: {existing}: {exc.strerror or exc}")


@app.command()
def run(
    inbox: Annotated[
        Path | None, typer.Option("--inbox", "-i", help="Inbox folder (SUPPLYLINE_INBOX).")
    ] = None,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run the nightly flow once: ingest the inbox and publish the warehouse.

    Shows each stage's progress on stderr (live on a terminal). Exits 1 if the run failed,
    3 if another run holds the lock.
    """
    settings = _settings(inbox=inbox, warehouse=warehouse)
    _check_run_paths(settings)
    _refuse_if_running(settings.warehouse)
    from flows.nightly import nightly, with_task_runner

    _run_flow(
        with_task_runner(nightly, settings),
        settings.data_dir / "logs" / "runs.log",
        as_json,
        inbox=str(settings.inbox),
        warehouse=str(settings.warehouse),
    )


@app.command()
def rebuild(warehouse: WarehouseOpt = None) -> None:
    """Rebuild staging and marts from the raw layer (after a change to rules or aliases)."""
    settings = _settings(warehouse=warehouse)
    if not settings.lake_catalog and not settings.warehouse.exists():
        _fail(f"no warehouse at {settings.warehouse}")
    _check_run_paths(settings, inbox=False)
    _refuse_if_running(settings.warehouse)
    from flows.nightly import rebuild as rebuild_flow
    from flows.nightly import with_task_runner

    _run_flow(
        with_task_runner(rebuild_flow, settings),
        settings.data_dir / "logs" / "runs.log",
        warehouse=str(settings.warehouse),
    )


def _run_flow(flow, log: Path, as_json: bool = False, **params: str) -> None:
    """Run a flow with a progress display, print its summary (or JSON), and turn failures into
    exit codes (1 failed, 3 locked). Tracebacks go to ``log``, not the console."""
    from flows.nightly import RunFailed
    from flows.orchestration import remember_migrated, skip_migration_check, state_database
    from supplyline.desk.show import run_progress, tracebacks_to
    from warehouse.db import RunInProgress

    show = _print_json if as_json else _print_summary
    database = state_database()  # None against a running server: nothing to start
    skip_migration_check(database)
    try:
        with tracebacks_to(log), run_progress(live=sys.stderr.isatty()):
            summary = flow(**params)
    except RunInProgress as exc:  # the flow ran, so the server started (and migrated)
        remember_migrated(database)
        typer.echo(f"supplyline: {exc}", err=True)
        raise typer.Exit(3) from None
    except RunFailed as exc:
        remember_migrated(database)
        show(exc.summary.as_dict())
        raise typer.Exit(1) from None
    except Exception as exc:  # broke outside any stage: one line here, the traceback in the log
        with contextlib.suppress(OSError), open(log, "a", encoding="utf-8") as handle:
            traceback.print_exception(exc, file=handle)
        typer.echo(f"supplyline: run failed: {type(exc).__name__}: {exc} (see {log})", err=True)
        raise typer.Exit(1) from None
    remember_migrated(database)
    show(summary)


def _print_json(data: object) -> None:
    typer.echo(json.dumps(data, default=str, ensure_ascii=False, indent=1))


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
    if s.get("failed_stage"):  # the run broke: where and why, in the alert's words
        typer.echo(
            f"{s['kind']} run {s['run_id']}: failed\n  {s['message']}\n"
            f"  alert: {s['alert'] or 'none'}\n  warehouse: {s['warehouse']}"
        )
        return
    typer.echo(
        f"{s['kind']} run {s['run_id']}: {s['status']}\n"
        f"  files: {s['files_new']} new, {s['files_unchanged']} unchanged, "
        f"{s['files_duplicate']} duplicate, {s['files_failed']} failed, {s['files_skipped']} skipped\n"
        f"  loaded: {s['claims_loaded']} claims, {s['shipments_loaded']} shipment rows, "
        f"{s['entities_loaded']} entity mentions\n"
        f"  checks: {s['checks_failed']} failed, {s['checks_warned']} warned; "
        f"rows quarantined: {s['rows_quarantined']}\n"
        f"  {s['problems'] or 'all checks passed'}\n"
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


def _as_of(text: str) -> date:
    from supplyline.desk.asof import parse_as_of

    try:
        return parse_as_of(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


AsOfOpt = Annotated[
    date | None,
    typer.Option(
        "--as-of",
        parser=_as_of,
        metavar="YYYY-MM-DD",
        help="Answer as the warehouse would have on this date: reports published by then (or ingested, "
        "when undated), voyages departed and table figures dated by then, marts rebuilt over them.",
    ),
]


@app.command()
def sql(
    query: Annotated[
        str | None, typer.Argument(help="SQL to run; omit for an interactive shell.")
    ] = None,
    warehouse: WarehouseOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
    as_of: AsOfOpt = None,
) -> None:
    """Read-only ad-hoc SQL on the published warehouse (FTS extension loaded).

    The shell has line editing, completion of table names and a history kept beside the
    warehouse. Exits 1 when a query fails.
    """
    if fmt not in ("table", "csv", "json"):
        raise typer.BadParameter("format must be table, csv or json", param_hint="--format")
    con = _open_desk(warehouse, as_of)
    try:
        if query is not None:
            _run_query(con, query, fmt)
            return
        _shell(con, fmt, _history_file(warehouse))
    finally:
        con.close()


def _open_desk(warehouse: Path | None, as_of: date | None = None):
    """A read-only connection, or the warehouse's as-of views on a date."""
    if as_of is None:
        return _open_readonly(warehouse)
    import duckdb

    from supplyline.desk import open_warehouse

    _open_readonly(warehouse).close()  # the same checks and messages as without --as-of
    try:
        return open_warehouse(_settings(warehouse=warehouse), as_of)
    except duckdb.Error as exc:
        typer.echo(f"supplyline: cannot answer as of {as_of}: {exc}", err=True)
        raise typer.Exit(1) from None


def _history_file(warehouse: Path | None) -> Path:
    settings = _settings(warehouse=warehouse)
    folder = settings.data_dir if settings.lake_catalog else settings.warehouse.resolve().parent
    return folder / ".supplyline_sql_history"


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


def _shell(con, fmt: str, history: Path) -> None:
    """Statements end with ';'. On a terminal: line editing, history and completion."""
    typer.echo("supplyline sql: read-only. End statements with ';'. Ctrl-D to quit.")
    read = _line_reader(con, history) if sys.stdin.isatty() and sys.stdout.isatty() else input
    buffer: list[str] = []
    while True:
        try:
            line = read("sql> " if not buffer else "...> ")
        except EOFError:
            typer.echo("")
            return
        except KeyboardInterrupt:  # Ctrl-C drops the statement being typed, as in psql
            buffer.clear()
            continue
        buffer.append(line)
        if line.rstrip().endswith(";"):
            statement = "\n".join(buffer)
            buffer.clear()
            with contextlib.suppress(typer.Exit):
                _run_query(con, statement, fmt)


def _line_reader(con, history: Path):
    """prompt_toolkit's prompt: whole statements (Enter runs one that ends with ';'), a history
    file, and completion of SQL words and table names."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.completion import WordCompleter
    from prompt_toolkit.history import FileHistory
    from prompt_toolkit.key_binding import KeyBindings

    names = [
        f"{s}.{t}"
        for s, t in con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = current_database() "
            "union select schema_name, view_name from duckdb_views() where database_name = current_database() "
            "and not internal"
        ).fetchall()
    ]
    words = [
        "select",
        "from",
        "where",
        "group by",
        "order by",
        "limit",
        "join",
        "with",
        "count(*)",
        "describe",
        "summarize",
        "distinct",
        "having",
        "as",
        "and",
        "or",
        "not",
        "null",
    ]
    keys = KeyBindings()

    @keys.add("enter")
    def _enter(event) -> None:
        # Enter runs the statement once it ends with ';' (or is empty); otherwise a new line.
        buffer = event.current_buffer
        if not buffer.text.strip() or buffer.text.rstrip().endswith(";"):
            buffer.validate_and_handle()
        else:
            buffer.insert_text("\n")

    history.parent.mkdir(parents=True, exist_ok=True)
    session: PromptSession[str] = PromptSession(
        history=FileHistory(str(history)),
        multiline=True,
        key_bindings=keys,
        prompt_continuation="...> ",
        completer=WordCompleter(sorted(names) + words, ignore_case=True, sentence=True),
    )
    return session.prompt


@app.command()
def status(warehouse: WarehouseOpt = None, as_json: JsonOpt = False) -> None:
    """Recent runs, files by status, and row counts per mart."""
    con = _open_readonly(warehouse)
    try:
        if as_json:
            _print_json(_status_data(con))
            return
        typer.echo("recent runs:")
        _run_query(con, RECENT_RUNS_SQL, "table")
        typer.echo("files by status:")
        _run_query(con, FILES_BY_STATUS_SQL, "table")
        if con.execute(
            "select count(*) from information_schema.tables where table_schema = 'marts' "
            "and table_name = 'reconciliations'"
        ).fetchone()[0]:
            typer.echo("claims against tables (reference/reconciliations.yaml):")
            _run_query(
                con,
                "select check_name, table_name, count(*) filter (where verdict = 'agree') as agree, "
                "count(*) filter (where verdict = 'disagree') as disagree, "
                "count(*) filter (where verdict = 'no overlap') as no_overlap "
                "from marts.reconciliations group by all order by 1",
                "table",
            )
        typer.echo("rows per mart:")
        for name, n in _mart_counts(con).items():
            typer.echo(f"  {name}: {n}")
    finally:
        con.close()


shapes_app = typer.Typer(
    help="Table shapes: the declarations in reference/shapes that say how a table is read.",
    no_args_is_help=True,
)
app.add_typer(shapes_app, name="shapes")


@shapes_app.command("list")
def shapes_list() -> None:
    """The declared table shapes: name, target, required fields and grain."""
    from supplyline.shapes import ShapeError, load_shapes

    try:
        shapes = load_shapes(_settings().reference_dir)
    except ShapeError as exc:
        typer.echo(f"supplyline: {exc}", err=True)
        raise typer.Exit(2) from None
    for spec in shapes:
        typer.echo(f"{spec.shape}: {spec.target}; needs {', '.join(spec.required)}; {spec.grain}")


@shapes_app.command("suggest")
def shapes_suggest(
    file: Annotated[
        Path, typer.Argument(help="A table (csv, xlsx, json, parquet) no shape reads yet.")
    ],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Where to write (default ./<name>.yaml).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a starter shape declaration for FILE, for a person to finish and move into
    reference/shapes/."""
    from supplyline.parsers import TABLE_FORMATS, ParseError, parse_table
    from supplyline.shapes import ShapeError, load_shapes, suggest_shape
    from transforms.tables import match_shape

    fmt = TABLE_FORMATS.get(file.suffix.lower())
    if fmt is None or not file.is_file():
        typer.echo(
            f"supplyline: {file} is not a table file ({', '.join(sorted(TABLE_FORMATS))})", err=True
        )
        raise typer.Exit(2)
    try:
        shapes = load_shapes(_settings().reference_dir)
        sheets = parse_table(file.read_bytes(), fmt)
    except (ShapeError, ParseError) as exc:
        typer.echo(f"supplyline: {exc}", err=True)
        raise typer.Exit(2) from None
    sheet = sheets[0]
    found = match_shape(sheet.frame.columns, shapes)
    if found is not None and not force:
        typer.echo(
            f"{file.name} is already read as {found.shape}; nothing written (--force writes a starter anyway)"
        )
        return
    text = suggest_shape(file.name, sheet.frame, shapes)
    target = out or Path.cwd() / f"{file.stem}.yaml"
    if target.exists() and not force:
        typer.echo(f"supplyline: {target} exists; pass --force to overwrite", err=True)
        raise typer.Exit(2)
    target.write_text(text, encoding="utf-8")
    more = f" (the first of {len(sheets)} sheets, {sheet.sheet!r})" if len(sheets) > 1 else ""
    typer.echo(
        f"wrote {target}{more}: finish its TODO lines, delete `status: draft`, and move it into "
        f"{_settings().reference_dir / 'shapes'}"
    )


RECENT_RUNS_SQL = (
    "select r.run_id, r.started_at, r.status, r.files_new, r.claims_loaded, r.checks_failed, "
    "(select count(*) from dq.check_results c where c.run_id = r.run_id and c.status = 'warn') "
    "as checks_warned, r.rows_quarantined, r.message from ops.runs r "
    "order by r.started_at desc limit 10"
)
FILES_BY_STATUS_SQL = (
    "select status, kind, count(*) as files from ops.files group by all order by all"
)


def _mart_counts(con) -> dict[str, int]:
    tables = [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
        ).fetchall()
    ]
    # Names come from the catalogue, not from input text.
    return {
        f"marts.{name}": con.execute(f'select count(*) from marts."{name}"').fetchone()[0]
        for name in tables
    }


def _status_data(con) -> dict:
    """What ``status`` shows, as one JSON-ready object."""

    def records(sql: str) -> list[dict]:
        cur = con.execute(sql)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

    return {
        "recent_runs": records(RECENT_RUNS_SQL),
        "files_by_status": records(FILES_BY_STATUS_SQL),
        "rows_per_mart": _mart_counts(con),
    }


# --------------------------------------------------------------------------- the analyst's desk


@app.command()
def search(  # noqa: PLR0913  (a Typer command's options are its arguments)
    query: Annotated[
        str, typer.Argument(help="Words to look for (BM25 over titles and text); '' lists by date.")
    ] = "",
    since: Annotated[
        datetime | None,
        typer.Option(
            "--since",
            formats=["%Y-%m-%d"],
            metavar="YYYY-MM-DD",
            help="Published on or after this date.",
        ),
    ] = None,
    until: Annotated[
        datetime | None,
        typer.Option(
            "--until",
            formats=["%Y-%m-%d"],
            metavar="YYYY-MM-DD",
            help="Published on or before this date.",
        ),
    ] = None,
    outlet: Annotated[str | None, typer.Option(help="Outlet name contains this.")] = None,
    metric: Annotated[
        str | None,
        typer.Option(help="Reports with a claim on this metric (and only those claims)."),
    ] = None,
    vessel: Annotated[
        str | None, typer.Option(help="Reports naming this vessel (any alias).")
    ] = None,
    port: Annotated[str | None, typer.Option(help="Reports naming this port (any alias).")] = None,
    claimant: Annotated[
        str | None, typer.Option(help="Reports with a claim attributed to this source (any alias).")
    ] = None,
    entity: Annotated[
        str | None, typer.Option(help="Reports naming this entity of any kind (any alias).")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, help="At most this many reports.")
    ] = 20,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")] = "table",
    warehouse: WarehouseOpt = None,
) -> None:
    """Search the reports: ranked hits with highlighted snippets and each report's claims.

    Exits 1 when the search cannot run (an unknown vessel, port or entity; no full-text index).
    """
    from supplyline.desk import search as desk_search
    from supplyline.desk import show

    if fmt not in ("table", "json", "csv"):
        raise typer.BadParameter("format must be table, json or csv", param_hint="--format")
    filters = desk_search.Filters(
        since=since and since.date(),
        until=until and until.date(),
        outlet=outlet,
        metric=metric,
        vessel=vessel,
        port=port,
        claimant=claimant,
        entity=entity,
    )
    con = _open_readonly(warehouse)
    try:
        hits = desk_search.search(con, query, filters, limit=limit)
    except desk_search.SearchError as exc:
        typer.echo(f"supplyline: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        con.close()
    if fmt == "json":
        typer.echo(show.hits_json(hits))
    elif fmt == "csv":
        sys.stdout.write(show.hits_csv(hits))
    else:
        _console().print(show.hits_table(hits, query))


@app.command()
def report(
    run_id: Annotated[
        str | None, typer.Option("--run", help="Run id (default: the latest run).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="HTML file (default: reports/<run id>.html beside the warehouse)."
        ),
    ] = None,
    warehouse: WarehouseOpt = None,
) -> None:
    """Write one run's report: a self-contained HTML page with charts, readable offline.

    Exits 1 when there is no such run.
    """
    from supplyline.desk.report import ReportError, write_run_report

    settings = _settings(warehouse=warehouse)
    if settings.lake_catalog:
        typer.echo(
            "supplyline: the run report reads the warehouse file; DuckLake is not supported",
            err=True,
        )
        raise typer.Exit(2)
    _open_readonly(warehouse).close()
    try:
        path = write_run_report(settings.warehouse, run_id, out)
    except ReportError as exc:
        typer.echo(f"supplyline: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"report written: {path}")


@app.command()
def describe(
    table: Annotated[
        str | None,
        typer.Argument(
            help="A table (marts.claims, claims) or column (marts.claims.metric); omit for all."
        ),
    ] = None,
    as_json: JsonOpt = False,
    warehouse: WarehouseOpt = None,
) -> None:
    """The data dictionary: what each table and column means (from the warehouse's comments).

    Exits 1 when there is no such table or column.
    """
    from supplyline.desk import show
    from supplyline.desk.describe import UnknownTable
    from supplyline.desk.describe import describe as describe_tables

    con = _open_readonly(warehouse)
    try:
        tables = describe_tables(con, table)
    except UnknownTable as exc:
        typer.echo(f"supplyline: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        con.close()
    if as_json:
        _print_json([t.as_dict() for t in tables])
    else:
        show.dictionary(tables, _console())


@app.command()
def export(
    source: Annotated[
        str, typer.Argument(help="A table or view (marts.claims) or a SELECT query.")
    ],
    to: Annotated[Path, typer.Option("--to", help="Output file: .parquet, .csv, .xlsx or .json.")],
    as_of: AsOfOpt = None,
    warehouse: WarehouseOpt = None,
) -> None:
    """Export a table or a query's rows to Parquet, CSV, XLSX or JSON.

    In CSV and XLSX, text that a spreadsheet would run as a formula (starting with =, +, -, @,
    tab or CR) gets a leading single quote; numbers stay numbers. Exits 1 when the query fails.
    """
    import duckdb

    from supplyline.desk.export import export as export_rows

    con = _open_desk(warehouse, as_of)
    try:
        result = export_rows(con, source, to)
    except (duckdb.Error, ValueError) as exc:
        typer.echo(f"supplyline: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        con.close()
    note = f"; {result.neutralised} formula-looking cells quoted" if result.neutralised else ""
    typer.echo(f"exported {result.rows:,} rows x {result.columns} columns to {result.path}{note}")


def _console():
    from rich.console import Console

    # Not a terminal (a pipe, a file) and no COLUMNS: wide enough that tables stay readable.
    return Console(width=None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 160)


if __name__ == "__main__":
    app()
