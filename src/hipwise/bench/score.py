"""Scoring an analysis against ground truth (pure: contract in, numbers out).

Predicted reps are matched one-to-one to true reps of the same clip by time: a pair must
overlap, and pairs are taken greedily by the distance between their peak times (the middle of
the hold). Timing and angle errors are measured on matched pairs; fault precision / recall
count a predicted fault on an unmatched rep as a false positive and a true fault on a missed
rep as a false negative.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hipwise.contract import FAULT_IDS, Analysis, FaultId, RepResult

__all__ = ["ClipScore", "FaultCounts", "SuiteScore", "match_reps", "score_clip", "score_suite"]


@dataclass
class FaultCounts:
    """True positives, false positives and false negatives of one fault."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: FaultCounts) -> None:
        """Accumulate ``other`` into this one."""
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def support(self) -> int:
        """How many true instances there were."""
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        """TP / (TP + FP); 1.0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """TP / (TP + FN); 1.0 when nothing was there."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class ClipScore:
    """One clip's comparison."""

    name: str
    true_reps: int
    predicted_reps: int
    matched: int
    peak_err: list[float] = field(default_factory=list)
    lift_err: list[float] = field(default_factory=list)
    hold_err: list[float] = field(default_factory=list)
    lower_err: list[float] = field(default_factory=list)
    #: the measurements behind the form faults, where the labels carry them (deg)
    foot_err: list[float] = field(default_factory=list)
    side_bend_err: list[float] = field(default_factory=list)
    roll_err: list[float] = field(default_factory=list)
    drift_err: list[float] = field(default_factory=list)
    knee_err: list[float] = field(default_factory=list)
    faults: dict[FaultId, FaultCounts] = field(default_factory=dict)
    leg_right: int = 0
    leg_total: int = 0
    shaking_right: int = 0
    shaking_total: int = 0
    #: was the first labelled rep matched (None: the clip has no labelled rep)
    first_rep_matched: bool | None = None
    #: the analysis refused the clip (set by the runner)
    refused: bool = False
    #: what went wrong, for ``--per-clip``: missed true reps, extra predicted reps, and
    #: per matched rep the faults missed (``-hip_hike``) and called falsely (``+bent_knee``)
    missed: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    fault_errors: list[str] = field(default_factory=list)
    #: what the clip shows (the scenario description of synth labels), for ``--per-clip``
    description: str = ""

    @property
    def exact_count(self) -> bool:
        """Did the analysis count exactly the true number of reps?"""
        return self.true_reps == self.predicted_reps

    @property
    def false_refusal(self) -> bool:
        """A person exercised (labelled reps) but the analysis refused or found no rep."""
        return self.true_reps > 0 and (self.refused or self.predicted_reps == 0)

    def summary(self) -> str:
        """One line for ``hipwise bench --per-clip``: counts, then every miss."""
        parts = [f"reps {self.predicted_reps}/{self.true_reps}"]
        if self.refused:
            parts.append("REFUSED")
        if self.first_rep_matched is False:
            parts.append("first rep missed")
        if self.missed:
            parts.append("missed " + ", ".join(self.missed))
        if self.extra:
            parts.append("extra " + ", ".join(self.extra))
        if self.fault_errors:
            parts.append("faults " + "; ".join(self.fault_errors))
        if self.peak_err:
            parts.append("peak err [" + ", ".join(f"{e:+.1f}" for e in self.peak_err) + "]")
        if self.lift_err:
            parts.append(
                "lift/hold/lower err ["
                + ", ".join(
                    f"{a:+.2f}/{b:+.2f}/{c:+.2f}"
                    for a, b, c in zip(self.lift_err, self.hold_err, self.lower_err, strict=True)
                )
                + "]"
            )
        head = f"{self.name}" + (f" ({self.description})" if self.description else "")
        return f"{head}: " + "; ".join(parts)


def _flatten(a: Analysis) -> list[tuple[str, RepResult]]:
    return [(s.working_leg, r) for s in a.sets for r in s.reps]


def match_reps(
    pred: list[RepResult], true: list[RepResult]
) -> list[tuple[int, int]]:
    """Index pairs ``(i_pred, i_true)`` of reps that overlap in time, closest peaks first."""
    cands: list[tuple[float, int, int]] = []
    for i, p in enumerate(pred):
        for j, t in enumerate(true):
            if p.start_s < t.end_s and t.start_s < p.end_s:
                cands.append((abs(p.peak_s - t.peak_s), i, j))
    used_p: set[int] = set()
    used_t: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, i, j in sorted(cands):
        if i not in used_p and j not in used_t:
            used_p.add(i)
            used_t.add(j)
            pairs.append((i, j))
    return sorted(pairs)


#: ClipScore error list ← RepResult field, for the posture measurements
_POSTURE_ERRORS: tuple[tuple[str, str], ...] = (
    ("foot_err", "foot_rotation_deg"),
    ("side_bend_err", "side_bend_change_deg"),
    ("roll_err", "pelvis_roll_deg"),
    ("drift_err", "forward_drift_deg"),
    ("knee_err", "min_knee_deg"),
)


def _span(r: RepResult) -> str:
    return f"{r.start_s:.1f}-{r.end_s:.1f}s"


