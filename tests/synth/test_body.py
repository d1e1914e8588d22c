"""The anny rig: truth angles measured on the posed 3D joints equal the scripted ones."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("anny")

from hipwise.synth.body import AnnyBody, measure_angles, rotation_between
from hipwise.synth.scenario import BodyShape

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def body() -> AnnyBody:
    return AnnyBody(BodyShape(gender=0.3, weight=0.6), "left")


def test_rotation_between_maps_direction() -> None:
    rng = np.random.default_rng(0)
    for _ in range(20):
        a, b = rng.normal(size=3), rng.normal(size=3)
        r = rotation_between(a, b)
        assert np.allclose(r @ (a / np.linalg.norm(a)), b / np.linalg.norm(b))
        assert np.allclose(r @ r.T, np.eye(3))


def test_neutral_pose_reads_zero(body: AnnyBody) -> None:
    ang = body.truth_angles(body.pose(0.0, 0.0, 0.0, 0.0, 0.0))
    for v in ang.values():
        assert abs(v) < 1e-3


@pytest.mark.parametrize(
    ("abd", "flex", "rot", "knee", "bend"),
    [
        (30.0, 0.0, -10.0, 2.0, 0.0),
        (12.0, 0.0, -10.0, 2.0, 0.0),
        (58.0, 0.0, -10.0, 2.0, 0.0),
        (30.0, 25.0, -10.0, 2.0, 0.0),
        (30.0, 0.0, 15.0, 2.0, 0.0),
        (35.0, 0.0, -10.0, 37.0, 0.0),
        (30.0, 0.0, -10.0, 2.0, 15.0),
        (45.0, 20.0, 15.0, 30.0, 12.0),
    ],
)
def test_true_angles_equal_the_script(
    body: AnnyBody, abd: float, flex: float, rot: float, knee: float, bend: float
) -> None:
    ang = body.truth_angles(body.pose(abd, flex, rot, knee, bend))
    assert ang["abduction"] == pytest.approx(abd, abs=0.5)
    assert ang["hip_flexion"] == pytest.approx(flex, abs=0.5)
    assert ang["trunk_side_bend"] == pytest.approx(bend, abs=0.5)
    assert ang["knee_flexion"] == pytest.approx(knee, abs=0.5)
    # the foot tilts with the shin when the knee bends: within 2° at 37° knee flexion
    assert ang["hip_rotation"] == pytest.approx(rot, abs=0.5 if knee < 5 else 2.0)


def test_right_side_and_bent_bottom_leg(body: AnnyBody) -> None:
    other = AnnyBody(BodyShape(gender=0.8, height=0.7), "right", "bent")
    ang = other.truth_angles(other.pose(33.0, 0.0, -10.0, 2.0, 0.0))
    assert ang["abduction"] == pytest.approx(33.0, abs=0.5)
    posed = other.pose(0.0)
    # bent bottom (right-lying → right) knee is in front of the hip (toward −y, anterior)
    assert posed.joints["right_knee"][1] < posed.joints["right_hip"][1] - 0.15


def test_measure_angles_is_frame_independent(body: AnnyBody) -> None:
    posed = body.pose(27.0, 5.0, -10.0, 2.0, 4.0)
    rot = rotation_between(np.array([0.0, 0.0, 1.0]), np.array([1.0, 2.0, 0.5]))
    moved = {k: v @ rot.T + np.array([3.0, -1.0, 2.0]) for k, v in posed.joints.items()}
    a = measure_angles(posed.joints, "right")
    b = measure_angles(moved, "right")
    for k in a:
        assert a[k] == pytest.approx(b[k], abs=1e-9)


@pytest.mark.parametrize(
    ("bend", "tilt", "abd"),
    [(16.0, 16.0, 30.0), (14.0, 7.0, 30.0), (18.0, 18.0, 45.0), (10.0, 0.0, 30.0)],
)
def test_pelvic_tilt_hike_is_measured_as_scripted(
    body: AnnyBody, bend: float, tilt: float, abd: float
) -> None:
    """A hike as a pelvic tilt (tilt = bend), a trunk bend (tilt 0) or both: the waist crunch
    (hip line against the trunk axis), the pelvis tilt and the leg angles read as scripted."""
    rest = body.pose(0.0)
    posed = body.pose(abd, 0.0, -10.0, 2.0, bend, "side_lying", tilt)
    ang = body.truth_angles(posed)
    assert ang["trunk_side_bend"] == pytest.approx(bend, abs=0.5)
    assert ang["pelvis_tilt"] == pytest.approx(tilt, abs=0.5)
    assert ang["abduction"] == pytest.approx(abd, abs=0.5)
    assert ang["hip_flexion"] == pytest.approx(0.0, abs=0.5)
    j, j0 = posed.joints, rest.joints
    moved = {k: float(np.linalg.norm(j[k] - j0[k])) for k in j}
    if tilt == bend:
        # the trunk and the head stay on the floor, the top hip rises toward the ribs
        # (body frame: +z = head), the bottom leg keeps its direction
        assert max(moved["left_shoulder"], moved["right_shoulder"], moved["head"]) < 0.01
        assert j["right_hip"][2] - j0["right_hip"][2] > 0.02
        leg, leg0 = j["left_ankle"] - j["left_hip"], j0["left_ankle"] - j0["left_hip"]
        assert np.linalg.norm(leg - leg0) < 1e-3
    if tilt == 0.0:
        # today's trunk hike: the pelvis stays, the shoulders lift
        assert max(moved["left_hip"], moved["right_hip"]) < 1e-6
        assert moved["left_shoulder"] > 0.05


def test_bent_bottom_leg_at_a_hip_flexion_and_the_clamshell_angle() -> None:
    """The bent bottom thigh points forward by the asked hip flexion; the top leg bent 90° at
    the knee has a fixed thigh-to-line angle (the clamshell's β)."""
    for flex in (30.0, 60.0):
        b = AnnyBody(BodyShape(), "left", "bent", flex)
        posed = b.pose(0.0)
        j = posed.joints
        thigh = j["left_knee"] - j["left_hip"]
        a = 0.5 * (j["left_hip"] + j["right_hip"] - j["left_shoulder"] - j["right_shoulder"])
        a /= np.linalg.norm(a)
        x = j["left_hip"] - j["right_hip"]
        x -= np.dot(x, a) * a
        f = np.cross(a, x / np.linalg.norm(x))  # anterior
        got = np.degrees(np.arcsin(np.dot(thigh, f) / np.linalg.norm(thigh)))
        assert got == pytest.approx(flex, abs=0.5)
    b = AnnyBody(BodyShape(), "left", "bent")
    beta = b.thigh_to_line_deg(90.0)
    assert 40.0 < beta < 60.0
    # the thigh flexion the clamshell solves for reads back on the joints
    assert b.thigh_flexion_deg(-16.0, 10.0, -17.0, 90.0) > b.thigh_flexion_deg(
        -16.0, 0.0, -17.0, 90.0
    ) + 9.0
