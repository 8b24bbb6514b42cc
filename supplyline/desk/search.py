"""Full-text search over the reports: BM25 ranking, highlighted snippets and each hit's claims.

Ranking uses the warehouse's own full-text index (``fts_marts_documents``, over title and text).
Snippets highlight the words whose English stem matches a stem of the query, as the index
matches them. Filters narrow the documents: publication dates, outlet, metric, and entities
(vessel, port, claimant or any alias-table entity). Every value is bound as a parameter.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import asdict, dataclass, field

import duckdb

SNIPPET_CHARS = 240
SNIPPETS_PER_HIT = 2
_WORD = re.compile(r"[^\W\d_]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n\s*\n")


@dataclass(frozen=True)
class Filters:
    """What a hit must satisfy besides matching the query (None: no constraint)."""

    since: dt.date | None = None
    until: dt.date | None = None
    outlet: str | None = None
    metric: str | None = None
    vessel: str | None = None
    port: str | None = None
    claimant: str | None = None
    entity: str | None = None


@dataclass(frozen=True)
class Snippet:
    text: str
    highlights: list[tuple[int, int]]  # [start, end) character spans within text

    def marked(self, before: str = "**", after: str = "**") -> str:
        """The text with each highlight wrapped in markers."""
        out, pos = [], 0
        for start, end in self.highlights:
            out += [self.text[pos:start], before, self.text[start:end], after]
            pos = end
        return "".join(out) + self.text[pos:]


@dataclass
class Hit:
    doc_id: str
    file_name: str
    title: str | None
    outlet: str | None
    published: dt.date | None
    score: float | None
    snippets: list[Snippet] = field(default_factory=list)
    claims: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        d = asdict(self)
        d["published"] = self.published.isoformat() if self.published else None
        d["snippets"] = [s.marked() for s in self.snippets]
        return d


class SearchError(ValueError):
    """A search that cannot run as asked (unknown entity, no index); the message says why."""


def search(
    con: duckdb.DuckDBPyConnection, query: str | None, filters: Filters = Filters(), limit: int = 20
) -> list[Hit]:
    """Documents matching ``query`` (BM25, best first) and ``filters``, with snippets and claims.

    With an empty query, every document that passes the filters, newest first.
    """
    query = (query or "").strip()
    where, params = _document_filters(con, filters)
    if query:
        _require_index(con)
        rows = con.execute(
            "select * from (select doc_id, file_name, title, outlet, published, text, "
            "fts_marts_documents.match_bm25(doc_id, ?) as score from marts.documents as d "
            f"where {where}) where score is not null order by score desc, file_name limit ?",
            [query, *params, limit],
        ).fetchall()
    else:
        rows = con.execute(
            "select doc_id, file_name, title, outlet, published, text, null as score "
            f"from marts.documents as d where {where} "
            "order by published desc nulls last, file_name limit ?",
            [*params, limit],
        ).fetchall()
    stems = query_stems(con, query) if query else set()
    hits = []
    for doc_id, file_name, title, outlet, published, text, score in rows:
        hit = Hit(doc_id, file_name, title, outlet, published, score)
        hit.snippets = snippets(con, text, stems)
        hits.append(hit)
    _attach_claims(con, hits, filters)
    return hits


def _document_filters(con: duckdb.DuckDBPyConnection, f: Filters) -> tuple[str, list]:
    """A WHERE clause over ``marts.documents as d`` built from fixed fragments, and its values."""
    claim_where, claim_params = _claim_filters(con, f)
    mentions = (
        "d.doc_id in (select doc_id from staging.stg_reports__entity_mentions "
        "where entity_id in (select unnest(?)))"
    )
    return _where(
        [
            (f.since, "d.published >= ?", [f.since]),
            (f.until, "d.published <= ?", [f.until]),
            (f.outlet, "contains(lower(d.outlet), lower(?))", [f.outlet]),
            (
                claim_params,
                f"d.doc_id in (select doc_id from marts.claims as c where {claim_where})",
                claim_params,
            ),
            *[
                (name, mentions, [resolve_entity(con, name, kind)])
                for kind, name in (("vessel", f.vessel), ("port", f.port), (None, f.entity))
                if name
            ],
        ]
    )


def _claim_filters(con: duckdb.DuckDBPyConnection, f: Filters) -> tuple[str, list]:
    """A WHERE clause over ``marts.claims as c`` for the metric and claimant filters: for a
    claimant, the name itself (as a substring) or any alias of an entity it names."""
    return _where(
        [
            (f.metric, "c.metric = ?", [f.metric]),
            (
                f.claimant,
                "(contains(lower(c.attributed_to), lower(?)) or lower(c.attributed_to) in (select unnest(?)))",
                [f.claimant, claimant_names(con, f.claimant)] if f.claimant else [],
            ),
        ]
    )


def _where(parts: list[tuple[object, str, list]]) -> tuple[str, list]:
    """The AND of the fragments whose filter value is set, and their parameters in order."""
    used = [(fragment, params) for value, fragment, params in parts if value]
    return " and ".join(["true", *(fragment for fragment, _ in used)]), [
        p for _, ps in used for p in ps
    ]


def resolve_entity(con: duckdb.DuckDBPyConnection, name: str, kind: str | None) -> list[str]:
    """Entity ids whose canonical name, alias or id is ``name`` (case-insensitive)."""
    ids = [
        r[0]
        for r in con.execute(
            "select distinct entity_id from ref.aliases where (entity_type = ? or ? is null) "
            "and (lower(alias) = lower(?) or lower(canonical_name) = lower(?) or entity_id = ?) "
            "order by 1",
            [kind, kind, name, name, name],
        ).fetchall()
    ]
    if not ids:
        known = (
            [
                r[0]
                for r in con.execute(
                    "select distinct canonical_name from ref.aliases where entity_type = ? order by 1",
                    [kind],
                ).fetchall()
            ]
            if kind
            else []
        )
        hint = f" (known {kind}s: {', '.join(known)})" if known else ""
        raise SearchError(f"no {kind or 'entity'} called {name!r} in the alias tables{hint}")
    return ids


def claimant_names(con: duckdb.DuckDBPyConnection, name: str) -> list[str]:
    """Lower-cased names and aliases of every entity that ``name`` names."""
    return [
        r[0]
        for r in con.execute(
            "select distinct lower(n) from ref.aliases, unnest([alias, canonical_name]) as t(n) "
            "where entity_id in (select entity_id from ref.aliases "
            "where lower(alias) = lower(?) or lower(canonical_name) = lower(?))",
            [name, name],
        ).fetchall()
    ]


def _require_index(con: duckdb.DuckDBPyConnection) -> None:
    has = con.execute(
        "select count(*) from duckdb_functions() where database_name = current_database() "
        "and schema_name = 'fts_marts_documents' and function_name = 'match_bm25'"
    ).fetchall()[0][0]
    if not has:
        raise SearchError(
            "this warehouse has no full-text index (DuckLake keeps none); "
            "search with filters only, or query marts.documents with SQL"
        )


def query_stems(con: duckdb.DuckDBPyConnection, query: str) -> set[str]:
    """The query's terms as the index sees them: tokenised, stop words out, English stems."""
    return {
        r[0]
        for r in con.execute(
            "select stem(t, 'english') from unnest(fts_marts_documents.tokenize(?)) as x(t) "
            "where t <> '' and t not in (select sw from fts_marts_documents.stopwords)",
            [query],
        ).fetchall()
    }


