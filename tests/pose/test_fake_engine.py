"""The public fake pose engine: scripted landmarks in, the whole estimator and analysis run
on them without MediaPipe."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray
from tests.conftest import make_sequence

from hipwise.analysis.video import analyze_video
from hipwise.pose import NUM_LANDMARKS, EngineSpec, FakePoseEngine, PoseRequest, RawPose
from hipwise.pose.mediapipe_adapter import MediaPipePoseEstimator, PoseConfig, head_side
from hipwise.pose.sequence import PoseSequence
from hipwise.video import VideoWriter


def _normalised(seq: PoseSequence) -> NDArray[np.float64]:
    """``(T, 33, 4)`` model landmarks (x, y as fractions of the image) of a sequence."""
    w, h = seq.image_size
    lm = np.zeros((len(seq), NUM_LANDMARKS, 4))
    lm[..., 0] = seq.xy[..., 0] / w
    lm[..., 1] = seq.xy[..., 1] / h
    lm[..., 2] = seq.depth / w
    lm[..., 3] = seq.visibility
    return lm


def _blank_video(path: Path, n: int, fps: float, size: tuple[int, int]) -> Path:
    frame = np.full((size[1], size[0], 3), 90, np.uint8)
    with VideoWriter(path, fps=fps, size=size) as w:
        for _ in range(n):
            w.write(frame)
    return path


def test_constant_landmarks_answer_every_call_and_calls_are_recorded() -> None:
    lm = np.full((NUM_LANDMARKS, 4), 0.5)
    fake = FakePoseEngine.from_landmarks(lm)
    spec = EngineSpec(video=True, num_poses=1, config=PoseConfig())
    model = fake(spec)
    (pose,) = model.detect(np.zeros((48, 64, 3), np.uint8), 40)
    np.testing.assert_array_equal(pose.landmarks, lm)
    np.testing.assert_array_equal(pose.world, np.zeros((NUM_LANDMARKS, 3)))
    assert fake.engines == [spec]
    assert [(c.ts_ms, c.size, c.spec.video) for c in fake.calls] == [(40, (64, 48), True)]
    model.close()
    model.close()
    assert fake.closed == 1
    with pytest.raises(RuntimeError, match="closed"):
        model.detect(np.zeros((48, 64, 3), np.uint8), 80)
    only = FakePoseEngine.from_landmarks(lm, size=(64, 48))(spec)
    assert len(only.detect(np.zeros((48, 64, 3), np.uint8), 0)) == 1
    assert only.detect(np.zeros((64, 48, 3), np.uint8), 0) == []  # turned a quarter


def test_a_landmark_sequence_is_played_by_time_and_nan_frames_find_nobody() -> None:
    lm = np.zeros((3, NUM_LANDMARKS, 4))
    lm[:, :, 0] = np.array([0.1, 0.2, 0.3])[:, None]
    lm[1, 5, 1] = np.nan
    fake = FakePoseEngine.from_landmarks(lm, fps=10.0)
    model = fake(EngineSpec(video=False, num_poses=2, config=PoseConfig()))
    rgb = np.zeros((4, 4, 3), np.uint8)
    assert model.detect(rgb, 0)[0].landmarks[0, 0] == pytest.approx(0.1)
    assert model.detect(rgb, 100) == []  # frame 1 has a NaN
    assert model.detect(rgb, 210)[0].landmarks[0, 0] == pytest.approx(0.3)
    assert model.detect(rgb, 9_000)[0].landmarks[0, 0] == pytest.approx(0.3)  # clamped


def test_bad_landmark_shapes_are_refused() -> None:
    with pytest.raises(ValueError, match="fps"):
        FakePoseEngine.from_landmarks(np.zeros((3, NUM_LANDMARKS, 4)))
    with pytest.raises(ValueError, match="landmarks"):
        RawPose.from_landmarks(np.zeros((NUM_LANDMARKS, 2)))
    with pytest.raises(ValueError, match="world"):
        RawPose.from_landmarks(np.zeros((NUM_LANDMARKS, 4)), np.zeros((3, 3)))
    xyz = RawPose.from_landmarks(np.zeros((NUM_LANDMARKS, 3)))
    assert np.all(xyz.landmarks[:, 3] == 1.0)  # visible


def test_a_handler_sees_the_request_and_may_return_plain_arrays() -> None:
    seen: list[tuple[bool, int, tuple[int, int]]] = []

    def handler(request: PoseRequest) -> list[NDArray[np.float64]]:
        seen.append((request.spec.video, request.ts_ms, request.size))
        return [np.full((NUM_LANDMARKS, 4), 0.25)]

    cfg = PoseConfig(backend="solutions", mirror="none", count_people=False, camera_motion=None)
    with MediaPipePoseEstimator(cfg, engine=FakePoseEngine(handler)) as est:
        frame = est.estimate(np.zeros((480, 640, 3), np.uint8), 0.5)
    assert frame.detected
    np.testing.assert_allclose(frame.xy[0], [160.0, 120.0])
    assert seen == [(True, 500, (640, 480))]


def test_the_estimator_with_a_fake_needs_no_mediapipe_bundle() -> None:
    fake = FakePoseEngine(lambda request: [])
    with MediaPipePoseEstimator(PoseConfig(backend="tasks"), engine=fake) as est:
        assert est.backend == "tasks" and est.warnings == []
        assert not est.estimate(np.zeros((48, 64, 3), np.uint8), 0.0).detected
    assert fake.closed == len(fake.engines) > 0


def test_analyze_video_counts_the_reps_of_scripted_landmarks(tmp_path: Path) -> None:
    seq, truth = make_sequence([{"peak_deg": 30}, {"peak_deg": 50}])
    fps = float(round(1.0 / np.median(np.diff(seq.t))))
    video = _blank_video(tmp_path / "blank.mp4", len(seq), fps, seq.image_size)
    assert head_side(seq.xy[0]) > 0  # the head at the right: not mirrored
    fake = FakePoseEngine.from_landmarks(_normalised(seq), fps=fps, size=seq.image_size)
    result = analyze_video(video, pose_engine=fake)
    got = [[r.faults for r in s.reps] for s in result.analysis.sets]
    assert got == [[r.faults for r in s.reps] for s in truth.sets]
    assert got[0][1] == ["too_high"]
    assert any(spec.video for spec in fake.engines)
