"""Scripted motion: exact phase boundaries, shapes of the tracks, labels from thresholds."""

from __future__ import annotations

import numpy as np
import pytest

from hipwise.contract import Analysis
from hipwise.synth.motion import (
    PHASE_HOLD,
    PHASE_LIFT,
    PHASE_LOWER,
    PHASE_REST,
    min_jerk,
)
from hipwise.synth.scenario import Scenario
from hipwise.synth.script import script_motion


def _sc(reps: list[dict[str, object]], **kw: object) -> Scenario:
    return Scenario.from_dict({"motion": {"reps": reps}, **kw})


def test_min_jerk_is_flat_at_both_ends() -> None:
    u = np.array([0.0, 1e-4, 0.5, 1 - 1e-4, 1.0])
    s = min_jerk(u)
    assert s[0] == 0.0 and s[-1] == 1.0 and s[2] == pytest.approx(0.5)
    assert s[1] < 1e-10 and 1 - s[3] < 1e-10


def test_phase_boundaries_are_where_motion_starts_and_stops() -> None:
    sc = _sc([{"peak_deg": 30, "lift_s": 1.5, "hold_s": 2.0, "lower_s": 3.0}])
    ms = script_motion(sc)
    (tm,) = ms.timings
    assert (tm.start_s, tm.top_s, tm.release_s, tm.end_s) == (1.5, 3.0, 5.0, 8.0)
    eps = 1e-3
    t = np.array([tm.start_s - eps, tm.start_s + 0.05, tm.top_s - 0.05, tm.top_s, tm.peak_s,
                  tm.release_s, tm.release_s + 0.05, tm.end_s - 0.05, tm.end_s + eps])
    jt = ms.sample(t)
    a = jt.abduction_deg
    assert a[0] == 0.0 and 0.0 < a[1] < 0.2  # leaves rest right at start_s
    assert 29.8 < a[2] < 30.0 and a[3] == pytest.approx(30.0)
    assert a[4] == a[5] == pytest.approx(30.0)  # hold is flat
    assert 29.8 < a[6] < 30.0 and 0.0 < a[7] < 0.2 and a[8] == 0.0
    assert list(jt.phase) == [PHASE_REST, PHASE_LIFT, PHASE_LIFT, PHASE_HOLD, PHASE_HOLD,
                              PHASE_HOLD, PHASE_LOWER, PHASE_LOWER, PHASE_REST]
    assert list(jt.rep_index) == [0, 1, 1, 1, 1, 1, 1, 1, 0]


def test_truth_matches_the_script() -> None:
    sc = _sc([{"peak_deg": 30, "rest_s": 2.0}, {"peak_deg": 25, "lift_s": 2.0, "lower_s": 4.0}])
    truth = script_motion(sc).truth()
    assert isinstance(truth, Analysis)
    (st,) = truth.sets
    assert st.working_leg == "right"
    r1, r2 = st.reps
    assert (r1.start_s, r1.peak_s, r1.end_s) == (1.5, 4.0, 8.0)
    assert (r2.start_s, r2.peak_s, r2.end_s) == (10.0, 13.0, 18.0)
    assert r2.peak_abduction_deg == 25 and r2.lift_s == 2.0 and r2.lower_s == 4.0
    assert r1.good and r2.good and r1.faults == [] == r2.faults
    assert truth.video.frames == sc.n_frames and truth.video.fps == 30.0
    # the labels round-trip through the contract JSON
    assert Analysis.model_validate_json(truth.to_json()) == truth


