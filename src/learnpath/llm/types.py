"""Provider-neutral request, response and usage records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from pydantic import BaseModel


@dataclass(frozen=True)
class LLMRequest:
    agent: str
    model: str
    messages: list[dict[str, str]]
    schema: type[BaseModel]
    payload: dict[str, Any]
    """The agent's structured input; the offline provider builds its answer from it."""
    attempt: int = 1
    temperature: float | None = None
    max_tokens: int | None = None


@dataclass(frozen=True)
class LLMResponse:
    text: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    mode: str | None = None
    """The structured-output mode the answer came in (``llm/structured.py``)."""


@dataclass(frozen=True)
class LLMCall:
    """One request to a provider, as recorded in the ``llm_calls`` table."""

    agent: str
    model: str
    provider: str
    ok: bool
    latency_ms: float
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    error: str | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))


class Provider(Protocol):
    name: str
    free: bool
    """Its calls cost nothing (the offline provider)."""
    synthetic: bool
    """It writes stand-in material, not a model's: what it writes is labelled so."""

    async def complete(self, request: LLMRequest) -> LLMResponse: ...

    def describe(self) -> str:
        """One line for ``/readyz``: the provider and what it knows, without a network call."""
        ...

    def model_name(self, configured: str) -> str:
        """The model a call asked of ``configured`` runs on, as recorded and priced."""
        ...
