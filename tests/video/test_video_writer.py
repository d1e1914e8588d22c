"""Writer tests: H.264/yuv420p/faststart output, exact timestamps, rotation tag, validation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from hipwise.video import VideoWriter, open_video


def _frame(i: int, w: int = 64, h: int = 48) -> NDArray[np.uint8]:
    a = np.zeros((h, w, 3), np.uint8)
    a[..., 0] = (i * 20) % 250
    a[: h // 4, : w // 4] = 255
    return a


def test_writes_browser_playable_h264_with_exact_timestamps(tmp_path: Path) -> None:
    import av

    path = tmp_path / "sub" / "out.mp4"
    times = [0.0, 0.033, 0.07, 0.1, 0.25, 0.26, 0.9]
    with VideoWriter(path, fps=30, size=(64, 48)) as w:
        for i, t in enumerate(times):
            w.write(_frame(i), t)
        assert w.frames_written == len(times)
    data = path.read_bytes()
    assert data.find(b"moov") < data.find(b"mdat")  # +faststart: index first
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        assert s.codec_context.name == "h264"
        assert s.codec_context.pix_fmt == "yuv420p"
    with open_video(path) as src:
        frames = list(src)
    np.testing.assert_allclose([f.t for f in frames], times, atol=1e-6)
    # colour survives the round trip (lossy, so approximately)
    assert abs(float(frames[3].rgb[40, 40, 0]) - 60.0) < 8.0


def test_default_timestamps_follow_fps(tmp_path: Path) -> None:
    path = tmp_path / "cfr.mp4"
    with VideoWriter(path, fps=25, size=(64, 48), bitrate=200_000) as w:
        for i in range(10):
            w.write(_frame(i))
    with open_video(path) as src:
        t = [f.t for f in src]
        assert src.info.fps == pytest.approx(25.0, rel=0.02)
    np.testing.assert_allclose(t, np.arange(10) * 0.04, atol=1e-6)


def test_rotation_tag_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "portrait.mp4"
    with VideoWriter(path, fps=30, size=(64, 48), rotation_deg=90) as w:
        for i in range(3):
            w.write(_frame(i))
    with open_video(path) as src:
        rgb = next(iter(src)).rgb
        assert src.info.rotation_deg == 90
    assert rgb.shape == (64, 48, 3)
    assert rgb[:8, -6:].mean() > 200  # top-left block shown at top-right after 90° clockwise


def test_rejects_bad_input(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="even"):
        VideoWriter(tmp_path / "odd.mp4", fps=30, size=(63, 48))
    with pytest.raises(ValueError, match="fps"):
        VideoWriter(tmp_path / "nofps.mp4", fps=0, size=(64, 48))
    with VideoWriter(tmp_path / "v.mp4", fps=30, size=(64, 48)) as w:
        with pytest.raises(ValueError, match="shape"):
            w.write(np.zeros((48, 63, 3), np.uint8))
        w.write(_frame(0), 0.5)
        with pytest.raises(ValueError, match="increase"):
            w.write(_frame(1), 0.5)
        w.write(_frame(1), 0.6)
    with pytest.raises(RuntimeError, match="closed"):
        w.write(_frame(2), 0.7)
