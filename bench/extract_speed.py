"""Single-process extraction speed, side by side with another revision of the code.

The report files of an inbox are parsed once (Supplyline's own parsers, as the ingest stage
does) into a Parquet frame; then each code tree extracts the same frame in a fresh interpreter,
one process, runs alternated between the trees so both see the same machine load. A run times
``extract_claims`` and ``extract_entity_mentions`` (together what the flow's extract task
runs) after a warm-up on five documents, and reports CPU and wall seconds and MB/s of text.

Usage::

    python bench/extract_speed.py --inbox bench/work/small/archive/inbox --repeats 5
    python bench/extract_speed.py --inbox ... --baseline-rev ce69992 --repeats 5
    python bench/extract_speed.py --inbox ... --dump /tmp/claims   # claims of each tree, Parquet

``--baseline-rev`` checks the revision's files out into a temporary folder (``git archive``)
and runs them with the same interpreter; its rules come from that revision's ``reference/``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MB = 1_000_000


def parse_inbox(inbox: Path, out: Path, limit: int | None) -> int:
    """Parse the inbox's reports into ``out`` (Parquet); returns the number of documents."""
    sys.path.insert(0, str(ROOT))
    from bench.peers import load_documents, report_paths

    paths = report_paths(inbox)
    docs = load_documents(paths[:limit] if limit else paths)
    docs.write_parquet(out)
    return docs.height


def worker(src: Path, docs_path: Path, dump: Path | None) -> dict:
    """One timed extraction with the code of ``src`` (run in a fresh interpreter)."""
    sys.path.insert(0, str(src))
    import polars as pl

    from transforms.claims import extract_claims
    from transforms.entities import extract_entity_mentions

    try:
        from transforms.rules import load_rules
    except ImportError:  # revisions before the rules moved to transforms/
        from supplyline.rules import load_rules

    rules = load_rules(src / "reference")
    docs = pl.read_parquet(docs_path)
    extract_claims(docs.head(5), rules)  # compiled patterns, cached vocabularies
    extract_entity_mentions(docs.head(5), rules)
    t0, c0 = time.perf_counter(), time.process_time()
    claims = extract_claims(docs, rules)
    t1, c1 = time.perf_counter(), time.process_time()
    mentions = extract_entity_mentions(docs, rules)
    t2, c2 = time.perf_counter(), time.process_time()
    if dump is not None:
        claims.write_parquet(dump)
    nbytes = int(docs["text"].str.len_bytes().sum())
    return {
        "docs": docs.height,
        "text_bytes": nbytes,
        "claims": claims.height,
        "mentions": mentions.height,
        "claims_wall": t1 - t0,
        "claims_cpu": c1 - c0,
        "wall": t2 - t0,
        "cpu": c2 - c0,
    }


def _run(src: Path, docs_path: Path, dump: Path | None) -> dict:
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        str(src),
        "--docs",
        str(docs_path),
    ]
    if dump is not None:
        cmd += ["--dump-file", str(dump)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _summary(name: str, runs: list[dict]) -> dict:
    nbytes = runs[0]["text_bytes"]
    out = {
        "tree": name,
        "docs": runs[0]["docs"],
        "text_mb": round(nbytes / MB, 2),
        "claims": runs[0]["claims"],
        "mentions": runs[0]["mentions"],
        "runs": len(runs),
    }
    for key in ("cpu", "wall", "claims_cpu"):
        values = [r[key] for r in runs]
        out[f"{key}_best_s"] = round(min(values), 3)
        out[f"{key}_median_s"] = round(statistics.median(values), 3)
        out[f"{key}_best_mb_per_s"] = round(nbytes / MB / min(values), 2)
        out[f"{key}_median_mb_per_s"] = round(nbytes / MB / statistics.median(values), 2)
    return out


def baseline_tree(rev: str, into: Path) -> Path:
    """The files of revision ``rev`` under ``into``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev], capture_output=True, check=True
    ).stdout
    into.mkdir(parents=True, exist_ok=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def compare(docs_path: Path, trees: dict[str, Path], repeats: int, dump: Path | None) -> list[dict]:
    """Alternate one run of each tree, ``repeats`` times; a summary per tree."""
    runs: dict[str, list[dict]] = {name: [] for name in trees}
    for k in range(repeats):
        for name, src in trees.items():
            target = dump / f"{name}.parquet" if dump is not None and k == 0 else None
            runs[name].append(_run(src, docs_path, target))
            print(
                f"  run {k + 1} {name}: cpu {runs[name][-1]['cpu']:.2f} s",
                file=sys.stderr,
                flush=True,
            )
    return [_summary(name, r) for name, r in runs.items()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Single-process extraction speed, side by side.")
    ap.add_argument("--inbox", type=Path, help="inbox to parse (reports only)")
    ap.add_argument(
        "--docs", type=Path, help="parsed documents (Parquet); written from --inbox if missing"
    )
    ap.add_argument("--limit", type=int)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument(
        "--baseline-rev",
        action="append",
        default=[],
        help="git revision to time beside the working tree (repeatable)",
    )
    ap.add_argument("--dump", type=Path, help="folder for each tree's claims (Parquet, first run)")
    ap.add_argument("--json", type=Path, help="write the summary here")
    ap.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--dump-file", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker is not None:
        print(json.dumps(worker(args.worker, args.docs, args.dump_file)))
        return 0
    with tempfile.TemporaryDirectory(prefix="extract-speed-") as tmp:
        docs_path = args.docs or Path(tmp) / "docs.parquet"
        if not docs_path.exists():
            if args.inbox is None:
                ap.error("--inbox is needed to parse the documents")
            n = parse_inbox(args.inbox, docs_path, args.limit)
            print(f"parsed {n} reports into {docs_path}", file=sys.stderr)
        trees = {"current": ROOT}
        for rev in args.baseline_rev:
            trees[rev] = baseline_tree(rev, Path(tmp) / f"baseline-{rev}")
        if args.dump is not None:
            args.dump.mkdir(parents=True, exist_ok=True)
        summary = compare(docs_path, trees, args.repeats, args.dump)
    sys.path.insert(0, str(ROOT))  # (not before a worker imports its own tree)
    from bench.peers import show

    show(summary, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
