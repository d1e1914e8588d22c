"""Odd videos (issue 12, defect 6): each one gets a clear outcome, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from tests.video.odd_videos import narrow_video, patch_timescale, remux, truncated

from hipwise.analysis.video import _duration
from hipwise.cli import EXIT_BAD_INPUT, EXIT_NOT_ANALYSABLE, EXIT_OK, main
from hipwise.video import (
    CameraMotionTracker,
    MotionConfig,
    ReaderConfig,
    UnreadableVideoError,
    open_video,
)


def test_a_one_pixel_wide_video_is_read_with_its_camera_motion(tmp_path: Path) -> None:
    f = narrow_video(tmp_path / "narrow.mkv", width=1, height=64)
    with open_video(f, ReaderConfig(camera_motion=MotionConfig(), prefetch=0)) as src:
        frames = list(src)
    assert len(frames) == 10 and frames[0].rgb.shape == (64, 1, 3)
    assert all(fr.motion is not None for fr in frames)
    tracker = CameraMotionTracker()
    for shape in ((1, 1, 3), (64, 1, 3), (1, 64, 3), (2, 2, 3)):
        tracker = CameraMotionTracker()
        tracker.update(np.zeros(shape, np.uint8))
        assert tracker.update(np.zeros(shape, np.uint8)).response >= 0


def test_a_timestamp_jump_is_closed_with_a_warning(tmp_path: Path) -> None:
    f = remux(tmp_path / "gap.mp4", jump_after=100, jump_s=1e5)
    with open_video(f, ReaderConfig(max_long_side=64)) as src:
        ts = [fr.t for fr in src]
    assert src.retimed_jumps == 1 and max(ts) < 30.0
    assert np.all(np.diff(ts) > 0) and float(np.max(np.diff(ts))) < 0.1
    assert any("timestamp jump" in w for w in src.warnings)


def test_a_timescale_of_zero_is_reported(tmp_path: Path) -> None:
    f = patch_timescale(tmp_path / "ts0.mp4", 0)
    with open_video(f, ReaderConfig(max_long_side=64)) as src:
        n = sum(1 for _ in src)
    assert src.info.fps == 0.0  # 1/512 fps is no frame rate
    if n < 0.5 * src.info.frame_count:  # this FFmpeg reads 1 of 706 frames
        assert any("of the 706 frames" in w for w in src.warnings), src.warnings


def test_an_unreadable_file_is_not_called_not_a_video(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    f = remux(tmp_path / "locked.mp4", keep=5)
    real_open = Path.open

    def locked(self: Path, *a: Any, **kw: Any) -> Any:
        if self.name == "locked.mp4":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *a, **kw)

    monkeypatch.setattr(Path, "open", locked)  # root reads any file: simulate the refusal
    with pytest.raises(UnreadableVideoError, match="permission denied"):
        open_video(f)
    assert main(["analyze", str(f), "--quiet"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "permission denied" in err and "not a video" not in err


def test_duration_follows_the_frames_read_when_the_index_disagrees() -> None:
    t = np.arange(0, 12.0, 1 / 12)
    assert _duration(12.0, t, 30.0) == (12.0, None)  # agrees: the container's
    d, note = _duration(23.5, t, 30.0)  # a copy cut in half keeps the full duration
    assert d == pytest.approx(12.0, abs=0.01) and note is not None and "23.5" in note
    d, note = _duration(100023.5, t, 30.0)
    assert d == pytest.approx(12.0, abs=0.01) and note is not None
    d, note = _duration(0.0, np.array([0.0]), 30.0)
    assert d == pytest.approx(1 / 30) and note is None


def test_a_truncated_copy_reports_its_real_frame_rate(tmp_path: Path) -> None:
    import av

    fast = tmp_path / "fast.mp4"
    from tests.video.odd_videos import SAMPLE

    with av.open(str(SAMPLE)) as inp, av.open(str(fast), "w", format="mp4",
                                              options={"movflags": "faststart"}) as out:
        s_in = inp.streams.video[0]
        s_out = out.add_stream_from_template(s_in)
        for pkt in inp.demux(s_in):
            if pkt.dts is not None:
                pkt.stream = s_out
                out.mux(pkt)
    cut = truncated(tmp_path / "cut.mp4", 0.5, src=fast)
    out_json = tmp_path / "cut.json"
    assert main(["analyze", str(cut), "--quiet", "--json", str(out_json)]) == EXIT_OK
    video = json.loads(out_json.read_text())["video"]
    assert 25 <= video["fps"] <= 35 and video["duration_s"] < 13.0, video


def test_a_single_frame_with_a_person_is_too_short(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = remux(tmp_path / "one.mp4", keep=1)
    assert main(["analyze", str(f), "--quiet"]) == EXIT_NOT_ANALYSABLE
    assert "too short" in capsys.readouterr().err


def test_a_failed_report_leaves_no_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hipwise.analysis.cli as acli
    import hipwise.report.cli as rcli

    fake = SimpleNamespace(analysis=SimpleNamespace(to_json=lambda: "{}"), seconds_total=0.0)
    monkeypatch.setattr(acli, "_analyze_with_progress", lambda *a, **k: fake)
    monkeypatch.setattr(rcli, "report_after_analysis", lambda *a, **k: EXIT_BAD_INPUT)
    out = tmp_path / "a.json"
    code = main(["analyze", "--sample", "--quiet", "--json", str(out),
                 "--report", str(tmp_path / "rep")])
    assert code == EXIT_BAD_INPUT
    assert not out.exists() and not list(tmp_path.glob("*.partial"))
    monkeypatch.setattr(rcli, "report_after_analysis", lambda *a, **k: EXIT_OK)
    assert main(["analyze", "--sample", "--quiet", "--json", str(out),
                 "--report", str(tmp_path / "rep")]) == EXIT_OK
    assert out.read_text() == "{}\n"
