"""Reference data for claim and entity extraction, loaded once from ``reference/*.csv``.

This is the only module of the extractor that touches the file system; everything
in ``transforms`` receives an :class:`ExtractionRules` and stays pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import polars as pl

QUALIFIERS = ("exact", "approx", "at_least", "at_most", "range", "vague")
# "none" marks a phrase that looks like a hedge but is not one ("handed over 5 guns").
HEDGE_QUALIFIERS = (*QUALIFIERS, "none")
ENTITY_TYPES = ("country", "organisation", "person", "vessel", "port", "weapon_system")

_FILES = {
    "metrics": "metrics.csv",
    "aliases": "aliases.csv",
    "hedges": "hedges.csv",
    "number_words": "number_words.csv",
    "currencies": "currencies.csv",
    "metric_keywords": "metric_keywords.csv",
    "metric_modifiers": "metric_modifiers.csv",
    "noun_window": "noun_window.csv",
    "context_cues": "context_cues.csv",
    "number_context": "number_context.csv",
    "attribution_cues": "attribution_cues.csv",
    "demonyms": "demonyms.csv",
    "flow_cues": "flow_cues.csv",
    "grammar_words": "grammar_words.csv",
    "claimant_words": "claimant_words.csv",
    "months": "months.csv",
}


class RulesError(ValueError):
    """A reference file is missing or malformed; the message names the file."""


def normalise_key(name: str) -> str:
    """Lower-case alphanumerics only, so 'Maia-1' == 'Maya 1'-style spellings compare equal."""
    return re.sub(r"[^0-9a-z]", "", name.lower())


def word_tuple(phrase: str) -> tuple[str, ...]:
    """Phrase as a tuple of lower-case word tokens (hyphenated words stay whole).

    The symbols ``~`` and ``+`` are tokens ("~3,800", "9 million+"), and so is a full stop
    closing an abbreviation at the end of the phrase ("est.")."""
    return tuple(
        re.findall(r"[a-z0-9]+(?:[-'’][a-z0-9]+)*|[$€£₩₽¥₴%~+]|(?<=[a-z])\.$", phrase.lower())
    )


@dataclass(frozen=True, eq=False)  # identity hash: Prefect and caches can key on it
class ExtractionRules:
    """Typed, read-only view of the reference CSVs plus lookup tables derived from them."""

    metrics: pl.DataFrame
    aliases: pl.DataFrame
    hedges: pl.DataFrame
    number_words: pl.DataFrame
    currencies: pl.DataFrame
    metric_keywords: pl.DataFrame
    metric_modifiers: pl.DataFrame
    noun_window: pl.DataFrame
    context_cues: pl.DataFrame
    number_context: pl.DataFrame
    attribution_cues: pl.DataFrame
    demonyms: pl.DataFrame
    flow_cues: pl.DataFrame
    grammar_words: pl.DataFrame
    claimant_words: pl.DataFrame
    months: pl.DataFrame
    # Derived lookups (built in __post_init__, never edited afterwards; not arguments).
    metric_units: dict[str, str] = field(default_factory=dict, compare=False, init=False)
    number_word_values: dict[str, tuple[float, str]] = field(
        default_factory=dict, compare=False, init=False
    )
    hedges_before: dict[tuple[str, ...], tuple[str, int]] = field(
        default_factory=dict, compare=False, init=False
    )
    hedges_after: dict[tuple[str, ...], tuple[str, int]] = field(
        default_factory=dict, compare=False, init=False
    )
    currency_prefix: dict[str, str] = field(default_factory=dict, compare=False, init=False)
    currency_suffix: dict[tuple[str, ...], str] = field(
        default_factory=dict, compare=False, init=False
    )
    forward_keywords: dict[tuple[str, ...], str] = field(
        default_factory=dict, compare=False, init=False
    )
    backward_keywords: dict[tuple[str, ...], str] = field(
        default_factory=dict, compare=False, init=False
    )
    share_nouns: frozenset[tuple[str, ...]] = field(
        default_factory=frozenset, compare=False, init=False
    )
    # Verbs and nouns that name what a bare number counts when they are its predicate
    # ("some 3,000 were added", "800 followed as reinforcements").
    predicate_keywords: dict[tuple[str, ...], str] = field(
        default_factory=dict, compare=False, init=False
    )
    # People named by nationality ("North Koreans"): a count of them is a claim only with a
    # loss predicate ("3,000 North Koreans were killed or wounded").
    person_keywords: dict[tuple[str, ...], str] = field(
        default_factory=dict, compare=False, init=False
    )
    troop_nouns: frozenset[tuple[str, ...]] = field(
        default_factory=frozenset, compare=False, init=False
    )
    modifiers: dict[str, list[tuple[tuple[str, ...], str, str]]] = field(
        default_factory=dict, compare=False, init=False
    )
    window_roles: dict[str, str] = field(default_factory=dict, compare=False, init=False)
    cue_sets: dict[str, set[tuple[str, ...]]] = field(
        default_factory=dict, compare=False, init=False
    )
    designators: frozenset[str] = field(default_factory=frozenset, compare=False, init=False)
    measures: frozenset[str] = field(default_factory=frozenset, compare=False, init=False)
    attribution: dict[tuple[str, ...], str] = field(default_factory=dict, compare=False, init=False)
    demonym_iso: dict[str, str] = field(default_factory=dict, compare=False, init=False)
    flows: dict[str, str] = field(default_factory=dict, compare=False, init=False)
    alias_index: dict[tuple[str, str], tuple[str, str]] = field(
        default_factory=dict, compare=False, init=False
    )
    alias_key_index: dict[str, tuple[str, str, str]] = field(
        default_factory=dict, compare=False, init=False
    )
    alias_pattern: re.Pattern[str] | None = field(default=None, compare=False, init=False)
    alias_rows: dict[str, tuple[str, str, str, str | None]] = field(
        default_factory=dict, compare=False, init=False
    )
    # Word lists by role (grammar_words.csv, claimant_words.csv), words kept as written.
    words: dict[str, frozenset[str]] = field(default_factory=dict, compare=False, init=False)
    month_numbers: dict[str, int] = field(default_factory=dict, compare=False, init=False)
    # The same alias alternation for Polars (Rust regex): lookarounds become ASCII word
    # boundaries, equal to them once "_" is masked (see transforms.entities).
    alias_pattern_rust: str | None = field(default=None, compare=False, init=False)

    def __post_init__(self) -> None:
        # frozen: the derived tables are filled exactly once, here, in this order
        self._build_numbers()
        self._build_keywords()
        self._build_cues()
        self._build_aliases()

    def _build_numbers(self) -> None:
        """Units, number words, hedges and currency words."""
        set_ = object.__setattr__  # frozen: derived tables are filled exactly once here
        set_(self, "metric_units", dict(self.metrics.select("metric", "unit").iter_rows()))
        set_(
            self,
            "number_word_values",
            {w.lower(): (float(v), k) for w, v, k in self.number_words.iter_rows()},
        )
        before: dict[tuple[str, ...], tuple[str, int]] = {}
        after: dict[tuple[str, ...], tuple[str, int]] = {}
        for phrase, qual, prio, pos in self.hedges.iter_rows():
            if qual not in HEDGE_QUALIFIERS:
                raise RulesError(f"hedges.csv: unknown qualifier {qual!r}")
            (after if pos == "after" else before)[word_tuple(phrase)] = (qual, int(prio))
        set_(self, "hedges_before", before)
        set_(self, "hedges_after", after)
        prefix: dict[str, str] = {}
        suffix: dict[tuple[str, ...], str] = {}
        for token, iso, pos in self.currencies.iter_rows():
            if pos == "prefix":
                prefix[token.lower()] = iso
            else:
                suffix[word_tuple(token)] = iso
        set_(self, "currency_prefix", prefix)
        set_(self, "currency_suffix", suffix)

    def _build_keywords(self) -> None:
        """Metric keywords by direction, and the nouns that name soldiers."""
        set_ = object.__setattr__
        known = set(self.metric_units) | {"-"}
        fwd: dict[tuple[str, ...], str] = {}
        bwd: dict[tuple[str, ...], str] = {}
        share: set[tuple[str, ...]] = set()
        predicate: dict[tuple[str, ...], str] = {}
        person: dict[tuple[str, ...], str] = {}
        for kw, metric, direction in self.metric_keywords.iter_rows():
            if metric not in known:
                raise RulesError(f"metric_keywords.csv: unknown metric {metric!r}")
            if direction == "share":
                share.add(word_tuple(kw))
                continue
            if direction == "predicate":
                predicate[word_tuple(kw)] = metric
                continue
            if direction == "person":
                person[word_tuple(kw)] = metric
                continue
            if direction in ("forward", "both"):
                fwd[word_tuple(kw)] = metric
            if direction in ("backward", "both"):
                bwd[word_tuple(kw)] = metric
        set_(self, "forward_keywords", fwd)
        set_(self, "predicate_keywords", predicate)
        set_(self, "person_keywords", person)
        set_(self, "share_nouns", frozenset(share))
        # Nouns that put a sentence about soldiers (used to read bare "killed"/"wounded").
        troop_metrics = {"troops_deployed", "troop_reinforcements", "troop_casualties"}
        # Backward-only nouns count too ("losses among them were ...").
        troop_words = {k for k, m in fwd.items() if m in troop_metrics}
        troop_words |= {k for k, m in bwd.items() if m in troop_metrics}
        set_(self, "troop_nouns", frozenset(troop_words))
        set_(self, "backward_keywords", bwd)

    def _build_cues(self) -> None:
        """Modifiers, window roles, context and attribution cues, word lists by role."""
        set_ = object.__setattr__
        mods: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
        for src, cue, dst, pos in self.metric_modifiers.iter_rows():
            mods.setdefault(src, []).append((word_tuple(cue), dst, pos))
        for lst in mods.values():
            lst.sort(key=lambda m: -len(m[0]))  # longest cue first: "killed or wounded" > "killed"
        set_(self, "modifiers", mods)
        set_(self, "window_roles", {w.lower(): r for w, r in self.noun_window.iter_rows()})
        cues: dict[str, set[tuple[str, ...]]] = {}
        for cue, role, _scope in self.context_cues.iter_rows():
            cues.setdefault(role, set()).add(word_tuple(cue))
        set_(self, "cue_sets", cues)
        set_(
            self,
            "designators",
            frozenset(t.lower() for t, p, _ in self.number_context.iter_rows() if p == "before"),
        )
        set_(
            self,
            "measures",
            frozenset(t.lower() for t, p, _ in self.number_context.iter_rows() if p == "after"),
        )
        set_(self, "attribution", {word_tuple(c): k for c, k in self.attribution_cues.iter_rows()})
        set_(self, "demonym_iso", {a.lower(): iso for a, iso in self.demonyms.iter_rows()})
        set_(self, "flows", {c.lower(): d for c, d in self.flow_cues.iter_rows()})
        roles: dict[str, set[str]] = {}
        for frame in (self.grammar_words, self.claimant_words):
            for word, role in frame.iter_rows():
                roles.setdefault(role, set()).add(word)
        set_(self, "words", {role: frozenset(ws) for role, ws in roles.items()})
        set_(self, "month_numbers", {w.lower(): int(m) for w, m in self.months.iter_rows()})

    def role(self, name: str) -> frozenset[str]:
        """Words of one role of grammar_words.csv / claimant_words.csv (empty if none)."""
        return self.words.get(name, frozenset())

    def _build_aliases(self) -> None:
        set_ = object.__setattr__
        rows: dict[str, tuple[str, str, str, str | None]] = {}
        by_type: dict[tuple[str, str], tuple[str, str]] = {}
        by_key: dict[str, tuple[str, str, str]] = {}
        for eid, etype, canon, iso2, alias in self.aliases.iter_rows():
            if etype not in ENTITY_TYPES:
                raise RulesError(f"aliases.csv: unknown entity_type {etype!r}")
            rows[alias] = (eid, etype, canon, iso2 or None)
            key = normalise_key(alias)
            by_type.setdefault((etype, key), (eid, canon))
            by_key.setdefault(key, (eid, etype, canon))
        set_(self, "alias_rows", rows)
        set_(self, "alias_index", by_type)
        set_(self, "alias_key_index", by_key)
        # Longest alias first so "Washington Post" wins over "Washington".
        ordered = sorted(rows, key=len, reverse=True)
        parts = []
        for alias in ordered:
            chunks = re.findall(r"[A-Za-z0-9]+", alias)
            if not chunks:
                continue
            # Separators between alias words are optional and interchangeable
            # (space, hyphen, dot, apostrophe), so "Shin Won-sik" == "Shin Won Sik".
            body = r"[\s\-.'’]*".join(re.escape(c) for c in chunks)
            parts.append(body)
        alternation = "|".join(parts)
        pattern = r"(?<![A-Za-z0-9])(?:" + alternation + r")(?![A-Za-z0-9])"
        set_(self, "alias_pattern", re.compile(pattern, re.IGNORECASE))
        rust = r"(?i)(?-u:\b)(?:" + alternation + r")(?-u:\b)"
        set_(self, "alias_pattern_rust", rust if parts else None)

    def lookup_alias(self, surface: str) -> tuple[str, str, str, str | None] | None:
        """Entity row (id, type, canonical, iso2) for a surface form, or None."""
        hit = self.alias_key_index.get(normalise_key(surface))
        if hit is None:
            return None
        eid, etype, canon = hit
        iso2 = next((r[3] for r in self.alias_rows.values() if r[0] == eid), None)
        return eid, etype, canon, iso2


def _read(path: Path) -> pl.DataFrame:
    if not path.exists():
        raise RulesError(f"missing reference file: {path}")
    try:
        return pl.read_csv(path, infer_schema=False)
    except Exception as exc:  # polars raises several error types for bad CSV
        raise RulesError(f"{path.name}: {exc}") from exc


@lru_cache(maxsize=8)
def load_rules(reference_dir: Path) -> ExtractionRules:
    """Read every reference CSV under ``reference_dir`` into an :class:`ExtractionRules`."""
    reference_dir = Path(reference_dir)
    frames = {name: _read(reference_dir / fname) for name, fname in _FILES.items()}
    frames["aliases"] = frames["aliases"].with_columns(pl.col("iso2").replace("", None))
    return ExtractionRules(**frames)
