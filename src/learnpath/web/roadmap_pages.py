"""The roadmap pages: my roadmaps (delete, restore), and the viewer of one roadmap: its
navigator, each concept's tutorial, resources and quiz with its attempt history, learning
marks, and behind "Manage" the item retries, the retry of every failed item and the link
check. The learner's progress is :mod:`learnpath.web.learning_view`; the quiz's attempts and
results are :mod:`learnpath.web.quiz_pages`."""

from __future__ import annotations

import contextlib
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from learnpath.api.deps import RuntimeDep
from learnpath.domain.content import ContentType
from learnpath.domain.roadmap import Concept
from learnpath.errors import ContentNotFound
from learnpath.export.graph import to_svg
from learnpath.service import content, graph, learner, roadmaps
from learnpath.service.content import QuizOut
from learnpath.service.links import check_roadmap_links, link_states
from learnpath.web.errors import PageRoute
from learnpath.web.forms import posted, text
from learnpath.web.highlight import render_tutorial
from learnpath.web.learning_view import CONCEPT_ANCHOR, learning_context
from learnpath.web.session import Viewer, page, redirect
from learnpath.web.views import items_of, roadmap_signature

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/roadmaps")
async def roadmap_list(request: Request, rt: RuntimeDep, who: Viewer) -> Response:
    listed = await roadmaps.list_roadmaps(rt, who.user_id, include_deleted=True)
    context = {
        "current": [r for r in listed if r.deleted_at is None],
        "deleted": [r for r in listed if r.deleted_at is not None],
    }
    return page(request, "roadmaps.html", context)


@router.post("/roadmaps/{roadmap_id}/delete")
async def roadmap_delete(
    request: Request, roadmap_id: str, rt: RuntimeDep, who: Viewer
) -> Response:
    await posted(request)
    await roadmaps.set_deleted(rt, roadmap_id, True, who.user_id)
    return redirect(request, "/roadmaps")


@router.post("/roadmaps/{roadmap_id}/restore")
async def roadmap_restore(
    request: Request, roadmap_id: str, rt: RuntimeDep, who: Viewer
) -> Response:
    await posted(request)
    await roadmaps.set_deleted(rt, roadmap_id, False, who.user_id)
    return redirect(request, "/roadmaps")


def _tab(tab: str) -> str:
    return tab if tab in {t.value for t in ContentType} else ContentType.tutorial.value


def _pick(concepts: list[Concept], wanted: str | None, completed: list[str]) -> Concept:
    """The concept asked for, else the first one not marked complete, else the first."""
    chosen = next((c for c in concepts if c.concept_id == wanted), None)
    chosen = chosen or next((c for c in concepts if c.concept_id not in completed), None)
    return chosen or concepts[0]


async def viewer_context(
    rt: RuntimeDep, roadmap_id: str, who: Viewer, concept_id: str | None, tab: str
) -> dict[str, Any]:
    framework, row, progress = await roadmaps.roadmap_detail(rt, roadmap_id, who.user_id)
    active = await roadmaps.active_task(rt, roadmap_id, who.user_id)
    concepts = list(framework.concepts())
    concept = _pick(concepts, concept_id, row.completed_concepts)
    tab = _tab(tab)
    context: dict[str, Any] = {
        "framework": framework,
        "progress": progress,
        "completed": set(row.completed_concepts),
        "active": active,
        "concept": concept,
        "items": items_of(concept),
        "tab": tab,
        "signature": roadmap_signature(framework, row.completed_concepts, active.task_id),
        "live_query": urlencode({"concept": concept.concept_id, "tab": tab}),
        "tutorial": None,
        "tutorial_html": None,
        "resources": None,
        "link_checks": {},
        "quiz": None,
        "attempts": [],
        "grade": None,
        "answers": {},
        "unwritten": [(c, i) for c in concepts for i in items_of(c) if i.status == "failed"],
        "link_checks_on": bool(rt.research.checks),
    }
    context.update(await learning_context(rt, roadmap_id, who, concepts, concept.concept_id))
    with contextlib.suppress(ContentNotFound):  # not generated yet: the panel says so
        context.update(await _tab_context(rt, roadmap_id, concept, tab, who))
    return context


def untitled(markdown: str, title: str) -> str:
    """The tutorial without its first line when that is a heading of the concept's name: the
    concept panel shows the name once, above it."""
    first, _, rest = markdown.lstrip().partition("\n")
    heading = first.startswith("#") and first.lstrip("#").strip() == title.strip()
    return rest if heading else markdown


async def _tab_context(
    rt: RuntimeDep, roadmap_id: str, concept: Concept, tab: str, who: Viewer
) -> dict[str, Any]:
    """What the concept panel's open tab shows: the latest content of that type."""
    concept_id = concept.concept_id
    if tab == ContentType.tutorial.value:
        tutorial = await content.tutorial(rt, roadmap_id, concept_id, None, who.user_id)
        shown = render_tutorial(untitled(tutorial.markdown, concept.name))
        return {"tutorial": tutorial, "tutorial_html": shown}
    if tab == ContentType.resources.value:
        listed = await content.resources(rt, roadmap_id, concept_id, None, who.user_id)
        checks = await link_states(rt, [str(r["url"]) for r in listed.resources])
        return {"resources": listed, "link_checks": checks}
    tried = await content.quiz_attempts(rt, roadmap_id, concept_id, who.user_id)
    quiz: QuizOut | None = None
    with contextlib.suppress(ContentNotFound):  # the history shows while no quiz is ready
        quiz = await content.quiz(rt, roadmap_id, concept_id, None, who.user_id)
    return {"attempts": tried, "quiz": quiz}


