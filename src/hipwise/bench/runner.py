"""The benchmark: render (or reuse) labelled clips, analyse each, score, print one table."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hipwise.analysis.video import NotAnalysableError, analyze_pose_run, analyze_video
from hipwise.bench.landmarks import LANDMARKS_SUFFIX, load_run, save_run, slim_labels
from hipwise.bench.score import ClipScore, SuiteScore, score_clip
from hipwise.bench.variations import VariationClipScore, score_variations, variation_rows
from hipwise.contract import FAULT_IDS, Analysis
from hipwise.pose.mediapipe_adapter import PoseConfig, measure_pose_fps
from hipwise.settings import AnalysisConfig
from hipwise.synth.cli import write_outputs
from hipwise.synth.render import render_clip
from hipwise.synth.sweep import SweepSettings, make_sweep
from hipwise.video.errors import VideoError
from hipwise.video.reader import open_video

__all__ = [
    "BenchClip",
    "BenchReport",
    "PoseSettingsMismatchError",
    "build_suite",
    "default_cache",
    "format_comparison",
    "format_table",
    "labels_for",
    "run_bench",
    "table_rows",
]

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]

#: Labels (``warnings`` of a clip's truth) that mean hipwise must refuse the clip.
REFUSAL_CODES = frozenset(
    {"standing", "two_people", "camera_moved", "no_movement", "body_out_of_frame", "no_person"}
)


@dataclass(frozen=True)
class BenchClip:
    """A labelled clip: the video and its ``.labels.json`` beside it."""

    name: str
    video: Path

    @property
    def labels(self) -> Path:
        """``clip.mp4`` → ``clip.labels.json``."""
        return labels_for(self.video)


def labels_for(video: Path) -> Path:
    """The labels file of a rendered clip."""
    return video.with_suffix("").with_suffix(".labels.json")


@dataclass
class BenchReport:
    """Scores plus speed figures (seconds; frames per second)."""

    score: SuiteScore
    video_seconds: float = 0.0
    analysis_seconds: float = 0.0
    model_seconds: float = 0.0
    frames_analysed: int = 0
    bare_pose_fps: float = float("nan")
    failures: list[str] = field(default_factory=list)
    refusals_expected: int = 0
    refusals_right: int = 0
    refusals_wrong: int = 0
    extra_rows: list[tuple[str, str]] = field(default_factory=list)
    #: clips replayed from stored landmarks (no speed figures for them)
    replayed: int = 0
    #: False for landmarks made without a pose model (``hipwise bench stress``): no speed rows
    pose_model: bool = True

    @property
    def realtime_factor(self) -> float:
        """Seconds of video analysed per second of wall time."""
        return self.video_seconds / self.analysis_seconds if self.analysis_seconds else 0.0

    @property
    def analysis_fps(self) -> float:
        """Frames run through the whole analysis per second of wall time."""
        return self.frames_analysed / self.analysis_seconds if self.analysis_seconds else 0.0


#: The suite renders at 15 frames/s: the analysis runs the pose model at most 15 frames/s
#: (``PoseConfig.max_fps``), so accuracy is the same as on 30 fps video at half the render
#: cost. Speed is reported on the 30 fps clips of the run (see :func:`run_bench`).
SUITE_FPS = 15.0
#: Reps per suite clip (min, max).
SUITE_REPS = (2, 3)


def default_cache() -> Path:
    """Where suite clips are cached: ``$HIPWISE_BENCH_CACHE`` or ``~/.cache/hipwise/bench``
    (outside the work tree, so a fresh checkout on the same machine reuses them)."""
    env = os.environ.get("HIPWISE_BENCH_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "hipwise" / "bench"


def suite_scenarios(n: int, seed: int) -> list[Any]:
    """The ``n`` scenarios of the benchmark suite (seeded, deterministic)."""
    return [
        sc.model_copy(update={"fps": SUITE_FPS})
        for sc in make_sweep(n, seed, SweepSettings(reps_per_clip=SUITE_REPS))
    ]


def suite_clip_path(cache: Path, i: int, sc: Any) -> Path:
    """Where scenario ``i`` of the suite is cached (the name carries a hash of the scenario,
    so a changed sweep renders anew)."""
    key = hashlib.sha256(json.dumps(sc.to_dict(), sort_keys=True).encode()).hexdigest()[:10]
    return cache / f"{i:03d}-{sc.name}-{key}.mp4"


def render_suite_clip(cache: Path, i: int, sc: Any) -> BenchClip:
    """Render scenario ``i`` into the cache unless it is already there."""
    video = suite_clip_path(cache, i, sc)
    if not (video.exists() and labels_for(video).exists()):
        tmp = video.with_name("partial-" + video.name)
        result = render_clip(sc, tmp)
        write_outputs(tmp, sc, result)
        labels_for(tmp).replace(labels_for(video))
        tmp.with_suffix("").with_suffix(".frames.npz").replace(
            video.with_suffix("").with_suffix(".frames.npz")
        )
        tmp.replace(video)
    return BenchClip(sc.name, video)


def build_suite(
    cache: Path, n: int, seed: int, progress: Progress | None = None
) -> list[BenchClip]:
    """The benchmark set: ``n`` scenarios from the seeded sweep, rendered into ``cache`` once."""
    cache.mkdir(parents=True, exist_ok=True)
    clips: list[BenchClip] = []
    scenarios = suite_scenarios(n, seed)
    for i, sc in enumerate(scenarios):
        if progress is not None:
            progress(f"rendering {suite_clip_path(cache, i, sc).name}", i, len(scenarios))
        clips.append(render_suite_clip(cache, i, sc))
    return clips


def _pose_config(config: AnalysisConfig) -> dict[str, Any]:
    return config.pose.model_dump(mode="json")


class PoseSettingsMismatchError(ValueError):
    """Stored landmarks were made with other pose settings than the ones asked for."""


def _replay(clip: BenchClip, config: AnalysisConfig) -> Analysis:
    """Analyse a stored pose run (``*.landmarks.npz``).

    Raises NotAnalysableError like the video path, PoseSettingsMismatchError."""
    stored = load_run(clip.video)
    want = _pose_config(config)
    # a setting added since the run was stored counts as stored at its default
    have = {**PoseConfig().model_dump(mode="json"), **stored.pose_config}
    if have != want:
        diff = sorted(k for k in set(want) | set(have) if want.get(k) != have.get(k))
        raise PoseSettingsMismatchError(
            f"{clip.video.name} was made with other pose settings ({', '.join(diff)}): "
            "save the landmarks again with these settings"
        )
    analysis, _, _ = analyze_pose_run(stored.run, stored.meta, config)
    return analysis


def _save(folder: Path, clip: BenchClip, run: Any, meta: Any, config: AnalysisConfig) -> None:
    stem = clip.video.name.removesuffix(".mp4")
    save_run(folder / (stem + LANDMARKS_SUFFIX), run, meta, _pose_config(config))
    (folder / (stem + ".labels.json")).write_text(
        slim_labels(clip.labels.read_text(encoding="utf-8")), encoding="utf-8"
    )


def run_bench(
    clips: list[BenchClip],
    config: AnalysisConfig | None = None,
    progress: Progress | None = None,
    measure_bare_fps: bool = True,
    save_landmarks: Path | None = None,
) -> BenchReport:
    """Analyse every clip with ``hipwise analyze``'s own code path and score it.

    A clip whose ``video`` is a ``*.landmarks.npz`` (see :mod:`hipwise.bench.landmarks`) is
    replayed from its stored pose run (no speed figures then). ``save_landmarks``: store
    every video clip's pose run and slim labels in that folder.
    """
    cfg = config or AnalysisConfig()
    var_scores: list[VariationClipScore] = []
    scores: list[ClipScore] = []
    rep = BenchReport(score=SuiteScore(scores))
    for i, clip in enumerate(clips):
        if progress is not None:
            progress(f"analysing {clip.video.name}", i, len(clips))
        raw = clip.labels.read_text(encoding="utf-8")
        truth = Analysis.model_validate_json(raw)
        description = str(json.loads(raw).get("scenario", {}).get("description", ""))
        description = description.split(": ", 1)[-1] if "make_domain" in description else ""
        expected_refusal = sorted(set(truth.warnings) & REFUSAL_CODES)
        replay = clip.video.name.endswith(LANDMARKS_SUFFIX)
        t0 = time.perf_counter()
        refused_codes: list[str] = []
        try:
            if replay:
                pred = _replay(clip, cfg)
                rep.replayed += 1
            else:
                res = analyze_video(clip.video, cfg)
                pred = res.analysis
                rep.model_seconds += res.seconds_model
                rep.frames_analysed += len(res.run.poses)
                if save_landmarks is not None:
                    _save(save_landmarks, clip, res.run, res.meta, cfg)
        except NotAnalysableError as exc:
            refused_codes = [p.code for p in exc.problems]
            rep.failures.append(f"{clip.video.name}: {exc}")
            pred = Analysis(video=truth.video, sets=[])
            if save_landmarks is not None and exc.run is not None:
                _save(save_landmarks, clip, exc.run, exc.meta, cfg)
        except VideoError as exc:
            rep.failures.append(f"{clip.video.name}: {exc}")
            pred = Analysis(video=truth.video, sets=[])
        if not replay:
            rep.analysis_seconds += time.perf_counter() - t0
            rep.video_seconds += truth.video.duration_s
        if expected_refusal:
            # a bad-input clip: the right outcome is a refusal naming one of its problems
            rep.refusals_expected += 1
            rep.refusals_right += int(bool(set(refused_codes) & set(expected_refusal)))
            continue
        rep.refusals_wrong += int(bool(refused_codes))
        scores.append(score_clip(clip.video.name, pred, truth, refused=bool(refused_codes),
                                 description=description))
        var_scores.append(score_variations(clip.video.name, pred, truth))
    rep.extra_rows += variation_rows(var_scores)
    video_clips = [c for c in clips if not c.video.name.endswith(LANDMARKS_SUFFIX)]
    if measure_bare_fps and video_clips:
        rep.bare_pose_fps = bare_pose_fps(video_clips[0].video)
    return rep


def bare_pose_fps(video: Path, n_frames: int = 150) -> float:
    """The bare pose model's frames per second on decoded frames of ``video``."""
    with open_video(video) as src:
        return measure_pose_fps(src, n_frames)


