"""Extraction on a local two-worker Dask cluster against the run's own worker processes.

Both extract the same documents (a bench warehouse's raw.documents, repeated to each size)
through the flow's own task (``flows.tasks.extract_all``), inside a Prefect flow as a night
runs it: the default path with one worker process per CPU, and ``DaskTaskRunner`` on a local
cluster of two single-threaded worker processes (``SUPPLYLINE_DASK_ADDRESS=local``), chunks of
``SUPPLYLINE_EXTRACT_BATCH_DOCS`` documents each. The cluster's start and stop are timed apart.
The claims must be the same rows both ways.

    .venv/bin/python bench/dask_extract.py --warehouse bench/work/small/warehouse.duckdb
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def documents(warehouse: Path, size: int):
    """``size`` documents: the warehouse's own, repeated with fresh ids as often as needed."""
    import polars as pl

    from supplyline.stages.ingest import DOCUMENT_SCHEMA
    from warehouse import db

    con = db.connect(warehouse, read_only=True)
    try:
        columns = ", ".join(DOCUMENT_SCHEMA)
        base = con.execute(f"select {columns} from raw.documents order by doc_id").pl()
    finally:
        con.close()
    copies = [base.with_columns(pl.col("doc_id") + f"-{n}") for n in range(-(-size // base.height))]
    return pl.concat(copies).head(size).cast(DOCUMENT_SCHEMA)


def timed_flow(docs, dask: bool) -> tuple[float, float, object]:
    """(seconds in the flow body, seconds of the whole flow call, claims)."""
    from prefect import flow

    from flows import tasks
    from flows.orchestration import with_task_runner
    from supplyline.settings import Settings
    from transforms.rules import load_rules

    settings = Settings(dask_address="local" if dask else None)
    rules = load_rules(settings.reference_dir)
    inner: dict[str, float] = {}

    def body():
        start = time.perf_counter()
        extracted = tasks.extract_all(docs, rules, settings)
        inner["s"] = time.perf_counter() - start
        return extracted.claims

    runner = with_task_runner(flow(name=f"extract-{'dask' if dask else 'local'}")(body), settings)
    start = time.perf_counter()
    claims = runner()
    return inner["s"], time.perf_counter() - start, claims


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--sizes", default="100,1000,4000")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "latest-dask.md")
    args = parser.parse_args()
    work = ROOT / "bench" / "work" / "dask"
    work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_HOME", str(work / "prefect-home"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    os.environ["SUPPLYLINE_DATA_DIR"] = str(work / "data")
    rows = []
    timed_flow(documents(args.warehouse, 1), dask=False)  # Prefect's own start, not counted
    for size in [int(s) for s in args.sizes.split(",")]:
        docs = documents(args.warehouse, size)
        mb = docs.get_column("text").str.len_bytes().sum() / 1e6
        local_s, local_wall, local_claims = timed_flow(docs, dask=False)
        dask_s, dask_wall, dask_claims = timed_flow(docs, dask=True)
        same = local_claims.sort("doc_id", "claim_seq").equals(
            dask_claims.sort("doc_id", "claim_seq")
        )
        rows.append((size, mb, local_s, dask_s, dask_wall - local_wall - (dask_s - local_s), same))
        print(rows[-1], file=sys.stderr)
    load = os.getloadavg()[0]
    lines = [
        "# Extraction: local worker processes against a local Dask cluster (bench/dask_extract.py)",
        "",
        f"{os.cpu_count()} CPUs, load average {load:.1f} at the end (the machine is shared). "
        f"Both sides use two processes; Dask chunks of {os.environ.get('SUPPLYLINE_EXTRACT_BATCH_DOCS', '2000')} "
        "documents. 'cluster start+stop' is the flow's extra wall time on Dask outside extraction "
        "(a warm-up flow pays Prefect's own start first).",
        "",
        "| documents | MB | worker processes, s | Dask cluster, s | cluster start+stop, s | same claims |",
        "|---:|---:|---:|---:|---:|---|",
        *[
            f"| {n} | {mb:.1f} | {a:.2f} | {b:.2f} | {c:.2f} | {same} |"
            for n, mb, a, b, c, same in rows
        ],
    ]
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
