"""The structured-output mode learnt per model endpoint, shared by every process."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from learnpath.llm.structured import OutputMode
from learnpath.store.database import Database
from learnpath.store.tables import LLMModeRow, utcnow


class DatabaseModeMemory:
    """What the OpenAI-compatible provider learnt about an endpoint, kept in ``llm_modes``."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def recall(self, base_url: str, model: str) -> OutputMode | None:
        async with self._db.read() as s:
            mode = await s.scalar(
                select(LLMModeRow.mode).where(
                    LLMModeRow.base_url == base_url, LLMModeRow.model == model
                )
            )
        return OutputMode(mode) if mode is not None and mode in OutputMode.__members__ else None

    async def remember(self, base_url: str, model: str, mode: OutputMode) -> None:
        dialect = sqlite if self._db.is_sqlite else postgresql
        values = {"base_url": base_url, "model": model, "mode": mode.value, "updated_at": utcnow()}
        statement = dialect.insert(LLMModeRow).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=["base_url", "model"],
            set_={"mode": mode.value, "updated_at": values["updated_at"]},
        )
        async with self._db.transaction() as s:
            await s.execute(statement)
