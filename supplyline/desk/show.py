"""What the desk prints on a terminal: search hits, the data dictionary, and run progress.

Text from reports is shown through rich ``Text`` objects, never as markup, so a report that
contains ``[bold]`` prints exactly that.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from rich.console import Console
from rich.progress import TaskID
from rich.table import Table
from rich.text import Text

from supplyline.desk.describe import Table as DictTable
from supplyline.desk.export import neutralise
from supplyline.desk.search import Hit
from supplyline.progress import ProgressEvent, listening

HIGHLIGHT = "bold black on yellow"
SEARCH_CSV_COLUMNS = [
    "rank",
    "doc_id",
    "file_name",
    "title",
    "outlet",
    "published",
    "score",
    "snippets",
    "claim_id",
    "metric",
    "value_low",
    "value_high",
    "unit",
    "qualifier",
    "attributed_to",
    "quote",
]


def figure(claim: dict) -> str:
    """A claim's bounds in words: '4,200,000–5,800,000 rounds', 'at least 1,000,000 rounds'."""
    low, high, unit = claim.get("value_low"), claim.get("value_high"), claim.get("unit") or ""

    def num(v: float) -> str:
        return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"

    if low is not None and high is not None:
        text = num(low) if low == high else f"{num(low)}–{num(high)}"
    elif low is not None:
        text = f"at least {num(low)}"
    elif high is not None:
        text = f"at most {num(high)}"
    else:
        text = "?"
    return f"{text} {unit}".strip()


def hits_table(hits: list[Hit], query: str) -> Table:
    """One row per hit: the report, its highlighted snippets, and its claims."""
    table = Table(
        title=f"{len(hits)} reports for {query!r}" if query else f"{len(hits)} reports",
        show_lines=True,
        expand=True,
        title_justify="left",
    )
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("report", ratio=2, overflow="fold")
    table.add_column("what it says", ratio=5)
    table.add_column("claims", ratio=4)
    for rank, hit in enumerate(hits, 1):
        about = Text(hit.file_name, style="bold")
        for extra in (hit.title, hit.outlet, hit.published and hit.published.isoformat()):
            if extra:
                about.append("\n" + str(extra), style="dim")
        if hit.score is not None:
            about.append(f"\nscore {hit.score:.3f}", style="dim")
        snippet_text = Text()
        for i, snippet in enumerate(hit.snippets):
            if i:
                snippet_text.append("\n")
            part = Text(snippet.text)
            for start, end in snippet.highlights:
                part.stylize(HIGHLIGHT, start, end)
            snippet_text.append_text(part)
        claims = Text()
        for i, claim in enumerate(hit.claims):
            if i:
                claims.append("\n")
            claims.append(f"{claim['metric']}: ", style="bold")
            claims.append(figure(claim))
            claims.append(f" · {claim['attributed_to'] or 'the outlet'}", style="cyan")
            claims.append(f"\n  “{claim['quote']}”", style="dim")
        table.add_row(str(rank), about, snippet_text, claims or Text("no claims", style="dim"))
    return table


def hits_json(hits: list[Hit]) -> str:
    return json.dumps([h.as_dict() for h in hits], default=str, ensure_ascii=False, indent=1)


