"""The main text of a web page and what its markup says about it (date, outlet, title).

A page is parsed once with lxml, whose parser refuses to nest deeper than 256 levels (a page
nested 200,000 deep would otherwise take minutes). Furniture (navigation, asides, footers,
related-story lists, share and comment blocks, captions outside the article) is cut from the
tree first, so it can reach neither extractor. trafilatura then picks the main text; when it
finds nothing usable, the visible text of the cleaned page's main block is used instead. The
text returned is the text claims are extracted from, so its character offsets are theirs.
"""

from __future__ import annotations

import functools
import json
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from supplyline.dates import parse_date

_HIDDEN_TAGS = {
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "svg",
    "canvas",
    "object",
    "embed",
    "head",
    "button",
    "select",
    "textarea",
    "input",
    "dialog",
}
_FURNITURE_TAGS = {"nav", "aside", "footer", "form", "menu"}
_FURNITURE_ROLES = {
    "navigation",
    "complementary",
    "contentinfo",
    "banner",
    "search",
    "menu",
    "dialog",
}
# Whole words of a class or id that name page furniture ("related-stories", "share_bar").
_FURNITURE_WORDS = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|sharedaddy|social|comments?|commentlist|comment-list|disqus|"
    r"related|recommended|teasers?|more-stories|read-more|newsletter|subscribe|subscription|"
    r"cookies?|consent|breadcrumbs?|sidebar|widgets?|advert|advertisement|ads?|sponsored|promo|"
    r"popular|most-read|trending|outbrain|taboola|masthead|navbar|nav|menu|topbar|"
    r"site-header|site-footer|footer|pagination|tags|author-bio)(?:$|[\s_-])"
)
_CAPTION_WORDS = re.compile(r"(?:^|[\s_-])(?:caption|credit|photo-credit)(?:$|[\s_-])")
_MAIN_MARK = "data-supplyline-story"
_DATE_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "published_time",
    "published",
    "publishdate",
    "publish-date",
    "publish_date",
    "publication_date",
    "pubdate",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "dc.date.created",
    "dcterms.created",
    "citation_publication_date",
    "citation_date",
    "sailthru.date",
    "parsely-pub-date",
    "date",
)
_OUTLET_META = ("og:site_name",)
_LATE_OUTLET_META = ("publisher", "dc.publisher", "dcterms.publisher", "application-name")
_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>", re.I)
_MAX_JSON_LD = 1_000_000  # characters per JSON-LD block; a page's metadata is a few KB


class PageError(ValueError):
    """The page cannot be read; the message says why."""


@dataclass
class Page:
    """What one HTML page yields."""

    text: str
    title: str | None
    published: Any  # dt.date | None
    published_source: str  # meta | json_ld | time_element | none
    outlet: str | None
    outlet_source: str  # meta | json_ld | none
    extractor: str  # trafilatura | fallback


def read_page(html: str) -> Page:
    """Main text, title, date and outlet of one page, each with where it came from."""
    root = _parse(html)
    title = _clean(root.findtext(".//title"))
    metas = _meta_tags(root)
    ld_date, ld_outlet = _json_ld(root)
    published, published_source = _first_date(
        [(metas.get(k), "meta") for k in _DATE_META] + [(ld_date, "json_ld")]
    )
    outlet, outlet_source = _first_text(
        [(metas.get(k), "meta") for k in _OUTLET_META]
        + [(ld_outlet, "json_ld")]
        + [(metas.get(k), "meta") for k in _LATE_OUTLET_META]
    )
    story = _strip(root)
    if published is None and (found := _time_element(root if story is None else story)) is not None:
        published, published_source = found, "time_element"
    text, extractor = _trafilatura_text(root), "trafilatura"
    if not text:
        text, extractor = _render_story(root), "fallback"
    if not text:
        raise PageError("HTML has no visible text")
    return Page(text, title, published, published_source, outlet, outlet_source, extractor)


def fallback_text(html: str) -> str:
    """The page's text without trafilatura: the visible text of its story block (or of the
    whole page when none is marked), furniture cut as for trafilatura."""
    root = _parse(html)
    _strip(root)
    return _render_story(root)


