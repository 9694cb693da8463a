"""``learnpath doctor``: check everything a run needs, and say in plain words what is wrong.

Used by the CLI, ``GET /api/v1/admin/doctor`` and, for the cheap checks, ``/readyz``
(``docs/models.md`` explains the model checks).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from learnpath.config import AGENTS, Settings
from learnpath.llm.client import parse_structured, schema_instruction
from learnpath.llm.errors import LLMError
from learnpath.llm.structured import OutputMode
from learnpath.llm.types import LLMRequest, Provider
from learnpath.store.database import Database, mask_url

if TYPE_CHECKING:
    from learnpath.llm.openai_compat import OpenAICompatProvider

State = Literal["ok", "warn", "fail"]


@dataclass
class Check:
    name: str
    state: State
    detail: str
    fix: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Report:
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(c.state != "fail" for c in self.checks)

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checks": [
                {"name": c.name, "state": c.state, "detail": c.detail, "fix": c.fix, **c.data}
                for c in self.checks
            ],
        }


class ModelCheck(BaseModel):
    """The small structured answer asked of every configured model."""

    reply: str = Field(description='the word "ready"')


def check_messages() -> list[dict[str, str]]:
    """A call shaped like every agent's: the schema in the system prompt."""
    system = (
        "Reply with one JSON object and nothing else. It must validate against this JSON "
        f"schema:\n{schema_instruction(ModelCheck)}"
    )
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": 'Are you ready? Reply with {"reply": "ready"}.'},
    ]


def mask_secret(value: str | None) -> str:
    if not value:
        return "not set"
    return f"set (…{value[-4:]})" if len(value) >= 12 else "set"


def configuration(settings: Settings) -> Check:
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    shown: dict[str, Any] = {
        "provider": settings.provider,
        "database": mask_url(settings.effective_database_url),
        "mode": "distributed" if settings.distributed else "embedded",
    }
    if settings.provider == "openai":
        shown.update(
            base_url=settings.llm_base_url,
            api_key=mask_secret(key),
            models={agent: settings.model_for(agent) for agent in AGENTS},
            structured_output=settings.llm_structured_output,
        )
    if settings.broker_url:
        shown["broker"] = mask_url(settings.broker_url)
    detail = ", ".join(f"{k} {v}" for k, v in shown.items() if k != "models")
    return Check("configuration", "ok", detail, data={"settings": shown})


async def database(db: Database, settings: Settings) -> Check:
    try:
        await db.ping()
        current = await db.at_head()
    except Exception as error:
        return Check(
            "database",
            "fail",
            f"cannot reach the database: {type(error).__name__}",
            "check LEARNPATH_DATABASE_URL and that the server runs",
        )
    if current:
        return Check("database", "ok", "reachable, schema current")
    if settings.distributed:
        return Check("database", "fail", "schema not current", "run `learnpath db upgrade`")
    return Check("database", "warn", "schema not current; migrated at the next start")


async def redis(name: str, url: str) -> Check:
    from learnpath.events import streams

    client = streams.connect(url)
    try:
        await client.ping()
    except Exception as error:
        return Check(
            name,
            "fail",
            f"cannot reach Redis at {mask_url(url)}: {type(error).__name__}",
            "start redis-server or fix the URL",
        )
    finally:
        await client.aclose()
    return Check(name, "ok", f"reachable at {mask_url(url)}")


async def model_endpoint(provider: OpenAICompatProvider, settings: Settings) -> Check:
    wanted = sorted({settings.model_for(agent) for agent in AGENTS})
    try:
        offered = await provider.list_models()
    except LLMError as error:
        return Check("model endpoint", "fail", str(error), _fix_for(str(error)))
    missing = [m for m in wanted if offered and m not in offered]
    if missing:
        return Check(
            "model endpoint",
            "fail",
            f"the endpoint does not offer {', '.join(missing)}; it offers "
            f"{', '.join(offered[:10])}",
            "set LEARNPATH_LLM_MODEL (or LEARNPATH_LLM_MODELS) to a model it offers",
        )
    return Check("model endpoint", "ok", f"reachable, {len(offered)} model(s) listed")


async def model_call(provider: OpenAICompatProvider, model: str) -> Check:
    request = LLMRequest(
        agent="doctor", model=model, messages=check_messages(), schema=ModelCheck, payload={}
    )
    started = time.perf_counter()
    try:
        response = await provider.complete(request)
        parse_structured(response.text, ModelCheck)
    except LLMError as error:
        return Check(f"model {model}", "fail", str(error), _fix_for(str(error)))
    except ValueError:
        return Check(
            f"model {model}",
            "fail",
            "the model's reply was not the JSON asked for",
            "try LEARNPATH_LLM_STRUCTURED_OUTPUT=prompt or a stronger model",
        )
    latency_ms = round((time.perf_counter() - started) * 1000)
    tokens = response.prompt_tokens + response.completion_tokens
    mode = response.mode or (await provider.mode_for(model)).value
    return Check(
        f"model {model}",
        "ok",
        f"structured output works in {mode} mode; {latency_ms} ms, {tokens} tokens",
        data={"mode": mode, "latency_ms": latency_ms, "tokens": tokens},
    )


def _fix_for(message: str) -> str:
    if "401" in message or "403" in message or "API_KEY" in message:
        return "set LEARNPATH_LLM_API_KEY to a valid key"
    if "could not reach" in message or "in time" in message:
        return "check LEARNPATH_LLM_BASE_URL and that the server runs"
    if "response_format" in message:
        return f"set LEARNPATH_LLM_STRUCTURED_OUTPUT=auto (it tries {OutputMode.prompt.value} last)"
    return "check LEARNPATH_LLM_BASE_URL and LEARNPATH_LLM_MODEL"


async def diagnose(settings: Settings, db: Database, provider: Provider) -> Report:
    """Every check, in the order a run needs them."""
    # Imported here: the OpenAI SDK takes half a second to import, and only the doctor needs it.
    from learnpath.llm.openai_compat import OpenAICompatProvider

    checks = [configuration(settings), await database(db, settings)]
    if settings.broker_url:
        checks.append(await redis("broker", settings.broker_url))
    if settings.redis_url and settings.redis_url != settings.broker_url:
        checks.append(await redis("event streams", settings.redis_url))
    if not isinstance(provider, OpenAICompatProvider):
        checks.append(
            Check(
                "model",
                "ok",
                "the offline provider: no model needed; material is labelled offline",
                "set LEARNPATH_LLM_BASE_URL (and _API_KEY, _MODEL) to use a real model",
            )
        )
        return Report(checks)
    endpoint = await model_endpoint(provider, settings)
    checks.append(endpoint)
    if endpoint.state != "fail":
        for model in sorted({settings.model_for(agent) for agent in AGENTS}):
            checks.append(await model_call(provider, model))
    return Report(checks)
