"""Rich rendering for the CLI: live task progress, frameworks, task tables."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.tree import Tree

from learnpath.domain.events import Event, EventType
from learnpath.domain.items import ItemStatus
from learnpath.domain.roadmap import Framework
from learnpath.service.views import TaskList, TaskView

STATUS_STYLE = {
    ItemStatus.pending: "dim",
    ItemStatus.generating: "yellow",
    ItemStatus.completed: "green",
    ItemStatus.failed: "red",
}
STATUS_MARK = {
    ItemStatus.pending: "·",
    ItemStatus.generating: "…",
    ItemStatus.completed: "✓",
    ItemStatus.failed: "✗",
}


class ProgressView:
    """Shows the current phase and live item counts while a task runs."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[failed]}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self._bar = self.progress.add_task("starting", total=None, failed="")
        self._step: str | None = None
        self._failures = 0

    def __enter__(self) -> ProgressView:
        self.progress.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.progress.stop()

    def pause(self) -> None:
        self.progress.stop()

    def resume(self) -> None:
        self.progress.start()

    def show(self, event: Event) -> None:
        if event.step and event.step != self._step and event.type != EventType.concept_start:
            self._step = event.step
            self.console.print(f"[bold cyan]{event.step}[/] {event.message}")
            self.progress.update(self._bar, description=event.step)
        elif event.type in (EventType.concept_failed, EventType.cancelled, EventType.failed):
            self.console.print(f"[red]{event.message}[/]")
        if event.type == EventType.concept_failed:
            self._failures += 1
        if event.data and isinstance(event.data.get("failed_count"), int):
            self._failures = event.data["failed_count"]
        if event.progress is not None:
            self.progress.update(
                self._bar,
                total=event.progress.total,
                completed=event.progress.current,
                failed=f"[red]{self._failures} failed[/]" if self._failures else "",
            )


def framework_tree(framework: Framework, show_status: bool = True) -> Tree:
    tree = Tree(
        f"[bold]{framework.title}[/]  [dim]{framework.roadmap_id} · "
        f"{framework.total_estimated_hours:g} h · {framework.recommended_completion_weeks} weeks[/]"
    )
    for stage in framework.stages:
        stage_node = tree.add(f"[bold magenta]{stage.name}[/] [dim]({stage.stage_id})[/]")
        for module in stage.modules:
            module_node = stage_node.add(f"[bold]{module.name}[/] [dim]({module.module_id})[/]")
            for concept in module.concepts:
                line = (
                    f"{concept.name} [dim]{concept.concept_id} · {concept.estimated_hours:g} h · "
                    f"{concept.difficulty}[/]"
                )
                if concept.prerequisites:
                    line += f" [dim]after {', '.join(concept.prerequisites)}[/]"
                if show_status:
                    marks = []
                    for kind in ("tutorial", "resources", "quiz"):
                        status = ItemStatus(getattr(concept, f"{kind}_status"))
                        marks.append(f"[{STATUS_STYLE[status]}]{STATUS_MARK[status]}{kind}[/]")
                    line += "  " + " ".join(marks)
                module_node.add(line)
    return tree


def task_panel(view: TaskView) -> Table:
    table = Table(show_header=False, box=None)
    table.add_row("task", view.task_id)
    table.add_row("type", view.task_type.value)
    table.add_row("status", f"[bold]{view.status.value}[/]")
    table.add_row("step", view.current_step.value)
    table.add_row("roadmap", view.roadmap_id or "—")
    p = view.progress
    table.add_row("items", f"{p.completed} done, {p.failed} failed, {p.total} total")
    if view.recovery_type:
        table.add_row("last recovery", view.recovery_type.value)
    if view.error_message:
        table.add_row("error", f"[red]{view.error_message}[/]")
    for item in view.failed_items:
        table.add_row("failed item", f"{item.concept_id} {item.content_type}: {item.error}")
    if view.usage.llm_calls:
        table.add_row("usage", view.usage.describe())
    if view.estimate is not None:
        table.add_row("estimate", view.estimate.describe())
    if view.actual is not None:
        table.add_row("actual", view.actual.describe())
    table.add_row("created", view.created_at.isoformat(timespec="seconds"))
    table.add_row("updated", view.updated_at.isoformat(timespec="seconds"))
    return table


def task_table(tasks: TaskList) -> Table:
    table = Table(title=f"{tasks.total} task(s)")
    for column in ("task", "type", "status", "step", "items", "roadmap", "created"):
        table.add_column(column)
    for t in tasks.tasks:
        table.add_row(
            t.task_id,
            t.task_type.value,
            t.status.value,
            t.current_step.value,
            f"{t.progress.completed}/{t.progress.total}",
            t.roadmap_id or "",
            t.created_at.strftime("%Y-%m-%d %H:%M"),
        )
    return table


def status_counts(tasks: TaskList) -> str:
    return "  ".join(f"{name}: {count}" for name, count in tasks.status_counts.items())
