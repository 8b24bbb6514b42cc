"""Entity mentions in report text and alias resolution for table columns."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from supplyline.rules import ExtractionRules, normalise_key

MENTION_SCHEMA = {
    "doc_id": pl.String,
    "entity_id": pl.String,
    "entity_type": pl.String,
    "canonical_name": pl.String,
    "surface": pl.String,
    "char_start": pl.Int64,
    "char_end": pl.Int64,
}


@dataclass(frozen=True, slots=True)
class Mention:
    """One alias match in a text."""

    start: int
    end: int
    entity_id: str
    entity_type: str
    canonical: str
    iso2: str | None
    surface: str


def _case_ok(alias: str, surface: str, entity_type: str) -> bool:
    """Guard case-insensitive matching against common words ("us", "the times", "maria")."""
    letters = [c for c in alias if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and len(letters) <= 5:
        return surface.replace(".", "").replace(" ", "") == alias.replace(".", "").replace(" ", "")
    if any(c.isupper() for c in alias) and entity_type != "country":
        return any(c.isupper() for c in surface)
    if entity_type == "country" and alias.lower().startswith("the "):
        return surface[4:5].isupper()
    return True


_AliasRows = dict[str, tuple[str, tuple[str, str, str, str | None]]]
# Keyed by id() but holding the rules object too, so a recycled id never returns stale rows.
_KEY_CACHE: dict[int, tuple[ExtractionRules, _AliasRows]] = {}


def _rows_by_key(rules: ExtractionRules) -> _AliasRows:
    cached = _KEY_CACHE.get(id(rules))
    if cached is None or cached[0] is not rules:
        rows: _AliasRows = {}
        for alias, row in rules.alias_rows.items():
            rows.setdefault(normalise_key(alias), (alias, row))
        cached = (rules, rows)
        _KEY_CACHE[id(rules)] = cached
    return cached[1]


def find_mentions(text: str, rules: ExtractionRules) -> list[Mention]:
    """All alias matches in ``text``, longest alias first, non-overlapping, in text order."""
    if rules.alias_pattern is None or not text:
        return []
    rows_by_key = _rows_by_key(rules)
    out: list[Mention] = []
    for m in rules.alias_pattern.finditer(text):
        surface = m.group()
        hit = rows_by_key.get(normalise_key(surface))
        if hit is None:
            continue
        alias, (eid, etype, canon, iso2) = hit
        if not _case_ok(alias, surface, etype):
            continue
        out.append(Mention(m.start(), m.end(), eid, etype, canon, iso2, surface))
    return out


def extract_entity_mentions(docs: pl.DataFrame, rules: ExtractionRules) -> pl.DataFrame:
    """Every alias mention in ``docs.text``: doc_id, entity_id, entity_type, canonical_name,
    surface, char_start, char_end (offsets into the document text)."""
    cols: dict[str, list] = {k: [] for k in MENTION_SCHEMA}
    for doc_id, text in docs.select("doc_id", "text").iter_rows():
        for mention in find_mentions(text or "", rules):
            cols["doc_id"].append(doc_id)
            cols["entity_id"].append(mention.entity_id)
            cols["entity_type"].append(mention.entity_type)
            cols["canonical_name"].append(mention.canonical)
            cols["surface"].append(mention.surface)
            cols["char_start"].append(mention.start)
            cols["char_end"].append(mention.end)
    return pl.DataFrame(cols, schema=MENTION_SCHEMA)


def alias_table(rules: ExtractionRules, entity_type: str | None = None) -> pl.DataFrame:
    """Lookup frame ``key -> entity_id, canonical_name`` with normalised alias keys."""
    frame = rules.aliases
    if entity_type is not None:
        frame = frame.filter(pl.col("entity_type") == entity_type)
    return (
        frame.with_columns(
            pl.col("alias").str.to_lowercase().str.replace_all(r"[^0-9a-z]", "").alias("key")
        )
        .unique(subset="key", keep="first", maintain_order=True)
        .select("key", "entity_id", "canonical_name")
    )


def resolve_entity(
    frame: pl.DataFrame, column: str, entity_type: str | None, rules: ExtractionRules
) -> pl.DataFrame:
    """Add ``<column>_entity_id`` and ``<column>_canonical`` by alias lookup.

    Matching ignores case, spaces and punctuation ("Maia-1" == "Maya 1" == "MAIA1");
    unresolved names stay null. ``entity_type=None`` searches every type.
    """
    table = alias_table(rules, entity_type).rename(
        {"entity_id": f"{column}_entity_id", "canonical_name": f"{column}_canonical"}
    )
    key = "__alias_key__"
    return (
        frame.with_columns(
            pl.col(column)
            .cast(pl.String)
            .str.to_lowercase()
            .str.replace_all(r"[^0-9a-z]", "")
            .alias(key)
        )
        .join(table.rename({"key": key}), on=key, how="left", maintain_order="left")
        .drop(key)
    )


def resolve_names(names: pl.Series, entity_type: str | None, rules: ExtractionRules) -> pl.Series:
    """Canonical names for a Series of raw names (null where unresolved)."""
    frame = resolve_entity(
        pl.DataFrame({"name": names.cast(pl.String)}), "name", entity_type, rules
    )
    return frame["name_canonical"].alias(names.name)
