"""The tutorial agent's offline answer: a structured study guide for one concept.

Technical topics get a worked code example (the topic's snippet for the concept), language
topics example sentences, other topics a practice session plan.
"""

from __future__ import annotations

import random
from typing import Any

from learnpath.domain.content import Tutorial
from learnpath.domain.request import LearningStyle
from learnpath.offline.content import Context, context
from learnpath.offline.text import OFFLINE_NOTE, OFFLINE_TAG, cap, lower_first, truncate

_IDEA_LINES = (
    "be able to explain it in one sentence and point to it in an example",
    "know when to reach for it, and when something simpler will do",
    "try it yourself, then change it on purpose and see what happens",
    "connect it to what you learnt before and to what comes next",
)


def _snippet(ctx: Context) -> tuple[str, str] | None:
    """The code for a technical concept: one matching its name, the goal, or the default."""
    name, goal = ctx.name.lower(), ctx.data.request.goal.lower()
    snippets = ctx.topic.snippets
    chosen = (
        next((s for s in snippets if any(w in name for w in s.match)), None)
        or next((s for s in snippets if s.in_goal and any(w in goal for w in s.match)), None)
        or next((s for s in snippets if not s.match), None)
    )
    return None if chosen is None else (chosen.lang, chosen.code.replace("{name}", ctx.name))


def _worked_example(ctx: Context) -> list[str]:
    if (snippet := _snippet(ctx)) is not None:
        lang, code = snippet
        ideas = ", ".join(ctx.key_ideas())
        return [
            f"A small, complete example to run and modify while you study {lower_first(ctx.name)}:",
            "",
            f"```{lang}",
            code,
            "```",
            "",
            f"What to notice: how the example touches {ideas}. Change one thing at a time and "
            "predict the result before you run it again.",
        ]
    if ctx.topic.examples:
        rows = [f"| {e.phrase} | {e.english} |" for e in ctx.topic.examples]
        return [
            f"Read these sentences aloud, then write three of your own that use "
            f"{lower_first(ctx.name)}:",
            "",
            f"| {ctx.topic.label} | English |",
            "|---|---|",
            *rows,
        ]
    focus = lower_first(ctx.name)
    return [
        "A 30-minute session you can repeat:",
        "",
        "| Minutes | Activity |",
        "|---|---|",
        "| 5 | Warm up with something you already know well |",
        f"| 10 | {cap(focus)}: slow, careful repetitions |",
        "| 10 | Apply it in a real piece of work or a short scenario |",
        "| 5 | Note one thing that went well and one thing to improve |",
    ]


def _practice(ctx: Context) -> list[str]:
    focus = lower_first(ctx.name)
    styles = ctx.data.request.learning_styles or [LearningStyle.hands_on, LearningStyle.text]
    steps = {
        LearningStyle.hands_on: f"Build a tiny exercise around {focus} and finish it in one go.",
        LearningStyle.video: f"Watch a short walkthrough of {focus} and pause to try each step.",
        LearningStyle.visual: f"Draw a diagram or mind map that connects {focus} to what you "
        "already know.",
        LearningStyle.audio: f"Explain {focus} aloud in two minutes, as if teaching a friend.",
        LearningStyle.text: f"Write a half-page summary of {focus} in your own words.",
    }
    lines = [f"{i}. {steps[s]}" for i, s in enumerate(styles, start=1)]
    lines.append(f"{len(lines) + 1}. Take the quiz for this concept and revisit what you missed.")
    return lines


def _guide(ctx: Context, description: str) -> list[str]:
    """The tutorial's Markdown, line by line."""
    data, concept, ideas = ctx.data, ctx.concept, ctx.key_ideas()
    prereqs = data.prerequisite_names
    before = (
        [f"- {p}" for p in prereqs]
        if prereqs
        else ["- Nothing specific: this is a good place to start."]
    )
    return [
        f"# {ctx.name}",
        "",
        f"> *{OFFLINE_NOTE}: a structured study guide built from your roadmap, not written by "
        "a language model. Use the recommended resources for depth.*",
        "",
        f"**Roadmap:** {data.roadmap_title} · **Stage:** {data.stage_name} · "
        f"**Module:** {data.module_name} · **Difficulty:** {concept.difficulty} · "
        f"**Time:** about {concept.estimated_hours:g} h",
        "",
        "## Why it matters",
        "",
        description,
        "",
        "## Before you start",
        "",
        *before,
        "",
        "## Key ideas",
        "",
        *[f"- **{k}**: {_IDEA_LINES[i % len(_IDEA_LINES)]}." for i, k in enumerate(ideas)],
        "",
        "## Worked example",
        "",
        *_worked_example(ctx),
        "",
        "## Practice",
        "",
        *_practice(ctx),
        "",
        "## Recap",
        "",
        f"- {truncate(description.split('. ')[0].rstrip('.'), 200)}.",
        f"- Key ideas: {', '.join(ideas)}.",
        "- Practise it until you can use it without looking it up, then move on.",
    ]


def tutorial(payload: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    ctx = context(payload, rng)
    concept = ctx.concept
    description = concept.description or f"{ctx.name} in {ctx.topic.label}."
    lead = "" if description.lower().startswith(ctx.name.lower()) else f"{ctx.name}: "
    summary = truncate(f"{lead}{description}", 300 - len(OFFLINE_TAG) - 1)
    result = Tutorial(
        markdown="\n".join(_guide(ctx, description)) + "\n",
        summary=f"{summary} {OFFLINE_TAG}",
        estimated_minutes=min(600, max(10, round(concept.estimated_hours * 60))),
    )
    return result.model_dump(mode="json")
