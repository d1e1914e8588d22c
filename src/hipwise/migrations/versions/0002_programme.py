"""Programme tables: self-reports after a set and programme events (progression, regression,
safe variation).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hipwise.store.models import UTCDateTime

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``self_reports`` and ``program_events``."""
    op.create_table(
        "self_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("set_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("feelings", sa.JSON(), nullable=False),
        sa.Column("side", sa.String(8), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_self_reports_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["set_id"], ["sets.id"], name=op.f("fk_self_reports_set_id_sets"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_reports")),
    )
    op.create_index(op.f("ix_self_reports_person_id"), "self_reports", ["person_id"])
    op.create_index(op.f("ix_self_reports_set_id"), "self_reports", ["set_id"])
    op.create_table(
        "program_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(8), nullable=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("effective_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("load_kg", sa.Float(), nullable=True),
        sa.Column("variation", sa.String(32), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_program_events_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_events")),
    )
    op.create_index(op.f("ix_program_events_person_id"), "program_events", ["person_id"])


def downgrade() -> None:
    """Drop the programme tables."""
    op.drop_index(op.f("ix_program_events_person_id"), table_name="program_events")
    op.drop_table("program_events")
    op.drop_index(op.f("ix_self_reports_set_id"), table_name="self_reports")
    op.drop_index(op.f("ix_self_reports_person_id"), table_name="self_reports")
    op.drop_table("self_reports")
