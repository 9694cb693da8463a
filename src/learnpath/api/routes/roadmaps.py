"""Roadmaps: read, edit, delete/restore, status, item retries, review history, intent,
progress, export (contract §4)."""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from enum import StrEnum
from pathlib import Path

from fastapi import APIRouter, Response, status

from learnpath.api.deps import PrincipalDep, RuntimeDep
from learnpath.api.errors import BUDGET, CONFLICT, ERROR_RESPONSES
from learnpath.api.schemas import (
    ConceptProgress,
    ProgressRequest,
    RetryFailedRequest,
    RoadmapOut,
)
from learnpath.domain.content import ContentType
from learnpath.domain.intent import IntentAnalysis
from learnpath.domain.learning import LearningProgress
from learnpath.domain.roadmap import Framework, FrameworkDraft
from learnpath.export import render
from learnpath.export.graph import to_svg
from learnpath.export.graph_png import to_png
from learnpath.export.render import ExportFormat
from learnpath.service import graph, learner, roadmaps
from learnpath.service.links import check_roadmap_links
from learnpath.service.views import (
    ActiveTask,
    ItemRetryResult,
    ReviewRound,
    RoadmapSummary,
    StatusCheck,
    TaskView,
)

router = APIRouter(prefix="/roadmaps", tags=["roadmaps"], responses=ERROR_RESPONSES)


@router.get("")
async def list_roadmaps(
    rt: RuntimeDep, who: PrincipalDep, include_deleted: bool = False
) -> list[RoadmapSummary]:
    """The caller's roadmaps, newest first, with generation and learning progress."""
    return await roadmaps.list_roadmaps(rt, who.user_id, include_deleted)


@router.get("/{roadmap_id}")
async def get_roadmap(roadmap_id: str, rt: RuntimeDep, who: PrincipalDep) -> RoadmapOut:
    framework, row, progress = await roadmaps.roadmap_detail(rt, roadmap_id, who.user_id)
    return RoadmapOut(
        **framework.model_dump(),
        created_at=row.created_at,
        updated_at=row.updated_at,
        progress=progress,
        usage=await roadmaps.roadmap_usage(rt, roadmap_id, who.user_id),
    )


@router.put("/{roadmap_id}/framework", responses=CONFLICT)
async def edit_framework(
    roadmap_id: str, body: FrameworkDraft, rt: RuntimeDep, who: PrincipalDep
) -> Framework:
    """Edit the framework directly, in review or after generation (status fields ignored).

    Only concepts whose definition changed lose their content; 422 lists every structure
    problem with its path.
    """
    return await roadmaps.edit_framework(rt, roadmap_id, body.model_dump(), who.user_id)


@router.delete("/{roadmap_id}", responses=CONFLICT)
async def delete_roadmap(roadmap_id: str, rt: RuntimeDep, who: PrincipalDep) -> RoadmapSummary:
    """Soft delete: hidden from listings, restorable."""
    return await roadmaps.set_deleted(rt, roadmap_id, True, who.user_id)


@router.post("/{roadmap_id}/restore")
async def restore_roadmap(roadmap_id: str, rt: RuntimeDep, who: PrincipalDep) -> RoadmapSummary:
    return await roadmaps.set_deleted(rt, roadmap_id, False, who.user_id)


@router.get("/{roadmap_id}/active-task")
async def active_task(roadmap_id: str, rt: RuntimeDep, who: PrincipalDep) -> ActiveTask:
    return await roadmaps.active_task(rt, roadmap_id, who.user_id)


@router.get("/{roadmap_id}/status-check")
async def status_check(roadmap_id: str, rt: RuntimeDep, who: PrincipalDep) -> StatusCheck:
    """Active tasks, and items left pending or generating with no live task behind them."""
    return await roadmaps.status_check(rt, roadmap_id, who.user_id)


@router.post(
    "/{roadmap_id}/concepts/{concept_id}/{content_type}/retry",
    status_code=status.HTTP_202_ACCEPTED,
    responses={**CONFLICT, **BUDGET},
)
async def retry_item(
    roadmap_id: str,
    concept_id: str,
    content_type: ContentType,
    rt: RuntimeDep,
    who: PrincipalDep,
) -> ItemRetryResult:
    """Regenerate one item as a new version; it is ``generating`` when this answers."""
    return await roadmaps.retry_item(rt, roadmap_id, concept_id, content_type, who.user_id)


