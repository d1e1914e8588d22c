"""Pure summaries of one patient's stored data: per-session trend rows and the flags that put
a patient at the top of the therapist's list. No I/O; inputs are :class:`PersonData`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from hipwise.store.records import PersonData, SessionRecord

__all__ = ["Flag", "SessionRow", "patient_flags", "session_rows"]


@dataclass(frozen=True)
class SessionRow:
    """One training session as the dashboard shows it.

    Angles in degrees and times in seconds are means over the session's reps (None without
    reps). ``faults`` counts each fault id over the session's reps. ``feelings``: the
    self-reports' feeling ids recorded during or within 3 h after the session.
    """

    session_id: int
    started_at: datetime
    reps: int
    good_reps: int
    faults: dict[str, int]
    peak_abduction_deg: float | None
    lift_s: float | None
    hold_s: float | None
    lower_s: float | None
    recording_ids: tuple[int, ...]
    feelings: tuple[str, ...]

    @property
    def good_share(self) -> float | None:
        """Good reps / reps (None without reps)."""
        return self.good_reps / self.reps if self.reps else None


@dataclass(frozen=True)
class Flag:
    """Why a patient needs attention: ``kind`` pain, missed_sessions or falling_good_share."""

    kind: str
    message: str


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _row(s: SessionRecord, data: PersonData) -> SessionRow:
    reps = [r for st in s.sets for r in st.reps]
    faults = Counter(f for r in reps for f in r.faults)
    until = s.ended_at + timedelta(hours=3)
    feelings = tuple(sorted({
        f for rep in data.self_reports if s.started_at <= rep.recorded_at <= until
        for f in rep.feelings
    }))
    return SessionRow(
        session_id=s.id, started_at=s.started_at, reps=len(reps),
        good_reps=sum(1 for r in reps if r.good), faults=dict(sorted(faults.items())),
        peak_abduction_deg=_mean([r.peak_abduction_deg for r in reps]),
        lift_s=_mean([r.lift_s for r in reps]), hold_s=_mean([r.hold_s for r in reps]),
        lower_s=_mean([r.lower_s for r in reps]),
        recording_ids=tuple(sorted({st.recording_id for st in s.sets})), feelings=feelings,
    )


def session_rows(data: PersonData) -> list[SessionRow]:
    """The person's sessions, oldest first, with rep counts, faults, mean angle and tempo."""
    return [_row(s, data) for s in data.sessions]


def patient_flags(
    data: PersonData,
    *,
    now: datetime,
    sessions_per_week: int,
    window_days: int = 14,
    good_share_drop: float = 0.15,
) -> list[Flag]:
    """The reasons to look at this patient now (empty: none).

    * ``pain``: a self-report of sharp pain in the last ``window_days``;
    * ``missed_sessions``: fewer sessions in the last ``window_days`` than prescribed
      (``sessions_per_week`` x weeks), counted only once the patient has been training that
      long (their first session is older than the window);
    * ``falling_good_share``: the good-rep share of the newer half of the window's sessions
      is at least ``good_share_drop`` below the older half's (at least 2 sessions each).
    """
    since = now - timedelta(days=window_days)
    flags: list[Flag] = []
    pains = [r for r in data.self_reports if r.recorded_at >= since and "sharp_pain" in r.feelings]
    if pains:
        last = max(r.recorded_at for r in pains)
        flags.append(Flag("pain", f"sharp pain reported {len(pains)}x, last on {last:%Y-%m-%d}"))
    recent = [s for s in data.sessions if s.started_at >= since]
    expected = round(sessions_per_week * window_days / 7)
    if data.sessions and data.sessions[0].started_at < since and len(recent) < expected:
        flags.append(Flag(
            "missed_sessions",
            f"{len(recent)} of {expected} prescribed sessions in the last {window_days} days",
        ))
    rows = [r for r in session_rows(data) if r.started_at >= since and r.reps]
    if len(rows) >= 4:
        half = len(rows) // 2
        old, new = rows[:half], rows[half:]
        old_share = sum(r.good_reps for r in old) / sum(r.reps for r in old)
        new_share = sum(r.good_reps for r in new) / sum(r.reps for r in new)
        if old_share - new_share >= good_share_drop:
            flags.append(Flag(
                "falling_good_share",
                f"good reps fell from {old_share:.0%} to {new_share:.0%}",
            ))
    return flags
