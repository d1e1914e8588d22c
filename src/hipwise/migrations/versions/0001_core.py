"""Core tables: people, settings, sessions, recordings, landmarks, sets, reps, faults, holds,
circles.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hipwise.store.models import UTCDateTime

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create the core tables."""
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("goals", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("name", name=op.f("uq_people_name")),
    )
    op.create_table(
        "settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_settings_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settings")),
        sa.UniqueConstraint("person_id", "key", name=op.f("uq_settings_person_id")),
    )
    op.create_index(op.f("ix_settings_person_id"), "settings", ["person_id"])
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_sessions_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
    )
    op.create_index(op.f("ix_sessions_person_id"), "sessions", ["person_id"])
    op.create_table(
        "recordings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("saved_at", UTCDateTime(), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=False),
        sa.Column("fps", sa.Float(), nullable=False),
        sa.Column("frames", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("hipwise_version", sa.String(32), nullable=True),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("result_json", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_recordings_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_recordings_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recordings")),
        sa.UniqueConstraint("person_id", "fingerprint", name=op.f("uq_recordings_person_id")),
    )
    op.create_index(op.f("ix_recordings_person_id"), "recordings", ["person_id"])
    op.create_index(op.f("ix_recordings_session_id"), "recordings", ["session_id"])
    op.create_table(
        "landmarks",
        sa.Column("recording_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(32), nullable=False),
        sa.Column("frames", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recording_id"], ["recordings.id"],
            name=op.f("fk_landmarks_recording_id_recordings"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("recording_id", name=op.f("pk_landmarks")),
    )
    op.create_table(
        "sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recording_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("working_leg", sa.String(8), nullable=False),
        sa.Column("variation", sa.String(32), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("load_kg", sa.Float(), nullable=False),
        sa.Column("total_reps", sa.Integer(), nullable=False),
        sa.Column("good_reps", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_sets_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recording_id"], ["recordings.id"], name=op.f("fk_sets_recording_id_recordings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_sets_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sets")),
        sa.UniqueConstraint("recording_id", "position", name=op.f("uq_sets_recording_id")),
    )
    op.create_index(op.f("ix_sets_person_id"), "sets", ["person_id"])
    op.create_index(op.f("ix_sets_recording_id"), "sets", ["recording_id"])
    op.create_index(op.f("ix_sets_session_id"), "sets", ["session_id"])
    op.create_table(
        "reps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("set_id", sa.Integer(), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("start_s", sa.Float(), nullable=False),
        sa.Column("peak_s", sa.Float(), nullable=False),
        sa.Column("end_s", sa.Float(), nullable=False),
        sa.Column("peak_abduction_deg", sa.Float(), nullable=False),
        sa.Column("lift_s", sa.Float(), nullable=False),
        sa.Column("hold_s", sa.Float(), nullable=False),
        sa.Column("lower_s", sa.Float(), nullable=False),
        sa.Column("good", sa.Boolean(), nullable=False),
        sa.Column("shaking", sa.Boolean(), nullable=True),
        sa.Column("foot_rotation_deg", sa.Float(), nullable=True),
        sa.Column("side_bend_change_deg", sa.Float(), nullable=True),
        sa.Column("pelvis_roll_deg", sa.Float(), nullable=True),
        sa.Column("forward_drift_deg", sa.Float(), nullable=True),
        sa.Column("min_knee_deg", sa.Float(), nullable=True),
        sa.Column("peak_opening_deg", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["set_id"], ["sets.id"], name=op.f("fk_reps_set_id_sets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reps")),
        sa.UniqueConstraint("set_id", "index", name=op.f("uq_reps_set_id")),
    )
    op.create_index(op.f("ix_reps_set_id"), "reps", ["set_id"])
    op.create_table(
        "rep_faults",
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("fault", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(
            ["rep_id"], ["reps.id"], name=op.f("fk_rep_faults_rep_id_reps"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("rep_id", "fault", name=op.f("pk_rep_faults")),
    )
    op.create_table(
        "holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("set_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("start_s", sa.Float(), nullable=False),
        sa.Column("end_s", sa.Float(), nullable=False),
        sa.Column("hold_s", sa.Float(), nullable=False),
        sa.Column("mean_abduction_deg", sa.Float(), nullable=False),
        sa.Column("sag_deg", sa.Float(), nullable=False),
        sa.Column("shaking", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["set_id"], ["sets.id"], name=op.f("fk_holds_set_id_sets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holds")),
    )
    op.create_index(op.f("ix_holds_set_id"), "holds", ["set_id"])
    op.create_table(
        "circles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("set_id", sa.Integer(), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("start_s", sa.Float(), nullable=False),
        sa.Column("end_s", sa.Float(), nullable=False),
        sa.Column("direction", sa.String(24), nullable=False),
        sa.Column("diameter_cm", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["set_id"], ["sets.id"], name=op.f("fk_circles_set_id_sets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_circles")),
    )
    op.create_index(op.f("ix_circles_set_id"), "circles", ["set_id"])


def downgrade() -> None:
    """Drop the core tables."""
    for table in (
        "circles", "holds", "rep_faults", "reps", "sets", "landmarks", "recordings",
        "sessions", "settings", "people",
    ):
        op.drop_table(table)
