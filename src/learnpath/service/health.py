"""Readiness (``/readyz``, contract §9): whether this process can serve now."""

from __future__ import annotations

from dataclasses import dataclass

from learnpath.engine.runtime import Runtime
from learnpath.store.health import ping


@dataclass(frozen=True)
class Readiness:
    checks: dict[str, str]
    """``database`` (and ``broker``, in distributed mode): ``ok`` or ``unreachable``."""
    model: str
    """Informational, from memory: the structured-output mode each model was found to
    support (``learnpath doctor`` checks the endpoint itself)."""

    @property
    def ready(self) -> bool:
        return all(state == "ok" for state in self.checks.values())


async def readiness(rt: Runtime) -> Readiness:
    checks: dict[str, str] = {}
    try:
        await ping(rt.db)
        checks["database"] = "ok"
    except Exception:  # any driver error: a readiness probe answers, it does not fail
        checks["database"] = "unreachable"
    if rt.settings.distributed:
        checks["broker"] = "ok" if await rt.dispatcher.reachable() else "unreachable"
    return Readiness(checks, rt.llm.provider.describe())
