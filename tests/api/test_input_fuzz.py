"""Property-based fuzz of every JSON route, text field, path id and query value, over HTTP
against a real ``learnpath serve`` on SQLite and on PostgreSQL: whatever arrives (NaN,
infinities, huge integers, lone surrogates, NUL, deep nesting, oversized lists and strings,
valid bodies with one value swapped), the answer is never a 5xx, every 4xx carries a JSON
``detail``, and a refused request leaves the caller's tasks and roadmaps as they were."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.boundary import Target, assert_refused, dumps, target

pytestmark = pytest.mark.slow
__all__ = ["target"]

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
NASTY_TEXT = st.sampled_from(["\ud800", "a\udfffb", "\x00", "x\x00y", "\ufeff", "é" * 3])
TEXT = st.one_of(
    st.text(max_size=40),
    NASTY_TEXT,
    st.tuples(st.text(max_size=10), NASTY_TEXT).map("".join),
    st.integers(300, 400_000).map(lambda n: "x" * n),
)
NUMBERS = st.one_of(
    st.sampled_from([float("nan"), float("inf"), float("-inf")]),
    st.integers(),
    st.integers(10**250, 10**1000),
    st.floats(allow_nan=False, allow_infinity=False),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(TEXT.filter(lambda t: len(t) < 50), inner, max_size=4),
        st.integers(51, 5000).map(lambda n: ["k"] * n),
    ),
    max_leaves=12,
)


def mutated(valid: Any) -> st.SearchStrategy[Any]:
    """``valid`` with any of its values, at any depth, swapped for something else."""
    if isinstance(valid, dict):
        fields = {k: mutated(v) for k, v in valid.items()}
        return st.one_of(st.fixed_dictionaries(fields), VALUES)
    if isinstance(valid, list) and valid:
        return st.one_of(st.tuples(*(mutated(v) for v in valid[:3])).map(list), VALUES)
    return st.one_of(st.just(valid), VALUES)


def bodies(valid: Any) -> st.SearchStrategy[bytes]:
    deep = st.integers(65, 100_000).map(lambda n: b"[" * n + b"]" * n)
    long_int = st.integers(301, 6000).map(lambda n: b'{"x": ' + b"9" * n + b"}")
    return st.one_of(mutated(valid).map(dumps), deep, long_int, st.binary(max_size=64))


def check(target: Target, before: tuple[int, int], answer: httpx.Response) -> None:
    assert answer.status_code < 500, (answer.status_code, answer.text[:500])
    if answer.status_code >= 400:
        assert_refused(answer)
        assert target.counts() == before


Route = tuple[str, Callable[[Target], str], Callable[[Target], Any]]
ROUTES: dict[str, Route] = {
    "generate": (
        "POST",
        lambda t: "/roadmaps/generate",
        lambda t: {
            "goal": "Learn SQL",
            "current_level": "beginner",
            "hours_per_week": 5,
            "target_weeks": 1,
            "motivation": "work",
            "background": "none",
            "learning_styles": ["text"],
            "language": "en",
            "auto_approve": False,
        },
    ),
    "framework": (
        "PUT",
        lambda t: f"/roadmaps/{t.review_roadmap}/framework",
        lambda t: t.framework,
    ),
    "review": (
        "POST",
        lambda t: f"/tasks/{t.review_task}/review",
        lambda t: {"approved": False, "feedback": "shorter"},
    ),
    "retry_failed": (
        "POST",
        lambda t: f"/roadmaps/{t.done_roadmap}/retry-failed",
        lambda t: {"content_types": ["quiz"]},
    ),
    "progress": (
        "PUT",
        lambda t: f"/roadmaps/{t.done_roadmap}/progress/{t.concept_id}",
        lambda t: {"completed": True},
    ),
    "quiz": (
        "POST",
        lambda t: f"/roadmaps/{t.done_roadmap}/concepts/{t.concept_id}/quiz/attempts",
        lambda t: {"answers": {"q1": [0]}, "version": 1},
    ),
    "cancel": ("POST", lambda t: f"/tasks/{t.done_task}/cancel", lambda t: {}),
}


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_json_routes_refuse_cleanly(target: Target, route: str) -> None:
    method, path, valid = ROUTES[route]

    @FUZZ
    @given(body=bodies(valid(target)))
    def run(body: bytes) -> None:
        before = target.counts()
        check(target, before, target.send(method, path(target), body))

    run()


def encoded(text: str) -> str:
    """``text`` percent-encoded, lone surrogates as the bytes a careless client sends."""
    return quote(text[:2000].encode("utf-8", "surrogatepass"), safe="")


@FUZZ
@given(text=TEXT, other=TEXT)
def test_path_ids_and_query_values_refuse_cleanly(target: Target, text: str, other: str) -> None:
    before = target.counts()
    ident, value = encoded(text), encoded(other)
    for path in (f"/roadmaps/{ident}", f"/tasks/{ident}", f"/roadmaps/{ident}/status-check"):
        check(target, before, target.api.get(path))
    check(target, before, target.api.get(f"/tasks?status={ident}&limit={value}"))


@FUZZ
@given(username=TEXT, password=TEXT)
def test_the_login_form_refuses_cleanly(target: Target, username: str, password: str) -> None:
    form = {
        "username": username.encode("utf-8", "surrogatepass"),
        "password": password.encode("utf-8", "surrogatepass"),
    }
    answer = httpx.post(f"{target.server.base_url}/api/v1/auth/token", data=form, timeout=30)
    assert answer.status_code < 500, (answer.status_code, answer.text[:500])
    if answer.status_code >= 400:
        assert_refused(answer)
