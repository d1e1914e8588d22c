"""Write a report directory: HTML, annotated MP4, CSV and the JSON contract (thin I/O around
the pure builders).

:func:`write_set_report` takes a :class:`~hipwise.report.model.ReportInput` (contract + engine
frame states + optional landmarks and frames), so the live coach can write the same report as
``hipwise analyze``; :func:`write_report` adapts an analysed video
(:class:`~hipwise.report.model.AnalysedVideo`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from hipwise.contract import Analysis
from hipwise.report.annotate import FrameAnnotator, render_key_frame, run_video_pass
from hipwise.report.draw import encode_jpeg, resize_to_width
from hipwise.report.figures import angle_chart, posture_chart, tempo_chart
from hipwise.report.html import SetFigures, build_html
from hipwise.report.model import (
    AnalysedVideo,
    ReportInput,
    heel_forward_cm,
    is_isometric,
    set_variation,
    set_window,
)
from hipwise.report.tables import (
    CIRCLE_COLUMNS,
    FRAME_COLUMNS,
    HOLD_COLUMNS,
    REP_COLUMNS,
    circle_rows,
    frame_rows,
    hold_rows,
    rep_rows,
    write_csv,
)
from hipwise.settings import AnalysisConfig, ReportConfig

__all__ = [
    "CIRCLES_CSV",
    "FRAMES_CSV",
    "HOLDS_CSV",
    "HTML_NAME",
    "JSON_NAME",
    "REPS_CSV",
    "VIDEO_NAME",
    "ReportError",
    "ReportFiles",
    "ReportProgress",
    "write_report",
    "write_set_report",
]

logger = logging.getLogger(__name__)

HTML_NAME = "report.html"
VIDEO_NAME = "annotated.mp4"
FRAMES_CSV = "frames.csv"
REPS_CSV = "reps.csv"
HOLDS_CSV = "holds.csv"
CIRCLES_CSV = "circles.csv"
JSON_NAME = "analysis.json"

#: ``progress(step, done, total)``: a short description of the current step and its progress
#: (frames for the video, items otherwise; total 0 when unknown).
ReportProgress = Callable[[str, int, int], None]


class ReportError(Exception):
    """The report could not be written; the message says where and what to do."""


@dataclass
class ReportFiles:
    """Paths written (None when that part was not produced) and notes on what was skipped.
    ``holds_csv`` and ``circles_csv`` are written only when a set has holds (circles)."""

    directory: Path
    html: Path
    frames_csv: Path
    reps_csv: Path
    json: Path
    video: Path | None = None
    key_frames: int = 0
    notes: list[str] = field(default_factory=list)
    holds_csv: Path | None = None
    circles_csv: Path | None = None

    def all(self) -> list[Path]:
        """Every file written, HTML first."""
        files = [self.html, self.video, self.frames_csv, self.reps_csv, self.holds_csv,
                 self.circles_csv, self.json]
        return [p for p in files if p is not None]


def _key_times(inp: ReportInput) -> dict[tuple[int, int], float]:
    return {(si, r.index): r.peak_s for si, s in enumerate(inp.analysis.sets, start=1)
            for r in s.reps}


def _poster(analysis: Analysis, key_jpegs: dict[tuple[int, int], bytes]) -> bytes | None:
    """The key frame of the first rep with a fault (else the first rep) as the video poster."""
    keys = [(si, r.index) for si, s in enumerate(analysis.sets, start=1) for r in s.reps
            if not r.good]
    keys += sorted(key_jpegs)
    return next((key_jpegs[k] for k in keys if k in key_jpegs), None)


def _write_text(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ReportError(f"cannot write {path}: {exc.strerror or exc}. Choose a folder you "
                          "can write to (--report DIR).") from exc


def write_set_report(
    inp: ReportInput,
    out_dir: str | Path,
    config: ReportConfig | None = None,
    progress: ReportProgress | None = None,
) -> ReportFiles:
    """Write the report of ``inp`` into ``out_dir`` (created if needed): ``report.html``,
    ``annotated.mp4`` (only with a video and ``config.annotated_video``), ``frames.csv``,
    ``reps.csv``, ``holds.csv`` and ``circles.csv`` (only when a set has isometric holds or
    circles) and ``analysis.json``.

    Raises :class:`ReportError` when the directory or a file cannot be written, and
    :class:`hipwise.video.errors.VideoError` when the video cannot be decoded."""
    cfg = config or ReportConfig()
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"cannot create the report folder {out}: {exc.strerror or exc}. "
                          "Choose a folder you can write to (--report DIR).") from exc

    def step(name: str, done: int, total: int) -> None:
        if progress is not None:
            progress(name, done, total)

    files = ReportFiles(out, out / HTML_NAME, out / FRAMES_CSV, out / REPS_CSV, out / JSON_NAME)
    analysis = inp.analysis
    # 1. data files
    step("data", 0, 3)
    holds, circles = hold_rows(analysis), circle_rows(analysis)
    try:
        write_csv(files.frames_csv, FRAME_COLUMNS, frame_rows(inp.frames))
        write_csv(files.reps_csv, REP_COLUMNS, rep_rows(analysis))
        if any(is_isometric(s) for s in analysis.sets):
            files.holds_csv = write_csv(out / HOLDS_CSV, HOLD_COLUMNS, holds)
        if any(set_variation(s) == "isometric_circles" for s in analysis.sets):
            files.circles_csv = write_csv(out / CIRCLES_CSV, CIRCLE_COLUMNS, circles)
    except OSError as exc:
        raise ReportError(f"cannot write CSV into {out}: {exc.strerror or exc}.") from exc
    _write_text(files.json, analysis.to_json() + "\n")
    step("data", 3, 3)

    # 2. the video pass: annotated MP4 and the raw frames at each peak
    annotator = FrameAnnotator(analysis, inp.frames, inp.poses, cfg)
    key_times = _key_times(inp)
    raw: dict[float, tuple[float, NDArray[np.uint8]]] = {}
    if inp.video is not None and (cfg.annotated_video or (cfg.key_frames and key_times)):
        video_path = files.directory / VIDEO_NAME if cfg.annotated_video else None
        try:
            result = run_video_pass(
                inp.video, annotator, video_path,
                list(key_times.values()) if cfg.key_frames else [], cfg,
                lambda done, total: step("annotating video", done, total),
            )
        except OSError as exc:
            raise ReportError(f"cannot write the annotated video into {out}: "
                              f"{exc.strerror or exc}.") from exc
        files.video = result.video_path
        raw = dict(result.nearest)
    elif inp.video is None:
        files.notes.append("no video: the report has no annotated video, and key frames show "
                           "the skeleton only")

    # 3. key frames
    key_jpegs: dict[tuple[int, int], bytes] = {}
    if cfg.key_frames:
        size = inp.poses.image_size if inp.poses is not None else (640, 480)
        for n, (key, t_peak) in enumerate(key_times.items(), start=1):
            got = raw.get(t_peak)
            t_key, rgb = got if got is not None else (t_peak, None)
            img = render_key_frame(rgb, t_key, annotator, size)
            if img is not None:
                key_jpegs[key] = encode_jpeg(resize_to_width(img, cfg.key_frame_width),
                                             cfg.jpeg_quality)
            step("key frames", n, len(key_times))
    files.key_frames = len(key_jpegs)

    # 4. charts and page
    figures = []
    t_max = analysis.video.duration_s or (inp.frames[-1].t if inp.frames else None)
    for si, s in enumerate(analysis.sets, start=1):
        step("charts", si - 1, len(analysis.sets))
        window = set_window(s, cfg.margin_s, t_max, cfg.hold_margin_s)
        var = set_variation(s)
        both: dict[str, str] = {"angle": "", "posture": "", "tempo": ""}
        for tag, w, pt in (("wide", cfg.chart_width_in, cfg.chart_font_pt),
                           ("narrow", cfg.chart_phone_width_in, cfg.chart_phone_font_pt)):
            both["angle"] += angle_chart(s, inp.frames, inp.settings, window, width_in=w,
                                         font_pt=pt, css_class=tag, prefix=f"s{si}a{tag[0]}")
            if is_isometric(s):
                continue  # no reps: no tempo, and no rep values on the posture traces
            if var != "clamshell":  # foot rotation and side-bend are not judged there
                both["posture"] += posture_chart(s, inp.frames, inp.settings, window,
                                                 width_in=w, font_pt=pt, css_class=tag,
                                                 prefix=f"s{si}p{tag[0]}")
            both["tempo"] += tempo_chart(s, inp.settings, width_in=w, font_pt=pt,
                                         css_class=tag, prefix=f"s{si}t{tag[0]}")
        figures.append(SetFigures(**both))
    step("charts", len(analysis.sets), len(analysis.sets))
    html = build_html(
        analysis, inp.settings, figures, key_jpegs,
        title=inp.title,
        video_file=VIDEO_NAME if files.video is not None else None,
        video_poster=_poster(analysis, key_jpegs),
        data_files=tuple(p.name for p in (files.frames_csv, files.reps_csv, files.holds_csv,
                                          files.circles_csv, files.json) if p is not None),
        report_config=cfg,
        heel_cm={si: heel for si in range(1, len(analysis.sets) + 1)
                 if (heel := heel_forward_cm(inp, si)) is not None},
    )
    _write_text(files.html, html)
    logger.info("report written to %s (%d key frames, video: %s)", out, files.key_frames,
                files.video is not None)
    return files


def write_report(
    result: AnalysedVideo,
    settings: AnalysisConfig,
    out_dir: str | Path,
    progress: ReportProgress | None = None,
    config: ReportConfig | None = None,
) -> ReportFiles:
    """The report of one analysed video (``hipwise analyze VIDEO --report DIR``): the contract,
    the engine's frame states, the landmarks and the video itself. See
    :func:`write_set_report` for the files and errors."""
    inp = ReportInput(
        analysis=result.analysis,
        frames=result.engine.frames,
        settings=settings,
        poses=result.run.poses,
        video=result.path,
        title=Path(result.path).name,
        variation_sets=result.engine.variation_sets,
    )
    return write_set_report(inp, out_dir, config, progress)