def _f(x: float, fmt: str = "{:.2f}") -> str:
    return "n/a" if isinstance(x, float) and math.isnan(x) else fmt.format(x)


def table_rows(rep: BenchReport) -> list[tuple[str, str]]:
    """The benchmark table as (metric, value) rows."""
    s = rep.score
    n = len(s.clips)
    exact = sum(c.exact_count for c in s.clips)
    first = [c.first_rep_matched for c in s.clips if c.first_rep_matched is not None]
    rows: list[tuple[str, str]] = [
        ("clips", str(n)),
        ("clips with exact rep count", f"{exact}/{n} ({_f(100 * s.exact_count_rate, '{:.0f}')}%)"),
        ("rep-count MAE (reps/clip)", _f(s.count_mae)),
        ("reps matched / true", f"{sum(c.matched for c in s.clips)}/"
                                f"{sum(c.true_reps for c in s.clips)}"),
        ("rep recall / precision", f"{_f(s.rep_recall)} / {_f(s.rep_precision)}"),
        ("first-rep recall (clips)", f"{sum(first)}/{len(first)} "
                                     f"({_f(100 * s.first_rep_recall, '{:.0f}')}%)"),
        ("false refusals (person exercising: refused or no rep)",
         f"{s.false_refusals}/{sum(c.true_reps > 0 for c in s.clips)}"),
        ("peak-abduction MAE (deg)", f"{_f(s.mae('peak_err'))} (bias {_f(s.bias('peak_err'))})"),
        ("lift MAE (s)", f"{_f(s.mae('lift_err'))} (bias {_f(s.bias('lift_err'))})"),
        ("hold MAE (s)", f"{_f(s.mae('hold_err'))} (bias {_f(s.bias('hold_err'))})"),
        ("lower MAE (s)", f"{_f(s.mae('lower_err'))} (bias {_f(s.bias('lower_err'))})"),
        ("foot rotation MAE (deg)", f"{_f(s.mae('foot_err'))} (bias {_f(s.bias('foot_err'))})"),
        ("side-bend change MAE (deg)",
         f"{_f(s.mae('side_bend_err'))} (bias {_f(s.bias('side_bend_err'))})"),
        ("pelvis roll MAE (deg)", f"{_f(s.mae('roll_err'))} (bias {_f(s.bias('roll_err'))})"),
        ("forward drift MAE (deg)",
         f"{_f(s.mae('drift_err'))} (bias {_f(s.bias('drift_err'))})"),
        ("top knee angle MAE (deg)",
         f"{_f(s.mae('knee_err'))} (bias {_f(s.bias('knee_err'))})"),
        ("working-leg accuracy", _f(100 * s.leg_accuracy, "{:.1f}%")),
        ("shaking flag accuracy", _f(100 * s.shaking_accuracy, "{:.1f}%")),
    ]
    for f, fc in s.faults().items():
        rows.append(
            (
                f"fault {f}: P / R / F1 (n)",
                f"{fc.precision:.2f} / {fc.recall:.2f} / {fc.f1:.2f} ({fc.support})",
            )
        )
    if rep.pose_model and (rep.analysis_seconds > 0 or not rep.replayed):
        rows += [
            ("real-time factor, whole analysis", f"{rep.realtime_factor:.2f}x"),
            ("whole analysis, frames/s analysed", _f(rep.analysis_fps, "{:.1f}")),
            ("bare pose model, frames/s (same run)", _f(rep.bare_pose_fps, "{:.1f}")),
            (
                "analysis speed / bare model speed",
                _f(100 * rep.analysis_fps / rep.bare_pose_fps, "{:.0f}%")
                if rep.bare_pose_fps and not math.isnan(rep.bare_pose_fps)
                else "n/a",
            ),
        ]
    if rep.replayed:
        rows.append(("clips replayed from stored landmarks (no speed figures)",
                     str(rep.replayed)))
    rows += rep.extra_rows
    if rep.refusals_expected:
        rows.append(
            (
                "bad-input clips refused, right reason",
                f"{rep.refusals_right}/{rep.refusals_expected}",
            )
        )
    rows.append(("good clips wrongly refused", str(rep.refusals_wrong)))
    return rows


