"""Stage 4a: claimant names as written: titles, owners and bodies, quotations, known names."""

from __future__ import annotations

import re

from transforms.claims.lexicon import Vocab
from transforms.claims.model import Claimant
from transforms.claims.tokens import LOWER, UPPER, Token
from transforms.entities import Mention
from transforms.rules import ExtractionRules

_POSSESSIVE = re.compile(r"['’]s$")

_NAME_WORD = re.compile(r"[" + UPPER + r"][\w'’.-]*")


def is_name_word(text: str) -> bool:
    """A capitalised word ("Lipavsky", "Radosław", "U.S.", "Shin's")."""
    return _NAME_WORD.fullmatch(text) is not None


def claimant_of(m: Mention) -> Claimant:
    """The claimant an alias mention names."""
    if m.entity_type == "country":
        # A capital or government standing for its state ("Kyiv said", "the United
        # States gave"): keep the name as written, which is how reports cite them.
        name = re.sub(r"^(?i:the)\s+", "", m.surface)
        return Claimant(name, "country", m.iso2)
    return Claimant(m.canonical, m.entity_type, m.iso2, m.surface)


def is_verb_filler(t: Token, v: Vocab) -> bool:
    """An auxiliary or adverb between a claimant and its reporting verb."""
    low = t.low
    if t.kind != "word" or not t.text.islower():
        return False
    return low in v.auxiliaries or low in v.verb_adverbs or (len(low) > 4 and low.endswith("ly"))


def lowercase_body(prev: list[Token], v: Vocab) -> list[Token]:
    """Trailing lower-case words ending in a body noun ("defence ministry") right after a
    capitalised owner ("Finland's", "Finnish"); empty when there is none."""
    if not prev or prev[-1].low not in v.body_heads or not prev[-1].text.islower():
        return []
    j = len(prev) - 1
    while j > 0 and len(prev) - j < 3 and prev[j - 1].text.islower() and prev[j - 1].kind == "word":
        j -= 1
    words = prev[j:]
    if j == 0 or not is_name_word(prev[j - 1].text) or prev[j - 1].text in v.not_names:
        return []
    if any(w.low in v.auxiliaries or w.low in v.passive_markers for w in words):
        return []
    return words


def strip_titles(words: list[str], v: Vocab) -> list[str]:
    """Drop leading job titles, possessives and anything before the last title from an
    unknown name ("Analyst Jane Roe", "Czech President Jan Novak" -> "Jan Novak";
    "Ukraine's Border Guard" -> "Border Guard")."""
    titles = v.titles_and_honorifics
    last = max((k for k, w in enumerate(words) if w.lower().rstrip(".") in titles), default=-1)
    if 0 <= last < len(words) - 1:
        words = words[last + 1 :]
    while words and (
        words[0].lower().rstrip(".") in titles
        or (len(words) > 1 and words[0].endswith(("'s", "’s")))
    ):
        words = words[1:]
    return [_POSSESSIVE.sub("", w) for w in words]


def owned_body(sentence: str, m: Mention, later: list[Mention]) -> Mention:
    """ "Ukraine's Defence Intelligence": the body named after a country's possessive."""
    if m.entity_type != "country" or not later or later[0].entity_type == "country":
        return m
    gap = sentence[m.end : later[0].start]
    if re.fullmatch(r"['’]s\s+", gap):
        return later[0]
    return m


def titled_person(sentence: str, m: Mention, later: list[Mention], v: Vocab) -> Mention:
    """'<agency>'s chief <Person>' -> the person; otherwise the mention itself."""
    if m.entity_type == "person" or not later or later[0].entity_type != "person":
        return m
    gap = sentence[m.end : later[0].start].lower()
    words = re.findall(r"[a-z]+", gap)
    if len(words) <= 4 and any(w in v.titles for w in words) and not re.search(r"[,;:.]", gap):
        return later[0]
    return m


_BIGRAM = re.compile(
    r"(?<![\w'’-])(["
    + UPPER
    + r"]["
    + LOWER
    + r"'’-]+)(?= (["
    + UPPER
    + r"]["
    + LOWER
    + r"'’-]+)(?![\w'’-]))"
)
_NAMES: dict[int, tuple[str, dict[str, list[tuple[int, str, str]]]]] = {}


def _name_pairs(text: str) -> dict[str, list[tuple[int, str, str]]]:
    """Word -> (end, "First Last", other word) of every pair of capitalised words, by end."""
    cached = _NAMES.get(id(text))
    if cached is None or cached[0] is not text:
        if len(_NAMES) > 64:
            _NAMES.clear()
        pairs: dict[str, list[tuple[int, str, str]]] = {}
        for m in _BIGRAM.finditer(text):
            first, last = m.group(1), m.group(2)
            end = m.end() + 1 + len(last)
            pairs.setdefault(last, []).append((end, f"{first} {last}", first))
            pairs.setdefault(first, []).append((end, f"{first} {last}", last))
        cached = _NAMES[id(text)] = (text, pairs)
    return cached[1]


def full_name(text: str, surname: str, before: int, v: Vocab) -> str | None:
    """'Novak' -> 'Jan Novak', 'Lee' -> 'Lee Seong-kweun' when the text before ``before``
    names the person in full (given name first, or family name first)."""
    if not surname[:1].isupper() or not surname[1:].islower() or len(surname) < 3:
        return None
    if surname.lower() in v.not_surnames:
        return None  # "Defence" is not a family name
    found = None
    for end, name, other in _name_pairs(text).get(surname, ()):
        if end > before:
            break
        if other not in v.not_names and other.lower() not in v.not_surnames:
            found = name
    return found


def country_for_demonym(source: Claimant | None, rules: ExtractionRules) -> Claimant | None:
    """'By South Korean estimates': a bare nationality adjective stands for its country."""
    if source is None or source.entity_type is not None:
        return source
    iso = rules.demonym_iso.get(source.name.lower())
    if iso is None:
        return source
    for _alias, (_eid, etype, canon, iso2) in rules.alias_rows.items():
        if etype == "country" and iso2 == iso:
            return Claimant(canon, "country", iso)
    return source


def prefer_agency(
    source: Claimant | None, carried: tuple[Claimant | None, Claimant | None] | None
) -> Claimant | None:
    """'According to Seoul' right after 'South Korean intelligence reported': the capital
    stands for the agency already named in the paragraph."""
    if (
        source is not None
        and source.entity_type == "country"
        and carried is not None
        and carried[0] is not None
        and carried[0].entity_type in ("organisation", "person")
        and carried[0].iso2 == source.iso2
    ):
        return carried[0]
    return source


def distinct(source: Claimant | None, via: Claimant | None) -> Claimant | None:
    """An intermediary is only worth recording when it is not the source itself."""
    if via is None or (source is not None and via.name == source.name):
        return None
    return via
