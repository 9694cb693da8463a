"""Table definitions. Schema changes go through an Alembic migration in ``migrations/versions``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

JSONType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSONType, list[Any]: JSONType, datetime: UTCDateTime}


class TaskRow(Base):
    __tablename__ = "tasks"

    task_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str | None] = mapped_column(String(64))
    task_type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    current_step: Mapped[str] = mapped_column(String(40))
    roadmap_id: Mapped[str | None] = mapped_column(String(64))
    concept_id: Mapped[str | None] = mapped_column(String(80))
    content_type: Mapped[str | None] = mapped_column(String(16))
    request: Mapped[dict[str, Any]] = mapped_column()
    auto_approve: Mapped[bool] = mapped_column(Boolean, default=False)
    scope: Mapped[list[Any] | None] = mapped_column()
    """Items a retry task covers, as [concept_id, content_type] pairs; null = whole roadmap."""
    error_message: Mapped[str | None] = mapped_column(Text)
    failed_items: Mapped[list[Any]] = mapped_column(default=list)
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    validation_rounds: Mapped[int] = mapped_column(Integer, default=0)
    validation_issues: Mapped[list[Any]] = mapped_column(default=list)
    recovery_type: Mapped[str | None] = mapped_column(String(40))
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    broker_id: Mapped[str | None] = mapped_column(String(128))
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        Index("ix_tasks_roadmap_status", "roadmap_id", "status"),
        Index("ix_tasks_roadmap_created", "roadmap_id", created_at.desc()),
        Index("ix_tasks_user_created", "user_id", created_at.desc()),
        Index("ix_tasks_status", "status"),
    )

    @property
    def subject_id(self) -> str:
        """What the task's items belong to: its roadmap, or (a document job) the task itself."""
        return self.roadmap_id or self.task_id


class RoadmapRow(Base):
    __tablename__ = "roadmaps"

    roadmap_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str | None] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(300))
    framework: Mapped[dict[str, Any]] = mapped_column()
    request: Mapped[dict[str, Any]] = mapped_column()
    completed_concepts: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column()


class ItemRow(Base):
    """One item a task fans out to, and its status: a roadmap's content (concept × content
    type) or a document job's chapter (chapter id × ``chapter``)."""

    __tablename__ = "items"

    subject_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    """What the item belongs to: a roadmap, or the document job itself."""
    concept_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    """The concept, or the chapter's outline id."""
    content_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    fingerprint: Mapped[str] = mapped_column(String(32))
    """Definition hash of the concept this item must be generated for."""
    generation: Mapped[int] = mapped_column(Integer, default=1)
    """Bumped by an explicit regenerate, so the same fingerprint may yield a new version."""
    version: Mapped[int | None] = mapped_column(Integer)
    task_id: Mapped[str | None] = mapped_column(String(64))
    """The task that owns the item's current generation, if any."""
    error: Mapped[str | None] = mapped_column(Text)
    broker_id: Mapped[str | None] = mapped_column(String(128))
    """The broker message that last queued the item (distributed mode): a cancel revokes it."""
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None] = mapped_column()
    """Until when the item's queued or running work is vouched for; the sweeper re-queues an
    open item past it."""
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        Index("ix_items_task_status", "task_id", "status"),
        Index("ix_items_status_lease", "status", "lease_expires_at"),
    )

    def release(self, status: str) -> None:
        """Put the item in ``status`` with no worker holding it (only a worker starting the
        item takes a lease)."""
        self.status = status
        self.lease_owner = None
        self.lease_expires_at = None


class ReviewRoundRow(Base):
    __tablename__ = "review_rounds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(String(64), index=True)
    roadmap_id: Mapped[str] = mapped_column(String(64))
    round: Mapped[int] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(32))
    feedback: Mapped[str | None] = mapped_column(Text)
    framework: Mapped[dict[str, Any]] = mapped_column()
    issues: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IntentAnalysisRow(Base):
    __tablename__ = "intent_analyses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(String(64), index=True)
    roadmap_id: Mapped[str | None] = mapped_column(String(64), index=True)
    analysis: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class _ContentColumns:
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    roadmap_id: Mapped[str] = mapped_column(String(64))
    concept_id: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer)
    is_latest: Mapped[bool] = mapped_column(Boolean, default=True)
    idempotency_key: Mapped[str] = mapped_column(String(80))
    """fingerprint:generation — writing the same key twice yields one version."""
    task_id: Mapped[str | None] = mapped_column(String(64))
    body: Mapped[dict[str, Any]] = mapped_column()
    offline: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TutorialRow(_ContentColumns, Base):
    __tablename__ = "tutorials"
    __table_args__ = (
        UniqueConstraint("roadmap_id", "concept_id", "version", name="uq_tutorials_version"),
        UniqueConstraint("roadmap_id", "concept_id", "idempotency_key", name="uq_tutorials_key"),
    )


