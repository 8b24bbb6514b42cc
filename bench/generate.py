"""Seeded generator of a synthetic Supplyline archive for benchmarks.

Writes, under ``--out DIR``::

    DIR/manifest.json                      what was generated (seed, counts, bytes)
    DIR/inbox/reports/NNN/<name>.<ext>     N report files (.md, .txt, .html, a few .pdf), 3-8 KB each
    DIR/inbox/ledgers/voyages_ledger.csv   the M-row voyage ledger (the inbox copy the runs ingest)
    DIR/ledger/voyages_ledger.csv          the same ledger as CSV ...
    DIR/ledger/voyages_ledger.parquet      ... and as Parquet (bench/run.py's ledger scenario)

Every sentence comes from templates written for this file; the texts are synthetic and follow the
styles of ``samples/inbox`` (Markdown with YAML front matter, wire-copy text, HTML pages with
boilerplate and decoy numbers in <script>/<style>, and a few PDFs). Report ``i`` depends only on
``(seed, i)``, so ``--add-new`` can append new, reproducible reports to an existing archive.

Usage::

    python bench/generate.py --preset small --out bench/work/small/archive
    python bench/generate.py --reports 5000 --rows 1000000 --seed 7 --out /tmp/archive
    python bench/generate.py --out bench/work/small/archive --add-new 1     # +1% new reports
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import shutil
import sys
import time
from pathlib import Path

PRESETS = {
    "small": {"reports": 1_000, "rows": 100_000},
    "full": {"reports": 100_000, "rows": 10_000_000},
}
REPORTS_PER_DIR = 1_000
# Share of report formats; PDFs are slow to make (fpdf2) and to parse (pypdf), so they stay rare.
FORMAT_WEIGHTS = {"md": 0.45, "txt": 0.40, "html": 0.145, "pdf": 0.005}
MAX_PDFS = 50

# --------------------------------------------------------------------------------------------
# Vocabulary (written for the benchmark; fictional outlets, real place and ship names).
# --------------------------------------------------------------------------------------------

OUTLETS = [
    ("Harbour Ledger Wire", "harbour_ledger", "wire"),
    ("Peninsula Dispatch", "peninsula_dispatch", "wire"),
    ("Eastern Sea Monitor", "eastern_sea_monitor", "briefing"),
    ("Steppe & Shore Review", "steppe_shore", "feature"),
    ("Northern Freight Notes", "northern_freight", "blog"),
    ("Amber Institute", "amber_institute", "note"),
    ("Riverside Defence Forum", "riverside_defence", "note"),
    ("Daily Meridian", "daily_meridian", "wire"),
    ("Coastal Signals", "coastal_signals", "briefing"),
    ("The Quayside Post", "quayside_post", "feature"),
    ("Lantern Policy Desk", "lantern_policy", "note"),
    ("Granite Hill Observer", "granite_hill", "blog"),
]
DATELINES = [
    "SEOUL",
    "KYIV",
    "BRUSSELS",
    "TOKYO",
    "WASHINGTON",
    "LONDON",
    "VLADIVOSTOK",
    "WARSAW",
    "HELSINKI",
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
KP_PORTS = ["Rajin", "Najin", "Rason", "Rajin port", "Chongjin", "Nampo"]
RU_PORTS = [
    "Vostochny",
    "Dunai",
    "Dunay",
    "Vostochny port",
    "Vladivostok",
    "Nakhodka",
    "Zarubino",
    "Posyet",
]
VESSELS = ["Angara", "Maria", "Maia-1", "Maya-1", "Lady R", "Sparta IV", "Ursa Major", "Maia 1"]
RAIL = ["Tumangang", "Khasan", "the Tumen River bridge", "Tumangang station"]

CLAIMANTS_BEFORE = [  # "according to X, ..." / "X said ..." forms are both used below
    "the National Intelligence Service",
    "Seoul's National Intelligence Service",
    "the NIS",
    "Ukraine's military intelligence agency, HUR",
    "the Defence Intelligence of Ukraine",
    "the Joint Chiefs of Staff in Seoul",
    "the Korea Institute for Defense Analyses",
    "a South Korean lawmaker briefed by the NIS",
    "the Open Hull Project",
    "the Eastern Berth Monitor",
    "a Seoul-based research group",
    "officials in Kyiv",
    "the Pentagon",
    "a NATO official",
    "the Korea Maritime Observatory",
    "the KIDA think tank",
    "analysts at the Eastern Rail Observatory",
    "the Ukrainian General Staff",
]
SPEAKERS = [
    "Budanov",
    "Kyrylo Budanov",
    "Lee Seong-kweun",
    "Park Sun-won",
    "a defence ministry spokesman",
    "the agency's deputy director",
    "an imagery analyst",
    "a senior intelligence official",
    "the committee chair",
    "a Western diplomat",
    "Zelensky",
    "a JCS spokesman",
]
SAY = [
    "said",
    "told members of parliament",
    "told reporters",
    "estimated",
    "wrote",
    "said on Tuesday",
    "said in a briefing",
    "told a parliamentary committee",
]

# (metric nouns, low, high, style) -- style picks the number renderer.
METRICS = [
    (["containers", "shipping containers", "TEU containers"], 300, 20_000, "count"),
    (
        ["artillery shells", "artillery rounds", "shells", "rounds of ammunition"],
        500_000,
        6_000_000,
        "big",
    ),
    (["troops", "soldiers", "North Korean soldiers", "military personnel"], 1_000, 15_000, "count"),
    (["casualties", "soldiers killed or wounded", "troops killed"], 100, 5_000, "count"),
    (["voyages", "round trips", "port calls"], 3, 70, "small"),
    (["ballistic missiles", "KN-23 missiles", "short-range ballistic missiles"], 10, 250, "small"),
    (
        ["self-propelled guns", "rocket launchers", "multiple rocket launchers", "howitzers"],
        10,
        240,
        "small",
    ),
    (["rail cars", "freight wagons", "railway wagons"], 100, 3_000, "count"),
    (["tonnes of explosives", "tonnes of munitions", "tons of ammunition"], 500, 20_000, "count"),
    (["workers", "construction workers", "labourers"], 1_000, 20_000, "count"),
    (["reinforcements", "additional troops"], 500, 5_000, "count"),
    (["prisoners", "captured soldiers"], 1, 12, "small"),
]
MONEY_NOUNS = [
    "in revenue",
    "in earnings",
    "worth of arms sales",
    "in payments",
    "in hard currency",
]

HEDGE_LOW = [
    "at least",
    "more than",
    "over",
    "upwards of",
    "no fewer than",
    "well over",
    "in excess of",
]
HEDGE_HIGH = ["up to", "nearly", "almost", "as many as", "fewer than", "no more than", "just under"]
HEDGE_APPROX = ["about", "around", "roughly", "approximately", "some", "an estimated", "close to"]

ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]

NOISE = [  # sentences with no digits at all
    "None of the figures could be independently verified.",
    "Moscow and Pyongyang have both denied any arms trade.",
    "The agency did not say how it had arrived at its estimate.",
    "Satellite images taken over the following weeks showed the pier crowded with trucks.",
    "{speaker_cap} declined to give further details, citing the sensitivity of the sources.",
    "The ships routinely switch off their transponders before entering North Korean waters.",
    "Analysts cautioned that container counts say little about what the boxes actually hold.",
    "The route has become one of the most closely watched supply lines of the war.",
    "Officials in {city} did not respond to a request for comment.",
    "The shipments would breach United Nations Security Council resolutions.",
    "Western governments have imposed sanctions on several of the vessels involved.",
    "Commercial imagery of {kp_port} showed freshly paved loading areas and new warehouses.",
    "The vessel {vessel} was later seen at anchor off {ru_port}.",
    "Much of the ammunition is thought to be old stock drawn from North Korean depots.",
    "Ukrainian commanders say the quality of the shells varies widely.",
    "Researchers track the ships using radar imagery when the sky is overcast.",
    "The estimate was described as conservative by several outside analysts.",
    "Russian state media did not mention the deliveries.",
    "The committee's findings were shared with allied governments.",
    "{outlet} has not been able to confirm the account.",
    "Trains crossing at {rail} were photographed on clear days throughout the summer.",
    "The defence ministry in {city} said it was monitoring the situation closely.",
    "Some of the cargo is believed to have moved on by rail towards the front.",
    "The report drew on interviews with defectors, officials and shipping analysts.",
    "Diplomats said the issue would be raised at the next Security Council meeting.",
    "Kim Jong Un inspected a munitions factory, state media reported, without giving details.",
]


# --------------------------------------------------------------------------------------------
# Number renderers
# --------------------------------------------------------------------------------------------


def words(n: int) -> str:
    """English words for 0 <= n < 1000 ("twenty-four", "three hundred and five")."""
    if n < 20:
        return ONES[n]
    if n < 100:
        t, o = divmod(n, 10)
        return TENS[t] + ("-" + ONES[o] if o else "")
    h, rest = divmod(n, 100)
    return ONES[h] + " hundred" + (" and " + words(rest) if rest else "")


def _round_nice(rng: random.Random, n: int) -> int:
    if n >= 10_000:
        return round(n, -rng.choice((2, 3)))
    if n >= 1_000:
        return round(n, -rng.choice((1, 2)))
    return n


def render_count(rng: random.Random, n: int) -> str:
    r = rng.random()
    if r < 0.70:
        return f"{n:,}"
    if r < 0.80:
        return f"{n:,}".replace(",", " ")  # "7 000" (European grouping)
    if r < 0.88:
        return str(n)
    if n < 1000:
        return words(n)
    if n % 1000 == 0 and n < 100_000:
        return f"{words(n // 1000)} thousand"
    return f"{n:,}"


def render_small(rng: random.Random, n: int) -> str:
    r = rng.random()
    if n == 12 and r < 0.3:
        return "a dozen"
    if r < 0.45:
        return words(n)
    return str(n)


def render_big(rng: random.Random, n: int) -> str:
    millions = round(n / 1_000_000, 1)
    r = rng.random()
    if r < 0.50:
        return f"{millions:g} million"
    if r < 0.62:
        return f"{millions:g} million".replace(".", ",")  # "1,6 million"
    if r < 0.75 and millions == int(millions):
        return f"{words(int(millions))} million"
    if r < 0.85:
        return f"{round(n, -3):,}"
    return f"{millions:g}m"


def render_money(rng: random.Random) -> str:
    bn = rng.choice((1, 1.5, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20))
    r = rng.random()
    if r < 0.35:
        return f"${bn:g}bn"
    if r < 0.65:
        return f"${bn:g} billion"
    if r < 0.8:
        return f"US${bn:g} billion"
    return f"{round(bn * 1000):,} million dollars"


def render(rng: random.Random, style: str, n: int) -> str:
    if style == "big":
        return render_big(rng, n)
    if style == "small":
        return render_small(rng, n)
    return render_count(rng, n)


# --------------------------------------------------------------------------------------------
# Sentences
# --------------------------------------------------------------------------------------------

_KEEP_CASE = ("North", "Russia", "Pyongyang", "Satellite imagery of")


def _lower_first(core: str) -> str:
    """Lower-case the first letter unless the sentence starts with a proper noun."""
    return core if core.startswith(_KEEP_CASE) else core[0].lower() + core[1:]


def _cap(text: str) -> str:
    return text[0].upper() + text[1:]


def _claimant_wrap(rng: random.Random, core: str) -> str:
    """Attach a claimant: "according to X", "X said", "citing X" or a speaker quote."""
    r = rng.random()
    who = rng.choice(CLAIMANTS_BEFORE)
    if r < 0.35:
        return f"{core}, according to {who}."
    if r < 0.55:
        return f"According to {who}, {_lower_first(core)}."
    if r < 0.75:
        speaker = rng.choice(SPEAKERS)
        return f"{_cap(speaker)} {rng.choice(SAY)} that {_lower_first(core)}."
    if r < 0.85:
        return f"{_cap(who)} {rng.choice(SAY)} {_lower_first(core)}."
    if r < 0.93:
        return f"{core}, {rng.choice(SPEAKERS)} {rng.choice(SAY)}, citing {who}."
    return f"{core}."


def _date_phrase(rng: random.Random) -> str:
    year = rng.choice((2023, 2024, 2025))
    month = rng.randrange(12)
    r = rng.random()
    if r < 0.3:
        return f"since {MONTHS[month]} {year}"
    if r < 0.55:
        return f"by the end of {MONTHS[month]}"
    if r < 0.75:
        return f"between {MONTHS[month]} {year} and {MONTHS[(month + rng.randrange(1, 6)) % 12]}"
    if r < 0.9:
        return f"as of {rng.randint(1, 28)} {MONTHS[month]} {year}"
    return "so far"


def _range_phrase(rng: random.Random, style: str, n: int, hi: int) -> str:
    """A range from ``n`` up, written one of three ways."""
    m = _round_nice(rng, min(hi * 2, int(n * rng.uniform(1.1, 1.8)) + 1))
    form = rng.random()
    if form < 0.4:
        return f"between {render(rng, style, n)} and {render(rng, style, m)}"
    if form < 0.7 and style == "big":
        return f"{n / 1e6:.1f}-{m / 1e6:.1f} million"
    return f"{render(rng, style, n)} to {render(rng, style, m)}"


def _quantity(rng: random.Random) -> tuple[str, str]:
    """(hedged number phrase, noun) for one claim."""
    nouns, lo, hi, style = rng.choice(METRICS)
    noun = rng.choice(nouns)
    n = _round_nice(rng, rng.randint(lo, hi))
    r = rng.random()
    if r < 0.18:  # a range
        return _range_phrase(rng, style, n, hi), noun
    if r < 0.40:
        return f"{rng.choice(HEDGE_LOW)} {render(rng, style, n)}", noun
    if r < 0.55:
        return f"{rng.choice(HEDGE_HIGH)} {render(rng, style, n)}", noun
    if r < 0.80:
        return f"{rng.choice(HEDGE_APPROX)} {render(rng, style, n)}", noun
    return render(rng, style, n), noun


def _share(rng: random.Random) -> str:
    lo, hi = rng.randint(20, 50), rng.randint(55, 80)
    return rng.choice(
        [
            f"{lo}-{hi}%",
            f"between {lo} and {hi} percent",
            "about half",
            f"up to {hi}%",
            f"{lo} per cent",
        ]
    )


# One template per kind of claim sentence: (rng, quantity, noun, KP port, RU port, vessel, when).
# Each draws from rng in the order the sentence reads, so a seed gives the same archive.
CLAIM_TEMPLATES = [
    lambda rng, q, noun, kp, ru, vessel, when: (
        f"North Korea has shipped {q} {noun} to Russia {when}"
    ),
    lambda rng, q, noun, kp, ru, vessel, when: (
        f"{q[0].upper()}{q[1:]} {noun} had been moved from {kp} to {ru} {when}"
    ),
    lambda rng, q, noun, kp, ru, vessel, when: (
        f"The vessel {vessel} carried {q} {noun} on its latest run from {kp}"
    ),
    lambda rng, q, noun, kp, ru, vessel, when: (
        f"Pyongyang has sent {q} {noun} to the Kursk region {when}"
    ),
    lambda rng, q, noun, kp, ru, vessel, when: (
        f"Ships including the {vessel} made {q} {rng.choice(['voyages', 'trips', 'port calls'])} between {kp} and {ru} {when}"
    ),
    lambda rng, q, noun, kp, ru, vessel, when: (
        f"Pyongyang took in {rng.choice(['at least', 'more than', 'about', 'up to'])} {render_money(rng)} "
        f"{rng.choice(MONEY_NOUNS)} from the deliveries {when}"
    ),
    lambda rng, q, noun, kp, ru, vessel, when: (
        f"North Korean supplies accounted for {_share(rng)} of the artillery ammunition used by Russian forces {when}"
    ),
    lambda rng, q, noun, kp, ru, vessel, when: (
        f"Satellite imagery of {kp} showed {q} {noun} stacked on the quay {when}"
    ),
    lambda rng, q, noun, kp, ru, vessel, when: (
        f"Russia received {q} {noun} via {rng.choice(RAIL)} {when}"
    ),
    lambda rng, q, noun, kp, ru, vessel, when: (
        f"The total now stands at {q} {noun}, up from the previous estimate"
    ),
    lambda rng, q, noun, kp, ru, vessel, when: (
        f"Some {rng.choice(['hundreds of', 'thousands of', 'tens of thousands of'])} {noun} are believed to have reached {ru}"
    ),
    lambda rng, q, noun, kp, ru, vessel, when: (
        f"{q[0].upper()}{q[1:]} {noun} were unloaded at {ru} {when}"
    ),
]


def claim_sentence(rng: random.Random) -> str:
    q, noun = _quantity(rng)
    kp, ru, vessel = rng.choice(KP_PORTS), rng.choice(RU_PORTS), rng.choice(VESSELS)
    when = _date_phrase(rng)
    core = CLAIM_TEMPLATES[rng.randrange(12)](rng, q, noun, kp, ru, vessel, when)
    return _claimant_wrap(rng, core)


def context_sentence(rng: random.Random) -> str:
    """Numbers that are not claims: ages, calibres, distances, dates."""
    t = rng.randrange(6)
    if t == 0:
        return f"{_cap(rng.choice(SPEAKERS))}, {rng.randint(31, 68)}, has followed the route since {rng.choice((2019, 2020, 2021, 2022))}."
    if t == 1:
        return f"Most of the rounds are {rng.choice(('152mm', '122mm', '240mm', '170mm'))} shells for Soviet-designed guns."
    if t == 2:
        return f"The pier at {rng.choice(KP_PORTS)} lies roughly {rng.randint(20, 90)} km from the Russian border."
    if t == 3:
        return f"The findings were first published on {rng.randint(1, 28)} {rng.choice(MONTHS)} {rng.choice((2023, 2024, 2025))}."
    if t == 4:
        return f"Page {rng.randint(2, 40)} of the report lists the ships by name."
    return f"The briefing took place in room {rng.randint(100, 999)} of the assembly building."


def noise_sentence(rng: random.Random, outlet: str) -> str:
    s = rng.choice(NOISE)
    if "{" not in s:
        return s
    return s.format(
        speaker_cap=_cap(rng.choice(SPEAKERS)),
        city=rng.choice(DATELINES).title(),
        kp_port=rng.choice(KP_PORTS),
        ru_port=rng.choice(RU_PORTS),
        vessel=rng.choice(VESSELS),
        outlet=outlet,
        rail=rng.choice(RAIL),
    )


def paragraphs(rng: random.Random, target_chars: int, outlet: str) -> list[str]:
    paras: list[str] = []
    total = 0
    while total < target_chars:
        sents = []
        for _ in range(rng.randint(2, 5)):
            r = rng.random()
            if r < 0.45:
                sents.append(claim_sentence(rng))
            elif r < 0.60:
                sents.append(context_sentence(rng))
            else:
                sents.append(noise_sentence(rng, outlet))
        p = " ".join(sents)
        paras.append(p)
        total += len(p) + 2
    return paras


# --------------------------------------------------------------------------------------------
# Documents
# --------------------------------------------------------------------------------------------


def _pick_format(rng: random.Random) -> str:
    r, acc = rng.random(), 0.0
    for fmt, w in FORMAT_WEIGHTS.items():
        acc += w
        if r < acc:
            return fmt
    return "txt"


def report(seed: int, i: int, allow_pdf: bool = True) -> tuple[str, str, str | bytes]:
    """(relative path, format, content) of report ``i``; depends only on (seed, i)."""
    rng = random.Random(seed * 1_000_003 + i)
    outlet, slug, style = rng.choice(OUTLETS)
    fmt = _pick_format(rng)
    if fmt == "pdf" and not allow_pdf:
        fmt = "txt"
    published = dt.date(2023, 9, 1) + dt.timedelta(days=rng.randrange(700))
    topic = rng.choice(
        [
            "shuttle",
            "containers",
            "shells",
            "troops",
            "casualties",
            "revenue",
            "rail",
            "missiles",
            "workers",
            "ledger",
            "estimates",
            "voyages",
        ]
    )
    title = (
        f"{rng.choice(['New', 'Updated', 'Revised', 'Fresh', 'Latest'])} estimate of "
        f"{rng.choice(['shipments', 'deliveries', 'cargo', 'troop numbers', 'losses'])} on the "
        f"{rng.choice(KP_PORTS)}-{rng.choice(RU_PORTS)} route (no. {i})"
    )
    # 3-8 KB of file; the wrapper adds a few hundred bytes (HTML about 1.3 KB).
    size = rng.randint(3_000, 7_600)
    overhead = {"md": 250, "txt": 120, "html": 1_300, "pdf": 0}[fmt]
    body = paragraphs(rng, max(1_000, size - overhead), outlet)
    dateline = (
        f"{rng.choice(DATELINES)}, {MONTHS[published.month - 1][:3]} {published.day} ({outlet}) - "
    )
    if style == "wire":
        body[0] = dateline + body[0]
    name = f"{slug}_{published.isoformat()}_{topic}_{i:07d}.{fmt}"
    rel = f"reports/{i // REPORTS_PER_DIR:03d}/{name}"
    url = f"https://{slug.replace('_', '-')}.example.org/{published:%Y/%m/%d}/{topic}-{i}"
    if fmt == "md":
        head = (
            f'---\nurl: "{url}"\noutlet: "{outlet}"\npublished: {published.isoformat()}\n'
            f'title: "{title}"\n---\n\n'
        )
        if rng.random() < 0.4:  # some notes carry section headings and a list
            body.insert(len(body) // 2, "## What the numbers say")
            body.append("- " + noise_sentence(rng, outlet) + "\n- " + noise_sentence(rng, outlet))
        return rel, fmt, head + "\n\n".join(body) + "\n"
    if fmt == "txt":
        return (
            rel,
            fmt,
            title + "\n\n" + "\n\n".join(body) + "\n\n(Reporting by staff; editing by the desk)\n",
        )
    if fmt == "html":
        decoy = rng.randint(1000, 9000)
        page = [
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
            f"<title>{title} | {outlet}</title>\n",
            f'<meta name="published" content="{published.isoformat()}">\n',
            f"<style>\n  .headline {{ font-size: 2.2em; }}\n  /* banner: {decoy} tonnes */\n</style>\n",
            f'<script type="text/javascript">\n  var analytics = {{ page: "{topic}-{i}", wagons: {decoy}, shells: {decoy * 1000} }};\n</script>\n',
            "</head>\n<body>\n<header>\n",
            f'  <div class="logo">{outlet}</div>\n',
            '  <nav><ul><li><a href="/">Front page</a></li><li><a href="/asia">Asia</a></li>'
            '<li><a href="/login">Log in</a></li></ul></nav>\n</header>\n<main>\n',
            f'<h1 class="headline">{title}</h1>\n',
        ]
        page.extend(f"<p>{p}</p>\n\n" for p in body)
        page.append(
            f"</main>\n<footer>\n  <p>{outlet} is published daily. Subscriptions from 4.99 a month.</p>\n"
            f"  <p>&copy; {published.year} {outlet} | Contact | Advertise</p>\n</footer>\n"
            '<script>document.querySelectorAll("a").forEach(function (a) { a.rel = "noopener"; });</script>\n'
            "</body>\n</html>\n"
        )
        return rel, fmt, "".join(page)
    return rel, fmt, _pdf(title, outlet, published, body)


def _pdf(title: str, outlet: str, published: dt.date, body: list[str]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creation_date(
        dt.datetime(published.year, published.month, published.day, tzinfo=dt.UTC)
    )
    pdf.set_title(title)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", size=8)
    pdf.cell(0, 5, f"{outlet} - technical note", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(
        0, 6, title.encode("latin-1", "replace").decode("latin-1"), new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("Helvetica", size=10)
    for p in body:
        pdf.multi_cell(
            0, 5, p.encode("latin-1", "replace").decode("latin-1"), new_x="LMARGIN", new_y="NEXT"
        )
        pdf.ln(3)
    return bytes(pdf.output())


def write_reports(out: Path, seed: int, start: int, count: int) -> dict:
    """Write reports ``start .. start+count-1`` under ``out/inbox``; returns counts, bytes, paths."""
    inbox = out / "inbox"
    paths: list[str] = []
    made_dirs: set[str] = set()
    by_fmt: dict[str, int] = {}
    total = 0
    pdfs = 0
    for i in range(start, start + count):
        rel, fmt, content = report(seed, i, allow_pdf=pdfs < MAX_PDFS)
        pdfs += fmt == "pdf"
        folder = rel.rsplit("/", 1)[0]
        if folder not in made_dirs:
            (inbox / folder).mkdir(parents=True, exist_ok=True)
            made_dirs.add(folder)
        data = content.encode("utf-8") if isinstance(content, str) else content
        with open(inbox / rel, "wb") as handle:
            handle.write(data)
        by_fmt[fmt] = by_fmt.get(fmt, 0) + 1
        total += len(data)
        paths.append(rel)
    return {"files": count, "bytes": total, "by_format": by_fmt, "paths": paths}


# --------------------------------------------------------------------------------------------
# Ledger
# --------------------------------------------------------------------------------------------

LEDGER_VESSELS = [
    "Angara",
    "Maria",
    "Maia-1",
    "Maya-1",
    "MAIA 1",
    "Lady R",
    "Sparta IV",
    "Ursa Major",
]
LEDGER_DEPART = ["Rajin", "Najin", "Rason", "Rajin port", "Chongjin"]
LEDGER_ARRIVE = ["Vostochny", "Dunai", "Dunay", "Vostochny port", "Vladivostok", "Nakhodka"]
EVIDENCE = [
    "satellite imagery",
    "port camera; satellite imagery",
    "AIS gap; satellite imagery",
    "radar imagery",
    "port camera",
]
SOURCES = [
    "Open Hull Project",
    "Eastern Berth Monitor",
    "Korea Maritime Observatory",
    "Harbour Ledger",
]


def write_ledger(out: Path, seed: int, rows: int, inbox_format: str = "csv") -> dict:
    """The voyage ledger as CSV and Parquet under ``out/ledger``; one copy linked into the inbox."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    start = dt.date(2023, 1, 1)
    span = (dt.date(2025, 12, 24) - start).days
    dep = np.datetime64(start) + rng.integers(0, span, rows).astype("timedelta64[D]")
    arr = dep + rng.integers(2, 7, rows).astype("timedelta64[D]")

    def pick(values: list[str]) -> pl.Series:
        return pl.Series(rng.integers(0, len(values), rows), dtype=pl.UInt32).replace_strict(
            list(range(len(values))), values, return_dtype=pl.String
        )

    frame = pl.DataFrame(
        {
            "vessel": pick(LEDGER_VESSELS),
            "departure_port": pick(LEDGER_DEPART),
            "departure_date": pl.Series(dep).cast(pl.Date),
            "arrival_port": pick(LEDGER_ARRIVE),
            "arrival_date": pl.Series(arr).cast(pl.Date),
            "containers": pl.Series(rng.integers(100, 401, rows), dtype=pl.Int32),
            "evidence": pick(EVIDENCE),
            "source": pick(SOURCES),
        }
    )
    folder = out / "ledger"
    folder.mkdir(parents=True, exist_ok=True)
    csv_path, pq_path = folder / "voyages_ledger.csv", folder / "voyages_ledger.parquet"
    frame.write_csv(csv_path)
    frame.write_parquet(pq_path, compression="zstd", statistics=True)
    link_into_inbox(out, inbox_format)
    return {
        "rows": rows,
        "csv_bytes": csv_path.stat().st_size,
        "parquet_bytes": pq_path.stat().st_size,
        "inbox_format": inbox_format,
    }


