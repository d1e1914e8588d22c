"""``hipwise bench stress``: the engine on render-free landmarks with realistic pose errors.

No renderer and no pose model: each scenario of the randomised domain
(:func:`hipwise.synth.domain.make_domain`, by default the *tune* split's seed) is scripted
(:func:`hipwise.synth.script.script_motion`) and turned into stick-figure landmarks
(:func:`hipwise.synth.kinematic.landmarks_from_track`) as a camera like the scenario's would see
them: its lying side, frame rate, body yaw, image size, camera distance, height, field of view,
pitch and roll (the camera's sideways offset and yaw, a mirrored video, a bent bottom leg and
the body's shape other than its height are not modelled). The frames are thinned to the
analysis's ``pose.max_fps`` as the video path does, then three kinds of error are added,
each from its own seeded stream (so the same scenario gets the same noise whatever the
misread rate):

- per-landmark Gaussian pixel noise (``noise_px``, px, independent per frame);
- a smooth, slowly varying error per landmark and axis (``drift_px``, px RMS): a random walk
  pulled back toward zero with the time constant ``drift_s`` (s), i.e. low-pass filtered noise;
- **misreads**: on each analysed frame, with probability ``misread_rate``, a misread starts and
  lasts 1 or 2 frames (even odds). In a misread frame the working (top) leg's knee, ankle, heel
  and toe are mirrored across the body's long axis: across the line through the top hip
  parallel to mid-shoulder → mid-hip, so the leg's angle to the axis changes sign (a leg held
  35° up is read 35° down, ~70° lower, as the pose model did on a rendered clip).

Every clip is analysed twice by :func:`hipwise.analysis.engine.analyze_sequence` (the engine
and contract of ``hipwise analyze``; no input checks: these clips have nothing to refuse):
with the misread guard as configured (``reps.max_leg_speed_deg_s``, 400 deg/s by default) and
without it (that setting at its allowed maximum, :data:`NO_GUARD_DEG_S`, which no change
between two frames can exceed: an angle moves at most 360° and frames come at most 240 per
second, 86 400 deg/s). Both are scored against the script's own labels
(:meth:`~hipwise.synth.script.MotionScript.truth`) with :func:`hipwise.bench.score.score_clip`,
and printed as the rows of ``hipwise bench``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from hipwise.analysis.engine import analyze_sequence, to_contract
from hipwise.bench.runner import BenchReport, Progress, format_comparison
from hipwise.bench.score import ClipScore, SuiteScore, score_clip
from hipwise.bench.splits import SPLIT_SEEDS
from hipwise.contract import Analysis
from hipwise.pose.landmarks import LM, Side, leg_indices, other_side
from hipwise.pose.sequence import FloatArray, PoseSequence
from hipwise.settings import AnalysisConfig, RepConfig
from hipwise.synth.domain import make_domain
from hipwise.synth.kinematic import KinematicBody, KinematicCamera, landmarks_from_track
from hipwise.synth.scenario import Scenario
from hipwise.synth.script import script_motion
from hipwise.video.reader import FrameThinner

__all__ = [
    "DEFAULT_N",
    "DEFAULT_SEED",
    "GUARD",
    "NO_GUARD",
    "NO_GUARD_DEG_S",
    "StressResult",
    "StressSettings",
    "add_drift",
    "clean_landmarks",
    "format_stress",
    "kinematic_body",
    "kinematic_camera",
    "mirror_top_leg",
    "misread_frames",
    "run_stress",
    "stress_clip",
    "stress_landmarks",
    "stress_scenarios",
    "thin",
    "without_guard",
]

logger = logging.getLogger(__name__)

#: Scenarios drawn by default.
DEFAULT_N = 100
#: The domain seed drawn from by default: the *tune* split's (the split looked at while tuning).
DEFAULT_SEED = SPLIT_SEEDS["tune"]

#: Column names of the two runs.
GUARD = "with guard"
NO_GUARD = "without guard"


def _field_max(name: str) -> float:
    """The largest value ``reps.<name>`` accepts (its ``le`` bound)."""
    for m in RepConfig.model_fields[name].metadata:
        le = getattr(m, "le", None)
        if le is not None:
            return float(le)
    raise RuntimeError(f"reps.{name} has no upper bound")  # pragma: no cover


#: ``reps.max_leg_speed_deg_s`` "without the guard": the setting's maximum (deg/s).
NO_GUARD_DEG_S = _field_max("max_leg_speed_deg_s")

# separate random streams per scenario, so one error's setting leaves the others' draws alone
_NOISE, _DRIFT, _MISREAD = 1, 2, 3


@dataclass(frozen=True)
class StressSettings:
    """The pose errors added to the stick-figure landmarks."""

    #: Gaussian pixel noise per landmark and frame (px, standard deviation)
    noise_px: float = 1.5
    #: smooth error per landmark and axis (px, RMS); 0 turns it off
    drift_px: float = 1.0
    #: time constant of the smooth error (s): how slowly it wanders
    drift_s: float = 1.0
    #: chance per analysed frame that a misread (1 or 2 frames of the top leg mirrored) starts
    misread_rate: float = 0.005

    def __post_init__(self) -> None:
        if self.noise_px < 0 or self.drift_px < 0 or self.drift_s <= 0:
            raise ValueError("noise_px and drift_px must be >= 0 and drift_s > 0")
        if not 0.0 <= self.misread_rate <= 1.0:
            raise ValueError(f"misread_rate must be in [0, 1], got {self.misread_rate}")


def stress_scenarios(n: int, seed: int = DEFAULT_SEED) -> list[Scenario]:
    """The first ``n`` scenarios of ``make_domain(n, seed)`` that are leg lifts (all of them
    today; any other variation is skipped, so fewer than ``n`` may come back)."""
    scs = make_domain(n, seed)
    keep = [sc for sc in scs if sc.motion.variation == "leg_lift" and not sc.motion.holds]
    if len(keep) < len(scs):
        logger.info("skipped %d scenarios that are not leg lifts", len(scs) - len(keep))
    return keep


def kinematic_camera(sc: Scenario) -> KinematicCamera:
    """A stick-figure camera like the scenario's: image size (px), distance and height (m),
    field of view, pitch and roll (deg). Its sideways offset and yaw are not modelled."""
    c = sc.camera
    return KinematicCamera(
        width=sc.width, height=sc.height, fov_deg=c.fov_deg, distance_m=c.distance_m,
        height_m=c.height_m, roll_deg=c.roll_deg, pitch_deg=c.pitch_deg,
    )


def kinematic_body(sc: Scenario) -> KinematicBody:
    """The stick figure scaled by the scenario's body height: 0.9x the default segment
    lengths (m) at ``body.height`` 0, 1.1x at 1."""
    k = 0.9 + 0.2 * sc.person.body.height
    b = KinematicBody()
    return KinematicBody(
        shoulder_width=b.shoulder_width * k, hip_width=b.hip_width * k, trunk=b.trunk * k,
        thigh=b.thigh * k, shank=b.shank * k, foot=b.foot * k, upper_arm=b.upper_arm * k,
        forearm=b.forearm * k,
    )


def thin(seq: PoseSequence, max_fps: float | None) -> PoseSequence:
    """The frames the video path analyses at ``pose.max_fps`` (frames/s; ``None``: all),
    chosen by the reader's own :class:`~hipwise.video.reader.FrameThinner`."""
    thinner = FrameThinner(max_fps)
    keep = np.array([thinner.keep(float(t)) for t in seq.t], dtype=bool)
    return PoseSequence(
        t=seq.t[keep], xy=seq.xy[keep], depth=seq.depth[keep], world=seq.world[keep],
        visibility=seq.visibility[keep], image_size=seq.image_size,
    )


