"""Provider for any OpenAI-compatible chat-completions endpoint (OpenAI, Ollama, vLLM, …)."""

from __future__ import annotations

from typing import cast

import openai
from openai import AsyncOpenAI
from openai.types.chat import ChatCompletionMessageParam
from openai.types.shared_params import ResponseFormatJSONSchema

from learnpath.config import Settings
from learnpath.llm.errors import PermanentLLMError, TransientLLMError
from learnpath.llm.types import LLMRequest, LLMResponse


def _retry_after(error: openai.APIStatusError) -> float | None:
    value = error.response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class OpenAICompatProvider:
    name = "openai"

    def __init__(self, settings: Settings) -> None:
        api_key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "none"
        # The LLM client owns retries and the limit on calls in flight; the SDK must not retry.
        self._client = AsyncOpenAI(
            base_url=settings.llm_base_url,
            api_key=api_key,
            timeout=settings.llm_timeout_s,
            max_retries=0,
        )

    async def complete(self, request: LLMRequest) -> LLMResponse:
        response_format: ResponseFormatJSONSchema = {
            "type": "json_schema",
            "json_schema": {
                "name": request.schema.__name__,
                "schema": request.schema.model_json_schema(),
            },
        }
        messages = cast(list[ChatCompletionMessageParam], request.messages)
        try:
            completion = await self._client.chat.completions.create(
                model=request.model, messages=messages, response_format=response_format
            )
        except openai.APITimeoutError:
            raise TransientLLMError("the model did not answer in time") from None
        except openai.APIConnectionError:
            raise TransientLLMError("could not reach the model endpoint") from None
        except openai.RateLimitError as error:
            raise TransientLLMError(
                "the model endpoint is rate limiting (429)", retry_after=_retry_after(error)
            ) from None
        except openai.APIStatusError as error:
            if error.status_code >= 500:
                raise TransientLLMError(
                    f"the model endpoint failed ({error.status_code})",
                    retry_after=_retry_after(error),
                ) from None
            raise PermanentLLMError(
                f"the model endpoint refused the request ({error.status_code})"
            ) from None
        if not completion.choices or completion.choices[0].message.content is None:
            raise TransientLLMError("the model returned an empty reply")
        usage = completion.usage
        return LLMResponse(
            text=completion.choices[0].message.content,
            model=completion.model or request.model,
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
        )
