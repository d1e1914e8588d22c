"""Plain, immutable records the store returns (no database objects escape the store).

Times are timezone-aware UTC datetimes; durations in seconds; angles in degrees; loads in kg.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from hipwise.pose.landmarks import Side
from hipwise.store.vocab import Condition, EventKind, Feeling, Goal

__all__ = [
    "EventRecord",
    "PersonData",
    "PersonRecord",
    "RepRecord",
    "SaveResult",
    "SelfReportRecord",
    "SessionRecord",
    "SetRecord",
]


@dataclass(frozen=True)
class PersonRecord:
    """A person's profile."""

    id: int
    name: str
    conditions: tuple[Condition, ...] = ()
    goals: tuple[Goal, ...] = ()


@dataclass(frozen=True)
class RepRecord:
    """One stored rep. ``at``: absolute start time (recording start + ``start_s``)."""

    at: datetime
    index: int
    peak_abduction_deg: float
    lift_s: float
    hold_s: float
    lower_s: float
    faults: tuple[str, ...]
    shaking: bool | None = None

    @property
    def good(self) -> bool:
        """True when the rep has no fault."""
        return not self.faults


@dataclass(frozen=True)
class SetRecord:
    """One stored set: side, variation, ankle-weight load (kg), reps in order, hold times (s)."""

    id: int
    session_id: int
    recording_id: int
    side: Side
    variation: str | None
    started_at: datetime
    load_kg: float
    reps: tuple[RepRecord, ...] = ()
    holds_s: tuple[float, ...] = ()
    circles: int = 0

    @property
    def good_reps(self) -> int:
        """Reps without a fault."""
        return sum(1 for r in self.reps if r.good)


@dataclass(frozen=True)
class SessionRecord:
    """One training session with its sets in time order."""

    id: int
    started_at: datetime
    ended_at: datetime
    sets: tuple[SetRecord, ...] = ()


@dataclass(frozen=True)
class SelfReportRecord:
    """What the person felt after a set."""

    id: int
    recorded_at: datetime
    feelings: tuple[Feeling, ...]
    set_id: int | None = None
    side: Side | None = None
    note: str | None = None


@dataclass(frozen=True)
class EventRecord:
    """A programme change for one side (``side`` None: both sides)."""

    id: int
    kind: EventKind
    effective_at: datetime
    side: Side | None = None
    load_kg: float | None = None
    variation: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class PersonData:
    """Everything the programme engine needs about one person, as plain data."""

    person: PersonRecord
    sessions: tuple[SessionRecord, ...] = ()
    self_reports: tuple[SelfReportRecord, ...] = ()
    events: tuple[EventRecord, ...] = ()
    settings: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class SaveResult:
    """The outcome of saving one analysis. ``created`` is False when the same source
    (fingerprint) was already stored for this person: nothing was written."""

    recording_id: int
    session_id: int
    set_ids: tuple[int, ...]
    created: bool
