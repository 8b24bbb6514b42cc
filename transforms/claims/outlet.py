"""Stage 5c: the outlet of each document, for the figures it states on its own authority.

The front matter names it when there is one; otherwise the page says it in a few stock
places, tried in this order for all documents at once: a page title ending "| The Rail
Observer", a dateline "SEOUL, March 5 (Korea Wire) -", a letterhead "Korea Maritime
Observatory | Technical Note 7", a copyright line "© 2024 The Rail Observer", a credit
"(Reporting by Eastline News ...)". A file named "rail_observer_2024-09-24_x.html" gives
"Rail Observer" as a last resort: a name, never the file name itself.
"""

from __future__ import annotations

import polars as pl

# A name: capitalised words, with "of", "for", "and", "the", "&" inside ("Institute for the
# Study of War"), up to seven words.
_WORD = r"[A-Z][\w&'’-]*(?:\.[\w&'’-]+)*"
_NAME = _WORD + r"(?:[ \t]+(?:(?:of|for|and|the|on|&)[ \t]+)*" + _WORD + r"){0,6}"

_TITLE = r"[|–—][ \t]*((?:The[ \t]+)?" + _NAME + r")[ \t]*$"
_DATELINE = (
    r"(?m)\A(?:[^\n]*\n){0,6}?[A-Z][A-Z .'/-]{2,40},[ \t]+[^()\n]{1,30}?\(("
    + _NAME
    + r")\)[ \t]+[-–—]"
)
_LETTERHEAD = r"\A[ \t]*((?:The[ \t]+)?" + _NAME + r")[ \t]+\|"
_COPYRIGHT = (
    r"(?m)(?:©|\(c\)|&copy;)[ \t]*\d{4}[ \t]+((?:The[ \t]+)?"
    + _NAME
    + r")|^[ \t]*((?:The[ \t]+)?"
    + _NAME
    + r")[ \t]+©"
)
_CREDIT = r"\((?:Reporting|Writing|Compiled)[ \t]+by[ \t]+((?:The[ \t]+)?" + _NAME + r")"
_FILE = r"^(?:.*/)?([A-Za-z][A-Za-z0-9]*(?:_[A-Za-z][A-Za-z0-9]*)*)_\d{4}-\d{2}-\d{2}"


def document_outlets(docs: pl.DataFrame) -> list[str | None]:
    """The outlet of every document of ``docs`` (doc_id, text, optional title, outlet and
    file_name columns), in row order; None when nothing names one."""
    return outlet_frame(docs).get_column("outlet").to_list()


def outlet_frame(docs: pl.DataFrame) -> pl.DataFrame:
    """Each document's outlet and where it was found: ``given`` (the outlet column), ``page``
    (title, dateline, letterhead, copyright or credit line), ``file_name``, or ``none``."""

    def col(name: str) -> pl.Expr:
        return pl.col(name).cast(pl.String) if name in docs.columns else pl.lit(None, pl.String)

    text = col("text").fill_null("")
    head = text.str.slice(0, 600)
    tail = text.str.slice(
        pl.max_horizontal(text.str.len_chars().cast(pl.Int64) - 600, pl.lit(0))
    )  # unsigned length would wrap
    copyright_ = tail.str.extract_groups(_COPYRIGHT)
    given = col("outlet").str.strip_chars().replace("", None)
    page = pl.coalesce(
        col("title").str.extract(_TITLE, 1),
        head.str.extract(_DATELINE, 1),
        head.str.extract(_LETTERHEAD, 1),
        copyright_.struct.field("1"),
        copyright_.struct.field("2"),
        tail.str.extract(_CREDIT, 1),
    )
    file_name = _from_file_name(col("file_name"))
    return docs.select(
        pl.coalesce(
            given,
            pl.coalesce(page, file_name).str.replace(r"^The\s+", "").str.replace(r"['’]s$", ""),
        ).alias("outlet"),
        pl.when(given.is_not_null())
        .then(pl.lit("given"))
        .when(page.is_not_null())
        .then(pl.lit("page"))
        .when(file_name.is_not_null())
        .then(pl.lit("file_name"))
        .otherwise(pl.lit("none"))
        .alias("outlet_source"),
    )


def _from_file_name(name: pl.Expr) -> pl.Expr:
    """ "rail_observer_2024-09-24_tumangang.html" -> "Rail Observer" ("kmo_..." -> "KMO")."""
    words = name.str.extract(_FILE, 1).str.split("_")
    return words.list.eval(
        pl.when(pl.element().str.len_chars() <= 3)
        .then(pl.element().str.to_uppercase())
        .otherwise(pl.element().str.to_titlecase())
    ).list.join(" ")


def with_page_outlets(docs: pl.DataFrame) -> pl.DataFrame:
    """Documents whose header names no outlet take the one their page names (title, dateline,
    letterhead, copyright or credit line), or the one in their file name, with that source in
    ``outlet_source``."""
    if docs.is_empty():
        return docs
    found = outlet_frame(docs)
    return docs.with_columns(
        outlet=found.get_column("outlet"),
        outlet_source=pl.when(found.get_column("outlet_source").is_in(["page", "file_name"]))
        .then(found.get_column("outlet_source"))
        .otherwise(pl.col("outlet_source")),
    )