@router.get("/roadmaps/{roadmap_id}")
async def roadmap_page(
    request: Request,
    roadmap_id: str,
    rt: RuntimeDep,
    who: Viewer,
    concept: str | None = None,
    tab: str = "tutorial",
) -> Response:
    context = await viewer_context(rt, roadmap_id, who, concept, tab)
    # Built from escaped names only (export.graph), so it goes into the page as it is.
    drawn = to_svg(await graph.roadmap_graph(rt, roadmap_id, who.user_id))
    context["graph_svg"] = Markup(drawn)
    context["history"] = await learner.reviews(rt, roadmap_id, who.user_id)
    return page(request, "roadmap.html", context)


@router.get("/roadmaps/{roadmap_id}/live")
async def roadmap_live(
    request: Request,
    roadmap_id: str,
    rt: RuntimeDep,
    who: Viewer,
    concept: str | None = None,
    tab: str = "tutorial",
) -> Response:
    """The navigator and the concept panel, for the viewer's script to swap in."""
    context = await viewer_context(rt, roadmap_id, who, concept, tab)
    return page(request, "roadmap_live.html", context)


@router.post("/roadmaps/{roadmap_id}/concepts/{concept_id}/complete")
async def concept_complete(
    request: Request, roadmap_id: str, concept_id: str, rt: RuntimeDep, who: Viewer
) -> Response:
    """Mark a concept done or not done, then show it again where the reader was: at the
    concept panel, on the tab they had open."""
    form = await posted(request)
    done = text(form, "completed") == "true"
    await roadmaps.mark_progress(rt, roadmap_id, concept_id, done, who.user_id)
    query = urlencode({"concept": concept_id, "tab": _tab(text(form, "tab") or "")})
    address = f"/roadmaps/{quote(roadmap_id, safe='')}?{query}#{CONCEPT_ANCHOR}"
    return redirect(request, address)


@router.post("/roadmaps/{roadmap_id}/concepts/{concept_id}/{content_type}/retry")
async def item_retry(
    request: Request,
    roadmap_id: str,
    concept_id: str,
    content_type: ContentType,
    rt: RuntimeDep,
    who: Viewer,
) -> Response:
    """Regenerate one item (the form a page without scripts sends; scripts call the API)."""
    await posted(request)
    await roadmaps.retry_item(rt, roadmap_id, concept_id, content_type, who.user_id)
    query = urlencode({"concept": concept_id, "tab": content_type.value})
    return redirect(request, f"/roadmaps/{roadmap_id}?{query}")


@router.post("/roadmaps/{roadmap_id}/retry-failed")
async def roadmap_retry_failed(
    request: Request, roadmap_id: str, rt: RuntimeDep, who: Viewer
) -> Response:
    """Regenerate every failed or unfinished item in one task, shown on its own page."""
    await posted(request)
    view = await roadmaps.retry_failed(rt, roadmap_id, None, who.user_id)
    return redirect(request, f"/tasks/{view.task_id}")


@router.post("/roadmaps/{roadmap_id}/resources/check")
async def roadmap_check_links(
    request: Request, roadmap_id: str, rt: RuntimeDep, who: Viewer
) -> Response:
    """Check every resource link of the roadmap again, in a task shown on its own page."""
    await posted(request)
    view = await check_roadmap_links(rt, roadmap_id, who.user_id)
    return redirect(request, f"/tasks/{view.task_id}")


@router.get("/roadmaps/{roadmap_id}/retry-failed")
@router.get("/roadmaps/{roadmap_id}/resources/check")
async def manage_form_revisited(request: Request, roadmap_id: str) -> Response:
    """A Manage form's address visited again: the roadmap."""
    return redirect(request, f"/roadmaps/{quote(roadmap_id, safe='')}")


@router.get("/roadmaps/{roadmap_id}/delete")
@router.get("/roadmaps/{roadmap_id}/restore")
async def roadmap_form_revisited(request: Request, roadmap_id: str) -> Response:
    """A form's address visited again (back, forward, a reload, a bookmark): the page the
    form is on, never a "method not allowed"."""
    return redirect(request, "/roadmaps")


@router.get("/roadmaps/{roadmap_id}/concepts/{concept_id}/complete")
@router.get("/roadmaps/{roadmap_id}/concepts/{concept_id}/{content_type}/retry")
async def concept_form_revisited(
    request: Request, roadmap_id: str, concept_id: str, content_type: str = "tutorial"
) -> Response:
    """The same for a concept's forms: the concept in the viewer."""
    query = urlencode({"concept": concept_id, "tab": content_type})
    return redirect(request, f"/roadmaps/{quote(roadmap_id, safe='')}?{query}")
