"""The large-ledger path alone, side by side with other git revisions: ingest -> write.

For each tree (the working tree, and each ``--baseline-rev`` exported with ``git archive``),
in a fresh interpreter and without Prefect: scan an inbox holding only the ledger, plan it
against a fresh warehouse, then ``ingest``, ``normalise``, ``validate`` and the load's write
(``supplyline.stages.load.load``): the stages ``bench/run.py``'s ledger figure sums
(ingest + normalise + validate + write). Then, in another fresh interpreter, the rebuild's
ingest from raw (``plan_raw`` + ``read_raw`` of the table group) on the warehouse just written,
with that process's peak RSS. Runs alternate between trees; best and median of N are kept.

    .venv/bin/python bench/ledger_path.py --ledger bench/work/full/archive/ledger/voyages_ledger.parquet \
        --baseline-rev 685aaca --repeat 3 --out bench/results/latest-ledger.md
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
STAGES = ("ingest", "normalise", "validate", "write")


def _cpu_s() -> float:
    """CPU seconds of this process so far, every thread (DuckDB's and Polars' too)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_rss_mb() -> float:
    """This process's high-water RSS (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def night(inbox: Path, warehouse: Path) -> dict:
    """Time each stage of one night over ``inbox`` into ``warehouse`` (run in the tree's own
    interpreter: imports come from the current directory)."""
    import datetime as dt

    from supplyline.extract_worker import extract_reports
    from supplyline.settings import Settings
    from supplyline.stages.extract import Extracted
    from supplyline.stages.ingest import ingest
    from supplyline.stages.load import load
    from supplyline.stages.normalise import normalise
    from supplyline.stages.plan import plan
    from supplyline.stages.scan import scan
    from supplyline.stages.validate import validate
    from transforms.rules import load_rules
    from warehouse import targets

    settings = Settings(inbox=str(inbox), warehouse=str(warehouse))
    rules = load_rules(settings.reference_dir)
    target = targets.target_for(settings)
    files = scan(settings.inbox, 10**12, None)
    planned = plan(target, files, settings.reference_dir, settings.group_bytes)
    con = target.open(quiet=False)
    seconds = dict.fromkeys(STAGES, 0.0)
    started = dt.datetime.now()
    rows = 0
    cpu0 = _cpu_s()
    for group in planned.groups:
        t0 = time.perf_counter()
        ingested = ingest(group, "bench", started)
        t1 = time.perf_counter()
        normalised = normalise(ingested.tables, rules, settings.reference_dir)
        t2 = time.perf_counter()
        nothing = Extracted(*extract_reports(ingested.documents, rules))
        t3 = time.perf_counter()
        validated = validate(ingested, nothing, normalised, "bench", started)
        t4 = time.perf_counter()
        loaded = load(con, validated)
        t5 = time.perf_counter()
        rows += sum(t.rows.height for t in ingested.tables)
        del ingested, normalised, validated
        for name, s in zip(STAGES, (t1 - t0, t2 - t1, t4 - t3, t5 - t4), strict=True):
            seconds[name] += s
        shipments = loaded.rows.get("shipments", 0)
    cpu = _cpu_s() - cpu0  # the extract step between them finds no document: about nothing
    target.commit(con)
    return {
        "seconds": seconds,
        "cpu_s": cpu,
        "rows": rows,
        "shipments": shipments,
        "rss_mb": _peak_rss_mb(),
    }


def read_back(warehouse: Path) -> dict:
    """The rebuild's ingest from raw: plan_raw, then read_raw of every table group."""
    from supplyline.settings import Settings
    from supplyline.stages.plan_raw import plan_raw
    from supplyline.stages.read_raw import read_raw
    from warehouse import targets

    settings = Settings(warehouse=str(warehouse))
    target = targets.target_for(settings)
    t0, cpu0 = time.perf_counter(), _cpu_s()
    planned = plan_raw(target, settings.reference_dir, settings.group_bytes)
    con = target.open(quiet=False)
    rows = 0
    for group in planned.groups:
        if group.kind == "table":
            rows += sum(t.rows.height for t in read_raw(con, group).tables)
    seconds, cpu = time.perf_counter() - t0, _cpu_s() - cpu0
    target.abort(con)
    return {"seconds": seconds, "cpu_s": cpu, "rows": rows, "rss_mb": _peak_rss_mb()}


