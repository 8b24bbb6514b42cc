"""Stage 4a: names a document introduces that no alias table knows, kept as written: an
organisation defined with its acronym ("the Sanctions Monitoring Team (SMT)"), or named
after a descriptor ("the business daily Asia Economy", "the research group Open Source
Centre"). They are antecedents for "the team", "the paper", "it", and alias candidates."""

from __future__ import annotations

import re
from dataclasses import dataclass

from transforms.claims.lexicon import Vocab
from transforms.claims.model import Claimant
from transforms.claims.tokens import UPPER
from transforms.rules import ExtractionRules

_DOTTED = re.compile(r"\b((?:[A-Z]\.){2,})")
_ARTICLE = re.compile(r"^(?:[Tt]he|[Aa]n?)\s+")
_POSSESSIVE = re.compile(r"['’]s$")
_WORDS = re.compile(r"[a-z0-9]+")

_NAME = r"[" + UPPER + r"](?:[\w'’&-]|\.(?=\w))*"
_ACRONYM = re.compile(
    r"((?:"
    + _NAME
    + r"\s+(?:(?:of|for|and|on|the)\s+){0,2}){0,6}"
    + _NAME
    + r")\s+\(([A-Z][A-Za-z]{1,6})\)"
)


@dataclass(frozen=True, slots=True)
class Named:
    """A claimant a document names (a known alias, or a name kept as written)."""

    start: int  # offset in the document
    claimant: Claimant
    words: frozenset[str]  # lower-case words of its names and descriptor ("daily", "agency")


def words_of(*names: str) -> frozenset[str]:
    """Lower-case words of some names ("U.S." -> "us")."""
    out: set[str] = set()
    for name in names:
        out.update(_WORDS.findall(name.lower().replace(".", "")))
    return frozenset(out)


def tidy_name(name: str) -> str:
    """A name as an analyst writes it: dotted acronyms closed up ("U.S." -> "US"), outer
    punctuation, a leading article and a possessive dropped."""
    name = _DOTTED.sub(lambda m: m.group(1).replace(".", ""), name)
    name = name.strip(" ,.;:'\"“”‘’()")
    name = _ARTICLE.sub("", name)
    return _POSSESSIVE.sub("", name)


def _near(pattern: re.Pattern[str], anchors: list[int], text: str, reach: int = 120):
    """Matches of ``pattern`` in windows around the ``anchors`` (offsets found for all texts
    at once by :func:`anchor_offsets`; the full patterns are slow to try everywhere)."""
    seen: set[int] = set()
    end = -1
    for at in anchors:
        lo, hi = max(end, at - reach), min(len(text), at + reach)
        for m in pattern.finditer(text, max(0, lo), hi):
            if m.start() not in seen:
                seen.add(m.start())
                yield m
        end = at


def anchor_patterns(rules: ExtractionRules, v: Vocab) -> dict[str, str]:
    """Rust regexes for where a document may define a name: an acronym in brackets, a
    capitalised body noun, ", a/the ..." after a name, a descriptor before a name."""
    heads = sorted(
        {w.capitalize() for w in v.org_nouns | v.body_heads if " " not in w and w.isalpha()},
        key=len,
        reverse=True,
    )
    nouns = sorted(v.org_nouns, key=len, reverse=True)
    reports = sorted((w for w in v.report_nouns if " " not in w), key=len, reverse=True)
    return {
        "report": r"(?-u:\b)(?:" + "|".join(reports) + r")(?-u:\b)",
        "acronym": r"\([A-Z][A-Za-z]{1,6}\)",
        "headed": r"(?-u:\b)(?:" + "|".join(heads) + r")(?-u:\b)",
        "apposition": r",\s+(?:a|an|the)\s",
        "descriptor": r"(?-u:\b)(?:"
        + "|".join(r"\s+".join(re.escape(w) for w in n.split()) for n in nouns)
        + r")\s+[A-Z]",
    }


_LEFT_NAMES = re.compile(r"(?:" + _NAME + r"\s+){1,4}\Z")
_RIGHT_NAMES = re.compile(
    r"\s+(?:for|of|on)\s+(?:the\s+)?" + _NAME + r"(?:\s+(?:and\s+)?" + _NAME + r"){0,4}(?![\w-])"
)
_HEAD_WORD = re.compile(r"\w+")


