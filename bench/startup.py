"""Where a `supplyline run` spends its start-up, each part in a fresh process.

Parts: the interpreter; importing Prefect; importing the flow (our modules on top of Prefect);
Prefect's ephemeral API server (a uvicorn subprocess) on a new state database (created and
migrated) and on a warm one, with and without the migration check; a bare flow end to end on
the ephemeral server; and `supplyline run` on an inbox with nothing new, on the ephemeral
server and against a running `prefect server start` on loopback (the production mode).

    .venv/bin/python bench/startup.py [--repeat 3] [--out bench/results/startup.md]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from tests.prefect_server import free_port, stop  # noqa: E402

SERVER_START = """
import time
t = time.perf_counter()
from prefect.server.api.server import SubprocessASGIServer
server = SubprocessASGIServer()
t_import = time.perf_counter()
server.start()
t_up = time.perf_counter()
server.stop()
print(f"{t_import - t:.3f} {t_up - t_import:.3f}")
"""

BARE_FLOW = """
from prefect import flow

@flow
def bare():
    return 1

bare()
"""


def env_for(home: Path, api_url: str | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "SUPPLYLINE_"))}
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="180",
        PREFECT_LOGGING_LEVEL="WARNING",
        **extra,
    )
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT, check=False)
    seconds = time.perf_counter() - start
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{out.stderr[-2000:]}")
    return seconds, out.stdout


def median(values: list[float]) -> float:
    return round(statistics.median(values), 2)


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def measure(repeat: int, work: Path) -> list[tuple[str, float, str]]:
    """(what, median seconds, note) for every part."""
    rows: list[tuple[str, float, str]] = []
    home = work / "prefect-home"
    env = env_for(home)

    def add(what: str, cmd: list[str], note: str = "", run_env: dict | None = None) -> None:
        rows.append((what, median([timed(cmd, run_env or env)[0] for _ in range(repeat)]), note))
        print(f"{rows[-1][0]}: {rows[-1][1]} s", file=sys.stderr)

    add("python interpreter (`python -c pass`)", python("pass"))
    add("import prefect", python("import prefect"))
    add("import flows.nightly (Prefect + our modules)", python("import flows.nightly"))

    def server_start(fresh: bool, **extra: str) -> tuple[float, float]:
        splits = []
        for _ in range(repeat):
            state = work / "server-home" if not fresh else Path(tempfile.mkdtemp(dir=work))
            _, out = timed(python(SERVER_START), env_for(state, **extra))
            splits.append(tuple(float(x) for x in out.split()))
        return median([s[0] for s in splits]), median([s[1] for s in splits])

    imp, up = server_start(fresh=True)
    rows.append(("ephemeral server, new state DB: import server module", imp, ""))
    rows.append(("ephemeral server, new state DB: start (uvicorn, create + migrate DB)", up, ""))
    server_start(fresh=False)  # warms work/server-home
    imp, up = server_start(fresh=False)
    rows.append(("ephemeral server, warm state DB: start (migration check)", up, ""))
    imp, up = server_start(fresh=False, PREFECT_API_DATABASE_MIGRATE_ON_START="false")
    rows.append(("ephemeral server, warm state DB: start, no migration check", up, ""))
    for what, secs, _ in rows[-3:]:
        print(f"{what}: {secs} s", file=sys.stderr)

    timed(python(BARE_FLOW), env)  # warm the state database
    add("bare flow end to end, ephemeral (warm state DB)", python(BARE_FLOW))

    inbox = ROOT / "samples" / "inbox"
    warehouse = work / "wh.duckdb"
    run = [str(BIN / "supplyline"), "run", "--inbox", str(inbox), "--warehouse", str(warehouse)]
    run_env = {**env, "SUPPLYLINE_DATA_DIR": str(work / "data")}
    timed(run, run_env)  # the first night loads the inbox; every run after it is a no-op
    add("`supplyline run` no-op end to end, ephemeral server", run, "", run_env)

    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    server_home = work / "server"
    log = (work / "server.log").open("w")
    proc = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)]
        + ["--no-ui"],
        env=env_for(server_home),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_healthy(url)
        client_env = {**env_for(work / "client", url), "SUPPLYLINE_DATA_DIR": str(work / "data")}
        timed(run, client_env)  # first contact registers the flow
        add("`supplyline run` no-op end to end, running Prefect server", run, "", client_env)
    finally:
        stop(proc)
        log.close()
    return rows


def wait_healthy(url: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"Prefect server at {url} not healthy after {timeout} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "results" / "latest-startup.md"
    )
    args = parser.parse_args()
    work = ROOT / "bench" / "work" / "startup"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    rows = measure(args.repeat, work)
    load = os.getloadavg()[0]
    lines = [
        "# Start-up of `supplyline run` (bench/startup.py)",
        "",
        f"Median of {args.repeat} runs, each in a fresh process; {os.cpu_count()} CPUs, load "
        f"average {load:.1f} when it finished (the machine is shared).",
        "",
        "| part | seconds |",
        "|---|---:|",
        *[f"| {what} | {secs} |" for what, secs, _ in rows],
    ]
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
