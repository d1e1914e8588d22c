"""What a report is built from, and small pure views of it (no I/O, no plotting).

A report needs only the contract (:class:`~hipwise.contract.Analysis`) and the engine's
per-frame states (:class:`~hipwise.reps.session.FrameState`); landmarks and video frames are
optional extras (skeleton key frames, annotated video). ``hipwise analyze`` and the live coach
build the same :class:`ReportInput`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from hipwise.contract import Analysis, CircleResult, FaultId, RepResult, SetResult, Variation
from hipwise.faults import FAULT_RULES
from hipwise.pose.sequence import FloatArray, PoseSequence
from hipwise.reps.measure import CHANNELS
from hipwise.reps.session import FrameState
from hipwise.settings import AnalysisConfig
from hipwise.variations.engine import VariationSet
from hipwise.variations.summary import VARIATION_NAMES

__all__ = [
    "FAULT_LABELS",
    "AnalysedVideo",
    "CircleSummary",
    "FrameSource",
    "HoldSummary",
    "RepPhaseTimes",
    "RepWords",
    "ReportInput",
    "SetSummary",
    "by_priority",
    "channel_series",
    "circle_hold",
    "fault_cue",
    "fault_label",
    "heel_forward_cm",
    "is_isometric",
    "primary_cue",
    "rep_phase_times",
    "rep_words",
    "set_headline",
    "set_title",
    "set_variation",
    "set_window",
    "side_summaries",
    "summarise_circles",
    "summarise_holds",
    "summarise_set",
]

#: Video frames for key frames and the annotated video: a file path (decoded with
#: :func:`hipwise.video.open_video`) or an iterable of ``(t seconds, rgb (H, W, 3) uint8)``.
FrameSource = str | Path | Iterable[tuple[float, NDArray[np.uint8]]]

#: Short, plain names of the faults for chips and chart labels.
FAULT_LABELS: dict[FaultId, str] = {
    "too_high": "too high",
    "too_fast": "too fast",
    "no_hold": "no hold",
    "dropped": "dropped",
    "toes_up": "toes up",
    "hip_hike": "hip hike",
    "pelvis_roll": "pelvis roll",
    "forward_drift": "forward drift",
    "bent_knee": "bent knee",
}


class _EngineView(Protocol):
    """What a report reads of the engine's result
    (:class:`~hipwise.analysis.engine.EngineResult`)."""

    @property
    def frames(self) -> Sequence[FrameState]: ...

    @property
    def variation_sets(self) -> Sequence[VariationSet] | None: ...


class _PoseRunView(Protocol):
    """What a report reads of the pose run (:class:`~hipwise.pose.mediapipe_adapter.PoseRun`)."""

    @property
    def poses(self) -> PoseSequence | None: ...


class AnalysedVideo(Protocol):
    """One analysed video as a report reads it: the contract, the engine's frame states and
    variation sets, the landmarks and the video's path. :class:`~hipwise.analysis.video.
    VideoAnalysis` is one; the report does not depend on the analysis package."""

    @property
    def analysis(self) -> Analysis: ...

    @property
    def engine(self) -> _EngineView: ...

    @property
    def run(self) -> _PoseRunView: ...

    @property
    def path(self) -> Path: ...


@dataclass(frozen=True)
class ReportInput:
    """Everything one report shows.

    ``analysis``: the contract. ``frames``: the engine's states, one per analysed frame, in time
    order. ``settings``: the analysis settings used (shown in the report). ``poses``: the
    landmarks of the analysed frames in pixels (optional: skeletons). ``video``: the frames
    (optional: photo key frames and the annotated video). ``title``: what was analysed (a file
    name, "live set ..."). ``variation_sets``: the engine's
    :class:`~hipwise.variations.engine.VariationSet` list the contract's sets were made from,
    one per set in the same order (optional: measurements the contract does not carry, such as
    the wall slide's heel excursion).
    """

    analysis: Analysis
    frames: Sequence[FrameState]
    settings: AnalysisConfig
    poses: PoseSequence | None = None
    video: FrameSource | None = None
    title: str = "hipwise set"
    variation_sets: Sequence[VariationSet] | None = None


@dataclass(frozen=True)
class RepPhaseTimes:
    """Phase boundaries of one rep in seconds (the engine's fitted boundaries)."""

    lift_start: float
    lift_end: float
    lower_start: float
    lower_end: float


def rep_phase_times(rep: RepResult) -> RepPhaseTimes:
    """Phase boundaries (s) recovered from the contract: the lift starts at ``start_s`` and
    lasts ``lift_s``, the lower ends at ``end_s`` and lasts ``lower_s``; the hold lies between."""
    lift_end = rep.start_s + rep.lift_s
    lower_start = max(lift_end, rep.end_s - rep.lower_s)
    return RepPhaseTimes(rep.start_s, lift_end, lower_start, rep.end_s)


def fault_label(fault: FaultId) -> str:
    """Short display name of a fault (``"toes up"``)."""
    return FAULT_LABELS.get(fault, fault.replace("_", " "))


def fault_cue(fault: FaultId) -> str:
    """The plain-language cue of a fault (from the fault registry)."""
    rule = FAULT_RULES.get(fault)
    return rule.cue if rule is not None else ""


def by_priority(faults: Sequence[FaultId]) -> list[FaultId]:
    """``faults`` most important first (lowest registry priority; unknown ids last)."""
    return sorted(faults, key=lambda f: FAULT_RULES[f].priority if f in FAULT_RULES else 1 << 30)


def primary_cue(faults: Sequence[FaultId]) -> str | None:
    """The cue of the most important fault (lowest registry priority), or None if none."""
    ranked = [f for f in by_priority(faults) if f in FAULT_RULES]
    return FAULT_RULES[ranked[0]].cue if ranked else None


@dataclass(frozen=True)
class SetSummary:
    """At-a-glance numbers of one set: counts, peak range (deg), mean tempo (s) and the lower
    target (2 x lift, s); NaN where the set has no reps."""

    good: int
    total: int
    peak_min_deg: float
    peak_max_deg: float
    lift_mean_s: float
    hold_mean_s: float
    lower_mean_s: float
    lower_target_s: float
    faults: dict[FaultId, int]


def summarise_set(s: SetResult, lower_ratio_target: float = 2.0) -> SetSummary:
    """Counts, peak range and mean tempo of one set; ``lower_ratio_target`` x the mean lift is
    the lower target (DOMAIN.md: lower twice as slowly as the lift)."""
    nan = float("nan")
    reps = s.reps
    counts: dict[FaultId, int] = {}
    for r in reps:
        for f in r.faults:
            counts[f] = counts.get(f, 0) + 1
    if not reps:
        return SetSummary(0, 0, nan, nan, nan, nan, nan, nan, counts)
    peaks = np.array([r.peak_abduction_deg for r in reps])
    lift = float(np.mean([r.lift_s for r in reps]))
    return SetSummary(
        good=s.good_reps,
        total=len(reps),
        peak_min_deg=float(peaks.min()),
        peak_max_deg=float(peaks.max()),
        lift_mean_s=lift,
        hold_mean_s=float(np.mean([r.hold_s for r in reps])),
        lower_mean_s=float(np.mean([r.lower_s for r in reps])),
        lower_target_s=lower_ratio_target * lift,
        faults=counts,
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def set_variation(s: SetResult) -> Variation:
    """The set's variation (an absent ``variation`` is a leg lift)."""
    return s.variation or "leg_lift"


def is_isometric(s: SetResult) -> bool:
    """True for isometric holds (with or without circles): holds, no reps."""
    return set_variation(s) in ("isometric_hold", "isometric_circles")


@dataclass(frozen=True)
class RepWords:
    """How a set's reps are named on the page: ``rep`` (singular noun), ``peak`` (the angle's
    name in tables), ``angle`` (the angle's name on a chart axis) and the three phases."""

    rep: str
    peak: str
    angle: str
    phases: tuple[str, str, str]


def rep_words(s: SetResult) -> RepWords:
    """Clamshell reps are openings measured from closed; every other variation lifts."""
    if set_variation(s) == "clamshell":
        return RepWords("opening", "opening", "opening", ("open", "hold", "close"))
    return RepWords("rep", "peak", "abduction", ("lift", "hold", "lower"))


def set_title(s: SetResult, index: int, multi: bool) -> str:
    """A set's heading: ``"Right leg"`` (``"Set 2 · right leg"`` with several sets) for a leg
    lift, as before; other variations are named: ``"Isometric hold with circles, right leg"``
    (``"Set 2 · isometric hold with circles, right leg"``)."""
    var = set_variation(s)
    if var == "leg_lift":
        leg = f"{s.working_leg} leg"
        return f"Set {index} · {leg}" if multi else leg.capitalize()
    name = f"{VARIATION_NAMES.get(var, var.replace('_', ' '))}, {s.working_leg} leg"
    return f"Set {index} · {name}" if multi else name[0].upper() + name[1:]


def _circle_counts(circles: Sequence[CircleResult]) -> tuple[int, int]:
    cw = sum(1 for c in circles if c.direction == "clockwise")
    return cw, len(circles) - cw


def set_headline(s: SetResult) -> str:
    """``"8 good reps of 10 · right leg"``; clamshell ``"3 good openings of 3 · left leg"``;
    isometric hold ``"1 hold, 12.0 s held · right leg"``; with circles ``"10 circles: 5
    clockwise, 5 counter-clockwise · left leg"``."""
    var = set_variation(s)
    leg = f"{s.working_leg} leg"
    if var == "isometric_circles":
        cw, ccw = _circle_counts(s.circles or [])
        return (f"{_plural(cw + ccw, 'circle')}: {cw} clockwise, {ccw} counter-clockwise · "
                f"{leg}")
    if var == "isometric_hold":
        holds = s.holds or []
        held = sum(h.hold_s for h in holds)
        return f"{_plural(len(holds), 'hold')}, {held:.1f} s held · {leg}"
    word = rep_words(s).rep
    good, total = s.good_reps, len(s.reps)
    return f"{good} good {word}{'' if good == 1 else 's'} of {total} · {leg}"


def side_summaries(analysis: Analysis) -> dict[str, tuple[int, int]]:
    """Good and total reps per working leg over all sets, legs in order of first appearance."""
    out: dict[str, tuple[int, int]] = {}
    for s in analysis.sets:
        good, total = out.get(s.working_leg, (0, 0))
        out[s.working_leg] = (good + s.good_reps, total + len(s.reps))
    return out


def set_window(
    s: SetResult, margin_s: float, t_max: float | None = None, hold_margin_s: float | None = None
) -> tuple[float, float]:
    """Time window (s) of a set for charts: first rep start - margin to last rep end + margin
    (holds: first hold start - ``hold_margin_s`` to last hold end + ``hold_margin_s``, so the
    lift and the lower around them show; ``margin_s`` when None), clipped to [0, t_max]."""
    spans = [(r.start_s - margin_s, r.end_s + margin_s) for r in s.reps]
    hm = margin_s if hold_margin_s is None else hold_margin_s
    spans += [(h.start_s - hm, h.end_s + hm) for h in s.holds or []]
    if not spans:
        return 0.0, t_max or 0.0
    lo = max(0.0, min(a for a, _ in spans))
    hi = max(b for _, b in spans)
    if t_max is not None and t_max > 0:
        hi = min(hi, t_max)
    return lo, hi


def channel_series(frames: Sequence[FrameState], name: str) -> tuple[FloatArray, FloatArray]:
    """``(t (N,), values (N,))`` of one engine channel over all frames: ``"abduction_zeroed"``
    (abduction above the person's rest, deg; NaN before the rest is known) or one of
    :data:`hipwise.reps.measure.CHANNELS` (raw, deg; NaN where not measured)."""
    t = np.array([f.t for f in frames], dtype=np.float64)
    if name == "abduction_zeroed":
        v = np.array(
            [np.nan if f.abduction_deg is None else f.abduction_deg for f in frames],
            dtype=np.float64,
        )
        return t, v
    k = CHANNELS.index(name)
    v = np.array([f.channels[k] if len(f.channels) > k else np.nan for f in frames],
                 dtype=np.float64)
    return t, v


@dataclass(frozen=True)
class HoldSummary:
    """At-a-glance numbers of a set's isometric holds: count, time held (s; total and longest),
    mean angle over all holds weighted by their time (deg), the largest sag (deg) and how many
    holds shook. NaN where there is no hold."""

    count: int
    total_s: float
    longest_s: float
    mean_abduction_deg: float
    max_sag_deg: float
    shaking: int


def summarise_holds(s: SetResult) -> HoldSummary:
    """Summary of ``s.holds`` (empty set: zero counts, NaN numbers)."""
    holds = s.holds or []
    if not holds:
        nan = float("nan")
        return HoldSummary(0, 0.0, nan, nan, nan, 0)
    held = np.array([h.hold_s for h in holds])
    angles = np.array([h.mean_abduction_deg for h in holds])
    mean = float(np.average(angles, weights=held)) if held.sum() > 0 else float(angles.mean())
    return HoldSummary(
        count=len(holds),
        total_s=float(held.sum()),
        longest_s=float(held.max()),
        mean_abduction_deg=mean,
        max_sag_deg=max(h.sag_deg for h in holds),
        shaking=sum(1 for h in holds if h.shaking),
    )


@dataclass(frozen=True)
class CircleSummary:
    """Circles of a set against the prescription: counts per direction (as seen in the video
    image), the target per direction, diameters (cm: mean, smallest, largest; NaN without
    circles), the target diameter (cm) and whether the mean is within ``tolerance`` of it."""

    clockwise: int
    counterclockwise: int
    target_per_direction: int
    mean_cm: float
    min_cm: float
    max_cm: float
    target_cm: float
    size_ok: bool

    @property
    def count_ok(self) -> bool:
        """At least the target number of circles each way."""
        return min(self.clockwise, self.counterclockwise) >= self.target_per_direction

    @property
    def size_word(self) -> str:
        """``"about a dinner plate"``, ``"smaller ..."`` or ``"larger than a dinner plate"``
        (empty without circles)."""
        if not np.isfinite(self.mean_cm):
            return ""
        if self.size_ok:
            return "about a dinner plate"
        return ("smaller" if self.mean_cm < self.target_cm else "larger") + " than a dinner plate"


def summarise_circles(
    s: SetResult, target_per_direction: int, target_cm: float, tolerance: float
) -> CircleSummary:
    """Summary of ``s.circles`` against ``target_per_direction`` circles each way and a mean
    diameter within ``tolerance`` (fraction) of ``target_cm``."""
    circles = s.circles or []
    cw, ccw = _circle_counts(circles)
    if not circles:
        nan = float("nan")
        return CircleSummary(cw, ccw, target_per_direction, nan, nan, nan, target_cm, False)
    d = np.array([c.diameter_cm for c in circles])
    mean = float(d.mean())
    return CircleSummary(
        clockwise=cw,
        counterclockwise=ccw,
        target_per_direction=target_per_direction,
        mean_cm=mean,
        min_cm=float(d.min()),
        max_cm=float(d.max()),
        target_cm=target_cm,
        size_ok=abs(mean - target_cm) <= tolerance * target_cm,
    )


def circle_hold(s: SetResult, circle: CircleResult) -> int | None:
    """1-based index of the hold of ``s`` the circle was drawn in (its middle inside the hold),
    or None."""
    mid = 0.5 * (circle.start_s + circle.end_s)
    for i, h in enumerate(s.holds or [], start=1):
        if h.start_s <= mid <= h.end_s:
            return i
    return None


def heel_forward_cm(inp: ReportInput, set_index: int) -> list[float] | None:
    """The wall slide's heel excursion toward the camera per rep (cm, NaN = not seen) of set
    ``set_index`` (1-based), from ``inp.variation_sets``; None when not known (no variation
    sets, not a wall slide, or the engine's set does not match the contract's)."""
    vsets = inp.variation_sets
    sets = inp.analysis.sets
    if vsets is None or len(vsets) != len(sets) or not 1 <= set_index <= len(sets):
        return None
    s, vs = sets[set_index - 1], vsets[set_index - 1]
    if set_variation(s) != "wall_slide" or vs.variation != "wall_slide":
        return None
    if vs.side != s.working_leg or len(vs.heel_forward_cm) != len(s.reps):
        return None
    return [float(x) for x in vs.heel_forward_cm]
