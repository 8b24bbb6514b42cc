"""Operations: rebuild equals incremental, one run at a time, kill -9 at every stage, readers
never blocked, and the nightly deployment on a real Prefect server and worker."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from flows.nightly import nightly, rebuild
from supplyline.settings import REPO_ROOT
from tests.prefect_server import BIN, base_env, prefect_server, stop
from tests.warehouse_contents import contents, differences
from warehouse import db

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with prefect_server(tmp_path_factory.mktemp("prefect-home")) as url:
        yield url


@pytest.fixture(scope="module")
def inbox(tmp_path_factory, sample_inbox) -> Path:
    folder = tmp_path_factory.mktemp("ops") / "inbox"
    shutil.copytree(sample_inbox, folder)
    return folder


def cli_env(server: str, root: Path, **extra: str) -> dict[str, str]:
    env = base_env(root / "prefect-client", server)
    env.update(SUPPLYLINE_DATA_DIR=str(root / "data"), **extra)
    return env


def supplyline(
    args: list[str], env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "supplyline"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO_ROOT,
    )


@pytest.fixture(scope="module")
def clean_warehouse(tmp_path_factory, inbox) -> dict:
    """The reference: one uninterrupted run over the inbox."""
    root = tmp_path_factory.mktemp("clean")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SUPPLYLINE_DATA_DIR", str(root / "data"))
        nightly(inbox=str(inbox), warehouse=str(root / "clean.duckdb"))
    return contents(root / "clean.duckdb")


def test_rebuild_equals_the_incremental_build(tmp_path, inbox, clean_warehouse, monkeypatch):
    monkeypatch.setenv("SUPPLYLINE_DATA_DIR", str(tmp_path / "data"))
    half = tmp_path / "half"
    half.mkdir()
    for path in sorted(inbox.iterdir())[::2]:
        shutil.copy(path, half / path.name)
    warehouse = tmp_path / "wh.duckdb"
    nightly(inbox=str(half), warehouse=str(warehouse))
    nightly(inbox=str(inbox), warehouse=str(warehouse))
    incremental = contents(warehouse, extra_tables=())
    result = rebuild(warehouse=str(warehouse))
    assert result["kind"] == "rebuild" and result["status"] == "completed"
    rebuilt = contents(warehouse, extra_tables=())
    assert differences(incremental, rebuilt) == {}
    assert sum(len(rows) for rows in rebuilt.values()) > 500
    # Paths seen in two runs still describe the same warehouse as one clean run.
    clean = {k: v for k, v in clean_warehouse.items() if k != "ops.files"}
    assert differences(clean, rebuilt) == {}


def test_small_groups_and_worker_processes_build_the_same_warehouse(
    tmp_path, inbox, clean_warehouse, monkeypatch
):
    """A night read and written a file at a time (and rebuilt the same way), with extraction in
    two worker processes, equals one group extracted in-process."""
    monkeypatch.setenv("SUPPLYLINE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SUPPLYLINE_GROUP_MB", "0.001")  # every file its own group
    monkeypatch.setenv("SUPPLYLINE_EXTRACT_PROCESSES", "2")
    monkeypatch.setenv(
        "SUPPLYLINE_EXTRACT_BATCH_DOCS", "1"
    )  # even one document goes to the workers
    warehouse = tmp_path / "grouped.duckdb"
    result = nightly(inbox=str(inbox), warehouse=str(warehouse))
    assert result["status"] == "completed"
    assert differences(clean_warehouse, contents(warehouse)) == {}
    assert rebuild(warehouse=str(warehouse))["status"] == "completed"
    rebuilt = {k: v for k, v in contents(warehouse).items() if k != "ops.files"}
    assert (
        differences({k: v for k, v in clean_warehouse.items() if k != "ops.files"}, rebuilt) == {}
    )


def test_second_run_exits_at_once_while_one_holds_the_lock(tmp_path, server, inbox):
    warehouse = tmp_path / "wh.duckdb"
    with db.run_lock(warehouse):
        result = supplyline(
            ["run", "--inbox", str(inbox), "--warehouse", str(warehouse)], cli_env(server, tmp_path)
        )
    assert result.returncode == 3
    assert "already in progress" in result.stderr
    assert not warehouse.exists() and not Path(str(warehouse) + ".work").exists()


def test_lock_of_a_killed_run_does_not_block(tmp_path, inbox, monkeypatch):
    warehouse = tmp_path / "wh.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
        import time
        from pathlib import Path
        from warehouse.db import run_lock
        with run_lock(Path({str(warehouse)!r})):
            print("locked", flush=True)
            time.sleep(600)
        """),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
    )
    assert holder.stdout.readline().strip() == "locked"
    assert db.lock_holder(warehouse) is not None
    holder.kill()
    holder.wait()
    assert db.lock_holder(warehouse) is None
    monkeypatch.setenv("SUPPLYLINE_DATA_DIR", str(tmp_path / "data"))
    assert nightly(inbox=str(inbox), warehouse=str(warehouse))["status"] == "completed"