def score_clip(
    name: str, pred: Analysis, true: Analysis, refused: bool = False, description: str = ""
) -> ClipScore:
    """Compare one clip's analysis with its labels (``refused``: the analysis refused it)."""
    p_reps = _flatten(pred)
    t_reps = _flatten(true)
    pairs = match_reps([r for _, r in p_reps], [r for _, r in t_reps])
    sc = ClipScore(name, len(t_reps), len(p_reps), len(pairs), refused=refused,
                   description=description)
    sc.faults = {f: FaultCounts() for f in FAULT_IDS}
    mp = {i for i, _ in pairs}
    mt = {j for _, j in pairs}
    if t_reps:
        first = min(range(len(t_reps)), key=lambda j: t_reps[j][1].start_s)
        sc.first_rep_matched = first in mt
    for j, (_, t) in enumerate(t_reps):
        if j not in mt:
            sc.missed.append(f"rep {t.index} [{_span(t)}]" +
                             (f" {'+'.join(t.faults)}" if t.faults else ""))
    for i, (_, p) in enumerate(p_reps):
        if i not in mp:
            sc.extra.append(f"[{_span(p)}]" + (f" {'+'.join(p.faults)}" if p.faults else ""))
    for i, j in pairs:
        p_f, t_f = set(p_reps[i][1].faults), set(t_reps[j][1].faults)
        if p_f != t_f:
            errs = [f"-{f}" for f in FAULT_IDS if f in t_f - p_f]
            errs += [f"+{f}" for f in FAULT_IDS if f in p_f - t_f]
            sc.fault_errors.append(f"rep {t_reps[j][1].index}: {' '.join(errs)}")
    for i, j in pairs:
        (pl, p), (tl, t) = p_reps[i], t_reps[j]
        sc.peak_err.append(p.peak_abduction_deg - t.peak_abduction_deg)
        sc.lift_err.append(p.lift_s - t.lift_s)
        sc.hold_err.append(p.hold_s - t.hold_s)
        sc.lower_err.append(p.lower_s - t.lower_s)
        for attr, name in _POSTURE_ERRORS:
            pv, tv = getattr(p, name), getattr(t, name)
            if pv is not None and tv is not None:
                getattr(sc, attr).append(pv - tv)
        sc.leg_total += 1
        sc.leg_right += int(pl == tl)
        if t.shaking is not None:
            sc.shaking_total += 1
            sc.shaking_right += int(bool(p.shaking) == t.shaking)
        for f in FAULT_IDS:
            inp, intr = f in p.faults, f in t.faults
            sc.faults[f].tp += int(inp and intr)
            sc.faults[f].fp += int(inp and not intr)
            sc.faults[f].fn += int(intr and not inp)
    for i, (_, p) in enumerate(p_reps):
        if i not in mp:
            for f in p.faults:
                sc.faults[f].fp += 1
    for j, (_, t) in enumerate(t_reps):
        if j not in mt:
            for f in t.faults:
                sc.faults[f].fn += 1
    return sc


@dataclass
class SuiteScore:
    """All clips together."""

    clips: list[ClipScore]

    def _all(self, attr: str) -> list[float]:
        return [e for c in self.clips for e in getattr(c, attr)]

    def mae(self, attr: str) -> float:
        """Mean absolute error over matched reps of ``peak_err``/``lift_err``/..."""
        v = self._all(attr)
        return float(np.mean(np.abs(v))) if v else float("nan")

    def bias(self, attr: str) -> float:
        """Mean signed error of ``attr``."""
        v = self._all(attr)
        return float(np.mean(v)) if v else float("nan")

    @property
    def exact_count_rate(self) -> float:
        """Share of clips with exactly the true number of reps."""
        return float(np.mean([c.exact_count for c in self.clips])) if self.clips else 0.0

    @property
    def count_mae(self) -> float:
        """Mean absolute rep-count error per clip."""
        if not self.clips:
            return float("nan")
        return float(np.mean([abs(c.predicted_reps - c.true_reps) for c in self.clips]))

    @property
    def first_rep_recall(self) -> float:
        """Share of clips with labelled reps whose first labelled rep was matched."""
        v = [c.first_rep_matched for c in self.clips if c.first_rep_matched is not None]
        return float(np.mean(v)) if v else float("nan")

    @property
    def false_refusals(self) -> int:
        """Clips of a person exercising that were refused or gave no rep."""
        return sum(c.false_refusal for c in self.clips)

    @property
    def rep_recall(self) -> float:
        """Matched reps over labelled reps."""
        tot = sum(c.true_reps for c in self.clips)
        return sum(c.matched for c in self.clips) / tot if tot else float("nan")

    @property
    def rep_precision(self) -> float:
        """Matched reps over predicted reps."""
        tot = sum(c.predicted_reps for c in self.clips)
        return sum(c.matched for c in self.clips) / tot if tot else float("nan")

    @property
    def leg_accuracy(self) -> float:
        """Share of matched reps attributed to the right working leg."""
        tot = sum(c.leg_total for c in self.clips)
        return sum(c.leg_right for c in self.clips) / tot if tot else float("nan")

    @property
    def shaking_accuracy(self) -> float:
        """Share of matched reps whose shaking flag is right."""
        tot = sum(c.shaking_total for c in self.clips)
        return sum(c.shaking_right for c in self.clips) / tot if tot else float("nan")

    def faults(self) -> dict[FaultId, FaultCounts]:
        """Fault counts summed over clips."""
        out = {f: FaultCounts() for f in FAULT_IDS}
        for c in self.clips:
            for f, fc in c.faults.items():
                out[f].add(fc)
        return out


def score_suite(clips: list[ClipScore]) -> SuiteScore:
    """Bundle clip scores."""
    return SuiteScore(clips)