@pytest.mark.parametrize(
    ("rep", "expected"),
    [
        ({"peak_deg": 46}, ["too_high"]),
        ({"peak_deg": 44}, []),
        ({"lift_s": 0.9, "lower_s": 3.0}, ["too_fast"]),
        ({"lift_s": 1.0, "lower_s": 3.0}, []),
        ({"hold_s": 1.6}, ["no_hold"]),
        ({"hold_s": 1.7}, []),
        ({"lift_s": 1.5, "lower_s": 2.5}, ["dropped"]),
        ({"lift_s": 1.5, "lower_s": 2.56}, []),
        ({"faults": ["toes_up"]}, ["toes_up"]),
        ({"faults": ["toes_up"], "magnitudes": {"toes_up_deg": 8}}, []),  # toes stay down
        ({"faults": ["hip_hike"]}, ["hip_hike"]),
        ({"faults": ["hip_hike"], "magnitudes": {"hip_hike_deg": 6}}, []),
        ({"faults": ["pelvis_roll"]}, ["pelvis_roll"]),
        ({"faults": ["forward_drift"]}, ["forward_drift"]),
        ({"faults": ["bent_knee"]}, ["bent_knee"]),
        ({"faults": ["bent_knee"], "magnitudes": {"bent_knee_deg": 15}}, []),
        ({"peak_deg": 55, "lift_s": 0.5, "faults": ["toes_up", "bent_knee"]},
         ["too_high", "too_fast", "toes_up", "bent_knee"]),
    ],
)
def test_fault_labels_follow_the_thresholds(rep: dict[str, object], expected: list[str]) -> None:
    (r,) = script_motion(_sc([rep])).truth().sets[0].reps
    assert r.faults == expected
    assert r.good == (not expected)


def test_fault_tracks_show_the_magnitude_at_the_top_only() -> None:
    sc = _sc([{"faults": ["toes_up", "hip_hike", "pelvis_roll", "forward_drift", "bent_knee"]}])
    ms = script_motion(sc)
    (tm,) = ms.timings
    jt = ms.sample(np.array([0.0, tm.peak_s, tm.end_s + 0.5]))
    assert list(jt.hip_rotation_deg) == pytest.approx([-10.0, 15.0, -10.0])
    assert list(jt.trunk_side_bend_deg) == pytest.approx([0.0, 15.0, 0.0])
    assert list(jt.pelvis_roll_deg) == pytest.approx([0.0, 18.0, 0.0])
    assert list(jt.hip_flexion_deg) == pytest.approx([0.0, 25.0, 0.0])
    assert list(jt.knee_flexion_deg) == pytest.approx([2.0, 37.0, 2.0])
    (r,) = ms.truth().sets[0].reps
    assert r.foot_rotation_deg == 15.0 and r.min_knee_deg == 143.0


def test_shaking_is_a_small_fast_oscillation_inside_the_hold() -> None:
    sc = _sc([{"shaking": True, "hold_s": 2.0}])
    ms = script_motion(sc)
    (tm,) = ms.timings
    t = np.arange(tm.top_s, tm.release_s, 1 / 240)
    a = ms.sample(t).abduction_deg - 30.0
    assert 1.2 < np.max(np.abs(a)) <= 1.5
    crossings = np.sum(np.diff(np.sign(a[5:-5])) != 0)
    assert 2 * 6 * 2.0 * 0.8 < crossings < 2 * 9 * 2.0  # 7.5 Hz for 2 s
    outside = ms.sample(np.array([tm.top_s - 0.01, tm.release_s + 0.01])).abduction_deg
    assert np.all(outside <= 30.0)
    assert ms.truth().sets[0].reps[0].shaking is True


def test_bad_input_scenarios_carry_warnings_and_no_set() -> None:
    still = script_motion(Scenario.from_dict({"motion": {"reps": [], "lead_in_s": 3.0}}))
    assert still.truth().sets == [] and "no_movement" in still.truth().warnings
    standing = script_motion(Scenario.from_dict({"pose": "standing"})).truth()
    assert standing.sets == [] and "standing" in standing.warnings
    two = script_motion(Scenario.from_dict({"extra_person": {}})).truth()
    assert "two_people" in two.warnings and len(two.sets) == 1
    moved = script_motion(Scenario.from_dict({"camera_shift": {"at_s": 2.0}})).truth()
    assert "camera_moved" in moved.warnings


def test_times_cover_the_clip() -> None:
    ms = script_motion(Scenario())
    t = ms.times()
    assert t[0] == 0.0 and t[-1] <= ms.duration_s < t[-1] + 1 / 30
    assert np.allclose(np.diff(t), 1 / 30)


_PROFILES = ["min_jerk", "cosine", "asymmetric", "overshoot"]


