"""Camera-motion signal: a moving camera reads a shift, a moving person on a still camera not."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from hipwise.video import CameraMotionTracker, MotionConfig, ReaderConfig, open_video

MakeVideo = Callable[..., Path]


def _scene(seed: int = 0) -> NDArray[np.uint8]:
    rng = np.random.default_rng(seed)
    noise = (rng.random((800, 1000, 3)) * 255).astype(np.uint8)
    return np.ascontiguousarray(cv2.GaussianBlur(noise, (0, 0), 4))


def test_panning_camera_reads_the_shift() -> None:
    scene = _scene()
    tracker = CameraMotionTracker()
    got = []
    for dx in [0, 0, 8, 16, 32, 64, 96, 48, 0]:
        frame = np.ascontiguousarray(scene[100:580, 100 + dx : 740 + dx])
        got.append(tracker.update(frame).dx)
    # the camera moved right, so the image content moved left by the same amount
    np.testing.assert_allclose(got, [0, 0, -8, -16, -32, -64, -96, -48, 0], atol=1.5)


def test_vertical_bump_reads_dy() -> None:
    scene = _scene(1)
    tracker = CameraMotionTracker(MotionConfig(analysis_width=128))
    tracker.update(np.ascontiguousarray(scene[100:580, 100:740]))
    s = tracker.update(np.ascontiguousarray(scene[130:610, 100:740]))
    assert abs(s.dy + 30) < 1.5 and abs(s.dx) < 1.5
    assert 0.0 < s.response <= 1.0


def test_moving_person_on_still_camera_reads_no_shift() -> None:
    scene = _scene(2)[:480, :640].copy()
    tracker = CameraMotionTracker()
    shifts = []
    for i in range(30):
        frame = scene.copy()
        # a "leg" (bright bar) swinging up and down over a fifth of the image
        angle = np.deg2rad(30 * np.sin(i / 5))
        x0, y0 = 320, 300
        x1 = int(x0 + 200 * np.cos(angle))
        y1 = int(y0 - 200 * np.sin(angle))
        cv2.line(frame, (x0, y0), (x1, y1), (250, 250, 250), 25)
        s = tracker.update(frame)
        shifts.append(np.hypot(s.dx, s.dy))
    assert max(shifts) < 4.0  # < 1 % of the width; a moved camera reads tens of pixels


def test_reader_attaches_motion_when_asked(make_video: MakeVideo) -> None:
    path = make_video(n=5, size=(160, 120))
    with open_video(path, ReaderConfig(camera_motion=MotionConfig())) as src:
        frames = list(src)
    assert all(f.motion is not None for f in frames)
    assert frames[0].motion is not None and frames[0].motion.dx == 0.0
    with open_video(path) as src:
        assert next(iter(src)).motion is None
