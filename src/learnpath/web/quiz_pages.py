"""A concept's quiz in the roadmap viewer: answers graded on the server, then the result at an
address of its own (post/redirect/get), so that a reload or a revisit shows the same result
and stores no new attempt.

The service records each attempt and answers its grade, but reads no attempt back. So the
result's address carries the grade itself (less the explanations), compressed and signed with
the server's secret: only a grade this server made for this user, roadmap and concept opens.
The page reads the graded version's questions, and the explanations from the latest quiz
while it is still that version.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import zlib
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from learnpath.api.deps import RuntimeDep
from learnpath.errors import Invalid, NotFound
from learnpath.service import content, roadmaps
from learnpath.service.content import QuizAnswers, QuizGrade, QuizOut
from learnpath.web.errors import PageRoute
from learnpath.web.forms import posted
from learnpath.web.roadmap_pages import viewer_context
from learnpath.web.session import Viewer, page, redirect

router = APIRouter(route_class=PageRoute, include_in_schema=False)
QUIZ = "/roadmaps/{roadmap_id}/concepts/{concept_id}/quiz"
MAX_TOKEN = 4000
"""Longer than any sealed grade (at most 8 questions of 8 options): refused unread."""
DOES_NOT_FIT = "These answers do not fit the quiz any more: reload the quiz and answer again"


def _option_index(value: str) -> bool:
    """Whether a submitted option reads as an index: ASCII digits, a few of them (``int``
    refuses other Unicode digits, and past 4300 digits)."""
    return value.isascii() and value.isdigit() and len(value) <= 3


def _answers(form: FormData, quiz: QuizOut) -> dict[str, list[int]]:
    answers: dict[str, list[int]] = {}
    for question in quiz.questions:
        chosen = [c for c in form.getlist(f"q-{question.question_id}") if isinstance(c, str)]
        answers[question.question_id] = [int(c) for c in chosen if _option_index(c)]
    return answers


def _unanswered(answers: dict[str, list[int]]) -> str | None:
    missing = sum(not chosen for chosen in answers.values())
    if not missing:
        return None
    verb = "is" if missing == 1 else "are"
    return (
        f"{missing} of {len(answers)} questions {verb} not answered yet: answer every question, "
        "then submit"
    )


def _key(request: Request, rt: RuntimeDep) -> bytes:
    """The server's secret; without one (the loopback mode may have none), this process's."""
    secret = rt.settings.secret_key
    own: bytes = request.app.state.result_key
    return secret.get_secret_value().encode() if secret else own


def _mac(key: bytes, scope: tuple[str, str, str | None], body: str) -> str:
    message = "\0".join(("quiz-result", *(part or "" for part in scope), body)).encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def seal(key: bytes, scope: tuple[str, str, str | None], grade: QuizGrade) -> str:
    """``grade`` (without its explanations) as a signed token for ``(roadmap, concept,
    user)``."""
    shown = grade.model_dump(exclude={"concept_id": True, "results": {"__all__": {"explanation"}}})
    packed = zlib.compress(json.dumps(shown, separators=(",", ":")).encode())
    body = base64.urlsafe_b64encode(packed).decode().rstrip("=")
    return f"{body}.{_mac(key, scope, body)}"


def unseal(key: bytes, scope: tuple[str, str, str | None], token: str) -> dict[str, Any] | None:
    """What :func:`seal` packed, or None for a token it did not make for this scope."""
    body, _, mac = token.partition(".")
    if len(token) > MAX_TOKEN:
        return None
    if not hmac.compare_digest(mac.encode(), _mac(key, scope, body).encode()):
        return None
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        shown: dict[str, Any] = json.loads(zlib.decompress(packed))
    except (binascii.Error, zlib.error, ValueError):
        return None
    return shown


async def _refused(
    request: Request,
    rt: RuntimeDep,
    who: Viewer,
    where: tuple[str, str],
    problem: str,
    answers: dict[str, list[int]] | None = None,
) -> Response:
    """The quiz at ``where`` (roadmap, concept) again, with the answers given, what was wrong
    at the top of the page."""
    context = await viewer_context(rt, where[0], who, where[1], "quiz")
    context.update(answers=answers or {}, problems=[("quiz", problem)])
    return page(request, "roadmap.html", context, 422)


@router.post(QUIZ)
async def quiz_attempt(
    request: Request, roadmap_id: str, concept_id: str, rt: RuntimeDep, who: Viewer
) -> Response:
    """Grade the submitted answers and send the browser to the result's own address. A quiz
    with questions left unanswered is refused, the answers given kept."""
    form = await posted(request)
    quiz = await content.quiz(rt, roadmap_id, concept_id, None, who.user_id)
    answers = _answers(form, quiz)
    where = (roadmap_id, concept_id)
    if problem := _unanswered(answers):
        return await _refused(request, rt, who, where, problem, answers)
    try:
        submission = QuizAnswers(answers=answers, version=quiz.version)
        grade = await content.grade(rt, roadmap_id, concept_id, submission, who.user_id)
    except (Invalid, ValidationError):
        return await _refused(request, rt, who, where, DOES_NOT_FIT)
    token = seal(_key(request, rt), (*where, who.user_id), grade)
    address = QUIZ.format(
        roadmap_id=quote(roadmap_id, safe=""), concept_id=quote(concept_id, safe="")
    )
    return redirect(request, f"{address}/result?{urlencode({'attempt': token})}")


async def _explanations(
    rt: RuntimeDep, roadmap_id: str, concept_id: str, version: int, who: Viewer
) -> dict[str, str]:
    """The explanation of each question, while the latest quiz is still ``version``."""
    bundle = await roadmaps.bundle(rt, roadmap_id, who.user_id)
    concept = bundle.framework.concept(concept_id)
    quiz = bundle.quizzes.get(concept_id)
    if concept is None or quiz is None or concept.quiz_version != version:
        return {}
    return {q.question_id: q.explanation for q in quiz.questions}


@router.get(QUIZ + "/result")
async def quiz_result(
    request: Request,
    roadmap_id: str,
    concept_id: str,
    rt: RuntimeDep,
    who: Viewer,
    attempt: str = "",
) -> Response:
    """A graded attempt, as often as it is asked for."""
    shown = unseal(_key(request, rt), (roadmap_id, concept_id, who.user_id), attempt)
    if shown is None:
        raise NotFound("no such quiz result")
    explained = await _explanations(rt, roadmap_id, concept_id, int(shown["version"]), who)
    for result in shown["results"]:
        result["explanation"] = explained.get(result["question_id"], "")
    grade = QuizGrade.model_validate({**shown, "concept_id": concept_id})
    context = await viewer_context(rt, roadmap_id, who, concept_id, "quiz")
    context["quiz"] = await content.quiz(rt, roadmap_id, concept_id, grade.version, who.user_id)
    context["grade"] = grade
    return page(request, "roadmap.html", context)


@router.get(QUIZ)
async def quiz_revisited(request: Request, roadmap_id: str, concept_id: str) -> Response:
    """The address a refused quiz was shown at, visited again: the quiz."""
    query = urlencode({"concept": concept_id, "tab": "quiz"})
    return redirect(request, f"/roadmaps/{quote(roadmap_id, safe='')}?{query}")
