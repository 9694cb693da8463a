"""Whole roadmaps through ``learnpath generate`` against model endpoints that behave like the
real ones users point us at (``tests/support/model_server.py``): each completes, and the
structured-output mode found to work is remembered, so the next roadmap makes no failed call.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.cli.test_cli import as_json, learnpath
from tests.support.model_server import MODEL, ModelServer, Quirk, model_env

pytestmark = pytest.mark.slow
EnvFor = Callable[..., dict[str, str]]

EXPECTED_MODE = {
    Quirk.strict: "json_schema",
    Quirk.json_object_only: "json_object",
    Quirk.prose: "prompt",
    Quirk.think: "prompt",
    Quirk.reasoning_split: "json_schema",
    Quirk.no_usage: "json_schema",
    Quirk.rate_limited: "json_schema",
}
"""The mode each kind of endpoint ends up remembered with."""


def generate(env: dict[str, str]) -> dict[str, object]:
    done = learnpath(
        env, "generate", "Learn Go", "--hours-per-week", "4", "--weeks", "2",
        "--auto-approve", "--json",
    )  # fmt: skip
    return dict(as_json(done))


def remembered(home: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(home / "learnpath.db") as db:
        return list(db.execute("SELECT base_url, model, mode FROM llm_modes"))


@pytest.mark.parametrize("quirk", list(Quirk), ids=[q.value for q in Quirk])
def test_roadmap_completes_and_mode_is_remembered(
    quirk: Quirk, env_for: EnvFor, tmp_path: Path
) -> None:
    with ModelServer(quirk) as server:
        env = model_env(env_for, server)
        first = generate(env)
        assert first["status"] == "completed", first
        shown = as_json(learnpath(env, "show", str(first["task_id"]), "--json"))
        assert shown["summary"]["items_done"] == 12
        assert shown["summary"]["prompt_tokens"] > 0 and shown["summary"]["completion_tokens"] > 0
        assert remembered(tmp_path / "home") == [(server.base_url, MODEL, EXPECTED_MODE[quirk])]

        sent_before = len(server.requests)
        failed_before = server.failed()
        second = generate(env)
        assert second["status"] == "completed", second
        later = server.requests[sent_before:]
        formats = {json.dumps(r.get("response_format", {}).get("type")) for r in later}
        if quirk in (Quirk.strict, Quirk.json_object_only, Quirk.prose, Quirk.think):
            # Nothing this endpoint refuses or ignores is sent again, and no call fails.
            assert server.failed() == failed_before
            assert len(formats) == 1, formats
    if quirk is Quirk.json_object_only:
        assert failed_before >= 1  # the first roadmap did meet the refusal
        assert formats == {'"json_object"'}
    if quirk in (Quirk.prose, Quirk.think):
        assert formats == {"null"}


def test_fixed_mode_is_used_as_configured(env_for: EnvFor) -> None:
    with ModelServer(Quirk.json_object_only) as server:
        env = model_env(env_for, server, llm_structured_output="json_schema")
        done = learnpath(
            env, "generate", "Learn Go", "--weeks", "2", "--auto-approve", "--json", check=1
        )
        assert as_json(done)["status"] == "failed"
        shown = learnpath(env, "tasks", "--json")
        task = as_json(shown)["tasks"][0]
        assert "refused response_format (json_schema)" in task["error_message"]
        assert "LEARNPATH_LLM_STRUCTURED_OUTPUT" in task["error_message"]
        # Nothing is negotiated behind the operator's back: every call asked for json_schema.
        assert {r["response_format"]["type"] for r in server.requests} == {"json_schema"}


def test_agent_params_reach_the_endpoint(env_for: EnvFor) -> None:
    params = {"default": {"temperature": 0.2}, "tutorial": {"max_tokens": 3000}}
    with ModelServer() as server:
        env = model_env(env_for, server, llm_agent_params=json.dumps(params))
        assert generate(env)["status"] == "completed"
        tutorials = [
            r for r in server.requests if r["response_format"]["json_schema"]["name"] == "Tutorial"
        ]
        others = [r for r in server.requests if r not in tutorials]
    assert tutorials and all(r["temperature"] == 0.2 and r["max_tokens"] == 3000 for r in tutorials)
    assert others and all(r["temperature"] == 0.2 and "max_tokens" not in r for r in others)
