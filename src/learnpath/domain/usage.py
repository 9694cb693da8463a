"""What model calls cost: recorded usage, the estimate shown before content generation is
approved, and the actual figures beside it once the task ends (``docs/models.md``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class Usage(BaseModel):
    model_config = ConfigDict(frozen=True)

    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0

    def describe(self) -> str:
        tokens = self.prompt_tokens + self.completion_tokens
        return f"{self.llm_calls} LLM calls, {tokens} tokens, {dollars(self.cost_usd)}"


class AgentEstimate(BaseModel):
    model_config = ConfigDict(frozen=True)

    model: str
    calls: int
    prompt_tokens: int
    completion_tokens: int
    latency_s: float | None
    basis: Literal["history", "prompt_size"]
    """``history``: medians of this installation's recorded calls of the agent and model;
    ``prompt_size``: the prompts measured, typical answer lengths assumed."""


class Estimate(BaseModel):
    """The content generation a reviewer is asked to approve."""

    model_config = ConfigDict(frozen=True)

    content_calls: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None
    """None when a model has no price in ``LEARNPATH_LLM_PRICES``."""
    wall_s: float | None
    """At the current limit of calls in flight; None without any observed latency."""
    concurrency: int
    agents: dict[str, AgentEstimate]

    def describe(self) -> str:
        wall = "time unknown" if self.wall_s is None else f"about {self.wall_s:g} s"
        return (
            f"{self.content_calls} content calls, {_tokens(self)}, {dollars(self.cost_usd)}, "
            f"{wall} at {self.concurrency} calls at once"
        )


class Actual(BaseModel):
    """What the content generation really took, to read beside the estimate."""

    model_config = ConfigDict(frozen=True)

    content_calls: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    wall_s: float

    def describe(self) -> str:
        return (
            f"{self.content_calls} content calls, {_tokens(self)}, {dollars(self.cost_usd)}, "
            f"{self.wall_s:g} s"
        )


def dollars(amount: float | None) -> str:
    if amount is None:
        return "cost unknown (no price in LEARNPATH_LLM_PRICES)"
    return f"${amount:.4f}"


def _tokens(figures: Estimate | Actual) -> str:
    total = figures.prompt_tokens + figures.completion_tokens
    return (
        f"{total} tokens ({figures.prompt_tokens} prompt, {figures.completion_tokens} completion)"
    )