def _parse(html: str):
    import lxml.html
    from lxml import etree

    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
    try:
        root = lxml.html.document_fromstring(_XML_DECLARATION.sub("", html, count=1), parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise PageError(f"HTML has no visible text ({exc})") from None
    if any("Excessive depth" in e.message for e in parser.error_log):
        raise PageError("HTML nested more than 255 levels deep (a parser bomb?): refused unread")
    return root


def _render_story(root) -> str:
    import lxml.html

    return render_blocks(lxml.html.tostring(root, encoding="unicode"), main_only=True)


def _clean(value: Any) -> str | None:
    return None if value is None else re.sub(r"\s+", " ", str(value)).strip() or None


def _meta_tags(root) -> dict[str, str]:
    """First content of each <meta> name, property or itemprop, lower-cased."""
    found: dict[str, str] = {}
    for node in root.iter("meta"):
        content = node.get("content")
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = (node.get(attr) or "").strip().lower()
            if key and content and key not in found:
                found[key] = content
    return found


def _first_date(candidates: list[tuple[Any, str]]) -> tuple[Any, str]:
    for value, source in candidates:
        if value is not None and (found := parse_date(value)) is not None:
            return found, source
    return None, "none"


def _first_text(candidates: list[tuple[Any, str]]) -> tuple[str | None, str]:
    for value, source in candidates:
        if (text := _clean(value)) is not None:
            return text, source
    return None, "none"


def _json_ld(root) -> tuple[Any, Any]:
    """(datePublished, publisher name) from the page's JSON-LD blocks, the first of each."""
    date = outlet = None
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        if len(script.text) > _MAX_JSON_LD:
            continue
        try:
            data = json.loads(script.text)
        except (ValueError, RecursionError):  # broken or hostile metadata is no metadata
            continue
        for node in _json_objects(data):
            if date is None and isinstance(node.get("datePublished"), str | int):
                date = node["datePublished"]
            if outlet is None:
                outlet = _publisher_name(node.get("publisher"))
        if date is not None and outlet is not None:
            break
    return date, outlet


def _json_objects(data: Any, limit: int = 10_000) -> Iterator[dict]:
    """Every JSON object in ``data``, outermost first, without recursion."""
    queue, seen = deque([data]), 0
    while queue and seen < limit:
        item = queue.popleft()
        seen += 1
        if isinstance(item, dict):
            yield item
            queue.extend(v for v in item.values() if isinstance(v, dict | list))
        elif isinstance(item, list):
            queue.extend(v for v in item if isinstance(v, dict | list))


def _publisher_name(value: Any) -> str | None:
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, dict):
        value = value.get("name")
    return _clean(value) if isinstance(value, str) else None


def _strip(root):
    """Cut hidden elements and page furniture out of the tree, never the story's own block or
    the blocks around it; returns the story's block (None: the page has no marked story)."""
    for node in [n for n in root.iter() if isinstance(n.tag, str) and n.tag in _HIDDEN_TAGS]:
        _drop(node)
    main = _main_block(root)
    # Sets of the elements themselves: lxml hands out the same proxy object for a node only
    # while one is alive, so ids of dropped proxies would not match later.
    keep = _with_ancestors(main if main is not None else _densest_block(root))
    inside_main = set(main.iter()) if main is not None else set()
    doomed = [
        node
        for node in root.iter()
        if isinstance(node.tag, str)
        and node not in keep
        and _is_furniture(node, main is not None, node in inside_main)
    ]
    for node in doomed:
        _drop(node)
    if main is not None:
        main.set(_MAIN_MARK, "")
    return main


def _main_block(root):
    """The story: the page's longest <article> (teaser cards are short), unless a <main> holds
    more than twice its text; None when the page marks neither."""
    articles = root.xpath("//article | //*[@itemprop='articleBody']")
    mains = root.xpath("//main | //*[@role='main']")
    article = max(articles, key=_text_length, default=None)
    main = max(mains, key=_text_length, default=None)
    if main is not None and (article is None or _text_length(main) > 2 * _text_length(article)):
        return main
    return article


def _text_length(node) -> int:
    return len(node.text_content().strip())


