"""Main text of web pages we wrote: the story's sentences stay, page furniture never arrives.

Every page below puts figures in its furniture (menus, teasers, share counts, comments, photo
captions beside the story), so a leak would show up as a figure extraction could pick up.
"""

from __future__ import annotations

import datetime as dt

import pytest

from supplyline.html_page import fallback_text, read_page
from supplyline.parsers import ParseError, parse_document

NEWS_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Rail yard at Khasan fills with covered wagons | Tumen Ledger</title>
<meta property="og:site_name" content="Tumen Ledger">
<meta property="article:published_time" content="2025-03-05T08:30:00+09:00">
</head><body>
<header class="site-header"><div class="brand">Tumen Ledger</div>
<nav aria-label="sections"><ul><li><a href="/">Home</a></li><li><a href="/rail">Rail (41 new)</a></li>
<li><a href="/ports">Ports</a></li></ul></nav></header>
<div class="breadcrumbs"><a href="/">Home</a> / <a href="/rail">Rail</a></div>
<figure class="hero"><img src="/yard.jpg" alt="">
<figcaption>Wagons at a siding, photographed in 2023 when 77 flatcars stood idle.</figcaption></figure>
<article>
<header><h1>Rail yard at Khasan fills with covered wagons</h1>
<p class="byline">By a staff correspondent</p></header>
<p>Commercial satellite pictures taken on Monday show the marshalling yard at Khasan holding
about 140 covered wagons, according to a group of independent imagery analysts.</p>
<p>The analysts said the wagons had crossed the Tumen River bridge from Tumangang during the
previous week. They estimated that each train carried between 30 and 40 wagons.</p>
<div class="share-buttons"><a href="#">Share on X</a> <a href="#">Share by email (12,000 shares)</a></div>
<aside class="pull-box"><p>Inside the yard: 650 wagons a month, by one older estimate.</p></aside>
<p>Russian Railways did not reply to a request for comment on traffic through the border station.</p>
</article>
<aside class="related"><h2>Related stories</h2><ul>
<li><a href="/r/1">Port officials counted 5,000 containers at Rajin last year</a></li>
<li><a href="/r/2">Ministry says 9,999 shells were shipped in January</a></li></ul></aside>
<section class="newsletter"><p>Join 25,000 readers of our morning briefing.</p></section>
<footer><p>Tumen Ledger, 3 Harbour Road.</p><p>Read by 88,000 subscribers.</p></footer>
</body></html>"""

NEWS_SENTENCES = [
    "Commercial satellite pictures taken on Monday show the marshalling yard at Khasan holding about "
    "140 covered wagons, according to a group of independent imagery analysts.",
    "They estimated that each train carried between 30 and 40 wagons.",
    "Russian Railways did not reply to a request for comment on traffic through the border station.",
]
NEWS_FURNITURE = [
    "41 new",
    "77 flatcars",
    "12,000 shares",
    "650 wagons",
    "5,000 containers",
    "9,999 shells",
    "25,000 readers",
    "88,000 subscribers",
    "3 Harbour Road",
    "Related stories",
    "Breadcrumbs",
]

BLOG_PAGE = """<!DOCTYPE html><html><head><title>Counting boxes at Vostochny - harbour notes</title>
<meta name="date" content="March 5, 2025"></head><body>
<div id="masthead"><a href="/">harbour notes</a><ul class="menu"><li><a href="/about">About</a></li>
<li><a href="/archive">Archive (312 posts)</a></li></ul></div>
<div class="post">
<h2 class="post-title">Counting boxes at Vostochny</h2>
<div class="post-body">
<p>I spent the weekend going through ship-tracking data for the port of Vostochny. By my count,
the Angara has called there 11 times since last autumn.</p>
<p>On its most recent call the ship sat low in the water, which suggests a full load of roughly
250 containers.</p>
</div>
<div class="sharedaddy"><h3>Share this:</h3><ul><li>Facebook</li><li>Reddit (47)</li></ul></div>
</div>
<div id="comments" class="comments-area"><h3>14 comments</h3>
<ol class="comment-list"><li class="comment"><div class="comment-body">
<p>Good post. I would put it closer to 400 containers myself.</p></div></li>
<li class="comment"><div class="comment-body"><p>My own count gives 19 calls, not 11.</p></div></li></ol>
<form id="commentform"><textarea>Leave a reply</textarea></form></div>
<div id="sidebar"><h3>Recent posts</h3><ul><li><a href="/p/1">Rajin shuttle carried 6,200 boxes</a></li></ul></div>
<div id="footer">Powered by a blog engine. 2,345 visitors today.</div>
</body></html>"""

BLOG_SENTENCES = [
    "By my count, the Angara has called there 11 times since last autumn.",
    "On its most recent call the ship sat low in the water, which suggests a full load of roughly 250 containers.",
]
BLOG_FURNITURE = [
    "312 posts",
    "Reddit (47)",
    "14 comments",
    "400 containers",
    "19 calls",
    "6,200 boxes",
    "2,345 visitors",
    "Leave a reply",
]

# No <article>, no <main>: the story is the block whose paragraphs hold the most text.
PLAIN_PAGE = """<html><head><title>Briefing</title><meta name="dc.date" content="05.03.2025"></head><body>
<div class="topbar"><a href="/">Defence Briefings</a> | <a href="/login">Sign in</a></div>
<div class="layout has-sidebar"><div class="left-col"><ul class="nav"><li>Europe</li><li>Asia (17)</li></ul></div>
<div class="content">
<h1>Ammunition deliveries slow in February</h1>
<p>Two officials familiar with the matter said deliveries of artillery shells to Russian depots
fell to about 300,000 rounds in February, down from a monthly average earlier in the winter.</p>
<p>One of the officials said bad weather in the Sea of Japan had kept at least two cargo ships in
port at Rajin for more than a week.</p>
<p>The ministry declined to comment on the figures, saying it did not discuss intelligence matters.</p>
</div>
<div class="right-col"><div class="widget popular"><h4>Most read</h4><ol><li>Drone output tops 8,000 a month</li></ol></div></div>
</div>
<div class="site-footer">Contact us, 1200 Example Street</div>
</body></html>"""

PLAIN_SENTENCES = [
    "Two officials familiar with the matter said deliveries of artillery shells to Russian depots fell "
    "to about 300,000 rounds in February, down from a monthly average earlier in the winter.",
    "The ministry declined to comment on the figures, saying it did not discuss intelligence matters.",
]
PLAIN_FURNITURE = ["Asia (17)", "8,000 a month", "1200 Example Street", "Sign in"]

FRAGMENT = "<p>The Maria left Rajin on Tuesday with about 120 containers, a port worker said.</p>"


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(
    ("page", "sentences", "furniture"),
    [
        (NEWS_PAGE, NEWS_SENTENCES, NEWS_FURNITURE),
        (BLOG_PAGE, BLOG_SENTENCES, BLOG_FURNITURE),
        (PLAIN_PAGE, PLAIN_SENTENCES, PLAIN_FURNITURE),
    ],
    ids=["news", "blog_with_comments", "no_article"],
)
def test_story_stays_and_furniture_never_arrives(page, sentences, furniture):
    for text in (read_page(page).text, fallback_text(page)):
        for sentence in sentences:
            assert sentence in _flat(text)
        for leak in furniture:
            assert leak not in text, leak


def test_trafilatura_reads_the_pages_and_its_text_is_the_stored_text():
    page = read_page(NEWS_PAGE)
    assert page.extractor == "trafilatura"
    doc = parse_document(NEWS_PAGE.encode(), "html")
    assert doc.text == page.text
    # Offsets into the stored text find the story's own words.
    start = doc.text.index("about 140 covered wagons")
    assert doc.text[start : start + 24] == "about 140 covered wagons"
    # The headline is a paragraph of its own, so it never runs into the first sentence.
    assert doc.text.startswith("Rail yard at Khasan fills with covered wagons\n\n")


def test_bare_fragment_is_read():
    doc = parse_document(FRAGMENT.encode(), "html")
    assert (
        doc.text == "The Maria left Rajin on Tuesday with about 120 containers, a port worker said."
    )
    assert (doc.title, doc.published, doc.published_source) == (None, None, "none")


def test_fallback_keeps_the_whole_story_block():
    text = fallback_text(NEWS_PAGE)
    assert text.startswith(
        "Rail yard at Khasan fills with covered wagons\n\nBy a staff correspondent"
    )
    assert (
        fallback_text(FRAGMENT)
        == "The Maria left Rajin on Tuesday with about 120 containers, a port worker said."
    )


def test_teaser_articles_in_an_aside_are_not_the_story():
    page = (
        "<html><body><main><h1>Quay report</h1><p>"
        + "Dock workers at Rajin loaded the Angara with "
        "about 90 containers over two days, a port official said. " * 3 + "</p></main>"
        "<aside><article class='card'><p>Earlier: 4,400 containers moved in 2024</p></article></aside>"
        "</body></html>"
    )
    for text in (read_page(page).text, fallback_text(page)):
        assert "about 90 containers" in text and "4,400" not in text


def test_dates_and_outlets_say_where_they_came_from():
    news = parse_document(NEWS_PAGE.encode(), "html")
    assert (news.published, news.published_source) == (dt.date(2025, 3, 5), "meta")
    assert (news.outlet, news.outlet_source) == ("Tumen Ledger", "meta")
    blog = parse_document(BLOG_PAGE.encode(), "html")
    assert (blog.published, blog.published_source, blog.outlet_source) == (
        dt.date(2025, 3, 5),
        "meta",
        "none",
    )
    plain = parse_document(PLAIN_PAGE.encode(), "html")
    assert (plain.published, plain.published_source) == (dt.date(2025, 3, 5), "meta")


def test_json_ld_date_and_publisher():
    page = """<html><head><script type="application/ld+json">
    {"@context": "https://schema.org", "@graph": [{"@type": "WebSite", "name": "x"},
     {"@type": "NewsArticle", "headline": "Quay", "datePublished": "2025-02-14T06:00:00Z",
      "publisher": {"@type": "Organization", "name": "Harbour Wire"}}]}</script></head>
    <body><article><p>The Angara docked at Vostochny with 200 containers, port staff said.</p></article></body></html>"""
    doc = parse_document(page.encode(), "html")
    assert (doc.published, doc.published_source) == (dt.date(2025, 2, 14), "json_ld")
    assert (doc.outlet, doc.outlet_source) == ("Harbour Wire", "json_ld")


def test_time_element_in_the_story_not_in_a_teaser():
    page = """<html><body><aside><time datetime="2019-01-01">old teaser</time></aside>
    <article><p class="meta"><time class="updated" datetime="2025-04-02">updated</time>
    <time datetime="2025-03-30">30 March</time></p>
    <p>Port staff said the Maria unloaded 75 containers at Dunay on Sunday.</p></article></body></html>"""
    doc = parse_document(page.encode(), "html")
    assert (doc.published, doc.published_source) == (dt.date(2025, 3, 30), "time_element")


def test_hostile_json_ld_is_no_metadata():
    deep = "[" * 100_000 + "]" * 100_000
    page = (
        f'<html><head><script type="application/ld+json">{deep}</script></head>'
        "<body><p>The Maria left Rajin with 60 containers.</p></body></html>"
    )
    doc = parse_document(page.encode(), "html")
    assert doc.published_source == "none" and "60 containers" in doc.text


def test_deeply_nested_page_is_refused_quickly():
    page = (
        "<html><body>"
        + "<div>" * 200_000
        + "The Maria left Rajin."
        + "</div>" * 200_000
        + "</body></html>"
    )
    with pytest.raises(ParseError, match="nested more than 255 levels"):
        parse_document(page.encode(), "html")


def test_xhtml_with_xml_declaration():
    page = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body>'
        "<p>The Angara left Rajin with 150 containers.</p></body></html>"
    )
    assert (
        parse_document(page.encode(), "html").text == "The Angara left Rajin with 150 containers."
    )
