"""The offline answers of the research planner and the outliner (contract §7): queries and an
outline built from the prompt's subject, the topics its requirements list and the sources'
titles, in the prompt's language (:mod:`learnpath.offline.phrases`)."""

from __future__ import annotations

import random
from typing import Any

from learnpath.agents.document_inputs import OutlineInput, PlannerInput
from learnpath.domain.drafts import DraftNode, OutlineDraft, ResearchPlan
from learnpath.offline.phrases import Phrases, Plan, fill, listed_topics, phrases
from learnpath.offline.text import cap, truncate

MIN_CHAPTERS, MAX_CHAPTERS = 4, 7


def research_planner(payload: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """2–4 queries (never more than asked): the subject, then the subject with each listed
    requirement topic, then with search angles of the language's bank."""
    data = PlannerInput.model_validate(payload)
    ph = phrases(data.language)
    subject = ph.subject(data.task_prompt)
    space = "" if ph.code == "zh" else " "
    angles = list(ph.query_suffixes)
    rng.shuffle(angles)
    extra = [*listed_topics(data.requirements), *angles]
    candidates = [subject, *(f"{subject}{space}{e}" for e in extra)]
    wanted = min(data.max_queries, rng.randint(2, 4))
    queries = list(dict.fromkeys(truncate(q, 200) for q in candidates))[:wanted]
    return ResearchPlan(queries=queries).model_dump(mode="json")


def _node(
    ph: Phrases, subject: str, title: str, children: list[str], rng: random.Random
) -> DraftNode:
    def summary(node_title: str) -> str:
        return fill(rng.choice(ph.node_summary), topic=ph.mid(node_title), S=subject)

    return DraftNode(
        title=title,
        summary=summary(title),
        children=[DraftNode(title=c, summary=summary(c)) for c in children],
    )


def _plans(ph: Phrases, data: OutlineInput, rng: random.Random) -> list[tuple[str, list[str]]]:
    """Chapter titles with their sub-section titles: an introduction, the listed topics (or
    chapters of the bank), what the sources say, a conclusion; 4–7 in all, within the cap."""
    subject = ph.subject(data.task_prompt)

    def plan(chosen: Plan) -> tuple[str, list[str]]:
        title, children = chosen
        count = min(len(children), rng.randint(2, 3))
        return cap(fill(title, S=subject)), [cap(fill(c, S=subject)) for c in children[:count]]

    topics = listed_topics(data.requirements)[: MAX_CHAPTERS - 2]
    if topics:
        middle = [
            (cap(t), [fill(c, T=t) for c in ph.topic_children[: rng.randint(1, 3)]]) for t in topics
        ]
    else:
        picked = sorted(rng.sample(range(len(ph.middle)), rng.randint(2, 4)))
        middle = [plan(ph.middle[i]) for i in picked]
    if data.sources and len(middle) < MAX_CHAPTERS - 2:
        children = [fill(ph.source_child, title=truncate(s.title, 80)) for s in data.sources[:3]]
        middle.append((cap(fill(ph.sources_chapter, S=subject)), children))
    if len(middle) < MIN_CHAPTERS - 2:
        middle.append(plan(ph.middle[len(middle)]))
    chapters = [plan(ph.intro), *middle, plan(ph.conclusion)]
    if len(chapters) > data.max_chapters:
        chapters = chapters[: max(1, data.max_chapters - 1)] + chapters[-1:]
    return chapters[: data.max_chapters]


def outline(payload: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    data = OutlineInput.model_validate(payload)
    ph = phrases(data.language)
    subject = ph.subject(data.task_prompt)
    nodes = [_node(ph, subject, t, cs, rng) for t, cs in _plans(ph, data, rng)]
    draft = OutlineDraft(
        title=truncate(cap(fill(rng.choice(ph.titles), S=subject)), 300),
        summary=fill(ph.doc_summary, S=subject, tag=ph.tag),
        nodes=nodes,
    )
    return draft.model_dump(mode="json")
