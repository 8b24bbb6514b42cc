"""Bad command-line input: one line naming the problem, exit code 2, and Prefect never imported.

Each case runs the real CLI in a subprocess with ``-X importtime``, which lists every module the
process imported on stderr; the lines that are not import timings are what a user sees.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from supplyline.settings import REPO_ROOT


def run_cli(args: list[str], tmp_path: Path, **env: str) -> tuple[int, list[str], list[str], str]:
    """(exit code, the lines a user sees on stderr, the modules imported, stdout)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SUPPLYLINE_", "PREFECT_"))}
    clean.update(
        {
            "SUPPLYLINE_DATA_DIR": str(tmp_path / "data"),
            "PREFECT_HOME": str(tmp_path / "prefect"),
            **env,
        }
    )
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "supplyline.cli", *args],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO_ROOT,
    )
    lines = proc.stderr.splitlines()
    modules = [ln.rsplit("|", 1)[1].strip() for ln in lines if ln.startswith("import time:")]
    shown = [ln for ln in lines if not ln.startswith("import time:")]
    return proc.returncode, shown, modules, proc.stdout


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "note.txt").write_text("The Angara left Rajin with 90 containers.\n")
    return folder


def _case(name: str, tmp_path: Path, inbox: Path) -> tuple[list[str], dict[str, str], str]:
    """(arguments, environment, words the one line must contain) for each kind of bad input."""
    a_file = tmp_path / "a_file"
    a_file.write_text("not a folder\n")
    warehouse = ["--warehouse", str(tmp_path / "wh.duckdb")]
    return {
        "missing_inbox": (
            ["run", "--inbox", "/nonexistent", *warehouse],
            {},
            "inbox folder not found: /nonexistent",
        ),
        "inbox_is_a_file": (
            ["run", "--inbox", str(a_file), *warehouse],
            {},
            f"inbox is not a folder: {a_file}",
        ),
        "warehouse_under_a_file": (
            ["run", "--inbox", str(inbox), "--warehouse", str(a_file / "wh.duckdb")],
            {},
            f"{a_file} is not a folder",
        ),
        "warehouse_on_a_read_only_tree": (
            ["run", "--inbox", str(inbox), "--warehouse", "/sys/wh.duckdb"],
            {},
            "cannot write warehouse /sys/wh.duckdb: /sys:",
        ),
        "warehouse_is_a_folder": (
            ["run", "--inbox", str(inbox), "--warehouse", str(tmp_path)],
            {},
            f"warehouse is a folder, not a file: {tmp_path}",
        ),
        "data_dir_under_a_file": (
            ["run", "--inbox", str(inbox), *warehouse],
            {"SUPPLYLINE_DATA_DIR": str(a_file / "data")},
            "cannot write data folder",
        ),
        "max_file_mb_not_a_number": (
            ["run", "--inbox", str(inbox), *warehouse],
            {"SUPPLYLINE_MAX_FILE_MB": "abc"},
            "bad setting SUPPLYLINE_MAX_FILE_MB='abc': Input should be a valid number",
        ),
        "smtp_tls_not_allowed": (
            ["run", "--inbox", str(inbox), *warehouse],
            {"SUPPLYLINE_SMTP_TLS": "maybe"},
            "bad setting SUPPLYLINE_SMTP_TLS='maybe'",
        ),
        "bad_setting_on_status": (
            ["status", *warehouse],
            {"SUPPLYLINE_GROUP_MB": "lots"},
            "bad setting SUPPLYLINE_GROUP_MB='lots'",
        ),
        "rebuild_without_a_warehouse": (
            ["rebuild", *warehouse],
            {},
            f"no warehouse at {tmp_path / 'wh.duckdb'}",
        ),
    }[name]


@pytest.mark.parametrize(
    "name",
    [
        "missing_inbox",
        "inbox_is_a_file",
        "warehouse_under_a_file",
        "warehouse_on_a_read_only_tree",
        "warehouse_is_a_folder",
        "data_dir_under_a_file",
        "max_file_mb_not_a_number",
        "smtp_tls_not_allowed",
        "bad_setting_on_status",
        "rebuild_without_a_warehouse",
    ],
)
def test_bad_input_is_one_line_and_exit_2_before_prefect(name, tmp_path, inbox):
    args, env, expected = _case(name, tmp_path, inbox)
    code, shown, modules, stdout = run_cli(args, tmp_path, **env)
    assert code == 2, shown
    assert len(shown) == 1 and shown[0].startswith("supplyline: ") and expected in shown[0], shown
    assert stdout == ""
    assert "typer" in modules  # the import list is real: the CLI's own imports are in it
    assert not [m for m in modules if m.split(".")[0] == "prefect"]
    assert not (tmp_path / "prefect").exists()


def test_a_good_command_gets_past_the_checks(tmp_path, inbox):
    """The checks refuse only what is wrong: `status` on a missing warehouse still says so its way."""
    code, shown, _, _ = run_cli(["status", "--warehouse", str(tmp_path / "none.duckdb")], tmp_path)
    assert code == 2 and len(shown) == 1 and "run `supplyline run` first" in shown[0]


def test_checks_do_not_write_anything(tmp_path, inbox):
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    run_cli(
        ["run", "--inbox", str(inbox), "--warehouse", str(tmp_path / "wh.duckdb")],
        tmp_path,
        SUPPLYLINE_MAX_FILE_MB="abc",
    )
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
