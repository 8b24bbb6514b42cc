"""Extraction in worker processes: ``python -m supplyline.extract_worker RULES IN OUT``.

The extractor is Python-bound, so threads share one core; a second core needs a second
process. multiprocessing's spawn would re-import the launching program (the CLI or a Prefect
worker: seconds of imports) and fork is unsafe under Polars' and Prefect's threads, so each
worker is a plain interpreter that imports only the extractor (~0.5 s) and exchanges Arrow IPC
files with the parent.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl

from transforms.claims import extract_claims
from transforms.entities import extract_entity_mentions
from transforms.rules import ExtractionRules, load_rules

COLUMNS = ["doc_id", "text", "published", "title", "outlet"]
OPTIONAL_COLUMNS = ["file_name"]  # names the outlet when the text does not


def extract_reports(
    documents: pl.DataFrame, rules: ExtractionRules
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Claims and entity mentions of a batch of documents (pure compute)."""
    docs = documents.select(COLUMNS + [c for c in OPTIONAL_COLUMNS if c in documents.columns])
    return extract_claims(docs, rules), extract_entity_mentions(docs, rules)


def split_by_text(documents: pl.DataFrame, parts: int) -> list[pl.DataFrame]:
    """Contiguous slices of about equal text length (the extractor's cost follows the text)."""
    sizes = documents.get_column("text").str.len_bytes().fill_null(0).cum_sum()
    total = int(sizes[-1]) if documents.height else 0
    bounds = [0]
    for k in range(1, parts):
        bounds.append(int(sizes.search_sorted(total * k // parts)))
    bounds.append(documents.height)
    return [documents.slice(a, b - a) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


def extract_in_processes(
    documents: pl.DataFrame,
    rules: ExtractionRules,
    reference_dir: Path,
    processes: int,
    min_docs: int,
    scratch: Path,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``extract_reports`` split over ``processes`` workers; the output equals the serial one.

    Batches under ``min_docs`` documents run in this process (a worker costs ~0.5 s to start);
    every process works through its share ``min_docs`` documents at a time.
    Workers load the rules from ``reference_dir``, the files ``rules`` was loaded from.
    """
    if processes <= 1 or documents.height < min_docs:
        return extract_in_chunks(documents, rules, min_docs)
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch, prefix="extract-") as tmp:
        jobs = []
        for i, part in enumerate(split_by_text(documents.select(COLUMNS), processes)):
            src, out = Path(tmp) / f"in-{i}.arrow", Path(tmp) / f"out-{i}"
            part.write_ipc(src, compression="lz4")
            cmd = [
                sys.executable,
                "-m",
                "supplyline.extract_worker",
                str(reference_dir),
                str(src),
                str(out),
                str(min_docs),
            ]
            jobs.append((out, subprocess.Popen(cmd, stderr=subprocess.PIPE)))
        claims, mentions = [], []
        for out, proc in jobs:
            _, err = proc.communicate()
            if proc.returncode != 0:
                tail = err.decode("utf-8", "replace").strip().splitlines()[-5:]
                raise RuntimeError(
                    f"extraction worker failed (exit {proc.returncode}): {' | '.join(tail)}"
                )
            claims.append(pl.read_ipc(out.with_suffix(".claims.arrow")))
            mentions.append(pl.read_ipc(out.with_suffix(".mentions.arrow")))
    return pl.concat(claims), pl.concat(mentions)


def extract_in_chunks(
    documents: pl.DataFrame, rules: ExtractionRules, chunk_docs: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``extract_reports`` a chunk at a time: the extractor's Python objects live for one chunk,
    only the compact frames accumulate."""
    parts = [
        extract_reports(documents.slice(i, chunk_docs), rules)
        for i in range(0, max(documents.height, 1), chunk_docs)
    ]
    return pl.concat([p[0] for p in parts]), pl.concat([p[1] for p in parts])


def main(argv: list[str]) -> int:
    """Worker entry point: read documents, write claims and mentions next to ``out``."""
    reference_dir, src, out = (Path(a) for a in argv[:3])
    chunk_docs = int(argv[3]) if len(argv) > 3 else 2000
    claims, mentions = extract_in_chunks(pl.read_ipc(src), load_rules(reference_dir), chunk_docs)
    claims.write_ipc(out.with_suffix(".claims.arrow"), compression="lz4")
    mentions.write_ipc(out.with_suffix(".mentions.arrow"), compression="lz4")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
