"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 09:33:34.596603
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _create_intent_analyses_llm_calls()
    _create_quizzes_resource_lists()
    _create_review_rounds_roadmaps()
    _create_task_events()
    _create_tasks()
    _create_tutorials_roadmap_items()


def _create_intent_analyses_llm_calls() -> None:

    op.create_table(
        "intent_analyses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("task_id", sa.String(length=64), nullable=False),
        sa.Column("roadmap_id", sa.String(length=64), nullable=True),
        sa.Column(
            "analysis",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("intent_analyses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_intent_analyses_roadmap_id"), ["roadmap_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_intent_analyses_task_id"), ["task_id"], unique=False)
    op.create_table(
        "llm_calls",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("task_id", sa.String(length=64), nullable=True),
        sa.Column("agent", sa.String(length=32), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Float(), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("llm_calls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_llm_calls_task_id"), ["task_id"], unique=False)


def _create_quizzes_resource_lists() -> None:
    op.create_table(
        "quizzes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("roadmap_id", sa.String(length=64), nullable=False),
        sa.Column("concept_id", sa.String(length=80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("is_latest", sa.Boolean(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=80), nullable=False),
        sa.Column("task_id", sa.String(length=64), nullable=True),
        sa.Column(
            "body",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("offline", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("roadmap_id", "concept_id", "idempotency_key", name="uq_quizzes_key"),
        sa.UniqueConstraint("roadmap_id", "concept_id", "version", name="uq_quizzes_version"),
    )
    op.create_table(
        "resource_lists",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("roadmap_id", sa.String(length=64), nullable=False),
        sa.Column("concept_id", sa.String(length=80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("is_latest", sa.Boolean(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=80), nullable=False),
        sa.Column("task_id", sa.String(length=64), nullable=True),
        sa.Column(
            "body",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("offline", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "roadmap_id", "concept_id", "idempotency_key", name="uq_resource_lists_key"
        ),
        sa.UniqueConstraint(
            "roadmap_id", "concept_id", "version", name="uq_resource_lists_version"
        ),
    )


def _create_review_rounds_roadmaps() -> None:
    op.create_table(
        "review_rounds",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("task_id", sa.String(length=64), nullable=False),
        sa.Column("roadmap_id", sa.String(length=64), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=32), nullable=False),
        sa.Column("feedback", sa.Text(), nullable=True),
        sa.Column(
            "framework",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "issues",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("review_rounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_rounds_task_id"), ["task_id"], unique=False)
    op.create_table(
        "roadmaps",
        sa.Column("roadmap_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column(
            "framework",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "request",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "completed_concepts",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("roadmap_id"),
    )
    with op.batch_alter_table("roadmaps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roadmaps_user_id"), ["user_id"], unique=False)


def _create_task_events() -> None:
    op.create_table(
        "task_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("task_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("task_id", "seq", name="uq_task_events_seq"),
    )


def _create_tasks() -> None:
    op.create_table(
        "tasks",
        sa.Column("task_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=True),
        sa.Column("task_type", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("current_step", sa.String(length=40), nullable=False),
        sa.Column("roadmap_id", sa.String(length=64), nullable=True),
        sa.Column("concept_id", sa.String(length=80), nullable=True),
        sa.Column("content_type", sa.String(length=16), nullable=True),
        sa.Column(
            "request",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("auto_approve", sa.Boolean(), nullable=False),
        sa.Column(
            "scope",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column(
            "failed_items",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "summary",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("validation_rounds", sa.Integer(), nullable=False),
        sa.Column(
            "validation_issues",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("recovery_type", sa.String(length=40), nullable=True),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("broker_id", sa.String(length=128), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(length=200), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("task_id"),
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tasks_roadmap_created",
            ["roadmap_id", sa.literal_column("created_at DESC")],
            unique=False,
        )
        batch_op.create_index("ix_tasks_roadmap_status", ["roadmap_id", "status"], unique=False)
        batch_op.create_index("ix_tasks_status", ["status"], unique=False)
        batch_op.create_index(
            "ix_tasks_user_created", ["user_id", sa.literal_column("created_at DESC")], unique=False
        )


def _create_tutorials_roadmap_items() -> None:
    op.create_table(
        "tutorials",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("roadmap_id", sa.String(length=64), nullable=False),
        sa.Column("concept_id", sa.String(length=80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("is_latest", sa.Boolean(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=80), nullable=False),
        sa.Column("task_id", sa.String(length=64), nullable=True),
        sa.Column(
            "body",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("offline", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("roadmap_id", "concept_id", "idempotency_key", name="uq_tutorials_key"),
        sa.UniqueConstraint("roadmap_id", "concept_id", "version", name="uq_tutorials_version"),
    )
    op.create_table(
        "roadmap_items",
        sa.Column("roadmap_id", sa.String(length=64), nullable=False),
        sa.Column("concept_id", sa.String(length=80), nullable=False),
        sa.Column("content_type", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("fingerprint", sa.String(length=32), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("task_id", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["roadmap_id"], ["roadmaps.roadmap_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("roadmap_id", "concept_id", "content_type"),
    )
    with op.batch_alter_table("roadmap_items", schema=None) as batch_op:
        batch_op.create_index("ix_items_task_status", ["task_id", "status"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("roadmap_items", schema=None) as batch_op:
        batch_op.drop_index("ix_items_task_status")

    op.drop_table("roadmap_items")
    op.drop_table("tutorials")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_user_created")
        batch_op.drop_index("ix_tasks_status")
        batch_op.drop_index("ix_tasks_roadmap_status")
        batch_op.drop_index("ix_tasks_roadmap_created")

    op.drop_table("tasks")
    op.drop_table("task_events")
    with op.batch_alter_table("roadmaps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roadmaps_user_id"))

    op.drop_table("roadmaps")
    with op.batch_alter_table("review_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_rounds_task_id"))

    op.drop_table("review_rounds")
    op.drop_table("resource_lists")
    op.drop_table("quizzes")
    with op.batch_alter_table("llm_calls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_llm_calls_task_id"))

    op.drop_table("llm_calls")
    with op.batch_alter_table("intent_analyses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intent_analyses_task_id"))
        batch_op.drop_index(batch_op.f("ix_intent_analyses_roadmap_id"))

    op.drop_table("intent_analyses")
