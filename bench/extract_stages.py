"""Where extraction time goes: CPU seconds of each stage of ``transforms.claims``, one process.

Runs the stages of ``transforms.claims._extract`` one after the other on a parsed document
frame (``bench/extract_speed.py --docs`` writes one), ``--repeats`` times, and reports the
best CPU time of each stage with its share and the counts it handed on. Tokens are made on
first use: the ``tokens`` stage makes those of every candidate sentence, then finds the
change verbs.

Usage::

    python bench/extract_stages.py --docs /tmp/docs.parquet --repeats 3 [--json out.json]
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import polars as pl  # noqa: E402

import transforms.claims as claims  # noqa: E402
from bench.peers import show  # noqa: E402
from transforms.claims.assemble import assemble  # noqa: E402
from transforms.claims.attribution import attribute, events_by_row, reporting_frames  # noqa: E402
from transforms.claims.figures import count_metrics  # noqa: E402
from transforms.claims.frames import documents  # noqa: E402
from transforms.claims.numbers import number_mentions  # noqa: E402
from transforms.claims.sentences import TokenStore, sentence_frame, sentence_tokens  # noqa: E402
from transforms.rules import ExtractionRules, load_rules  # noqa: E402


def one_pass(docs: pl.DataFrame, rules: ExtractionRules) -> tuple[dict[str, float], dict]:
    """CPU seconds per stage, and the rows each stage produced."""
    times: dict[str, float] = {}
    state: dict = {}

    def stage(name: str, run: Callable[[], object]) -> None:
        c0 = time.process_time()
        state[name] = run()
        times[name] = time.process_time() - c0

    stage("sentences", lambda: sentence_frame(docs, rules))
    sents = state["sentences"]
    tokens = sentence_tokens(sents)
    stage("tokens", lambda: _tokens_and_changes(sents, tokens, rules))
    stage("numbers", lambda: number_mentions(sents, tokens, state["tokens"], rules))
    stage("documents", lambda: documents(docs, sents, rules))
    doc_list = state["documents"]
    stage("reporting", lambda: events_by_row(reporting_frames(doc_list, tokens, rules)))
    events = state["reporting"]
    named = {row for row, evs in events.items() if any(e.claimant is not None for e in evs)}
    figures = (doc_list, tokens, state["numbers"], named, state["tokens"], rules)
    stage("metrics", lambda: count_metrics(*figures))
    stage("attribution", lambda: attribute(doc_list, state["metrics"], events, rules))
    stage("assemble", lambda: assemble(doc_list, tokens, state["attribution"], events, rules))
    counts = {
        "sentences": sents.height,
        "number_mentions": state["numbers"].height,
        "event_rows": len(events),
        "figures": state["metrics"].height,
        "claims": state["assemble"].height,
    }
    return times, counts


def _tokens_and_changes(sents: pl.DataFrame, tokens: TokenStore, rules: ExtractionRules) -> dict:
    """Tokens of every candidate sentence (made here so the stage pays for them), then the
    sentences with a change verb."""
    for row in sents.select(pl.arg_where("candidate")).to_series().to_list():
        tokens[row]
    return claims._change_verbs(sents, tokens, rules)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="CPU seconds of each extraction stage.")
    ap.add_argument("--docs", type=Path, required=True, help="parsed documents (Parquet)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    rules = load_rules(ROOT / "reference")
    docs = pl.read_parquet(args.docs)
    claims.extract_claims(docs.head(5), rules)  # compiled patterns, cached vocabularies
    gc.disable()  # as extract_claims does
    best: dict[str, float] = {}
    counts: dict = {}
    for _ in range(args.repeats):
        times, counts = one_pass(docs, rules)
        best = {k: min(v, best.get(k, v)) for k, v in times.items()}
        gc.collect()
    total = sum(best.values())
    mb = int(docs["text"].str.len_bytes().sum()) / 1e6
    show(
        {
            "text_mb": round(mb, 2),
            "total_cpu_s": round(total, 3),
            "mb_per_s": round(mb / total, 2),
            "stages": {
                k: {"cpu_s": round(v, 3), "share": round(v / total, 3)} for k, v in best.items()
            },
            "counts": counts,
        },
        args.json,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
