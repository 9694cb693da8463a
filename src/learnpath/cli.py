"""The ``learnpath`` command line: generate, watch, review, cancel, retry, resume, export."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from collections.abc import Awaitable, Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.prompt import Prompt

from learnpath import console as views
from learnpath.commands.doctor import doctor
from learnpath.config import Settings
from learnpath.domain.events import EventType
from learnpath.domain.request import LearnerRequest, LearningStyle, Level
from learnpath.domain.tasks import QUEUES, TaskStatus, TaskType
from learnpath.engine.runtime import Runtime
from learnpath.errors import (
    BudgetSpent,
    Conflict,
    Invalid,
    RoadmapNotFound,
    SchemaOutOfDate,
    TaskNotFound,
)
from learnpath.export import render
from learnpath.service import roadmaps, tasks
from learnpath.service.follow import follow
from learnpath.service.links import check_roadmap_links
from learnpath.service.resume import resume_orphans
from learnpath.service.sweeper import sweep
from learnpath.service.views import TaskView
from learnpath.wiring import open_runtime, worker_app

app = typer.Typer(help="Personalised learning roadmaps, generated as durable tasks.")
db_app = typer.Typer(help="Database schema.")
app.add_typer(db_app, name="db")
users_app = typer.Typer(help="Accounts for server mode.")
app.add_typer(users_app, name="users")
resources_app = typer.Typer(help="Resource links.")
app.add_typer(resources_app, name="resources")
app.command()(doctor)

LOOPBACK = {"127.0.0.1", "::1", "localhost"}

out = Console()
err = Console(stderr=True)
T = TypeVar("T")

EXIT_FOR_STATUS = {
    TaskStatus.completed: 0,
    TaskStatus.human_review_pending: 0,
    TaskStatus.failed: 1,
    TaskStatus.cancelled: 1,
    TaskStatus.partial_failure: 3,
}


class WorkerPool(StrEnum):
    threads = "threads"
    prefork = "prefork"


class ExportFormat(StrEnum):
    md = "md"
    json = "json"
    html = "html"


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[red]error:[/] {message}")
    raise typer.Exit(code)


def settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        fail("invalid configuration: " + _describe(error))


def _describe(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in error.errors()
    )


def run(work: Callable[[Runtime], Awaitable[T]]) -> T:
    """Run ``work`` inside the configured runtime, mapping service errors to CLI errors."""

    async def main() -> T:
        async with open_runtime(settings()) as rt:
            return await work(rt)

    try:
        return asyncio.run(main())
    except SchemaOutOfDate as error:
        fail(str(error))
    except (TaskNotFound, RoadmapNotFound) as error:
        fail(str(error), 1)
    except (Conflict, BudgetSpent) as error:
        fail(str(error), 1)
    except Invalid as error:
        details = "; ".join(
            f"{e.get('path', e.get('field'))}: {e['message']}" for e in error.errors
        )
        fail(f"{error}{': ' + details if details else ''}")


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


@app.command()
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
        fail("invalid request: " + _describe(error))
    interactive = not auto_approve and sys.stdin.isatty()

    async def work(rt: Runtime) -> TaskView:
        view = await tasks.submit_roadmap(rt, request, auto_approve=auto_approve)
        (err if as_json else out).print(f"task [bold]{view.task_id}[/]")
        return await watch(rt, view.task_id, interactive, quiet=as_json)

    finish(run(work), as_json)


@app.command()
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


@app.command("tasks")
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


@app.command()
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


@app.command()
def cancel(task_id: str, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Cancel a pending, running or review-waiting task."""
    view = run(lambda rt: tasks.cancel(rt, task_id))
    if as_json:
        print(view.model_dump_json())
    else:
        out.print(f"cancelled {view.task_id} (was at {view.summary.get('stopped_at_step')})")


