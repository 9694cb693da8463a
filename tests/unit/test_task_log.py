"""The task page's compact log, step labels and titles: pure functions, no server."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from learnpath.domain.events import Event, EventType
from learnpath.domain.tasks import STEP_LABELS, Step, TaskType, step_label
from learnpath.service.views import TaskView
from learnpath.web.task_log import compact, shows, task_title

WHEN = datetime(2026, 12, 1, 14, 0, 5, tzinfo=UTC)


def event(seq: int, kind: EventType, **fields: Any) -> Event:
    return Event(seq=seq, type=kind, task_id="t", timestamp=WHEN, message=kind.value, **fields)


EVENTS = [
    event(5, EventType.concept_start, step="content_generation", concept_id="a"),
    event(1, EventType.task_started),
    event(2, EventType.progress, step="intent_analysis"),
    event(3, EventType.progress, step="curriculum_design"),
    event(4, EventType.progress, step="content_generation"),
    event(6, EventType.progress, step="content_generation"),
    event(7, EventType.concept_complete, concept_id="a", concept_name="A", content_type="quiz"),
    event(8, EventType.concept_failed, concept_id="b", content_type="quiz", error="boom"),
    event(9, EventType.completed),
]


def test_every_step_has_a_human_label() -> None:
    assert set(STEP_LABELS) == set(Step)
    assert step_label("content_generation") == "Content generation"
    assert step_label("some_new_step") == "Some new step"
    assert step_label(None) == "Task"


def test_compact_log_keeps_outcomes_step_changes_and_task_events_in_seq_order() -> None:
    lines = compact(EVENTS)
    assert [line.seq for line in lines] == [1, 2, 3, 4, 7, 8, 9]
    assert [line.kind for line in lines] == ["task", "step", "step", "step", "item", "item", "task"]
    assert lines[1].text == "Understanding the goal"
    assert lines[4].text == "A · quiz done"
    assert (lines[5].text, lines[5].problem, lines[5].error) == ("b · quiz failed", True, "boom")
    assert lines[0].time == "14:00:05"


def test_filters() -> None:
    lines = compact(EVENTS)
    assert [line.seq for line in lines if shows(line, "problems")] == [8]
    assert [line.seq for line in lines if shows(line, "steps")] == [2, 3, 4]
    assert all(shows(line, "all") for line in lines)


def test_titles_name_the_goal_or_what_the_task_does() -> None:
    def title(kind: TaskType, **fields: Any) -> str:
        return task_title(TaskView.model_construct(task_type=kind, goal="Learn SQL", **fields))

    assert title(TaskType.creation) == "Learn SQL"
    assert title(TaskType.link_check) == "Check the links of 'Learn SQL'"
    assert title(TaskType.retry_quiz, concept_id="joins", content_type="quiz") == (
        "Regenerate the quiz of 'joins'"
    )
