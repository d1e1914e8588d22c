"""SQLAlchemy 2 ORM models: people, settings, training sessions, recordings, sets, reps, faults,
holds, circles, landmarks, self-reports and programme events.

Units: times in seconds (``*_s``) from the start of the recording, angles in degrees
(``*_deg``), loads in kilograms, timestamps timezone-aware UTC. The schema is created and
changed only by the Alembic migrations in :mod:`hipwise.migrations`; these classes must match
the newest revision (a test compares them).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

__all__ = [
    "Base",
    "Circle",
    "ClinicJob",
    "ClinicToken",
    "ClinicUser",
    "Hold",
    "Landmarks",
    "Person",
    "ProgramEvent",
    "Recording",
    "Rep",
    "RepFault",
    "SelfReportRow",
    "SetRow",
    "Setting",
    "TrainingSession",
    "UTCDateTime",
    "utcnow",
]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always read back timezone-aware (SQLite drops zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with a constraint naming convention (stable names for migrations)."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class Person(Base):
    """Someone who trains: a unique name, conditions and goals (lists of ids)."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    conditions: Mapped[list[str]] = mapped_column(JSON, default=list)
    goals: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Setting(Base):
    """A key/value setting; ``person_id`` NULL for store-wide settings (e.g. default person)."""

    __tablename__ = "settings"
    __table_args__ = (UniqueConstraint("person_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(64))
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrainingSession(Base):
    """One workout: the recordings of a person that lie close together in time."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime]


class Recording(Base):
    """One analysed video or live set, identified per person by its source fingerprint.

    ``result_json`` keeps the full contract JSON, so nothing of the analysis is lost even when
    the contract grows fields these tables do not have. Never the video itself.
    """

    __tablename__ = "recordings"
    __table_args__ = (UniqueConstraint("person_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    fingerprint: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16), default="video")
    recorded_at: Mapped[datetime]
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)
    duration_s: Mapped[float] = mapped_column(Float)
    fps: Mapped[float] = mapped_column(Float)
    frames: Mapped[int] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    hipwise_version: Mapped[str | None] = mapped_column(String(32))
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    result_json: Mapped[str] = mapped_column(Text)

    sets: Mapped[list[SetRow]] = relationship(
        back_populates="recording", cascade="all, delete-orphan", order_by="SetRow.position"
    )
    landmarks: Mapped[Landmarks | None] = relationship(cascade="all, delete-orphan")


class Landmarks(Base):
    """The recording's landmarks as a compressed npz blob (see :mod:`hipwise.store.blobs`)."""

    __tablename__ = "landmarks"

    recording_id: Mapped[int] = mapped_column(
        ForeignKey("recordings.id", ondelete="CASCADE"), primary_key=True
    )
    format: Mapped[str] = mapped_column(String(32))
    frames: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class SetRow(Base):
    """One set (continuous bout on one working leg) with its load and rep counts."""

    __tablename__ = "sets"
    __table_args__ = (UniqueConstraint("recording_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recording_id: Mapped[int] = mapped_column(
        ForeignKey("recordings.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    working_leg: Mapped[str] = mapped_column(String(8))
    variation: Mapped[str | None] = mapped_column(String(32))
    started_at: Mapped[datetime]
    load_kg: Mapped[float] = mapped_column(Float, default=0.0)
    total_reps: Mapped[int] = mapped_column(Integer)
    good_reps: Mapped[int] = mapped_column(Integer)

    recording: Mapped[Recording] = relationship(back_populates="sets")
    reps: Mapped[list[Rep]] = relationship(
        back_populates="set", cascade="all, delete-orphan", order_by="Rep.index"
    )
    holds: Mapped[list[Hold]] = relationship(cascade="all, delete-orphan", order_by="Hold.position")
    circles: Mapped[list[Circle]] = relationship(
        cascade="all, delete-orphan", order_by="Circle.index"
    )


class Rep(Base):
    """One repetition with every metric of :class:`hipwise.contract.RepResult`."""

    __tablename__ = "reps"
    __table_args__ = (UniqueConstraint("set_id", "index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("sets.id", ondelete="CASCADE"), index=True)
    index: Mapped[int] = mapped_column(Integer)
    start_s: Mapped[float] = mapped_column(Float)
    peak_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)
    peak_abduction_deg: Mapped[float] = mapped_column(Float)
    lift_s: Mapped[float] = mapped_column(Float)
    hold_s: Mapped[float] = mapped_column(Float)
    lower_s: Mapped[float] = mapped_column(Float)
    good: Mapped[bool] = mapped_column(Boolean)
    shaking: Mapped[bool | None] = mapped_column(Boolean)
    foot_rotation_deg: Mapped[float | None] = mapped_column(Float)
    side_bend_change_deg: Mapped[float | None] = mapped_column(Float)
    pelvis_roll_deg: Mapped[float | None] = mapped_column(Float)
    forward_drift_deg: Mapped[float | None] = mapped_column(Float)
    min_knee_deg: Mapped[float | None] = mapped_column(Float)
    peak_opening_deg: Mapped[float | None] = mapped_column(Float)

    set: Mapped[SetRow] = relationship(back_populates="reps")
    faults: Mapped[list[RepFault]] = relationship(
        cascade="all, delete-orphan", order_by="RepFault.fault"
    )


class RepFault(Base):
    """One fault id (see :data:`hipwise.contract.FAULT_IDS`) called on one rep."""

    __tablename__ = "rep_faults"

    rep_id: Mapped[int] = mapped_column(
        ForeignKey("reps.id", ondelete="CASCADE"), primary_key=True
    )
    fault: Mapped[str] = mapped_column(String(32), primary_key=True)


class Hold(Base):
    """One isometric hold of a set."""

    __tablename__ = "holds"

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("sets.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)
    hold_s: Mapped[float] = mapped_column(Float)
    mean_abduction_deg: Mapped[float] = mapped_column(Float)
    sag_deg: Mapped[float] = mapped_column(Float)
    shaking: Mapped[bool] = mapped_column(Boolean)


class Circle(Base):
    """One circle drawn by the foot during an isometric hold with circles."""

    __tablename__ = "circles"

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("sets.id", ondelete="CASCADE"), index=True)
    index: Mapped[int] = mapped_column(Integer)
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)
    direction: Mapped[str] = mapped_column(String(24))
    diameter_cm: Mapped[float] = mapped_column(Float)


class SelfReportRow(Base):
    """What the person felt after a set (feeling ids, see :mod:`hipwise.program.feedback`)."""

    __tablename__ = "self_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    set_id: Mapped[int | None] = mapped_column(
        ForeignKey("sets.id", ondelete="SET NULL"), index=True
    )
    recorded_at: Mapped[datetime]
    feelings: Mapped[list[str]] = mapped_column(JSON)
    side: Mapped[str | None] = mapped_column(String(8))
    note: Mapped[str | None] = mapped_column(Text)


class ProgramEvent(Base):
    """A change of programme for one side (or both: ``side`` NULL): progression to a heavier
    ankle weight, regression, switch to the safe variation, resumption.

    ``effective_at`` is the time of the last rep (or report) that triggered it: reps after it
    count toward the next decision.
    """

    __tablename__ = "program_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    side: Mapped[str | None] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(24))
    effective_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    load_kg: Mapped[float | None] = mapped_column(Float)
    variation: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")


# ---------------------------------------------------------------------------------------------
# clinic tables (``hipwise serve``, see :mod:`hipwise.clinic`; migration 0003)


class ClinicUser(Base):
    """A clinic account: ``role`` patient, therapist or admin. A patient account is linked to
    one :class:`Person` (their training data) and to their therapist's account."""

    __tablename__ = "clinic_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), unique=True
    )
    therapist_id: Mapped[int | None] = mapped_column(
        ForeignKey("clinic_users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ClinicToken(Base):
    """A bearer token (only its sha256 is stored); dead when expired or revoked (logout)."""

    __tablename__ = "clinic_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("clinic_users.id", ondelete="CASCADE"), index=True
    )
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class ClinicJob(Base):
    """One uploaded video's analysis on the task queue, unique per person and video sha256.

    ``status``: queued, running, done, failed. ``progress`` 0..1. ``video`` holds the bytes
    until the analysis ends (then NULL unless ``keep_video``), so workers on any machine need
    only the database and the broker."""

    __tablename__ = "clinic_jobs"
    __table_args__ = (UniqueConstraint("person_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    keep_video: Mapped[bool] = mapped_column(Boolean, default=False)
    video: Mapped[bytes | None] = mapped_column(LargeBinary)
    recording_id: Mapped[int | None] = mapped_column(
        ForeignKey("recordings.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
