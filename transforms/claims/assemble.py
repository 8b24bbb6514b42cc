"""Stage 5 driver: parties and period of each figure, then one claim per distinct
(metric, bounds, unit) and claimant of a document: a figure two claimants give is listed
under each, and a figure without a claimant only where no claimant gives it. Headings and
captions give no claim: a headline figure is trusted only where the body states it."""

from __future__ import annotations

import polars as pl

from transforms.claims.frames import Document, by_row, columns
from transforms.claims.model import CLAIM_SCHEMA, Event
from transforms.claims.parties import flows
from transforms.claims.period import resolve_period
from transforms.claims.sentences import TokenStore
from transforms.rules import ExtractionRules


def assemble(
    docs: list[Document],
    tokens: TokenStore,
    figures: pl.DataFrame,
    events: dict[int, list[Event]],
    rules: ExtractionRules,
) -> pl.DataFrame:
    """Claims of every document (CLAIM_SCHEMA)."""
    out = columns(CLAIM_SCHEMA)
    per_row = by_row(figures)
    for doc in docs:
        local = doc.local
        claims = _Claims(doc.doc_id, out)
        for s in doc.sentences:
            rows = per_row.get(s.row)
            if not rows or s.display:
                continue
            mentions = local.within(s.start, s.end)
            names = {e.claimant.name for e in events.get(s.row, []) if e.claimant is not None}
            period = (
                resolve_period(s.text, doc.published, rules.month_numbers)
                if s.dated
                else (None, None)
            )
            for fig in rows:
                supplier, recipient = flows(
                    tokens[s.row],
                    mentions,
                    fig["pos"],
                    fig["metric"],
                    rules,
                    (fig["start"], fig["end"]),
                    names,
                )
                claims.add(
                    {
                        "metric": fig["metric"],
                        "value_low": fig["low"],
                        "value_high": fig["high"],
                        "unit": fig["unit"],
                        "qualifier": fig["qualifier"],
                        "attributed_to": fig["attributed_to"],
                        "reported_by": fig["reported_by"],
                        **_claimant(fig, doc.outlet, rules),
                        "supplier": supplier,
                        "recipient": recipient,
                        "period_start": period[0],
                        "period_end": period[1],
                        "quote": s.text[fig["start"] : fig["end"]],
                        "char_start": s.start + fig["start"],
                        "char_end": s.start + fig["end"],
                        "sentence_idx": s.sent_idx,
                    }
                )
        claims.flush()
    return pl.DataFrame(out, schema=CLAIM_SCHEMA)


class _Claims:
    """One document's claims: each figure once per claimant, in text order."""

    def __init__(self, doc_id: str, out: dict[str, list]) -> None:
        self.doc_id = doc_id
        self.out = out
        self.rows: list[dict] = []

    def add(self, claim: dict) -> None:
        self.rows.append(claim)

    def flush(self) -> None:
        """Write the document's claims: the first of each (figure, claimant), and a figure
        with no claimant only when nobody is named for it."""
        named = {_figure(c) for c in self.rows if c["attributed_to"] is not None}
        seen: set[tuple] = set()
        for claim in self.rows:
            key = (*_figure(claim), claim["attributed_to"])
            if key in seen or (claim["attributed_to"] is None and _figure(claim) in named):
                continue
            seen.add(key)
            row = {"doc_id": self.doc_id, "claim_seq": len(seen) - 1, **claim}
            for col in CLAIM_SCHEMA:
                self.out[col].append(row[col])


def _figure(claim: dict) -> tuple:
    return claim["metric"], claim["value_low"], claim["value_high"], claim["unit"]


def _claimant(fig: dict, outlet: str | None, rules: ExtractionRules) -> dict:
    """The claimant as written and its kind: a name of the alias table, a new name (an alias
    candidate), or the outlet for a figure it states on its own authority."""
    if fig["attributed_to"] is None:
        return {"claimant": outlet, "claimant_kind": "outlet"}  # the outlet may be unnamed
    name = fig["attributed_to"]
    known = _KNOWN.get(name)
    if known is None or known[0] is not rules:
        known = _KNOWN[name] = (rules, rules.lookup_alias(name) is not None)
    return {"claimant": fig["claimant"], "claimant_kind": "alias" if known[1] else "candidate"}


_KNOWN: dict[str, tuple[ExtractionRules, bool]] = {}  # claimant -> (rules, in the alias table)