class ResourceListRow(_ContentColumns, Base):
    __tablename__ = "resource_lists"
    __table_args__ = (
        UniqueConstraint("roadmap_id", "concept_id", "version", name="uq_resource_lists_version"),
        UniqueConstraint(
            "roadmap_id", "concept_id", "idempotency_key", name="uq_resource_lists_key"
        ),
    )


class QuizRow(_ContentColumns, Base):
    __tablename__ = "quizzes"
    __table_args__ = (
        UniqueConstraint("roadmap_id", "concept_id", "version", name="uq_quizzes_version"),
        UniqueConstraint("roadmap_id", "concept_id", "idempotency_key", name="uq_quizzes_key"),
    )


CONTENT_TABLES: dict[str, type[TutorialRow] | type[ResourceListRow] | type[QuizRow]] = {
    "tutorial": TutorialRow,
    "resources": ResourceListRow,
    "quiz": QuizRow,
}


class EventRow(Base):
    __tablename__ = "task_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("task_id", "seq", name="uq_task_events_seq"),)


class LLMCallRow(Base):
    __tablename__ = "llm_calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[str | None] = mapped_column(String(64), index=True)
    agent: Mapped[str] = mapped_column(String(32))
    provider: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(200))
    ok: Mapped[bool] = mapped_column(Boolean)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    latency_ms: Mapped[float] = mapped_column(Float)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        # The history estimates read (newest calls of an agent's model) and daily spend.
        Index("ix_llm_calls_model_agent", "model", "agent"),
        Index("ix_llm_calls_created_at", "created_at"),
    )


class UserRow(Base):
    __tablename__ = "users"

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SessionRow(Base):
    """A signed-in session: a login token is good only while its row exists. Signing out
    deletes the row; a password change deletes every row of the user."""

    __tablename__ = "sessions"

    session_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("users.user_id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()


class QuizAttemptRow(Base):
    __tablename__ = "quiz_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    roadmap_id: Mapped[str] = mapped_column(String(64))
    concept_id: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[str | None] = mapped_column(String(64))
    answers: Mapped[dict[str, Any]] = mapped_column()
    score: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_quiz_attempts_concept", "roadmap_id", "concept_id"),)


class LLMModeRow(Base):
    """The structured-output mode that works for an endpoint and model (``docs/models.md``),
    learnt by whichever process first talked to it and read by every other."""

    __tablename__ = "llm_modes"

    base_url: Mapped[str] = mapped_column(String(500), primary_key=True)
    model: Mapped[str] = mapped_column(String(200), primary_key=True)
    mode: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DocumentJobRow(Base):
    """What a document job (docs/contract.md §7) works from and what it made: its context
    files, the sources research found, its outline, and its result once it finished."""

    __tablename__ = "document_jobs"

    job_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    """The job's task id."""
    files: Mapped[list[Any]] = mapped_column(default=list)
    """The context files: ``[{file_name, role, content}]``."""
    sources: Mapped[list[Any] | None] = mapped_column()
    """What research found, numbered: ``[{n, kind, title, url?, file_name?, text, verified}]``;
    null until research ran."""
    outline: Mapped[dict[str, Any] | None] = mapped_column()
    """The outline a document is written to, or the one an outline job made."""
    result: Mapped[dict[str, Any] | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChapterRow(Base):
    """One written version of a document job's chapter."""

    __tablename__ = "chapters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(String(64))
    chapter_id: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    idempotency_key: Mapped[str] = mapped_column(String(80))
    """fingerprint:generation — writing the same key twice yields one version."""
    task_id: Mapped[str | None] = mapped_column(String(64))
    body: Mapped[dict[str, Any]] = mapped_column()
    """``{markdown, summary, word_count}``; citations are the job's source numbers."""
    offline: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("job_id", "chapter_id", "idempotency_key", name="uq_chapters_key"),
        UniqueConstraint("job_id", "chapter_id", "version", name="uq_chapters_version"),
    )
