"""``hipwise today`` planning and the programme changes it records, with known answers."""

from __future__ import annotations

from datetime import date, timedelta

from hipwise.program import ProgramConfig, plan_today, programme_updates
from hipwise.program.plan import PAIN_QUESTION, adherence
from tests.program.helpers import T0, data, event, good, report, session

CFG = ProgramConfig()
MON = T0.date()  # 2026-11-02
UTC_TZ = T0.tzinfo


def plan(d, today: date = MON, **kw):  # type: ignore[no-untyped-def]
    return plan_today(d, CFG, today=today, tz=UTC_TZ, **kw)


def test_new_person_gets_the_default_prescription() -> None:
    p = plan(data())
    assert p.kind == "train"
    assert (p.variation, p.sets_per_side, p.reps_per_set) == ("leg_lift", 2, 15)
    assert p.load_kg == {"left": 0.0, "right": 0.0}
    assert p.question is None and p.warnings == ()
    assert any("3 sessions a week, 2 x 15" in r for r in p.reasons)
    assert p.streaks == {"left": 0, "right": 0}
    assert len(p.cues) == 3


def test_settings_change_the_prescription() -> None:
    cfg = ProgramConfig(sessions_per_week=4, sets_per_side=3, reps_per_set=12)
    p = plan_today(data(), cfg, today=MON, tz=UTC_TZ)
    assert (p.sets_per_side, p.reps_per_set, p.adherence.target) == (3, 12, 4)


def test_progression_is_proposed_once_and_then_planned() -> None:
    s1 = session(1, T0 - timedelta(days=4), {"left": good(12), "right": good(12)})
    s2 = session(2, T0 - timedelta(days=2), {"left": good(8), "right": [*good(7), ("hip_hike",)]})
    d = data([s1, s2])
    props = programme_updates(d, CFG)
    assert [(p.kind, p.side, p.load_kg) for p in props] == [("progress", "left", 0.5)]
    ev = event(1, "progress", props[0].effective_at, "left", 0.5, reason=props[0].reason)
    d2 = data([s1, s2], events=[ev])
    assert programme_updates(d2, CFG) == []  # recorded: not proposed again
    p = plan(d2)
    assert p.load_kg == {"left": 0.5, "right": 0.0}
    assert p.streaks == {"left": 0, "right": 0}
    assert any("Change:" in r and "0.5 kg" in r for r in p.reasons)


def test_fault_streak_regresses_weighted_side() -> None:
    ev = event(1, "progress", T0 - timedelta(days=10), "right", 1.0)
    s = session(1, T0 - timedelta(days=2),
                {"right": [*good(4), ("pelvis_roll",), ("pelvis_roll",), ("hip_hike",)]})
    props = programme_updates(data([s], events=[ev]), CFG)
    assert [(p.kind, p.side, p.load_kg) for p in props] == [("regress", "right", 0.5)]
    assert "stop, reset, reduce the range" in props[0].reason


def test_bursitis_asks_about_pain_first_then_starts_isometric() -> None:
    d = data(conditions=["trochanteric_bursitis"])
    ask = plan(d)
    assert ask.kind == "ask" and ask.question == PAIN_QUESTION
    assert ask.variation == "isometric_hold" and ask.hold_s == 30.0 and ask.reps_per_set == 5
    assert "isometric" in ask.warnings[0]
    go = plan(d, pain_now=False)
    assert go.kind == "train" and go.variation == "isometric_hold"
    stop = plan(d, pain_now=True)
    assert stop.kind == "stop" and "don't train through it" in stop.reasons[0]


def test_bursitis_moves_to_the_leg_lift_after_pain_free_sessions() -> None:
    sessions = [session(i, T0 - timedelta(days=9 - 2 * i), {"left": good(5)},
                        variation="isometric_hold") for i in range(3)]
    d = data(sessions, conditions=["trochanteric_bursitis"])
    p = plan(d, pain_now=False)
    assert p.variation == "leg_lift" and p.reps_per_set == 15
    ask = plan(d)
    assert ask.kind == "ask"  # still asks about pain first


