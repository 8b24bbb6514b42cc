"""Run the claim extractor over a folder of Markdown reports and score it.

Usage:
    .venv/bin/python scripts/eval_extract.py --articles DIR --gold GOLD.jsonl [--details]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from supplyline.parsers import parse_markdown  # noqa: E402
from supplyline.rules import load_rules  # noqa: E402
from transforms.claims import extract_claims  # noqa: E402


def load_docs(folder: Path) -> pl.DataFrame:
    """Parse every .md file of ``folder`` into the extractor's input frame."""
    rows = []
    for path in sorted(folder.glob("*.md")):
        doc = parse_markdown(path.read_text(encoding="utf-8"))
        rows.append(
            {
                "doc_id": path.name,
                "text": doc.text,
                "published": doc.published,
                "title": doc.title,
                "outlet": doc.outlet,
            }
        )
    schema = {
        "doc_id": pl.String,
        "text": pl.String,
        "published": pl.Date,
        "title": pl.String,
        "outlet": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--articles", type=Path, required=True, help="folder of .md reports")
    ap.add_argument("--gold", type=Path, required=True, help="gold claims (JSON Lines)")
    ap.add_argument("--details", action="store_true", help="list misses and false positives")
    ap.add_argument("--out", type=Path, help="keep the predictions JSONL here")
    ap.add_argument("--reference", type=Path, default=REPO / "reference")
    ap.add_argument(
        "--scorer",
        type=Path,
        help="score_claims.py (default: next to the gold file)",
    )
    args = ap.parse_args(argv)
    if not args.articles.is_dir():
        print(f"articles folder not found: {args.articles}", file=sys.stderr)
        return 2
    if not args.gold.is_file():
        print(f"gold file not found: {args.gold}", file=sys.stderr)
        return 2
    scorer = args.scorer or args.gold.parent / "score_claims.py"
    if not scorer.is_file():
        print(f"scorer not found: {scorer}", file=sys.stderr)
        return 2

    started = time.perf_counter()
    docs = load_docs(args.articles)
    claims = extract_claims(docs, load_rules(args.reference))
    elapsed = time.perf_counter() - started

    out = args.out or Path(tempfile.mkstemp(prefix="claims-", suffix=".jsonl")[1])
    with out.open("w", encoding="utf-8") as fh:
        for row in claims.iter_rows(named=True):
            fh.write(
                json.dumps(
                    {
                        "file_name": row["doc_id"],
                        "metric": row["metric"],
                        "value_low": row["value_low"],
                        "value_high": row["value_high"],
                        "attributed_to": row["attributed_to"],
                        "unit": row["unit"] if row["metric"] == "money" else None,
                        "qualifier": row["qualifier"],
                        "quote": row["quote"],
                    }
                )
                + "\n"
            )
    print(f"{docs.height} documents, {claims.height} claims in {elapsed:.2f}s -> {out}")
    cmd = [sys.executable, str(scorer), "--gold", str(args.gold), "--predictions", str(out)]
    if args.details:
        cmd.append("--details")
    result = subprocess.run(cmd, check=False)
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main())
