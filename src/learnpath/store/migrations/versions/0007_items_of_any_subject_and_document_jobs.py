"""items of any subject (a roadmap or a document job), and the tables of document jobs

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 15:30:00

``roadmap_items`` becomes ``items``: its ``roadmap_id`` is now ``subject_id`` and no longer a
foreign key, so a document job's chapters are items of the job (docs/architecture.md).
The rows are copied: a rename of a primary-key column behaves differently per backend.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_ITEM_COLUMNS = (
    "concept_id, content_type, status, fingerprint, generation, version, task_id, error, "
    "broker_id, lease_owner, lease_expires_at, updated_at"
)


def upgrade() -> None:
    _items_table("items", "subject_id")
    op.execute(
        f"INSERT INTO items (subject_id, {_ITEM_COLUMNS}) "
        f"SELECT roadmap_id, {_ITEM_COLUMNS} FROM roadmap_items"
    )
    op.drop_table("roadmap_items")
    _items_indexes("items")
    op.create_table(
        "document_jobs",
        sa.Column("job_id", sa.String(length=64), nullable=False),
        sa.Column("files", JSON, nullable=False),
        sa.Column("sources", JSON, nullable=True),
        sa.Column("outline", JSON, nullable=True),
        sa.Column("result", JSON, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("job_id"),
    )
    op.create_table(
        "chapters",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("job_id", sa.String(length=64), nullable=False),
        sa.Column("chapter_id", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=80), nullable=False),
        sa.Column("task_id", sa.String(length=64), nullable=True),
        sa.Column("body", JSON, nullable=False),
        sa.Column("offline", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("job_id", "chapter_id", "idempotency_key", name="uq_chapters_key"),
        sa.UniqueConstraint("job_id", "chapter_id", "version", name="uq_chapters_version"),
    )


def downgrade() -> None:
    op.drop_table("chapters")
    op.drop_table("document_jobs")
    op.execute("DELETE FROM items WHERE subject_id NOT IN (SELECT roadmap_id FROM roadmaps)")
    _items_table("roadmap_items", "roadmap_id")
    op.execute(
        f"INSERT INTO roadmap_items (roadmap_id, {_ITEM_COLUMNS}) "
        f"SELECT subject_id, {_ITEM_COLUMNS} FROM items"
    )
    op.drop_table("items")
    _items_indexes("roadmap_items")


def _items_table(name: str, subject: str) -> None:
    foreign = (
        [sa.ForeignKeyConstraint(["roadmap_id"], ["roadmaps.roadmap_id"], ondelete="CASCADE")]
        if subject == "roadmap_id"
        else []
    )
    op.create_table(
        name,
        sa.Column(subject, sa.String(length=64), nullable=False),
        sa.Column("concept_id", sa.String(length=80), nullable=False),
        sa.Column("content_type", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("fingerprint", sa.String(length=32), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("task_id", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("broker_id", sa.String(length=128), nullable=True),
        sa.Column("lease_owner", sa.String(length=200), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        *foreign,
        sa.PrimaryKeyConstraint(subject, "concept_id", "content_type"),
    )


def _items_indexes(name: str) -> None:
    # Index names are per schema in PostgreSQL: the old table's went with it.
    op.create_index("ix_items_task_status", name, ["task_id", "status"])
    op.create_index("ix_items_status_lease", name, ["status", "lease_expires_at"])
