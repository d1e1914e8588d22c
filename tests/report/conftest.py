"""Report fixtures: a render-free set (landmarks from the kinematic generator, thinned to the
pose model's 15 frames/s) with one good rep and one toes-up rep, and a small synthetic video of
the same duration at 30 frames/s."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hipwise.analysis import analyze_sequence, to_contract
from hipwise.config import AnalysisConfig
from hipwise.contract import VideoInfo
from hipwise.pose.sequence import PoseSequence
from hipwise.report import ReportInput
from tests.conftest import make_sequence

VIDEO_FPS = 30.0
VIDEO_SIZE = (320, 240)  # half the landmarks' 640x480: the annotator must rescale


def _thin(seq: PoseSequence, step: int) -> PoseSequence:
    return PoseSequence(
        t=seq.t[::step], xy=seq.xy[::step], depth=seq.depth[::step], world=seq.world[::step],
        visibility=seq.visibility[::step], image_size=seq.image_size,
    )


@pytest.fixture(scope="session")
def report_input() -> ReportInput:
    """Two reps on one leg (the second with toes up), analysed by the engine."""
    seq, _ = make_sequence(
        [{"hold_s": 2.0}, {"faults": ["toes_up"], "hold_s": 2.0}],
        noise_px=0.3,
    )
    seq = _thin(seq, 2)  # the pose model runs at 15 frames/s
    eng = analyze_sequence(seq)
    duration = float(seq.t[-1]) + 1.0 / VIDEO_FPS
    n = round(duration * VIDEO_FPS)
    analysis = to_contract(
        eng, VideoInfo(duration_s=duration, fps=VIDEO_FPS, frames=n, width=VIDEO_SIZE[0],
                       height=VIDEO_SIZE[1]), ["a note for the reader"], "test"
    )
    return ReportInput(analysis, eng.frames, AnalysisConfig(), poses=seq, title="scripted set")


@pytest.fixture(scope="session")
def synthetic_video(tmp_path_factory: pytest.TempPathFactory, report_input: ReportInput) -> Path:
    """An H.264 clip as long as the set, 30 frames/s, 320x240, a plain gradient per frame."""
    from hipwise.video.writer import VideoWriter

    path = tmp_path_factory.mktemp("video") / "set.mp4"
    w, h = VIDEO_SIZE
    ramp = np.linspace(40, 90, w, dtype=np.float64)[None, :, None]
    with VideoWriter(path, fps=VIDEO_FPS, size=VIDEO_SIZE, preset="ultrafast") as wr:
        for i in range(report_input.analysis.video.frames):
            img = np.broadcast_to(ramp + (i % 30), (h, w, 3)).astype(np.uint8)
            wr.write(np.ascontiguousarray(img), i / VIDEO_FPS)
    return path