def clean_landmarks(
    sc: Scenario, noise_px: float = 0.0, max_fps: float | None = None
) -> tuple[PoseSequence, Analysis]:
    """The scenario's stick-figure landmarks (px) at its frame rate, thinned to ``max_fps``,
    with Gaussian ``noise_px`` (px) seeded by the scenario, and its labels."""
    ms = script_motion(sc)
    track = ms.sample(ms.times())
    seq = landmarks_from_track(
        track, sc.person.lying_on, body=kinematic_body(sc), camera=kinematic_camera(sc),
        noise_px=noise_px, seed=int(np.random.default_rng((sc.seed, _NOISE)).integers(2**31)),
        body_yaw_deg=sc.person.yaw_deg,
    )
    return thin(seq, max_fps), ms.truth()


def add_drift(
    t: FloatArray, shape: tuple[int, ...], drift_px: float, drift_s: float,
    rng: np.random.Generator,
) -> FloatArray:
    """A smooth error ``(T, *shape)`` px over frame times ``t`` (s): per element an
    Ornstein-Uhlenbeck walk (a random walk pulled back to 0, i.e. low-pass filtered white
    noise) with standard deviation ``drift_px`` and time constant ``drift_s``."""
    n = len(t)
    out = np.zeros((n, *shape))
    if n == 0 or drift_px == 0:
        return out
    w = rng.normal(0.0, 1.0, (n, *shape))
    out[0] = drift_px * w[0]
    a = np.exp(-np.diff(t) / drift_s)
    for k in range(1, n):
        out[k] = a[k - 1] * out[k - 1] + np.sqrt(1.0 - a[k - 1] ** 2) * drift_px * w[k]
    return out