def hits_csv(hits: list[Hit]) -> str:
    """One row per claim (a hit without claims gives one row); text cells safe for spreadsheets."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(SEARCH_CSV_COLUMNS)
    for rank, hit in enumerate(hits, 1):
        doc = [
            rank,
            hit.doc_id,
            hit.file_name,
            hit.title,
            hit.outlet,
            hit.published,
            hit.score,
            " … ".join(s.marked() for s in hit.snippets),
        ]
        for claim in hit.claims or [{}]:
            row = doc + [claim.get(k) for k in SEARCH_CSV_COLUMNS[8:]]
            writer.writerow(
                [neutralise(v) if isinstance(v, str) else ("" if v is None else v) for v in row]
            )
    return out.getvalue()


def dictionary(tables: list[DictTable], console: Console) -> None:
    """Tables and their descriptions; for a single table, every column too."""
    if len(tables) != 1:
        overview = Table(title="tables and views", title_justify="left", expand=True)
        overview.add_column("table", no_wrap=True)
        overview.add_column("kind")
        overview.add_column("columns", justify="right")
        overview.add_column("description", ratio=1)
        for t in tables:
            described = len(t.columns) - len(t.undescribed)
            overview.add_row(
                t.target,
                t.kind,
                f"{described}/{len(t.columns)} described",
                Text(t.comment or "(no description)", style="" if t.comment else "dim"),
            )
        console.print(overview)
        return
    t = tables[0]
    console.print(Text(t.target, style="bold"), Text(f"({t.kind})", style="dim"))
    console.print(Text(t.comment or "(no description)", style="" if t.comment else "dim"))
    columns = Table(expand=True)
    columns.add_column("column", no_wrap=True)
    columns.add_column("type")
    columns.add_column("description", ratio=1)
    for c in t.columns:
        columns.add_row(
            c.name,
            c.data_type,
            Text(c.comment or "(no description)", style="" if c.comment else "dim"),
        )
    console.print(columns)
    if t.undescribed:
        console.print(
            Text(
                f"{len(t.undescribed)} of {len(t.columns)} columns have no description",
                style="yellow",
            )
        )


# --------------------------------------------------------------------------- run progress


class LiveProgress:
    """A rich display with one line per stage: a bar when the total is known, else a count."""

    def __init__(self, console: Console) -> None:
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            SpinnerColumn(finished_text="[green]✓"),
            TextColumn("{task.description:<10}"),
            BarColumn(),
            TextColumn("{task.fields[count]}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, event: ProgressEvent) -> None:
        if event.stage not in self.tasks:
            # Stages interleave (ingest and extract go group by group), so a new stage ends only
            # the earlier ones that cannot tell their own end (no total).
            for task in self.tasks.values():
                if self.progress.tasks[task].total is None:
                    self._finish(task)
            self.tasks[event.stage] = self.progress.add_task(
                event.stage, total=event.total, count=""
            )
        count = event.describe().split(": ", 1)[1]
        self.progress.update(
            self.tasks[event.stage], completed=event.done, total=event.total, count=count
        )

    def _finish(self, task: TaskID) -> None:
        t = self.progress.tasks[task]
        if not t.finished:
            self.progress.update(task, total=t.completed or 1, completed=t.completed or 1)

    def close(self) -> None:
        for task in self.tasks.values():
            self._finish(task)
        self.progress.stop()


class PlainProgress:
    """One log line per stage step, at most one a second per stage (and always its last)."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.last: dict[str, float] = {}

    def __call__(self, event: ProgressEvent) -> None:
        last = self.last.get(event.stage)
        if last is not None and event.at - last < 1.0 and not event.finished:
            return
        self.last[event.stage] = event.at
        print(
            f"[{event.at - self.started:7.1f}s] progress {event.describe()}",
            file=self.stream,
            flush=True,
        )


@contextmanager
def run_progress(live: bool) -> Iterator[None]:
    """Show the run's progress on stderr: live on a terminal, plain lines otherwise. While the
    live display is up, Prefect's console logs drop to warnings so they do not tear it."""
    if not live:
        with listening(PlainProgress()):
            yield
        return
    display = LiveProgress(Console(stderr=True))
    quieted = _quiet_prefect_console()
    display.progress.start()
    try:
        with listening(display):
            yield
    finally:
        display.close()
        for handler, level in quieted:
            handler.setLevel(level)


def _quiet_prefect_console() -> list[tuple[logging.Handler, int]]:
    """Prefect's console handlers at WARNING; returns their old levels."""
    changed: list[tuple[logging.Handler, int]] = []
    for h in _console_handlers():
        changed.append((h, h.level))
        h.setLevel(logging.WARNING)
    return changed


def _console_handlers() -> list[logging.Handler]:
    """Every Prefect console handler, once."""
    from prefect.logging.handlers import PrefectConsoleHandler

    found: dict[int, logging.Handler] = {}
    loggers = [logging.getLogger()] + [
        logging.getLogger(n) for n in list(logging.root.manager.loggerDict)
    ]
    for lg in loggers:
        for h in getattr(lg, "handlers", []):
            if isinstance(h, PrefectConsoleHandler):
                found.setdefault(id(h), h)
    return list(found.values())


class _RunLog(logging.FileHandler):
    """The run log file; a disk too full to write it must not add noise to the console."""

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        return None


class _OneLine(logging.Filter):
    """On the console, an error's traceback becomes one line pointing at the log file."""

    def __init__(self, log: Path) -> None:
        super().__init__()
        self.log = log

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            why = " ".join(str(exc).split())[:200]
            record.msg = (
                f"{record.getMessage()} [{type(exc).__name__}: {why}; traceback in {self.log}]"
            )
            record.args = ()
            record.exc_info, record.exc_text = None, None
        return True


@contextmanager
def tracebacks_to(log: Path) -> Iterator[None]:
    """Write everything the run logs, tracebacks included, to ``log``; the console shows each
    error on one line instead of its traceback."""
    with suppress(OSError):
        log.parent.mkdir(parents=True, exist_ok=True)
    handler = _RunLog(log, delay=True, encoding="utf-8")
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers.insert(0, handler)  # before the console, which shortens the record
    one_line = _OneLine(log)
    consoles = _console_handlers()
    for h in consoles:
        h.addFilter(one_line)
    try:
        yield
    finally:
        for h in consoles:
            h.removeFilter(one_line)
        root.removeHandler(handler)
        handler.close()
