"""Claim extraction on sentences written for these tests (not taken from any report)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from tests.claim_docs import one_doc
from transforms.claims import CLAIM_SCHEMA, extract_claims, resolve_period
from transforms.rules import load_rules

RULES = load_rules(Path(__file__).resolve().parents[2] / "reference")


def run(text: str, published: dt.date | None = dt.date(2024, 6, 15)) -> pl.DataFrame:
    docs = one_doc(text, published, "d1")
    return extract_claims(docs, RULES)


def one(text: str, **kw) -> dict:
    out = run(text, **kw)
    assert out.height == 1, out
    return out.row(0, named=True)


def test_empty_input_has_schema() -> None:
    empty = pl.DataFrame(
        schema={
            "doc_id": pl.String,
            "text": pl.String,
            "published": pl.Date,
            "title": pl.String,
            "outlet": pl.String,
        }
    )
    out = extract_claims(empty, RULES)
    assert out.height == 0
    assert dict(out.schema) == CLAIM_SCHEMA


def test_output_schema_and_offsets() -> None:
    text = (
        "Intro line.\n\nThe army received 4,200 containers of ammunition last year, officials said."
    )
    out = run(text)
    assert dict(out.schema) == CLAIM_SCHEMA
    for row in out.iter_rows(named=True):
        assert text[row["char_start"] : row["char_end"]] == row["quote"]
    assert out["quote"][0] == "4,200 containers"


@pytest.mark.parametrize(
    ("sentence", "metric", "low", "high"),
    [
        ("Pyongyang moved some 450 containers across the border.", "containers", 450, 450),
        ("The freighter completed at least six voyages this spring.", "shipments", 6, None),
        ("Analysts tallied 58 port calls at the terminal.", "shipments", 58, 58),
        ("Imagery showed about 90 rail cars at the yard.", "rail_cars", 90, 90),
        ("It moved more than 9,000 tonnes of munitions.", "explosives_tonnes", 9000, None),
        (
            "Moscow launched 17 North Korean ballistic missiles in May.",
            "ballistic_missiles",
            17,
            17,
        ),
        (
            "It delivered 30 self-propelled guns and 12 multiple rocket launchers.",
            "artillery_systems",
            30,
            30,
        ),
        (
            "Roughly 4,000 North Korean soldiers were sent to the front.",
            "troops_deployed",
            4000,
            4000,
        ),
        ("A further 1,200 more troops arrived in July.", "troop_reinforcements", 1200, 1200),
        ("Around 300 North Korean soldiers have been killed so far.", "troops_killed", 300, 300),
        (
            "Some 2,700 North Korean troops were wounded in the offensive.",
            "troops_wounded",
            2700,
            2700,
        ),
        ("Kyiv said two North Korean soldiers were captured last week.", "troops_captured", 2, 2),
        ("About 1,800 North Korean troops were killed or wounded.", "troop_casualties", 1800, 1800),
        ("The regime sent 5,000 construction workers to the region.", "workers_sent", 5000, 5000),
        (
            "Gunners now fire about 10,000 shells a day along the front.",
            "artillery_rounds_per_day",
            10000,
            10000,
        ),
        ("The plant ships 2 million rounds a year to the front.", "artillery_shells", 2e6, 2e6),
    ],
)
def test_metrics(sentence: str, metric: str, low, high) -> None:
    row = run(sentence).row(0, named=True)
    assert (row["metric"], row["value_low"], row["value_high"]) == (metric, low, high)


def test_second_metric_in_sentence() -> None:
    out = run("It delivered 30 self-propelled guns and 12 multiple rocket launchers.")
    assert out.select("metric", "value_low").rows() == [
        ("artillery_systems", 30),
        ("rocket_launchers", 12),
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "A drone strike killed at least 9 civilians in the city.",
        "The 152mm and 122 mm guns fire 40-kilogram shells.",
        "The 23-year-old gunner was captured on March 3.",
        "The convoy travelled 800 kilometers in 2024.",
        "The talks took place between 2019 and 2021.",
        "North Korea has 1.3 million troops, one of the largest standing army forces in the world.",
        "Unit sizes vary and often range from 400 to 900 troops.",
        "Its official exports were worth about $300 million last year.",
        "Missile strikes hit eight regions: two on the capital and three on the east.",
        "One of the soldiers spoke to reporters.",
    ],
)
def test_non_claims(sentence: str) -> None:
    assert run(sentence).height == 0


def test_subset_takes_noun_of_whole() -> None:
    out = run("Officials think about 3,000 of the 9,000 soldiers are now at the front.")
    assert (3000.0, "troops_deployed") in out.select("value_low", "metric").rows()


def test_bare_follow_on_number_inherits_metric() -> None:
    out = run(
        "Another 1,000 soldiers arrived, bringing the total to about 6,000, the ministry said."
    )
    assert out.select("metric", "value_low").rows() == [
        ("troop_reinforcements", 1000),
        ("troops_deployed", 6000),
    ]


def test_noun_before_number() -> None:
    row = one("Officials said the number of wounded was put at roughly 700.")
    assert (row["metric"], row["value_low"]) == ("troops_wounded", 700)


def test_change_pair_shares_noun() -> None:
    out = run("The deployment tripled from 5,000 to 15,000 personnel.")
    assert out.select("metric", "value_low", "qualifier").rows() == [
        ("troops_deployed", 5000, "exact"),
        ("troops_deployed", 15000, "exact"),
    ]


def test_money_and_context() -> None:
    out = run(
        "Arms sales to Moscow may have earned Pyongyang up to $4 billion. "
        "The country's GDP is about $25 billion."
    )
    assert out.select("metric", "value_low", "value_high", "unit").rows() == [
        ("money", None, 4e9, "USD")
    ]


def test_money_in_won_with_bracketed_conversion() -> None:
    out = run("Each soldier is paid about 3 million won ($2,200) a month.")
    assert set(out.select("value_low", "unit").rows()) == {(3e6, "KRW"), (2200, "USD")}


def test_share_of_ammunition() -> None:
    out = run("Pyongyang now provides about 60 percent of the ammunition Russian gunners fire.")
    row = out.row(0, named=True)
    assert (row["metric"], row["value_low"], row["unit"]) == (
        "share_of_artillery_ammo",
        60,
        "percent",
    )


def test_fraction_share_and_irrelevant_percent() -> None:
    out = run(
        "Nearly half of all shells Moscow fires come from Pyongyang, while 80% of its chips are imported."
    )
    assert out.select("metric", "value_low", "value_high").rows() == [
        ("share_of_artillery_ammo", None, 50)
    ]


def test_restatements_collapse() -> None:
    out = run("Seoul counted 3,100 containers. Later it again mentioned 3,100 containers.")
    assert out.height == 1
    assert out["claim_seq"].to_list() == [0]


# ------------------------------------------------------------------ attribution
@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("According to RUSI, the ship made 14 voyages.", "RUSI"),
        ("The Pentagon said 3,000 more North Korean troops had arrived.", "Pentagon"),
        (
            "About 900 containers were shipped, the State Department said on Monday.",
            "US State Department",
        ),
        (
            "Kyrylo Budanov told reporters that 120 North Korean howitzers had arrived.",
            "Kyrylo Budanov",
        ),
        ("Zelenskiy said 400 North Korean soldiers were killed.", "Volodymyr Zelensky"),
        ("By Shin Won Sik's count, some 5,000 containers left the port.", "Shin Won-sik"),
        (
            "The Open Source Center estimates the vessel carried 700 containers.",
            "Open Source Centre",
        ),
        ("Citing the NIS, lawmakers said 2,000 soldiers had left.", "NIS"),
        (
            "The newspaper, citing Western intelligence sources, said 1 million rounds were sent.",
            "Western intelligence",
        ),
        (
            "The outlet reported 40 containers, citing Kyrylo Budanov, who heads military intelligence in Kyiv.",
            "Kyrylo Budanov",
        ),
        ("According to experts, 300 rail cars crossed the border.", None),
        ("Analyst Jane Holloway said 65 rail cars crossed the border.", "Jane Holloway"),
        (
            "Ukrainian authorities said 31 ballistic missiles had been launched.",
            "Ukrainian authorities",
        ),
    ],
)
def test_attribution(text: str, source: str | None) -> None:
    assert run(text).row(0, named=True)["attributed_to"] == source


def test_chain_records_intermediary() -> None:
    row = one("Reuters, citing the NIS, reported that 3,000 North Korean troops had left.")
    assert (row["attributed_to"], row["reported_by"]) == ("NIS", "Reuters")


def test_nearest_cue_wins_and_other_is_intermediary() -> None:
    row = one("According to Yonhap, Shin Won-sik said 6,000 containers had been sent.")
    assert (row["attributed_to"], row["reported_by"]) == ("Shin Won-sik", "Yonhap")


def test_attribution_carries_within_paragraph_only() -> None:
    text = (
        "The NIS briefed lawmakers on Tuesday. It counted about 4,000 containers. "
        "Separately, 20 launchers were seen.\n\n"
        "Elsewhere 70 containers were photographed at the pier."
    )
    out = run(text)
    got = dict(zip(out["value_low"].to_list(), out["attributed_to"].to_list(), strict=True))
    assert got[4000] == "NIS"
    assert got[20] == "NIS"
    assert got[70] is None


def test_pronoun_resolves_to_person() -> None:
    text = "Andriy Kostin spoke on Friday. He said 15 North Korean missiles had hit the region."
    assert one(text)["attributed_to"] == "Andriy Kostin"


def test_capital_stands_for_agency_of_same_country() -> None:
    text = (
        "South Korean intelligence reported the transfers in May. "
        "According to Seoul, about 3,500 containers were moved."
    )
    assert one(text)["attributed_to"] == "NIS"


def test_passive_estimate_is_not_a_source() -> None:
    text = "North Korean troops in Russia are estimated to earn about $1,900 a month."
    assert one(text)["attributed_to"] is None


# ------------------------------------------------------------------ supplier / recipient
def test_supplier_recipient() -> None:
    row = one("North Korea has shipped 3,000 containers to Russia.")
    assert (row["supplier"], row["recipient"]) == ("KP", "RU")
    row = one("Pyongyang sent Moscow 40 howitzers.")
    assert (row["supplier"], row["recipient"]) == ("KP", "RU")
    row = one("Russia received 400 rail cars from North Korea.")
    assert (row["supplier"], row["recipient"]) == ("KP", "RU")


def test_losses_have_no_flow() -> None:
    row = one("Ukraine says 500 North Korean soldiers were killed in Russia.")
    assert (row["supplier"], row["recipient"]) == (None, None)


# ------------------------------------------------------------------ periods
@pytest.mark.parametrize(
    ("sentence", "start", "end"),
    [
        ("It has shipped 20 trains since August.", dt.date(2023, 8, 1), dt.date(2024, 6, 15)),
        ("It has shipped 20 trains since March.", dt.date(2024, 3, 1), dt.date(2024, 6, 15)),
        ("between September 2023 and March 2024", dt.date(2023, 9, 1), dt.date(2024, 3, 31)),
        ("between May 3, 2023 and January 9, 2024", dt.date(2023, 5, 3), dt.date(2024, 1, 9)),
        ("from October to December", dt.date(2023, 10, 1), dt.date(2023, 12, 31)),
        ("in 2023 alone", dt.date(2023, 1, 1), dt.date(2023, 12, 31)),
        ("last year", dt.date(2023, 1, 1), dt.date(2023, 12, 31)),
        ("since 2022", dt.date(2022, 1, 1), dt.date(2024, 6, 15)),
        ("during 2023 and 2024", dt.date(2023, 1, 1), dt.date(2024, 12, 31)),
    ],
)
def test_periods(sentence: str, start: dt.date, end: dt.date) -> None:
    assert resolve_period(sentence, dt.date(2024, 6, 15), RULES.month_numbers) == (start, end)


def test_period_on_claim_rows() -> None:
    row = one("The NIS said 900 containers were shipped between August 2023 and January 2024.")
    assert (row["period_start"], row["period_end"]) == (dt.date(2023, 8, 1), dt.date(2024, 1, 31))


def test_period_without_publication_date() -> None:
    assert resolve_period("since August", None, RULES.month_numbers) == (None, None)


def test_loss_verb_after_bare_number_needs_soldiers_nearby() -> None:
    out = run("Seoul says 9,000 soldiers were deployed. Of these, about 250 have died, it added.")
    assert ("troops_killed", 250) in out.select("metric", "value_low").rows()
    assert run("A rocket hit a market. About 20 have died.").height == 0


def test_percentage_range_share() -> None:
    row = one("Pyongyang provides between 30% and 45% of the shells Moscow fires.")
    assert (row["metric"], row["value_low"], row["value_high"], row["qualifier"]) == (
        "share_of_artillery_ammo",
        30,
        45,
        "range",
    )


def test_unnamed_source_after_according_to_is_null() -> None:
    row = one("Moscow has received 70 howitzers from Pyongyang, according to some estimates.")
    assert row["attributed_to"] is None


def test_name_containing_anonymous_word() -> None:
    row = one("The UN Panel of Experts said arms sales earned Pyongyang $150 million.")
    assert row["attributed_to"] == "UN Panel of Experts"


def test_heading_and_byline_are_not_claims() -> None:
    text = "# Pyongyang sends 6,000 troops\nBy A. Writer | 09:45 GMT | 3 min read\n\nBody text."
    assert run(text).height == 0  # a headline-only figure is not trusted


def test_headline_figure_counts_where_the_body_states_it() -> None:
    text = "# Seoul: 6,000 troops sent\n\nThe agency said about 6,000 troops had been sent north."
    out = run(text)
    assert out.select("metric", "value_low", "qualifier").rows() == [
        ("troops_deployed", 6000, "approx")
    ]
    assert out["quote"][0].startswith("about 6,000")


def test_more_without_noun_is_a_reinforcement() -> None:
    out = run("Kim has sent 9,000 soldiers so far, and 2,000 more may follow, RUSI said.")
    assert out.select("metric", "value_low", "attributed_to").rows() == [
        ("troops_deployed", 9000, "RUSI"),
        ("troop_reinforcements", 2000, "RUSI"),
    ]


# --- generalisation rules (sentences written for these tests) ---
def _one(text: str) -> dict:
    out = run(text)
    assert out.height == 1, out
    return out.row(0, named=True)


def _rows(text: str) -> list[tuple]:
    return [
        (r["metric"], r["value_low"], r["value_high"], r["attributed_to"])
        for r in run(text).iter_rows(named=True)
    ]


def test_fact_box_label_names_the_noun_and_bracket_names_the_source() -> None:
    text = "* **Workers sent:** about 9,000-10,000 since spring (Bank of Korea)\n"
    assert _rows(text) == [("workers_sent", 9000.0, 10000.0, "Bank of Korea")]


def test_bracketed_acronym_gloss_is_not_a_source() -> None:
    row = _one("Some 700 rail cars crossed, according to the Far East Rail Monitor (FERM).")
    assert row["attributed_to"] == "Far East Rail Monitor"


def test_answer_takes_the_noun_of_the_question() -> None:
    text = (
        "*Maria Lenz is a researcher at the Baltic Arms Desk.*\n\n"
        "**Q: How many soldiers are still deployed?**\n\n"
        "**Lenz:** Roughly 9,500, by our estimate.\n"
    )
    assert _rows(text) == [("troops_deployed", 9500.0, 9500.0, "Maria Lenz")]


def test_the_figure_refers_back_to_the_last_count() -> None:
    text = "Gunners fired about 30,000 shells a day in May. The figure fell to 8,000 a day in June."
    metrics = {(r[0], r[1]) for r in _rows(text)}
    assert ("artillery_rounds_per_day", 8000.0) in metrics


def test_losses_in_a_later_sentence_are_soldiers_not_civilians() -> None:
    soldiers = (
        "The brigade sent 2,000 soldiers to the front. Officials counted 150 dead and 410 wounded."
    )
    assert {r[0] for r in _rows(soldiers)} >= {"troops_killed", "troops_wounded"}
    civilians = (
        "The brigade sent 2,000 soldiers to the front. A strike on a hospital left "
        "9 dead and 30 wounded."
    )
    assert {r[0] for r in _rows(civilians)} == {"troops_deployed"}


def test_killed_and_wounded_together_are_casualties_and_verb_before_bare_number() -> None:
    row = _one("Losses among the North Korean units exceed 2 500 killed and wounded.")
    assert (row["metric"], row["value_low"]) == ("troop_casualties", 2500.0)
    rows = _rows("Border guards killed 14 North Korean soldiers and wounded 22 near the river.")
    assert ("troops_wounded", 22.0, 22.0) in {r[:3] for r in rows}


def test_ratio_and_per_unit_figures_are_not_counts() -> None:
    assert run("Inspectors opened roughly one container in eight at the border.").height == 0
    assert run("Each crew was allotted 12 rounds per howitzer.").height == 0


def test_negated_figures_are_dropped_but_emphasis_is_kept() -> None:
    assert run("Moscow has not received 50,000 soldiers from Pyongyang.").height == 0
    assert _one("Pyongyang sent not only 5,000 soldiers but also engineers.")["value_low"] == 5000.0


def test_calibre_pair_and_model_designation_between_number_and_noun() -> None:
    assert (
        _one("The depot held 3 million 152 mm and 122 mm shells.")["metric"] == "artillery_shells"
    )
    assert _one("Imagery showed 40 Koksan M1978 guns.")["metric"] == "artillery_systems"


def test_bare_tonnage_needs_munitions_in_the_sentence() -> None:
    assert _one("The trains moved munitions, about 90,000 metric tons in all.")["metric"] == (
        "explosives_tonnes"
    )
    assert run("The port handled 90,000 metric tons of grain.").height == 0


def test_name_right_before_the_cue_beats_an_earlier_country() -> None:
    row = _one("Shells worth 2 million rounds went to Ukraine, Dutch minister Anna Vos said.")
    assert row["attributed_to"] == "Anna Vos"


def test_passive_attribution_and_subject_of_passive_verb() -> None:
    row = _one("It was estimated by the Arms Flow Group that 4,000 containers left Rajin.")
    assert row["attributed_to"] == "Arms Flow Group"
    row = _one("Russia is also believed to pay each soldier $1,800 a month, the report said.")
    assert row["attributed_to"] is None


def test_income_words_keep_money_but_not_against_macro_words() -> None:
    assert _one("A labourer abroad earns about 90,000 roubles a month.")["unit"] == "RUB"
    assert run("Its annual exports were under $250 million before the war.").height == 0


# --------------------------------------------------------------- attribution (heldout2 round)
def by_value(out: pl.DataFrame) -> dict[float, dict]:
    return {
        r["value_low"] if r["value_low"] is not None else r["value_high"]: r
        for r in out.iter_rows(named=True)
    }


def test_headline_figure_takes_the_body_attribution() -> None:
    text = (
        "# 4,500 artillery shells reached Moscow, watchdog says\n\n"
        "Roughly 4,500 artillery shells were unloaded at the port in May, the Pentagon told "
        "reporters on Friday."
    )
    row = one(text)
    assert row["attributed_to"] == "Pentagon"
    assert row["qualifier"] == "approx"
    assert row["quote"].startswith("Roughly 4,500")


def test_caption_figure_yields_to_the_body() -> None:
    text = (
        "*Freight cars with 820 containers at a border yard, Russia.*\n\n"
        "Some 820 containers were moved by rail in March, NATO said."
    )
    row = one(text)
    assert row["attributed_to"] == "NATO"


def test_according_to_a_definite_description_resolves_to_the_named_body() -> None:
    text = (
        "The Pentagon published a review of the fighting on Tuesday.\n\n"
        "The review covers the winter. According to the report, Pyongyang has handed over "
        "more than 150 self-propelled guns."
    )
    assert one(text)["attributed_to"] == "Pentagon"


def test_according_to_the_chief_resolves_to_the_last_person() -> None:
    text = (
        "Kyrylo Budanov gave an interview in March.\n\n"
        "According to the intelligence chief, Moscow received 75 howitzers in the spring."
    )
    assert one(text)["attributed_to"] == "Kyrylo Budanov"


def test_definite_description_prefers_the_body_with_that_head_noun() -> None:
    text = (
        "The Pentagon said 900 containers had been moved. The Hudson Policy Institute estimated "
        "in a separate paper that each convoy carries 12 rail cars. The institute said "
        "Moscow paid about $40 million for the shells."
    )
    out = by_value(run(text))
    assert out[40_000_000]["attributed_to"] == "Hudson Policy Institute"
    assert out[900]["attributed_to"] == "Pentagon"


def test_possessive_pronoun_refers_to_the_body_named_in_the_sentence() -> None:
    text = (
        "NATO said on Monday it expected more shipments.\n\n"
        "Ukraine's military intelligence said in its new estimate that 3,300 North Korean "
        "soldiers were near the border."
    )
    assert one(text)["attributed_to"] == "Defence Intelligence of Ukraine (HUR)"


def test_country_in_quoted_speech_is_not_the_speaker() -> None:
    text = (
        "Finnish Defence Minister Aino Korpela spoke on Friday.\n\n"
        '"Our deliveries have kept Ukraine in the fight," Korpela said. She said the '
        "programme would fund up to 900,000 shells next year."
    )
    assert one(text)["attributed_to"] == "Aino Korpela"


def test_demonym_government_is_a_country_claimant() -> None:
    text = "The Polish government has said the purchases cost roughly €2.4 billion so far."
    row = one(text)
    assert row["attributed_to"] == "Polish government"
    assert row["unit"] == "EUR"


def test_bare_figure_with_a_rate_continues_the_daily_rate() -> None:
    text = (
        "Moscow's gunners fire about 12,000 artillery rounds per day, the general said. "
        "Kyiv's batteries manage far fewer, at times under 1,500 a day."
    )
    out = by_value(run(text))
    assert out[1500]["metric"] == "artillery_rounds_per_day"


def test_bare_figure_compared_with_a_rate_in_the_same_clause() -> None:
    text = (
        "Moscow was then firing about 9,000 shells a day while Kyiv was held to between "
        "1,000 and 2,000."
    )
    out = by_value(run(text))
    assert out[1000]["metric"] == "artillery_rounds_per_day"
    assert out[1000]["value_high"] == 2000


def test_attributed_total_reaches_back_four_sentences() -> None:
    text = (
        "Pyongyang has moved about 6,000 soldiers to the border region, NATO said.\n\n"
        "Officials declined to say more. They gave no dates. Nobody confirmed the route.\n\n"
        "Earlier the Pentagon had put the total at about 2,500."
    )
    out = by_value(run(text))
    assert out[2500]["metric"] == "troops_deployed"
    assert out[2500]["attributed_to"] == "Pentagon"


def test_unattributed_figure_does_not_reach_back_far() -> None:
    text = (
        "Pyongyang has moved about 6,000 soldiers to the border region, NATO said.\n\n"
        "Officials declined to say more. They gave no dates. Nobody confirmed the route.\n\n"
        "The correct figure is 2,500."
    )
    assert 2500 not in by_value(run(text))


def test_bare_figure_after_since_takes_the_previous_noun() -> None:
    text = (
        "The agency said Pyongyang would send about 9,000 troops in all and had sent "
        "more than 7,000 since early spring."
    )
    out = by_value(run(text))
    assert out[7000]["metric"] == "troops_deployed"


def test_units_of_a_singular_launcher() -> None:
    row = one("The shipment included about 60 units of the 240mm multiple rocket launcher.")
    assert row["metric"] == "rocket_launchers"
    assert row["value_low"] == 60


def test_aid_package_is_a_money_claim() -> None:
    text = "Parliament finally approved a $45 billion package for Kyiv's army in May."
    assert one(text)["unit"] == "USD"


def test_anonymous_claimant_relayed_by_a_named_outlet_is_the_outlet() -> None:
    row = one(
        "Bloomberg, citing Polish officials, reported that Pyongyang loaded 1,300 containers."
    )
    assert (row["attributed_to"], row["reported_by"]) == ("Bloomberg", None)
    row = one("About 800 rail cars crossed, the Financial Times said, citing unnamed sources.")
    assert row["attributed_to"] == "Financial Times"
    # An outlet missing from the alias table, before the bracketed "citing ..." clause.
    row = one("The Baltic Courier, citing a senior official, said 240 rail cars crossed.")
    assert row["attributed_to"] == "Baltic Courier"


def test_named_claimant_relayed_by_an_outlet_stays_the_source() -> None:
    row = one("Bloomberg, citing the NIS, reported that Pyongyang loaded 1,300 containers.")
    assert (row["attributed_to"], row["reported_by"]) == ("NIS", "Bloomberg")
    row = one("The Baltic Courier, citing Norway's defence ministry, said 240 rail cars crossed.")
    assert (row["attributed_to"], row["reported_by"]) == (
        "Norway's defence ministry",
        "Baltic Courier",
    )


@pytest.mark.parametrize(
    ("text", "source"),
    [
        (
            "Norway's defence ministry has estimated that Pyongyang loaded 1,300 containers.",
            "Norway's defence ministry",
        ),
        (
            "Petra Lindqvist has repeatedly said 240 rail cars crossed the border.",
            "Petra Lindqvist",
        ),
        ("US officials have now said 240 rail cars crossed the border.", "US officials"),
        (
            "The NIS briefed lawmakers on Monday. The agency had earlier said 240 rail cars "
            "crossed the border.",
            "NIS",
        ),
        (
            "About 240 rail cars crossed, Norway's defence ministry has said.",
            "Norway's defence ministry",
        ),
    ],
)
def test_auxiliaries_and_adverbs_before_the_reporting_verb(text: str, source: str) -> None:
    assert run(text).row(-1, named=True)["attributed_to"] == source


def test_word_currency_after_a_scale_in_a_plan() -> None:
    row = one("Brussels backed a 4 billion euro plan to buy artillery shells.")
    assert (row["metric"], row["value_low"], row["unit"]) == ("money", 4e9, "EUR")
    # "plan", like "package", keeps a sum when nothing in its clause marks it as macro data.
    row = one("The bloc agreed a 4 billion euro plan last year.")
    assert (row["value_low"], row["unit"]) == (4e9, "EUR")
    assert run("The bank unveiled a 4 billion euro plan to lift GDP.").height == 0
    row = one("Moscow has paid 75 billion roubles for North Korean shells.")
    assert (row["metric"], row["value_low"], row["unit"]) == ("money", 75e9, "RUB")


def test_subset_of_these_keeps_hedge_and_noun() -> None:
    out = run("Kyiv said that at least 14 of these missiles struck Odesa.")
    row = out.row(0, named=True)
    assert (row["metric"], row["value_low"], row["value_high"], row["qualifier"]) == (
        "ballistic_missiles",
        14.0,
        None,
        "at_least",
    )
    out = run("Around 350 of those containers reached the front, Kyiv said.")
    row = out.row(0, named=True)
    assert (row["metric"], row["value_low"], row["qualifier"]) == ("containers", 350.0, "approx")
