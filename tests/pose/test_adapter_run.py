"""track_video / estimate_video / measure_pose_fps plumbing, with a fake pose engine on a
generated video (fast; the real model runs in test_mediapipe_clips.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hipwise.pose import NUM_LANDMARKS, FakePoseEngine, PoseRequest, RawPose
from hipwise.pose.mediapipe_adapter import (
    MediaPipePoseEstimator,
    PoseConfig,
    measure_pose_fps,
    reader_config_for,
)
from hipwise.video import VideoWriter, open_video


def _centre_person(request: PoseRequest) -> list[RawPose]:
    """Always finds an upright stick person in the middle of whatever frame it gets."""
    lm = np.zeros((NUM_LANDMARKS, 4))
    lm[:, 0] = 0.5
    lm[:, 1] = np.linspace(0.2, 0.8, NUM_LANDMARKS)
    lm[:, 3] = 0.9
    return [RawPose.from_landmarks(lm)]


@pytest.fixture
def engine() -> FakePoseEngine:
    return FakePoseEngine(_centre_person)


def _video(path: Path, n: int = 30, fps: float = 30.0) -> Path:
    rng = np.random.default_rng(0)
    scene = (rng.random((60, 80, 3)) * 255).astype(np.uint8).repeat(8, 0).repeat(8, 1)
    with VideoWriter(path, fps=fps, size=(640, 480)) as w:
        for i in range(n):
            w.write(np.ascontiguousarray(np.roll(scene, 2 * i, axis=1)))  # camera panning
    return path


def test_track_video_records_everything(engine: FakePoseEngine, tmp_path: Path) -> None:
    path = _video(tmp_path / "v.mp4")
    cfg = PoseConfig(backend="solutions", max_fps=15)
    seen: list[tuple[int, int]] = []
    with (
        open_video(path, reader_config_for(cfg)) as src,
        MediaPipePoseEstimator(cfg, engine=engine) as est,
    ):
        run = est.track_video(src, progress=lambda done, total: seen.append((done, total)))
    n = len(run.poses)
    assert n == 15  # 30 fps thinned to 15 (max_fps)
    assert run.frames_read == 30
    assert run.rotation_deg.shape == (n,) and np.all(run.rotation_deg == 0)
    assert run.people.shape == (n,) and np.all(run.people == -1)  # legacy: no count
    assert run.camera_shift.shape == (n, 2)
    # the scene moves right 2 px per decoded frame: 4 px per analysed frame
    np.testing.assert_allclose(run.camera_shift[:, 0], np.arange(n) * 4.0, atol=1.0)
    assert seen[-1] == (15, 15) and len(seen) == n
    assert run.poses.image_size == (640, 480)
    np.testing.assert_allclose(run.poses.xy[0, :, 0], 320.0)
    assert run.model_seconds > 0


def test_motion_measured_in_the_adapter_when_the_reader_does_not(
    engine: FakePoseEngine, tmp_path: Path
) -> None:
    path = _video(tmp_path / "v.mp4", n=10)
    cfg = PoseConfig(backend="solutions", orientation="none", max_fps=None)
    with open_video(path) as src, MediaPipePoseEstimator(cfg, engine=engine) as est:
        run = est.track_video(src)
    np.testing.assert_allclose(run.camera_shift[:, 0], np.arange(10) * 2.0, atol=1.5)
    cfg = cfg.model_copy(update={"camera_motion": None})
    with open_video(path) as src, MediaPipePoseEstimator(cfg, engine=engine) as est:
        assert np.all(np.isnan(est.track_video(src).camera_shift))


def test_estimate_video_returns_the_sequence(engine: FakePoseEngine, tmp_path: Path) -> None:
    path = _video(tmp_path / "v.mp4", n=6)
    cfg = PoseConfig(backend="solutions", orientation=90, max_fps=None, camera_motion=None)
    with open_video(path) as src, MediaPipePoseEstimator(cfg, engine=engine) as est:
        seq = est.estimate_video(src)
    assert len(seq) == 6 and seq.detected.all()
    assert {c.size for c in engine.calls} == {(480, 640)}  # the model saw frames turned a quarter
    # the upright stick person in the turned frame lies across the original frame
    assert np.ptp(seq.xy[0, :, 0]) > 5 * np.ptp(seq.xy[0, :, 1])


def test_empty_source_is_an_error(engine: FakePoseEngine) -> None:
    with (
        MediaPipePoseEstimator(PoseConfig(backend="solutions"), engine=engine) as est,
        pytest.raises(ValueError, match="no frames"),
    ):
        est.track_video([])


def test_measure_pose_fps(engine: FakePoseEngine, tmp_path: Path) -> None:
    path = _video(tmp_path / "v.mp4", n=12)
    with open_video(path) as src:
        fps = measure_pose_fps(
            src, n_frames=10, config=PoseConfig(backend="solutions"), engine=engine
        )
    assert fps > 0
    assert len(engine.calls) == 10  # warm-up + 9 timed frames, upright
    assert {c.size for c in engine.calls} == {(640, 480)}