def _is_furniture(node, has_main: bool, in_main: bool) -> bool:
    tag = node.tag
    words = f"{node.get('class') or ''} {node.get('id') or ''}".lower()
    if tag in _FURNITURE_TAGS or (node.get("role") or "").lower() in _FURNITURE_ROLES:
        return True
    if _FURNITURE_WORDS.search(words):
        return True
    if tag == "header":  # a site header; an article's own header (headline, byline) stays
        return not in_main and (has_main or node.find(".//nav") is not None)
    if has_main and not in_main:  # a picture and its caption beside the story, not in it
        return tag in ("figure", "figcaption") or bool(_CAPTION_WORDS.search(words))
    return False


def _drop(node) -> None:
    """Remove an element but keep the text that follows it (lxml stores it on the element)."""
    parent = node.getparent()
    if parent is None:
        return
    if node.tail:
        previous = node.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + node.tail
        else:
            parent.text = (parent.text or "") + node.tail
    parent.remove(node)


def _with_ancestors(node) -> set:
    kept = set()
    while node is not None:
        kept.add(node)
        node = node.getparent()
    return kept


def _densest_block(root):
    """The element whose own paragraphs hold the most text: the story on a page without an
    <article> or <main>."""
    totals: dict[Any, int] = {}
    for p in root.iter("p"):
        parent = p.getparent()
        if parent is not None:
            totals[parent] = totals.get(parent, 0) + len(p.text_content())
    return max(totals, key=totals.__getitem__, default=None)


def _time_element(scope) -> Any:
    """The publication date of the first <time datetime> in the story (not an update time)."""
    times = scope.xpath(".//time[@datetime]")
    preferred = [
        t
        for t in times
        if (t.get("itemprop") or "").lower() == "datepublished" or t.get("pubdate") is not None
    ]
    for node in preferred + times:
        words = f"{node.get('class') or ''} {node.get('itemprop') or ''}".lower()
        if "modif" in words or "updat" in words:
            continue
        if (found := parse_date(node.get("datetime"))) is not None:
            return found
    return None


def _trafilatura_text(root) -> str:
    """The main text as trafilatura sees it, a paragraph per block ('' when it finds none)."""
    import trafilatura

    try:
        found = trafilatura.bare_extraction(root, options=_extractor())
    except (ValueError, RecursionError):  # its own failures mean "nothing found"
        return ""
    body = getattr(found, "body", None)
    if body is None:
        return ""
    # trafilatura's own markup: head, p, list/item, table/row/cell, quote, code; lb is <br>.
    for node in body.iter():
        if node.tag in _EXTRACTED_BLOCKS:
            node.text = "\n\n" + (node.text or "")
        elif node.tag == "lb":
            node.tail = "\n\n" + (node.tail or "")
    return normalise_whitespace("".join(body.itertext()))


_EXTRACTED_BLOCKS = {"head", "p", "list", "item", "table", "row", "cell", "quote", "code", "div"}


@functools.cache
def _extractor():
    """trafilatura's settings, built once (its config parsing costs more than a small page):
    no comments, images or links; tables kept; no deduplication across pages."""
    from trafilatura.settings import Extractor

    return Extractor(
        output_format="python",
        comments=False,
        tables=True,
        images=False,
        links=False,
        dedup=False,
        with_metadata=False,
    )


_BLOCK_TAGS = (
    "p, div, section, article, main, header, footer, nav, aside, h1, h2, h3, h4, h5, h6, li, ul, "
    "ol, blockquote, pre, table, tr, td, th, br, hr, figure, figcaption, dd, dt, address"
)


def render_blocks(html: str, main_only: bool) -> str:
    """Visible text of markup, one paragraph per block element (the pre-trafilatura parser).

    ``main_only`` renders only the story's block, when ``read_page`` marked one.
    """
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    root = tree.body or tree.root
    if root is None:
        return ""
    if main_only:
        root = tree.css_first(f"[{_MAIN_MARK}]") or root
    for node in root.css(_BLOCK_TAGS):
        node.insert_before("\n\n")
    return normalise_whitespace(root.text(separator=""))


def normalise_whitespace(text: str) -> str:
    """Collapse runs of spaces inside lines and blank-line runs into one paragraph break."""
    lines = [re.sub(r"[ \t\u00a0\r\f\v]+", " ", line).strip() for line in text.split("\n")]
    joined = "\n".join(lines)
    return re.sub(r"\n{2,}", "\n\n", joined).strip()
