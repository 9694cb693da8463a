"""The quiz agent's offline answer: questions whose answers come from the roadmap and the topic.

Each question's correct answer is a fact of the material: the concept's place in the roadmap
and the topic outline, its prerequisites, its keywords, its description, or one of the topic's
true/false facts. Wrong options come from elsewhere in the outline or from another topic.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from learnpath.domain.content import QuestionKind, Quiz
from learnpath.domain.roadmap import Difficulty
from learnpath.offline.content import Context, context
from learnpath.offline.knowledge import Topic
from learnpath.offline.text import lower_first, truncate
from learnpath.offline.topics import other_topic

EFFECTIVE = "Use it in a small exercise of your own and review what went wrong"
INEFFECTIVE = (
    "Re-read the definition until you can recite it",
    "Skip it and come back only if something breaks",
    "Watch someone else use it without trying it yourself",
)


@dataclass
class _Question:
    kind: QuestionKind
    question: str
    correct: list[str]
    wrong: list[str]
    explanation: str
    difficulty: Difficulty


def _pick(rng: random.Random, pool: Sequence[str], k: int, avoid: Sequence[str]) -> list[str]:
    seen = {a.lower() for a in avoid}
    unique = [p for p in dict.fromkeys(pool) if p.lower() not in seen]
    return rng.sample(unique, min(k, len(unique)))


def _true_false(statement: str, truth: bool, explanation: str, level: Difficulty) -> _Question:
    return _Question(
        "true_false",
        f"True or false: {statement}",
        ["True" if truth else "False"],
        ["False" if truth else "True"],
        explanation,
        level,
    )


def _names(topic: Topic) -> list[str]:
    return [c for _, c in topic.flat()]


def _placement(ctx: Context) -> _Question:
    """True: the concept builds on its last prerequisite, or sits in its module."""
    name, data = ctx.name, ctx.data
    if data.prerequisite_names:
        prereq = data.prerequisite_names[-1]
        statement = f"“{name}” builds on “{prereq}”, which comes earlier in this roadmap."
        why = f"True: the roadmap lists “{prereq}” as a prerequisite of “{name}”."
    else:
        statement = f"“{name}” is taught in the module “{data.module_name}”."
        why = f"True: “{name}” is part of “{data.module_name}” in the stage “{data.stage_name}”."
    return _true_false(statement, True, why, "easy")


def _area(ctx: Context, other: Topic) -> _Question:
    """The outline section the concept belongs to (its module's when it is not in the outline)."""
    rng, topic, name, index = ctx.rng, ctx.topic, ctx.name, ctx.kb_index()
    module = re.sub(r", part \d+$", "", ctx.data.module_name)
    section = topic.flat()[index][0] if index is not None else module
    sections = [s.name for s in topic.sections] + [s.name for s in other.sections]
    wrong = _pick(rng, sections[: len(topic.sections)], 3, [section, module])
    wrong += _pick(rng, sections, 3 - len(wrong), [section, module, *wrong])
    return _Question(
        "single_choice",
        f"Which area of {topic.label} does “{name}” belong to?",
        [section],
        wrong,
        f"“{name}” is covered under “{section}”; the other options are different areas.",
        "easy",
    )


def _prerequisite(ctx: Context, other: Topic) -> _Question:
    """The concept's last prerequisite, among later concepts and another topic's."""
    rng, name, prereqs, index = ctx.rng, ctx.name, ctx.data.prerequisite_names, ctx.kb_index()
    prereq = prereqs[-1]
    later = [c for _, c in ctx.topic.flat()[index + 1 :]] if index is not None else []
    wrong = _pick(rng, later, 3, [prereq, name, *prereqs])
    wrong += _pick(rng, _names(other), 3 - len(wrong), [*prereqs, name, *wrong])
    return _Question(
        "single_choice",
        f"Which of these should you be comfortable with before starting “{name}”?",
        [prereq],
        wrong,
        f"“{prereq}” comes before “{name}” in this roadmap and prepares for it; the "
        "other options come later or belong to another subject.",
        "medium",
    )


def _key_idea(ctx: Context, other: Topic) -> _Question:
    """One of the concept's key ideas, among another topic's concepts."""
    name, idea = ctx.name, ctx.key_ideas()[0]
    return _Question(
        "single_choice",
        f"Which of these is a key idea of “{name}”?",
        [idea],
        _pick(ctx.rng, _names(other), 3, [idea, *ctx.concept.keywords, name]),
        f"“{idea}” is one of the key ideas of “{name}”; the others belong to {other.label}.",
        "easy",
    )


def _members(ctx: Context, other: Topic) -> _Question:
    """The concept and another of its topic's concepts, among another topic's concepts (those
    the two topics share are not offered as wrong)."""
    rng, topic, name = ctx.rng, ctx.topic, ctx.name
    siblings = [c for c in _names(topic) if c.lower() != name.lower()]
    neighbour = _pick(rng, siblings, 1, [name])
    return _Question(
        "multiple_choice",
        f"Which of the following are part of learning {topic.label}? Select all that apply.",
        [name, *neighbour],
        _pick(rng, _names(other), 2, [name, *siblings]),
        f"“{name}”{' and “' + neighbour[0] + '”' if neighbour else ''} belong to "
        f"{topic.label}; the other options are {other.label} topics.",
        ctx.concept.difficulty,
    )


def _unrelated(ctx: Context) -> _Question:
    """False: the concept has nothing to do with one of its own key ideas."""
    idea = ctx.key_ideas()[-1]
    return _true_false(
        f"“{ctx.name}” has nothing to do with {idea}.",
        False,
        f"False: {idea} is one of the key ideas of “{ctx.name}”.",
        "easy",
    )


def _description(ctx: Context, other: Topic) -> list[_Question]:
    """The first sentence of the concept's description, among made-up ones (if it has one)."""
    if not ctx.concept.description:
        return []
    described = truncate(ctx.concept.description.split(". ")[0].rstrip(".") + ".", 250)
    wrong = [
        f"An introduction to {lower_first(n)} in {other.label}."
        for n in _pick(ctx.rng, _names(other), 3, [])
    ]
    question = f"Which statement best describes “{ctx.name}” in this roadmap?"
    why = f"The roadmap describes it as: {described}"
    return [_Question("single_choice", question, [described], wrong, why, "medium")]


def _practice(ctx: Context) -> _Question:
    return _Question(
        "single_choice",
        f"What is the most effective way to make “{ctx.name}” stick?",
        [EFFECTIVE],
        list(INEFFECTIVE),
        "Active practice with feedback (retrieval and application) beats passive "
        "re-reading for long-term learning.",
        "easy",
    )


def _fact(ctx: Context) -> list[_Question]:
    """The topic's true/false fact that shares most words with the concept (if any does)."""
    topic, name = ctx.topic, ctx.name
    words = {w for w in re.findall(r"[a-z]{4,}", " ".join([name, *ctx.key_ideas()]).lower())}
    words -= {topic.label.lower()}
    scored = [
        (len(words & set(re.findall(r"[a-z]{4,}", f.statement.lower()))), f) for f in topic.facts
    ]
    best = max(scored, default=None, key=lambda s: s[0])
    if best is None or best[0] == 0:
        return []
    fact = best[1]
    truth = "True" if fact.is_true else "False"
    why = f"{truth}: this is a basic fact of {topic.label} that “{name}” relies on."
    return [_true_false(fact.statement, fact.is_true, why, ctx.concept.difficulty)]


def _questions(ctx: Context) -> list[_Question]:
    other = other_topic(ctx.topic, ctx.rng.randrange(100))
    third = _prerequisite if ctx.data.prerequisite_names else _key_idea
    questions = [
        _placement(ctx),
        _area(ctx, other),
        third(ctx, other),
        _members(ctx, other),
        _unrelated(ctx),
        *_description(ctx, other),
        _practice(ctx),
        *_fact(ctx),
    ]
    return questions[:8]


def quiz(payload: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    ctx = context(payload, rng)
    questions = []
    for n, q in enumerate(_questions(ctx), start=1):
        if q.kind == "true_false":
            options = ["True", "False"]
        else:
            options = list(dict.fromkeys([*q.correct, *q.wrong]))
            rng.shuffle(options)
        explanation = q.explanation
        if n == 1:
            explanation += " (This quiz was generated offline from the roadmap's own data.)"
        questions.append(
            {
                "question_id": f"q{n}",
                "type": q.kind,
                "question": q.question,
                "options": options,
                "correct": sorted(options.index(c) for c in q.correct),
                "explanation": explanation,
                "difficulty": q.difficulty,
            }
        )
    return Quiz.model_validate({"questions": questions}).model_dump(mode="json")
