"""Entity mentions in report text and alias resolution for table columns."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from transforms.rules import ExtractionRules, normalise_key

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
    """All alias matches in ``text``, longest alias first, non-overlapping, in text order.

    The reference implementation (Python ``re``); batches go through :func:`mentions_by_doc`,
    which finds the same matches with one Polars (Rust regex) pass.
    """
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


# Characters on which Python's and Rust's case-insensitive matching or word boundaries
# disagree for the alias pattern: letters that match an ASCII letter ignoring case (İ ı ſ K)
# and the control separators Python's \s includes but Rust's does not (\x1c-\x1f).
# A document holding any of them takes the Python path.
_RUST_UNSAFE = "[\u0130\u0131\u017f\u212a\x1c-\x1f]"
_ASCII_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
# surface -> resolved row (or None), per rules object.
_SURFACE_CACHE: dict[int, tuple[ExtractionRules, dict[str, tuple | None]]] = {}


def _surface_rows(rules: ExtractionRules) -> dict[str, tuple | None]:
    cached = _SURFACE_CACHE.get(id(rules))
    if cached is None or cached[0] is not rules:
        cached = (rules, {})
        _SURFACE_CACHE[id(rules)] = cached
    if len(cached[1]) > 200_000:  # bound the memo on unusual corpora
        cached[1].clear()
    return cached[1]


def _resolve_surface(surface: str, rules: ExtractionRules) -> tuple | None:
    """(entity_id, entity_type, canonical, iso2) of a matched surface, or None if rejected."""
    hit = _rows_by_key(rules).get(normalise_key(surface))
    if hit is None:
        return None
    alias, row = hit
    return row if _case_ok(alias, surface, row[1]) else None


def _place(text: str, surfaces: list[str], resolved: dict, rules: ExtractionRules) -> list | None:
    """Mentions of one document from its matched surfaces (in order) -> offsets in ``text``.

    The regex reports leftmost, non-overlapping matches, so each surface sits at its first
    occurrence after the previous match that has no ASCII letter or digit on either side.
    Returns None when a surface cannot be placed (never expected; the caller falls back).
    """
    out: list[Mention] = []
    pos = 0
    n = len(text)
    find = text.find
    for surface in surfaces:
        size = len(surface)
        while True:
            k = find(surface, pos)
            if k < 0:
                return None
            e = k + size
            if (k == 0 or text[k - 1] not in _ASCII_ALNUM) and (
                e >= n or text[e] not in _ASCII_ALNUM
            ):
                break
            pos = k + 1
        pos = e
        row = resolved.get(surface, resolved)
        if row is resolved:
            row = resolved[surface] = _resolve_surface(surface, rules)
        if row is not None:
            out.append(Mention(k, e, row[0], row[1], row[2], row[3], surface))
    return out


def _compute_mentions(texts: pl.Series, rules: ExtractionRules) -> list[list[Mention]]:
    values = texts.to_list()
    if rules.alias_pattern_rust is None:
        return [find_mentions(t or "", rules) for t in values]
    frame = pl.DataFrame({"t": texts.fill_null("")}).select(
        pl.col("t").str.contains(_RUST_UNSAFE).alias("unsafe"),
        # (?-u:\b) treats "_" as a word character, the Python lookarounds do not; "#" is
        # neither a word character nor an alias separator, so it keeps both readings equal.
        pl.col("t")
        .str.replace_all("_", "#", literal=True)
        .str.extract_all(rules.alias_pattern_rust)
        .alias("found"),
    )
    resolved = _surface_rows(rules)
    out: list[list[Mention]] = []
    for text, unsafe, found in zip(values, frame["unsafe"], frame["found"].to_list(), strict=True):
        if not text:
            out.append([])
            continue
        placed = None if unsafe else _place(text, found or [], resolved, rules)
        out.append(placed if placed is not None else find_mentions(text, rules))
    return out


# One-entry memo so extract_claims and extract_entity_mentions on the same batch share one
# pass: (rules, texts, mentions). Checked by value (Series.equals) and dropped on its first
# reuse, so a batch is held no longer than the next call.
_LAST: list[tuple[ExtractionRules, pl.Series, list[list[Mention]]]] = []


def mentions_by_doc(docs: pl.DataFrame, rules: ExtractionRules) -> list[list[Mention]]:
    """Alias mentions of every row of ``docs`` (same as :func:`find_mentions` per text)."""
    texts = docs.get_column("text").cast(pl.String)
    if _LAST:
        c_rules, c_texts, c_out = _LAST.pop()
        if c_rules is rules and c_texts.len() == texts.len() and c_texts.equals(texts):
            return c_out
    out = _compute_mentions(texts, rules)
    _LAST.append((rules, texts, out))
    return out


def extract_entity_mentions(docs: pl.DataFrame, rules: ExtractionRules) -> pl.DataFrame:
    """Every alias mention in ``docs.text``: doc_id, entity_id, entity_type, canonical_name,
    surface, char_start, char_end (offsets into the document text)."""
    cols: dict[str, list] = {k: [] for k in MENTION_SCHEMA}
    per_doc = mentions_by_doc(docs, rules)
    for doc_id, mentions in zip(docs.get_column("doc_id").to_list(), per_doc, strict=True):
        for mention in mentions:
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
