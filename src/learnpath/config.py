"""Settings from the environment / ``.env`` (prefix ``LEARNPATH_``), validated at start."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

import platformdirs
from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from learnpath.domain.content import ContentType

WEAK_SECRETS = frozenset(
    {"secret", "changeme", "change-me", "change_me", "default", "password", "learnpath"}
)
AGENTS = (
    "intent",
    "curriculum",
    "editor",
    "tutorial",
    "resources",
    "quiz",
    "research_planner",
    "outline",
    "chapter",
    "chapter_revision",
)
CHAPTER_AGENTS = frozenset({"chapter", "chapter_revision"})
_CHAPTER_FAILURE = re.compile(r"^chapter(?::(?P<id>[1-9][0-9]*))?$")
StructuredOutput = Literal["auto", "json_schema", "json_object", "prompt"]


class AgentParams(BaseModel):
    """Sampling settings of one agent's model calls; unset ones are left to the endpoint."""

    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: int | None = Field(default=None, ge=1, le=1_000_000)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LEARNPATH_", env_file=".env", extra="ignore")

    home: Path = Field(default_factory=lambda: Path(platformdirs.user_data_dir("learnpath")))
    database_url: str | None = None
    database_schema: str | None = Field(
        default=None, pattern=r"^[a-z_][a-z0-9_]*$", description="PostgreSQL schema to use"
    )

    llm_provider: Literal["offline", "openai"] | None = None
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_model: str = "gpt-4o-mini"
    llm_models: dict[str, str] = Field(
        default_factory=dict, description='per-agent model overrides, e.g. {"tutorial": "…"}'
    )
    llm_structured_output: StructuredOutput = Field(
        default="auto",
        description="how replies are held to the schema; auto negotiates (docs/models.md)",
    )
    llm_agent_params: dict[str, AgentParams] = Field(
        default_factory=dict,
        description='per-agent temperature and max_tokens, "default" for all, e.g. '
        '{"default": {"temperature": 0.3}, "tutorial": {"max_tokens": 6000}}',
    )
    budget_usd_per_day: float | None = Field(
        default=None,
        gt=0,
        description="USD of model calls a day, per user (global without accounts); "
        "new tasks are refused once it is spent",
    )
    budget_scope: Literal["user", "global"] = Field(
        default="user", description="whether the daily budget is each user's or everyone's"
    )
    llm_concurrency: int = Field(default=8, ge=1, le=512)
    llm_timeout_s: float = Field(default=120, gt=0)
    llm_max_retries: int = Field(default=4, ge=0, le=20)
    llm_retry_base_s: float = Field(default=1.0, ge=0)
    llm_retry_max_s: float = Field(default=60.0, ge=0)
    llm_prices: dict[str, tuple[float, float]] = Field(
        default_factory=dict,
        description="model → (USD per 1M prompt tokens, USD per 1M completion tokens)",
    )

    offline_latency_s: float = Field(default=0.0, ge=0)
    offline_failure_rate: float = Field(default=0.0, ge=0, le=1)
    offline_fail_content: str = Field(
        default="",
        description="offline provider: what always fails, comma-separated: content types "
        "(tutorial, resources, quiz), chapter (every chapter) or chapter:<id> (one chapter)",
    )

    secret_key: SecretStr | None = Field(
        default=None, description="signs login tokens; server mode refuses to start without it"
    )
    token_ttl_s: int = Field(default=12 * 3600, ge=60)
    login_max_failures: int = Field(
        default=10, ge=1, description="failed sign-ins per account within the window → 429"
    )
    login_max_failures_per_address: int = Field(
        default=30, ge=1, description="failed sign-ins per client address within the window → 429"
    )
    login_window_s: int = Field(default=900, ge=1, description="the sign-in throttle's window")
    forwarded_allow_ips: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="proxies (addresses or networks, comma-separated, or *) whose "
        "X-Forwarded-Proto and X-Forwarded-For are believed; none by default",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="other origins (scheme://host[:port], comma-separated) whose pages may "
        "call the API with credentials; none by default",
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="bearer token /metrics asks for; unset, /metrics is closed in server mode",
    )
    docs: bool = Field(default=True, description="serve the Swagger UI at /docs")

    worker_concurrency: int | None = Field(default=None, ge=1, le=512)
    lease_s: float = Field(default=30.0, gt=0)
    database_pool_size: int = Field(default=5, ge=1, le=100)

    broker_url: str | None = Field(
        default=None,
        pattern=r"^rediss?://",
        description="Redis URL of the Celery broker; set, it switches to distributed mode",
    )
    redis_url: str | None = Field(
        default=None, pattern=r"^rediss?://", description="Redis of event streams (default: broker)"
    )
    queued_lease_s: float = Field(
        default=900.0,
        gt=0,
        description="how long queued work may wait for a worker before the sweeper re-queues it",
    )
    sweep_interval_s: float = Field(default=10.0, gt=0)
    stream_maxlen: int = Field(default=5000, ge=100, description="events kept per task stream")
    stream_ttl_s: int = Field(default=3600, ge=1, description="stream lifetime after a task ends")
    job_result_ttl_s: int = Field(
        default=3600, ge=1, description="how long a finished document job's result stays in Redis"
    )
    job_retention_days: int = Field(
        default=30, ge=0, description="days a finished document job is kept (0: forever)"
    )

    max_body_bytes: int = Field(
        default=1 << 20,
        ge=1024,
        description="largest request body accepted (413 beyond); a route may set its own",
    )
    search_provider: Literal["none", "searxng", "duckduckgo", "tavily"] = Field(
        default="none", description="where a concept's resource candidates are searched"
    )
    searxng_url: str | None = Field(
        default=None, pattern=r"^https?://", description="SearxNG base URL (JSON API enabled)"
    )
    tavily_api_key: SecretStr | None = None
    tavily_base_url: str = Field(default="https://api.tavily.com", pattern=r"^https?://")
    search_timeout_s: float = Field(default=15.0, gt=0)
    search_max_retries: int = Field(default=2, ge=0, le=10)
    search_results: int = Field(default=10, ge=1, le=50, description="results asked per query")
    search_cache_ttl_s: int = Field(default=86400, ge=0, description="search results kept")
    fetch_allow_private: bool = Field(
        default=False, description="let the fetcher reach loopback and private addresses"
    )
    fetch_concurrency: int = Field(default=16, ge=1, le=512, description="fetches in flight")
    fetch_per_host: int = Field(default=4, ge=1, le=512, description="fetches in flight a host")
    fetch_timeout_s: float = Field(default=10.0, gt=0)
    fetch_max_bytes: int = Field(default=2_000_000, ge=1024, le=100_000_000)
    link_check: Literal["auto", "on", "off"] = Field(
        default="auto", description="auto: when a search provider or a real model is set"
    )
    link_check_ttl_s: int = Field(default=7 * 86400, ge=0, description="link results kept")

    @model_validator(mode="after")
    def _check_search(self) -> Settings:
        if self.search_provider == "searxng" and not self.searxng_url:
            raise ValueError("LEARNPATH_SEARCH_PROVIDER=searxng needs LEARNPATH_SEARXNG_URL")
        if self.search_provider == "tavily" and self.tavily_api_key is None:
            raise ValueError("LEARNPATH_SEARCH_PROVIDER=tavily needs LEARNPATH_TAVILY_API_KEY")
        return self

    @field_validator("metrics_token", mode="before")
    @classmethod
    def _unset_when_empty(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("forwarded_allow_ips", mode="before")
    @classmethod
    def _proxies(cls, value: object) -> object:
        items = _split(value)
        if not isinstance(items, list):
            return items
        for item in items:
            if item == "*":
                continue
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"not an address or network: {item!r}") from None
        return items

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        items = _split(value)
        if not isinstance(items, list):
            return items
        origins = []
        for item in items:
            if not isinstance(item, str) or item in ("*", "null"):
                raise ValueError(f"not an origin (no wildcard: credentials are allowed): {item!r}")
            parts = urlsplit(item)
            if (
                parts.scheme not in ("http", "https")
                or not parts.hostname
                or (parts.path not in ("", "/") or parts.query or parts.fragment or "*" in item)
            ):
                raise ValueError(f"not an origin (scheme://host[:port]): {item!r}")
            origins.append(f"{parts.scheme}://{parts.netloc}".lower())
        return origins

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.llm_provider == "openai" and not self.llm_base_url:
            raise ValueError("LEARNPATH_LLM_PROVIDER=openai needs LEARNPATH_LLM_BASE_URL")
        unknown = set(self.llm_models) - set(AGENTS)
        if unknown:
            raise ValueError(f"LEARNPATH_LLM_MODELS names unknown agents: {sorted(unknown)}")
        unknown = set(self.llm_agent_params) - {*AGENTS, "default"}
        if unknown:
            raise ValueError(f"LEARNPATH_LLM_AGENT_PARAMS names unknown agents: {sorted(unknown)}")
        parse_fail_content(self.offline_fail_content)
        return self

    @property
    def provider(self) -> Literal["offline", "openai"]:
        if self.llm_provider is not None:
            return self.llm_provider
        return "openai" if self.llm_base_url else "offline"

    @property
    def fail_content_types(self) -> frozenset[ContentType]:
        return self.fail_content.content_types

    @property
    def fail_content(self) -> FailContent:
        return parse_fail_content(self.offline_fail_content)

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.home / 'learnpath.db'}"

    @property
    def distributed(self) -> bool:
        """Celery workers, Redis streams and a sweeper instead of the in-process pool."""
        return self.broker_url is not None

    @property
    def events_redis_url(self) -> str | None:
        return self.redis_url or self.broker_url

    @property
    def item_concurrency(self) -> int:
        """Items a process works on at once: more than the LLM limit, so that bookkeeping of
        one item overlaps the model calls of others and no LLM slot waits on the database."""
        return self.worker_concurrency or 2 * self.llm_concurrency

    def secret_key_problem(self) -> str | None:
        """Why the secret key cannot protect a server, or None when it can."""
        if self.secret_key is None:
            return "LEARNPATH_SECRET_KEY is not set"
        key = self.secret_key.get_secret_value()
        if key.lower() in WEAK_SECRETS or len(set(key)) < 8:
            return "LEARNPATH_SECRET_KEY is a default or trivial value"
        if len(key) < 32:
            return "LEARNPATH_SECRET_KEY must be at least 32 characters"
        return None

    def model_for(self, agent: str) -> str:
        return self.llm_models.get(agent, self.llm_model)

    def params_for(self, agent: str) -> AgentParams:
        """``agent``'s sampling settings over the ``default`` ones."""
        default = self.llm_agent_params.get("default", AgentParams())
        own = self.llm_agent_params.get(agent)
        if own is None:
            return default
        return default.model_copy(update=own.model_dump(exclude_none=True))


