#!/usr/bin/env python3
"""Score the claim extractor on the held-out set in tests/data/heldout.

    .venv/bin/python scripts/eval_heldout.py [--details] [--out preds.jsonl]

Runs ``scripts/eval_extract.py --articles tests/data/heldout --gold
tests/data/heldout/gold.jsonl --out <tmp>`` (the extractor over the .md
reports), then scores the predictions with the small self-contained scorer
below, which follows the annotation rules of the claim guidelines:

* a prediction matches a gold claim of the same document and metric when one
  stated number agrees within 0.5 % (value match); it is *bounds*-correct when
  every bound agrees within 0.5 % (a null bound matches only a null bound);
* for money the currency must match the gold ``unit``;
* optional gold claims neither help nor hurt (a matched one removes the
  prediction from the false positives, a missed one is not a miss);
* attribution counts as correct when one name's words appear, in order, inside
  the other's (gold ``source`` or any ``source_aliases``); a gold claim with
  ``source: null`` accepts any attribution;
* repeated predictions of the same (document, metric, low, high, unit) count once.

No file from outside this repository is needed.  When this script is given to
eval_extract.py as ``--scorer`` it behaves like a scorer
(``--gold G --predictions P [--details]``, JSON on stdout).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HELDOUT = REPO / "tests" / "data" / "heldout"
TOL = 0.005


# --------------------------------------------------------------------------- scoring
def _close(a, b):
    if a is None or b is None:
        return a is None and b is None
    a, b = float(a), float(b)
    return abs(a - b) <= TOL * max(abs(a), abs(b), 1e-9)


def _nums(c):
    return [float(v) for v in (c["low"], c["high"]) if v is not None]


def _value_match(p, g):
    return any(_close(x, y) for x in _nums(p) for y in _nums(g))


def _bounds_match(p, g):
    return _close(p["low"], g["low"]) and _close(p["high"], g["high"])


def _words(s):
    return re.findall(r"[a-z0-9]+", (s or "").lower())


def _contains(seq, sub):
    n = len(sub)
    return n > 0 and any(seq[i : i + n] == sub for i in range(len(seq) - n + 1))


def _source_ok(pred, gold):
    if not gold.get("source"):
        return True
    p = _words(pred.get("source"))
    names = [gold["source"], *(gold.get("source_aliases") or [])]
    return bool(p) and any(_contains(p, _words(n)) or _contains(_words(n), p) for n in names)


def _currency_ok(pred, gold):
    if gold["metric"] != "money" or not gold.get("unit"):
        return True
    return (pred.get("unit") or "").upper() == gold["unit"].upper()


def load_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def normalise_predictions(rows):
    """eval_extract.py rows -> unique prediction dicts."""
    preds, seen = [], set()
    for r in rows:
        name = str(r.get("file_name") or r.get("doc") or "").replace("\\", "/").rsplit("/", 1)[-1]
        low = r.get("value_low", r.get("low"))
        high = r.get("value_high", r.get("high"))
        low = None if low is None else float(low)
        high = None if high is None else float(high)
        unit = (r.get("unit") or "").upper() or None
        key = (name, r.get("metric"), low, high, unit)
        if key in seen:
            continue
        seen.add(key)
        preds.append(
            {
                "doc": name,
                "metric": r.get("metric"),
                "low": low,
                "high": high,
                "unit": unit,
                "source": r.get("attributed_to", r.get("source")),
                "quote": r.get("quote"),
            }
        )
    return preds


def score(gold, preds, details=False):
    docs = {g["doc"] for g in gold}
    preds = [p for p in preds if p["doc"] in docs]
    by_key = defaultdict(list)
    for p in preds:
        by_key[(p["doc"], p["metric"])].append(p)
    used, misses, wrong_bounds, wrong_source = set(), [], [], []
    tp = tp_bounds = tp_source = matched_optional = 0
    required = [g for g in gold if not g.get("optional")]
    for g in sorted(gold, key=lambda g: bool(g.get("optional"))):  # required gold claims first
        cands = [
            p for p in by_key[(g["doc"], g["metric"])] if id(p) not in used and _currency_ok(p, g)
        ]
        exact = [p for p in cands if _bounds_match(p, g)]
        loose = [p for p in cands if _value_match(p, g)]
        hit = (exact or loose or [None])[0]
        if hit is None:
            if not g.get("optional"):
                misses.append(g)
            continue
        used.add(id(hit))
        if g.get("optional"):
            matched_optional += 1
            continue
        tp += 1
        tp_bounds += bool(exact)
        if not exact:
            wrong_bounds.append({"gold": g, "predicted": hit})
        if _source_ok(hit, g):
            tp_source += 1
        else:
            wrong_source.append({"gold": g, "predicted": hit})
    false_pos = [p for p in preds if id(p) not in used]
    n_pred = len(preds) - matched_optional
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / len(required) if required else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    out = {
        "documents": len(docs),
        "gold_claims": len(required),
        "predicted_claims": n_pred,
        "matched": tp,
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
        "bounds_accuracy": round(tp_bounds / tp, 3) if tp else 0.0,
        "attribution_accuracy": round(tp_source / tp, 3) if tp else 0.0,
    }
    if details:
        out["missed"] = misses
        out["false_positives"] = false_pos
        out["wrong_bounds"] = wrong_bounds
        out["wrong_attribution"] = wrong_source
    return out


# --------------------------------------------------------------------------- driver
def _scorer_mode(argv):
    ap = argparse.ArgumentParser(description="scorer mode (score_claims.py-compatible subset)")
    ap.add_argument("--gold", required=True)
    ap.add_argument("--predictions", required=True)
    ap.add_argument("--details", action="store_true")
    args, _ = ap.parse_known_args(argv)
    res = score(
        load_jsonl(args.gold), normalise_predictions(load_jsonl(args.predictions)), args.details
    )
    json.dump(res, sys.stdout, indent=2, default=str)
    print()


def _short(c):
    rng = f"{c['low']}..{c['high']}"
    unit = f" {c['unit']}" if c.get("unit") else ""
    src = c.get("source")
    q = c.get("quote")
    return f"{c['doc']:<38} {c['metric']:<25} {rng:<24}{unit} src={src!r}" + (
        f"  «{q}»" if q else ""
    )


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if "--predictions" in argv:
        return _scorer_mode(argv)
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--articles", default=str(HELDOUT))
    ap.add_argument("--gold", default=str(HELDOUT / "gold.jsonl"))
    ap.add_argument(
        "--details",
        action="store_true",
        help="list misses, false positives, wrong bounds/attribution",
    )
    ap.add_argument("--out", help="keep the extractor's predictions (JSONL) here")
    ap.add_argument("--json", action="store_true", help="print the full result as JSON")
    ap.add_argument(
        "--only",
        help="score only documents whose name starts with one of these "
        "comma-separated prefixes (e.g. h0,h1,h20 for the development split h01-h20)",
    )
    args = ap.parse_args(argv)

    out = args.out or tempfile.mkstemp(suffix=".jsonl", prefix="heldout-preds-")[1]
    cmd = [
        sys.executable,
        str(REPO / "scripts" / "eval_extract.py"),
        "--articles",
        args.articles,
        "--gold",
        args.gold,
        "--out",
        out,
        "--scorer",
        str(Path(__file__).resolve()),
    ]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    if not os.path.exists(out) or os.path.getsize(out) == 0 and proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        sys.exit(f"eval_extract.py failed (exit {proc.returncode})")
    gold = load_jsonl(args.gold)
    if args.only:
        prefixes = tuple(p.strip() for p in args.only.split(",") if p.strip())
        gold = [g for g in gold if g["doc"].startswith(prefixes)]
    res = score(gold, normalise_predictions(load_jsonl(out)), args.details)
    if not args.out:
        os.unlink(out)
    if args.json:
        json.dump(res, sys.stdout, indent=2, default=str)
        print()
        return
    print(
        f"held-out set: {res['documents']} documents, {res['gold_claims']} required gold claims, "
        f"{res['predicted_claims']} predictions counted, {res['matched']} matched"
    )
    for k in ("precision", "recall", "f1", "bounds_accuracy", "attribution_accuracy"):
        print(f"  {k:<21} {res[k]:.3f}")
    if args.details:
        _print_details(res)


def _print_details(res: dict) -> None:
    """Misses, false positives, and matches with the wrong bounds or attribution."""
    for title, key in (
        ("MISSED (required gold)", "missed"),
        ("FALSE POSITIVES", "false_positives"),
    ):
        print(f"\n{title}: {len(res[key])}")
        for c in res[key]:
            print("  " + _short(c))
    for title, key in (
        ("WRONG BOUNDS (value matched)", "wrong_bounds"),
        ("WRONG ATTRIBUTION", "wrong_attribution"),
    ):
        print(f"\n{title}: {len(res[key])}")
        for pair in res[key]:
            print("  gold " + _short(pair["gold"]))
            print("  pred " + _short(pair["predicted"]))


if __name__ == "__main__":
    main()
