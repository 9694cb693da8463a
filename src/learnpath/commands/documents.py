"""``learnpath doc``: document jobs at the terminal (docs/contract.md §7): draft an outline,
write the document of an outline, show and list jobs. ``cancel`` and ``retry`` take job ids
like task ids."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.tree import Tree

from learnpath.commands.common import describe, err, fail, out, run
from learnpath.commands.watching import EXIT_FOR_STATUS, watch
from learnpath.domain.jobs import ContextFile, DocumentJobRequest, OutlineJobRequest
from learnpath.domain.outline import Outline, OutlineNode
from learnpath.domain.tasks import TaskStatus
from learnpath.service import jobs
from learnpath.service.views import JobView
from learnpath.wiring import Runtime

app = typer.Typer(help="Document jobs: a prompt and your files → an outline → a cited document.")

ContextOption = Annotated[
    list[str] | None,
    typer.Option(
        "--context",
        help="A text file given to the job, PATH or PATH:ROLE (role content, style or "
        "requirements; content by default). Repeatable.",
    ),
]


def _context_files(specs: list[str] | None) -> list[dict[str, str]]:
    files = []
    for spec in specs or []:
        path_text, role = spec, "content"
        head, sep, tail = spec.rpartition(":")
        if sep and tail in ("content", "style", "requirements"):
            path_text, role = head, tail
        path = Path(path_text)
        try:
            content = path.read_bytes().decode("utf-8")
        except OSError as error:
            fail(f"--context {spec}: cannot read it ({error.strerror or error})")
        except UnicodeDecodeError:
            fail(f"--context {spec}: not UTF-8 text")
        files.append({"file_name": path.name, "content": content, "role": role})
    return files


def outline_tree(outline: Outline) -> Tree:
    tree = Tree(f"[bold]{escape(outline.title)}[/]")

    def add(branch: Tree, nodes: list[OutlineNode]) -> None:
        for node in nodes:
            add(branch.add(f"[cyan]{node.id}[/] {escape(node.title)}"), node.children)

    add(tree, outline.nodes)
    return tree


async def _watched(rt: Runtime, view: JobView, as_json: bool) -> JobView:
    (err if as_json else out).print(f"job [bold]{view.job_id}[/]")
    await watch(rt, view.job_id, interactive=False, quiet=as_json)
    return await jobs.get_job(rt, view.job_id)


def _exit(view: JobView) -> None:
    if view.error_message:
        err.print(f"[red]{escape(view.error_message)}[/]")
    raise typer.Exit(EXIT_FOR_STATUS.get(view.status, 0))


def outline(
    prompt: Annotated[str, typer.Argument(help="What the document is about (3–4000 chars)")],
    context: ContextOption = None,
    offline: Annotated[bool, typer.Option("--no-web", help="Do not search the web")] = False,
    job_id: Annotated[str | None, typer.Option(help="Choose the job id")] = None,
    save: Annotated[Path | None, typer.Option("--out", help="Save the outline as JSON")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the job as JSON")] = False,
) -> None:
    """Research the prompt and draft an outline, showing progress live."""
    try:
        request = OutlineJobRequest(
            job_id=job_id,
            task_prompt=prompt,
            context_files=[ContextFile.model_validate(f) for f in _context_files(context)],
            online=not offline,
        )
    except ValidationError as error:
        fail("invalid request: " + describe(error))

    async def work(rt: Runtime) -> JobView:
        return await _watched(rt, await jobs.submit_outline(rt, request), as_json)

    view = run(work)
    made = Outline.model_validate(view.result["outline"]) if view.result else None
    if as_json:
        print(json.dumps(view.model_dump(mode="json"), ensure_ascii=False))
    elif made is not None:
        out.print(outline_tree(made))
        out.print(f"Write it: [bold]learnpath doc write --from {view.job_id}[/]")
    if made is not None and save is not None:
        save.write_text(json.dumps(made.model_dump(mode="json"), ensure_ascii=False, indent=2))
    _exit(view)


def _outline_of(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        fail(f"--outline {path}: cannot read it ({error.strerror or error})")
    except (UnicodeDecodeError, ValueError) as error:
        fail(f"--outline {path}: not a JSON outline ({error})")


def write(
    outline_file: Annotated[
        Path | None,
        typer.Option("--outline", help="An outline JSON file (as `doc outline --out` saves)"),
    ] = None,
    source: Annotated[
        str | None, typer.Option("--from", help="An outline job: its outline and sources")
    ] = None,
    words: Annotated[int, typer.Option(help="Target length in words, 300–50000")] = 3000,
    context: ContextOption = None,
    offline: Annotated[bool, typer.Option("--no-web", help="Do not search the web")] = False,
    job_id: Annotated[str | None, typer.Option(help="Choose the job id")] = None,
    save: Annotated[Path | None, typer.Option("--out", help="Save the document here")] = None,
    fmt: Annotated[
        Literal["md", "html", "docx"], typer.Option("--format", help="md, html or docx")
    ] = "md",
    as_json: Annotated[bool, typer.Option("--json", help="Print the job as JSON")] = False,
) -> None:
    """Write the document of an outline, chapter by chapter, showing progress live."""
    if (outline_file is None) == (source is None):
        fail("give exactly one of --outline FILE and --from JOB_ID")
    files = _context_files(context)

    async def work(rt: Runtime) -> JobView:
        raw = _outline_of(outline_file) if outline_file is not None else None
        if source is not None:
            found = await jobs.get_job(rt, source)
            if found.result is None or "outline" not in found.result:
                fail(f"--from {source}: that job has no outline (is it a finished outline job?)")
            raw = found.result["outline"]
        try:
            request = DocumentJobRequest.model_validate(
                {
                    "job_id": job_id,
                    "outline": raw,
                    "word_count": words,
                    "context_files": files,
                    "online": not offline,
                    "source_job_id": source,
                }
            )
        except ValidationError as error:
            fail("invalid request: " + describe(error))
        view = await _watched(rt, await jobs.submit_document(rt, request), as_json)
        if save is not None and view.status in (TaskStatus.completed, TaskStatus.partial_failure):
            found_file = await jobs.download(rt, view.job_id, fmt)
            save.write_bytes(found_file.body)
            (err if as_json else out).print(f"saved [bold]{save}[/]")
        return view

    view = run(work)
    if as_json:
        print(json.dumps(view.model_dump(mode="json"), ensure_ascii=False))
    elif view.result is not None:
        document = view.result["document"]
        out.print(
            f"[bold]{escape(document['title'])}[/]: {document['word_count']} words, "
            f"{len(document['references'])} reference(s)"
        )
    _exit(view)


def show(
    job_id: Annotated[str, typer.Argument(help="The job id")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the job as JSON")] = False,
) -> None:
    """Show a job: its status and, once it has one, its outline or document."""

    async def work(rt: Runtime) -> JobView:
        return await jobs.get_job(rt, job_id)

    view = run(work)
    if as_json:
        print(json.dumps(view.model_dump(mode="json"), ensure_ascii=False))
        return
    step = view.current_step.value
    out.print(f"[bold]{view.job_id}[/] {view.task_type.value} {view.status.value} ({step})")
    if view.error_message:
        out.print(f"[red]{escape(view.error_message)}[/]")
    if view.result and "outline" in view.result:
        out.print(outline_tree(Outline.model_validate(view.result["outline"])))
    if view.result and "document" in view.result:
        out.print(view.result["document"]["markdown"], markup=False, highlight=False)


def list_jobs(
    limit: Annotated[int, typer.Option(min=1, max=200)] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print the jobs as JSON")] = False,
) -> None:
    """The jobs, newest first."""

    async def work(rt: Runtime) -> Any:
        return await jobs.list_jobs(rt, limit=limit)

    found = run(work)
    if as_json:
        print(json.dumps(found.model_dump(mode="json"), ensure_ascii=False))
        return
    for job in found.jobs:
        out.print(
            f"{job.job_id}  {job.task_type.value:<20} {job.status.value:<16} "
            f"{escape(job.title[:60])}"
        )
    if not found.jobs:
        out.print('No jobs yet: [bold]learnpath doc outline "…"[/]')


app.command()(outline)
app.command()(write)
app.command()(show)
app.command("list")(list_jobs)
