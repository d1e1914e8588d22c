"""The render-free stick figure: hip hike modes and body yaw have the scripted geometry."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from hipwise.pose.landmarks import LM
from hipwise.pose.sequence import PoseSequence
from hipwise.synth.kinematic import KinematicCamera, landmarks_from_track
from hipwise.synth.motion import JointTrack
from hipwise.synth.scenario import Scenario
from hipwise.synth.script import script_motion


def _track(rep: dict[str, object]) -> tuple[JointTrack, float]:
    ms = script_motion(Scenario.from_dict({"motion": {"reps": [rep]}}))
    (tm,) = ms.timings
    return ms.sample(np.array([0.0, tm.peak_s])), tm.peak_s


def _waist_crunch(seq: PoseSequence) -> NDArray[np.float64]:
    """Angle (deg) between the hip line (bottom -> top = right hip, lying on the left) and the
    plane normal to the trunk axis, from the 3D landmarks."""
    w = seq.world
    sh = 0.5 * (w[:, LM.LEFT_SHOULDER] + w[:, LM.RIGHT_SHOULDER])
    hp = 0.5 * (w[:, LM.LEFT_HIP] + w[:, LM.RIGHT_HIP])
    a = (hp - sh) / np.linalg.norm(hp - sh, axis=1, keepdims=True)
    h = w[:, LM.RIGHT_HIP] - w[:, LM.LEFT_HIP]
    h /= np.linalg.norm(h, axis=1, keepdims=True)
    return np.degrees(np.arcsin(-np.sum(a * h, axis=1)))


@pytest.mark.parametrize(("mode", "share"), [("trunk", 0.0), ("pelvis", 1.0), ("both", 0.5)])
def test_hike_mode_sets_the_pelvic_part_of_the_bend(mode: str, share: float) -> None:
    jt, _ = _track({"faults": ["hip_hike"], "hike_mode": mode})
    assert list(jt.trunk_side_bend_deg) == pytest.approx([0.0, 15.0])
    assert list(jt.pelvis_tilt_deg) == pytest.approx([0.0, 15.0 * share])
    assert script_motion(
        Scenario.from_dict({"motion": {"reps": [{"faults": ["hip_hike"], "hike_mode": mode}]}})
    ).truth().sets[0].reps[0].side_bend_change_deg == 15.0


def test_a_track_without_pelvic_tilt_reads_zeros() -> None:
    jt, _ = _track({})
    n = len(jt)
    arrays: dict[str, Any] = jt.as_dict()
    bare = JointTrack(**{k: v for k, v in arrays.items() if k != "pelvis_tilt_deg"})
    assert bare.pelvis_tilt_deg.shape == (n,) and not np.any(bare.pelvis_tilt_deg)
    with pytest.raises(ValueError, match="shape of t"):
        JointTrack(**{**arrays, "pelvis_tilt_deg": np.zeros(n + 1)})


@pytest.mark.parametrize("mode", ["trunk", "pelvis", "both"])
def test_stick_figure_waist_crunch_follows_the_script(mode: str) -> None:
    jt, _ = _track({"faults": ["hip_hike"], "hike_mode": mode})
    seq = landmarks_from_track(jt, "left")
    crunch = _waist_crunch(seq)
    assert crunch[1] - crunch[0] == pytest.approx(15.0, abs=0.01)
    w = seq.world - seq.world[:, [LM.LEFT_HIP]]  # bottom-hip frame
    top_hip_up = w[1, LM.RIGHT_HIP] - w[0, LM.RIGHT_HIP]
    sh_move = np.linalg.norm(w[1, LM.LEFT_SHOULDER] - w[0, LM.LEFT_SHOULDER])
    if mode == "pelvis":
        # the pelvis tilts about its centre: the shoulders stay, the bottom leg keeps its
        # direction (it slides a few cm toward the feet with the bottom hip)
        raw = seq.world[1] - seq.world[0]
        assert np.linalg.norm(raw[LM.LEFT_SHOULDER]) < 1e-9
        assert np.linalg.norm(raw[LM.LEFT_ANKLE] - raw[LM.LEFT_HIP]) < 1e-3
        assert np.linalg.norm(top_hip_up) > 0.03
    if mode == "trunk":
        # the upper trunk bends up about the bottom hip; the hips keep their places
        assert np.linalg.norm(top_hip_up) < 1e-9 and sh_move > 0.1


def _head_minus_feet(s: PoseSequence) -> float:
    """Depth (m) of the nose minus the left ankle's on the first frame."""
    return float(s.world[0, LM.NOSE, 2] - s.world[0, LM.LEFT_ANKLE, 2])


def _thigh(s: PoseSequence) -> float:
    """Right thigh length (m) on the first frame."""
    return float(np.linalg.norm(s.world[0, LM.RIGHT_HIP] - s.world[0, LM.RIGHT_KNEE]))


@pytest.mark.parametrize("yaw", [-30.0, 30.0])
def test_body_yaw_turns_the_head_end_toward_the_camera(yaw: float) -> None:
    jt, _ = _track({})
    for lying_on in ("left", "right"):
        flat = landmarks_from_track(jt, lying_on)
        turned = landmarks_from_track(jt, lying_on, body_yaw_deg=yaw)
        # world: camera axes (z = depth away from the camera), centred on the mid-hip
        closer = _head_minus_feet(turned) - _head_minus_feet(flat)
        assert np.sign(closer) == -np.sign(yaw)  # + yaw: the head nearer (smaller depth)
        assert abs(closer) > 0.5
        # body-relative lengths are kept
        assert _thigh(turned) == pytest.approx(_thigh(flat))


def test_a_chair_seat_camera_pitched_down_sees_the_body_higher_in_the_picture() -> None:
    jt, _ = _track({})
    seat = KinematicCamera(height_m=0.48)
    level = landmarks_from_track(jt, "left", camera=seat)
    down = landmarks_from_track(jt, "left", camera=KinematicCamera(height_m=0.48, pitch_deg=-8.0))
    f = (seat.width / 2) / np.tan(np.radians(seat.fov_deg) / 2)
    # the body line sits near the image centre from the seat, and moves up by about f tan 8°
    hips = [LM.LEFT_HIP, LM.RIGHT_HIP]
    assert abs(float(np.mean(level.xy[0, hips, 1])) - seat.height / 2) < 40
    shift = level.xy[0, :, 1] - down.xy[0, :, 1]
    assert np.all(np.abs(shift - f * np.tan(np.radians(8.0))) < 12)
    # the camera height reads as a look-down: the bottom hip is below the top hip
    assert level.xy[0, LM.LEFT_HIP, 1] > level.xy[0, LM.RIGHT_HIP, 1]
