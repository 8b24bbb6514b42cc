"""Stage 3 driver: the metric of every number mention, with what earlier sentences of the
document tell about bare figures (the previous sentence's soldiers, a question being
answered, the last counted noun)."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from transforms.claims.elision import last_counted
from transforms.claims.frames import Document, Sentence, by_row, columns
from transforms.claims.lexicon import has_phrase, match_at
from transforms.claims.metric import SentenceMetrics
from transforms.claims.model import Draft, SentenceContext
from transforms.claims.numbers import phrase_of
from transforms.claims.sentences import TokenStore, is_question
from transforms.claims.tokens import Token
from transforms.rules import ExtractionRules

FIGURE_SCHEMA = {
    "row": pl.UInt32,  # row of the sentence frame
    "metric": pl.String,
    "low": pl.Float64,
    "high": pl.Float64,
    "unit": pl.String,
    "qualifier": pl.String,
    "start": pl.Int64,  # quote offsets in the sentence
    "end": pl.Int64,
    "pos": pl.Int64,  # where the numeral itself starts
}
# Sentences back that an attributed "the total", "the figure" ("the Pentagon had put the
# total at about 3,000") may reach for the counted noun; two without a named claimant.
_ANAPHOR_REACH = 4
# Sentences back that a bare figure which moves or follows something ("Another 631,000 should
# follow") may reach for the thing last counted.
_RUNNING_REACH = 5
_DROPPED = "dropped"  # a sentence whose figures were all dropped


@dataclass(slots=True)
class _Context:
    """What the sentences read so far in a document say about the next one."""

    troops_in_prev: bool = False
    prev_para: int = -1
    question: tuple[int, str | None] | None = None  # (paragraph, metric) of the last question
    recent: tuple[int, str] | None = None  # (sentence, metric) of the last figure
    prev_row: int | None = None  # the previous sentence
    since_troops: int = 99  # sentences since the last one about soldiers
    weighed: bool = False  # an earlier sentence weighed munitions in tonnes
    # (sentence, row, metric, look): the last claim's metric of each sentence so far, or
    # (look) the sentence is searched for a counted noun only when a bare figure needs it
    history: list[tuple[int, int, str | None, bool]] = field(default_factory=list)


def count_metrics(
    docs: list[Document],
    tokens: TokenStore,
    numbers: pl.DataFrame,
    named: set[int],
    changes: dict[int, bool],
    rules: ExtractionRules,
) -> pl.DataFrame:
    """One row per number mention that counts a metric. ``named`` holds the sentence rows
    whose reporting frames name a claimant; ``changes`` says which read ranges as changes."""
    out = columns(FIGURE_SCHEMA)
    phrases = by_row(numbers)
    for doc in docs:
        ctx = _Context()
        for s in doc.sentences:
            if s.furniture:
                continue
            drafts = _read(
                ctx,
                s,
                tokens,
                phrases.get(s.row, []),
                s.row in named,
                changes.get(s.row, False),
                rules,
            )
            for d in drafts:
                values = (
                    s.row,
                    d.metric,
                    d.low,
                    d.high,
                    d.unit,
                    d.qualifier,
                    d.start,
                    d.end,
                    d.pos,
                )
                for key, value in zip(FIGURE_SCHEMA, values, strict=True):
                    out[key].append(value)
            _advance(ctx, s, tokens, rules)
    return pl.DataFrame(out, schema=FIGURE_SCHEMA)


def _read(
    ctx: _Context,
    s: Sentence,
    tokens: TokenStore,
    rows: list[dict],
    named: bool,
    change: bool,
    rules: ExtractionRules,
) -> list[Draft]:
    """The figures of one sentence; records what it counted for the sentences after it."""
    if not s.candidate:
        ctx.history = [*ctx.history[-_RUNNING_REACH + 1 :], (s.sent_idx, s.row, None, True)]
        return []
    context = _sentence_context(ctx, s.para_idx, s.sent_idx, named, tokens, rules)
    prev_troops = ctx.troops_in_prev and s.para_idx == ctx.prev_para
    reader = SentenceMetrics(s.text, tokens[s.row], rules, prev_troops, context)
    found = [phrase_of(r) for r in rows]
    drafts = reader.run(found, change)
    # the last claim's metric; else the sentence's last counted noun, looked for on first use
    # (not soldiers whose figure was dropped, such as "servicemen trained")
    noun = drafts[-1].metric if drafts else (_DROPPED if found else None)
    ctx.history = [*ctx.history[-_RUNNING_REACH + 1 :], (s.sent_idx, s.row, noun, not drafts)]
    counted = [d for d in drafts if d.pos not in reader.capacities]  # not "could hold"
    if counted:
        ctx.recent = (s.sent_idx, counted[-1].metric)
        ctx.weighed = ctx.weighed or any(d.metric == "explosives_tonnes" for d in drafts)
    return drafts


def _running_of(
    history: list[tuple[int, int, str | None, bool]], store: TokenStore, rules: ExtractionRules
):
    """The thing last counted in the sentences before (read on first use)."""

    def running() -> str | None:
        for _idx, row, noun, look in reversed(history):
            if not look:
                return noun  # the sentence's last claim
            found = last_counted(store[row], rules)
            if found is not None and not (
                noun is _DROPPED and rules.metric_units.get(found) == "persons"
            ):
                return found
        return None

    return running


def _lazy(store: TokenStore, row: int):
    return lambda: store[row]


def _sentence_context(
    ctx: _Context,
    para_idx: int,
    sent_idx: int,
    named: bool,
    store: TokenStore,
    rules: ExtractionRules,
) -> SentenceContext:
    q, recent = ctx.question, ctx.recent
    reach = _ANAPHOR_REACH if named else 2
    return SentenceContext(
        prev_troops=ctx.troops_in_prev,
        answer_topic=q[1] if q is not None and para_idx in (q[0], q[0] + 1) else None,
        recent_metric=recent[1] if recent is not None and sent_idx - recent[0] <= 2 else None,
        earlier_metric=recent[1] if recent is not None and sent_idx - recent[0] <= reach else None,
        prev_tokens=None if ctx.prev_row is None else _lazy(store, ctx.prev_row),
        troops_nearby=ctx.since_troops <= 3,
        prev_in_para=ctx.prev_para == para_idx,
        munitions_weighed=ctx.weighed,
        running=_running_of(ctx.history, store, rules),
    )


def _advance(ctx: _Context, s: Sentence, store: TokenStore, rules: ExtractionRules) -> None:
    """Update the context after a sentence."""
    para_idx, sentence = s.para_idx, s.text
    tokens = store[s.row] if s.troop_hint or s.candidate or is_question(sentence) else []
    ctx.prev_para = para_idx
    ctx.prev_row = s.row
    ctx.troops_in_prev = bool(tokens) and has_phrase(tokens, 0, len(tokens), rules.troop_nouns)
    ctx.since_troops = 1 if ctx.troops_in_prev else ctx.since_troops + 1
    if is_question(sentence):
        ctx.question = (para_idx, _question_metric(tokens, rules))
    elif ctx.question is not None and para_idx > ctx.question[0] + 1:
        ctx.question = None


def _question_metric(tokens: list[Token], rules: ExtractionRules) -> str | None:
    """Counted noun of a question ("How many soldiers are there now?")."""
    for k in range(len(tokens)):
        hit = match_at(tokens, k, rules.forward_keywords)
        if hit is not None and hit[0] != "-":
            return hit[0]
    return None