def misread_frames(n: int, rate: float, rng: np.random.Generator) -> NDArray[np.bool_]:
    """Which of ``n`` frames are misread: a misread starts on a frame with probability
    ``rate`` and lasts 1 or 2 frames (even odds); about ``1.5 * rate`` of the frames."""
    start = rng.uniform(size=n) < rate
    two = rng.uniform(size=n) < 0.5
    bad = start.copy()
    bad[1:] |= start[:-1] & two[:-1]
    return bad


def mirror_top_leg(xy: FloatArray, frames: NDArray[np.bool_], top: Side) -> FloatArray:
    """``xy (T, 33, 2)`` px with the ``top`` leg's knee, ankle, heel and toe of ``frames``
    mirrored across the line through the top hip parallel to the long axis (mid-shoulder →
    mid-hip): the leg's angle to the axis changes sign, its length stays."""
    out = xy.copy()
    if not np.any(frames):
        return out
    hip_i, *leg = leg_indices(top)
    f = out[frames]
    mid_sh = 0.5 * (f[:, int(LM.LEFT_SHOULDER)] + f[:, int(LM.RIGHT_SHOULDER)])
    mid_hip = 0.5 * (f[:, int(LM.LEFT_HIP)] + f[:, int(LM.RIGHT_HIP)])
    axis = mid_hip - mid_sh
    axis = axis / np.linalg.norm(axis, axis=1, keepdims=True)
    hip = f[:, int(hip_i)]
    for j in leg:
        v = f[:, int(j)] - hip
        along = np.sum(v * axis, axis=1, keepdims=True) * axis
        f[:, int(j)] = hip + 2.0 * along - v
    out[frames] = f
    return out


def stress_landmarks(
    sc: Scenario, settings: StressSettings, max_fps: float | None = None
) -> tuple[PoseSequence, Analysis, NDArray[np.bool_]]:
    """The scenario's landmarks with every error of ``settings`` (deterministic by
    ``sc.seed``), its labels, and which frames were misread."""
    seq, truth = clean_landmarks(sc, settings.noise_px, max_fps)
    xy = seq.xy + add_drift(seq.t, seq.xy.shape[1:], settings.drift_px, settings.drift_s,
                            np.random.default_rng((sc.seed, _DRIFT)))
    bad = misread_frames(len(seq), settings.misread_rate,
                         np.random.default_rng((sc.seed, _MISREAD)))
    xy = mirror_top_leg(xy, bad, other_side(sc.person.lying_on))
    noisy = PoseSequence(t=seq.t, xy=xy, depth=seq.depth, world=seq.world,
                         visibility=seq.visibility, image_size=seq.image_size)
    return noisy, truth, bad


def without_guard(config: AnalysisConfig) -> AnalysisConfig:
    """``config`` with the misread guard off: ``reps.max_leg_speed_deg_s`` at its maximum
    (:data:`NO_GUARD_DEG_S`), faster than any change between two frames."""
    reps = config.reps.model_copy(update={"max_leg_speed_deg_s": NO_GUARD_DEG_S})
    return config.model_copy(update={"reps": reps})


