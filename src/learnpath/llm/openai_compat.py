"""Provider for any OpenAI-compatible chat-completions endpoint (OpenAI, Ollama, vLLM, …).

It negotiates the structured-output mode (``llm/structured.py``, ``docs/models.md``): with
``LEARNPATH_LLM_STRUCTURED_OUTPUT=auto`` it starts at ``json_schema`` and steps down when the
endpoint refuses ``response_format`` (a 4xx naming it) or answers in prose anyway, and it
remembers what worked per base URL and model, in the database when a memory is given.
"""

from __future__ import annotations

import email.utils
import time
from typing import Any, Protocol, cast

import openai
from openai import AsyncOpenAI
from openai.types.chat import ChatCompletion, ChatCompletionMessageParam

from learnpath.config import Settings
from learnpath.llm.errors import PermanentLLMError, TransientLLMError
from learnpath.llm.structured import OutputMode, is_bare_json, response_format
from learnpath.llm.types import LLMRequest, LLMResponse

_FORMAT_WORDS = ("response_format", "json_schema", "json_object", "structured output")


class ModeMemory(Protocol):
    async def recall(self, base_url: str, model: str) -> OutputMode | None: ...

    async def remember(self, base_url: str, model: str, mode: OutputMode) -> None: ...


class FormatRefused(Exception):
    """The endpoint answered 4xx naming ``response_format``: it does not support the mode."""


def retry_after(headers: Any) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta seconds or an HTTP date."""
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _translate(error: openai.APIError) -> Exception:
    if isinstance(error, openai.APITimeoutError):
        return TransientLLMError("the model did not answer in time")
    if isinstance(error, openai.APIConnectionError):
        return TransientLLMError("could not reach the model endpoint")
    if not isinstance(error, openai.APIStatusError):
        return TransientLLMError("the model endpoint sent a reply that could not be read")
    wait = retry_after(error.response.headers)
    if error.status_code == 429:
        return TransientLLMError("the model endpoint is rate limiting (429)", retry_after=wait)
    if error.status_code >= 500:
        return TransientLLMError(
            f"the model endpoint failed ({error.status_code})", retry_after=wait
        )
    said = f"{error.message} {error.body}".lower()
    if error.status_code in (400, 422) and any(word in said for word in _FORMAT_WORDS):
        return FormatRefused(error.status_code)
    hint = {
        401: "check LEARNPATH_LLM_API_KEY",
        403: "check LEARNPATH_LLM_API_KEY",
        404: "check LEARNPATH_LLM_BASE_URL and the model name",
    }.get(error.status_code)
    return PermanentLLMError(
        f"the model endpoint refused the request ({error.status_code})"
        + (f": {hint}" if hint else "")
    )


def answer_text(completion: ChatCompletion) -> str:
    """The reply's content; a reply that holds only reasoning is a transient failure (the
    model ran out of tokens while thinking, or the server split the answer off)."""
    if not completion.choices:
        raise TransientLLMError("the model returned no choices")
    message = completion.choices[0].message
    content = (message.content or "").strip()
    if content:
        return content
    extra = message.model_extra or {}
    if extra.get("reasoning_content") or extra.get("reasoning"):
        raise TransientLLMError(
            "the model returned only its reasoning and no answer "
            "(raise max_tokens in LEARNPATH_LLM_AGENT_PARAMS if this repeats)"
        )
    raise TransientLLMError("the model returned an empty reply")


class OpenAICompatProvider:
    name = "openai"
    free = False
    synthetic = False

    def __init__(self, settings: Settings, memory: ModeMemory | None = None) -> None:
        api_key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "none"
        self.base_url = settings.llm_base_url or ""
        # The LLM client owns retries and the limit on calls in flight; the SDK must not retry.
        self._client = AsyncOpenAI(
            base_url=self.base_url,
            api_key=api_key,
            timeout=settings.llm_timeout_s,
            max_retries=0,
        )
        self._negotiate = settings.llm_structured_output == "auto"
        self._fixed = None if self._negotiate else OutputMode(settings.llm_structured_output)
        self._memory = memory
        self._known: dict[str, OutputMode] = {}

    def describe(self) -> str:
        learnt = ", ".join(f"{m} {mode.value}" for m, mode in sorted(self._known.items()))
        return f"openai-compatible endpoint; modes: {learnt or 'none learnt yet'}"

    def model_name(self, configured: str) -> str:
        return configured

    async def list_models(self) -> list[str]:
        """The model ids the endpoint offers (``GET /models``)."""
        try:
            page = await self._client.models.list()
        except openai.APIError as error:
            raise _translate(error) from None
        return [model.id for model in page.data]

    async def mode_for(self, model: str) -> OutputMode:
        """The mode to use for ``model``: configured, learnt, or the strongest."""
        if self._fixed is not None:
            return self._fixed
        known = self._known.get(model)
        if known is None and self._memory is not None:
            known = await self._memory.recall(self.base_url, model)
            if known is not None:
                self._known[model] = known
        return known or OutputMode.json_schema

    async def _learn(self, model: str, mode: OutputMode) -> None:
        if self._known.get(model) == mode:
            return
        self._known[model] = mode
        if self._memory is not None:
            await self._memory.remember(self.base_url, model, mode)

    async def complete(self, request: LLMRequest) -> LLMResponse:
        mode = await self.mode_for(request.model)
        while True:
            try:
                completion = await self._create(request, mode)
                break
            except FormatRefused:
                weaker = mode.weaker() if self._negotiate else None
                if weaker is None:
                    raise PermanentLLMError(
                        f"the model endpoint refused response_format ({mode.value}): set "
                        "LEARNPATH_LLM_STRUCTURED_OUTPUT=auto or prompt"
                    ) from None
                mode = weaker
        text = answer_text(completion)
        if self._negotiate and mode is not OutputMode.prompt and not is_bare_json(text):
            mode = OutputMode.prompt  # the endpoint accepted the mode but ignored it
        await self._learn(request.model, mode)
        return self._response(request, completion, text, mode)

    async def _create(self, request: LLMRequest, mode: OutputMode) -> ChatCompletion:
        options: dict[str, Any] = {}
        wanted = response_format(mode, request.schema)
        if wanted is not None:
            options["response_format"] = wanted
        if request.temperature is not None:
            options["temperature"] = request.temperature
        if request.max_tokens is not None:
            options["max_tokens"] = request.max_tokens
        messages = cast(list[ChatCompletionMessageParam], request.messages)
        try:
            completion = await self._client.chat.completions.create(
                model=request.model, messages=messages, **options
            )
        except openai.APIError as error:
            raise _translate(error) from None
        return cast(ChatCompletion, completion)

    @staticmethod
    def _response(
        request: LLMRequest, completion: ChatCompletion, text: str, mode: OutputMode
    ) -> LLMResponse:
        usage = completion.usage
        if usage is not None:
            prompt, answer = usage.prompt_tokens, usage.completion_tokens
        else:
            # Some servers send no usage: count about four characters a token, so spend and
            # estimates stay meaningful (docs/models.md).
            prompt = sum(len(m["content"]) for m in request.messages) // 4
            answer = len(text) // 4
        return LLMResponse(
            text=text,
            model=completion.model or request.model,
            prompt_tokens=prompt,
            completion_tokens=answer,
            mode=mode.value,
        )