@pytest.mark.parametrize("stage", ["ingest", "extract", "load", "publish", "alert"])
def test_kill_9_at_a_stage_then_rerun_equals_a_clean_run(
    stage, tmp_path, server, inbox, clean_warehouse
):
    warehouse = tmp_path / "wh.duckdb"
    args = ["run", "--inbox", str(inbox), "--warehouse", str(warehouse)]
    crashed = supplyline(args, cli_env(server, tmp_path, SUPPLYLINE_CRASH_AT=stage))
    assert crashed.returncode == -9, crashed.stderr[-2000:]
    assert warehouse.exists() == (
        stage == "alert"
    )  # only a crash after publish leaves a new version
    rerun = supplyline(args, cli_env(server, tmp_path))
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr[-2000:]
    assert differences(clean_warehouse, contents(warehouse)) == {}
    assert not Path(str(warehouse) + ".work").exists()


READER = textwrap.dedent("""
    import json, sys, time, duckdb
    from pathlib import Path
    warehouse, stop, out = sys.argv[1:4]
    seen, errors, polls = {}, [], 0
    while not Path(stop).exists() or polls < 200:
        try:
            con = duckdb.connect(warehouse, read_only=True)
            state = con.execute(
                "select (select count(*) from marts.documents), (select count(*) from marts.claims), "
                "(select count(*) from raw.table_rows), (select count(*) from ops.runs)").fetchone()
            con.close()
            seen[repr(state)] = seen.get(repr(state), 0) + 1
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        polls += 1
        time.sleep(0.005)
    Path(out).write_text(json.dumps({"polls": polls, "errors": errors, "seen": seen}))
""")


def test_readers_polling_during_a_run_never_fail_nor_see_a_mix(
    tmp_path, server, inbox, monkeypatch
):
    warehouse = tmp_path / "wh.duckdb"
    half = tmp_path / "half"
    half.mkdir()
    for path in sorted(inbox.iterdir())[::2]:
        shutil.copy(path, half / path.name)
    monkeypatch.setenv("SUPPLYLINE_DATA_DIR", str(tmp_path / "data"))
    nightly(inbox=str(half), warehouse=str(warehouse))
    state_sql = (
        "select (select count(*) from marts.documents), (select count(*) from marts.claims), "
        "(select count(*) from raw.table_rows), (select count(*) from ops.runs)"
    )
    import duckdb

    def state() -> str:
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            return repr(con.execute(state_sql).fetchone())
        finally:
            con.close()

    before = state()
    stop_file, out = tmp_path / "stop", tmp_path / "reader.json"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(warehouse), str(stop_file), str(out)]
    )
    try:
        run = supplyline(
            ["run", "--inbox", str(inbox), "--warehouse", str(warehouse)], cli_env(server, tmp_path)
        )
        assert run.returncode == 0, run.stderr[-2000:]
    finally:
        stop_file.touch()
        reader.wait(timeout=120)
    after = state()
    report = json.loads(out.read_text())
    print(
        f"\nreaders: {report['polls']} polls, {len(report['errors'])} errors, states seen {report['seen']}"
    )
    assert report["errors"] == []
    assert report["polls"] >= 200
    assert set(report["seen"]) <= {before, after}
    assert before != after and report["seen"].get(before, 0) > 0