@app.command()
def retry(task_id: str, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Recover a stopped task under the same ids, and run it here until it ends or parks."""

    async def work(rt: Runtime) -> TaskView:
        before = await tasks.get_task_view(rt, task_id)
        result = await tasks.retry(rt, task_id)
        (err if as_json else out).print(f"[bold]{result.recovery_type.value}[/]: {result.message}")
        return await watch(rt, task_id, sys.stdin.isatty(), as_json, before.last_event_seq)

    finish(run(work), as_json)


@resources_app.command("check")
def check_resources(
    roadmap_id: str, as_json: Annotated[bool, typer.Option("--json")] = False
) -> None:
    """Re-check every resource link of a roadmap (link rot) and report the dead ones."""

    async def work(rt: Runtime) -> TaskView:
        view = await check_roadmap_links(rt, roadmap_id)
        return await watch(rt, view.task_id, False, as_json, view.last_event_seq)

    view = run(work)
    found = {k: v for k, v in view.summary.items() if k.startswith(("links_", "dead_links"))}
    if as_json:
        print(json.dumps({"task_id": view.task_id, "status": view.status, **found}))
    else:
        out.print(views.task_panel(view))
        for link in found.get("dead_links", []):
            out.print(f"dead  {link['concept_id']}  {link['url']}  ({link['status'] or 'no host'})")
    raise typer.Exit(EXIT_FOR_STATUS.get(view.status, 1))


@app.command()
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


@app.command()
def export(
    roadmap_id: str,
    format: Annotated[ExportFormat, typer.Option("--format")] = ExportFormat.md,
    out_path: Annotated[Path, typer.Option("--out", help="File (json, html) or folder (md)")] = (
        Path("roadmap")
    ),
) -> None:
    """Export a roadmap with all its content as markdown files, JSON or one HTML page."""
    bundle = run(lambda rt: roadmaps.bundle(rt, roadmap_id))
    if format == ExportFormat.md:
        written = render.to_markdown(bundle, out_path)
        out.print(f"wrote {len(written)} files to {out_path}")
        return
    out_path.parent.mkdir(parents=True, exist_ok=True)
    if format == ExportFormat.json:
        out_path.write_text(json.dumps(render.to_json(bundle), indent=2, ensure_ascii=False))
    else:
        out_path.write_text(render.to_html(bundle))
    out.print(f"wrote {out_path}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    local: Annotated[
        bool, typer.Option("--local", help="Loopback-only single-user mode: no login")
    ] = False,
    log_level: Annotated[str, typer.Option(help="uvicorn log level")] = "info",
) -> None:
    """Serve the HTTP API, event streams and web app with uvicorn. Tasks run in this process,
    or on Celery workers when LEARNPATH_BROKER_URL is set."""
    import uvicorn

    from learnpath.api.app import create_app

    config = settings()
    if local and host not in LOOPBACK:
        fail(f"--local runs without login, so it only binds a loopback address, not {host}")
    if not local and (problem := config.secret_key_problem()):
        fail(
            f"{problem}. Set a random key (e.g. `export LEARNPATH_SECRET_KEY=$(python3 -c "
            "'import secrets; print(secrets.token_urlsafe(48))')`), or run `learnpath serve "
            "--local` for a single-user server on this machine."
        )
    _log_to_stderr(log_level)
    mode = "local single-user mode, no login" if local else "server mode, login required"
    docs = "; API docs at /docs" if config.docs else ""
    err.print(f"learnpath serving on http://{host}:{port}/ ({mode}){docs}")
    proxies = config.forwarded_allow_ips
    uvicorn.run(
        create_app(config, local=local),
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        log_config=None,
        # X-Forwarded-Proto/-For are believed from these proxies only (none by default).
        proxy_headers=bool(proxies),
        forwarded_allow_ips=",".join(proxies) if proxies else None,
        server_header=False,
    )


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Option(help="Login email")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    admin: Annotated[bool, typer.Option("--admin", help="May see every user's tasks")] = False,
) -> None:
    """Create an account (the first admin too: there is no default password)."""
    from learnpath.service.users import create_user

    user = run(lambda rt: create_user(rt, email, password, admin))
    out.print(f"created {'admin ' if admin else ''}user {user.email} ({user.user_id})")


@users_app.command("passwd")
def users_passwd(
    email: Annotated[str, typer.Argument(help="The account's login email")],
) -> None:
    """Set an account's password and end all its sessions (signed-in browsers and tokens).
    The new password is read from standard input (first line) or, at a terminal, prompted
    for twice."""
    from learnpath.service.users import set_password

    if sys.stdin.isatty():
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            fail("no password on standard input")

    async def work(rt: Runtime) -> tuple[Any, int]:
        try:
            return await set_password(rt, email, password)
        except LookupError as error:
            fail(str(error), 1)

    user, ended = run(work)
    out.print(
        f"password changed for {user.email} ({user.user_id}); "
        f"{ended} session{'s' if ended != 1 else ''} ended"
    )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations (embedded mode also does this at every start)."""
    from learnpath.store.database import Database

    config = settings()

    async def upgrade() -> None:
        db = Database(config.effective_database_url, schema=config.database_schema)
        try:
            await db.upgrade()
        finally:
            await db.dispose()

    asyncio.run(upgrade())
    out.print("database is up to date")


@app.command()
def worker(
    concurrency: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=512,
            help="Jobs run at once (default: twice LEARNPATH_LLM_CONCURRENCY, so that the next "
            "items start while others wait on the model)",
        ),
    ] = None,
    queues: Annotated[
        str, typer.Option(help="Queues to consume, comma-separated")
    ] = "roadmap,content_generation,documents",
    pool: Annotated[
        WorkerPool,
        typer.Option(
            help="threads: one process, its jobs sharing one event loop (model calls wait on "
            "the network, so this is the lean choice); prefork: a process per job, with "
            "Celery's hard time limits"
        ),
    ] = WorkerPool.threads,
    log_level: Annotated[str, typer.Option(help="Log level")] = "info",
) -> None:
    """Run a Celery worker (distributed mode: needs LEARNPATH_BROKER_URL)."""
    config = _distributed_settings("learnpath worker")
    unknown = {q.strip() for q in queues.split(",")} - set(QUEUES)
    if unknown:
        fail(f"unknown queue(s) {sorted(unknown)}; choose from {', '.join(QUEUES)}")
    _require_current_schema(config)
    _log_to_stderr(log_level)
    worker_app(config).worker_main(
        [
            "worker",
            f"--concurrency={concurrency or config.item_concurrency}",
            f"--queues={queues}",
            f"--loglevel={log_level.upper()}",
            f"--hostname=learnpath-{os.getpid()}@%h",
            f"--pool={pool.value}",
            "--without-gossip",
            "--without-mingle",
        ]
    )


