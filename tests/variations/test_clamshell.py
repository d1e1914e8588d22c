"""Clamshell: openings counted, opening angle, pelvis stacked (render-free landmarks)."""

import numpy as np
import pytest

from hipwise.pose.landmarks import Side
from hipwise.pose.sequence import PoseSequence
from hipwise.settings import AnalysisConfig, ClamshellConfig
from hipwise.synth.variations import clamshell_landmarks
from hipwise.variations.clamshell import (
    ClamshellTracker,
    focal_px,
    knee_angle_3d_deg,
    knee_offsets_px,
    knee_rotation_deg,
    knee_rotation_image_deg,
    swept_angle_deg,
    thigh_axis_angle_deg,
)


def _run(seq: PoseSequence, side: Side, check_roll: bool = True) -> ClamshellTracker:
    cfg = AnalysisConfig.model_validate({"variations": {"clamshell": {
        "check_pelvis_roll": check_roll}}})
    tr = ClamshellTracker(cfg, side)
    for i in range(len(seq)):
        tr.update(seq.frame(i))
    tr.finish(float(seq.t[-1]))
    return tr


def test_swept_angle_geometry() -> None:
    assert float(swept_angle_deg(40.0, 90.0)) == pytest.approx(40.0)
    assert float(swept_angle_deg(0.0, 40.0)) == 0.0
    # a thigh at 30 deg to the axis sweeps less than the rotation
    assert float(swept_angle_deg(60.0, 30.0)) == pytest.approx(
        np.degrees(2 * np.arcsin(0.5 * 0.5))
    )


@pytest.mark.parametrize("lying_on", ["left", "right"])
def test_opening_from_world_landmarks_is_exact(lying_on: Side) -> None:
    t = np.arange(0, 6, 1 / 15)
    seq, _ = clamshell_landmarks(t, ((1.0, 1.0, 1.0, 2.0, 35.0),), lying_on=lying_on)
    top: Side = "right" if lying_on == "left" else "left"
    psi = knee_rotation_deg(seq.world, top)
    beta = thigh_axis_angle_deg(seq.world, top)
    i = int(2.5 * 15)
    assert float(swept_angle_deg(psi[i] - psi[0], beta[i])) == pytest.approx(35.0, abs=0.1)
    assert np.all(knee_angle_3d_deg(seq.world, top) < 110)


@pytest.mark.parametrize("lying_on", ["left", "right"])
def test_counts_openings_and_measures_the_angle(lying_on: Side) -> None:
    t = np.arange(0, 26, 1 / 15)
    peaks = (40.0, 30.0, 45.0, 35.0, 25.0)
    openings = tuple((1.0 + 4.5 * k, 1.0, 1.0, 2.0, p) for k, p in enumerate(peaks))
    # 0.25 px white noise: the pose model's own jitter on rendered clamshells reads as a
    # 0.1-0.2 deg oscillation; 1 px would read as (false) shaking, the opening being read
    # from a ~60 px radius
    seq, labels = clamshell_landmarks(t, openings, lying_on=lying_on, noise_px=0.25)
    side: Side = "right" if lying_on == "left" else "left"
    reps = _run(seq, side).reps
    assert len(reps) == 5
    for r, lab in zip(reps, labels, strict=True):
        ph = r.measurement.phases
        # read from the image with an anthropometric thigh length (0.85 x trunk; the stick
        # figure's is 0.87) and a perspective correction: a few degrees, growing with the
        # opening as the knee turns toward the top of its circle
        assert ph.peak_deg == pytest.approx(lab.peak_opening_deg, abs=4.5)
        assert ph.lift_start == pytest.approx(lab.start_s, abs=0.3)
        assert ph.lower_end == pytest.approx(lab.end_s, abs=0.4)
        assert r.good
        assert not r.measurement.shaking


def test_back_to_back_openings_without_rest() -> None:
    t = np.arange(0, 30, 1 / 15)
    openings = tuple((1.0 + 4.0 * k, 1.0, 1.0, 2.0, 35.0) for k in range(7))
    seq, _ = clamshell_landmarks(t, openings)
    assert len(_run(seq, "right").reps) == 7


def test_pelvis_rolling_back_is_the_fault() -> None:
    t = np.arange(0, 12, 1 / 15)
    openings = ((1.0, 1.0, 1.0, 2.0, 35.0), (6.0, 1.0, 1.0, 2.0, 35.0))
    seq, _ = clamshell_landmarks(t, openings, roll_deg=15.0, noise_px=0.5)
    reps = _run(seq, "right").reps
    assert [r.faults for r in reps] == [["pelvis_roll"], ["pelvis_roll"]]
    assert reps[0].measurement.pelvis_roll_deg == pytest.approx(15.0, abs=1.5)
    # the image sees the roll as extra opening (the thigh did turn further in the room)
    assert reps[0].measurement.phases.peak_deg > 35.0
    # off by default (the pose model's world hips are not trusted on clamshells): reported only
    unjudged = _run(seq, "right", check_roll=False).reps
    assert [r.faults for r in unjudged] == [[], []]
    assert unjudged[0].measurement.pelvis_roll_deg == pytest.approx(15.0, abs=1.5)


def test_joint_track_reproduces_the_stick_figure_clamshell() -> None:
    from hipwise.pose.landmarks import leg_indices
    from hipwise.synth.kinematic import landmarks_from_track
    from hipwise.synth.variations import clamshell_track

    t = np.arange(0, 6, 1 / 15)
    op = ((1.0, 1.0, 1.0, 2.0, 35.0),)
    track, labels = clamshell_track(t, op)
    got = landmarks_from_track(track, "left")
    want, _ = clamshell_landmarks(t, op)
    _, knee, ankle, _, _ = leg_indices("right")
    assert np.abs(got.world[:, knee] - want.world[:, knee]).max() < 1e-6
    assert np.abs(got.world[:, ankle] - want.world[:, ankle]).max() < 0.04  # m
    assert labels[0].peak_opening_deg == 35.0


@pytest.mark.parametrize("lying_on", ["left", "right"])
def test_opening_from_the_image_matches_the_world_rotation(lying_on: Side) -> None:
    t = np.arange(0, 6, 1 / 15)
    seq, _ = clamshell_landmarks(t, ((1.0, 1.0, 1.0, 2.0, 35.0),), lying_on=lying_on)
    top: Side = "right" if lying_on == "left" else "left"
    across, along, trunk = knee_offsets_px(seq.xy, top)
    cfg = ClamshellConfig()
    focal = focal_px(seq.image_size, cfg.camera_fov_deg)
    along_px, trunk_px = float(np.median(along)), float(np.median(trunk))
    psi, beta = knee_rotation_image_deg(across, along_px, trunk_px, cfg, focal)
    world = knee_rotation_deg(seq.world, top)
    i = int(2.5 * 15)
    assert psi[i] - psi[0] == pytest.approx(world[i] - world[0], abs=2.0)
    swept = swept_angle_deg(psi[i] - psi[0], float(np.median(beta)))
    assert float(swept) == pytest.approx(35.0, abs=2.0)
    # without the perspective correction (a far camera) the knee's rise reads ~25 % large
    flat, _ = knee_rotation_image_deg(across, along_px, trunk_px, cfg, 1e9)
    assert flat[i] - flat[0] > 1.2 * (world[i] - world[0])