def snippets(con: duckdb.DuckDBPyConnection, text: str, stems: set[str]) -> list[Snippet]:
    """The sentences with the most distinct query terms (in document order), trimmed around them."""
    sentences = _spans(text)
    if not stems:  # no query: the first sentence that reads like one (not a menu or a dateline)
        prose = [(s, e) for s, e in sentences if len(text[s:e].split()) >= 8] or sentences
        return [_trim(text, *prose[0], [])] if prose else []
    words = [(m.start(), m.end(), _fold(m.group())) for m in _WORD.finditer(text)]
    stem_of = (
        dict(
            con.execute(
                "select w, stem(w, 'english') from unnest(?) as t(w)",
                [sorted({w for _, _, w in words})],
            ).fetchall()
        )
        if words
        else {}
    )
    matches = [(s, e, stem_of[w]) for s, e, w in words if stem_of.get(w) in stems]
    scored = []
    for i, (start, end) in enumerate(sentences):
        inside = [(s, e, t) for s, e, t in matches if start <= s and e <= end]
        if inside:
            scored.append((-len({t for _, _, t in inside}), -len(inside), i, start, end, inside))
    best = sorted(sorted(scored)[:SNIPPETS_PER_HIT], key=lambda x: x[2])
    return [
        _trim(text, start, end, [(s, e) for s, e, _ in inside]) for *_, start, end, inside in best
    ]


def _spans(text: str) -> list[tuple[int, int]]:
    """Sentence-ish spans: split after . ! ? and at blank lines, surrounding space dropped."""
    bounds = (
        [0] + [x for m in _SENTENCE_END.finditer(text) for x in (m.start(), m.end())] + [len(text)]
    )
    spans = []
    for start, end in zip(bounds[::2], bounds[1::2], strict=True):
        chunk = text[start:end]
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            spans.append((start + lead, start + lead + len(chunk.strip())))
    return spans


def _trim(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> Snippet:
    """One sentence on one line, cut to SNIPPET_CHARS around its first highlight (… marks a cut)."""
    cut_start, cut_end = start, end
    if end - start > SNIPPET_CHARS:
        first = spans[0][0] if spans else start
        cut_start = max(start, min(first - SNIPPET_CHARS // 3, end - SNIPPET_CHARS))
        cut_end = cut_start + SNIPPET_CHARS
    prefix = "…" if cut_start > start else ""
    suffix = "…" if cut_end < end else ""
    inside = [
        (s - cut_start + len(prefix), e - cut_start + len(prefix))
        for s, e in spans
        if cut_start <= s and e <= cut_end
    ]
    flat = re.sub(r"\s", " ", prefix + text[cut_start:cut_end] + suffix)
    return Snippet(flat, inside)


def _fold(word: str) -> str:
    """Lower case without accents, as the index folds text before stemming."""
    return "".join(
        c for c in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(c)
    )


def _attach_claims(con: duckdb.DuckDBPyConnection, hits: list[Hit], f: Filters) -> None:
    """Each hit's claims (only those passing the metric and claimant filters), in text order."""
    if not hits:
        return
    where, params = _claim_filters(con, f)
    rows = con.execute(
        "select doc_id, claim_id, metric, value_low, value_high, unit, qualifier, attributed_to, quote "
        f"from marts.claims as c where doc_id in (select unnest(?)) and {where} "
        "order by doc_id, char_start, claim_seq",
        [[h.doc_id for h in hits], *params],
    )
    by_doc = {h.doc_id: h for h in hits}
    cols = [d[0] for d in rows.description]
    for row in rows.fetchall():
        claim = dict(zip(cols, row, strict=True))
        by_doc[claim.pop("doc_id")].claims.append(claim)
