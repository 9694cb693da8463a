"""The framework steps of the roadmap workflow (contract §3).

Each step reads what it needs, may call one agent, then commits its result together with the
next ``current_step`` and the step's events in one transaction. A crash before that commit
repeats the step; a crash after it resumes at the next one.
"""

from __future__ import annotations

from dataclasses import asdict

from learnpath.agents.catalog import CURRICULUM, EDITOR, INTENT
from learnpath.agents.inputs import CurriculumInput, EditorInput, IntentInput
from learnpath.agents.validator import Issue, errors_only, validate_framework
from learnpath.domain.events import EventType
from learnpath.domain.request import LearnerRequest
from learnpath.domain.roadmap import Framework, FrameworkDraft
from learnpath.domain.tasks import ReviewDecision, Step, TaskStatus
from learnpath.domain.usage import Estimate
from learnpath.engine.estimate import estimate_content
from learnpath.engine.runtime import Runtime
from learnpath.engine.steps import begin, cancel_check, locked, move_to
from learnpath.engine.workflow import StepHandler
from learnpath.store import records, roadmaps, tasks
from learnpath.store.database import Session
from learnpath.store.tables import TaskRow
from learnpath.store.tasks import new_id

MAX_VALIDATION_ROUNDS = 3
HOURS_PER_CONCEPT = 3.0


def budget_hours(request: LearnerRequest) -> float:
    return request.hours_per_week * request.effective_weeks


async def start(rt: Runtime, task: TaskRow) -> TaskRow:
    return await begin(rt, task, Step.intent_analysis, "Analysing the learner's goal")


async def intent_analysis(rt: Runtime, task: TaskRow) -> None:
    request = LearnerRequest.model_validate(task.request)
    generation = await INTENT.run(
        rt.llm, IntentInput(request=request), cancel_check(rt, task.task_id)
    )
    async with rt.db.transaction() as s:
        task = await locked(s, task, Step.intent_analysis)
        records.add_intent(
            s, task.task_id, task.roadmap_id, generation.value.model_dump(mode="json")
        )
        await records.record_calls(s, task.task_id, generation.calls)
        await move_to(s, task, Step.curriculum_design, "Designing the curriculum")


async def curriculum_design(rt: Runtime, task: TaskRow) -> None:
    request = LearnerRequest.model_validate(task.request)
    async with rt.db.read() as s:
        intent = await records.latest_intent(s, task_id=task.task_id)
    if intent is None:
        raise RuntimeError("curriculum design needs the intent analysis")
    total = budget_hours(request)
    target = max(4, min(60, round(total / HOURS_PER_CONCEPT)))
    generation = await CURRICULUM.run(
        rt.llm,
        CurriculumInput(request=request, intent=intent, total_hours=total, target_concepts=target),
        cancel_check(rt, task.task_id),
    )
    async with rt.db.transaction() as s:
        task = await locked(s, task, Step.curriculum_design)
        roadmap_id = task.roadmap_id or new_id("rm")
        framework = Framework.from_draft(generation.value, roadmap_id, request.hours_per_week)
        if task.roadmap_id is None:
            await roadmaps.create_roadmap(s, framework, task.request, task.user_id)
            task.roadmap_id = roadmap_id
        else:
            row = await roadmaps.get_roadmap(s, roadmap_id)
            await roadmaps.save_framework(s, row, framework)
        await records.record_calls(s, task.task_id, generation.calls)
        await records.attach_intent(s, task.task_id, roadmap_id)
        count = sum(1 for _ in framework.concepts())
        await move_to(
            s,
            task,
            Step.structure_validation,
            f"Designed '{framework.title}': {len(framework.stages)} stages, {count} concepts",
            data={"total_concepts": count},
        )


