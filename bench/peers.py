"""Extraction peers on the same report texts: ours, a spaCy blank('en') + Matcher, quantulum3.

All three get the same texts: the report files of an inbox, parsed by Supplyline's own parsers
(``supplyline.parsers.parse_document``, as the ingest stage does), so only extraction is timed.

* ``supplyline``      ``supplyline.extract_worker.extract_reports`` (claims + entity mentions), the
                      function the flow's extract task runs, on one Polars frame of documents.
* ``spacy_matcher``   spacy.blank("en") tokeniser, a PhraseMatcher over the same reference
                      vocabulary (hedges, attribution cues, counted nouns, entity aliases) and a
                      token Matcher for number phrases (digits, number words, multipliers, ranges,
                      currency); a claim is a number phrase followed within 4 tokens by a counted
                      noun, with a hedge directly before it. Tokenise + match + pairing is timed.
* ``quantulum3``      ``quantulum3.parser.parse`` on a sample (default the first 200 reports; it
                      is about two orders of magnitude slower). Its reports/s is measured on the
                      sample only and compared as such: the sample's share of the text is reported.
* ``disk_read``       reading the same files' bytes from disk (warm cache): the I/O ceiling.

Ratios are ``ours reports/s / peer reports/s`` (reports per second on each peer's own set).

Usage::

    python bench/peers.py --inbox bench/work/small/archive/inbox [--limit 2000] [--sample 200]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

MB = 1_000_000


def report_paths(inbox: Path) -> list[Path]:
    from supplyline.inbox import file_format

    out = []
    for root, _, names in os.walk(inbox):
        for name in names:
            if file_format(name)[1] == "text":
                out.append(Path(root) / name)
    return sorted(out)


def load_documents(paths: list[Path]):
    """Parse report files into the document frame the extract stage receives."""
    import polars as pl

    from supplyline.inbox import file_format
    from supplyline.parsers import parse_document

    rows = []
    for i, p in enumerate(paths):
        fmt = file_format(p.name)[0] or "txt"
        try:
            doc = parse_document(p.read_bytes(), fmt)
        except Exception:  # a report our parsers reject is left out for every extractor alike
            continue
        rows.append(
            {
                "doc_id": f"{i:016x}",
                "text": doc.text,
                "published": doc.published,
                "title": doc.title,
                "outlet": getattr(doc, "outlet", None),
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "doc_id": pl.String,
            "text": pl.String,
            "published": pl.Date,
            "title": pl.String,
            "outlet": pl.String,
        },
    )


def _result(name: str, n: int, nbytes: int, seconds: float, **extra) -> dict:
    return {
        "name": name,
        "reports": n,
        "text_mb": round(nbytes / MB, 2),
        "seconds": round(seconds, 3),
        "reports_per_s": round(n / seconds, 1) if seconds else None,
        "mb_per_s": round(nbytes / MB / seconds, 2) if seconds else None,
        **extra,
    }


def run_ours(docs) -> dict:
    from supplyline.extract_worker import extract_reports
    from supplyline.settings import Settings
    from transforms.rules import load_rules

    rules = load_rules(Settings().reference_dir)
    extract_reports(docs.head(5), rules)  # warm caches (compiled patterns)
    nbytes = int(docs["text"].str.len_bytes().sum())
    t0, c0 = time.perf_counter(), time.process_time()
    claims, mentions = extract_reports(docs, rules)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return _result(
        "supplyline",
        docs.height,
        nbytes,
        seconds,
        cpu_s=round(cpu, 3),
        cpu_mb_per_s=round(nbytes / 1e6 / cpu, 2),
        claims=claims.height,
        mentions=mentions.height,
        note="extract_worker.extract_reports (claims + entity mentions), one frame, one thread",
    )


def build_spacy(reference_dir: Path):
    import polars as pl
    import spacy
    from spacy.matcher import Matcher, PhraseMatcher

    nlp = spacy.blank("en")
    hedges = pl.read_csv(reference_dir / "hedges.csv", infer_schema=False)["phrase"].to_list()
    cues = pl.read_csv(reference_dir / "attribution_cues.csv", infer_schema=False)["cue"].to_list()
    nouns = pl.read_csv(reference_dir / "metric_keywords.csv", infer_schema=False)[
        "keyword"
    ].to_list()
    aliases = pl.read_csv(reference_dir / "aliases.csv", infer_schema=False)["alias"].to_list()
    words = pl.read_csv(reference_dir / "number_words.csv", infer_schema=False)["word"].to_list()
    phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
    for label, items in (("HEDGE", hedges), ("CUE", cues), ("NOUN", nouns), ("ALIAS", aliases)):
        phrases.add(label, [nlp.make_doc(t) for t in sorted(set(items)) if t])
    mult = ["thousand", "million", "billion", "bn", "m", "k", "mln", "trillion"]
    num = {"LIKE_NUM": True}
    word = {"LOWER": {"IN": sorted(set(words))}}
    numbers = Matcher(nlp.vocab)
    numbers.add(
        "NUM",
        [
            [
                {"TEXT": {"IN": ["$", "US$", "€", "£"]}, "OP": "?"},
                num,
                {"LOWER": {"IN": mult}, "OP": "?"},
            ],
            [word, {"TEXT": "-", "OP": "?"}, word, {"LOWER": {"IN": mult}, "OP": "?"}],
            [
                {"LOWER": "between"},
                num,
                {"LOWER": {"IN": mult}, "OP": "?"},
                {"LOWER": "and"},
                num,
                {"LOWER": {"IN": mult}, "OP": "?"},
            ],
            [num, {"LOWER": {"IN": ["to", "-", "–"]}}, num, {"LOWER": {"IN": mult}, "OP": "?"}],
            [num, {"TEXT": {"IN": ["%", "percent", "per"]}}],
        ],
        greedy="LONGEST",
    )
    return nlp, phrases, numbers


def spacy_claims(doc, phrases, numbers) -> list[tuple]:
    """Number phrase + counted noun within 4 tokens, with a hedge ending right before it."""
    vocab = doc.vocab.strings
    by_label: dict[str, list[tuple[int, int]]] = {"HEDGE": [], "CUE": [], "NOUN": [], "ALIAS": []}
    for match_id, start, end in phrases(doc):
        by_label[vocab[match_id]].append((start, end))
    hedge_end = {e: (s, e) for s, e in by_label["HEDGE"]}
    noun_start = {s: (s, e) for s, e in by_label["NOUN"]}
    out = []
    for _, start, end in numbers(doc):
        noun = next((noun_start[k] for k in range(end, end + 4) if k in noun_start), None)
        if noun is None:
            continue
        hedge = hedge_end.get(start)
        cue = next((c for c in by_label["CUE"] if abs(c[0] - start) < 25), None)
        out.append((start, end, noun, hedge, cue))
    return out


def run_spacy(docs, reference_dir: Path) -> dict:
    try:
        nlp, phrases, numbers = build_spacy(reference_dir)
    except ImportError as exc:
        return {"name": "spacy_matcher", "error": f"spaCy not importable: {exc}"}
    import spacy

    texts = docs["text"].to_list()
    nbytes = int(docs["text"].str.len_bytes().sum())
    for d in nlp.pipe(texts[:5]):
        spacy_claims(d, phrases, numbers)
    t0, c0 = time.perf_counter(), time.process_time()
    found = 0
    for d in nlp.pipe(texts, batch_size=256):
        found += len(spacy_claims(d, phrases, numbers))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return _result(
        "spacy_matcher",
        len(texts),
        nbytes,
        seconds,
        cpu_s=round(cpu, 3),
        cpu_mb_per_s=round(nbytes / 1e6 / cpu, 2),
        claims=found,
        version=spacy.__version__,
        note="blank('en') tokenizer + PhraseMatcher + Matcher, nlp.pipe, one process",
    )


def run_quantulum(docs, sample: int) -> dict:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import quantulum3
            from quantulum3 import parser
    except Exception as exc:
        return {
            "name": "quantulum3",
            "error": f"quantulum3 not importable: {type(exc).__name__}: {exc}",
        }
    part = docs.head(sample)
    texts = part["text"].to_list()
    nbytes = int(part["text"].str.len_bytes().sum())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parser.parse("at least 15,809 containers")  # loads its unit tables
        t0 = time.perf_counter()
        found = sum(len(parser.parse(t)) for t in texts)
        seconds = time.perf_counter() - t0
    return _result(
        "quantulum3",
        len(texts),
        nbytes,
        seconds,
        quantities=found,
        version=getattr(quantulum3, "__version__", "?"),
        note=f"first {len(texts)} reports only ({len(texts) / max(1, docs.height):.0%} of the set); "
        "no classifier extra; rate measured on that sample",
    )


def run_disk(paths: list[Path]) -> dict:
    t0 = time.perf_counter()
    nbytes = 0
    for p in paths:
        with open(p, "rb") as handle:
            nbytes += len(handle.read())
    seconds = time.perf_counter() - t0
    return _result(
        "disk_read", len(paths), nbytes, seconds, note="read the same files (warm cache): ceiling"
    )


def run_peers(inbox: Path, limit: int | None = None, sample: int = 200) -> dict:
    """Every peer on the first ``limit`` reports of ``inbox`` (all by default)."""
    from supplyline.settings import Settings

    paths = report_paths(inbox)[:limit] if limit else report_paths(inbox)
    t0 = time.perf_counter()
    docs = load_documents(paths)
    parse_s = time.perf_counter() - t0
    print(f"peers: {docs.height} reports parsed in {parse_s:.1f} s", flush=True)
    ours = run_ours(docs)
    print(f"peers: ours {ours['reports_per_s']} reports/s", flush=True)
    peers = {"supplyline": ours}
    peers["spacy_matcher"] = run_spacy(docs, Settings().reference_dir)
    print(f"peers: spacy {peers['spacy_matcher'].get('reports_per_s')} reports/s", flush=True)
    peers["quantulum3"] = run_quantulum(docs, sample)
    print(f"peers: quantulum3 {peers['quantulum3'].get('reports_per_s')} reports/s", flush=True)
    peers["disk_read"] = run_disk(paths)
    for p in peers.values():
        if p.get("reports_per_s") and ours.get("reports_per_s"):
            p["ratio_ours_over_peer"] = round(ours["reports_per_s"] / p["reports_per_s"], 2)
    return {"reports": docs.height, "parse_s": round(parse_s, 2), "peers": peers}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Extraction peers on the same report texts.")
    ap.add_argument("--inbox", type=Path, required=True)
    ap.add_argument("--limit", type=int, help="first N reports (default: all)")
    ap.add_argument("--sample", type=int, default=200, help="reports given to quantulum3")
    ap.add_argument("--json", type=Path, help="write the result here")
    args = ap.parse_args(argv)
    show(run_peers(args.inbox, args.limit, args.sample), args.json)
    return 0


def show(result: object, path: Path | None) -> None:
    """Print a result as JSON, and write it to ``path`` too when given."""
    text = json.dumps(result, indent=2, default=str)
    if path:
        path.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    sys.exit(main())
