"""The roadmap's fan-out: a tutorial, a resource list and a quiz for every concept.

The engine starts, settles and recovers the items (:mod:`learnpath.engine.items`); this says
what an item is made from, how it is made and where it is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from learnpath.agents.catalog import CONTENT_AGENTS
from learnpath.agents.inputs import content_input
from learnpath.domain.content import ContentType
from learnpath.domain.events import progress_of
from learnpath.domain.items import ItemKey, ItemStatus
from learnpath.domain.request import LearnerRequest
from learnpath.domain.roadmap import Concept, Framework
from learnpath.domain.tasks import Step
from learnpath.engine.estimate import actual_content
from learnpath.engine.runtime import Runtime
from learnpath.engine.steps import cancel_check, locked, move_to
from learnpath.engine.workflow import Ending, Outcome, StartedItem
from learnpath.llm.errors import CancelledByRequest, LLMError
from learnpath.research.resources import generate_resources
from learnpath.store import contents, items, roadmaps, tasks
from learnpath.store.database import Session
from learnpath.store.tables import ItemRow, TaskRow


@dataclass(frozen=True)
class RoadmapContext:
    """What a task's items are generated from."""

    request: LearnerRequest
    framework: Framework


@dataclass(frozen=True)
class ConceptPlace:
    """A concept and where it sits in the framework."""

    stage_name: str
    module_name: str
    concept: Concept
    context: RoadmapContext


class ConceptContent:
    """The :class:`~learnpath.engine.workflow.FanOut` of the roadmap workflow."""

    noun = "content item"

    async def context(self, s: Session, task_id: str, subject_id: str) -> RoadmapContext:
        request = await tasks.request_of(s, task_id)
        roadmap = await roadmaps.get_roadmap(s, subject_id, include_deleted=True)
        return RoadmapContext(
            LearnerRequest.model_validate(request), Framework.model_validate(roadmap.framework)
        )

    def locate(self, context: Any, key: ItemKey) -> tuple[str, ConceptPlace] | None:
        assert isinstance(context, RoadmapContext)
        for stage in context.framework.stages:
            for module in stage.modules:
                for concept in module.concepts:
                    if concept.concept_id == key.concept_id:
                        place = ConceptPlace(stage.name, module.name, concept, context)
                        return concept.name, place
        return None

    async def make(self, rt: Runtime, item: StartedItem) -> Outcome | None:
        place: ConceptPlace = item.context
        data = content_input(
            place.context.request,
            place.context.framework,
            place.stage_name,
            place.module_name,
            place.concept,
        )
        kind = ContentType(item.key.content_type)
        should_cancel = cancel_check(rt, item.task_id)
        synthetic = rt.llm.provider.synthetic
        try:
            value: BaseModel
            if kind == ContentType.resources:
                found = await generate_resources(rt.research, rt.llm, data, should_cancel)
                value, calls = found.value, found.calls
            else:
                made = await CONTENT_AGENTS[kind].run(rt.llm, data, should_cancel)
                value, calls = made.value, made.calls
        except CancelledByRequest:
            return None
        except LLMError as error:
            return Outcome(item, error.calls, error=str(error), synthetic=synthetic)
        return Outcome(item, calls, body=value.model_dump(mode="json"), synthetic=synthetic)

    async def store(
        self, s: Session, item_task: tuple[str, str], made: Sequence[tuple[Outcome, str]]
    ) -> dict[ItemKey, int]:
        roadmap_id, task_id = item_task
        versions = await contents.save_contents(
            s,
            roadmap_id,
            task_id,
            any(o.synthetic for o, _ in made),
            [
                (o.item.key.content_type, o.item.key.concept_id, key, o.body)
                for o, key in made
                if o.body is not None
            ],
        )
        return {ItemKey(concept_id, kind): v for (kind, concept_id), v in versions.items()}

    async def ending(self, s: Session, task: TaskRow, items: Sequence[ItemRow]) -> Ending:
        actual = await actual_content(s, task.task_id)
        return Ending({"actual": actual.model_dump(mode="json")})

    def completed_message(self, done: int) -> str:
        return f"Roadmap complete: {done} items generated"


async def queue_content(rt: Runtime, task: TaskRow) -> None:
    """Step ``content_generation_queued``: claim the items, then move to generation."""
    async with rt.db.transaction() as s:
        task = await locked(s, task, Step.content_generation_queued)
        assert task.roadmap_id is not None, "content needs a framework"
        claimed = await items.claim_for(s, task.roadmap_id, task.task_id, task.scope)
        concepts = len({k.concept_id for k in claimed})
        counts = await items.counts(s, task.roadmap_id, task.task_id)
        finished = counts[ItemStatus.completed.value] + counts[ItemStatus.failed.value]
        await move_to(
            s,
            task,
            Step.content_generation,
            f"Generating {len(claimed)} items for {concepts} concepts",
            progress=progress_of(finished, sum(counts.values())),
            data={"total_items": len(claimed), "total_concepts": concepts},
        )
