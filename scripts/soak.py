"""Kill -9 `supplyline run` at random moments, rerun, and count divergences from a clean run.

Usage: python scripts/soak.py [--kills 20] [--seed 7] [--inbox samples/inbox]
Starts its own Prefect server on loopback (so each run skips Prefect's ephemeral start-up).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.prefect_server import BIN, base_env, prefect_server  # noqa: E402
from tests.warehouse_contents import contents, differences  # noqa: E402


def run(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "supplyline"), *args],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--inbox", type=Path, default=REPO / "samples" / "inbox")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    results = []
    with (
        tempfile.TemporaryDirectory() as tmp_name,
        prefect_server(Path(tmp_name) / "prefect") as url,
    ):
        tmp = Path(tmp_name)
        env = base_env(tmp / "client", url) | {"SUPPLYLINE_DATA_DIR": str(tmp / "data")}
        clean = tmp / "clean.duckdb"
        started = time.monotonic()
        assert run(["run", "--inbox", str(args.inbox), "--warehouse", str(clean)], env).wait() == 0
        duration = time.monotonic() - started
        reference = contents(clean)
        half = tmp / "half"
        half.mkdir()
        for path in sorted(args.inbox.iterdir())[::2]:
            shutil.copy(path, half / path.name)
        for i in range(args.kills):
            warehouse = tmp / f"soak-{i}.duckdb"
            incremental = (
                rng.random() < 0.5
            )  # half the kills hit a run on top of a published warehouse
            if incremental:
                assert (
                    run(["run", "--inbox", str(half), "--warehouse", str(warehouse)], env).wait()
                    == 0
                )
            delay = rng.uniform(0.2, duration)
            proc = run(["run", "--inbox", str(args.inbox), "--warehouse", str(warehouse)], env)
            time.sleep(delay)
            killed = proc.poll() is None
            if killed:
                proc.send_signal(signal.SIGKILL)
            proc.wait()
            rerun = run(
                ["run", "--inbox", str(args.inbox), "--warehouse", str(warehouse)], env
            ).wait()
            diff = (
                differences(reference, contents(warehouse))
                if rerun == 0
                else {"rerun": f"exit {rerun}"}
            )
            results.append(
                {
                    "kill": i,
                    "after_s": round(delay, 2),
                    "killed": killed,
                    "incremental": incremental,
                    "diverged": bool(diff),
                    "diff": diff,
                }
            )
            print(json.dumps(results[-1]), flush=True)
    killed = [r for r in results if r["killed"]]
    divergences = sum(r["diverged"] for r in results)
    print(
        f"soak: {len(killed)} kills landed mid-run of {len(results)} tries; {divergences} divergences"
    )
    return 1 if divergences else 0


if __name__ == "__main__":
    sys.exit(main())
