"""Finished document jobs' results in Redis at ``job_result:{job_id}`` (docs/contract.md §7),
for clients that read them without the database; the database keeps the durable copy."""

from __future__ import annotations

import json
import logging
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


def key_of(job_id: str) -> str:
    return f"job_result:{job_id}"


class RedisJobResults:
    """The engine's :class:`~learnpath.engine.ports.ResultCache` on Redis."""

    def __init__(self, redis: aioredis.Redis, ttl_s: int) -> None:
        self.redis, self.ttl_s = redis, ttl_s

    async def keep(self, job_id: str, result: dict[str, Any]) -> None:
        try:
            await self.redis.set(
                key_of(job_id), json.dumps(result, ensure_ascii=False), ex=self.ttl_s
            )
        except RedisError as error:
            log.warning("job %s: could not keep its result in Redis: %s", job_id, error)

    async def read(self, job_id: str) -> dict[str, Any] | None:
        try:
            raw = await self.redis.get(key_of(job_id))
        except RedisError as error:
            log.warning("job %s: could not read its result from Redis: %s", job_id, error)
            return None
        return None if raw is None else dict(json.loads(raw))
