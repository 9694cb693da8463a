"""The task commands: generate a roadmap, review it, list, show, cancel, retry and resume."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from learnpath import console as views
from learnpath.commands.common import describe, err, fail, out, run
from learnpath.commands.watching import finish, watch
from learnpath.domain.request import LearnerRequest, LearningStyle, Level
from learnpath.domain.tasks import TaskStatus, TaskType
from learnpath.service import roadmaps, tasks
from learnpath.service.resume import resume_orphans
from learnpath.service.sweeper import sweep
from learnpath.service.views import TaskView
from learnpath.wiring import Runtime


def generate(
    goal: Annotated[str, typer.Argument(help="What you want to learn")],
    level: Annotated[Level, typer.Option(help="Your current level")] = Level.beginner,
    hours_per_week: Annotated[float, typer.Option(help="Hours per week, 1–80")] = 8,
    weeks: Annotated[int | None, typer.Option(help="Target weeks, 1–104")] = None,
    motivation: Annotated[str | None, typer.Option()] = None,
    background: Annotated[str | None, typer.Option(help="Role, known technologies")] = None,
    style: Annotated[list[LearningStyle] | None, typer.Option(help="Learning style")] = None,
    language: Annotated[str, typer.Option(help="Output language (BCP-47)")] = "en",
    auto_approve: Annotated[bool, typer.Option(help="Skip the human review")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a final JSON object")] = False,
) -> None:
    """Generate a roadmap and its study material, showing progress live."""
    try:
        request = LearnerRequest(
            goal=goal,
            current_level=level,
            hours_per_week=hours_per_week,
            target_weeks=weeks,
            motivation=motivation,
            background=background,
            learning_styles=style or [],
            language=language,
        )
    except ValidationError as error:
        fail("invalid request: " + describe(error))
    interactive = not auto_approve and sys.stdin.isatty()

    async def work(rt: Runtime) -> TaskView:
        view = await tasks.submit_roadmap(rt, request, auto_approve=auto_approve)
        (err if as_json else out).print(f"task [bold]{view.task_id}[/]")
        return await watch(rt, view.task_id, interactive, quiet=as_json)

    finish(run(work), as_json)


def review(
    task_id: str,
    approve: Annotated[bool, typer.Option("--approve", help="Approve the framework")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="Request changes")] = False,
    feedback: Annotated[str | None, typer.Option(help="What should change")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Approve a framework waiting for review, or reject it with feedback; then run on."""
    if approve == reject:
        fail("give exactly one of --approve or --reject")

    async def work(rt: Runtime) -> TaskView:
        view = await tasks.review(rt, task_id, approved=approve, feedback=feedback)
        return await watch(rt, task_id, sys.stdin.isatty(), as_json, view.last_event_seq - 1)

    finish(run(work), as_json)


def list_tasks(
    status: Annotated[TaskStatus | None, typer.Option()] = None,
    task_type: Annotated[TaskType | None, typer.Option("--type")] = None,
    limit: Annotated[int, typer.Option(min=1, max=200)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List tasks, newest first, with counts per status."""
    result = run(
        lambda rt: tasks.list_task_views(
            rt, status=status, task_type=task_type, limit=limit, offset=offset
        )
    )
    if as_json:
        print(result.model_dump_json())
        return
    out.print(views.task_table(result))
    out.print(views.status_counts(result))


def show(
    identifier: Annotated[str, typer.Argument(help="A task id or a roadmap id")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show a task (status, step, items) or a roadmap (the framework with item statuses)."""

    async def work(rt: Runtime) -> tuple[Any, Any]:
        if identifier.startswith("rm_"):
            framework = await roadmaps.get_framework(rt, identifier)
            return framework, await roadmaps.roadmap_usage(rt, identifier)
        return await tasks.get_task_view(rt, identifier), None

    result, spent = run(work)
    if as_json:
        print(result.model_dump_json())
    elif isinstance(result, TaskView):
        out.print(views.task_panel(result))
    else:
        out.print(views.framework_tree(result))
        out.print(f"spent  {spent.describe()}")


def cancel(task_id: str, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Cancel a pending, running or review-waiting task."""
    view = run(lambda rt: tasks.cancel(rt, task_id))
    if as_json:
        print(view.model_dump_json())
    else:
        out.print(f"cancelled {view.task_id} (was at {view.summary.get('stopped_at_step')})")


def retry(task_id: str, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Recover a stopped task under the same ids, and run it here until it ends or parks."""

    async def work(rt: Runtime) -> TaskView:
        before = await tasks.get_task_view(rt, task_id)
        result = await tasks.retry(rt, task_id)
        (err if as_json else out).print(f"[bold]{result.recovery_type.value}[/]: {result.message}")
        return await watch(rt, task_id, sys.stdin.isatty(), as_json, before.last_event_seq)

    finish(run(work), as_json)


def resume(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Resume tasks whose process died, from their last committed step, and run them here
    (distributed mode: queue again the work whose lease ran out, as the sweeper does)."""

    async def work(rt: Runtime) -> list[TaskView]:
        if rt.settings.distributed:
            report = await sweep(rt)
            task_ids = sorted({*report.tasks, *report.items})
        else:
            task_ids = await resume_orphans(rt)
        if not task_ids:
            (err if as_json else out).print("nothing to resume")
        results = []
        for task_id in task_ids:
            (err if as_json else out).print(f"resuming [bold]{task_id}[/]")
            seen = (await tasks.get_task_view(rt, task_id)).last_event_seq
            results.append(await watch(rt, task_id, False, as_json, seen))
        return results

    results = run(work)
    if as_json:
        print(json.dumps([r.model_dump(mode="json") for r in results]))
    else:
        for view in results:
            out.print(views.task_panel(view))
