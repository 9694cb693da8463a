"""The intent agent's offline answer: the goal restated, its topics and the time budget."""

from __future__ import annotations

import random
from typing import Any

from learnpath.agents.inputs import IntentInput
from learnpath.domain.intent import IntentAnalysis, TimeBudget
from learnpath.domain.request import LearnerRequest
from learnpath.offline.knowledge import Topic
from learnpath.offline.plan import LEVEL_SKIP, remaining_sections
from learnpath.offline.text import cap, lower_first, truncate
from learnpath.offline.topics import find_topic


def _assessment(topic: Topic, request: LearnerRequest, total: float) -> str:
    needed = topic.typical_hours * (1 - LEVEL_SKIP[request.current_level])
    ratio = total / needed
    fit = (
        "enough to work through the whole path at a comfortable pace"
        if ratio >= 1
        else "enough for the essentials; the roadmap concentrates on the most important concepts"
        if ratio >= 0.5
        else "tight: expect a condensed roadmap and consider more weeks or hours to go deeper"
    )
    return (
        f"{request.hours_per_week:g} h/week for {request.effective_weeks} weeks gives about "
        f"{total:g} hours against roughly {needed:.0f} hours for a thorough path: {fit}. "
        "(offline estimate)"
    )


def intent(payload: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    request = IntentInput.model_validate(payload).request
    topic = find_topic(request.goal)
    weeks = request.effective_weeks
    total = round(request.hours_per_week * weeks, 1)
    sections = remaining_sections(topic, request.current_level)
    path = [f"{name}: {', '.join(lower_first(c) for c in cs[:3])}" for name, cs in sections]
    if topic.projects:
        path.append(topic.projects[0])
    goal = cap(" ".join(request.goal.split()).rstrip(" .!"))
    analysis = {
        "normalized_goal": truncate(
            f"{goal} ({request.current_level.value}, {request.hours_per_week:g} h/week "
            f"for {weeks} weeks)",
            500,
        ),
        "key_topics": [name for name, _ in sections][:8] or [topic.label],
        "technologies": list(topic.technologies)[:20],
        "difficulty": request.current_level.value,
        "time_budget": TimeBudget(
            hours_per_week=request.hours_per_week,
            weeks=weeks,
            total_hours=total,
            assessment=_assessment(topic, request, total),
        ),
        "skill_gaps": [cs[0] for _, cs in sections][:6],
        "suggested_path": path[:12],
    }
    return IntentAnalysis.model_validate(analysis).model_dump(mode="json")
