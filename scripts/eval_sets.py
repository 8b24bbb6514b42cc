#!/usr/bin/env python3
"""Score claim extraction on every evaluation set and classify each miss by stage.

    .venv/bin/python scripts/eval_sets.py [--shared ../shared/realworld] [--set DIR ...]
                                          [--quiet] [--json OUT]

* ``--shared DIR``: the shared evaluation folder, run through the real pipeline
  (``supplyline run`` into a temporary warehouse, predictions read from ``marts.claims``);
  skipped with a note when absent.
* ``--set DIR``: a folder of ``.md`` reports with ``gold.jsonl`` (ours: tests/data/heldout,
  heldout2, blind-b1 ...), run through ``extract_claims`` directly.

Scoring follows the annotation guidelines: a prediction matches a gold claim of the same
document and metric when one stated number agrees within 0.5 % (money also needs the
currency); it has exact bounds when both bounds agree (a null bound only matches a null
bound); attribution is right when one name's words occur, in order, inside the other's
(gold ``source`` or ``source_aliases``; a figure predicted twice counts any of its
sources), and any source is accepted where the gold has none. Optional gold claims neither
help nor hurt. Repeated predictions of one (document, metric, bounds, unit) count once.

Every miss is put down to the stage that caused it:

* ``no number``      (stage 2) the figure was never read as a number at the gold quote;
* ``wrong metric``   (stage 3) the number was read but counted as another metric, or not
                     as a claim at all;
* ``wrong bounds``   (stage 2) matched on a value but with other bounds (hedge, range);
* ``wrong claimant`` (stage 4) matched, but attributed to someone else (or to no one);
* ``extra claim``    (stage 3) a predicted claim that matches no gold claim.
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

import polars as pl

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from supplyline.parsers import parse_markdown  # noqa: E402
from transforms.claims import extract_claims  # noqa: E402
from transforms.claims.numbers import number_mentions  # noqa: E402
from transforms.claims.sentences import sentence_frame, sentence_tokens  # noqa: E402
from transforms.rules import load_rules  # noqa: E402

TOL = 0.005
STAGES = ("no number", "wrong metric", "wrong bounds", "wrong claimant", "extra claim")


# --------------------------------------------------------------------------- scoring
def close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= TOL * max(abs(float(a)), abs(float(b)), 1e-9)


def values(c: dict) -> list[float]:
    return [float(v) for v in (c["low"], c["high"]) if v is not None]


def value_match(p: dict, g: dict) -> bool:
    return any(close(x, y) for x in values(p) for y in values(g))


def bounds_match(p: dict, g: dict) -> bool:
    return close(p["low"], g["low"]) and close(p["high"], g["high"])


def words(s: str | None) -> list[str]:
    return re.findall(r"[a-z0-9]+", (s or "").lower())


def contains(seq: list[str], sub: list[str]) -> bool:
    n = len(sub)
    return n > 0 and any(seq[i : i + n] == sub for i in range(len(seq) - n + 1))


def source_ok(pred: dict, gold: dict) -> bool:
    if not gold.get("source"):
        return True
    names = [gold["source"], *(gold.get("source_aliases") or [])]
    for source in pred["sources"] or [None]:
        p = words(source)
        if p and any(contains(p, words(n)) or contains(words(n), p) for n in names):
            return True
    return False


def currency_ok(pred: dict, gold: dict) -> bool:
    if gold["metric"] != "money" or not gold.get("unit"):
        return True
    return (pred.get("unit") or "").upper() == gold["unit"].upper()


def unique_predictions(rows: list[dict]) -> list[dict]:
    """One prediction per (document, metric, bounds, unit), keeping every source given."""
    seen: dict[tuple, dict] = {}
    out = []
    for r in rows:
        low = None if r["value_low"] is None else float(r["value_low"])
        high = None if r["value_high"] is None else float(r["value_high"])
        unit = (r.get("unit") or "").upper() or None if r["metric"] == "money" else None
        key = (r["doc"], r["metric"], low, high, unit)
        if key in seen:
            if r.get("attributed_to"):
                seen[key]["sources"].append(r["attributed_to"])
            continue
        pred = {
            "doc": r["doc"],
            "metric": r["metric"],
            "low": low,
            "high": high,
            "unit": unit,
            "source": r.get("attributed_to"),
            "quote": r.get("quote"),
            "sources": [r["attributed_to"]] if r.get("attributed_to") else [],
        }
        seen[key] = pred
        out.append(pred)
    return out


def score(gold: list[dict], preds: list[dict]) -> dict:
    docs = {g["doc"] for g in gold}
    preds = [p for p in preds if p["doc"] in docs]
    by_key = defaultdict(list)
    for p in preds:
        by_key[(p["doc"], p["metric"])].append(p)
    used: set[int] = set()
    tp = tp_bounds = tp_source = optional_hits = 0
    misses, wrong_bounds, wrong_source = [], [], []
    for g in sorted(gold, key=lambda g: bool(g.get("optional"))):
        cands = [
            p for p in by_key[(g["doc"], g["metric"])] if id(p) not in used and currency_ok(p, g)
        ]
        exact = [p for p in cands if bounds_match(p, g)]
        hit = (exact or [p for p in cands if value_match(p, g)] or [None])[0]
        if hit is None:
            if not g.get("optional"):
                misses.append(g)
            continue
        used.add(id(hit))
        if g.get("optional"):
            optional_hits += 1
            continue
        tp += 1
        tp_bounds += bool(exact)
        if not exact:
            wrong_bounds.append((g, hit))
        if source_ok(hit, g):
            tp_source += 1
        else:
            wrong_source.append((g, hit))
    required = sum(1 for g in gold if not g.get("optional"))
    n_pred = len(preds) - optional_hits
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / required if required else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "documents": len(docs),
        "gold_claims": required,
        "predicted_claims": n_pred,
        "matched": tp,
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
        "bounds_accuracy": round(tp_bounds / tp, 3) if tp else 0.0,
        "attribution_accuracy": round(tp_source / tp, 3) if tp else 0.0,
        "missed": misses,
        "wrong_bounds": wrong_bounds,
        "wrong_source": wrong_source,
        "false_positives": [p for p in preds if id(p) not in used],
    }


# --------------------------------------------------------------------------- stages
def number_values(docs: pl.DataFrame, rules) -> dict[str, list[tuple[int, int, list[float]]]]:
    """Per document, the number mentions stage 2 read: (start, end, values) in the text."""
    sents = sentence_frame(docs, rules)
    tokens = sentence_tokens(sents)
    mentions = number_mentions(sents, tokens, {}, rules)
    starts = sents.select("doc_id", "char_start").rows()
    out: dict[str, list] = defaultdict(list)
    for m in mentions.iter_rows(named=True):
        doc, s0 = starts[m["row"]]
        vals = [v for v in (m["low"], m["high"], m["value"]) if v is not None]
        out[doc].append((s0 + m["char_start"], s0 + m["char_end"], vals))
    return out


def classify(result: dict, texts: dict[str, str], numbers: dict) -> dict[str, list[str]]:
    """Each miss and extra claim under the stage that caused it."""
    out: dict[str, list[str]] = {s: [] for s in STAGES}
    fps = list(result["false_positives"])
    for g in result["missed"]:
        twin = next((p for p in fps if p["doc"] == g["doc"] and value_match(p, g)), None)
        if twin is not None:
            fps.remove(twin)
            out["wrong metric"].append(
                f"{_gold(g)}\n        predicted {twin['metric']} {_bounds(twin)}"
            )
            continue
        stage = "wrong metric" if _read_as_number(g, texts, numbers) else "no number"
        out[stage].append(_gold(g))
    for g, p in result["wrong_bounds"]:
        out["wrong bounds"].append(
            f"{_gold(g)}\n        predicted {_bounds(p)} ({p.get('quote')!r})"
        )
    for g, p in result["wrong_source"]:
        out["wrong claimant"].append(f"{_gold(g)}\n        predicted source {p['sources'] or None}")
    for p in fps:
        out["extra claim"].append(
            f"{p['doc']}: {p['metric']} {_bounds(p)} src={p['source']!r} {p.get('quote')!r}"
        )
    return out


def _read_as_number(g: dict, texts: dict[str, str], numbers: dict) -> bool:
    text = texts.get(g["doc"], "")
    at = text.find(g.get("quote") or "\0")
    if at < 0:
        return False
    end = at + len(g["quote"])
    return any(
        s < end and at < e and any(close(v, x) for v in vals for x in values(g))
        for s, e, vals in numbers.get(g["doc"], [])
    )


def _bounds(c: dict) -> str:
    unit = f" {c['unit']}" if c.get("unit") else ""
    return f"[{c['low']}, {c['high']}]{unit}"


def _gold(g: dict) -> str:
    return f"{g['doc']}: {g['metric']} {_bounds(g)} src={g.get('source')!r} {g.get('quote')!r}"


# --------------------------------------------------------------------------- sets
def load_jsonl(path: Path) -> list[dict]:
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def parse_folder(folder: Path) -> pl.DataFrame:
    rows = []
    for path in sorted(folder.glob("*.md")):
        if path.name == "README.md":
            continue
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


def predictions_direct(docs: pl.DataFrame, rules) -> list[dict]:
    claims = extract_claims(docs, rules)
    return [{"doc": r["doc_id"], **r} for r in claims.iter_rows(named=True)]


def predictions_pipeline(articles: Path) -> list[dict]:
    """Run ``supplyline run`` on the folder and read ``marts.claims``."""
    import duckdb

    with tempfile.TemporaryDirectory() as tmp:
        warehouse = Path(tmp) / "eval.duckdb"
        run = subprocess.run(
            [
                str(Path(sys.executable).parent / "supplyline"),
                "run",
                "--inbox",
                str(articles),
                "--warehouse",
                str(warehouse),
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "SUPPLYLINE_DATA_DIR": tmp},
        )
        if not warehouse.exists():
            sys.exit(f"pipeline run failed:\n{run.stdout[-2000:]}\n{run.stderr[-3000:]}")
        con = duckdb.connect(str(warehouse), read_only=True)
        cur = con.execute(
            "select file_name, metric, value_low, value_high, attributed_to, unit, quote "
            "from marts.claims"
        )
        cols = [d[0] for d in cur.description]
        rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
        con.close()
    return [{"doc": r["file_name"].replace("\\", "/").rsplit("/", 1)[-1], **r} for r in rows]


def evaluate(
    name: str, articles: Path, gold_path: Path, pipeline: bool, rules, quiet: bool
) -> dict:
    docs = parse_folder(articles)
    preds = predictions_pipeline(articles) if pipeline else predictions_direct(docs, rules)
    result = score(load_jsonl(gold_path), unique_predictions(preds))
    texts = dict(docs.select("doc_id", "text").iter_rows())
    stages = classify(result, texts, number_values(docs, rules))
    how = "pipeline" if pipeline else "extract_claims"
    print(
        f"\n== {name} ({how}): {result['documents']} reports, {result['gold_claims']} required gold, "
        f"{result['predicted_claims']} predicted, {result['matched']} matched"
    )
    print(
        f"   P {result['precision']:.3f}  R {result['recall']:.3f}  F1 {result['f1']:.3f}  "
        f"bounds {result['bounds_accuracy']:.3f}  attribution {result['attribution_accuracy']:.3f}"
    )
    print("   misses by stage: " + ", ".join(f"{s} {len(v)}" for s, v in stages.items()))
    if not quiet:
        for stage, items in stages.items():
            for item in items:
                print(f"   [{stage}] {item}")
    keys = (
        "documents",
        "gold_claims",
        "predicted_claims",
        "matched",
        "precision",
        "recall",
        "f1",
        "bounds_accuracy",
        "attribution_accuracy",
    )
    return {k: result[k] for k in keys} | {"misses": {s: len(v) for s, v in stages.items()}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--shared", type=Path, help="shared evaluation folder (articles/, eval/gold-dev.jsonl)"
    )
    ap.add_argument(
        "--set",
        dest="sets",
        type=Path,
        action="append",
        default=[],
        help="folder of .md reports with gold.jsonl (repeatable)",
    )
    ap.add_argument("--quiet", action="store_true", help="counts only, not every miss")
    ap.add_argument("--json", type=Path, help="write the scores here")
    args = ap.parse_args(argv)
    rules = load_rules(REPO / "reference")
    scores = {}
    if args.shared is not None:
        gold = args.shared / "eval" / "gold-dev.jsonl"
        if (args.shared / "articles").is_dir() and gold.is_file():
            scores["realworld"] = evaluate(
                "realworld", args.shared / "articles", gold, True, rules, args.quiet
            )
        else:
            print(f"\n== realworld: skipped, no evaluation set at {args.shared}")
    for folder in args.sets:
        scores[folder.name] = evaluate(
            folder.name, folder, folder / "gold.jsonl", False, rules, args.quiet
        )
    if args.json:
        args.json.write_text(json.dumps(scores, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
