"""Score extraction on the shared evaluation set: run the real pipeline, then score_claims.py.

Usage: python scripts/evaluate.py [--shared ../shared/realworld] [--details]
Exits 0 with a message when the evaluation folder is absent (it is not part of the repo).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

TARGETS = {"f1": 0.90, "bounds_accuracy": 0.90, "attribution_accuracy": 0.85}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared/realworld"))
    parser.add_argument("--details", action="store_true", help="list misses and false positives")
    args = parser.parse_args()
    articles, scorer = args.shared / "articles", args.shared / "eval" / "score_claims.py"
    gold = args.shared / "eval" / "gold-dev.jsonl"
    if not (articles.is_dir() and scorer.is_file() and gold.is_file()):
        print(f"skipped: no evaluation set at {args.shared}")
        return 0
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as tmp:
        warehouse = Path(tmp) / "eval.duckdb"
        env_overrides = {"SUPPLYLINE_DATA_DIR": tmp}
        run = subprocess.run(
            [
                str(bin_dir / "supplyline"),
                "run",
                "--inbox",
                str(articles),
                "--warehouse",
                str(warehouse),
            ],
            capture_output=True,
            text=True,
            env={**__import__("os").environ, **env_overrides},
        )
        print(run.stdout.strip())
        if not warehouse.exists():
            print(run.stderr[-3000:], file=sys.stderr)
            return 1
        cmd = [sys.executable, str(scorer), "--gold", str(gold), "--warehouse", str(warehouse)]
        scored = subprocess.run(
            cmd + (["--details"] if args.details else []), capture_output=True, text=True
        )
        if scored.returncode:
            print(scored.stderr, file=sys.stderr)
            return scored.returncode
    result = json.loads(scored.stdout)
    if args.details:
        print(
            json.dumps({k: result[k] for k in ("missed", "false_positives")}, indent=1, default=str)
        )
    print("\nscore                 value   target")
    for key in ("precision", "recall", "f1", "bounds_accuracy", "attribution_accuracy"):
        target = TARGETS.get(key)
        mark = "" if target is None else ("  ok" if result[key] >= target else "  BELOW")
        print(f"{key:<20} {result[key]:>6.3f}   {target or '':>5}{mark}")
    print(
        f"gold claims {result['gold_claims']}, predicted {result['predicted_claims']}, matched {result['matched']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
