"""The offline provider: deterministic, schema-valid output derived from the request.

It needs no network and no model (docs/contract.md §8). Its knobs (latency, transient failure
rate, content types that always fail) drive benchmarks and fault tests.
"""

from __future__ import annotations

import asyncio
import json
import random

from learnpath.config import Settings
from learnpath.llm.errors import PermanentLLMError, TransientLLMError
from learnpath.llm.types import LLMRequest, LLMResponse
from learnpath.offline.answers import offline_output

OFFLINE_MODEL = "learnpath-offline"


class OfflineProvider:
    name = "offline"
    free = True
    synthetic = True

    def __init__(self, settings: Settings, seed: int | None = None) -> None:
        self.latency_s = settings.offline_latency_s
        self.failure_rate = settings.offline_failure_rate
        self.fail_content = settings.fail_content
        self._random = random.Random(seed)

    def describe(self) -> str:
        return "offline provider"

    def model_name(self, configured: str) -> str:
        return OFFLINE_MODEL

    async def complete(self, request: LLMRequest) -> LLMResponse:
        """The answer, ``latency_s`` after the call began. Like a model's, the answer is
        composed while the caller waits (in a thread, so calls in flight compose while the
        event loop goes on), not after that time."""
        if self.latency_s:
            answer, _ = await asyncio.gather(
                asyncio.to_thread(self._answer, request), asyncio.sleep(self.latency_s)
            )
        else:
            answer = self._answer(request)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def _answer(self, request: LLMRequest) -> LLMResponse | Exception:
        """The answer, or the error the call ends with: returned, so that it too comes only
        once the latency ran out."""
        if self.failure_rate and self._random.random() < self.failure_rate:
            return TransientLLMError("offline provider: simulated transient failure")
        chapter_id = request.payload.get("chapter_id")
        if self.fail_content.fails(request.agent, chapter_id):
            what = request.agent if chapter_id is None else f"{request.agent} {chapter_id}"
            return PermanentLLMError(
                f"offline provider: {what} generation is set to fail "
                "(LEARNPATH_OFFLINE_FAIL_CONTENT)"
            )
        text = json.dumps(offline_output(request.agent, request.payload), ensure_ascii=False)
        prompt_chars = sum(len(m["content"]) for m in request.messages)
        return LLMResponse(
            text=text,
            model=OFFLINE_MODEL,
            prompt_tokens=prompt_chars // 4,
            completion_tokens=len(text) // 4,
        )