@router.post(
    "/{roadmap_id}/retry-failed",
    status_code=status.HTTP_202_ACCEPTED,
    responses={**CONFLICT, **BUDGET},
)
async def retry_failed(
    roadmap_id: str,
    rt: RuntimeDep,
    who: PrincipalDep,
    body: RetryFailedRequest | None = None,
) -> TaskView:
    """One ``retry_batch`` task over every failed or unfinished item."""
    types = body.content_types if body else None
    return await roadmaps.retry_failed(rt, roadmap_id, types, who.user_id)


@router.post(
    "/{roadmap_id}/resources/check",
    status_code=status.HTTP_202_ACCEPTED,
    responses={**CONFLICT},
)
async def check_resources(roadmap_id: str, rt: RuntimeDep, who: PrincipalDep) -> TaskView:
    """One ``link_check`` task re-checking every resource link of the roadmap (link rot)."""
    return await check_roadmap_links(rt, roadmap_id, who.user_id)


@router.get("/{roadmap_id}/reviews")
async def list_reviews(roadmap_id: str, rt: RuntimeDep, who: PrincipalDep) -> list[ReviewRound]:
    """Every review round, oldest first: its decision, the feedback, and what changed in the
    framework since the round before (concepts added, removed, renamed, and those whose
    description, hours, difficulty, prerequisites or keywords changed). The first round has
    no changes: there is nothing earlier to compare it with."""
    return await learner.reviews(rt, roadmap_id, who.user_id)


@router.get("/{roadmap_id}/intent")
async def get_intent(roadmap_id: str, rt: RuntimeDep, who: PrincipalDep) -> IntentAnalysis:
    """The stored intent analysis: normalised goal, key topics, technologies, difficulty,
    time budget, skill gaps, suggested path. 404 while there is none yet."""
    return await learner.intent(rt, roadmap_id, who.user_id)


@router.get("/{roadmap_id}/progress")
async def get_progress(roadmap_id: str, rt: RuntimeDep, who: PrincipalDep) -> LearningProgress:
    """Each concept's learning state: ``done`` once marked complete (``PUT
    …/progress/{concept_id}``), ``in_progress`` after a quiz attempt, else ``not_started``;
    the estimated hours done and left, and the weeks left at the request's hours per week."""
    return await learner.progress(rt, roadmap_id, who.user_id)


@router.put("/{roadmap_id}/progress/{concept_id}")
async def mark_progress(
    roadmap_id: str, concept_id: str, body: ProgressRequest, rt: RuntimeDep, who: PrincipalDep
) -> ConceptProgress:
    progress = await roadmaps.mark_progress(rt, roadmap_id, concept_id, body.completed, who.user_id)
    return ConceptProgress(concept_id=concept_id, completed=body.completed, progress=progress)


@router.get(
    "/{roadmap_id}/export",
    response_class=Response,
    responses={
        200: {
            "description": "md: a zip of markdown files; json: one document; html: one page",
            "content": {
                "application/zip": {},
                "application/json": {},
                "text/html": {},
            },
        }
    },
)
async def export(
    roadmap_id: str, rt: RuntimeDep, who: PrincipalDep, format: ExportFormat = ExportFormat.json
) -> Response:
    bundle = await roadmaps.bundle(rt, roadmap_id, who.user_id)
    name = f"learnpath-{roadmap_id}"
    if format == ExportFormat.json:
        body = json.dumps(render.to_json(bundle), ensure_ascii=False, indent=2).encode()
        return _download(body, "application/json", f"{name}.json")
    if format == ExportFormat.html:
        return _download(render.to_html(bundle).encode(), "text/html", f"{name}.html")
    archive = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder, zipfile.ZipFile(archive, "w") as zipped:
        for path in render.to_markdown(bundle, Path(folder)):
            zipped.write(path, Path(name) / path.relative_to(folder))
    return _download(archive.getvalue(), "application/zip", f"{name}.zip")


class GraphFormat(StrEnum):
    svg = "svg"
    png = "png"


@router.get(
    "/{roadmap_id}/graph",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}, "image/png": {}}}},
)
async def roadmap_graph(
    roadmap_id: str, rt: RuntimeDep, who: PrincipalDep, format: GraphFormat = GraphFormat.svg
) -> Response:
    """The roadmap as a graph: stages, modules, concept boxes coloured and marked by learning
    state, prerequisite arrows; each concept links to its page."""
    drawn = await graph.roadmap_graph(rt, roadmap_id, who.user_id)
    if format == GraphFormat.svg:
        return Response(to_svg(drawn), media_type="image/svg+xml")
    return Response(to_png(drawn), media_type="image/png")


def _download(body: bytes, media_type: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
