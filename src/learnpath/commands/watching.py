"""Following a task at the terminal: live progress, the review prompt, and the exit code of
how the task ended."""

from __future__ import annotations

import json
from typing import NoReturn

import typer
from rich.prompt import Prompt

from learnpath import console as views
from learnpath.commands.common import err, out
from learnpath.domain.events import EventType
from learnpath.domain.tasks import TaskStatus
from learnpath.service import roadmaps, tasks
from learnpath.service.follow import follow
from learnpath.service.views import TaskView
from learnpath.wiring import Runtime

EXIT_FOR_STATUS = {
    TaskStatus.completed: 0,
    TaskStatus.human_review_pending: 0,
    TaskStatus.failed: 1,
    TaskStatus.cancelled: 1,
    TaskStatus.partial_failure: 3,
}


async def watch(
    rt: Runtime, task_id: str, interactive: bool, quiet: bool, after_seq: int = 0
) -> TaskView:
    """Show a running task's progress until it ends or parks for review.

    At review, an interactive terminal may approve or reject with feedback and keep watching.
    """
    with views.ProgressView(err if quiet else out) as progress:
        async for event in follow(rt, task_id, after_seq):
            progress.show(event)
            if event.type == EventType.human_review_required:
                if not interactive:
                    break
                progress.pause()
                decided = await review_prompt(rt, task_id)
                progress.resume()
                if not decided:
                    break
            elif event.is_terminal:
                break
    return await tasks.get_task_view(rt, task_id)


async def review_prompt(rt: Runtime, task_id: str) -> bool:
    view = await tasks.get_task_view(rt, task_id)
    assert view.roadmap_id is not None
    framework = await roadmaps.get_framework(rt, view.roadmap_id)
    out.print(views.framework_tree(framework, show_status=False))
    for issue in view.validation_issues:
        out.print(f"[yellow]issue[/] {issue['path']}: {issue['message']}")
    if view.estimate is not None:
        out.print(f"[bold]Approving starts[/] {view.estimate.describe()}")
    choice = Prompt.ask(
        "Review: [a]pprove, [r]eject with feedback, or [l]ater",
        choices=["a", "r", "l"],
        default="a",
        console=out,
    )
    if choice == "l":
        return False
    if choice == "a":
        await tasks.review(rt, task_id, approved=True)
        return True
    feedback = ""
    while not feedback.strip():
        feedback = Prompt.ask("What should change?", console=out)
    await tasks.review(rt, task_id, approved=False, feedback=feedback)
    return True


def finish(view: TaskView, as_json: bool) -> NoReturn:
    """Show how the task ended (and what to do next), and exit with its status's code."""
    if as_json:
        print(
            json.dumps(
                {"task_id": view.task_id, "roadmap_id": view.roadmap_id, "status": view.status}
            )
        )
    else:
        out.print(views.task_panel(view))
        if view.status == TaskStatus.human_review_pending:
            out.print(
                f"Waiting for review: [bold]learnpath review {view.task_id} --approve[/] "
                f"or [bold]--reject --feedback '…'[/]"
            )
        if view.roadmap_id and view.status in (TaskStatus.completed, TaskStatus.partial_failure):
            out.print(
                f"Export it: [bold]learnpath export {view.roadmap_id} --format html "
                f"--out roadmap.html[/]"
            )
    raise typer.Exit(EXIT_FOR_STATUS.get(view.status, 0))
