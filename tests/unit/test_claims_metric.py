"""Stage 3 (the counted thing) and page furniture, on sentences written for these tests.

Each rule is a class of phrasing; every class has at least two sentences of our own.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.claim_docs import one_doc
from transforms.claims import extract_claims
from transforms.rules import load_rules

RULES = load_rules(Path(__file__).resolve().parents[2] / "reference")


def rows(text: str) -> list[tuple]:
    docs = one_doc(text, dt.date(2025, 6, 1), "d")
    out = extract_claims(docs, RULES)
    return [(r["metric"], r["value_low"], r["value_high"]) for r in out.iter_rows(named=True)]


# --- page furniture and display text -----------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "The agency said 900 containers left the port.\n\nRead more: Kyiv says 4,000 troops were killed",
        "The agency said 900 containers left the port.\n\nRelated story: 12 KN-23 missiles hit Kharkiv",
        "The agency said 900 containers left the port.\n\n*[Photo] 40 freight wagons at the border*",
        "The agency said 900 containers left the port.\n\nPhoto caption: some 300 soldiers at a base.",
    ],
)
def test_furniture_lines_give_no_claim(text: str) -> None:
    assert rows(text) == [("containers", 900, 900)]


# --- the noun is elsewhere -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Officials said 1,200 soldiers reached the front. About 300 of them were wounded within weeks.",
            ("troops_wounded", 300, 300),
        ),
        (
            "Ukraine's air force counted 90 missiles last week. It shot down 61 of them over the south.",
            ("ballistic_missiles", 61, 61),
        ),
        (
            "Seoul expects another 4,000 troops to go. Of these, about 900 have already left.",
            ("troop_reinforcements", 900, 900),
        ),
    ],
)
def test_partitive_takes_the_earlier_noun(text: str, expected: tuple) -> None:
    assert expected in rows(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Pyongyang sent 3,000 troops in spring. Around 700 are thought to have died in the first month.",
            ("troops_killed", 700, 700),
        ),
        (
            "Some 1,300 soldiers were sent. Roughly 250 are believed to have been captured.",
            ("troops_captured", 250, 250),
        ),
        (
            "A further 600 followed in March as reinforcements, the ministry said.",
            ("troop_reinforcements", 600, 600),
        ),
        (
            "The unit lost soldiers in May, and some 2,000 or more were added in June.",
            ("troop_reinforcements", 2000, None),
        ),
    ],
)
def test_predicate_names_what_a_bare_number_counts(text: str, expected: tuple) -> None:
    assert expected in rows(text)


# --- words between the number and its noun ---------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Two wounded Chinese soldiers were taken prisoner, the army said.",
            ("troops_captured", 2, 2),
        ),
        (
            "Some 40 injured soldiers were flown to Moscow, the ministry said.",
            ("troops_wounded", 40, 40),
        ),
        ("The monitors counted 31 cargo shipments from the port in May.", ("shipments", 31, 31)),
    ],
)
def test_modifiers_between_number_and_noun(text: str, expected: tuple) -> None:
    assert expected in rows(text)


@pytest.mark.parametrize(
    "text",
    [
        "Satellite images showed 37 container ships moored at the terminal.",
        "The fleet of 12 bulk carriers and four tankers was tracked for a month.",
        "The army has around 450,000 active personnel, the ministry said.",
        "More than 4,000 North Koreans entered Russia last year on student visas.",
    ],
)
def test_nouns_that_count_something_else(text: str) -> None:
    assert rows(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "More than 2,500 North Koreans were killed or wounded, Kyiv said.",
            ("troop_casualties", 2500, None),
        ),
        (
            "Kyiv puts the death toll at 800 and the wider toll of killed and wounded at 3,100.",
            ("troops_killed", 800, 800),
        ),
        (
            "Kyiv puts the death toll at 800 and the wider toll of killed and wounded at 3,100.",
            ("troop_casualties", 3100, 3100),
        ),
    ],
)
def test_people_and_tolls(text: str, expected: tuple) -> None:
    assert expected in rows(text)


@pytest.mark.parametrize(
    "text",
    [
        "The strike on the market killed 9 people and wounded about 40.",
        "A missile attack on the apartment block killed four residents and injured 27.",
    ],
)
def test_losses_in_a_strike_on_a_city_are_not_soldiers(text: str) -> None:
    assert rows(text) == []


# --- totals against increments -----------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "increment", "total"),
    [
        (
            "Some 2,000 more soldiers were sent in May, bringing the contingent to roughly 13,000.",
            2000,
            13000,
        ),
        (
            "Another 1,500 troops arrived, taking the total to about 9,500, officials said.",
            1500,
            9500,
        ),
    ],
)
def test_increment_and_new_total(text: str, increment: int, total: int) -> None:
    got = rows(text)
    assert ("troop_reinforcements", increment, increment) in got
    assert ("troops_deployed", total, total) in got


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Pyongyang sent between 2,000 and 4,000 soldiers as a second wave, the agency said.",
            ("troop_reinforcements", 2000, 4000),
        ),
        (
            "About 1,200 sappers and 3,000 construction troops will follow, the minister said.",
            ("troop_reinforcements", 3000, 3000),
        ),
    ],
)
def test_later_waves_and_special_contingents_are_reinforcements(text: str, expected: tuple) -> None:
    assert expected in rows(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "It supplied roughly 45% of the artillery and mortar rounds Moscow fired.",
            ("share_of_artillery_ammo", 45, 45),
        ),
        (
            "Kyiv says about 30 percent of the mortar and artillery shells came from Iran.",
            ("share_of_artillery_ammo", 30, 30),
        ),
    ],
)
def test_share_of_a_coordinated_ammunition_noun(text: str, expected: tuple) -> None:
    assert expected in rows(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Minsk sent 20 Grad rocket launchers and some self-propelled howitzers, delivering 40 of each.",
            [("rocket_launchers", 40, 40), ("artillery_systems", 40, 40)],
        ),
        (
            "The convoy carried howitzers and rocket launchers, 15 of each, the ministry said.",
            [("artillery_systems", 15, 15), ("rocket_launchers", 15, 15)],
        ),
    ],
)
def test_of_each_gives_one_figure_per_kind(text: str, expected: list) -> None:
    got = rows(text)
    assert all(e in got for e in expected), got


@pytest.mark.parametrize(
    ("text", "part", "whole"),
    [
        (
            "About 900 of the roughly 5,000 soldiers sent have become casualties, Kyiv said.",
            ("troop_casualties", 900, 900),
            ("troops_deployed", 5000, 5000),
        ),
        (
            "Some 120 of the 2,000 troops deployed in March were captured, the army said.",
            ("troops_captured", 120, 120),
            ("troops_deployed", 2000, 2000),
        ),
    ],
)
def test_subset_and_whole_take_their_own_metrics(text: str, part: tuple, whole: tuple) -> None:
    got = rows(text)
    assert part in got and whole in got, got


@pytest.mark.parametrize(
    ("text", "first", "second"),
    [
        (
            "Drone units killed 35 Russian soldiers and wounded 60 near the river, the army said.",
            ("troops_killed", 35, 35),
            ("troops_wounded", 60, 60),
        ),
        (
            "The brigade said it had captured 12 soldiers and killed about 80 more in the assault.",
            ("troops_captured", 12, 12),
            ("troops_killed", 80, 80),
        ),
    ],
)
def test_a_later_figure_keeps_its_own_verb(text: str, first: tuple, second: tuple) -> None:
    got = rows(text)
    assert first in got and second in got, got


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The deployment numbered between 8,000 and 9,000 soldiers, Seoul said.",
            ("troops_deployed", 8000, 9000),
        ),
        (
            "North Korea's troop dispatch, put at about 6,500, worries Seoul.",
            ("troops_deployed", 6500, 6500),
        ),
        (
            "The casualty figure stood at around 2,300, the agency said.",
            ("troop_casualties", 2300, 2300),
        ),
    ],
)
def test_nouns_before_the_figure(text: str, expected: tuple) -> None:
    assert expected in rows(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Berlin will send 8 Leopard 2 tanks and 16 PzH 2000 howitzers.",
            ("artillery_systems", 16, 16),
        ),
        (
            "Paris delivered 6 Caesar 155 self-propelled howitzers last month.",
            ("artillery_systems", 6, 6),
        ),
    ],
)
def test_model_numbers_between_number_and_noun(text: str, expected: tuple) -> None:
    assert expected in rows(text)


@pytest.mark.parametrize(
    "text",
    [
        "Russian guns fire 3 rounds for every shell Ukraine fires, the general said.",
        "Moscow now enjoys a 2.5 shells for each Ukrainian round advantage.",
    ],
)
def test_ratios_are_not_counts(text: str) -> None:
    assert rows(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Berlin will send 12 more howitzers, worth an estimated 90 mln euros.",
            ("money", 90e6, 90e6),
        ),
        (
            "The drones are part of a wider $2 billion deal struck by the two governments.",
            ("money", 2e9, 2e9),
        ),
    ],
)
def test_value_of_arms_and_deals(text: str, expected: tuple) -> None:
    assert expected in rows(text)


def test_macro_money_stays_out_even_with_worth() -> None:
    assert rows("Its official exports were worth about $300 million last year.") == []


# --- round 2: aid to Ukraine ------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Oslo set aside NOK 2 billion for artillery ammunition through the scheme.",
            ("money", 2e9, 2e9),
        ),
        (
            "Stockholm's new package is worth SEK 4.5 billion, the ministry said.",
            ("money", 4.5e9, 4.5e9),
        ),
        (
            "Prague says donors have put 12 billion Czech crowns into the initiative.",
            ("money", 12e9, 12e9),
        ),
        (
            "Copenhagen pledged DKK 900 million in military support on Monday.",
            ("money", 900e6, 900e6),
        ),
    ],
)
def test_aid_sums_in_donor_currencies(text: str, expected: tuple) -> None:
    assert expected in rows(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Donors allocated roughly €30 billion in 2024.\n\nAnother line.", ("money", 30e9, 30e9)),
        (
            "Donors allocated roughly €30 billion in 2024. So far this year the total is €12 billion.",
            ("money", 12e9, 12e9),
        ),
    ],
)
def test_a_sum_takes_its_aid_context_from_the_sentence_before(text: str, expected: tuple) -> None:
    assert expected in rows(text)


@pytest.mark.parametrize(
    "text",
    [
        "The company invested around €300 million in the new plant, creating 400 jobs.",
        "Ukraine's defence industry grew from about €2 billion a year to roughly €20 billion.",
    ],
)
def test_investment_and_industry_output_are_not_aid(text: str) -> None:
    assert [r for r in rows(text) if r[0] == "money"] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Berlin will send 12 PzH 2000 and 6 MARS II launchers.",
            [("artillery_systems", 12, 12), ("rocket_launchers", 6, 6)],
        ),
        (
            "Paris has delivered 30 Caesar guns; Warsaw added 18 Krab howitzers.",
            [("artillery_systems", 30, 30), ("artillery_systems", 18, 18)],
        ),
    ],
)
def test_artillery_and_launcher_model_names(text: str, expected: list) -> None:
    got = rows(text)
    assert all(e in got for e in expected), got


@pytest.mark.parametrize(
    "text",
    [
        "The package includes 40 Hellfire missiles and 6 NASAMS launchers.",
        "Berlin sent 20 Marder infantry fighting vehicles and 15 tanks.",
        "Sweden ordered more than 10 new Archer barrels for the guns.",
        "The allies have trained more than 30,000 Ukrainian soldiers since 2022.",
    ],
)
def test_hardware_and_training_outside_the_catalogue(text: str) -> None:
    assert rows(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Russian gunners fired about 40,000 rounds a day in 2023. Strikes on depots brought that down to around 21,000.",
            ("artillery_rounds_per_day", 21000, 21000),
        ),
        (
            "Russia fired some 30,000 shells a day last year. By spring the number had fallen to 18,000.",
            ("artillery_rounds_per_day", 18000, 18000),
        ),
    ],
)
def test_a_changed_value_continues_the_rate_before_it(text: str, expected: tuple) -> None:
    assert expected in rows(text)


def test_a_model_number_is_not_a_figure_of_its_own() -> None:
    assert rows("KNDS is building 36 RCH 155 wheeled howitzers for Kyiv.") == [
        ("artillery_systems", 36, 36)
    ]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("An audit in 2023 valued the programme at 40 billion rubles.", 40e9),
        (
            "Contracts obtained by Nordic News in 2024 valued the programme at 90 billion rubles.",
            90e9,
        ),
    ],
)
def test_a_valuation_keeps_its_sum(text: str, value: float) -> None:
    assert [r[1] for r in rows(text) if r[0] == "money"] == [value]


# --- round 3 --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Minsk sent 90,000 tons of munitions in a year. That is about 7,500 tons every month, the monitors said.",
            [("explosives_tonnes", 90000, 90000), ("explosives_tonnes", 7500, 7500)],
        ),
        (
            "The depot shipped 4,000 tonnes of explosives in 2023.\n\nIn March alone, 600 tonnes left by rail.",
            [("explosives_tonnes", 4000, 4000), ("explosives_tonnes", 600, 600)],
        ),
    ],
)
def test_a_tonnage_after_munitions_were_weighed(text: str, expected: list) -> None:
    assert [(m, lo, hi) for m, lo, hi, *_ in rows(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Russia fires 10,000 shells a day. North Korea sends about 2 million a year.",
            [("artillery_rounds_per_day", 10000), ("artillery_shells", 2e6)],
        ),
        (
            "Gunners fired 8,000 shells a day in May. Factories add some 250,000 a month.",
            [("artillery_rounds_per_day", 8000), ("artillery_shells", 250000)],
        ),
        (
            "Russia fires 10,000 shells a day. Ukraine fires about 2,000 a day.",
            [("artillery_rounds_per_day", 10000), ("artillery_rounds_per_day", 2000)],
        ),
    ],
)
def test_a_rate_continues_only_over_its_own_time_unit(text: str, expected: list) -> None:
    assert [(r[0], r[1]) for r in rows(text)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Minsk will send 60 howitzers this year, on top of the 40 it had already delivered in 2024.",
        "The allies pledged 60 howitzers, after the 40 they shipped in May.",
    ],
)
def test_a_pronoun_after_a_definite_figure_elides_the_noun(text: str) -> None:
    assert [(r[0], r[1]) for r in rows(text)] == [
        ("artillery_systems", 60),
        ("artillery_systems", 40),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Kyiv said 60 percent of the 122 mm and 152 mm artillery ammunition Russia fires came from North Korea.",
        "About 60% of the 152mm shells Russia used were North Korean.",
    ],
)
def test_calibres_inside_a_share(text: str) -> None:
    assert [(r[0], r[1]) for r in rows(text)] == [("share_of_artillery_ammo", 60)]


@pytest.mark.parametrize(
    "text",
    [
        "The bank moved five tonnes of banknotes to Tehran in 34 consignments.",
        "Rail operators sent 300 wagons of wheat to Iran.",
        "The port handled 40 shipments of coal last year.",
    ],
)
def test_civilian_cargo_is_not_supply(text: str) -> None:
    assert rows(text) == []


def test_military_cargo_next_to_civilian_cargo_counts() -> None:
    assert [(r[0], r[1]) for r in rows("Russia sent 40 wagons of ammunition and fuel.")] == [
        ("rail_cars", 40)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "North Korea was training as many as 9,000 troops, including snipers, in Russia's Far East.",
        "Pyongyang is training 9,000 soldiers in Russia.",
    ],
)
def test_soldiers_trained_abroad_are_deployed(text: str) -> None:
    assert [r[0] for r in rows(text)] == ["troops_deployed"]


@pytest.mark.parametrize(
    "text",
    [
        "Britain has trained 21,000 Ukrainian soldiers in the UK since 2022.",
        "Britain has trained 21,000 Ukrainian soldiers since 2022.",
    ],
)
def test_soldiers_trained_at_home_are_not_deployed(text: str) -> None:
    assert rows(text) == []


# --- round 4 --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Kyiv said some 40 152 mm howitzers and 12 227 mm launchers had arrived.",
            [("artillery_systems", 40), ("rocket_launchers", 12)],
        ),
        (
            "A train carried at least 10 Koksans west. Paris sent 12 Caesars east in May.",
            [("artillery_systems", 10), ("artillery_systems", 12)],
        ),
    ],
)
def test_a_count_before_a_calibre_and_plural_model_names(text: str, expected: list) -> None:
    assert [(r[0], r[1]) for r in rows(text)] == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (
            "Analysts counted 1,200 containers at the port. Filled with 122 mm shells, the boxes could have held "
            "more than 2 million.",
            2e6,
        ),
        (
            "The minister put the number of containers at 5,000 and said that was enough for some 1.5 million of "
            "the same calibre.",
            1.5e6,
        ),
    ],
)
def test_what_containers_could_hold_counts_shells(text: str, value: float) -> None:
    assert ("artillery_shells", value) in [(r[0], r[1]) for r in rows(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Warsaw delivered 900,000 rounds last year. A first batch of 40,000 arrived in May.",
            [("artillery_shells", 900000), ("artillery_shells", 40000)],
        ),
        (
            "The scheme sent 1.2 million shells in 2024. From October, deliveries ran at 60,000 to 90,000 a month.",
            [("artillery_shells", 1.2e6), ("artillery_shells", 60000)],
        ),
        (
            "Donors promised Kyiv a million shells. By March they expect to have handed over 400,000. Another "
            "300,000 should follow by June.",
            [("artillery_shells", 1e6), ("artillery_shells", 400000), ("artillery_shells", 300000)],
        ),
        (
            "Russian crews fired about 30,000 shells a day in May. After strikes on depots the figure fell to "
            "roughly 20,000, and it has since crept back to between 24,000 and 25,000.",
            [
                ("artillery_rounds_per_day", 30000),
                ("artillery_rounds_per_day", 20000),
                ("artillery_rounds_per_day", 24000),
            ],
        ),
    ],
)
def test_a_bare_figure_that_moves_takes_the_thing_last_counted(text: str, expected: list) -> None:
    assert [(r[0], r[1]) for r in rows(text)] == expected


def test_soldiers_trained_do_not_become_the_thing_last_counted() -> None:
    text = (
        "Iran has shipped short-range ballistic missiles to Russia. Officials said dozens of Russian "
        "servicemen had been trained in Iran. Sources say Tehran had sent around 400."
    )
    assert [(r[0], r[1]) for r in rows(text)] == [("ballistic_missiles", 400)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "About 40% to 50% of the shells Russia fires come from North Korea. In the south it is higher, "
            "reaching 80% near Pokrovsk.",
            [40, 80],
        ),
        (
            "North Korean rounds made up 40 to 50 percent of what Russia fired in 2024, up from about 10% in "
            "early 2023.",
            [40, 10],
        ),
        ("Iranian deliveries made up less than 5 percent of Russian consumption.", [None]),
        (
            "Recovered North Korean shells accounted for nearly 60% of the fragments in the sample.",
            [None],
        ),
    ],
)
def test_shares_said_without_the_ammunition_noun(text: str, expected: list) -> None:
    assert [r[1] for r in rows(text) if r[0] == "share_of_artillery_ammo"] == expected


@pytest.mark.parametrize(
    "text",
    [
        "About 40% of the shells Russia fires come from North Korea. Some batches had a dud rate of 20 percent.",
        "About 40% of the shells Russia fires come from North Korea. Russian plants run at close to 100% of capacity.",
    ],
)
def test_other_percentages_after_a_share_are_not_shares(text: str) -> None:
    assert [r[1] for r in rows(text)] == [40]


@pytest.mark.parametrize(
    "text",
    [
        "Ships carried about a million rounds of rifle and machine-gun ammunition from Iran.",
        "Iran sent 500,000 small-arms rounds.",
    ],
)
def test_small_arms_rounds_are_not_artillery(text: str) -> None:
    assert rows(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Kim led a ceremony for the returning soldiers, with some 10,000 troops and civilians filling the square.",
        "Allied forces staged drills this week, with about 18,000 troops taking part.",
    ],
)
def test_soldiers_at_parades_and_drills_are_not_supply(text: str) -> None:
    assert rows(text) == []


def test_soldiers_sent_for_drills_are_still_sent() -> None:
    assert [
        r[0] for r in rows("The North had sent 15,000 troops to Russia for drills and combat.")
    ] == ["troops_deployed"]


@pytest.mark.parametrize(
    "text",
    [
        "Prague said 2025 deliveries would match last year's.",
        "Berlin said 2024 shipments were late.",
    ],
)
def test_a_year_before_a_noun_is_not_a_count(text: str) -> None:
    assert rows(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "The NIS said 3,000 troops were sent. Earlier, 7,000 North Koreans entered Russia, and 2,000 of them gave "
        "study as the reason.",
        "Some 9,000 North Koreans entered Russia last year, and 3,000 of them were students.",
    ],
)
def test_a_part_of_plain_people_is_not_a_count(text: str) -> None:
    assert [r[1] for r in rows(text) if r[1] in (2000, 3000) and r[0] != "troops_deployed"] == []
    assert all(r[1] not in (2000, 7000, 9000) for r in rows(text))


@pytest.mark.parametrize(
    "text",
    [
        "Iran's ministry and the IRGC, the roughly 190,000-strong force that runs the missile programme, declined "
        "to comment.",
        "The Guard, a 125,000-strong force that answers to the leader, held a parade.",
    ],
)
def test_the_size_of_a_force_is_not_a_deployment(text: str) -> None:
    assert rows(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "A 6,000-strong contingent was sent to Kursk in June.",
        "Pyongyang sent troops to Kursk last year. The 11,000-strong force has lost many men.",
    ],
)
def test_a_force_sent_is_a_deployment(text: str) -> None:
    assert [r[0] for r in rows(text)] == ["troops_deployed"]


# --- ballistic missile model names, plural included (round 5) ----------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Tehran has shipped some 40 Fath-360s to the Caspian ports.",
            ("ballistic_missiles", 40, 40),
        ),
        (
            "The navy unloaded at least 12 Zolfaghar missiles, the ministry said.",
            ("ballistic_missiles", 12, None),
        ),
        ("Pyongyang sent 30 Hwasong-11s last winter.", ("ballistic_missiles", 30, 30)),
    ],
)
def test_ballistic_missile_model_names_count_missiles(text: str, expected: tuple) -> None:
    assert expected in rows(text)


# --- a count split into occasions is not a ratio (round 5) --------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Minsk sent about 2,400 troops in three waves last year.",
            [("troops_deployed", 2400, 2400)],
        ),
        (
            "The port handled 640 containers in two batches in March.",
            [("containers", 640, 640)],
        ),
        ("Only one shell in ten reached the front.", []),
    ],
)
def test_a_count_in_waves_is_no_ratio(text: str, expected: list) -> None:
    assert rows(text) == expected


# --- losses among people in a sentence with no soldier are civilian (round 5) -------------
@pytest.mark.parametrize(
    "text",
    [
        "The missile attack killed 12 people and injured 48.",
        "In the port town, one person died and 30 were wounded, the governor said.",
    ],
)
def test_losses_next_to_people_are_civilian(text: str) -> None:
    assert rows(text) == []


def test_losses_next_to_soldiers_are_still_soldiers() -> None:
    text = "Of the 11,000 soldiers sent, one person said some 3,000 were killed or wounded."
    assert ("troop_casualties", 3000, 3000) in rows(text)


# --- a period total restated as a daily rate (round 5) ------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Over the week the army fired 70,000 shells, some 10,000 a day, against Kyiv's "
            "21,000, or 3,000 a day.",
            ("artillery_shells", 21000, 21000),
        ),
        (
            "Its gunners used 8,000 shells a day in May; the other side fired 62,000, or about "
            "2,000 a day, over the month.",
            ("artillery_shells", 62000, 62000),
        ),
    ],
)
def test_a_total_restated_as_a_rate_counts_shells(text: str, expected: tuple) -> None:
    found = rows(text)
    assert expected in found
    assert ("artillery_rounds_per_day", expected[1], expected[2]) not in found


# --- "just shy of" is an upper bound (round 6) ---------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Just shy of 40 wagons of shells crossed in May.", ("rail_cars", None, 40)),
        ("The plant made shy of 90,000 shells last year.", ("artillery_shells", None, 90000)),
    ],
)
def test_shy_of_is_an_upper_bound(text: str, expected: tuple) -> None:
    assert expected in rows(text)


# --- calibres written out or hyphenated (round 6) ------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The boxes could hold 2 million 152-millimetre shells or 400,000 122-millimetre rounds.",
            ("artillery_shells", 400000, 400000),
        ),
        (
            "Seoul counted 90,000 155-calibre shells in the depot.",
            ("artillery_shells", 90000, 90000),
        ),
    ],
)
def test_a_written_out_calibre_sits_between_count_and_noun(text: str, expected: tuple) -> None:
    assert expected in rows(text)


# --- prices of one item and the size of an economy are no claim (round 6) ------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "In earlier deals a shell could sell for well under $900, and the arms trade was "
            "worth $2 billion.",
            [("money", 2e9, 2e9)],
        ),
        (
            "Shells cost about $3,000 apiece, and the scheme was worth $4 billion in aid.",
            [("money", 4e9, 4e9)],
        ),
        (
            "The army paid $8,000 per round under a $2 billion arms contract.",
            [("money", 2e9, 2e9)],
        ),
        (
            "The arms trade was worth a fifth of the annual output, which the central bank "
            "puts at $20bn.",
            [],
        ),
    ],
)
def test_unit_prices_and_output_are_not_supply_money(text: str, expected: list) -> None:
    assert rows(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Russia now fires 1.5 shells for every Ukrainian one.",
        "Their gunners answer with four rounds for each one fired by the other side.",
    ],
)
def test_the_denominator_of_a_ratio_is_no_figure(text: str) -> None:
    assert rows(text) == []


# --- nouns that name the figure before it: "the container tally", "the top-up" (round 6) ----
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The boxes could hold 3 million shells. The container tally has climbed from 6,700 "
            "in February, the report said.",
            ("containers", 6700, 6700),
        ),
        ("By May the container count stood at roughly 9,000.", ("containers", 9000, 9000)),
        (
            "Pyongyang sent 11,000 troops last year. An earlier assessment put the top-up at "
            "between 1,000 and 3,000.",
            ("troop_reinforcements", 1000, 3000),
        ),
    ],
)
def test_a_noun_naming_the_figure_before_it(text: str, expected: tuple) -> None:
    assert expected in rows(text)
