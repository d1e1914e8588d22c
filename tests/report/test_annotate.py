"""The annotated video and key frames: an adapter over the engine's frame states."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from hipwise.pose.landmarks import LM
from hipwise.pose.sequence import PoseSequence
from hipwise.report import ReportConfig, ReportInput, write_set_report
from hipwise.report.annotate import (
    FrameAnnotator,
    counted_reps,
    crop_box,
    pose_at,
    render_key_frame,
)
from hipwise.video.reader import open_video


def two_frame_seq(detected_second: bool = True) -> PoseSequence:
    xy = np.zeros((2, 33, 2))
    xy[1] += 10.0
    vis = np.ones((2, 33))
    det = np.array([True, detected_second])
    if not detected_second:
        xy[1] = np.nan
        vis[1] = 0.0
    return PoseSequence(t=np.array([0.0, 0.1]), xy=xy, depth=np.zeros((2, 33)),
                        world=np.where(np.isnan(xy[..., :1]), np.nan, 0.0).repeat(3, -1)
                        if not detected_second else np.zeros((2, 33, 3)),
                        visibility=vis, image_size=(640, 480), detected=det)


def test_pose_at_interpolates_holds_and_forgets() -> None:
    seq = two_frame_seq()
    got = pose_at(seq, 0.05, max_gap_s=0.25, hold_s=0.5)
    assert got is not None and got[0][0, 0] == pytest.approx(5.0)
    assert pose_at(seq, 0.05, max_gap_s=0.05, hold_s=0.5)[0][0, 0] == 0.0  # type: ignore[index]
    assert pose_at(seq, -0.01, 0.25, 0.5) is None  # before the first analysed frame
    held = pose_at(seq, 0.4, 0.25, 0.5)
    assert held is not None and held[0][0, 0] == 10.0  # latest pose held
    assert pose_at(seq, 0.7, 0.25, 0.5) is None  # too old
    lost = two_frame_seq(detected_second=False)
    assert pose_at(lost, 0.15, 0.25, 0.5) is None  # no person in the latest analysed frame


def test_crop_box_keeps_the_person_inside_the_frame() -> None:
    xy = np.full((33, 2), np.nan)
    xy[:4] = [[100, 200], [400, 200], [100, 260], [400, 260]]
    vis = np.zeros(33)
    vis[:4] = 1.0
    x0, y0, x1, y1 = crop_box(xy, vis, (640, 480), margin=0.1, aspect=1.6)
    assert 0 <= x0 <= 70 and x1 >= 430 and 0 <= y0 <= 200 and y1 >= 260 and x1 <= 640
    assert (x1 - x0) / (y1 - y0) == pytest.approx(1.6, abs=0.02)
    assert crop_box(xy, np.zeros(33), (640, 480), 0.1, 1.6) == (0, 0, 640, 480)


def test_counted_reps_follow_the_live_count(report_input: ReportInput) -> None:
    counted = counted_reps(report_input.frames, report_input.analysis)
    reps = report_input.analysis.sets[0].reps
    assert [c.rep.index for c in counted] == [r.index for r in reps]
    # a rep is counted once it is back at rest (the tracker waits for rest to settle)
    settle = report_input.settings.reps.rest_settle_s
    assert all(c.rep.end_s - 0.1 <= c.t <= c.rep.end_s + settle + 0.2 for c in counted)


def test_annotator_draws_on_frames_and_key_frames(report_input: ReportInput) -> None:
    ann = FrameAnnotator(report_input.analysis, report_input.frames, report_input.poses,
                         ReportConfig())
    rep2 = report_input.analysis.sets[0].reps[1]
    blank = np.full((240, 320, 3), 60, dtype=np.uint8)
    out = ann.update(blank, rep2.peak_s)
    assert out.shape == blank.shape and out is not blank
    assert np.count_nonzero(np.any(out != 60, axis=2)) > 2000  # skeleton, arc and panels
    # the hip of the working leg (scaled from 640x480 to 320x240) is drawn over
    lm = ann.landmarks(rep2.peak_s, (320, 240))
    assert lm is not None
    side = report_input.analysis.sets[0].working_leg
    hip = LM.RIGHT_HIP if side == "right" else LM.LEFT_HIP
    x, y = (round(v) for v in lm[0][hip])
    assert np.any(out[y, x] != 60)
    key = render_key_frame(None, rep2.peak_s, ann, (640, 480))
    assert key is not None and key.shape[1] / key.shape[0] == pytest.approx(1.6, abs=0.02)


def test_annotated_video_has_the_input_frame_count(
    tmp_path: Path, report_input: ReportInput, synthetic_video: Path
) -> None:
    inp = ReportInput(report_input.analysis, report_input.frames, report_input.settings,
                      poses=report_input.poses, video=synthetic_video, title="clip")
    steps: list[str] = []
    files = write_set_report(inp, tmp_path / "r", progress=lambda s, d, t: steps.append(s))
    assert files.video is not None and files.video.name == "annotated.mp4"
    assert files.key_frames == 2
    assert "annotating video" in steps
    with open_video(synthetic_video) as src:
        n_in = sum(1 for _ in src)
    with open_video(files.video) as src:
        assert src.info.codec == "h264"
        assert (src.info.width, src.info.height) == (320, 240)
        frames = [(f.t, f.rgb) for f in src]
    assert len(frames) == n_in == report_input.analysis.video.frames
    # timestamps kept (30 frames/s) and the drawing is there while the person is in view
    assert frames[30][0] == pytest.approx(1.0, abs=0.002)
    peak = report_input.analysis.sets[0].reps[1].peak_s
    i = round(peak * 30)
    with open_video(synthetic_video) as src:
        raw = next(f.rgb for f in src if f.index == i)
    diff = np.abs(frames[i][1].astype(int) - raw.astype(int)).max(axis=2)
    assert np.count_nonzero(diff > 40) > 1000
    html = files.html.read_text(encoding="utf-8")
    assert 'src="annotated.mp4"' in html


def test_frames_from_an_iterable_source(tmp_path: Path, report_input: ReportInput) -> None:
    """The live coach can pass frames it kept in memory instead of a file."""
    frames = [(i / 15.0, np.full((240, 320, 3), 90, dtype=np.uint8)) for i in range(90)]
    inp = ReportInput(report_input.analysis, report_input.frames, report_input.settings,
                      poses=report_input.poses, video=frames)
    files = write_set_report(inp, tmp_path / "live",
                             ReportConfig(annotated_video=False))
    assert files.video is None
    assert files.key_frames == 2 and not (tmp_path / "live" / "annotated.mp4").exists()
    html = files.html.read_text(encoding="utf-8")
    b64 = re.findall(r'<img src="data:image/jpeg;base64,([^"]+)"', html)
    assert len(b64) == 2
    corners = [np.asarray(Image.open(io.BytesIO(base64.b64decode(b))))[0, 0] for b in b64]
    # rep 1 (peak at ~4 s) is on a kept frame (grey 90); rep 2 after the 6 s kept: a canvas
    assert np.all(np.abs(corners[0].astype(int) - 90) <= 8)
    assert not np.all(np.abs(corners[1].astype(int) - 90) <= 8)
