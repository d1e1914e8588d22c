"""Clamshells at any hip flexion: the script, the stick figure and the 3D opening."""

from __future__ import annotations

import numpy as np
import pytest

from hipwise.synth.scenario import Scenario, ScenarioError
from hipwise.synth.script import script_motion
from hipwise.synth.variations import (
    STICK_THIGH_TO_LINE_DEG,
    clamshell_landmarks,
    opening_to_rotation_deg,
)
from hipwise.variations.clamshell import knee_rotation_deg, swept_angle_deg


def _clam(hip_flexion: float | None) -> Scenario:
    motion: dict[str, object] = {"variation": "clamshell", "reps": [{"peak_deg": 35.0}]}
    if hip_flexion is not None:
        motion["clamshell_hip_flexion_deg"] = hip_flexion
    return Scenario.from_dict({"person": {"bottom_leg": "bent"}, "motion": motion})


def test_hip_flexion_key_is_for_clamshells_in_range() -> None:
    with pytest.raises(ScenarioError, match="clamshell"):
        Scenario.from_dict({"motion": {"clamshell_hip_flexion_deg": 40.0}})
    with pytest.raises(ScenarioError, match="clamshell_hip_flexion_deg"):
        _clam(80.0)


@pytest.mark.parametrize("hip_flexion", [None, 30.0, 60.0])
def test_script_flexes_the_hip_ankle_line_and_keeps_the_opening(
    hip_flexion: float | None,
) -> None:
    ms = script_motion(_clam(hip_flexion))
    track = ms.sample(ms.times())
    want = 0.0 if hip_flexion is None else hip_flexion - STICK_THIGH_TO_LINE_DEG
    assert np.allclose(track.hip_flexion_deg, want)
    psi = float(np.max(track.hip_rotation_deg) - track.hip_rotation_deg[0])
    assert psi == pytest.approx(float(opening_to_rotation_deg(35.0)))
    assert ms.truth().sets[0].reps[0].peak_opening_deg == 35.0
    # another thigh-to-line angle (the rig's) turns further for the same opening
    wide = float(opening_to_rotation_deg(35.0, 50.0))
    assert float(swept_angle_deg(wide, 50.0)) == pytest.approx(35.0)


@pytest.mark.parametrize("hip_flexion", [30.0, 45.0, 60.0])
def test_stick_clamshell_at_a_hip_flexion_opens_as_scripted_in_3d(hip_flexion: float) -> None:
    t = np.arange(0, 6, 1 / 15)
    seq, labels = clamshell_landmarks(
        t, ((1.0, 1.0, 1.0, 2.0, 35.0),), hip_flexion_deg=hip_flexion
    )
    w = seq.world  # camera axes: x right, y down, z away from the camera; lying on the left
    thigh = w[:, 26] - w[:, 24]  # right knee - right hip (the top leg)
    i = int(2.5 * 15)
    cos = np.dot(thigh[i], thigh[0]) / (np.linalg.norm(thigh[i]) * np.linalg.norm(thigh[0]))
    assert np.degrees(np.arccos(cos)) == pytest.approx(35.0, abs=0.1)
    # the bottom thigh points toward the camera by the hip flexion (the camera looks down
    # 2 deg); the closed top thigh slopes down onto the bottom knee, so it reads a few deg less
    bottom = w[0, 25] - w[0, 23]
    top = w[0, 26] - w[0, 24]
    assert np.degrees(np.arcsin(-bottom[2] / np.linalg.norm(bottom))) == pytest.approx(
        hip_flexion, abs=0.5
    )
    assert 0.0 < hip_flexion - np.degrees(np.arcsin(-top[2] / np.linalg.norm(top))) < 8.0
    assert labels[0].peak_opening_deg == 35.0
    psi = knee_rotation_deg(seq.world, "right")
    assert np.ptp(psi) > 35.0
