"""The roadmap graph (``GET /roadmaps/{id}/graph``, the roadmap page): the framework laid out
with each concept's learning state (:mod:`learnpath.export.graph`)."""

from __future__ import annotations

from learnpath.engine.runtime import Runtime
from learnpath.export.graph import Layout, layout
from learnpath.service import learner, roadmaps


async def roadmap_graph(rt: Runtime, roadmap_id: str, user_id: str | None = None) -> Layout:
    """The layout of the roadmap's graph; 404 (``RoadmapNotFound``) for another's roadmap."""
    framework, _row, _progress = await roadmaps.roadmap_detail(rt, roadmap_id, user_id)
    progress = await learner.progress(rt, roadmap_id, user_id)
    return layout(framework, {c.concept_id: c.state for c in progress.concepts})
