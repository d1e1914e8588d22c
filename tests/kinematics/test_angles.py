import numpy as np
import pytest

from hipwise.kinematics import (
    abduction_deg,
    agreed_roll_deg,
    foot_pitch_deg,
    foot_rotation_deg,
    forward_drift_deg,
    hip_gap_px,
    knee_angle_deg,
    pelvis_roll_deg,
    side_bend_change_deg,
    top_side_score,
    top_waist_px,
)
from hipwise.pose.landmarks import LM
from hipwise.synth.kinematic import KinematicCamera
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


@pytest.mark.parametrize("lying_on", ["left", "right"])
@pytest.mark.parametrize("toes", [0.0, 15.0, 30.0])
@pytest.mark.parametrize(("camera", "tol"), [
    (KinematicCamera(distance_m=20.0, fov_deg=10.0), 1.0),  # nearly orthographic: geometry
    (KinematicCamera(), 4.5),  # 2.6 m: the toe, nearer the camera than the heel, reads larger
])
def test_foot_rotation_matches_the_script(
    lying_on: str, toes: float, camera: KinematicCamera, tol: float
) -> None:
    rep = {"faults": ["toes_up"], "magnitudes": {"toes_up_deg": toes}} if toes else {}
    seq, truth = make_sequence([rep], lying_on=lying_on, camera=camera)
    top = "right" if lying_on == "left" else "left"
    true_rep = truth.sets[0].reps[0]
    peak = int(np.argmin(np.abs(seq.t - true_rep.peak_s)))
    foot = foot_rotation_deg(seq.xy, top)  # type: ignore[arg-type]
    assert true_rep.foot_rotation_deg is not None
    assert foot[peak] == pytest.approx(true_rep.foot_rotation_deg, abs=tol)


@pytest.mark.parametrize("lying_on", ["left", "right"])
@pytest.mark.parametrize("drift", [0.0, 15.0, 25.0])
@pytest.mark.parametrize("also", [[], ["toes_up"], ["hip_hike"]])
def test_foot_pitch_falls_by_the_forward_drift(
    lying_on: str, drift: float, also: list[str]
) -> None:
    faults = (["forward_drift"] if drift else []) + also
    rep = {"faults": faults, "magnitudes": {"forward_drift_deg": drift}} if faults else {}
    seq, truth = make_sequence([rep], lying_on=lying_on)
    top = "right" if lying_on == "left" else "left"
    true_rep = truth.sets[0].reps[0]
    peak = int(np.argmin(np.abs(seq.t - true_rep.peak_s)))
    pitch = foot_pitch_deg(seq.xy, top)  # type: ignore[arg-type]
    # lifting the leg and turning the toes leave the foot's pitch along the leg alone
    assert pitch[0] - pitch[peak] == pytest.approx(true_rep.forward_drift_deg, abs=4.0)


def test_roll_needs_all_witnesses_turning_the_same_way() -> None:
    assert agreed_roll_deg(20.0, 15.0, 12.0) == 15.0  # the bottom foot gives the size
    assert agreed_roll_deg(30.0, 8.0, 2.0) == 8.0
    assert agreed_roll_deg(30.0, 12.0, -3.0) == 0.0  # the top foot did not follow: a hike
    assert agreed_roll_deg(-12.0, -14.0, -9.0) == -14.0
    assert agreed_roll_deg(float("nan"), 14.0, 9.0) == 14.0
    assert agreed_roll_deg(20.0, float("nan"), 9.0) == 9.0
    assert np.isnan(agreed_roll_deg(float("nan"), float("nan"), float("nan")))


def test_missing_landmarks_give_nan() -> None:
    seq, _ = make_sequence([{}])
    xy = seq.xy[:3].copy()
    xy[:, LM.RIGHT_ANKLE] = np.nan
    assert np.all(np.isnan(abduction_deg(xy, "right")))