def format_table(rep: BenchReport) -> str:
    """The benchmark as one Markdown table (also readable in a terminal)."""
    rows = table_rows(rep)
    width = max(len(k) for k, _ in rows)
    lines = [f"| {'metric'.ljust(width)} | value |", f"|{'-' * (width + 2)}|-------|"]
    lines += [f"| {k.ljust(width)} | {v} |" for k, v in rows]
    assert set(FAULT_IDS) == set(rep.score.faults())
    return "\n".join(lines)


def format_comparison(reports: dict[str, BenchReport]) -> str:
    """Several runs side by side (e.g. ``{"test": ..., "tune": ...}``): one Markdown table,
    one value column per run, in the order given; a row missing from a run shows ``n/a``."""
    cols = {name: dict(table_rows(r)) for name, r in reports.items()}
    keys: list[str] = []
    for r in reports.values():
        keys += [k for k, _ in table_rows(r) if k not in keys]
    width = max(len(k) for k in keys)
    vals = {name: [c.get(k, "n/a") for k in keys] for name, c in cols.items()}
    widths = {name: max(len(name), *(len(v) for v in v_)) for name, v_ in vals.items()}
    head = "| " + "metric".ljust(width) + " | " + " | ".join(
        n.ljust(widths[n]) for n in vals) + " |"
    sep = "|" + "-" * (width + 2) + "|" + "|".join("-" * (widths[n] + 2) for n in vals) + "|"
    lines = [head, sep]
    for i, k in enumerate(keys):
        lines.append("| " + k.ljust(width) + " | " + " | ".join(
            vals[n][i].ljust(widths[n]) for n in vals) + " |")
    return "\n".join(lines)
