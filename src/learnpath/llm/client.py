"""The one LLM client: structured output, repair re-ask, retries, global limit, usage."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from learnpath.config import Settings
from learnpath.llm.errors import (
    CancelledByRequest,
    InvalidOutputError,
    LLMError,
    TransientLLMError,
)
from learnpath.llm.structured import extract_json
from learnpath.llm.types import LLMCall, LLMRequest, LLMResponse, Provider

T = TypeVar("T", bound=BaseModel)
CancelCheck = Callable[[], Awaitable[bool]]


@dataclass
class Generation(Generic[T]):
    value: T
    calls: list[LLMCall]


def parse_structured(text: str, schema: type[T]) -> T:
    """Validate a model reply against ``schema``, cleaned of what models wrap around JSON:
    ``<think>`` blocks, code fences, prose before and after."""
    return schema.model_validate_json(extract_json(text))


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:10]:
        where = ".".join(str(p) for p in item["loc"]) or "(root)"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


class LLMClient:
    """Owns every model call of a process: one instance, one limit on calls in flight."""

    def __init__(self, provider: Provider, settings: Settings) -> None:
        self.provider = provider
        self.settings = settings
        self._slots = asyncio.Semaphore(settings.llm_concurrency)
        self._wait_backoff = wait_exponential_jitter(
            multiplier=settings.llm_retry_base_s,
            max=settings.llm_retry_max_s,
            jitter=settings.llm_retry_base_s,
        )

    def price_of(self, model: str) -> tuple[float, float] | None:
        """USD per million prompt and completion tokens; None when not known."""
        if self.provider.free:
            return (0.0, 0.0)
        return self.settings.llm_prices.get(model)

    def model_for(self, agent: str) -> str:
        """The model ``agent``'s calls run on, as recorded in ``llm_calls``."""
        return self.provider.model_name(self.settings.model_for(agent))

    async def generate(
        self,
        agent: str,
        schema: type[T],
        messages: list[dict[str, str]],
        payload: dict[str, Any],
        should_cancel: CancelCheck | None = None,
    ) -> Generation[T]:
        """Ask ``agent``'s model for an instance of ``schema``; one repair re-ask if invalid."""
        calls: list[LLMCall] = []
        params = self.settings.params_for(agent)
        request = LLMRequest(
            agent=agent,
            model=self.model_for(agent),
            messages=messages,
            schema=schema,
            payload=payload,
            temperature=params.temperature,
            max_tokens=params.max_tokens,
        )
        try:
            response = await self._complete_with_retries(request, calls, should_cancel)
            try:
                return Generation(parse_structured(response.text, schema), calls)
            except ValidationError as first:
                problem = _describe(first)
            repair = replace(
                request,
                messages=[
                    *messages,
                    {"role": "assistant", "content": extract_json(response.text)},
                    {
                        "role": "user",
                        "content": (
                            "Your reply did not match the required JSON schema: "
                            f"{problem}. Reply again with only the corrected JSON object."
                        ),
                    },
                ],
                attempt=2,
            )
            response = await self._complete_with_retries(repair, calls, should_cancel)
            try:
                return Generation(parse_structured(response.text, schema), calls)
            except ValidationError as second:
                raise InvalidOutputError(
                    f"the model's {agent} output was invalid after one repair: {_describe(second)}"
                ) from None
        except LLMError as error:
            error.calls = list(calls)
            raise

    async def _complete_with_retries(
        self, request: LLMRequest, calls: list[LLMCall], should_cancel: CancelCheck | None
    ) -> LLMResponse:
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(TransientLLMError),
            stop=stop_after_attempt(self.settings.llm_max_retries + 1),
            wait=self._wait,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._complete_once(request, calls, should_cancel)
        raise AssertionError("unreachable: tenacity reraises the last error")

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, TransientLLMError) and error.retry_after is not None:
            return min(error.retry_after, self.settings.llm_retry_max_s)
        return float(self._wait_backoff(state))

    async def _complete_once(
        self, request: LLMRequest, calls: list[LLMCall], should_cancel: CancelCheck | None
    ) -> LLMResponse:
        async with self._slots:
            # Checked once a slot is ours: waiting for one may take long.
            if should_cancel is not None and await should_cancel():
                raise CancelledByRequest()
            started = time.perf_counter()
            try:
                response = await self.provider.complete(request)
            except LLMError as error:
                calls.append(self._record(request, started, error=str(error)))
                raise
            calls.append(self._record(request, started, response=response))
            return response

    def _record(
        self,
        request: LLMRequest,
        started: float,
        response: LLMResponse | None = None,
        error: str | None = None,
    ) -> LLMCall:
        latency_ms = (time.perf_counter() - started) * 1000
        if response is None:
            return LLMCall(
                agent=request.agent,
                model=request.model,
                provider=self.provider.name,
                ok=False,
                latency_ms=latency_ms,
                error=error,
            )
        prices = self.settings.llm_prices
        prompt_price, completion_price = prices.get(request.model) or prices.get(
            response.model, (0.0, 0.0)
        )
        cost = (
            response.prompt_tokens * prompt_price + response.completion_tokens * completion_price
        ) / 1_000_000
        return LLMCall(
            agent=request.agent,
            model=request.model,
            provider=self.provider.name,
            ok=True,
            latency_ms=latency_ms,
            prompt_tokens=response.prompt_tokens,
            completion_tokens=response.completion_tokens,
            cost_usd=cost,
        )


@cache
def schema_instruction(schema: type[BaseModel]) -> str:
    """The JSON schema as prompt text, for providers without native structured output
    (made once per schema: generating it costs more than a prompt's other parts)."""
    return json.dumps(schema.model_json_schema(), separators=(",", ":"))
