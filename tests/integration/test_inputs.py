"""Inputs end to end: bombs beside a good report, rows that do not fit their header through a
rebuild, and a missing inbox that fails once instead of being retried."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

from flows.nightly import nightly, rebuild
from supplyline.settings import REPO_ROOT
from tests.bad_inputs import Case, bomb_cases, build_corpus
from tests.prefect_server import BIN, base_env
from tests.warehouse_contents import query

pytestmark = pytest.mark.integration

GOOD_REPORT = "korea_wire_2025-03-05_nis_casualties.txt"
MEASURE = textwrap.dedent("""
    import resource, subprocess, sys
    code = subprocess.run(sys.argv[1:]).returncode
    # The largest peak of any process the run started (and waited for): the CLI, its workers.
    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024, code, file=sys.stderr)
""")


@pytest.fixture(scope="module")
def bomb_run(tmp_path_factory, sample_inbox) -> dict:
    """One `supplyline run` over an inbox of bombs (far past what the machine could unpack) and
    one good report, in its own process, with its peak memory measured."""
    root = tmp_path_factory.mktemp("bombs")
    inbox = root / "inbox"
    cases = build_corpus(inbox, root / "outside", bomb_cases("large"))
    shutil.copy2(sample_inbox / GOOD_REPORT, inbox / GOOD_REPORT)
    env = base_env(root / "prefect-home")
    env["SUPPLYLINE_DATA_DIR"] = str(root / "data")
    warehouse = root / "wh.duckdb"
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            MEASURE,
            str(BIN / "supplyline"),
            "run",
            "--inbox",
            str(inbox),
            "--warehouse",
            str(warehouse),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        cwd=REPO_ROOT,
    )
    peak, code = proc.stderr.strip().splitlines()[-1].split()
    return {
        "cases": cases,
        "warehouse": warehouse,
        "stdout": proc.stdout,
        "peak": int(peak),
        "code": int(code),
        "inbox_bytes": sum(p.stat().st_size for p in inbox.iterdir()),
    }


def test_bombs_fail_as_files_and_the_good_report_loads(bomb_run):
    assert bomb_run["code"] == 0, bomb_run["stdout"]
    rows = dict(
        (
            (p, (s, e))
            for p, s, e in query(bomb_run["warehouse"], "select path, status, error from ops.files")
        )
    )
    case: Case
    for case in bomb_run["cases"]:
        status, error = rows[case.name]
        assert status == "failed" and case.reason in error, (case.name, error)
        assert f"failed: {case.name}: " in bomb_run["stdout"]
    assert rows[GOOD_REPORT] == ("loaded", None)
    assert (
        query(
            bomb_run["warehouse"],
            "select count(*) from marts.claims where file_name = ?",
            [GOOD_REPORT],
        )[0][0]
        > 0
    )


def test_bombs_keep_memory_bounded(bomb_run):
    # The xlsx alone unpacks to 3.5 GB and the Parquet to 300 million text cells.
    assert bomb_run["inbox_bytes"] < 20_000_000
    assert bomb_run["peak"] < 2_000_000_000, bomb_run["peak"]


@pytest.fixture
def misfit_inbox(tmp_path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "ragged.csv").write_text(
        "vessel,departure_port,departure_date,arrival_port,arrival_date,containers\n"
        "Angara,Rajin,2025-02-01,Vostochny,2025-02-03,50\n"
        "Maria,Rajin,2025-02-04,Dunay,2025-02-06,40,stray\n"
        "Maia-1,Rajin\n"
        "Lady R,Rajin,2025-02-09,Dunay,2025-02-11,-5\n"
        "Sparta IV,Rajin,2025-02-12,Dunay,2025-02-14,30\n"
    )
    (inbox / "no_header.csv").write_text("2025-01-20,10000\n2025-02-20,9000\n")
    (inbox / "header_only.csv").write_text("vessel,departure_date,containers\n")
    return inbox


def _ledger(warehouse: Path) -> list[tuple]:
    return query(
        warehouse,
        "select path, status, rows_in, rows_loaded, rows_quarantined, rows_skipped, note "
        "from ops.files order by path",
    )


def _quarantine(warehouse: Path) -> list[tuple]:
    return query(
        warehouse,
        "select source_file, stage, locator, check_name, reason, original_row::varchar "
        "from dq.quarantine order by all",
    )


def test_misfits_and_warnings_survive_a_rebuild(misfit_inbox, tmp_path, monkeypatch):
    monkeypatch.setenv("SUPPLYLINE_DATA_DIR", str(tmp_path / "data"))
    warehouse = tmp_path / "wh.duckdb"
    assert nightly(inbox=str(misfit_inbox), warehouse=str(warehouse))["status"] == "completed"
    ledger, quarantined = _ledger(warehouse), _quarantine(warehouse)
    files = {row[0]: row[1:] for row in ledger}
    assert files["ragged.csv"][:5] == ("loaded", 5, 2, 3, 0)  # two misfits, one negative count
    assert "warning: no header row" in files["no_header.csv"][5]
    assert files["no_header.csv"][:5] == ("loaded", 2, 0, 0, 2)
    assert files["header_only.csv"][:5] == ("loaded", 0, 0, 0, 0)
    assert "warning: a header and no rows" in files["header_only.csv"][5]
    ragged = [
        (stage, locator, check, original)
        for path, stage, locator, check, _, original in quarantined
        if path == "ragged.csv"
    ]
    assert ragged == [
        (
            "ingest",
            "row 2",
            "row_shape",
            json.dumps(["Maria", "Rajin", "2025-02-04", "Dunay", "2025-02-06", "40", "stray"]),
        ),
        ("ingest", "row 3", "row_shape", json.dumps(["Maia-1", "Rajin"])),
        ("normalise", "row 4", ragged[2][2], ragged[2][3]),
    ]
    # Row numbers are the file's own: row 4 is Lady R, though rows 2 and 3 never reached raw.
    assert json.loads(ragged[2][3])["vessel"] == "Lady R"
    assert query(
        warehouse,
        "select row_number from raw.received_rows where file_name = 'ragged.csv' order by 1",
    ) == [(1,), (4,), (5,)]
    assert query(
        warehouse,
        "select distinct json_keys(row_json) from raw.received_rows where file_name = 'ragged.csv'",
    ) == [
        (
            [
                "vessel",
                "departure_port",
                "departure_date",
                "arrival_port",
                "arrival_date",
                "containers",
            ],
        )
    ]
    assert rebuild(warehouse=str(warehouse))["status"] == "completed"
    assert _ledger(warehouse) == ledger
    assert _quarantine(warehouse) == quarantined


def test_missing_inbox_fails_once_without_retries(tmp_path, monkeypatch):
    monkeypatch.setenv("SUPPLYLINE_DATA_DIR", str(tmp_path / "data"))
    state = nightly(
        inbox=str(tmp_path / "missing"), warehouse=str(tmp_path / "wh.duckdb"), return_state=True
    )
    assert state.is_failed()
    flow_run = FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id]))
    with get_client(sync_client=True) as client:
        scans = [
            r for r in client.read_task_runs(flow_run_filter=flow_run) if r.name.startswith("scan")
        ]
    assert len(scans) == 1
    assert scans[0].run_count == 1 and scans[0].state.is_failed()
    assert "inbox folder not found" in scans[0].state.message