def _split(value: object) -> object:
    """A comma-separated environment value as a list (a list is kept as it is)."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


@dataclass(frozen=True)
class FailContent:
    """What the offline provider fails permanently (``LEARNPATH_OFFLINE_FAIL_CONTENT``)."""

    content_types: frozenset[ContentType] = frozenset()
    all_chapters: bool = False
    chapter_ids: frozenset[str] = frozenset()

    def fails(self, agent: str, chapter_id: object = None) -> bool:
        """Whether a call of ``agent`` (about chapter ``chapter_id``, if any) is to fail."""
        if agent in CHAPTER_AGENTS:
            return self.all_chapters or str(chapter_id) in self.chapter_ids
        return agent in {t.value for t in self.content_types}


def parse_fail_content(raw: str) -> FailContent:
    """``tutorial,chapter:3`` → the tutorials and chapter 3; ValueError naming a bad item."""
    types: set[ContentType] = set()
    chapters: set[str] = set()
    every_chapter = False
    for item in (n.strip() for n in raw.split(",")):
        if not item:
            continue
        if item in ContentType.__members__:
            types.add(ContentType(item))
        elif (match := _CHAPTER_FAILURE.match(item)) is None:
            raise ValueError(
                f"LEARNPATH_OFFLINE_FAIL_CONTENT: {item!r} is neither a content type nor a "
                "chapter; use tutorial, resources, quiz, chapter or chapter:<id> (e.g. chapter:2)"
            )
        elif match.group("id") is None:
            every_chapter = True
        else:
            chapters.add(match.group("id"))
    return FailContent(frozenset(types), every_chapter, frozenset(chapters))
