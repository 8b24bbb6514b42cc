"""Progress events and their displays, and the CLI's version, help, completion and exit codes."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from importlib.metadata import version

from rich.console import Console
from typer.testing import CliRunner

from supplyline import progress
from supplyline.cli import app
from supplyline.desk.show import LiveProgress, PlainProgress
from supplyline.progress import ProgressEvent

SUPPLYLINE = [sys.executable, "-m", "supplyline.cli"]


def test_events_reach_listeners_and_a_failing_listener_is_dropped():
    seen: list[ProgressEvent] = []

    def broken(event):
        raise RuntimeError("display gone")

    with progress.listening(seen.append), progress.listening(broken):
        progress.emit("ingest", 1, 3, "groups")
        progress.emit("extract", 120, None, "documents")
    progress.emit("ingest", 2, 3, "groups")  # after the block: nobody listens
    assert [(e.stage, e.done, e.total) for e in seen] == [("ingest", 1, 3), ("extract", 120, None)]
    assert (
        seen[0].describe() == "ingest: 1/3 groups"
        and seen[1].describe() == "extract: 120 documents"
    )
    assert not seen[0].finished and ProgressEvent("load", 1, 1).finished
    assert broken not in progress._listeners


def test_plain_lines_at_most_one_a_second_per_stage_and_always_the_last():
    out = io.StringIO()
    plain = PlainProgress(out)
    for done in range(1, 6):
        plain(ProgressEvent("ingest", done, 5, "groups", at=plain.started + done * 0.1))
    plain(ProgressEvent("extract", 10, None, "documents", at=plain.started + 0.6))
    lines = out.getvalue().splitlines()
    assert [line.split("progress ")[1] for line in lines] == [
        "ingest: 1/5 groups",
        "ingest: 5/5 groups",
        "extract: 10 documents",
    ]


def test_live_display_shows_each_stage_with_its_count():
    out = io.StringIO()
    live = LiveProgress(Console(file=out, force_terminal=True, width=100))
    live.progress.start()
    for event in (
        ProgressEvent("scan", 18, 18, "files"),
        ProgressEvent("ingest", 1, 2, "groups"),
        ProgressEvent("extract", 14, None, "documents"),
        ProgressEvent("ingest", 2, 2, "groups"),
        ProgressEvent("load", 0, 1, "models and checks"),
    ):
        live(event)
    tasks = {t.description: t for t in live.progress.tasks}
    # extract has no total: the next new stage (load) ends it; ingest ends by its own count.
    assert tasks["extract"].finished and tasks["ingest"].finished and not tasks["load"].finished
    live.close()
    screen = out.getvalue()
    for text in ("scan", "18/18 files", "2/2 groups", "14 documents", "models and checks"):
        assert text in screen


def test_version_help_and_exit_codes():
    runner = CliRunner()
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"supplyline {version('supplyline')}"
    helptext = runner.invoke(app, ["--help"]).output
    lines = [line.strip() for line in helptext.splitlines()]
    codes = lines[lines.index("Exit codes:") + 2 :]
    assert [line.split()[0] for line in codes if line] == ["0", "1", "2", "3"]
    assert "3  another run holds the warehouse lock" in codes
    for command in ("search", "report", "describe", "export", "sql", "run", "status"):
        assert command in helptext
    assert "--json" in runner.invoke(app, ["run", "--help"]).output
    assert "--as-of" in runner.invoke(app, ["sql", "--help"]).output


def test_shell_completion_lists_commands_and_options(tmp_path):
    """Typer's completion, asked the way bash asks it."""

    def complete(words: str) -> list[str]:
        env = {
            **os.environ,
            "_SUPPLYLINE_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
        }
        out = subprocess.run(
            [*SUPPLYLINE[:1], "-c", "from supplyline.cli import app; app(prog_name='supplyline')"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return out.stdout.split()

    assert {"search", "serve", "sql", "status"} <= set(complete("supplyline s"))
    assert "--claimant" in complete("supplyline search --cl")
    script = subprocess.run(
        [
            sys.executable,
            "-c",
            "from supplyline.cli import app; app(prog_name='supplyline')",
            "--show-completion",
            "bash",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        # Name the shell: detection reads the parent processes, which under make is no shell.
        env={**os.environ, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"},
    )
    assert "_SUPPLYLINE_COMPLETE=complete_bash" in script.stdout


def test_missing_warehouse_exits_2(tmp_path):
    runner = CliRunner()
    for args in (
        ["search", "x"],
        ["describe"],
        ["status", "--json"],
        ["report"],
        ["sql", "--as-of", "2024-06-01", "select 1"],
        ["export", "marts.claims", "--to", "x.csv"],
    ):
        result = runner.invoke(app, [*args, "--warehouse", str(tmp_path / "none.duckdb")])
        assert result.exit_code == 2, (args, result.output)
        assert "no warehouse at" in result.output