def link_into_inbox(out: Path, fmt: str) -> None:
    """Put the ledger copy the runs ingest into ``inbox/ledgers`` (a hard link: the scan skips symlinks)."""
    target_dir = out / "inbox" / "ledgers"
    if target_dir.exists():
        shutil.rmtree(target_dir)
    if fmt == "none":
        return
    target_dir.mkdir(parents=True)
    for ext in ["csv", "parquet"] if fmt == "both" else [fmt]:
        src = out / "ledger" / f"voyages_ledger.{ext}"
        dst = target_dir / src.name
        try:
            os.link(src, dst)
        except OSError:
            shutil.copyfile(src, dst)


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def generate(out: Path, reports: int, rows: int, seed: int = 42, inbox_ledger: str = "csv") -> dict:
    """A fresh archive (anything already at ``out`` is removed first)."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    t0 = time.perf_counter()
    rep = write_reports(out, seed, 0, reports)
    t1 = time.perf_counter()
    led = write_ledger(out, seed, rows, inbox_ledger)
    t2 = time.perf_counter()
    manifest = {
        "seed": seed,
        "reports": reports,
        "next_report": reports,
        "rows": rows,
        "report_bytes": rep["bytes"],
        "by_format": rep["by_format"],
        "ledger": led,
        "added": [],
        "seconds": {"reports": round(t1 - t0, 2), "ledger": round(t2 - t1, 2)},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def add_new(out: Path, pct: float) -> dict:
    """Add ``pct`` percent new reports (by the current report count) to an existing archive."""
    manifest = json.loads((out / "manifest.json").read_text())
    count = max(1, math.ceil(manifest["reports"] * pct / 100))
    start = manifest["next_report"]
    rep = write_reports(out, manifest["seed"], start, count)
    manifest["added"].append(
        {"start": start, "files": count, "bytes": rep["bytes"], "paths": rep["paths"]}
    )
    manifest["next_report"] = start + count
    manifest["reports"] += count
    manifest["report_bytes"] += rep["bytes"]
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return {"start": start, "files": count, "bytes": rep["bytes"]}


def reset_added(out: Path) -> None:
    """Remove every report that ``add_new`` added, restoring the archive as generated."""
    manifest = json.loads((out / "manifest.json").read_text())
    for added in manifest["added"]:
        for rel in added["paths"]:
            (out / "inbox" / rel).unlink(missing_ok=True)
        manifest["reports"] -= added["files"]
        manifest["report_bytes"] -= added["bytes"]
        manifest["next_report"] = min(manifest["next_report"], added["start"])
    manifest["added"] = []
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--out", type=Path, required=True, help="archive folder (replaced unless --add-new)"
    )
    ap.add_argument(
        "--preset",
        choices=sorted(PRESETS),
        help="small: 1,000 + 100,000; full: 100,000 + 10,000,000",
    )
    ap.add_argument("--reports", type=int, help="report files (default 100,000)")
    ap.add_argument("--rows", type=int, help="ledger rows (default 10,000,000)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument(
        "--inbox-ledger",
        choices=["csv", "parquet", "both", "none"],
        default="csv",
        help="which ledger copy the inbox holds (both formats are always written to DIR/ledger)",
    )
    ap.add_argument(
        "--add-new", type=float, metavar="PCT", help="add PCT%% new reports to an existing archive"
    )
    ap.add_argument("--reset", action="store_true", help="remove the reports --add-new added")
    args = ap.parse_args(argv)
    if args.reset:
        reset_added(args.out)
        return 0
    if args.add_new is not None:
        added = add_new(args.out, args.add_new)
        print(f"added {added['files']} reports ({added['bytes'] / 1e6:.1f} MB) to {args.out}")
        return 0
    preset = PRESETS.get(args.preset or "", {"reports": 100_000, "rows": 10_000_000})
    reports = args.reports if args.reports is not None else preset["reports"]
    rows = args.rows if args.rows is not None else preset["rows"]
    m = generate(args.out, reports, rows, args.seed, args.inbox_ledger)
    print(
        f"{args.out}: {reports:,} reports ({m['report_bytes'] / 1e6:.1f} MB, {m['by_format']}) "
        f"in {m['seconds']['reports']} s; ledger {rows:,} rows (csv {m['ledger']['csv_bytes'] / 1e6:.1f} MB, "
        f"parquet {m['ledger']['parquet_bytes'] / 1e6:.1f} MB) in {m['seconds']['ledger']} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
