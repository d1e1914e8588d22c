"""The pose adapter and the input checks on the committed synthetic clips (tests/data/clips).

Slow (runs the pose model); each clip is analysed once per module. Clips that are not there
yet are skipped.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tests.conftest import committed

from hipwise.pose.checks import check_run
from hipwise.pose.mediapipe_adapter import (
    MediaPipePoseEstimator,
    PoseConfig,
    PoseRun,
    reader_config_for,
)
from hipwise.video import VideoWriter, open_video

pytestmark = pytest.mark.slow

CLIPS = Path(__file__).resolve().parents[1] / "data" / "clips"
_RUNS: dict[tuple[str, str], PoseRun] = {}


def _clip(name: str) -> Path:
    path = CLIPS / f"{name}.mp4"
    committed(path, CLIPS / f"{name}.labels.json")
    return path


def _run(name: str, orientation: str = "none") -> PoseRun:
    key = (name, orientation)
    if key not in _RUNS:
        cfg = PoseConfig(orientation=orientation)
        with open_video(_clip(name), reader_config_for(cfg)) as src, MediaPipePoseEstimator(
            cfg
        ) as est:
            _RUNS[key] = est.track_video(src)
    return _RUNS[key]


def _truth_error_px(name: str, run: PoseRun) -> float:
    """Median distance (px) between the landmarks and the renderer's projected truth."""
    d = np.load(CLIPS / f"{name}.frames.npz")
    p = run.poses
    j = np.clip(np.searchsorted(d["t"], p.t - 1e-4), 0, len(d["t"]) - 1)
    ok = p.detected & (np.abs(d["t"][j] - p.t) < 0.01)
    est = p.xy[ok][:, d["keypoints_index"]]
    truth = d["keypoints_xy"][j[ok]]
    visible = d["keypoints_visible"][j[ok]].astype(bool)
    return float(np.median(np.linalg.norm(est - truth, axis=-1)[visible]))


LIFT_CLIPS = ["lift_left_toes_up", "lift_left_hike_knee", "lift_right_tempo",
              "lift_right_roll_drift"]


@pytest.mark.parametrize("name", LIFT_CLIPS)
def test_side_lying_person_is_found_in_every_frame_and_not_refused(name: str) -> None:
    run = _run(name)
    assert run.poses.detected.mean() >= 0.95
    assert np.all(run.rotation_deg == 0)  # default: no orientation normalisation
    w, h = run.poses.image_size
    assert (w, h) == (640, 480)
    blocking = [p for p in check_run(run) if p.blocking]
    assert blocking == [], [str(p) for p in blocking]


@pytest.mark.parametrize("name", LIFT_CLIPS[:1])
def test_auto_orientation_turns_the_lying_body_upright_with_the_same_landmarks(name: str
                                                                               ) -> None:
    auto, plain = _run(name, "auto"), _run(name)
    assert auto.poses.detected.mean() >= 0.95
    # the body lies across the image: the model ran on frames turned by a quarter turn
    assert set(auto.rotation_deg[auto.poses.detected].tolist()) <= {90, 270}
    both = auto.poses.detected & plain.poses.detected
    diff = np.linalg.norm(auto.poses.xy[both] - plain.poses.xy[both], axis=-1)
    assert np.median(diff) < 4.0


@pytest.mark.parametrize("name", LIFT_CLIPS[:2])
def test_landmarks_match_the_rendered_truth(name: str) -> None:
    run = _run(name)
    committed(CLIPS / f"{name}.frames.npz")
    assert _truth_error_px(name, run) < 12.0


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("bad_standing", "standing"),
        # Known limit: in this clip the standing person hides most of the lying one, the pose
        # model follows the standing person and the people count (every 5 s) can miss the
        # second body; the clip must still be refused, as two people or as standing.
        ("bad_two_people", "two_people|standing"),
        ("bad_out_of_frame", "body_out_of_frame"),
        ("bad_camera_moved", "camera_moved"),
        ("bad_lying_still", "no_movement"),
    ],
)
def test_bad_inputs_are_refused_with_the_right_reason(name: str, code: str) -> None:
    problems = [p for p in check_run(_run(name)) if p.blocking]
    assert set(code.split("|")) & {p.code for p in problems}, [str(p) for p in problems]


def test_rotation_metadata_end_to_end(tmp_path: Path) -> None:
    """A phone-style file (frames stored sideways + a rotation tag) gives the same landmarks
    as the upright original."""
    name = LIFT_CLIPS[0]
    src_path = _clip(name)
    stored = tmp_path / "portrait_tagged.mp4"
    with open_video(src_path) as src, VideoWriter(
        stored, fps=30, size=(480, 640), rotation_deg=90, crf=18
    ) as w:
        for i, f in enumerate(src):
            if i >= 45:
                break
            w.write(np.ascontiguousarray(np.rot90(f.rgb, k=1)), f.t)  # stored 90° ccw
    cfg = PoseConfig(count_people=False)
    with open_video(stored, reader_config_for(cfg)) as src, MediaPipePoseEstimator(cfg) as est:
        assert src.info.rotation_deg == 90
        assert (src.info.width, src.info.height) == (640, 480)
        tagged = est.track_video(src).poses
    ref = _run(name).poses
    n = len(tagged)
    both = tagged.detected & ref.detected[:n]
    assert both.mean() > 0.9
    np.testing.assert_allclose(tagged.t, ref.t[:n], atol=1e-3)
    diff = np.linalg.norm(tagged.xy[both] - ref.xy[:n][both], axis=-1)
    assert np.median(diff) < 4.0


def test_camera_bump_made_from_a_clip_is_refused(tmp_path: Path) -> None:
    """The frames of a still-camera clip, shifted by 70 px left and 20 px down from 3 s on
    (a bumped phone), are refused as camera_moved; the original is not."""
    import cv2

    name = LIFT_CLIPS[0]
    original = _run(name)
    assert "camera_moved" not in [p.code for p in check_run(original)]
    bumped = tmp_path / "bumped.mp4"
    shift = np.array([[1, 0, -70], [0, 1, 20]], dtype=np.float32)
    with open_video(_clip(name)) as src, VideoWriter(bumped, fps=30, size=(640, 480)) as w:
        for f in src:
            if f.t > 8.0:
                break
            rgb = f.rgb
            if f.t >= 3.0:
                rgb = np.asarray(cv2.warpAffine(rgb, shift, (640, 480),
                                                borderMode=cv2.BORDER_REPLICATE), np.uint8)
            w.write(np.ascontiguousarray(rgb), f.t)
    cfg = PoseConfig()
    with open_video(bumped, reader_config_for(cfg)) as src, MediaPipePoseEstimator(cfg) as est:
        run = est.track_video(src)
    problems = [p for p in check_run(run) if p.blocking]
    moved = [p for p in problems if p.code == "camera_moved"]
    assert moved, [str(p) for p in problems]
    assert moved[0].start_s == pytest.approx(3.0, abs=0.2)
