"""The cost of content generation, estimated when a framework reaches review, and what it
really took once the task ends (``docs/models.md``, "Cost before approval").

With history (this installation's recorded calls of an agent and model), each content call
is taken to cost the medians of the newest ones. Without, the prompts are measured (about
four characters a token) and answers are assumed of a typical length; latency then comes
from the model's recorded seconds per answer token, when there are any.
"""

from __future__ import annotations

from collections.abc import Iterable
from statistics import median

from learnpath.agents.catalog import CONTENT_AGENTS
from learnpath.agents.inputs import content_input
from learnpath.domain.request import LearnerRequest
from learnpath.domain.roadmap import Concept, Framework
from learnpath.domain.usage import Actual, AgentEstimate, Estimate
from learnpath.llm.client import LLMClient
from learnpath.store import usage
from learnpath.store.database import Session

HISTORY_CALLS = 200
"""How many of the newest calls of an agent and model the medians are taken over."""
MIN_HISTORY = 3
TYPICAL_ANSWER_TOKENS = {"tutorial": 1500, "resources": 500, "quiz": 800}
CHARS_PER_TOKEN = 4


def _located(framework: Framework) -> list[tuple[str, str, Concept]]:
    return [
        (stage.name, module.name, concept)
        for stage in framework.stages
        for module in stage.modules
        for concept in module.concepts
    ]


async def _agent_estimate(
    s: Session,
    llm: LLMClient,
    agent: str,
    request: LearnerRequest,
    framework: Framework,
) -> AgentEstimate:
    model = llm.model_for(agent)
    located = _located(framework)
    history = await usage.recent_calls(s, agent, model, HISTORY_CALLS)
    if len(history) >= MIN_HISTORY:
        return AgentEstimate(
            model=model,
            calls=len(located),
            prompt_tokens=round(median(p for p, _, _ in history) * len(located)),
            completion_tokens=round(median(c for _, c, _ in history) * len(located)),
            latency_s=round(median(ms for _, _, ms in history) / 1000, 3),
            basis="history",
        )
    writer = CONTENT_AGENTS_BY_NAME[agent]
    chars = sum(
        len(m["content"])
        for stage, module, concept in located
        for m in writer.messages(content_input(request, framework, stage, module, concept))
    )
    answer = TYPICAL_ANSWER_TOKENS[agent]
    return AgentEstimate(
        model=model,
        calls=len(located),
        prompt_tokens=chars // CHARS_PER_TOKEN,
        completion_tokens=answer * len(located),
        latency_s=await _latency_per_answer(s, model, answer),
        basis="prompt_size",
    )


CONTENT_AGENTS_BY_NAME = {agent.name: agent for agent in CONTENT_AGENTS.values()}


async def _latency_per_answer(s: Session, model: str, answer_tokens: int) -> float | None:
    history = await usage.recent_calls(s, None, model, HISTORY_CALLS)
    rates = [ms / max(c, 1) for _, c, ms in history]
    return round(median(rates) * answer_tokens / 1000, 3) if rates else None


async def estimate_content(
    s: Session, llm: LLMClient, request: LearnerRequest, framework: Framework
) -> Estimate:
    agents = {
        name: await _agent_estimate(s, llm, name, request, framework)
        for name in CONTENT_AGENTS_BY_NAME
    }
    concurrency = llm.settings.llm_concurrency
    calls = sum(a.calls for a in agents.values())
    return Estimate(
        content_calls=calls,
        prompt_tokens=sum(a.prompt_tokens for a in agents.values()),
        completion_tokens=sum(a.completion_tokens for a in agents.values()),
        cost_usd=_cost(llm, agents.values()),
        wall_s=_wall(agents.values(), concurrency),
        concurrency=concurrency,
        agents=agents,
    )


def _cost(llm: LLMClient, agents: Iterable[AgentEstimate]) -> float | None:
    total = 0.0
    for agent in agents:
        price = llm.price_of(agent.model)
        if price is None:
            return None
        total += (agent.prompt_tokens * price[0] + agent.completion_tokens * price[1]) / 1e6
    return round(total, 6)


def _wall(agents: Iterable[AgentEstimate], concurrency: int) -> float | None:
    """Calls run ``concurrency`` at a time: the call-seconds spread over the slots, and never
    less than the longest call."""
    busy = longest = 0.0
    for agent in agents:
        if agent.latency_s is None:
            return None
        busy += agent.calls * agent.latency_s
        longest = max(longest, agent.latency_s)
    return round(max(busy / concurrency, longest), 1)


async def actual_content(s: Session, task_id: str) -> Actual:
    agents = list(CONTENT_AGENTS_BY_NAME)
    spent = await usage.usage_of(s, task_id=task_id, agents=agents)
    times = await usage.call_times(s, task_id, agents)
    if times:
        first = min(at.timestamp() - ms / 1000 for at, ms in times)
        last = max(at.timestamp() for at, _ in times)
        wall = last - first
    else:
        wall = 0.0
    return Actual(
        content_calls=spent.llm_calls,
        prompt_tokens=spent.prompt_tokens,
        completion_tokens=spent.completion_tokens,
        cost_usd=spent.cost_usd,
        wall_s=round(wall, 1),
    )
