"""Phrase tables from reference/ matched against token lists (shared by every stage)."""

from __future__ import annotations

from transforms.claims.tokens import Token
from transforms.rules import ExtractionRules, word_tuple

PhraseTable = dict[tuple[str, ...], str]
PhraseSet = set[tuple[str, ...]] | frozenset[tuple[str, ...]]

# Phrase tables indexed by their first word (keyed by id() but holding the table too, so a
# recycled id never returns a stale index): first word -> phrase lengths (longest first,
# at most 4) for match_at, and first word -> phrases for has_phrase.
_LENGTHS: dict[int, tuple[object, dict[str, tuple[int, ...]]]] = {}
_BY_FIRST: dict[int, tuple[object, dict[str, tuple[tuple[str, ...], ...]]]] = {}


def lengths_by_first(table: PhraseTable | PhraseSet) -> dict[str, tuple[int, ...]]:
    """First word -> lengths of the phrases starting with it (longest first, at most 4)."""
    cached = _LENGTHS.get(id(table))
    if cached is None or cached[0] is not table:
        sizes: dict[str, set[int]] = {}
        for phrase in table:
            if phrase and len(phrase) <= 4:
                sizes.setdefault(phrase[0], set()).add(len(phrase))
        cached = (table, {w: tuple(sorted(ls, reverse=True)) for w, ls in sizes.items()})
        _LENGTHS[id(table)] = cached
    return cached[1]


def _phrases_by_first(phrases: PhraseSet) -> dict[str, tuple[tuple[str, ...], ...]]:
    cached = _BY_FIRST.get(id(phrases))
    if cached is None or cached[0] is not phrases:
        index: dict[str, list[tuple[str, ...]]] = {}
        for phrase in phrases:
            if phrase:
                index.setdefault(phrase[0], []).append(phrase)
        cached = (phrases, {w: tuple(ps) for w, ps in index.items()})
        _BY_FIRST[id(phrases)] = cached
    return cached[1]


def match_at(tokens: list[Token], k: int, table: PhraseTable) -> tuple[str, int] | None:
    """Longest phrase of ``table`` (up to 4 words) starting at token k -> (value, length)."""
    if k >= len(tokens):
        return None
    lengths = lengths_by_first(table).get(tokens[k].low)
    if lengths is None:
        return None
    return match_lengths(tokens, k, table, lengths)


def match_lengths(
    tokens: list[Token], k: int, table: PhraseTable, lengths: tuple[int, ...]
) -> tuple[str, int] | None:
    """The first of ``lengths`` at which a phrase of ``table`` starts at token k."""
    n = len(tokens)
    for length in lengths:
        if k + length > n:
            continue
        if length == 1:
            hit = table.get((tokens[k].low,))
        else:
            hit = table.get(tuple([t.low for t in tokens[k : k + length]]))
        if hit is not None:
            return hit, length
    return None


_LOWS: dict[int, tuple[list[Token], list[str], frozenset[str]]] = {}
# Every stage walks all sentences in turn and asks again: the memo holds a whole chunk's
# sentences (a few hundred bytes each) rather than thrashing over the last few thousand.
_LOWS_LIMIT = 1 << 18


def lows_of(tokens: list[Token]) -> tuple[list[Token], list[str], frozenset[str]]:
    """Lower-case words of a token list, and their set (kept for the lists asked often)."""
    found = _LOWS.get(id(tokens))
    if found is None or found[0] is not tokens:
        if len(_LOWS) > _LOWS_LIMIT:
            _LOWS.clear()
        lows = [t.low for t in tokens]
        found = _LOWS[id(tokens)] = (tokens, lows, frozenset(lows))
    return found


def forget_words() -> None:
    """Drop the memo of :func:`lows_of` (at the end of a batch: it keeps token lists alive)."""
    _LOWS.clear()


def has_phrase(tokens: list[Token], lo: int, hi: int, phrases: PhraseSet) -> bool:
    """Whether any phrase occurs in tokens[lo:hi]."""
    index = _phrases_by_first(phrases)
    _same, every, present = lows_of(tokens)
    if lo <= 0 and hi >= len(tokens):
        if index.keys().isdisjoint(present):
            return False
        lows = every
    else:
        lows = every[max(lo, 0) : hi]
        if index.keys().isdisjoint(lows):
            return False
    for k, word in enumerate(lows):
        candidates = index.get(word)
        if candidates is not None:
            for phrase in candidates:
                if len(phrase) == 1 or tuple(lows[k : k + len(phrase)]) == phrase:
                    return True
    return False


def words_before(tokens: list[Token], i: int, n: int) -> list[str]:
    """Lower-case words of the n tokens before token i."""
    return [t.low for t in tokens[max(0, i - n) : i]]