@pytest.mark.parametrize("profile", _PROFILES)
@pytest.mark.parametrize("drift", [0.0, -4.0, 3.0])
def test_every_profile_starts_and_stops_at_the_phase_boundaries(
    profile: str, drift: float
) -> None:
    rep = {"peak_deg": 30, "lift_s": 1.2, "hold_s": 2.0, "lower_s": 2.5, "profile": profile,
           "hold_drift_deg": drift}
    ms = script_motion(_sc([rep, {"peak_deg": 25}]))
    tm = ms.timings[0]
    dt = 1e-4

    def vel(t: float) -> float:
        a = ms.sample(np.array([t - dt, t + dt])).abduction_deg
        return float(a[1] - a[0]) / (2 * dt)

    hold_vel = drift / 2.0
    # motion starts and stops exactly at the boundaries (deg/s): still before and after,
    # at rest speed at start/end, ending the lift / starting the lower at the hold's speed
    assert abs(vel(tm.start_s)) < 0.05 and abs(vel(tm.end_s)) < 0.05
    assert abs(vel(tm.top_s - dt)) < 0.05
    assert abs(vel(tm.release_s + dt)) < 0.05
    assert abs(vel(tm.release_s - 0.1) - hold_vel) < 0.05
    # and moves clearly inside the lift and the lower
    for t in (tm.start_s + 0.2, tm.top_s - 0.4):
        assert vel(t) > 2.0
    for t in (tm.release_s + 0.3, tm.end_s - 0.8):
        assert vel(t) < -2.0
    jt = ms.sample(np.array([tm.start_s - 0.01, tm.end_s + 0.01]))
    assert list(jt.abduction_deg) == [0.0, 0.0]
    # the label is the highest scripted point; timings stay the scripted ones
    ts = np.linspace(tm.start_s, tm.end_s, 20001)
    top = float(np.max(ms.sample(ts).abduction_deg))
    (r, _) = ms.truth().sets[0].reps
    assert r.peak_abduction_deg == pytest.approx(top, abs=0.01)
    assert (r.start_s, r.end_s, r.lift_s, r.hold_s, r.lower_s) == (1.5, 7.2, 1.2, 2.0, 2.5)
    expected = 30.0 + max(drift, 3.0 if profile == "overshoot" else 0.0)
    assert r.peak_abduction_deg == pytest.approx(expected, abs=0.05)


def test_overshoot_tops_out_at_the_end_of_the_lift_and_settles_inside_the_hold() -> None:
    rep = {"peak_deg": 30, "profile": "overshoot", "overshoot_deg": 4.0, "settle_s": 0.4}
    ms = script_motion(_sc([rep]))
    (tm,) = ms.timings
    a = ms.sample(np.array([tm.top_s - 0.3, tm.top_s, tm.top_s + 0.2, tm.top_s + 0.4,
                            tm.release_s])).abduction_deg
    assert a[0] < a[1] == pytest.approx(34.0)
    assert 30.0 < a[2] < 34.0 and a[3] == pytest.approx(30.0) and a[4] == pytest.approx(30.0)
    (r,) = ms.truth().sets[0].reps
    assert r.peak_abduction_deg == 34.0


def test_asymmetric_profile_is_fast_early_and_slow_late() -> None:
    ms = script_motion(_sc([{"profile": "asymmetric", "lift_s": 2.0}]))
    (tm,) = ms.timings
    a = ms.sample(np.array([tm.start_s + 0.5, tm.start_s + 1.0])).abduction_deg
    assert a[0] > 0.35 * 30 and a[1] > 0.8 * 30  # min-jerk: 0.10 and 0.50 of the range


def test_rep_profile_overrides_the_scenario_profile_and_faults_follow_the_lift() -> None:
    sc = Scenario.from_dict({"motion": {"profile": "cosine", "reps": [
        {"faults": ["hip_hike"]}, {"profile": "asymmetric", "faults": ["hip_hike"]}]}})
    ms = script_motion(sc)
    t1, t2 = ms.timings
    jt = ms.sample(np.array([t1.start_s + 0.5, t2.start_s + 0.5]))
    frac = jt.lift_fraction
    assert frac[0] == pytest.approx(0.25)  # cosine at u = 1/3
    assert frac[1] > 0.5  # asymmetric is ahead
    assert list(jt.trunk_side_bend_deg) == pytest.approx(list(15.0 * frac))
    assert list(jt.abduction_deg) == pytest.approx(list(30.0 * frac))


def test_too_high_follows_the_labelled_peak() -> None:
    over = {"peak_deg": 43, "profile": "overshoot", "overshoot_deg": 4.0}
    (r,) = script_motion(_sc([over])).truth().sets[0].reps
    assert r.peak_abduction_deg == 47.0 and "too_high" in r.faults
