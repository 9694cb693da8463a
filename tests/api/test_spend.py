"""Spend over HTTP against a priced model endpoint: usage on the task and the roadmap, the
cost counter of ``/metrics``, and the daily budget that refuses new tasks with a 429."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import Api, create_users
from tests.support.model_server import API_KEY, MODEL, ModelServer
from tests.support.server import Server, running_server

pytestmark = pytest.mark.slow
BUDGET = 0.001
"""USD a day per user: one small roadmap at these prices spends more than this."""


@pytest.fixture(scope="module")
def priced_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with ModelServer() as model:
        settings = {
            "llm_base_url": model.base_url,
            "llm_api_key": API_KEY,
            "llm_model": MODEL,
            "llm_prices": json.dumps({MODEL: [5.0, 15.0]}),
            "budget_usd_per_day": str(BUDGET),
            "link_check": "off",  # the URLs a fake model invents must not be fetched
        }
        with running_server(tmp_path_factory.mktemp("spend"), **settings) as server:
            server.env["NO_PROXY"] = "127.0.0.1,localhost"
            yield server


def cost_metric(text: str) -> float:
    found = re.search(rf'^learnpath_llm_cost_usd_total\{{model="{MODEL}"\}} (\S+)$', text, re.M)
    assert found, text
    return float(found[1])


def test_usage_cost_metric_and_daily_budget(priced_server: Server, tmp_path: Path) -> None:
    spender, other = create_users(priced_server, "spender", "other")
    task_id, roadmap_id = spender.completed_roadmap()
    view = spender.task(task_id)
    usage = view["usage"]
    assert usage["llm_calls"] >= 14 and usage["cost_usd"] > BUDGET
    expected = (usage["prompt_tokens"] * 5.0 + usage["completion_tokens"] * 15.0) / 1e6
    assert usage["cost_usd"] == pytest.approx(expected, rel=1e-3)
    assert view["estimate"]["cost_usd"] > 0 and view["actual"]["cost_usd"] > 0
    assert spender.roadmap(roadmap_id)["usage"] == usage

    text = priced_server.metrics()
    assert re.search(r"^# TYPE learnpath_llm_cost_usd(_total)? counter$", text, re.M)
    assert cost_metric(text) == pytest.approx(usage["cost_usd"], rel=1e-3)

    refused = spender.post("/roadmaps/generate", json={"goal": "Learn Go", "target_weeks": 1})
    assert refused.status_code == 429
    assert "model budget for today is spent" in refused.json()["detail"]
    assert 0 < int(refused.headers["Retry-After"]) <= 86400
    before = spender.call("GET", "/tasks", 200)["total"]
    assert before == 1  # nothing was half-written

    retried = spender.post(f"/roadmaps/{roadmap_id}/concepts/terms/quiz/retry")
    assert retried.status_code == 429
    assert (
        spender.roadmap(roadmap_id)["stages"][0]["modules"][0]["concepts"][0]["quiz_status"]
        == "completed"
    )

    # The budget is each user's: someone else may still start.
    assert isinstance(other, Api)
    other.generate()