def contains_seq(words: list[str], phrase: tuple[str, ...]) -> bool:
    """Whether the phrase occurs in a list of lower-case words."""
    if phrase[0] not in words:
        return False
    n = len(phrase)
    return n == 1 or any(tuple(words[k : k + n]) == phrase for k in range(len(words) - n + 1))


class Vocab:
    """Word sets of one rules object, derived once (roles of grammar_words.csv and
    claimant_words.csv, and unions the stages test often)."""

    def __init__(self, rules: ExtractionRules) -> None:
        role = rules.role
        self.rules = rules
        self.percent = tuple(sorted({word_tuple(w) for w in role("percent_word")}))
        self.percent_first = frozenset(p[0] for p in self.percent)
        self.range_words = role("range_word")
        self.range_or_and = self.range_words | {"and"}
        self.munition_nouns = rules.share_nouns | {word_tuple(w) for w in role("munition_word")}
        self.rate_first = role("rate_first")
        self.rate_units = role("rate_unit")
        self.rate_adverbs = role("rate_adverb")
        self.bare_extenders = role("bare_extender")
        self.determiners = role("determiner")
        self.not_only = role("not_only")
        self.share_determiners = role("share_determiner")
        self.distance_after = role("distance_after")
        self.titles = role("title")
        self.honorifics = role("honorific")
        self.titles_and_honorifics = self.titles | self.honorifics
        # Month names start sentences ("In March ..."); abbreviations are left out, since
        # "Jan" is also a given name.
        self.not_names = role("not_name") | {
            m.capitalize() for m in rules.month_numbers if len(m) > 3 or m == "may"
        }
        self.body_heads = role("body_head")
        self.unnamed_people = role("unnamed_people")
        self.first_person = role("first_person")
        self.question_labels = role("question_label")
        self.answer_labels = role("answer_label")
        self.auxiliaries = role("auxiliary")
        self.verb_adverbs = role("verb_adverb")
        self.passive_markers = role("passive_marker")
        self.passive_adverbs = role("passive_adverb")
        self.relay_stops = role("relay_stop")
        self.speaker_verbs = role("speaker_verb")
        self.subject_pronouns = role("subject_pronoun")
        self.running_cues = frozenset(w.split()[0] for w in role("running_cue"))
        self.capacity_cues = tuple(word_tuple(w) for w in role("capacity_cue"))
        self.report_modifiers = role("report_modifier")
        self.share_predicates = tuple(word_tuple(w) for w in role("share_predicate"))
        self.acronym_fillers = role("acronym_filler")
        self.name_links = role("name_link")
        self.predicate_fillers = role("predicate_filler") | self.auxiliaries
        self.fraction_words = frozenset(
            w for w, (_v, kind) in rules.number_word_values.items() if kind == "fraction"
        )
        self.partitives = role("partitive")
        self.elided_modifiers = role("elided_modifier")
        self.needs_at = role("needs_at")
        self.clause_openers = role("clause_opener")
        self.np_enders = role("np_ender")
        self.np_leaders = role("np_leader")
        self.contrasts = role("contrast")
        self.cue_blockers = role("cue_blocker")
        self.occasion_nouns = role("occasion_noun")
        self.aside_openers = role("aside_opener")
        self.time_adverbs = role("time_adverb")
        self.time_leaders = role("time_leader")
        self.time_nouns = role("time_noun") | frozenset(
            m for m in rules.month_numbers if len(m) > 3 or m == "may"
        )  # not "Jan", "Mar": first names and words
        self.abbreviations = role("abbreviation")
        self.appositive_participles = role("appositive_participle")
        self.org_nouns = role("org_noun")
        self.report_nouns = role("report_noun")
        self.person_nouns = role("person_noun")
        self.state_bodies = role("state_body")
        self.group_adjectives = role("group_adjective")
        self.relay_verbs = tuple(
            sorted((word_tuple(w) for w in role("relay_verb")), key=len, reverse=True)
        )
        self.nationalities = frozenset(a.lower() for a in rules.demonym_iso if " " not in a)
        self.not_surnames = (
            role("not_surname")
            | self.body_heads
            | self.org_nouns
            | self.state_bodies
            | self.group_adjectives
            | self.titles_and_honorifics
        )


_VOCABS: dict[int, Vocab] = {}


def vocab(rules: ExtractionRules) -> Vocab:
    """The :class:`Vocab` of a rules object (built on first use)."""
    found = _VOCABS.get(id(rules))
    if found is None or found.rules is not rules:
        found = _VOCABS[id(rules)] = Vocab(rules)
    return found