def document_names(
    text: str, rules: ExtractionRules, v: Vocab, anchors: dict[str, list[int]]
) -> list[Named]:
    """Organisations the text defines with an acronym or names after a descriptor, in
    text order (``anchors``: where each kind may start, from :func:`anchor_patterns`)."""
    found: dict[int, Named] = {}
    for m in _near(_ACRONYM, anchors["acronym"], text):
        name = _trim_name(m.group(1), v)
        if name is None or not _initials(name).endswith(m.group(2).upper()):
            continue  # "Arab Times (AP)": a source in brackets, not the name's acronym
        full = f"{name} ({m.group(2)})"
        start = m.start(1) + m.group(1).find(name)
        found[start] = Named(start, Claimant(full, "organisation"), words_of(full))
    for at in anchors["headed"]:
        head = _HEAD_WORD.match(text, at)
        if head is None:
            continue
        left = _LEFT_NAMES.search(text, max(0, at - 80), at)
        right = _RIGHT_NAMES.match(text, head.end())
        begin = left.start() if left else at
        stop = right.end() if right else head.end()
        name = _trim_name(text[begin:stop], v)
        start = stop - len(name) if name else begin
        if (
            name is None
            or " " not in name
            or start in found
            or any(s <= start < s + len(n.claimant.name) for s, n in found.items())
        ):
            continue  # a lone "Staff" or "Army" names nothing
        found[start] = Named(start, Claimant(name, "organisation"), words_of(name))
    for m in _near(_apposition_pattern(rules, v), anchors["apposition"], text):
        name = _trim_name(m.group(1), v)
        if name is None or m.start(1) in found:
            continue
        found[m.start(1)] = Named(
            m.start(1), Claimant(name, "organisation"), words_of(name, m.group(2))
        )
    for m in _near(_report_pattern(v), anchors["report"], text, reach=80):
        name = _trim_name(m.group(1), v)
        if name is None or m.start(1) in found:
            continue  # "the MSMT's first report": "the report" later stands for the MSMT
        found[m.start(1)] = Named(
            m.start(1), Claimant(name, "organisation"), words_of(name, m.group(2))
        )
    for m in _near(_descriptor_pattern(rules, v), anchors["descriptor"], text):
        name = _trim_name(m.group(2), v)
        if name is None or m.start(2) in found:
            continue
        found[m.start(2)] = Named(
            m.start(2), Claimant(name, "organisation"), words_of(name, m.group(1))
        )
    return [found[k] for k in sorted(found)]


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[0].isupper())


def _trim_name(name: str, v: Vocab) -> str | None:
    words = name.split()
    owner = max((k for k, w in enumerate(words[:-1]) if w.endswith(("'s", "’s"))), default=-1)
    words = words[owner + 1 :]  # "South Korea's National Intelligence Service": the body
    while words and (
        words[0] in v.not_names or words[0].lower() in ("of", "for", "and", "on", "the")
    ):
        words = words[1:]
    return " ".join(words) if words else None


_PATTERNS: dict[int, tuple[Vocab, re.Pattern[str]]] = {}


_APPOSED: dict[int, tuple[Vocab, re.Pattern[str]]] = {}


_REPORTS: dict[int, tuple[Vocab, re.Pattern[str]]] = {}


def _report_pattern(v: Vocab) -> re.Pattern[str]:
    """ "the MSMT's first report", "Kiel's latest update": a name that owns a report."""
    cached = _REPORTS.get(id(v))
    if cached is None or cached[0] is not v:
        nouns = "|".join(
            sorted((re.escape(w) for w in v.report_nouns if " " not in w), key=len, reverse=True)
        )
        pattern = re.compile(
            r"("
            + _NAME
            + r"(?:\s+"
            + _NAME
            + r"){0,4})['’]s\s+(?:[a-z-]+\s+){0,2}("
            + nouns
            + r")\b"
        )
        cached = _REPORTS[id(v)] = (v, pattern)
    return cached[1]


def _apposition_pattern(rules: ExtractionRules, v: Vocab) -> re.Pattern[str]:
    """ "Beyond Parallel, a project of the ...": a capitalised name described right after it."""
    cached = _APPOSED.get(id(rules))
    if cached is None or cached[0] is not v:
        nouns = sorted(v.org_nouns, key=len, reverse=True)
        heads = "|".join(r"\s+".join(re.escape(w) for w in n.split()) for n in nouns)
        verbs = "|".join(
            sorted(
                re.escape(c[0])
                for c, kind in rules.attribution.items()
                if len(c) == 1 and kind in ("after", "after_weak")
            )
        )
        pattern = re.compile(
            r"("
            + _NAME
            + r"(?:[ \t]+(?:(?:of|for|and|the)[ \t]+){0,2}"
            + _NAME
            + r"){0,5}),[ \t]+(?:a|an|the)[ \t]+"
            r"(?:(?:(?!(?:a|an|the|after|before|of|for|in|on|at|to|with|by|from|and|or|day|week|month|year)\b)[\w-]+"
            r"|(?:[A-Z]\.)+)[ \t]+){0,3}?(" + heads + r")\b"
            r"(?![ \t]+(?:"
            + verbs
            + r")\b)"  # "Kyiv, the office said": a new subject, not an apposition
        )
        cached = _APPOSED[id(rules)] = (v, pattern)
    return cached[1]


def _descriptor_pattern(rules: ExtractionRules, v: Vocab) -> re.Pattern[str]:
    """ "the (British) research group Open Source Centre": a descriptor noun of
    claimant_words.csv (role ``org_noun``) right before a capitalised name."""
    cached = _PATTERNS.get(id(rules))
    if cached is None or cached[0] is not v:
        nouns = sorted(v.org_nouns, key=len, reverse=True)
        heads = "|".join(r"\s+".join(re.escape(w) for w in n.split()) for n in nouns)
        pattern = re.compile(
            r"\b(?:[Tt]he|[Aa]n?)\s+(?:[\w.-]+\s+){0,3}?((?:"
            + heads
            + r"))\s+("
            + _NAME
            + r"(?:\s+"
            + _NAME
            + r"){0,4})"
        )
        cached = _PATTERNS[id(rules)] = (v, pattern)
    return cached[1]