async def structure_validation(rt: Runtime, task: TaskRow) -> None:
    request = LearnerRequest.model_validate(task.request)
    async with rt.db.transaction() as s:
        task = await locked(s, task, Step.structure_validation)
        framework = await _framework(s, task)
        issues = validate_framework(framework, budget_hours(request))
        errors = errors_only(issues)
        task.validation_issues = [asdict(i) for i in issues]
        if errors and task.validation_rounds < MAX_VALIDATION_ROUNDS:
            await move_to(
                s,
                task,
                Step.validation_edit,
                f"{len(errors)} structure problem(s) found; editing "
                f"(round {task.validation_rounds + 1} of {MAX_VALIDATION_ROUNDS})",
                data={"issues": [str(i) for i in errors]},
            )
        elif task.auto_approve:
            await _attach_estimate(rt, s, task, request, framework)
            await records.add_review_round(
                s,
                task.task_id,
                framework.roadmap_id,
                ReviewDecision.approve,
                framework.definition_json(),
                feedback="auto-approved",
                issues=task.validation_issues,
            )
            await move_to(
                s, task, Step.content_generation_queued, "Framework approved automatically"
            )
        else:
            estimate = await _attach_estimate(rt, s, task, request, framework)
            await tasks.transition(
                s,
                task,
                TaskStatus.human_review_pending,
                Step.human_review,
                EventType.human_review_required,
                "The roadmap framework is ready for review"
                + (f" ({len(errors)} problem(s) remain)" if errors else ""),
                data={
                    "issues": [str(i) for i in issues],
                    "estimate": estimate.model_dump(mode="json"),
                },
            )


async def _attach_estimate(
    rt: Runtime, s: Session, task: TaskRow, request: LearnerRequest, framework: Framework
) -> Estimate:
    """What approving this framework will cost, kept with the task for the reviewer."""
    estimate = await estimate_content(s, rt.llm, request, framework)
    task.summary = {**task.summary, "estimate": estimate.model_dump(mode="json")}
    return estimate


async def validation_edit(rt: Runtime, task: TaskRow) -> None:
    issues = [str(Issue(**i)) for i in task.validation_issues if i.get("severity") == "error"]
    await _edit(rt, task, Step.validation_edit, issues=issues, feedback=None)


async def review_edit(rt: Runtime, task: TaskRow) -> None:
    async with rt.db.read() as s:
        rounds = await records.review_rounds(s, task.task_id)
    feedback = next(
        (r.feedback for r in reversed(rounds) if r.decision == ReviewDecision.reject.value), None
    )
    await _edit(rt, task, Step.review_edit, issues=[], feedback=feedback)


async def _edit(
    rt: Runtime, task: TaskRow, step: Step, issues: list[str], feedback: str | None
) -> None:
    request = LearnerRequest.model_validate(task.request)
    async with rt.db.read() as s:
        current = await _framework(s, task)
    draft = FrameworkDraft.model_validate(current.definition_json())
    generation = await EDITOR.run(
        rt.llm,
        EditorInput(request=request, framework=draft, issues=issues, feedback=feedback),
        cancel_check(rt, task.task_id),
    )
    async with rt.db.transaction() as s:
        task = await locked(s, task, step)
        assert task.roadmap_id is not None
        framework = Framework.from_draft(generation.value, task.roadmap_id, request.hours_per_week)
        row = await roadmaps.get_roadmap(s, task.roadmap_id)
        await roadmaps.save_framework(s, row, framework)
        await records.record_calls(s, task.task_id, generation.calls)
        if step == Step.validation_edit:
            task.validation_rounds += 1
            await records.add_review_round(
                s,
                task.task_id,
                task.roadmap_id,
                ReviewDecision.validation_edit,
                framework.definition_json(),
                issues=[{"issue": i} for i in issues],
            )
            message = f"Fixed structure (round {task.validation_rounds}); validating again"
        else:
            task.validation_rounds = 0
            message = "Applied the reviewer's feedback; validating again"
        await move_to(s, task, Step.structure_validation, message)


async def _framework(session: Session, task: TaskRow) -> Framework:
    if task.roadmap_id is None:
        raise RuntimeError(f"task {task.task_id} has no roadmap yet")
    row = await roadmaps.get_roadmap(session, task.roadmap_id, include_deleted=True)
    return Framework.model_validate(row.framework)


FRAMEWORK_STEPS: dict[Step, StepHandler] = {
    Step.queued: start,
    Step.intent_analysis: intent_analysis,
    Step.curriculum_design: curriculum_design,
    Step.structure_validation: structure_validation,
    Step.validation_edit: validation_edit,
    Step.review_edit: review_edit,
}
