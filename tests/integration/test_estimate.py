"""The cost estimate a reviewer sees before approving content generation, and the actual
figures beside it when the task ends, against a model endpoint whose token counts are known
(``tests/support/model_server.py`` counts four characters a token)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from tests.cli.test_cli import as_json, learnpath
from tests.support.model_server import MODEL, ModelServer, Quirk, model_env

pytestmark = pytest.mark.slow
EnvFor = Callable[..., dict[str, str]]
PRICES = {MODEL: [0.5, 2.0]}


def to_review(env: dict[str, str]) -> str:
    done = learnpath(env, "generate", "Learn Go", "--hours-per-week", "4", "--weeks", "2", "--json")
    result = as_json(done)
    assert result["status"] == "human_review_pending", result
    return str(result["task_id"])


def within(estimated: float, actual: float, share: float = 0.25) -> bool:
    return abs(estimated - actual) <= share * actual


def test_estimate_before_approval_then_actual_beside_it(env_for: EnvFor) -> None:
    with ModelServer(Quirk.strict) as server:
        env = model_env(env_for, server, llm_prices=json.dumps(PRICES))
        # No history yet: the prompts are measured, answers assumed of a typical length.
        first = to_review(env)
        view = as_json(learnpath(env, "show", first, "--json"))
        estimate = view["estimate"]
        assert estimate["content_calls"] == 12
        assert {a["basis"] for a in estimate["agents"].values()} == {"prompt_size"}
        assert estimate["cost_usd"] > 0 and estimate["wall_s"] is not None
        assert view["actual"] is None
        learnpath(env, "review", first, "--approve", "--json")
        done = as_json(learnpath(env, "show", first, "--json"))
        assert done["status"] == "completed"
        actual = done["actual"]
        assert actual["content_calls"] == 12
        # The prompts are measured, so that figure is already close.
        assert within(estimate["prompt_tokens"], actual["prompt_tokens"])

        # With history, every figure is within a quarter of what the run really takes.
        second = to_review(env)
        estimate = as_json(learnpath(env, "show", second, "--json"))["estimate"]
        assert {a["basis"] for a in estimate["agents"].values()} == {"history"}
        text = " ".join(learnpath(env, "show", second).stdout.split())
        assert "estimate" in text and "12 content calls" in text
        learnpath(env, "review", second, "--approve", "--json")
        done = as_json(learnpath(env, "show", second, "--json"))
    actual = done["actual"]
    for figure in ("content_calls", "prompt_tokens", "completion_tokens", "cost_usd"):
        assert within(estimate[figure], actual[figure]), (figure, estimate, actual)
    expected_cost = (actual["prompt_tokens"] * 0.5 + actual["completion_tokens"] * 2.0) / 1e6
    assert actual["cost_usd"] == pytest.approx(expected_cost, rel=1e-3)
    assert done["usage"]["cost_usd"] >= actual["cost_usd"] > 0


def test_unpriced_model_has_no_cost_figure(env_for: EnvFor) -> None:
    with ModelServer(Quirk.strict) as server:
        env = model_env(env_for, server)
        task = to_review(env)
        view = as_json(learnpath(env, "show", task, "--json"))
        text = " ".join(learnpath(env, "show", task).stdout.split())
    assert view["estimate"]["cost_usd"] is None
    assert "cost unknown (no price in LEARNPATH_LLM_PRICES)" in text


def test_cli_refuses_a_task_once_the_days_budget_is_spent(env_for: EnvFor) -> None:
    with ModelServer(Quirk.strict) as server:
        env = model_env(
            env_for, server, llm_prices=json.dumps(PRICES), budget_usd_per_day="0.000001"
        )
        learnpath(env, "generate", "Learn Go", "--weeks", "1", "--auto-approve", "--json")
        sent = len(server.requests)
        refused = learnpath(env, "generate", "Learn Go", "--weeks", "1", check=1)
        assert server.requests[sent:] == []  # no model call was made for it
    message = " ".join(refused.stderr.split())
    assert "model budget for today is spent" in message
    assert "LEARNPATH_BUDGET_USD_PER_DAY" in message
    assert len(as_json(learnpath(env, "tasks", "--json"))["tasks"]) == 1
