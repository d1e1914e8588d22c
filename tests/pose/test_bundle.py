"""The offline Tasks bundle: built from the wheel's own models, cached, loadable."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from hipwise.pose.bundle import bundle_path, default_data_dir, ensure_pose_bundle


def test_data_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path
                                          ) -> None:
    monkeypatch.setenv("HIPWISE_DATA_DIR", str(tmp_path / "d"))
    assert default_data_dir() == tmp_path / "d"
    monkeypatch.delenv("HIPWISE_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_data_dir() == tmp_path / "xdg" / "hipwise"


def test_bundle_is_built_once_and_runs(tmp_path: Path) -> None:
    path = ensure_pose_bundle(tmp_path)
    assert path == bundle_path(tmp_path) and path.parent == tmp_path / "models"
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["pose_detector.tflite", "pose_landmarks_detector.tflite"]
    mtime = path.stat().st_mtime_ns
    assert ensure_pose_bundle(tmp_path) == path
    assert path.stat().st_mtime_ns == mtime  # cached, not rebuilt
    assert not list(path.parent.glob("*.part"))

    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    opts = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(path)),
        running_mode=vision.RunningMode.IMAGE,
        num_poses=2,
    )
    with vision.PoseLandmarker.create_from_options(opts) as lm:
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.zeros((240, 320, 3), np.uint8))
        assert lm.detect(image).pose_landmarks == []  # loads and runs; nobody in a black frame
