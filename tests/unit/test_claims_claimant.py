"""Stage 4 (the claimant), on sentences written for these tests.

Each rule is a class of phrasing; every class has at least two sentences of our own.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from transforms.claims import extract_claims
from transforms.rules import load_rules

RULES = load_rules(Path(__file__).resolve().parents[2] / "reference")


def claims(text: str) -> list[tuple]:
    docs = pl.DataFrame(
        {"doc_id": ["d"], "text": [text], "published": [dt.date(2025, 6, 1)], "title": [None],
         "outlet": [None]},
        schema={"doc_id": pl.String, "text": pl.String, "published": pl.Date, "title": pl.String,
                "outlet": pl.String},
    )
    out = extract_claims(docs, RULES)
    return [(r["metric"], r["value_low"], r["attributed_to"]) for r in out.iter_rows(named=True)]


def source_of(text: str, value: float) -> str | None:
    found = [c[2] for c in claims(text) if c[1] == value]
    assert found, claims(text)
    return found[0]


# --- the subject of a reporting verb -----------------------------------------------------
@pytest.mark.parametrize(("text", "value", "source"), [
    # post-posed verb: the noun phrase before it
    ("Moscow received 40 howitzers from Minsk, the Baltic Arms Monitor (BAM) said.", 40, "Baltic Arms Monitor"),
    # an apposition after a name, a relative clause, a bracketed "citing ..."
    ("Jan Novak, the Czech envoy, said 600 troops were sent.", 600, "Jan Novak"),
    ("The Nordic Arms Institute, which tracks rail traffic, said 90 wagons crossed.", 90, "Nordic Arms Institute"),
    # a title before a name given in apposition
    ("Poland's deputy defence minister, Anna Kowal, said 300 shells were delivered.", 300, "Anna Kowal"),
    # the verb before its subject
    ('"We counted 1,200 containers," said Mark Hale of the Harbour Study Group.', 1200, "Mark Hale"),
])
def test_subject_of_the_reporting_verb(text: str, value: float, source: str) -> None:
    assert source in (source_of(text, value) or "")


@pytest.mark.parametrize("text", [
    "Russia took 700 containers in May, the agency says.",
    "North Korea shipped 700 containers to Russia by rail, the ministry said.",
])
def test_post_posed_verb_never_takes_a_country_from_the_content(text: str) -> None:
    assert source_of(text, 700) not in ("Russia", "North Korea")


@pytest.mark.parametrize(("text", "value", "source"), [
    ("Satellite images reviewed by the Baltic Arms Monitor showed 52 wagons at the border.", 52, "Baltic Arms Monitor"),
    ("Analysts at the Nordic Arms Institute estimated that 4,000 troops had been sent.", 4000, "Nordic Arms Institute"),
    ("A Harbour Study Group report published in May estimates that 880 containers were moved.", 880, "Harbour Study Group"),
])
def test_the_agent_of_the_evidence_is_the_claimant(text: str, value: float, source: str) -> None:
    assert source in (source_of(text, value) or "")


# --- descriptions and pronouns ----------------------------------------------------------
@pytest.mark.parametrize(("text", "value", "source"), [
    ("The Baltic Arms Monitor (BAM) tracks the port. Russia took 700 containers in May, the team says.",
     700, "Baltic Arms Monitor"),
    ("A study by the Nordic Arms Institute appeared in May. The study puts deliveries at 90 wagons.",
     90, "Nordic Arms Institute"),
    ("The Harbour Study Group said shipments were rising. Its analysts counted 31 voyages in June.",
     31, "Harbour Study Group"),
])
def test_descriptions_stand_for_the_most_recent_matching_name(text: str, value: float, source: str) -> None:
    assert source in (source_of(text, value) or "")


def test_the_spy_agency_is_the_most_recent_intelligence_body() -> None:
    text = ("Last week the Defense Intelligence Agency reported 20,000 containers. "
            "The NIS then told lawmakers that more troops would go. "
            "The spy agency estimated that 1,100 soldiers had been wounded.")
    assert source_of(text, 1100) == "NIS"


@pytest.mark.parametrize(("text", "value"), [
    ("Ukraine received over a million shells this year.\n\nForeign Minister Jan Novak said so at a meeting.", 1e6),
    ("Kyiv got 800 howitzers in spring. Defence Minister Eva Rask said so on Monday.", 800),
])
def test_said_so_attributes_the_figures_before_it(text: str, value: float) -> None:
    assert source_of(text, value) in ("Jan Novak", "Eva Rask")


# --- relayed and nested sources ---------------------------------------------------------
@pytest.mark.parametrize(("text", "value", "source"), [
    ("The Baltic Wire reported the move. Citing Western officials it did not name, the wire said 500 troops died.",
     500, "Baltic Wire"),
    ("According to a security source who spoke to the Baltic Wire, 40 containers were loaded.", 40, "Baltic Wire"),
])
def test_unnamed_claimant_relayed_by_a_named_outlet(text: str, value: float, source: str) -> None:
    assert source in (source_of(text, value) or "")


@pytest.mark.parametrize(("text", "value", "source"), [
    ("North Korea moved 2,500 containers, according to an assessment by the Nordic Arms Institute.",
     2500, "Nordic Arms Institute"),
    ("Russia took 60 wagons, according to a report from the Harbour Study Group.", 60, "Harbour Study Group"),
])
def test_report_made_by_someone(text: str, value: float, source: str) -> None:
    assert source in (source_of(text, value) or "")


# --- names ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "value", "source"), [
    ("Park Min-jae, a lawmaker, spoke on Monday. Park said 3,000 troops had left.", 3000, "Park Min-jae"),
    ("Defence Secretary Tom Reed visited Kyiv. Reed said 400 shells were delivered.", 400, "Tom Reed"),
])
def test_surname_takes_the_full_name_given_earlier(text: str, value: float, source: str) -> None:
    assert source_of(text, value) == source


@pytest.mark.parametrize("text", [
    "At the end of May, the United States gave its own count: 900 containers.",
    "The United States estimates that 900 containers crossed.",
])
def test_a_reporting_word_inside_a_known_name_is_not_a_cue(text: str) -> None:
    assert source_of(text, 900) == "United States"


def test_a_figure_two_claimants_give_is_listed_under_each() -> None:
    text = "The NIS said 3,000 troops were sent. Kyiv also said 3,000 troops were sent."
    assert sorted(c[2] for c in claims(text)) == ["Kyiv", "NIS"]


# --- round 2 --------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "value", "source"), [
    ("Sweden's new package is worth SEK 2 billion, according to the government.", 2e9, "Swedish government"),
    ("Norway announced more aid.\n\nThe defence ministry said 400 shells were sent.", 400, "Norwegian defence ministry"),
])
def test_state_body_of_the_country_named(text: str, value: float, source: str) -> None:
    assert source_of(text, value) == source


@pytest.mark.parametrize(("text", "value", "source"), [
    ("Warsaw will give €80 million through the scheme, Foreign Minister Radosław Nowak announced.", 80e6, "Radosław Nowak"),
    ("Defence Minister Pål Eriksen said 14 howitzers would follow.", 14, "Pål Eriksen"),
])
def test_names_with_letters_beyond_ascii(text: str, value: float, source: str) -> None:
    assert source_of(text, value) == source


@pytest.mark.parametrize(("text", "value", "source"), [
    ("The Baltic Wire, citing its own tally, reported that donors gave $2 billion.", 2e9, "Baltic Wire"),
    ("Nordic News, citing its own count, said 300 shells arrived.", 300, "Nordic News"),
])
def test_citing_its_own_count_keeps_the_subject(text: str, value: float, source: str) -> None:
    assert source in (source_of(text, value) or "")


@pytest.mark.parametrize(("text", "value"), [
    ("Donors have put $3 billion into the scheme, the Baltic Wire reported.", 3e9),
    ("Denmark put €400 million into the fund, the Baltic Wire reported.", 400e6),
])
def test_put_into_is_spending_not_a_reporting_verb(text: str, value: float) -> None:
    assert source_of(text, value) == "Baltic Wire"


@pytest.mark.parametrize(("text", "value", "source"), [
    ("**Eva Lind:** We shipped 25,000 rounds this year.", 25000, "Eva Lind"),
    ("**Tomas Berg:** About 40 howitzers are ready.", 40, "Tomas Berg"),
])
def test_speaker_label_in_full(text: str, value: float, source: str) -> None:
    assert source_of(text, value) == source
