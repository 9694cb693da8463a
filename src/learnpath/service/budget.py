"""The optional daily budget on model spend (``LEARNPATH_BUDGET_USD_PER_DAY``): once a day's
calls cost that much, new tasks are refused until the next UTC day (``docs/models.md``)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from learnpath.config import Settings
from learnpath.errors import BudgetSpent
from learnpath.store import usage
from learnpath.store.database import Session


async def check_budget(s: Session, settings: Settings, user_id: str | None) -> None:
    """Raise :class:`BudgetSpent` when ``user_id`` (everyone, with the global scope or
    without accounts) has spent the day's budget."""
    budget = settings.budget_usd_per_day
    if budget is None:
        return
    now = datetime.now(UTC)
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    whose = None if settings.budget_scope == "global" else user_id
    spent = await usage.spent_since(s, day, whose)
    if spent < budget:
        return
    wait = math.ceil((day + timedelta(days=1) - now).total_seconds())
    scope = "this installation's" if whose is None else "your"
    raise BudgetSpent(
        f"{scope} model budget for today is spent (${spent:.2f} of ${budget:.2f} a day, "
        "LEARNPATH_BUDGET_USD_PER_DAY); new tasks can start after midnight UTC",
        retry_after_s=wait,
    )
