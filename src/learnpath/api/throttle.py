"""Sign-in throttling, and the single use of event-stream tickets.

Failed sign-ins are counted in a moving window per account and per client address (the
address uvicorn reports: the socket's peer, or ``X-Forwarded-For`` from a trusted proxy).
Once either count is full, sign-ins for it answer 429 with ``Retry-After`` until the window
moves on — before any password is checked, so a flood costs no hashing.

Attempts already in flight when the count fills up are checked, but their answer is held back:
a failure that does not fit in the window, and a success while the account's window is full,
both answer 429 too. So however many guesses arrive at once, only as many get a real answer as
the window allows.

The counters live in memory in embedded mode and in Redis in distributed mode, so that every
API process counts the same failures (the ``limits`` library: moving windows, atomic in
Redis by a Lua script). A Redis that does not answer fails open, logged: sign-in goes on
unthrottled rather than locking everyone out.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time

from fastapi import FastAPI, Request
from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from learnpath.config import Settings
from learnpath.errors import LoginThrottled
from learnpath.service.users import TICKET_TTL_S, normal_email

log = logging.getLogger(__name__)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _digest(value: str) -> str:
    """Keys name no email address: whoever reads Redis learns nothing of the accounts."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class Throttle:
    def __init__(self, settings: Settings) -> None:
        redis_url = settings.events_redis_url if settings.distributed else None
        self.storage: Storage
        if redis_url is not None:
            self.storage = RedisStorage(
                f"async+{redis_url}",
                implementation="redispy",
                key_prefix="learnpath:throttle",
                wrap_exceptions=True,
            )
        else:
            self.storage = MemoryStorage()
        self.limiter = MovingWindowRateLimiter(self.storage)
        window = settings.login_window_s
        self.per_account = RateLimitItemPerSecond(settings.login_max_failures, window)
        self.per_address = RateLimitItemPerSecond(settings.login_max_failures_per_address, window)
        # Longer than a ticket lives, so that no ticket outlives the record of its use.
        self.ticket_use = RateLimitItemPerSecond(1, 2 * TICKET_TTL_S)

    def _limits(self, email: str, address: str) -> list[tuple[RateLimitItem, str, str]]:
        return [
            (self.per_account, "account", _digest(normal_email(email))),
            (self.per_address, "address", address),
        ]

    async def _retry_after(self, item: RateLimitItem, *identifiers: str) -> int:
        stats = await self.limiter.get_window_stats(item, *identifiers)
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def check(self, email: str, address: str) -> None:
        """Before checking a password: :class:`LoginThrottled` once either window is full."""
        try:
            for item, kind, key in self._limits(email, address):
                if not await self.limiter.test(item, "login", kind, key):
                    raise LoginThrottled(await self._retry_after(item, "login", kind, key))
        except LoginThrottled:
            raise
        except Exception:
            log.warning("sign-in throttle unavailable: not throttling", exc_info=True)

    async def failed(self, email: str, address: str) -> None:
        """Count a failure; :class:`LoginThrottled` when it did not fit in a window (its
        answer is held back, as for any attempt past the limit)."""
        try:
            for item, kind, key in self._limits(email, address):
                if not await self.limiter.hit(item, "login", kind, key):
                    raise LoginThrottled(await self._retry_after(item, "login", kind, key))
        except LoginThrottled:
            raise
        except Exception:
            log.warning("sign-in throttle unavailable: not counting a failure", exc_info=True)

    async def succeeded(self, email: str) -> None:
        """A right password: a window already full holds the success back (429); otherwise
        the account's failures are forgotten. The address's are not: an account of one's own
        must not reset the count of guesses at others."""
        item, kind, key = self._limits(email, "")[0]
        try:
            if not await self.limiter.test(item, "login", kind, key):
                raise LoginThrottled(await self._retry_after(item, "login", kind, key))
            await self.limiter.clear(item, "login", kind, key)
        except LoginThrottled:
            raise
        except Exception:
            log.warning("sign-in throttle unavailable", exc_info=True)

    async def first_use(self, ticket_id: str) -> bool:
        """Whether this is the first use of the ticket (shared by every API process). Here
        an unreachable store refuses: a ticket is only a convenience."""
        try:
            return await self.limiter.hit(self.ticket_use, "ticket", ticket_id)
        except Exception:
            log.warning("ticket store unavailable: refusing a ticket", exc_info=True)
            return False


def install(app: FastAPI, settings: Settings) -> Throttle:
    """The app's throttle; :class:`LoginThrottled` is answered like every other
    :class:`learnpath.errors.LearnpathError` (:mod:`learnpath.api.errors`)."""
    throttle = Throttle(settings)
    app.state.throttle = throttle
    return throttle
