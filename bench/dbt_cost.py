"""Where the dbt step's seconds go: importing dbt, parsing the project, running the models and
tests, and Prefect's task per model and test.

The same builds run twice on copies of one warehouse (the sample inbox, loaded once by the
nightly flow): with dbt's own runner outside a flow, and with ``PrefectDbtRunner`` inside a
flow, as a night runs them. The difference is what the per-node Prefect tasks cost.

    .venv/bin/python bench/dbt_cost.py [--out bench/results/latest-dbt-cost.md]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
WORK = ROOT / "bench" / "work" / "dbt_cost"

BUILDS = [
    ("everything, new dbt folder (full parse)", ()),
    ("everything, partial parse", ()),
    ("new reports: source:raw.documents+", ("source:raw.documents+",)),
    (
        "new claims only: source:staging.stg_reports__claims+",
        ("source:staging.stg_reports__claims+",),
    ),
]


def measure(mode: str, source: Path) -> list[tuple[str, float, int]]:
    """(build, seconds, nodes) for each of BUILDS, on a copy of ``source``."""
    from warehouse import db
    from warehouse.dbt import EVERYTHING, Profile, Project, Selection, build

    work = WORK / f"{mode}.duckdb"
    shutil.copyfile(source, work)
    project = Project(WORK / f"dbt-{mode}", ROOT / "reference")
    shutil.rmtree(project.work_dir, ignore_errors=True)
    rows = []
    for label, selectors in BUILDS:
        con = db.connect(work)
        start = time.perf_counter()
        built = build(con, Profile(str(work)), Selection(selectors or EVERYTHING), project)
        rows.append((label, time.perf_counter() - start, len(built.models) + len(built.checks)))
        con.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "results" / "latest-dbt-cost.md"
    )
    args = parser.parse_args()
    os.environ.setdefault("PREFECT_HOME", str(WORK / "prefect-home"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    os.environ["SUPPLYLINE_DATA_DIR"] = str(WORK / "data")
    shutil.rmtree(WORK / "data", ignore_errors=True)
    WORK.mkdir(parents=True, exist_ok=True)

    start = time.perf_counter()
    import prefect  # noqa: F401

    prefect_s = time.perf_counter() - start
    start = time.perf_counter()
    import dbt.cli.main  # noqa: F401
    import prefect_dbt  # noqa: F401

    dbt_import_s = time.perf_counter() - start
    from prefect import flow

    from flows.nightly import nightly

    source = WORK / "sample.duckdb"
    source.unlink(missing_ok=True)
    nightly(inbox=str(ROOT / "samples" / "inbox"), warehouse=str(source))
    plain = measure("plain", source)
    in_flow = flow(name="dbt-cost")(measure)("flow", source)
    load = os.getloadavg()[0]
    lines = [
        "# The dbt step (bench/dbt_cost.py)",
        "",
        f"Sample inbox warehouse; {os.cpu_count()} CPUs, load average {load:.1f} at the end "
        "(the machine is shared). Imports, once per process: Prefect "
        f"{prefect_s:.2f} s, dbt + prefect-dbt {dbt_import_s:.2f} s.",
        "",
        "| build | nodes | dbt's runner, s | PrefectDbtRunner in a flow, s | Prefect's share |",
        "|---|---:|---:|---:|---:|",
        *[
            f"| {label} | {n} | {p:.2f} | {f:.2f} | {max(0.0, 1 - p / f):.0%} |"
            for (label, p, n), (_, f, _) in zip(plain, in_flow, strict=True)
        ],
    ]
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
