"""Scenario scripting of the variations: durations, labels, and the engine reading them back."""

import numpy as np
import pytest

from hipwise.analysis.engine import analyze_sequence, to_contract
from hipwise.synth.kinematic import landmarks_from_track
from hipwise.synth.motion import scenario_warnings
from hipwise.synth.scenario import Scenario, ScenarioError
from hipwise.synth.script import script_motion

CIRCLES = {
    "variation": "isometric_circles",
    "holds": [{"hold_s": 20.0, "circles": [{"direction": "clockwise", "count": 5},
                                           {"direction": "counterclockwise", "count": 5}]}],
}


def test_holds_need_an_isometric_variation() -> None:
    with pytest.raises(ScenarioError, match="isometric"):
        Scenario.from_dict({"motion": {"holds": [{}]}})
    with pytest.raises(ScenarioError, match="not reps"):
        Scenario.from_dict({"motion": {"variation": "isometric_hold", "reps": [{}]}})
    with pytest.raises(ScenarioError, match="bent"):
        Scenario.from_dict({"motion": {"variation": "clamshell", "reps": [{}]}})


def test_two_holds_timeline_and_labels() -> None:
    sc = Scenario.from_dict({"motion": {"variation": "isometric_hold", "lead_in_s": 1.0,
                                        "holds": [{"hold_s": 8.0, "sag_deg": 4.0},
                                                  {"hold_s": 6.0, "shaking": True}]}})
    assert sc.duration_s == pytest.approx(1.0 + 14.5 + 12.5 - 2.0 + 1.5)
    truth = script_motion(sc).truth()
    assert "no_movement" not in scenario_warnings(sc)
    (s,) = truth.sets
    assert s.variation == "isometric_hold" and s.reps == [] and s.circles is None
    h1, h2 = s.holds or []
    assert (h1.start_s, h1.end_s) == (2.5, 10.5)
    assert h2.start_s == pytest.approx(10.5 + 3.0 + 2.0 + 1.5)
    assert h1.sag_deg == pytest.approx(3.5) and not h1.shaking
    assert h2.shaking and h2.sag_deg == 0.0


def test_wall_slide_labels_the_set() -> None:
    sc = Scenario.from_dict({"motion": {"variation": "wall_slide", "reps": [{}, {}]}})
    (s,) = script_motion(sc).truth().sets
    assert s.variation == "wall_slide" and len(s.reps) == 2


@pytest.mark.parametrize("lying_on", ["left", "right"])
def test_scripted_circles_read_back_by_the_engine(lying_on: str) -> None:
    sc = Scenario.from_dict({"fps": 15, "person": {"lying_on": lying_on}, "motion": CIRCLES})
    ms = script_motion(sc)
    truth = ms.truth()
    seq = landmarks_from_track(ms.sample(ms.times()), lying_on, noise_px=1.0)  # type: ignore[arg-type]
    got = to_contract(analyze_sequence(seq), truth.video)
    (s,) = got.sets
    (t,) = truth.sets
    assert s.variation == t.variation == "isometric_circles"
    assert [c.direction for c in s.circles or []] == [c.direction for c in t.circles or []]
    assert np.median([c.diameter_cm for c in s.circles or []]) == pytest.approx(25.0, abs=3.0)
    assert (s.holds or [])[0].hold_s == pytest.approx((t.holds or [])[0].hold_s, abs=0.5)


def test_clamshell_script_turns_the_leg_about_its_hip_ankle_line() -> None:
    from hipwise.synth.variations import (
        CLAMSHELL_CLOSED_ABDUCTION_DEG,
        CLAMSHELL_CLOSED_ROTATION_DEG,
        opening_to_rotation_deg,
    )
    from hipwise.variations.clamshell import swept_angle_deg

    rep = {"peak_deg": 40, "lift_s": 1.0, "hold_s": 1.0, "lower_s": 2.0, "rest_s": 1.0}
    roll = {**rep, "faults": ["pelvis_roll"], "magnitudes": {"pelvis_roll_deg": 15}}
    sc = Scenario.from_dict({"person": {"bottom_leg": "bent"},
                             "motion": {"variation": "clamshell", "reps": [rep, roll]}})
    ms = script_motion(sc)
    track = ms.sample(ms.times())
    assert np.all(track.abduction_deg == CLAMSHELL_CLOSED_ABDUCTION_DEG)
    assert np.all(track.knee_flexion_deg == 90.0)
    psi = track.hip_rotation_deg.max() - CLAMSHELL_CLOSED_ROTATION_DEG
    assert psi == pytest.approx(float(opening_to_rotation_deg(40.0)))
    assert float(swept_angle_deg(psi, np.degrees(np.arctan2(0.43, 0.45)))) == pytest.approx(40.0)
    assert track.pelvis_roll_deg.max() == pytest.approx(15.0)
    (s,) = ms.truth().sets
    assert s.variation == "clamshell"
    assert [r.peak_opening_deg for r in s.reps] == [40.0, 40.0]
    assert [r.faults for r in s.reps] == [[], ["pelvis_roll"]]
