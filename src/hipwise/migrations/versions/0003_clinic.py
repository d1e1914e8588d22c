"""Clinic tables: accounts, bearer tokens and video-analysis jobs (``hipwise serve``).

The therapist's prescription is a per-person setting (``clinic_prescription``) in ``settings``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hipwise.store.models import UTCDateTime

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``clinic_users``, ``clinic_tokens`` and ``clinic_jobs``."""
    op.create_table(
        "clinic_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("therapist_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_clinic_users_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["therapist_id"], ["clinic_users.id"],
            name=op.f("fk_clinic_users_therapist_id_clinic_users"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinic_users")),
        sa.UniqueConstraint("username", name=op.f("uq_clinic_users_username")),
        sa.UniqueConstraint("person_id", name=op.f("uq_clinic_users_person_id")),
    )
    op.create_index(op.f("ix_clinic_users_therapist_id"), "clinic_users", ["therapist_id"])
    op.create_table(
        "clinic_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["clinic_users.id"], name=op.f("fk_clinic_tokens_user_id_clinic_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinic_tokens")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_clinic_tokens_token_sha256")),
    )
    op.create_index(op.f("ix_clinic_tokens_user_id"), "clinic_tokens", ["user_id"])
    op.create_table(
        "clinic_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("keep_video", sa.Boolean(), nullable=False),
        sa.Column("video", sa.LargeBinary(), nullable=True),
        sa.Column("recording_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_clinic_jobs_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recording_id"], ["recordings.id"],
            name=op.f("fk_clinic_jobs_recording_id_recordings"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinic_jobs")),
        sa.UniqueConstraint("person_id", "sha256", name=op.f("uq_clinic_jobs_person_id")),
    )
    op.create_index(op.f("ix_clinic_jobs_person_id"), "clinic_jobs", ["person_id"])


def downgrade() -> None:
    """Drop the clinic tables."""
    op.drop_index(op.f("ix_clinic_jobs_person_id"), table_name="clinic_jobs")
    op.drop_table("clinic_jobs")
    op.drop_index(op.f("ix_clinic_tokens_user_id"), table_name="clinic_tokens")
    op.drop_table("clinic_tokens")
    op.drop_index(op.f("ix_clinic_users_therapist_id"), table_name="clinic_users")
    op.drop_table("clinic_users")
