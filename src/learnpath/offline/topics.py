"""Which topic a learner's goal is about.

:func:`find_topic` matches a goal to a topic of the knowledge base
(:mod:`learnpath.offline.knowledge`); goals nothing matches get a generic outline built from
the goal's key phrase (:func:`generic_topic`), human languages without a topic of their own a
language-learning outline (:func:`language_topic`).
"""

from __future__ import annotations

import functools
import re
from typing import Any

from learnpath.offline.knowledge import Outline, Topic, knowledge

_PREFIXES = re.compile(
    r"^(?:i\s+(?:really\s+)?(?:want|would\s+(?:like|love)|need|wish|plan|hope)\s+to\s+"
    r"|i'?d\s+(?:really\s+)?(?:like|love)\s+to\s+|(?:better|good|great)\s+(?:at\s+)?"
    r"|i'?m\s+(?:trying|hoping|planning|going)\s+to\s+|please\s+|help\s+me\s+(?:to\s+)?"
    r"|teach\s+me\s+(?:about\s+|how\s+to\s+)?|how\s+(?:do\s+i\s+|can\s+i\s+|to\s+)"
    r"|learn(?:ing)?\s+(?:about\s+|how\s+to\s+|to\s+)?|get(?:ting)?\s+(?:started|better|good)"
    r"\s+(?:with|at|in)\s+|become\s+(?:an?\s+|better\s+at\s+)?|master(?:ing)?\s+"
    r"|understand(?:ing)?\s+|study(?:ing)?\s+|improve\s+(?:my\s+)?|start\s+(?:with\s+)?"
    r"|(?:an?\s+)?(?:introduction|intro)\s+to\s+|(?:the\s+)?(?:basics|fundamentals)\s+of\s+"
    r"|(?:a|an|the|my|some|more)\s+)",
    re.IGNORECASE,
)
_CUT = re.compile(
    r"\s+(?:so|because|for|in order|to|by|before|within|while|as|since|and then|which|that"
    r"|in \d|at (?:home|work)|from scratch|with my)\b|[,.;:!?()\[\]]|\s[-–—]\s",
    re.IGNORECASE,
)
_VERBS = (
    "bake brew build climb code cook dance design draw drive fly garden juggle knit make paint "
    "photograph play program read ride sail sew sing ski speak surf swim teach train write"
)
_DOUBLED = {"run": "running", "swim": "swimming", "knit": "knitting", "jog": "jogging"}


def _gerund(phrase: str) -> str:
    """ "bake sourdough bread" → "baking sourdough bread", so it reads well in titles."""
    first, _, rest = phrase.partition(" ")
    verb = first.lower()
    if verb in _DOUBLED:
        ing = _DOUBLED[verb]
    elif verb in _VERBS.split():
        ing = verb[:-1] + "ing" if verb.endswith("e") and not verb.endswith("ee") else verb + "ing"
    else:
        return phrase
    return f"{ing} {rest}".strip()


def _subject(goal: str) -> str:
    """What a goal is about, as written: "I want to learn Go for web apps" → "Go"."""
    text = " ".join(goal.split())
    while (stripped := _PREFIXES.sub("", text, count=1)) != text:
        text = stripped
    return _CUT.split(text, maxsplit=1)[0].strip(" '\"")


def key_phrase(goal: str) -> str:
    """The subject of a goal for titles: "I want to learn beekeeping so I can…" → "beekeeping"."""
    words = _subject(goal).split()[:6]
    phrase = _gerund(" ".join(words))[:60].strip()
    if len(phrase) < 3:
        phrase = " ".join(goal.split()[:5])[:60].strip() or "your subject"
    return phrase


def _filled(outline: Outline, label: str) -> dict[str, Any]:
    """The outline's fields (as data) with ``{L}`` replaced by ``label`` in every text."""

    def fill(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace("{L}", label)
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [fill(v) for v in value]
        return value

    return {k: fill(v) for k, v in outline.model_dump(include=set(Outline.model_fields)).items()}


@functools.cache
def language_topic(language: str) -> Topic:
    """A language-learning outline for a human language without a topic of its own."""
    q = language.lower()
    fields = _filled(knowledge().languages, language)
    pattern = rf"\b{re.escape(q)}\b"
    return Topic(
        key=f"language-{q}", label=language, kind="language", patterns=(pattern,), **fields
    )


def generic_topic(phrase: str) -> Topic:
    """A goal-specific outline for a subject the knowledge base does not know."""
    return Topic(
        key="generic", label=phrase, kind="generic", **_filled(knowledge().generic, phrase)
    )


@functools.cache
def _candidates() -> tuple[Topic, ...]:
    """Every topic a goal can match, in priority order: the knowledge base's, then languages."""
    return knowledge().topics + tuple(language_topic(n) for n in knowledge().languages.names)


def _hits(patterns: tuple[str, ...], text: str) -> int:
    return sum(1 for p in patterns if re.search(p, text, re.IGNORECASE))


def _score(topic: Topic, subject: str, goal: str) -> int:
    """Names weigh twice as much as areas, and a match in the subject three times as much as
    one in the rest of the goal (it counts in both)."""
    names = 2 * _hits(topic.patterns, subject) + _hits(topic.patterns, goal)
    areas = 2 * _hits(topic.areas, subject) + _hits(topic.areas, goal)
    return 2 * names + areas


@functools.lru_cache(maxsize=128)
def find_topic(goal: str) -> Topic:
    """The topic a goal is about: a knowledge-base topic, a language, or a generic outline.
    Every agent of a roadmap asks it for the same goal, so the last goals' topics are kept.

    The subject (what comes before "for", "to", "so"…) weighs more than what it is for, and a
    topic's names more than its areas: "Learn SQL for data analysis" and "data analysis with
    SQL" are SQL, "Learn German for data science" is German. A topic that specialises the
    winner, and that the goal also names, takes over: "Python for data science" is machine
    learning, which teaches Python's data tools. On a tie the topic listed first wins."""
    subject = _subject(goal)
    scores = [(_score(topic, subject, goal), topic) for topic in _candidates()]
    best_score, best = max(scores, key=lambda s: s[0])
    if not best_score:
        return generic_topic(key_phrase(goal))
    special = (t for score, t in scores if score and best.key in t.specialises)
    return next(special, best)


def other_topic(topic: Topic, index: int) -> Topic:
    """A different knowledge-base topic, for distractors; ``index`` picks which."""
    others = [t for t in knowledge().topics if t.key != topic.key]
    return others[index % len(others)]
