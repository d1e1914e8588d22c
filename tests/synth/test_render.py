"""Rendering: keypoints land on the body, same seed gives the same clip, CLI outputs.

Renders only a few low-resolution frames so the suite stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

pytest.importorskip("anny")
pytest.importorskip("pyrender")

from hipwise.contract import Analysis
from hipwise.synth.cli import frames_path, labels_path, write_outputs
from hipwise.synth.render import Camera, body_to_world, camera_at, render_clip
from hipwise.synth.scenario import CameraSettings, Scenario

pytestmark = pytest.mark.slow

# colours chosen so that body pixels (red leggings, red shirt, warm skin) have r > b while
# the room (blue floor, green wall, blue mat) has b > r
_SCENE = {
    "width": 320,
    "height": 240,
    "seed": 3,
    "person": {"top_rgb": [220, 40, 40], "bottom_rgb": [200, 30, 30]},
    "scene": {"floor_rgb": [60, 140, 210], "wall_rgb": [80, 200, 150], "mat_rgb": [40, 40, 200]},
    "motion": {"lead_in_s": 0.1, "reps": [{"peak_deg": 35, "lift_s": 0.3}]},
    "realism": {"noise_sigma": 0.0, "lighting_drift": 0.0, "bitrate_kbps": 2000},
}


def _decode(path: Path) -> list[NDArray[np.uint8]]:
    import av

    with av.open(str(path)) as c:
        return [np.asarray(f.to_ndarray(format="rgb24"), np.uint8) for f in c.decode(video=0)]


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Scenario, Path, object]:
    sc = Scenario.from_dict(_SCENE)
    out = tmp_path_factory.mktemp("clip") / "c.mp4"
    res = render_clip(sc, out, max_frames=12)
    write_outputs(out, sc, res)
    return sc, out, res


def test_camera_projection_centre_and_scale() -> None:
    cam = camera_at(CameraSettings(height_m=0.3, distance_m=2.0), 640, 480, target_y=0.3)
    xy, depth = cam.project(np.array([[0.0, 0.3, 0.0], [0.5, 0.3, 0.0]]))
    assert np.allclose(xy[0], [320, 240]) and depth[0] == pytest.approx(2.0)
    f = 320 / np.tan(np.radians(65) / 2)
    assert xy[1, 0] == pytest.approx(320 + f * 0.5 / 2.0)
    assert isinstance(cam, Camera)


def test_body_to_world_faces_the_camera() -> None:
    r = body_to_world("left", "side_lying")
    assert np.allclose(r @ [1.0, 0, 0], [0, -1, 0])  # left side down
    assert np.allclose(r @ [0, -1.0, 0], [0, 0, 1])  # front toward the camera
    assert np.allclose(r @ [0, 0, 1.0], [1, 0, 0])  # head on the image right
    assert np.allclose(body_to_world("right", "side_lying") @ [0, 0, 1.0], [-1, 0, 0])


def test_video_and_labels_are_written(clip: tuple[Scenario, Path, object]) -> None:
    _, out, _ = clip
    frames = _decode(out)
    assert len(frames) == 12 and frames[0].shape == (240, 320, 3)
    doc = json.loads(labels_path(out).read_text())
    truth = Analysis.model_validate(doc)
    assert truth.sets[0].working_leg == "right"
    assert doc["scenario"]["seed"] == 3
    arrays = np.load(frames_path(out))
    assert arrays["keypoints_xy"].shape == (12, 12, 2)
    assert list(arrays["keypoints_index"][:4]) == [11, 12, 23, 24]


def test_true_angles_follow_the_script(clip: tuple[Scenario, Path, object]) -> None:
    _, _, res = clip
    a = res.arrays  # type: ignore[attr-defined]
    assert np.allclose(a["true_abduction_deg"], a["track_abduction_deg"], atol=0.5)
    assert np.max(a["true_abduction_deg"]) > 20.0


def test_keypoints_land_on_the_body(clip: tuple[Scenario, Path, object]) -> None:
    _, out, res = clip
    frames = _decode(out)
    a = res.arrays  # type: ignore[attr-defined]
    names = list(a["keypoints_name"])
    joints = [i for i, n in enumerate(names) if not n.endswith(("heel", "toe"))]
    checked = 0
    for t in (0, 11):
        img = frames[t].astype(int)
        for k in joints:
            if not a["keypoints_visible"][t, k]:
                continue
            x, y = (round(float(v)) for v in a["keypoints_xy"][t, k])
            patch = img[y - 1 : y + 2, x - 1 : x + 2].reshape(-1, 3)
            r, _, b = np.median(patch, axis=0)
            assert r > b + 20, f"{names[k]} at frame {t} ({x},{y}) is not on the body"
            checked += 1
    assert checked >= 12


def test_same_seed_renders_the_same_clip(
    clip: tuple[Scenario, Path, object], tmp_path: Path
) -> None:
    sc, out, res = clip
    again = tmp_path / "again.mp4"
    res2 = render_clip(sc, again, max_frames=12)
    assert res2.truth == res.truth  # type: ignore[attr-defined]
    f1, f2 = _decode(out), _decode(again)
    diff = max(
        float(np.abs(x.astype(int) - y.astype(int)).mean()) for x, y in zip(f1, f2, strict=True)
    )
    assert diff < 0.5
    xy = res.arrays["keypoints_xy"]  # type: ignore[attr-defined]
    assert np.allclose(res2.arrays["keypoints_xy"], xy)


def test_cli_writes_outputs_and_rejects_bad_scenarios(tmp_path: Path) -> None:
    from hipwise.cli import main

    good = tmp_path / "s.toml"
    good.write_text("width = 160\nheight = 120\n[motion]\nlead_in_s = 0.2\n[[motion.reps]]\n")
    out = tmp_path / "o.mp4"
    assert main(["synth", str(good), "-o", str(out), "--frames", "3"]) == 0
    assert out.exists() and labels_path(out).exists() and frames_path(out).exists()
    bad = tmp_path / "bad.toml"
    bad.write_text("wheels = 4\n")
    assert main(["synth", str(bad), "-o", str(out)]) == 2
    assert main(["synth", str(tmp_path / "missing.toml"), "-o", str(out)]) == 3


def test_pelvic_tilt_hike_on_a_body_turned_toward_the_camera() -> None:
    """A pelvic-tilt hike on a body yawed 30° (head end nearer the camera): the rig's waist
    crunch, pelvis tilt and abduction follow the script, the pelvis roll stays body-relative."""
    sc = Scenario.from_dict(
        {
            **_SCENE,
            "person": {**_SCENE["person"], "yaw_deg": 30.0},  # type: ignore[dict-item]
            "motion": {
                "lead_in_s": 0.1,
                "reps": [{"lift_s": 0.3, "faults": ["hip_hike"], "hike_mode": "pelvis"}],
            },
        }
    )
    res = render_clip(sc, None, max_frames=13)
    a = res.arrays
    assert a["track_pelvis_tilt_deg"][-1] == pytest.approx(15.0)
    for key in ("trunk_side_bend", "pelvis_tilt", "abduction"):
        assert np.allclose(a[f"true_{key}_deg"], a[f"track_{key}_deg"], atol=0.5), key
    assert np.max(np.abs(a["true_pelvis_roll_deg"])) < 0.5
    assert res.checks["pelvis_tilt_max_err_deg"] < 0.5
    names = list(a["keypoints_name"])
    depth = a["keypoints_depth"][0]
    # lying on the left, the head end (shoulders) is turned toward the camera: nearer the lens
    assert depth[names.index("left_ankle")] - depth[names.index("left_shoulder")] > 0.5


def test_clamshell_at_a_hip_flexion_opens_as_scripted_on_the_rig() -> None:
    """A clamshell with both hips flexed 60°: the top thigh's swept angle measured on the rig
    equals the scripted opening, and the closed thighs are at the scripted hip flexion."""
    sc = Scenario.from_dict(
        {
            **_SCENE,
            "person": {**_SCENE["person"], "bottom_leg": "bent"},  # type: ignore[dict-item]
            "motion": {
                "variation": "clamshell",
                "clamshell_hip_flexion_deg": 60.0,
                "lead_in_s": 0.1,
                "reps": [{"peak_deg": 35.0, "lift_s": 0.3, "hold_s": 0.3}],
            },
        }
    )
    res = render_clip(sc, None, max_frames=14)
    a = res.arrays
    assert a["true_clamshell_opening_deg"][0] == pytest.approx(0.0, abs=1e-6)
    assert np.max(a["true_clamshell_opening_deg"]) == pytest.approx(35.0, abs=0.5)
    c = res.checks
    assert c["clamshell_opening_max_err_deg"] < 0.5
    assert c["clamshell_top_thigh_flexion_deg"] == pytest.approx(60.0, abs=0.5)
    assert c["clamshell_bottom_thigh_flexion_deg"] == pytest.approx(60.0, abs=0.5)
