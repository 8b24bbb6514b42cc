"""Stage 4a: names a document introduces that no alias table knows, kept as written: an
organisation defined with its acronym ("the Sanctions Monitoring Team (SMT)"), or named
after a descriptor ("the business daily Asia Economy", "the research group Open Source
Centre"). They are antecedents for "the team", "the paper", "it", and alias candidates."""

from __future__ import annotations

import re
from dataclasses import dataclass

from transforms.claims.lexicon import Vocab
from transforms.claims.model import Claimant
from transforms.rules import ExtractionRules

_NAME = r"[A-Z](?:[\w'’&-]|\.(?=\w))*"
_ACRONYM = re.compile(
    r"((?:" + _NAME + r"\s+(?:(?:of|for|and|on|the)\s+){0,2}){0,6}" + _NAME + r")\s+\(([A-Z][A-Za-z]{1,6})\)"
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
        out.update(re.findall(r"[a-z0-9]+", name.lower().replace(".", "")))
    return frozenset(out)


def tidy_name(name: str) -> str:
    """A name as an analyst writes it: dotted acronyms closed up ("U.S." -> "US"), outer
    punctuation, a leading article and a possessive dropped."""
    name = re.sub(r"\b((?:[A-Z]\.){2,})", lambda m: m.group(1).replace(".", ""), name)
    name = name.strip(" ,.;:'\"“”‘’()")
    name = re.sub(r"^(?:[Tt]he|[Aa]n?)\s+", "", name)
    return re.sub(r"['’]s$", "", name)


def document_names(text: str, rules: ExtractionRules, v: Vocab) -> list[Named]:
    """Organisations the text defines with an acronym or names after a descriptor, in
    text order."""
    found: dict[int, Named] = {}
    for m in _ACRONYM.finditer(text):
        name = _trim_name(m.group(1), v)
        if name is None or not _initials(name).endswith(m.group(2).upper()):
            continue  # "Arab Times (AP)": a source in brackets, not the name's acronym
        full = f"{name} ({m.group(2)})"
        start = m.start(1) + m.group(1).find(name)
        found[start] = Named(start, Claimant(full, "organisation"), words_of(full))
    for m in _headed_pattern(rules, v).finditer(text):
        name = _trim_name(m.group(0), v)
        start = m.end() - len(name) if name else m.start()
        if name is None or " " not in name or start in found or any(
            s <= start < s + len(n.claimant.name) for s, n in found.items()
        ):
            continue  # a lone "Staff" or "Army" names nothing
        found[start] = Named(start, Claimant(name, "organisation"), words_of(name))
    for m in _apposition_pattern(rules, v).finditer(text):
        name = _trim_name(m.group(1), v)
        if name is None or m.start(1) in found:
            continue
        found[m.start(1)] = Named(m.start(1), Claimant(name, "organisation"), words_of(name, m.group(2)))
    for m in _descriptor_pattern(rules, v).finditer(text):
        name = _trim_name(m.group(2), v)
        if name is None or m.start(2) in found:
            continue
        found[m.start(2)] = Named(m.start(2), Claimant(name, "organisation"), words_of(name, m.group(1)))
    return [found[k] for k in sorted(found)]


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[0].isupper())


def _trim_name(name: str, v: Vocab) -> str | None:
    words = name.split()
    owner = max((k for k, w in enumerate(words[:-1]) if w.endswith(("'s", "’s"))), default=-1)
    words = words[owner + 1 :]  # "South Korea's National Intelligence Service": the body
    while words and (words[0] in v.not_names or words[0].lower() in ("of", "for", "and", "on", "the")):
        words = words[1:]
    return " ".join(words) if words else None


_PATTERNS: dict[int, tuple[Vocab, re.Pattern[str]]] = {}
_HEADED: dict[int, tuple[Vocab, re.Pattern[str]]] = {}


_APPOSED: dict[int, tuple[Vocab, re.Pattern[str]]] = {}


def _apposition_pattern(rules: ExtractionRules, v: Vocab) -> re.Pattern[str]:
    """"Beyond Parallel, a project of the ...": a capitalised name described right after it."""
    cached = _APPOSED.get(id(rules))
    if cached is None or cached[0] is not v:
        nouns = sorted(v.org_nouns, key=len, reverse=True)
        heads = "|".join(r"\s+".join(re.escape(w) for w in n.split()) for n in nouns)
        pattern = re.compile(
            r"(" + _NAME + r"(?:\s+" + _NAME + r"){0,4}),\s+(?:a|an|the)\s+(?:[\w.-]+\s+){0,3}?(" + heads + r")\b"
        )
        cached = _APPOSED[id(rules)] = (v, pattern)
    return cached[1]


def _headed_pattern(rules: ExtractionRules, v: Vocab) -> re.Pattern[str]:
    """"the Institute for National Security Strategy", "the Friedrich Naumann Foundation":
    capitalised words around a capitalised body noun (``org_noun``, ``body_head``)."""
    cached = _HEADED.get(id(rules))
    if cached is None or cached[0] is not v:
        heads = sorted({w.capitalize() for w in v.org_nouns | v.body_heads if " " not in w and w.isalpha()},
                       key=len, reverse=True)
        pattern = re.compile(
            r"(?:" + _NAME + r"\s+){0,4}(?:" + "|".join(heads) + r")(?:\s+(?:for|of|on)\s+(?:the\s+)?"
            + _NAME + r"(?:\s+(?:and\s+)?" + _NAME + r"){0,4})?(?![\w-])"
        )
        cached = _HEADED[id(rules)] = (v, pattern)
    return cached[1]


def _descriptor_pattern(rules: ExtractionRules, v: Vocab) -> re.Pattern[str]:
    """"the (British) research group Open Source Centre": a descriptor noun of
    claimant_words.csv (role ``org_noun``) right before a capitalised name."""
    cached = _PATTERNS.get(id(rules))
    if cached is None or cached[0] is not v:
        nouns = sorted(v.org_nouns, key=len, reverse=True)
        heads = "|".join(r"\s+".join(re.escape(w) for w in n.split()) for n in nouns)
        pattern = re.compile(
            r"\b(?:[Tt]he|[Aa]n?)\s+(?:[\w.-]+\s+){0,3}?((?:" + heads + r"))\s+("
            + _NAME + r"(?:\s+" + _NAME + r"){0,4})"
        )
        cached = _PATTERNS[id(rules)] = (v, pattern)
    return cached[1]