@app.command()
def sweeper(log_level: Annotated[str, typer.Option(help="Log level")] = "info") -> None:
    """Queue again the work of dead workers, forever (distributed mode; one process leads).
    Every `learnpath serve` runs one too."""
    from learnpath.service.sweeper import Sweeper

    _distributed_settings("learnpath sweeper")
    _log_to_stderr(log_level)

    async def work(rt: Runtime) -> None:
        await Sweeper(rt).run()

    with contextlib.suppress(KeyboardInterrupt):
        run(work)


def _distributed_settings(command: str) -> Settings:
    config = settings()
    if not config.distributed:
        fail(f"{command} needs LEARNPATH_BROKER_URL (a redis:// URL): it runs distributed mode")
    return config


def _require_current_schema(config: Settings) -> None:
    from learnpath.store.database import Database

    async def check() -> bool:
        db = Database(config.effective_database_url, pool_size=1, schema=config.database_schema)
        try:
            return await db.at_head()
        finally:
            await db.dispose()

    if not asyncio.run(check()):
        fail("the database schema is not current: run `learnpath db upgrade` first")


def _log_to_stderr(level: str) -> None:
    import logging

    from learnpath.api.logging import JSONFormatter, RedactTokens

    handler = logging.StreamHandler()
    handler.setFormatter(JSONFormatter())
    handler.addFilter(RedactTokens())
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    # Their records reach the handler above; the filter on the loggers themselves also
    # covers any handler a deployment adds to them.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "learnpath"):
        logging.getLogger(name).addFilter(RedactTokens())


def main() -> None:
    app()
