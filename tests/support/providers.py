"""Scripted stand-ins for a model, built on the offline provider."""

from __future__ import annotations

import json

from learnpath.llm.types import LLMRequest, LLMResponse
from learnpath.offline.provider import OfflineProvider


class BrokenCurriculumProvider(OfflineProvider):
    """Designs a framework with a prerequisite cycle and an empty module; edits stay offline."""

    async def complete(self, request: LLMRequest) -> LLMResponse:
        response = await super().complete(request)
        if request.agent != "curriculum":
            return response
        draft = json.loads(response.text)
        concepts = [c for s in draft["stages"] for m in s["modules"] for c in m["concepts"]]
        first, last = concepts[0], concepts[-1]
        first["prerequisites"] = [last["concept_id"]]
        draft["stages"][0]["modules"].append(
            {"module_id": "empty-module", "name": "Nothing here", "concepts": []}
        )
        return LLMResponse(
            text=json.dumps(draft),
            model=response.model,
            prompt_tokens=response.prompt_tokens,
            completion_tokens=response.completion_tokens,
        )


class InvalidOnceProvider(OfflineProvider):
    """Answers the first call of an agent with text that is not JSON, then behaves."""

    def __init__(self, *args: object, agent: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.agent = agent
        self.broken = False

    async def complete(self, request: LLMRequest) -> LLMResponse:
        if request.agent == self.agent and not self.broken:
            self.broken = True
            return LLMResponse(
                text="Sure! Here is your roadmap:", model="x", prompt_tokens=1, completion_tokens=1
            )
        return await super().complete(request)