def test_sharp_pain_switches_to_the_safe_variation_until_pain_free() -> None:
    s1 = session(1, T0 - timedelta(days=6), {"left": good(10)})
    pain = report(1, T0 - timedelta(days=6) + timedelta(minutes=5), ["sharp_pain"], set_id=10)
    d = data([s1], reports=[pain])
    (prop,) = programme_updates(d, CFG)
    assert prop.kind == "safe_variation" and prop.variation == "isometric_hold"
    safe_ev = event(1, "safe_variation", prop.effective_at)
    d = data([s1], reports=[pain], events=[safe_ev])
    assert programme_updates(d, CFG) == []
    p = plan(d, pain_now=False)
    assert p.variation == "isometric_hold" and p.load_kg == {"left": 0.0, "right": 0.0}
    assert plan(d).kind == "ask"
    later = [session(i + 1, T0 - timedelta(days=6 - i * 2), {"left": good(5)},
                     variation="isometric_hold") for i in range(1, 4)]
    d = data([s1, *later], reports=[pain], events=[safe_ev])
    (resume,) = programme_updates(d, CFG)
    assert resume.kind == "resume"
    two = data([s1, *later[:2]], reports=[pain], events=[safe_ev])
    assert programme_updates(two, CFG) == []  # 2 of 3 pain-free sessions


def test_labral_tear_cues_a_neutral_foot() -> None:
    s = session(1, T0 - timedelta(days=2), {"left": [("toes_up",), ("toes_up",), ()]})
    p = plan(data([s], conditions=["hip_labral_tear"]))
    assert p.kind == "train" and p.question is None
    assert p.cues[0].startswith("Keep the foot neutral")
    assert "toes pointing up" in p.warnings[0]


def test_runner_gets_a_short_pre_run_activation() -> None:
    d = data(goals=["pre_run_activation"])
    normal = plan(d)
    assert any("--before-run" in r for r in normal.reasons)
    act = plan(d, before_run=True)
    assert act.kind == "train"
    assert (act.variation, act.sets_per_side, act.reps_per_set) == ("leg_lift", 1, 10)
    assert act.load_kg == {"left": 0.0, "right": 0.0}


def test_desk_worker_gets_a_clamshell_primer() -> None:
    p = plan(data(goals=["desk_worker"]))
    assert p.primer is not None and "Clamshell" in p.primer


def test_forward_drift_last_session_switches_to_the_wall_slide() -> None:
    s = session(1, T0 - timedelta(days=2),
                {"left": [*[("forward_drift",)] * 4, *good(6)]})
    p = plan(data([s]))
    assert p.variation == "wall_slide"
    s = session(1, T0 - timedelta(days=2), {"left": [*[("forward_drift",)] * 2, *good(8)]})
    assert plan(data([s])).variation == "leg_lift"


def test_last_self_report_is_combined_with_its_sets_faults() -> None:
    s = session(1, T0 - timedelta(days=2), {"left": [*[("hip_hike",)] * 5, *good(10)]})
    rep = report(1, T0 - timedelta(days=2) + timedelta(minutes=2), ["lower_back"], set_id=10)
    p = plan(data([s], reports=[rep]))
    assert any("hip hike on 5 of 15 reps" in r for r in p.reasons)
    assert p.cues[0] == "Don't crunch your waist: keep your ribs and pelvis apart."


def test_rest_and_done_days() -> None:
    yesterday = session(1, T0 - timedelta(days=1), {"left": good(5)})
    assert plan(data([yesterday]), today=MON + timedelta(days=0)).kind == "rest"
    today = session(1, T0, {"left": good(5)})
    done = plan(data([today]))
    assert done.kind == "done" and done.reasons[0] == "You have trained today already."


def test_adherence_counts_sessions_per_week() -> None:
    sessions = [session(i, T0 + timedelta(days=d), {"left": good(3)})
                for i, d in enumerate([-7, -5, -3, 0, 2])]
    a = adherence(tuple(sessions), MON + timedelta(days=3), CFG, UTC_TZ)
    assert (a.this_week, a.target) == (2, 3)
    assert [w.sessions for w in a.weeks[-2:]] == [3, 2]
    assert a.week_streak == 1


def test_no_calorie_or_spot_reduction_claims_in_any_text() -> None:
    from pathlib import Path

    import hipwise.program as program

    root = Path(program.__file__).parent
    text = " ".join(p.read_text().lower() for p in root.rglob("*.py"))
    for banned in ("calorie", "slim", "fat loss", "burn fat", "lose weight", "tone your"):
        assert banned not in text


def test_top_ankle_weight_adds_the_circles_finisher() -> None:
    ev = event(1, "set_load", T0 - timedelta(days=10), "left", 3.0)
    p = plan(data(events=[ev]))
    assert p.finisher is not None and "5 circles clockwise" in p.finisher
    assert "left side" in p.finisher and "right" not in p.finisher
    assert plan(data()).finisher is None
    assert any("the top of the programme" in r for r in p.reasons)
