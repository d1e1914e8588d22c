"""Patient flags and session trend rows from synthetic records with known answers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from hipwise.clinic.flags import patient_flags, session_rows
from hipwise.store.records import (
    PersonData,
    PersonRecord,
    RepRecord,
    SelfReportRecord,
    SessionRecord,
    SetRecord,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _session(i: int, at: datetime, good: int, reps: int = 10) -> SessionRecord:
    rs = tuple(
        RepRecord(at=at + timedelta(seconds=5 * k), index=k + 1, peak_abduction_deg=30.0 + k,
                  lift_s=1.0, hold_s=2.0, lower_s=3.0,
                  faults=() if k < good else ("too_fast",))
        for k in range(reps)
    )
    s = SetRecord(id=i, session_id=i, recording_id=100 + i, side="left", variation="leg_lift",
                  started_at=at, load_kg=0.0, reps=rs)
    return SessionRecord(i, at, at + timedelta(minutes=5), (s,))


def _data(days_ago: Sequence[float], goods: Sequence[int], pain_days_ago: float | None = None
          ) -> PersonData:
    sessions = tuple(_session(i, NOW - timedelta(days=d), g)
                     for i, (d, g) in enumerate(zip(days_ago, goods, strict=True), start=1))
    reports: tuple[SelfReportRecord, ...] = ()
    if pain_days_ago is not None:
        reports = (SelfReportRecord(1, NOW - timedelta(days=pain_days_ago), ("sharp_pain",)),)
    return PersonData(PersonRecord(1, "ana"), sessions, reports)


def _kinds(data: PersonData) -> list[str]:
    return [f.kind for f in patient_flags(data, now=NOW, sessions_per_week=3)]


def test_on_plan_patient_has_no_flags() -> None:
    days = [30, 13, 11, 9, 6, 4, 2]
    assert _kinds(_data(days, [8] * 7)) == []


def test_missed_sessions_against_the_prescription() -> None:
    data = _data([30, 13, 6, 2], [8] * 4)  # 3 in the last 14 days, 6 prescribed
    flags = patient_flags(data, now=NOW, sessions_per_week=3)
    assert [f.kind for f in flags] == ["missed_sessions"]
    assert flags[0].message == "3 of 6 prescribed sessions in the last 14 days"
    # at 1x a week, 3 sessions in 2 weeks is plenty
    assert patient_flags(data, now=NOW, sessions_per_week=1) == []


def test_a_new_patient_is_not_flagged_for_missed_sessions() -> None:
    assert _kinds(_data([5, 2], [8, 8])) == []


def test_pain_within_the_window_flags_and_older_pain_does_not() -> None:
    days = [30, 13, 11, 9, 6, 4, 2]
    assert _kinds(_data(days, [8] * 7, pain_days_ago=3)) == ["pain"]
    assert _kinds(_data(days, [8] * 7, pain_days_ago=20)) == []


def test_falling_good_rep_share() -> None:
    days = [30, 13, 11, 9, 6, 4, 2]
    flags = patient_flags(_data(days, [9, 9, 9, 9, 6, 5, 4]), now=NOW, sessions_per_week=3)
    # window: 13, 11, 9 | 6, 4, 2 days ago -> 27/30 = 90% then 15/30 = 50%
    assert [f.message for f in flags] == ["good reps fell from 90% to 50%"]
    assert _kinds(_data(days, [9, 9, 9, 9, 8, 8, 8])) == []  # 90% -> 80%: under 15 points


def test_session_rows_average_the_reps() -> None:
    (row,) = session_rows(_data([2], [7]))
    assert (row.reps, row.good_reps, row.faults) == (10, 7, {"too_fast": 3})
    assert row.peak_abduction_deg == 34.5 and row.good_share == 0.7
    assert (row.lift_s, row.hold_s, row.lower_s) == (1.0, 2.0, 3.0)
    assert row.recording_ids == (101,)
