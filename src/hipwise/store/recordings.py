"""Recordings and their analyses: one transaction saves an analysis with all its sets, reps,
faults, holds, circles, landmarks and self-report, completely or not at all; saving the same
source (fingerprint) twice for a person stores it once, also when two processes race."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import exc as sa_exc
from sqlalchemy import select
from sqlalchemy.orm import Session

from hipwise.contract import Analysis, SetResult
from hipwise.pose.landmarks import Side
from hipwise.pose.sequence import PoseSequence
from hipwise.store.blobs import LANDMARKS_FORMAT, decode_landmarks, encode_landmarks
from hipwise.store.config import StoreConfig
from hipwise.store.database import Database
from hipwise.store.errors import DatabaseCorruptError, StoreError
from hipwise.store.inputs import SelfReportInput
from hipwise.store.models import (
    Circle,
    Hold,
    Landmarks,
    Person,
    ProgramEvent,
    Recording,
    Rep,
    RepFault,
    SelfReportRow,
    SetRow,
    TrainingSession,
    utcnow,
)
from hipwise.store.people import person_row
from hipwise.store.records import SaveResult

__all__ = [
    "AnalysisRepository",
    "save_analysis",
]


log = logging.getLogger(__name__)


_MAX_SAVE_ATTEMPTS = 3


def _find_or_create_session(
    db: Session, person_id: int, start: datetime, end: datetime, gap_s: float
) -> TrainingSession:
    gap = timedelta(seconds=gap_s)
    candidates = db.scalars(
        select(TrainingSession)
        .where(
            TrainingSession.person_id == person_id,
            TrainingSession.started_at <= end + gap,
            TrainingSession.ended_at >= start - gap,
        )
        .order_by(TrainingSession.started_at)
    ).all()
    if candidates:
        ts = candidates[0]
        ts.started_at = min(ts.started_at, start)
        ts.ended_at = max(ts.ended_at, end)
        return ts
    ts = TrainingSession(person_id=person_id, started_at=start, ended_at=end)
    db.add(ts)
    db.flush()
    return ts


def _current_load(db: Session, person_id: int, side: str) -> float:
    """The ankle-weight load (kg) the latest programme event set for ``side`` (0: bodyweight)."""
    row = db.scalars(
        select(ProgramEvent)
        .where(
            ProgramEvent.person_id == person_id,
            ProgramEvent.load_kg.is_not(None),
            (ProgramEvent.side == side) | ProgramEvent.side.is_(None),
        )
        .order_by(ProgramEvent.effective_at.desc(), ProgramEvent.id.desc())
        .limit(1)
    ).first()
    return float(row.load_kg) if row is not None and row.load_kg is not None else 0.0


def _set_start(recorded_at: datetime, s: SetResult) -> datetime:
    starts = [r.start_s for r in s.reps]
    starts += [h.start_s for h in s.holds or []]
    starts += [c.start_s for c in s.circles or []]
    return recorded_at + timedelta(seconds=min(starts) if starts else 0.0)


def _set_row(
    person_id: int, session_id: int, position: int, s: SetResult, recorded_at: datetime,
    load_kg: float,
) -> SetRow:
    row = SetRow(
        person_id=person_id,
        session_id=session_id,
        position=position,
        working_leg=s.working_leg,
        variation=s.variation,
        started_at=_set_start(recorded_at, s),
        load_kg=load_kg,
        total_reps=len(s.reps),
        good_reps=s.good_reps,
    )
    row.reps = [
        Rep(
            index=r.index, start_s=r.start_s, peak_s=r.peak_s, end_s=r.end_s,
            peak_abduction_deg=r.peak_abduction_deg, lift_s=r.lift_s, hold_s=r.hold_s,
            lower_s=r.lower_s, good=r.good, shaking=r.shaking,
            foot_rotation_deg=r.foot_rotation_deg, side_bend_change_deg=r.side_bend_change_deg,
            pelvis_roll_deg=r.pelvis_roll_deg, forward_drift_deg=r.forward_drift_deg,
            min_knee_deg=r.min_knee_deg, peak_opening_deg=r.peak_opening_deg,
            faults=[RepFault(fault=f) for f in r.faults],
        )
        for r in s.reps
    ]
    row.holds = [
        Hold(
            position=i, start_s=h.start_s, end_s=h.end_s, hold_s=h.hold_s,
            mean_abduction_deg=h.mean_abduction_deg, sag_deg=h.sag_deg, shaking=h.shaking,
        )
        for i, h in enumerate(s.holds or [], start=1)
    ]
    row.circles = [
        Circle(
            index=c.index, start_s=c.start_s, end_s=c.end_s, direction=c.direction,
            diameter_cm=c.diameter_cm,
        )
        for c in s.circles or []
    ]
    return row


def save_analysis(
    session: Session,
    person: Person,
    analysis: Analysis,
    source_fingerprint: str,
    landmarks: PoseSequence | None = None,
    recorded_at: datetime | None = None,
    self_report: SelfReportInput | None = None,
    *,
    load_kg: float | Mapping[Side, float] | None = None,
    kind: Literal["video", "live"] = "video",
    session_gap_s: float = StoreConfig().session_gap_s,
) -> SaveResult:
    """Save one analysis for ``person`` inside the caller's open transaction ``session``.

    Most callers want :meth:`AnalysisRepository.save`, which opens the transaction, resolves the
    person by name and handles two processes saving the same source at once.

    Args:
        session: an ORM session inside a transaction (commit/rollback is the caller's).
        person: the :class:`~hipwise.store.models.Person` row.
        analysis: the result of ``hipwise analyze`` (or a live set wrapped in an Analysis).
        source_fingerprint: identifies the source, e.g. ``"sha256:<hex of the file bytes>"``
            (1-128 characters); the same fingerprint for the same person is stored once.
        landmarks: the pose sequence, stored compressed (see :mod:`hipwise.store.blobs`).
        recorded_at: when the recording started (timezone-aware); default: now minus the
            video's duration.
        self_report: what the person felt, attached to the recording's last set.
        load_kg: ankle weight (kg) per side or for both; default: the programme's current load.
        kind: ``"video"`` for a recorded file, ``"live"`` for a live camera set.
        session_gap_s: recordings closer than this (s) join the same training session.

    Returns:
        What was saved; ``created`` False (and nothing written) when the fingerprint exists.

    Raises:
        ValueError: bad fingerprint or naive ``recorded_at``.
    """
    fingerprint = source_fingerprint.strip()
    if not 1 <= len(fingerprint) <= 128:
        raise ValueError("source_fingerprint must be 1-128 characters")
    existing = session.scalars(
        select(Recording).where(
            Recording.person_id == person.id, Recording.fingerprint == fingerprint
        )
    ).first()
    if existing is not None:
        set_ids = session.scalars(
            select(SetRow.id).where(SetRow.recording_id == existing.id).order_by(SetRow.position)
        ).all()
        log.info("source %s already saved for %s (recording %d)", fingerprint, person.name,
                 existing.id)
        return SaveResult(existing.id, existing.session_id, tuple(set_ids), created=False)
    if recorded_at is None:
        recorded_at = utcnow() - timedelta(seconds=analysis.video.duration_s)
    if recorded_at.tzinfo is None:
        raise ValueError("recorded_at must be timezone-aware (e.g. datetime.now(UTC))")
    end = recorded_at + timedelta(seconds=analysis.video.duration_s)
    ts = _find_or_create_session(session, person.id, recorded_at, end, session_gap_s)
    rec = Recording(
        person_id=person.id, session_id=ts.id, fingerprint=fingerprint, kind=kind,
        recorded_at=recorded_at, saved_at=utcnow(), duration_s=analysis.video.duration_s,
        fps=analysis.video.fps, frames=analysis.video.frames, width=analysis.video.width,
        height=analysis.video.height, hipwise_version=analysis.hipwise_version,
        warnings=list(analysis.warnings), result_json=analysis.to_json(indent=None),
    )
    session.add(rec)
    session.flush()
    for pos, s in enumerate(analysis.sets, start=1):
        if load_kg is None:
            load = _current_load(session, person.id, s.working_leg)
        elif isinstance(load_kg, Mapping):
            load = float(load_kg.get(s.working_leg, 0.0))
        else:
            load = float(load_kg)
        rec.sets.append(_set_row(person.id, ts.id, pos, s, recorded_at, load))
    session.flush()
    if landmarks is not None:
        rec.landmarks = Landmarks(
            format=LANDMARKS_FORMAT, frames=len(landmarks), data=encode_landmarks(landmarks)
        )
    if self_report is not None:
        last = rec.sets[-1] if rec.sets else None
        session.add(
            SelfReportRow(
                person_id=person.id, set_id=last.id if last else None, recorded_at=end,
                feelings=list(self_report.feelings),
                side=self_report.side or (last.working_leg if last else None),
                note=self_report.note,
            )
        )
    session.flush()
    log.info("saved recording %d (%d sets) for %s", rec.id, len(rec.sets), person.name)
    return SaveResult(rec.id, ts.id, tuple(s.id for s in rec.sets), created=True)


class AnalysisRepository:
    """Recordings and their analyses: save one (with its sets, reps, faults, holds, circles,
    landmarks and self-report), read it back."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def save(
        self,
        person: str | None,
        analysis: Analysis,
        source_fingerprint: str,
        *,
        landmarks: PoseSequence | None = None,
        recorded_at: datetime | None = None,
        self_report: SelfReportInput | None = None,
        load_kg: float | Mapping[Side, float] | None = None,
        kind: Literal["video", "live"] = "video",
        create_person: bool = True,
    ) -> SaveResult:
        """Save ``analysis`` for the profile ``person`` (None: the default profile, created as
        ``"me"`` when the store has none) in one transaction; see :func:`save_analysis` for the
        arguments. Saving a fingerprint that is already stored writes nothing and returns
        ``created=False``, also when two processes race.

        Raises:
            DatabaseLockedError: another process held the lock past the timeout (nothing saved).
            PersonNotFoundError: ``create_person`` is False and the profile does not exist.
        """
        last: Exception | None = None
        for attempt in range(1, _MAX_SAVE_ATTEMPTS + 1):
            try:
                with self.db.transaction() as db:
                    row = person_row(db, person, create=create_person, lock=True)
                    return save_analysis(
                        db, row, analysis, source_fingerprint, landmarks, recorded_at,
                        self_report, load_kg=load_kg, kind=kind,
                        session_gap_s=self.db.config.session_gap_s,
                    )
            except sa_exc.IntegrityError as exc:  # a concurrent writer won the race: re-read
                log.info("save attempt %d lost a race (%s); retrying", attempt, exc.orig)
                last = exc
        raise StoreError(f"could not save after {_MAX_SAVE_ATTEMPTS} attempts: {last}")

    def load(self, recording_id: int) -> Analysis:
        """The stored analysis of a recording, exactly as saved."""
        with self.db.read() as db:
            rec = db.get(Recording, recording_id)
            if rec is None:
                raise StoreError(f"no recording {recording_id}")
            return Analysis.model_validate_json(rec.result_json)

    def landmarks(self, recording_id: int) -> PoseSequence | None:
        """The stored landmarks of a recording (None when none were saved)."""
        with self.db.read() as db:
            row = db.get(Landmarks, recording_id)
            if row is None:
                return None
            fmt, data = row.format, row.data
        try:
            return decode_landmarks(data, fmt)
        except ValueError as exc:
            raise DatabaseCorruptError(
                f"the landmarks of recording {recording_id} are damaged: {exc}"
            ) from exc
