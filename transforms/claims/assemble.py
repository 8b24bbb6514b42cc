"""Stage 5 driver: parties and period of each figure, then one claim per distinct
(metric, bounds, unit) of a document, the body sentence winning over a headline."""

from __future__ import annotations

import polars as pl

from transforms.claims.frames import Document, by_row, columns
from transforms.claims.model import CLAIM_SCHEMA, Event
from transforms.claims.parties import flows
from transforms.claims.period import resolve_period
from transforms.claims.sentences import SentenceMentions, is_display
from transforms.claims.tokens import Token
from transforms.rules import ExtractionRules


def assemble(
    docs: list[Document], tokens: list[list[Token]], figures: pl.DataFrame,
    events: dict[int, list[Event]], rules: ExtractionRules,
) -> pl.DataFrame:
    """Claims of every document (CLAIM_SCHEMA)."""
    out = columns(CLAIM_SCHEMA)
    per_row = by_row(figures)
    for doc in docs:
        local = SentenceMentions(doc.mentions)
        claims = _Claims(doc.doc_id, out)
        for s in doc.sentences:
            rows = per_row.get(s.row)
            if not rows:
                continue
            mentions = local.within(s.start, s.end)
            names = {e.claimant.name for e in events.get(s.row, []) if e.claimant is not None}
            period = resolve_period(s.text, doc.published, rules.month_numbers)
            display = is_display(s.text)
            for fig in rows:
                supplier, recipient = flows(tokens[s.row], mentions, fig["pos"], fig["metric"], rules,
                                            (fig["start"], fig["end"]), names)
                claims.add(display, {
                    "metric": fig["metric"], "value_low": fig["low"], "value_high": fig["high"],
                    "unit": fig["unit"], "qualifier": fig["qualifier"],
                    "attributed_to": fig["attributed_to"], "reported_by": fig["reported_by"],
                    "supplier": supplier, "recipient": recipient,
                    "period_start": period[0], "period_end": period[1],
                    "quote": s.text[fig["start"] : fig["end"]],
                    "char_start": s.start + fig["start"], "char_end": s.start + fig["end"],
                    "sentence_idx": s.sent_idx,
                })
    return pl.DataFrame(out, schema=CLAIM_SCHEMA)


class _Claims:
    """One document's claims: a figure is reported once; one first met in a headline or
    caption takes the values of the first body sentence that states it."""

    def __init__(self, doc_id: str, out: dict[str, list]) -> None:
        self.doc_id = doc_id
        self.out = out
        self.seq = 0
        # (metric, low, high, unit) -> row index while the figure is known only from a
        # headline or caption, None once a body sentence stated it.
        self.seen: dict[tuple, int | None] = {}

    def add(self, display: bool, claim: dict) -> None:
        out = self.out
        key = (claim["metric"], claim["value_low"], claim["value_high"], claim["unit"])
        replace = None
        if key in self.seen:
            replace = self.seen.pop(key)
            if replace is None or display:
                self.seen[key] = replace
                return
        self.seen[key] = len(out["doc_id"]) if display else None
        row = {"doc_id": self.doc_id, "claim_seq": self.seq, **claim}
        if replace is not None:
            row["claim_seq"] = out["claim_seq"][replace]
            for col, value in row.items():
                out[col][replace] = value
            return
        for col in CLAIM_SCHEMA:
            out[col].append(row[col])
        self.seq += 1