@pytest.mark.deployment
def test_nightly_deployment_runs_on_a_worker_and_catches_up_once(tmp_path, server):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    samples = sorted((REPO_ROOT / "samples" / "inbox").iterdir())
    for path in samples[: len(samples) // 2]:
        shutil.copy(path, inbox / path.name)
    warehouse = tmp_path / "wh.duckdb"
    env = cli_env(
        server,
        tmp_path,
        SUPPLYLINE_HOME=str(REPO_ROOT),
        SUPPLYLINE_INBOX=str(inbox),
        SUPPLYLINE_WAREHOUSE=str(warehouse),
        PREFECT_WORKER_QUERY_SECONDS="2",
    )

    def prefect(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(BIN / "prefect"), *args],
            env=env,
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            timeout=300,
        )

    created = prefect("work-pool", "create", "supplyline", "--type", "process", "--overwrite")
    assert created.returncode == 0, created.stdout + created.stderr
    deployed = prefect("--no-prompt", "deploy", "--all")
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    assert "nightly/nightly" in deployed.stdout
    worker = subprocess.Popen(
        [str(BIN / "prefect"), "worker", "start", "--pool", "supplyline"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        started = time.monotonic()
        ran = prefect("deployment", "run", "nightly/nightly", "--watch", "--watch-timeout", "240")
        elapsed = time.monotonic() - started
        assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
        assert "Completed" in ran.stdout
        docs_first = query_count(warehouse, "marts.documents")

        # Three nights missed while the server was down: their runs are all due at once.
        for path in samples[len(samples) // 2 :]:
            shutil.copy(path, inbox / path.name)
        states = run_missed_nights(server, nights=3, env=env)
    finally:
        stop(worker, signals=2)
    assert worker.poll() is not None
    assert sorted(states) == ["CANCELLED", "CANCELLED", "COMPLETED"]
    assert query_count(warehouse, "marts.documents") > docs_first > 0
    con = __import__("duckdb").connect(str(warehouse), read_only=True)
    try:
        assert con.execute(
            "select count(*) from ops.runs where status = 'completed'"
        ).fetchone() == (2,)
    finally:
        con.close()
    print(
        f"\ndeployment: trigger to Completed in {elapsed:.1f} s; missed nights ended {sorted(states)}"
    )


def query_count(warehouse: Path, table: str) -> int:
    con = __import__("duckdb").connect(str(warehouse), read_only=True)
    try:
        return con.execute(f"select count(*) from {table}").fetchone()[0]
    finally:
        con.close()


def run_missed_nights(
    server: str, nights: int, env: dict[str, str], timeout: float = 240
) -> list[str]:
    """Schedule ``nights`` runs in the past and wait until every one has finished."""
    script = textwrap.dedent(f"""
        import datetime as dt, json, time
        from prefect.client.orchestration import get_client
        from prefect.states import Scheduled
        with get_client(sync_client=True) as client:
            dep = client.read_deployment_by_name("nightly/nightly")
            now = dt.datetime.now(dt.timezone.utc)
            ids = [client.create_flow_run_from_deployment(
                       dep.id, state=Scheduled(scheduled_time=now - dt.timedelta(days=d))).id
                   for d in range({nights}, 0, -1)]
            deadline = time.monotonic() + {timeout}
            while time.monotonic() < deadline:
                states = [client.read_flow_run(i).state.type.value for i in ids]
                if all(s in ("COMPLETED", "CANCELLED", "FAILED", "CRASHED") for s in states):
                    break
                time.sleep(1)
            print(json.dumps(states))
    """)
    out = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout + 60,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_extraction_on_a_local_dask_cluster_builds_the_same_warehouse(
    tmp_path, server, inbox, clean_warehouse
):
    """`SUPPLYLINE_DASK_ADDRESS=local supplyline run`, as a user types it: the CLI in its own
    process starts a two-worker cluster, fans extraction out over it in several chunks, and
    publishes the same warehouse as the default run."""
    env = cli_env(
        server,
        tmp_path,
        SUPPLYLINE_DASK_ADDRESS="local",
        SUPPLYLINE_EXTRACT_BATCH_DOCS="4",  # several chunks, so work really fans out
    )
    warehouse = tmp_path / "dask.duckdb"
    out = supplyline(["run", "--inbox", str(inbox), "--warehouse", str(warehouse), "--json"], env)
    assert out.returncode == 0, out.stderr[-3000:]
    summary = json.loads(out.stdout)
    assert summary["status"] == "completed"
    extract_runs = [n for n in task_run_names(server, summary["run_id"]) if n.startswith("extract")]
    assert len(extract_runs) == 4  # 14 documents in chunks of 4, each a task on the cluster
    assert differences(clean_warehouse, contents(warehouse)) == {}


def task_run_names(server: str, flow_run_id: str) -> list[str]:
    """The names of a flow run's task runs, from the Prefect server's API."""
    import urllib.request

    body = json.dumps({"flow_runs": {"id": {"any_": [flow_run_id]}}}).encode()
    request = urllib.request.Request(
        f"{server}/task_runs/filter", body, {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as resp:
        return [run["name"] for run in json.loads(resp.read())]


def test_pipeline_into_a_local_ducklake_gives_the_same_marts(
    tmp_path, inbox, clean_warehouse, monkeypatch
):
    from supplyline.settings import Settings
    from tests.warehouse_contents import connection_contents
    from warehouse.targets import open_for_reading

    catalog, data = tmp_path / "catalog.ducklake", tmp_path / "lake-data"
    monkeypatch.setenv("SUPPLYLINE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SUPPLYLINE_LAKE_CATALOG", str(catalog))
    monkeypatch.setenv("SUPPLYLINE_LAKE_DATA_PATH", str(data))
    first = nightly(inbox=str(inbox))
    assert first["status"] == "completed" and first["warehouse"] == f"ducklake:{catalog}"
    assert list(data.rglob("*.parquet"))  # the data really lives as Parquet files
    second = nightly(inbox=str(inbox))
    assert second["files_new"] == 0
    con = open_for_reading(Settings())
    try:
        lake = connection_contents(con)
    finally:
        con.close()
    assert differences(clean_warehouse, lake) == {}
    assert not (tmp_path / "wh.duckdb").exists()
    _as_of_a_far_date_equals_the_lake(Settings())
    _lake_readers_see_published_runs_only(tmp_path, inbox, clean_warehouse, monkeypatch)


def _as_of_a_far_date_equals_the_lake(settings) -> None:
    """The as-of views work over a DuckLake too: on a far date they give the lake's marts."""
    import datetime as dt

    from supplyline.desk import open_warehouse
    from warehouse.targets import open_for_reading

    lake, as_of = open_for_reading(settings), open_warehouse(settings, dt.date(2100, 1, 1))
    try:
        marts = [
            t
            for (t,) in lake.execute(
                "select table_schema || '.' || table_name from information_schema.tables "
                "where table_schema = 'marts'"
            ).fetchall()
        ]
        assert len(marts) >= 8
        for mart in marts:
            sql = f"select * from {mart} order by all"  # names from the catalogue
            assert as_of.execute(sql).fetchall() == lake.execute(sql).fetchall(), mart
    finally:
        lake.close()
        as_of.close()


def _lake_readers_see_published_runs_only(tmp_path, inbox, clean_warehouse, monkeypatch):
    """A lake run commits as it goes: readers keep the last published snapshot while it runs
    (or after it dies), the next run rebuilds the marts, and a blocked mart keeps its
    published version by time travel."""
    from supplyline.settings import Settings
    from tests.warehouse_contents import connection_contents
    from warehouse.targets import connect_lake, open_for_reading, target_for

    def published() -> dict:
        con = open_for_reading(Settings())
        try:
            return connection_contents(con)
        finally:
            con.close()

    target = target_for(Settings())
    con = target.open()  # a run that gets as far as rebuilding claims, then dies
    con.execute("delete from marts.claims")
    target.abort(con)
    latest = connect_lake(
        str(tmp_path / "catalog.ducklake"), tmp_path / "lake-data", read_only=True
    )
    try:
        assert latest.execute("select count(*) from marts.claims").fetchone() == (0,)
    finally:
        latest.close()
    assert differences(clean_warehouse, published()) == {}
    assert nightly(inbox=str(inbox))["status"] == "completed"
    assert differences(clean_warehouse, published()) == {}

    checks = tmp_path / "checks"
    checks.mkdir()
    (checks / "no_claims_please.sql").write_text(
        "-- table: marts.claims\n-- severity: error\nselect claim_id from marts.claims\n"
    )
    monkeypatch.setenv("SUPPLYLINE_EXTRA_CHECKS_DIR", str(checks))
    state = nightly(inbox=str(inbox), return_state=True)
    assert state.is_failed()
    assert differences(clean_warehouse, published()) == {}  # claims as published, by time travel
    con = open_for_reading(Settings())
    try:
        status, message = con.execute(
            "select status, message from ops.runs order by started_at desc, finished_at desc limit 1"
        ).fetchone()
    finally:
        con.close()
    assert status == "failed" and "last good version kept for marts.claims" in message
