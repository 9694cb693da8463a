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


class Actual(BaseModel):
    """What the content generation really took, to read beside the estimate."""

    model_config = ConfigDict(frozen=True)

    content_calls: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    wall_s: float
