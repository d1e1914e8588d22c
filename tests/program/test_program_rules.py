"""Programme rules with known answers (docs/rules.md "Sets, sessions, programme")."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from hipwise.program import ProgramConfig
from hipwise.program.rules import (
    SideState,
    condition_policy,
    fault_streak,
    good_streak,
    next_load_down,
    next_load_up,
    pain_free_sessions_since,
    progression_step,
    regression_step,
    rest_today,
    side_reps,
    side_state,
    streak_flags,
    week_start,
    week_streak,
    weekly_counts,
)
from tests.program.helpers import T0, event, good, report, session

CFG = ProgramConfig()


def test_config_defaults_are_the_articles_programme() -> None:
    assert (CFG.sessions_per_week, CFG.sets_per_side, CFG.reps_per_set) == (3, 2, 15)
    assert CFG.progression_good_streak == 20
    with pytest.raises(ValidationError):
        ProgramConfig(sessions_per_weak=3)  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        ProgramConfig(sessions_per_week=0)
    with pytest.raises(ValidationError):
        ProgramConfig(ankle_weight_start_kg=5.0, ankle_weight_max_kg=2.0)
    with pytest.raises(ValidationError):
        CFG.reps_per_set = 10  # type: ignore[misc]


@pytest.mark.parametrize(
    ("flags", "good", "bad"),
    [
        ([], 0, 0),
        ([True, True, True], 3, 0),
        ([True, False, True, True], 2, 0),
        ([True, True, False, False], 0, 2),
        ([False, True, False], 0, 1),
    ],
)
def test_streaks(flags: list[bool], good: int, bad: int) -> None:
    assert good_streak(flags) == good
    assert fault_streak(flags) == bad


def test_lower_back_report_voids_that_sets_reps_for_the_streak() -> None:
    s1 = session(1, T0, {"left": good(10)})
    s2 = session(2, T0 + timedelta(days=2), {"left": good(10)})
    reps = side_reps([s1, s2], "left")
    assert good_streak(streak_flags(reps, [], CFG.streak_breaking_feelings)) == 20
    back = report(1, T0 + timedelta(days=2, minutes=5), ["lower_back"], set_id=20)
    flags = streak_flags(reps, [back], CFG.streak_breaking_feelings)
    assert good_streak(flags) == 0
    burn = report(2, T0 + timedelta(days=2, minutes=5), ["side_of_hip"], set_id=20)
    assert good_streak(streak_flags(reps, [burn], CFG.streak_breaking_feelings)) == 20


def test_side_reps_filter_by_side_time_and_variation() -> None:
    s1 = session(1, T0, {"left": good(3), "right": good(2)})
    s2 = session(2, T0 + timedelta(days=1), {"left": good(4)}, variation="clamshell")
    assert len(side_reps([s1, s2], "left")) == 3
    assert len(side_reps([s1, s2], "right")) == 2
    assert len(side_reps([s1], "left", since=T0 + timedelta(seconds=1))) == 2


def test_ankle_weight_steps() -> None:
    assert next_load_up(0.0, CFG) == 0.5
    assert next_load_up(0.5, CFG) == 1.0
    assert next_load_up(2.8, CFG) == 3.0
    assert next_load_up(3.0, CFG) is None
    assert next_load_down(1.0, CFG) == 0.5
    assert next_load_down(0.5, CFG) == 0.0


def test_progression_after_twenty_perfect_reps_in_a_row() -> None:
    s = session(1, T0, {"left": [("hip_hike",), *good(19)]})
    reps = side_reps([s], "left")
    flags = [r.good for _, r in reps]
    assert progression_step("left", reps, flags, SideState(), CFG) is None  # 19 in a row
    s = session(1, T0, {"left": [("hip_hike",), *good(20)]})
    reps = side_reps([s], "left")
    step = progression_step("left", reps, [r.good for _, r in reps], SideState(), CFG)
    assert step is not None and step.kind == "progress" and step.load_kg == 0.5
    assert step.effective_at == reps[-1][1].at
    assert "20 perfect reps" in step.reason
    flags = [r.good for _, r in reps]
    at_max = SideState(load_kg=3.0)
    assert progression_step("left", reps, flags, at_max, CFG) is None
    assert progression_step("left", reps, flags, SideState(safe_mode=True), CFG) is None
    heavier = progression_step("left", reps, flags, SideState(load_kg=1.0), CFG)
    assert heavier is not None and heavier.load_kg == 1.5


def test_regression_on_a_fault_streak() -> None:
    s = session(1, T0, {"left": [*good(5), ("hip_hike",), ("hip_hike", "toes_up")]})
    reps = side_reps([s], "left")
    assert regression_step("left", reps, SideState(), CFG) is None  # 2 in a row
    s = session(1, T0, {"left": [*good(5), ("hip_hike",), ("hip_hike",), ("too_fast",)]})
    reps = side_reps([s], "left")
    step = regression_step("left", reps, SideState(), CFG)
    assert step is not None and step.kind == "regress" and step.load_kg is None
    assert "stop, reset, reduce the range" in step.reason and "hip hike" in step.reason
    weighted = regression_step("left", reps, SideState(load_kg=1.0), CFG)
    assert weighted is not None and weighted.load_kg == 0.5
    first = regression_step("left", reps, SideState(load_kg=0.5), CFG)
    assert first is not None and first.load_kg == 0.0 and "bodyweight" in first.reason


def test_side_state_folds_events_in_time_order() -> None:
    evs = [
        event(3, "regress", T0 + timedelta(days=3), "left", 0.5),
        event(1, "progress", T0 + timedelta(days=1), "left", 0.5),
        event(2, "progress", T0 + timedelta(days=2), "left", 1.0),
        event(4, "set_load", T0 + timedelta(days=4), None, 2.0),
        event(5, "safe_variation", T0 + timedelta(days=5)),
    ]
    assert side_state(evs[:3], "left") == SideState(0.5, False, T0 + timedelta(days=3))
    assert side_state(evs[:3], "right") == SideState()
    right = side_state(evs, "right")
    assert right.load_kg == 2.0 and right.safe_mode
    resumed = side_state([*evs, event(6, "resume", T0 + timedelta(days=9))], "left")
    assert not resumed.safe_mode and resumed.load_kg == 2.0


def test_condition_policies() -> None:
    none = condition_policy([])
    assert not (none.ask_pain_first or none.start_safe or none.accept_neutral_foot)
    assert none.warnings == ()
    bursitis = condition_policy(["trochanteric_bursitis"])
    assert bursitis.ask_pain_first and bursitis.start_safe and not bursitis.accept_neutral_foot
    assert "isometric" in bursitis.warnings[0]
    labral = condition_policy(["hip_labral_tear"])
    assert labral.accept_neutral_foot and not labral.ask_pain_first
    assert "toes pointing up" in labral.warnings[0]
    both = condition_policy(["trochanteric_bursitis", "hip_labral_tear"])
    assert both.ask_pain_first and both.accept_neutral_foot and len(both.warnings) == 2


def test_pain_free_sessions_count_after_the_last_sharp_pain() -> None:
    sessions = [session(i, T0 + timedelta(days=2 * i), {"left": good(3)}) for i in range(1, 6)]
    assert pain_free_sessions_since(sessions, [], None) == 5
    pain = report(1, T0 + timedelta(days=4, minutes=10), ["sharp_pain"], set_id=20)
    assert pain_free_sessions_since(sessions, [pain], None) == 3  # sessions 3, 4, 5
    assert pain_free_sessions_since(sessions, [pain], T0 + timedelta(days=7)) == 2


def test_weeks_and_week_streak() -> None:
    assert week_start(date(2026, 11, 5)) == date(2026, 11, 2)  # Thursday -> Monday
    assert week_start(date(2026, 11, 5), first_weekday=6) == date(2026, 11, 1)
    days = [date(2026, 10, 19), date(2026, 10, 21), date(2026, 10, 23),  # 3
            date(2026, 10, 26), date(2026, 10, 28), date(2026, 10, 30),  # 3
            date(2026, 11, 3)]                                            # 1 (current)
    weeks = weekly_counts(days, date(2026, 11, 5), 4)
    assert [w.sessions for w in weeks] == [0, 3, 3, 1]
    assert weeks[-1].start == date(2026, 11, 2)
    assert week_streak(weeks, 3) == 2  # the unfinished week does not break it
    weeks_done = weekly_counts([*days, date(2026, 11, 4), date(2026, 11, 5)], date(2026, 11, 5), 4)
    assert week_streak(weeks_done, 3) == 3
    assert week_streak(weekly_counts(days[:3], date(2026, 11, 5), 4), 3) == 0


@pytest.mark.parametrize(
    ("days", "today", "rest", "done"),
    [
        ([], date(2026, 11, 4), False, False),                              # nothing yet
        ([date(2026, 11, 4)], date(2026, 11, 4), True, True),              # done today
        ([date(2026, 11, 2)], date(2026, 11, 3), True, False),             # yesterday: rest
        ([date(2026, 11, 2)], date(2026, 11, 4), False, False),            # a rest day between
        ([date(2026, 11, 2), date(2026, 11, 4), date(2026, 11, 6)], date(2026, 11, 8), True,
         False),                                                           # week target met
        ([date(2026, 11, 6)], date(2026, 11, 7), False, False),            # Sat: behind plan
    ],
)
def test_rest_today(days: list[date], today: date, rest: bool, done: bool) -> None:
    decision = rest_today(days, today, CFG)
    assert (decision.rest, decision.done_today) == (rest, done)
    assert decision.reason
