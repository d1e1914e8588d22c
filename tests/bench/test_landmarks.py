"""Stored pose runs: exact round trip, replay through the engine, clear errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hipwise.analysis.video import analyze_pose_run
from hipwise.bench.landmarks import LandmarkFileError, landmark_files, load_run, save_run
from hipwise.bench.runner import BenchClip, PoseSettingsMismatchError, _pose_config, run_bench
from hipwise.pose.mediapipe_adapter import PoseRun
from hipwise.settings import AnalysisConfig
from hipwise.video.reader import VideoMeta
from tests.conftest import make_sequence


def _run() -> tuple[PoseRun, VideoMeta, str]:
    seq, truth = make_sequence([{"peak_deg": 30}, {"peak_deg": 25, "faults": ["toes_up"]}],
                               noise_px=0.5, seed=3)
    n = len(seq)
    run = PoseRun(
        poses=seq,
        rotation_deg=np.zeros(n, dtype=np.int64),
        people=np.ones(n, dtype=np.int64),
        camera_shift=np.zeros((n, 2)),
        camera_response=np.ones(n),
        partial_xy=np.full((n, 33, 2), np.nan),
        partial_probed=np.zeros(n, dtype=bool),
        frames_read=n,
        warnings=["a warning"],
        model_seconds=1.5,
    )
    w, h = seq.image_size
    meta = VideoMeta(path=Path("clip.mp4"), width=w, height=h, source_width=w,
                     source_height=h, rotation_deg=0, fps=30.0, frame_count=n,
                     duration_s=n / 30.0, codec="h264")
    return run, meta, truth.to_json()


def test_round_trip_is_exact(tmp_path: Path) -> None:
    run, meta, _ = _run()
    path = tmp_path / "clip.landmarks.npz"
    save_run(path, run, meta, {"max_fps": 15})
    back = load_run(path)
    assert back.pose_config == {"max_fps": 15}
    assert back.meta == VideoMeta(**{**meta.__dict__, "path": tmp_path / "clip.mp4"})
    for k, v in run.poses.to_npz_dict().items():
        np.testing.assert_array_equal(back.run.poses.to_npz_dict()[k], v)
    for k in ("rotation_deg", "people", "camera_shift", "camera_response", "partial_xy",
              "partial_probed"):
        np.testing.assert_array_equal(getattr(back.run, k), getattr(run, k))
    assert (back.run.frames_read, back.run.warnings, back.run.model_seconds) == (
        run.frames_read, run.warnings, run.model_seconds)


def test_replay_scores_like_the_run_and_checks_the_pose_settings(tmp_path: Path) -> None:
    run, meta, labels = _run()
    cfg = AnalysisConfig()
    save_run(tmp_path / "a.landmarks.npz", run, meta, _pose_config(cfg))
    (tmp_path / "a.labels.json").write_text(labels, encoding="utf-8")
    (tmp_path / "orphan.landmarks.npz").write_bytes(b"")  # no labels: not listed
    (files,) = [landmark_files(tmp_path)]
    assert [f.name for f in files] == ["a.landmarks.npz"]
    report = run_bench([BenchClip("a", files[0])], cfg, measure_bare_fps=False)
    direct, _, _ = analyze_pose_run(run, meta, cfg)
    (clip,) = report.score.clips
    assert clip.predicted_reps == len(direct.sets[0].reps) == 2 == clip.true_reps
    assert report.replayed == 1 and report.analysis_seconds == 0.0
    other = AnalysisConfig.model_validate({"pose": {**_pose_config(cfg), "max_fps": 10.0}})
    with pytest.raises(PoseSettingsMismatchError, match="max_fps"):
        run_bench([BenchClip("a", files[0])], other, measure_bare_fps=False)


def test_bad_files_give_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(LandmarkFileError, match="not found"):
        load_run(tmp_path / "none.landmarks.npz")
    bad = tmp_path / "bad.landmarks.npz"
    bad.write_bytes(b"not an npz")
    with pytest.raises(LandmarkFileError, match="not a landmarks file"):
        load_run(bad)
    np.savez(tmp_path / "other.npz", x=np.zeros(3))
    with pytest.raises(LandmarkFileError, match="no 'header_json'"):
        load_run(tmp_path / "other.npz")