def _child(tree: Path, what: str, *args: str) -> dict:
    """Run ``what`` of this file in ``tree`` in a fresh interpreter; its JSON result."""
    code = (
        "import sys, json; sys.path.insert(0, '.'); sys.path.insert(1, 'bench'); "
        f"import ledger_path as lp; print('RESULT', json.dumps(lp.{what}(*map(__import__('pathlib').Path, {list(args)!r}))))"
    )
    if tree != REPO:  # an older tree runs this file's probes
        shutil.copy(__file__, tree / "bench" / "ledger_path.py")
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tree, capture_output=True, text=True, check=False
    )
    lines = [line for line in out.stdout.splitlines() if line.startswith("RESULT ")]
    if out.returncode or not lines:
        raise SystemExit(f"{what} in {tree} failed:\n{out.stderr[-3000:]}")
    return json.loads(lines[-1][len("RESULT ") :])


def _tree(rev: str, scratch: Path) -> Path:
    """The files of ``rev`` (``git archive``), or the working tree for ``.``."""
    if rev == ".":
        return REPO
    folder = scratch / f"tree-{rev}"
    folder.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", rev], cwd=REPO, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ledger", type=Path, required=True, help="the ledger file to ingest")
    ap.add_argument("--baseline-rev", action="append", default=[], help="git revision to compare")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, help="write the table as Markdown here")
    args = ap.parse_args(argv)
    revs = [".", *args.baseline_rev]
    scratch = Path(tempfile.mkdtemp(prefix="ledger-path-"))
    runs: dict[str, list[dict]] = {r: [] for r in revs}
    try:
        trees = {r: _tree(r, scratch) for r in revs}
        inbox = scratch / "inbox"
        inbox.mkdir()
        shutil.copy(args.ledger, inbox / args.ledger.name)
        for i in range(args.repeat):
            for rev in revs if i % 2 == 0 else reversed(revs):
                wh = scratch / f"{rev.replace('/', '_')}-{i}" / "warehouse.duckdb"
                wh.parent.mkdir()
                result = _child(trees[rev], "night", str(inbox), str(wh))
                result["read_raw"] = _child(trees[rev], "read_back", str(wh))
                result["warehouse_mb"] = wh.stat().st_size / 1e6
                runs[rev].append(result)
                total = sum(result["seconds"].values())
                print(f"{rev} run {i + 1}: {total:.2f} s {result['seconds']}", flush=True)
                shutil.rmtree(wh.parent)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    text = report(args.ledger, runs)
    print(text)
    if args.out:
        args.out.write_text(text)
    return 0


def report(ledger: Path, runs: dict[str, list[dict]]) -> str:
    """The side-by-side table: stage seconds (median), total best and median, RSS."""
    lines = [
        f"# The ledger path, ingest to write: `{ledger.name}`, side by side\n",
        "`bench/ledger_path.py`: each tree in a fresh interpreter, runs alternated; stage seconds "
        "are medians of wall seconds; *CPU s* is the process's CPU seconds over those stages (all "
        "threads), the steadier figure on a shared machine; *total* is ingest + normalise + validate + write (the figure "
        "`bench/run.py`'s ledger target sums). *read_raw* is a rebuild's ingest from raw of the "
        "same warehouse, in a fresh process, with that process's peak RSS.\n",
        "| tree | rows | "
        + " | ".join(f"{s} s" for s in STAGES)
        + " | total s (best / median) | CPU s (median) | night peak RSS MB | warehouse MB"
        + " | read_raw s | read_raw CPU s | read_raw peak RSS MB |",
        "|---|---:|" + "---:|" * len(STAGES) + "---:|---:|---:|---:|---:|---:|---:|",
    ]
    for rev, results in runs.items():
        totals = [sum(r["seconds"].values()) for r in results]
        med = {s: statistics.median(r["seconds"][s] for r in results) for s in STAGES}
        lines.append(
            f"| {'working tree' if rev == '.' else rev} | {results[0]['rows']:,} | "
            + " | ".join(f"{med[s]:.2f}" for s in STAGES)
            + f" | {min(totals):.2f} / {statistics.median(totals):.2f}"
            + f" | {statistics.median(r['cpu_s'] for r in results):.2f}"
            + f" | {max(r['rss_mb'] for r in results):,.0f}"
            + f" | {statistics.median(r['warehouse_mb'] for r in results):,.0f}"
            + f" | {statistics.median(r['read_raw']['seconds'] for r in results):.2f}"
            + f" | {statistics.median(r['read_raw']['cpu_s'] for r in results):.2f}"
            + f" | {max(r['read_raw']['rss_mb'] for r in results):,.0f} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
