"""Report fixtures: a render-free set (landmarks from the kinematic generator, thinned to the
pose model's 15 frames/s) with one good rep and one toes-up rep, a small synthetic video of
the same duration at 30 frames/s, and reports of render-free variation sets."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hipwise.analysis import analyze_sequence, to_contract
from hipwise.contract import Analysis, VideoInfo
from hipwise.pose.sequence import PoseSequence
from hipwise.report import ReportFiles, ReportInput, write_set_report
from hipwise.settings import AnalysisConfig
from hipwise.synth.kinematic import landmarks_from_track
from hipwise.synth.variations import CircleLabel, HoldLabel, clamshell_landmarks, hold_track
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


@dataclass(frozen=True)
class VariationReport:
    """A report written from a render-free variation set, with what was scripted."""

    files: ReportFiles
    analysis: Analysis
    hold: HoldLabel | None = None
    circles: tuple[CircleLabel, ...] = ()

    @property
    def html(self) -> str:
        return self.files.html.read_text(encoding="utf-8")


def _variation_report(out: Path, name: str, seq: PoseSequence,
                      cfg: AnalysisConfig | None = None, **labels: Any) -> VariationReport:
    cfg = cfg or AnalysisConfig()
    eng = analyze_sequence(seq, cfg)
    analysis = to_contract(eng, VideoInfo(duration_s=float(seq.t[-1]), fps=15.0,
                                          frames=len(seq)), [], "test")
    inp = ReportInput(analysis, eng.frames, cfg, poses=seq, title=name,
                      variation_sets=eng.variation_sets)
    return VariationReport(write_set_report(inp, out / name), analysis, **labels)


@pytest.fixture(scope="session")
def variation_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, VariationReport]:
    """Reports of four render-free variation sets (stick-figure landmarks at 15 frames/s, no
    video): ``circles`` (a 22 s hold lying on the right, 5 clockwise then 5 counter-clockwise
    25 cm circles), ``hold`` (20 s lying on the left, sinking 5°, shaking 1.5° at 5 Hz),
    ``clamshell`` (5 openings of 40°) and ``wall_slide`` (a clean rep and one drifting 20°,
    with ``variation = "wall_slide"``)."""
    out = tmp_path_factory.mktemp("variations")
    t = np.arange(0.0, 30.0, 1.0 / 15.0)
    reports: dict[str, VariationReport] = {}
    track, hold, circles = hold_track(
        t, lying_on="right", hold_s=22.0,
        circles=(("clockwise", 5), ("counterclockwise", 5)), diameter_cm=25.0)
    reports["circles"] = _variation_report(
        out, "circles", landmarks_from_track(track, "right", noise_px=1.0),
        hold=hold, circles=tuple(circles))
    track, hold, _ = hold_track(t, hold_s=20.0, sag_deg=5.0, shaking_deg=1.5)
    reports["hold"] = _variation_report(
        out, "hold", landmarks_from_track(track, "left", noise_px=1.0), hold=hold)
    openings = tuple((1.0 + 4.5 * k, 1.0, 1.0, 2.0, 40.0) for k in range(5))
    seq, _ = clamshell_landmarks(t, openings, noise_px=1.0)
    reports["clamshell"] = _variation_report(out, "clamshell", seq)
    seq, _ = make_sequence(
        [{}, {"faults": ["forward_drift"], "magnitudes": {"forward_drift_deg": 20.0}}],
        noise_px=0.3)
    reports["wall_slide"] = _variation_report(out, "wall_slide", seq,
                                              AnalysisConfig(variation="wall_slide"))
    return reports
