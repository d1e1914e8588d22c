"""Plain records with known answers for the programme tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from hipwise.store.records import (
    EventRecord,
    PersonData,
    PersonRecord,
    RepRecord,
    SelfReportRecord,
    SessionRecord,
    SetRecord,
)

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # a Monday


def reps_at(start: datetime, faults: Sequence[Sequence[str]], step_s: float = 6.0,
            peak: float = 28.0) -> tuple[RepRecord, ...]:
    """One rep per entry of ``faults``, ``step_s`` apart from ``start``."""
    return tuple(
        RepRecord(at=start + timedelta(seconds=step_s * i), index=i + 1,
                  peak_abduction_deg=peak, lift_s=1.5, hold_s=2.0, lower_s=3.0,
                  faults=tuple(f))
        for i, f in enumerate(faults)
    )


def good(n: int) -> list[tuple[str, ...]]:
    """``n`` good reps."""
    return [()] * n


def session(
    sid: int, start: datetime, sides: dict[str, Sequence[Sequence[str]]],
    variation: str | None = "leg_lift", load_kg: float = 0.0,
) -> SessionRecord:
    """A session with one set per side (set ids ``sid*10 + k``)."""
    sets = []
    t = start
    for k, (side, faults) in enumerate(sides.items()):
        sets.append(SetRecord(
            id=sid * 10 + k, session_id=sid, recording_id=sid, side=side,  # type: ignore[arg-type]
            variation=variation, started_at=t, load_kg=load_kg, reps=reps_at(t, faults),
        ))
        t += timedelta(minutes=3)
    return SessionRecord(id=sid, started_at=start, ended_at=t, sets=tuple(sets))


def data(
    sessions: Sequence[SessionRecord] = (),
    *,
    conditions: Sequence[str] = (),
    goals: Sequence[str] = (),
    reports: Sequence[SelfReportRecord] = (),
    events: Sequence[EventRecord] = (),
    settings: dict[str, object] | None = None,
) -> PersonData:
    """A person's data."""
    return PersonData(
        person=PersonRecord(1, "Ana", tuple(conditions), tuple(goals)),  # type: ignore[arg-type]
        sessions=tuple(sessions), self_reports=tuple(reports), events=tuple(events),
        settings=settings or {},
    )


def report(rid: int, at: datetime, feelings: Sequence[str], set_id: int | None = None,
           side: str | None = None) -> SelfReportRecord:
    """A self-report."""
    return SelfReportRecord(id=rid, recorded_at=at, feelings=tuple(feelings),  # type: ignore[arg-type]
                            set_id=set_id, side=side)  # type: ignore[arg-type]


def event(eid: int, kind: str, at: datetime, side: str | None = None,
          load_kg: float | None = None, reason: str = "") -> EventRecord:
    """A programme event."""
    return EventRecord(id=eid, kind=kind, effective_at=at, side=side,  # type: ignore[arg-type]
                       load_kg=load_kg, reason=reason)
