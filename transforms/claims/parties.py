"""Stage 5a: supplier and recipient of a figure (ISO 3166 alpha-2 codes)."""

from __future__ import annotations

import bisect

from transforms.claims.model import LOSS_METRICS, TROOP_METRICS
from transforms.claims.names import claimant_of
from transforms.claims.tokens import Token, clause_bounds
from transforms.entities import Mention
from transforms.rules import ExtractionRules


def flows(
    tokens: list[Token],
    mentions: list[Mention],
    pos: int,
    metric: str,
    rules: ExtractionRules,
    quote_span: tuple[int, int],
    claimants: set[str],
) -> tuple[str | None, str | None]:
    """Supplier and recipient ISO2 codes from supply verbs and from/to phrases."""
    if metric in LOSS_METRICS:
        return None, None
    countries = [
        m
        for m in mentions
        if m.entity_type == "country" and m.iso2 and claimant_of(m).name not in claimants
    ]
    ends = [t.end for t in tokens]
    supplier, recipient = _from_to(tokens, ends, countries, pos)
    supplier, recipient = _verb_roles(tokens, ends, countries, pos, rules, supplier, recipient)
    if supplier is None and metric in TROOP_METRICS | {"workers_sent"}:
        supplier = _demonym_in(tokens, quote_span, rules)
    if recipient == supplier:
        recipient = None
    return supplier, recipient


def _words_before(tokens: list[Token], ends: list[int], at: int, n: int) -> list[str]:
    """Lower-case words of the n tokens that end before offset ``at``."""
    k = bisect.bisect_right(ends, at)
    return [t.low for t in tokens[max(0, k - n) : k]]


def _from_to(
    tokens: list[Token], ends: list[int], countries: list[Mention], pos: int
) -> tuple[str | None, str | None]:
    """ "from North Korea", "to Russia" in the figure's clause."""
    core = min(bisect.bisect_left([t.start for t in tokens], pos), len(tokens) - 1)
    lo, hi = clause_bounds(tokens, core, core)
    c0 = tokens[lo].start if tokens else 0
    c1 = tokens[hi - 1].end if hi > 0 and tokens else 0
    supplier = recipient = None
    for m in countries:
        if not c0 <= m.start < c1:
            continue
        prev = _words_before(tokens, ends, m.start, 2)
        if prev[-1:] == ["from"] and supplier is None:
            supplier = m.iso2
        elif prev[-1:] in (["to"], ["into"]) and prev[:1] != ["according"] and recipient is None:
            recipient = m.iso2
    return supplier, recipient


def _verb_roles(
    tokens: list[Token],
    ends: list[int],
    countries: list[Mention],
    pos: int,
    rules: ExtractionRules,
    supplier: str | None,
    recipient: str | None,
) -> tuple[str | None, str | None]:
    """Subject and object of the last supply verb before the figure ("X sent Y ...")."""
    cue_idx = None
    for k, t in enumerate(tokens):
        if t.start > pos:
            break
        if t.low in rules.flows:
            cue_idx = k
    if cue_idx is None:
        return supplier, recipient
    cue = tokens[cue_idx]
    subj = [m for m in countries if m.end <= cue.start]
    obj = [
        m
        for m in countries
        if cue.end <= m.start < pos
        and _words_before(tokens, ends, m.start, 1) not in (["from"], ["to"])
    ]
    if rules.flows[cue.low] == "give":
        supplier = supplier or (subj[-1].iso2 if subj else None)
        recipient = recipient or (obj[0].iso2 if obj else None)
    else:
        recipient = recipient or (subj[-1].iso2 if subj else None)
        supplier = supplier or (obj[0].iso2 if obj else None)
    return supplier, recipient


def _demonym_in(
    tokens: list[Token], quote_span: tuple[int, int], rules: ExtractionRules
) -> str | None:
    """ "1,500 North Korean troops": the demonym in the counted noun names the sender."""
    q0, q1 = quote_span
    inside = [t for t in tokens if q0 <= t.start < q1]
    for k, t in enumerate(inside):
        pair = " ".join(x.text for x in inside[k : k + 2]).lower()
        iso = rules.demonym_iso.get(pair) or rules.demonym_iso.get(t.low)
        if iso:
            return iso
    return None
