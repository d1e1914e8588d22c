"""Reader tests on small videos written in the test with PyAV."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from hipwise.video import (
    CorruptVideoError,
    NoFramesError,
    NotAVideoError,
    ReaderConfig,
    UnsupportedCodecError,
    VideoError,
    VideoNotFoundError,
    display_size,
    open_video,
    scaled_size,
)

MakeVideo = Callable[..., Path]


def _white_corner(rgb: NDArray[np.uint8]) -> str:
    """Which corner holds the white block: 'tl', 'tr', 'bl' or 'br'."""
    h, w = rgb.shape[:2]
    corners = {
        "tl": rgb[: h // 8, : w // 8],
        "tr": rgb[: h // 8, -w // 8 :],
        "bl": rgb[-h // 8 :, : w // 8],
        "br": rgb[-h // 8 :, -w // 8 :],
    }
    return max(corners, key=lambda k: float(corners[k].mean()))


def test_reads_all_frames_with_timestamps_and_meta(make_video: MakeVideo) -> None:
    path = make_video(n=30, size=(64, 48))
    with open_video(path) as src:
        info = src.info
        frames = list(src)
    assert (info.width, info.height) == (64, 48)
    assert info.rotation_deg == 0
    assert info.codec == "h264"
    assert info.frame_count == 30
    assert info.fps == pytest.approx(30.0, rel=0.05)
    assert info.duration_s == pytest.approx(1.0, abs=0.05)
    assert [f.index for f in frames] == list(range(30))
    assert frames[0].t == 0.0
    np.testing.assert_allclose([f.t for f in frames], np.round(np.arange(30) * 1000 / 30) / 1000)
    rgb = frames[0].rgb
    assert rgb.shape == (48, 64, 3) and rgb.dtype == np.uint8 and rgb.flags.c_contiguous
    assert _white_corner(rgb) == "tl"
    assert src.incomplete is None and src.warnings == []


def test_variable_frame_rate_uses_each_frames_own_timestamp(make_video: MakeVideo) -> None:
    pts = [0, 20, 61, 95, 180, 190, 400, 433, 700, 1000]
    path = make_video(n=len(pts), pts_ms=pts)
    with open_video(path) as src:
        t = [f.t for f in src]
    np.testing.assert_allclose(t, np.array(pts) / 1000.0, atol=1e-6)


def test_timestamps_start_at_zero_when_first_pts_is_not_zero(make_video: MakeVideo) -> None:
    pts = [500 + 40 * i for i in range(10)]
    path = make_video(n=10, pts_ms=pts)
    with open_video(path) as src:
        t = np.array([f.t for f in src])
    np.testing.assert_allclose(t, np.arange(10) * 0.040, atol=1e-6)


@pytest.mark.parametrize(
    ("rotation_ccw", "rotation_cw", "corner"),
    [(-90, 90, "tr"), (90, 270, "bl"), (180, 180, "br")],
)
def test_rotation_metadata_is_applied(
    make_video: MakeVideo, rotation_ccw: int, rotation_cw: int, corner: str
) -> None:
    path = make_video(n=5, size=(64, 48), rotation_ccw=rotation_ccw)
    with open_video(path) as src:
        frames = list(src)
        info = src.info
    assert info.rotation_deg == rotation_cw
    expected = (48, 64) if rotation_cw in (90, 270) else (64, 48)
    assert (info.width, info.height) == expected
    assert frames[0].rgb.shape == (expected[1], expected[0], 3)
    assert frames[0].rgb.flags.c_contiguous
    assert _white_corner(frames[0].rgb) == corner


def test_rotation_can_be_ignored(make_video: MakeVideo) -> None:
    path = make_video(n=3, size=(64, 48), rotation_ccw=-90)
    with open_video(path, ReaderConfig(apply_rotation=False)) as src:
        rgb = next(iter(src)).rgb
        assert src.info.rotation_deg == 0
    assert rgb.shape == (48, 64, 3)
    assert _white_corner(rgb) == "tl"


def test_downscale_keeps_aspect_ratio(make_video: MakeVideo) -> None:
    path = make_video(n=3, size=(1280, 720), rotation_ccw=-90)
    with open_video(path, ReaderConfig(max_long_side=640)) as src:
        rgb = next(iter(src)).rgb
        info = src.info
    assert (info.source_width, info.source_height) == (720, 1280)
    assert (info.width, info.height) == (360, 640)
    assert rgb.shape == (640, 360, 3)
    assert info.scale == pytest.approx(0.5)
    assert _white_corner(rgb) == "tr"


def test_full_resolution_when_downscale_disabled(make_video: MakeVideo) -> None:
    path = make_video(n=2, size=(800, 600))
    with open_video(path, ReaderConfig(max_long_side=None)) as src:
        assert next(iter(src)).rgb.shape == (600, 800, 3)


def test_prefetch_thread_gives_identical_frames(make_video: MakeVideo) -> None:
    path = make_video(n=20)
    with open_video(path, ReaderConfig(prefetch=0)) as a, open_video(
        path, ReaderConfig(prefetch=3)
    ) as b:
        fa, fb = list(a), list(b)
    assert len(fa) == len(fb) == 20
    for x, y in zip(fa, fb, strict=True):
        assert x.t == y.t
        np.testing.assert_array_equal(x.rgb, y.rgb)


def test_closing_early_stops_the_decode_thread(make_video: MakeVideo) -> None:
    path = make_video(n=60)
    src = open_video(path, ReaderConfig(prefetch=2))
    it = iter(src)
    first = next(it)
    src.close()
    assert first.index == 0
    assert src._thread is None  # joined


def test_iterating_twice_is_an_error(make_video: MakeVideo) -> None:
    path = make_video(n=3)
    with open_video(path) as src:
        assert len(list(src)) == 3
        with pytest.raises(RuntimeError, match="only once"):
            list(src)


def test_pure_size_helpers() -> None:
    assert display_size(640, 480, 90) == (480, 640)
    assert display_size(640, 480, 180) == (640, 480)
    assert scaled_size(1920, 1080, 640) == (640, 360)
    assert scaled_size(320, 240, 640) == (320, 240)
    assert scaled_size(1080, 1920, None) == (1080, 1920)


# -- errors ----------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(VideoNotFoundError, match="No such file") as ei:
        open_video(tmp_path / "nope.mp4")
    assert "path" in ei.value.hint


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(VideoNotFoundError, match="not a file"):
        open_video(tmp_path)


def test_text_file_is_not_a_video(tmp_path: Path) -> None:
    p = tmp_path / "notes.mp4"
    p.write_text("these are my workout notes\n" * 20)
    with pytest.raises(NotAVideoError) as ei:
        open_video(p)
    assert ".mp4" in ei.value.hint and "notes.mp4" in str(ei.value)


def test_jpeg_is_a_still_image(tmp_path: Path) -> None:
    import cv2

    p = tmp_path / "photo.jpg"
    cv2.imwrite(str(p), np.zeros((40, 60, 3), np.uint8))
    with pytest.raises(NotAVideoError, match="still image"):
        open_video(p)


def test_empty_file(tmp_path: Path) -> None:
    p = tmp_path / "empty.mp4"
    p.write_bytes(b"")
    with pytest.raises(NoFramesError, match="empty"):
        open_video(p)


def test_container_without_frames(tmp_path: Path) -> None:
    import av

    p = tmp_path / "header_only.mp4"
    c = av.open(str(p), "w")
    s = c.add_stream("libx264", rate=30)
    s.width, s.height, s.pix_fmt = 64, 48, "yuv420p"
    c.start_encoding()
    c.close()
    with pytest.raises(NoFramesError, match="no video frames") as ei:
        open_video(p)
    assert "record" in ei.value.hint


def test_unsupported_codec(make_video: MakeVideo, tmp_path: Path) -> None:
    good = make_video(n=5)
    bad = tmp_path / "weird_codec.mp4"
    # Replace the H.264 sample-entry fourcc with an unknown one: a real, readable container
    # whose codec FFmpeg does not know.
    bad.write_bytes(good.read_bytes().replace(b"avc1", b"zzz9"))
    with pytest.raises(UnsupportedCodecError) as ei:
        open_video(bad)
    assert "libx264" in ei.value.hint


def test_truncated_faststart_file_keeps_frames_read(
    make_video: MakeVideo, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    good = make_video(n=60, size=(160, 120))
    cut = tmp_path / "cut.mp4"
    data = good.read_bytes()
    cut.write_bytes(data[: int(len(data) * 0.6)])
    with open_video(cut) as src:
        frames = list(src)
    assert 5 < len(frames) < 60
    assert src.incomplete is not None
    assert src.incomplete.frames_read == len(frames)
    assert src.incomplete.expected_frames == 60
    assert src.incomplete.last_t == frames[-1].t
    assert any("damaged part-way" in w for w in src.warnings)
    assert "damaged part-way" in caplog.text
    # the frames read keep their own timestamps (frames in damaged packets are skipped)
    t = np.array([f.t for f in frames])
    grid = np.round(np.arange(60) * 1000 / 30) / 1000
    assert np.all(np.diff(t) > 0)
    assert np.all(np.min(np.abs(t[:, None] - grid[None, :]), axis=1) < 1e-6)


def test_truncated_file_without_index_is_corrupt(make_video: MakeVideo, tmp_path: Path) -> None:
    good = make_video("slow.mp4", n=60, size=(160, 120), faststart=False)
    cut = tmp_path / "cut.mp4"
    data = good.read_bytes()
    assert data.find(b"moov") > len(data) // 2  # the index is written last
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptVideoError, match="no index") as ei:
        open_video(cut)
    assert "copy it again" in ei.value.hint


def test_all_errors_share_the_base_class(tmp_path: Path) -> None:
    with pytest.raises(VideoError):
        open_video(tmp_path / "missing.mov")


def test_max_fps_thins_frames_but_counts_all(make_video: MakeVideo) -> None:
    path = make_video(n=30)  # 30 fps, timestamps rounded to ms
    with open_video(path, ReaderConfig(max_fps=15)) as src:
        frames = list(src)
    assert src.frames_decoded == 30
    assert src.frames_read == len(frames) == 15
    assert [f.index for f in frames] == list(range(0, 30, 2))
    with open_video(path, ReaderConfig(max_fps=10)) as src:
        assert [f.index for f in src] == list(range(0, 30, 3))
    with open_video(path, ReaderConfig(max_fps=12)) as src:
        idx = [f.index for f in src]
    assert len(idx) == 12 and set(np.diff(idx)) == {2, 3}


def test_frame_thinner_on_variable_frame_rate() -> None:
    from hipwise.video import FrameThinner

    th = FrameThinner(10.0)
    t = [0.0, 0.02, 0.05, 0.09, 0.1, 0.16, 0.21, 0.5, 0.55, 0.61]
    assert [x for x in t if th.keep(x)] == [0.0, 0.1, 0.21, 0.5, 0.61]
    assert all(FrameThinner(None).keep(x) for x in t)
