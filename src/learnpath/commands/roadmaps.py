"""The roadmap commands: export one, and re-check its resource links."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from learnpath import console as views
from learnpath.commands.common import out, run
from learnpath.commands.watching import EXIT_FOR_STATUS, watch
from learnpath.export import render
from learnpath.export.render import ExportFormat
from learnpath.service import roadmaps
from learnpath.service.links import check_roadmap_links
from learnpath.service.views import TaskView
from learnpath.wiring import Runtime

resources_app = typer.Typer(help="Resource links.")


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
