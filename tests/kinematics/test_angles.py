import numpy as np
import pytest

from hipwise.kinematics import (
    abduction_deg,
    forward_drift_deg,
    hip_gap_px,
    knee_angle_deg,
    pelvis_roll_deg,
    side_bend_change_deg,
    top_side_score,
    top_waist_px,
)
from hipwise.pose.landmarks import LM
from tests.conftest import make_sequence


@pytest.mark.parametrize("lying_on", ["left", "right"])
@pytest.mark.parametrize("peak", [15.0, 30.0, 45.0])
def test_abduction_above_rest_matches_script(lying_on: str, peak: float) -> None:
    seq, _ = make_sequence([{"peak_deg": peak}], lying_on=lying_on)
    top = "right" if lying_on == "left" else "left"
    a = abduction_deg(seq.xy, top)  # type: ignore[arg-type]
    rest = np.median(a[:10])
    assert np.nanmax(a) - rest == pytest.approx(peak, abs=1.0)


def test_top_side_score_names_the_upper_leg() -> None:
    seq_l, _ = make_sequence([{}], lying_on="left")
    seq_r, _ = make_sequence([{}], lying_on="right")
    assert np.all(top_side_score(seq_l.xy) < 0)  # lying on the left: the right leg is on top
    assert np.all(top_side_score(seq_r.xy) > 0)


def test_rest_pose_has_no_trunk_faults() -> None:
    seq, _ = make_sequence([{}])
    f0 = slice(0, 5)
    waist, gap = top_waist_px(seq.xy, "right"), hip_gap_px(seq.xy, "right")
    assert np.all(np.abs(side_bend_change_deg(waist[f0], waist[0], gap[0])) < 0.5)
    assert abs(np.mean(forward_drift_deg(seq.world[f0], "right"))) < 1.5
    assert np.mean(knee_angle_deg(seq.xy[f0], "right")) > 170


def test_pelvis_roll_and_side_bend_follow_the_script() -> None:
    seq, _ = make_sequence([{"faults": ["pelvis_roll", "hip_hike"]}])
    roll = pelvis_roll_deg(seq.world, "right")
    waist, gap = top_waist_px(seq.xy, "right"), hip_gap_px(seq.xy, "right")
    bend = side_bend_change_deg(waist, waist[0], gap[0])
    assert np.max(roll) - roll[0] == pytest.approx(18.0, abs=1.5)
    assert np.max(bend) > 10.0


def test_missing_landmarks_give_nan() -> None:
    seq, _ = make_sequence([{}])
    xy = seq.xy[:3].copy()
    xy[:, LM.RIGHT_ANKLE] = np.nan
    assert np.all(np.isnan(abduction_deg(xy, "right")))
