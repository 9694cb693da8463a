"""What a learner reads about their roadmap besides the framework and its content: the review
history, the intent analysis, and their own progress (contract §4)."""

from __future__ import annotations

from learnpath.domain.intent import IntentAnalysis
from learnpath.domain.learning import LearningProgress, learning_progress
from learnpath.domain.request import LearnerRequest
from learnpath.domain.review_diff import FrameworkChanges, diff_frameworks
from learnpath.domain.roadmap import FrameworkDraft
from learnpath.domain.tasks import ReviewDecision
from learnpath.engine.runtime import Runtime
from learnpath.errors import IntentNotFound
from learnpath.service.roadmaps import get_framework, visible_roadmap
from learnpath.service.views import ReviewRound
from learnpath.store import attempts, records


async def reviews(rt: Runtime, roadmap_id: str, user_id: str | None = None) -> list[ReviewRound]:
    """Every review round of the roadmap, oldest first, each with the changes of its framework
    snapshot against the round before it. The first round has no changes: there is no earlier
    snapshot to compare with (the designer's first draft is not kept apart from it)."""
    async with rt.db.read() as s:
        await visible_roadmap(s, roadmap_id, user_id)
        rows = await records.roadmap_review_rounds(s, roadmap_id)
    answer: list[ReviewRound] = []
    before: FrameworkDraft | None = None
    for row in rows:
        snapshot = FrameworkDraft.model_validate(row.framework)
        answer.append(
            ReviewRound(
                round=row.round,
                task_id=row.task_id,
                decision=ReviewDecision(row.decision),
                feedback=row.feedback,
                created_at=row.created_at,
                changes=diff_frameworks(before, snapshot),
            )
        )
        before = snapshot
    return answer


async def unreviewed_changes(
    rt: Runtime, roadmap_id: str, user_id: str | None = None
) -> FrameworkChanges:
    """What changed in the framework since its last recorded review round (contract §3): after
    a rejection, what the editor agent's revision added, removed, renamed or changed, for the
    reviewer to see marked in the framework. None before the first round, and none after a
    direct edit (which records a round of its own)."""
    framework = await get_framework(rt, roadmap_id, user_id)
    async with rt.db.read() as s:
        rows = await records.roadmap_review_rounds(s, roadmap_id)
    if not rows:
        return FrameworkChanges()
    return diff_frameworks(FrameworkDraft.model_validate(rows[-1].framework), framework)


async def intent(rt: Runtime, roadmap_id: str, user_id: str | None = None) -> IntentAnalysis:
    """The roadmap's stored intent analysis (the newest, after a restart from scratch)."""
    async with rt.db.read() as s:
        await visible_roadmap(s, roadmap_id, user_id)
        found = await records.latest_intent(s, roadmap_id=roadmap_id)
    if found is None:
        raise IntentNotFound(roadmap_id)
    return found


async def progress(rt: Runtime, roadmap_id: str, user_id: str | None = None) -> LearningProgress:
    """Each concept's learning state and the hours done and left (:mod:`domain.learning`)."""
    async with rt.db.read() as s:
        row = await visible_roadmap(s, roadmap_id, user_id)
        return learning_progress(
            roadmap_id,
            FrameworkDraft.model_validate(row.framework),
            row.completed_concepts,
            await attempts.attempted_concepts(s, roadmap_id),
            LearnerRequest.model_validate(row.request).hours_per_week,
        )
