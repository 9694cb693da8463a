"""``learnpath doctor`` against model endpoints that work, are down, refuse the key or do
not know the model: the exit code and the words a user reads."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable

import pytest

from tests.cli.test_cli import learnpath
from tests.support.model_server import API_KEY, MODEL, ModelServer, Quirk

EnvFor = Callable[..., dict[str, str]]


def doctor_env(env_for: EnvFor, base_url: str, **extra: str) -> dict[str, str]:
    settings = {"llm_base_url": base_url, "llm_api_key": API_KEY, "llm_model": MODEL, **extra}
    env = env_for(**settings)
    env["NO_PROXY"] = "127.0.0.1,localhost"
    return env


def checks(done: object) -> dict[str, dict[str, object]]:
    report = json.loads(done.stdout)  # type: ignore[attr-defined]
    return {c["name"]: c for c in report["checks"]}


def dead_url() -> str:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def test_offline_default_is_healthy(env_for: EnvFor) -> None:
    done = learnpath(env_for(), "doctor")
    assert "the offline provider" in done.stdout
    assert "All good." in done.stdout


def test_good_endpoint_reports_the_mode_latency_and_tokens(env_for: EnvFor) -> None:
    with ModelServer(Quirk.json_object_only) as server:
        env = doctor_env(env_for, server.base_url, llm_models='{"tutorial": "big-model"}')
        server.models = (MODEL, "big-model")
        text = learnpath(env, "doctor")
        found = checks(learnpath(env, "doctor", "--json"))
    assert "structured output works in json_object mode" in text.stdout
    assert "All good." in text.stdout
    assert API_KEY not in text.stdout  # the key is masked
    assert f"set (…{API_KEY[-4:]})" in text.stdout
    for model in (MODEL, "big-model"):
        call = found[f"model {model}"]
        assert call["state"] == "ok" and call["mode"] == "json_object"
        assert isinstance(call["latency_ms"], int) and int(str(call["tokens"])) > 0
    assert found["model endpoint"]["detail"] == "reachable, 2 model(s) listed"


def test_dead_endpoint(env_for: EnvFor) -> None:
    done = learnpath(doctor_env(env_for, dead_url()), "doctor", check=1)
    assert "FAIL model endpoint: could not reach the model endpoint" in done.stdout
    assert "check LEARNPATH_LLM_BASE_URL and that the server runs" in done.stdout


def test_wrong_key(env_for: EnvFor) -> None:
    with ModelServer() as server:
        env = doctor_env(env_for, server.base_url, llm_api_key="sk-wrong-key-0000")
        done = learnpath(env, "doctor", check=1)
    assert "refused the request (401)" in done.stdout
    assert "set LEARNPATH_LLM_API_KEY to a valid key" in done.stdout
    assert "sk-wrong-key-0000" not in done.stdout


def test_wrong_model(env_for: EnvFor) -> None:
    with ModelServer() as server:
        env = doctor_env(env_for, server.base_url, llm_model="no-such-model")
        done = learnpath(env, "doctor", "--json", check=1)
    found = checks(done)
    assert found["model endpoint"]["state"] == "fail"
    assert "does not offer no-such-model; it offers test-model" in str(
        found["model endpoint"]["detail"]
    )
    assert "LEARNPATH_LLM_MODEL" in str(found["model endpoint"]["fix"])


def test_invalid_configuration(env_for: EnvFor) -> None:
    done = learnpath(env_for(llm_concurrency="0"), "doctor", check=1)
    assert "FAIL configuration: llm_concurrency" in done.stdout


@pytest.mark.postgres
def test_unreachable_database(env_for: EnvFor) -> None:
    env = env_for(database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none")
    done = learnpath(env, "doctor", check=1)
    assert "FAIL database: cannot reach the database" in done.stdout
    assert "check LEARNPATH_DATABASE_URL" in done.stdout
