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
_VERBS = frozenset(
    [
        "bake",
        "brew",
        "build",
        "climb",
        "code",
        "cook",
        "dance",
        "design",
        "draw",
        "drive",
        "fly",
        "garden",
        "juggle",
        "knit",
        "make",
        "paint",
        "photograph",
        "play",
        "program",
        "read",
        "ride",
        "sail",
        "sew",
        "sing",
        "ski",
        "speak",
        "surf",
        "swim",
        "teach",
        "train",
        "write",
    ]
)
_DOUBLED = {"run": "running", "swim": "swimming", "knit": "knitting", "jog": "jogging"}


def _gerund(phrase: str) -> str:
    """ "bake sourdough bread" → "baking sourdough bread", so it reads well in titles."""
    first, _, rest = phrase.partition(" ")
    verb = first.lower()
    if verb in _DOUBLED:
        ing = _DOUBLED[verb]
    elif verb in _VERBS:
        ing = verb[:-1] + "ing" if verb.endswith("e") and not verb.endswith("ee") else verb + "ing"
    else:
        return phrase
    return f"{ing} {rest}".strip()


def key_phrase(goal: str) -> str:
    """The subject of a goal: "I want to learn beekeeping so I can…" → "beekeeping"."""
    text = " ".join(goal.split())
    while (stripped := _PREFIXES.sub("", text, count=1)) != text:
        text = stripped
    text = _CUT.split(text, maxsplit=1)[0].strip(" '\"")
    words = text.split()[:6]
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
    return Topic(key=f"language-{q}", label=language, kind="language", **fields)


def generic_topic(phrase: str) -> Topic:
    """A goal-specific outline for a subject the knowledge base does not know."""
    return Topic(
        key="generic", label=phrase, kind="generic", **_filled(knowledge().generic, phrase)
    )


def _score(topic: Topic, text: str) -> int:
    return sum(1 for p in topic.patterns if re.search(p, text, re.IGNORECASE))


def find_topic(goal: str) -> Topic:
    """The knowledge-base entry for a goal, a language outline, or a generic outline.

    What the goal is about weighs more than what it is for: "Learn SQL for data analysis" is
    about SQL (its subject, :func:`key_phrase`), though "data analysis" also names a topic."""
    subject = key_phrase(goal)
    best, best_score = None, 0
    for topic in knowledge().topics:
        score = 2 * _score(topic, subject) + _score(topic, goal)
        if score > best_score:
            best, best_score = topic, score
    if best is not None:
        return best
    for language in knowledge().languages.names:
        if re.search(rf"\b{language}\b", goal, re.IGNORECASE):
            return language_topic(language)
    return generic_topic(key_phrase(goal))


def other_topic(topic: Topic, index: int) -> Topic:
    """A different knowledge-base topic, for distractors; ``index`` picks which."""
    others = [t for t in knowledge().topics if t.key != topic.key]
    return others[index % len(others)]