def _description(sc: Scenario) -> str:
    """What the scenario shows (its description after ``make_domain(...) item i: ``)."""
    return sc.description.split(": ", 1)[-1]


def stress_clip(
    sc: Scenario, settings: StressSettings, configs: dict[str, AnalysisConfig]
) -> tuple[dict[str, ClipScore], dict[str, float], int, int]:
    """Analyse one scenario's stressed landmarks once per config (all with the first
    config's ``pose.max_fps``). Returns each run's score and engine time (s), the frames
    analysed and how many of them were misread."""
    first = next(iter(configs.values()))
    seq, truth, bad = stress_landmarks(sc, settings, first.pose.max_fps)
    scores: dict[str, ClipScore] = {}
    seconds: dict[str, float] = {}
    for run, cfg in configs.items():
        t0 = time.perf_counter()
        pred = to_contract(analyze_sequence(seq, cfg), truth.video)
        seconds[run] = time.perf_counter() - t0
        scores[run] = score_clip(sc.name, pred, truth, description=_description(sc))
    return scores, seconds, len(seq), int(bad.sum())


@dataclass
class StressResult:
    """Both runs of ``hipwise bench stress``: a report per run (:data:`GUARD`,
    :data:`NO_GUARD`) plus the errors injected and the wall time (s)."""

    reports: dict[str, BenchReport]
    settings: StressSettings
    seed: int
    frames: int = 0
    misread_frames: int = 0
    seconds: float = 0.0
    engine_seconds: dict[str, float] = field(default_factory=dict)


def run_stress(
    n: int = DEFAULT_N,
    seed: int = DEFAULT_SEED,
    settings: StressSettings | None = None,
    config: AnalysisConfig | None = None,
    progress: Progress | None = None,
    scenarios: list[Scenario] | None = None,
) -> StressResult:
    """Draw ``n`` domain scenarios from ``seed`` (or take ``scenarios`` as given), stress
    their landmarks and score the engine with the misread guard as configured and without it
    (see the module docstring)."""
    st = settings or StressSettings()
    cfg = config or AnalysisConfig()
    configs: dict[str, AnalysisConfig] = {GUARD: cfg, NO_GUARD: without_guard(cfg)}
    scores: dict[str, list[ClipScore]] = {r: [] for r in configs}
    res = StressResult(reports={r: BenchReport(score=SuiteScore(scores[r]), pose_model=False)
                                for r in configs},
                       settings=st, seed=seed, engine_seconds={r: 0.0 for r in configs})
    t0 = time.perf_counter()
    if scenarios is None:
        scenarios = stress_scenarios(n, seed)
    for i, sc in enumerate(scenarios):
        if progress is not None:
            progress(f"stress {sc.name}", i, len(scenarios))
        clip, secs, frames, bad = stress_clip(sc, st, configs)
        res.frames += frames
        res.misread_frames += bad
        for r in configs:
            scores[r].append(clip[r])
            res.engine_seconds[r] += secs[r]
        logger.debug("%s: %d frames, %d misread; reps %s", sc.name, frames, bad,
                     {r: f"{c.predicted_reps}/{c.true_reps}" for r, c in clip.items()})
    if progress is not None:
        progress("stress done", len(scenarios), len(scenarios))
    res.seconds = time.perf_counter() - t0
    for r, rep in res.reports.items():
        per_clip = res.engine_seconds[r] / len(scenarios) if scenarios else float("nan")
        share = 100 * res.misread_frames / max(res.frames, 1)
        rep.extra_rows += [
            ("frames analysed / misread",
             f"{res.frames} / {res.misread_frames} ({share:.2f}%)"),
            ("reps.max_leg_speed_deg_s", f"{configs[r].reps.max_leg_speed_deg_s:g}"),
            ("engine time per clip (s)", f"{per_clip:.2f}"),
        ]
    logger.info("stress: %d clips in %.0f s", len(scenarios), res.seconds)
    return res


def format_stress(res: StressResult) -> str:
    """The two runs side by side as one Markdown table (the rows of ``hipwise bench``)."""
    return format_comparison(dict(res.reports))
