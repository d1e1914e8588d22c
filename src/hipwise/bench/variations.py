"""Benchmark rows for the exercise variations (pure: contract in, numbers out).

Per clip, every true set is paired with the predicted set on the same leg that overlaps it
most in time. Scored: the variation label; holds (matched by overlap: count, hold time, mean
angle, sag, shaking flag); circles (matched one-to-one by overlap: count per clip, direction,
diameter). Clamshell and wall-slide reps are scored by the ordinary rep rows (count, peak
angle = opening, faults).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from hipwise.contract import Analysis, CircleResult, HoldResult, SetResult

__all__ = ["VariationClipScore", "score_variations", "variation_rows"]


@dataclass
class VariationClipScore:
    """One clip's variation comparison (errors are predicted − true)."""

    name: str
    sets_true: int = 0
    variation_right: int = 0
    holds_true: int = 0
    holds_pred: int = 0
    hold_s_err: list[float] = field(default_factory=list)
    hold_angle_err: list[float] = field(default_factory=list)
    sag_err: list[float] = field(default_factory=list)
    hold_shaking_right: int = 0
    hold_shaking_total: int = 0
    circles_true: int = 0
    circles_pred: int = 0
    circles_matched: int = 0
    direction_right: int = 0
    diameter_err: list[float] = field(default_factory=list)
    variations: list[str] = field(default_factory=list)


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def _span(s: SetResult) -> tuple[float, float]:
    times = [(r.start_s, r.end_s) for r in s.reps]
    times += [(h.start_s, h.end_s) for h in s.holds or []]
    times += [(c.start_s, c.end_s) for c in s.circles or []]
    if not times:
        return (0.0, 0.0)
    return (min(t[0] for t in times), max(t[1] for t in times))


def _match(
    pred: Sequence[HoldResult | CircleResult], true: Sequence[HoldResult | CircleResult]
) -> list[tuple[int, int]]:
    """Index pairs ``(i_pred, i_true)`` that overlap in time, largest overlap first."""
    cands = sorted(
        ((-_overlap(p.start_s, p.end_s, t.start_s, t.end_s), i, j)
         for i, p in enumerate(pred) for j, t in enumerate(true)),
    )
    used_p: set[int] = set()
    used_t: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for neg, i, j in cands:
        if neg < 0 and i not in used_p and j not in used_t:
            used_p.add(i)
            used_t.add(j)
            pairs.append((i, j))
    return pairs


def score_variations(name: str, pred: Analysis, true: Analysis) -> VariationClipScore:
    """Compare one clip's variation results with its labels."""
    sc = VariationClipScore(name)
    for ts in true.sets:
        t0, t1 = _span(ts)
        cands = [ps for ps in pred.sets if ps.working_leg == ts.working_leg]
        best = max(cands, key=lambda ps: _overlap(*_span(ps), t0, t1), default=None)
        if best is not None and _overlap(*_span(best), t0, t1) <= 0:
            best = None
        sc.sets_true += 1
        tv = ts.variation or "leg_lift"
        sc.variations.append(tv)
        pv = (best.variation or "leg_lift") if best is not None else None
        sc.variation_right += int(pv == tv)
        t_holds = ts.holds or []
        p_holds = (best.holds or []) if best is not None else []
        sc.holds_true += len(t_holds)
        sc.holds_pred += len(p_holds)
        for i, j in _match(p_holds, t_holds):
            p, t = p_holds[i], t_holds[j]
            sc.hold_s_err.append(p.hold_s - t.hold_s)
            sc.hold_angle_err.append(p.mean_abduction_deg - t.mean_abduction_deg)
            sc.sag_err.append(p.sag_deg - t.sag_deg)
            sc.hold_shaking_total += 1
            sc.hold_shaking_right += int(p.shaking == t.shaking)
        t_c = ts.circles or []
        p_c = (best.circles or []) if best is not None else []
        sc.circles_true += len(t_c)
        sc.circles_pred += len(p_c)
        for i, j in _match(p_c, t_c):
            sc.circles_matched += 1
            sc.direction_right += int(p_c[i].direction == t_c[j].direction)
            sc.diameter_err.append(p_c[i].diameter_cm - t_c[j].diameter_cm)
    return sc


def _mae(v: list[float]) -> str:
    if not v:
        return "n/a"
    return f"{float(np.mean(np.abs(v))):.2f} (bias {float(np.mean(v)):+.2f})"


def _pct(a: int, b: int) -> str:
    return f"{a}/{b} ({100.0 * a / b:.0f}%)" if b else "n/a"


def variation_rows(scores: list[VariationClipScore]) -> list[tuple[str, str]]:
    """Table rows (metric, value) over clips whose labels name a variation other than a plain
    leg lift; empty when there is none."""
    scores = [s for s in scores if any(v != "leg_lift" for v in s.variations)]
    if not scores:
        return []
    hold_clips = [s for s in scores if s.holds_true]
    circle_clips = [s for s in scores if s.circles_true]

    def cat(attr: str) -> list[float]:
        return [e for s in scores for e in getattr(s, attr)]

    rows = [
        ("variation clips", str(len(scores))),
        ("variation label accuracy (sets)",
         _pct(sum(s.variation_right for s in scores), sum(s.sets_true for s in scores))),
    ]
    if hold_clips:
        rows += [
            ("holds found / true", f"{sum(s.holds_pred for s in hold_clips)}/"
                                   f"{sum(s.holds_true for s in hold_clips)}"),
            ("hold time MAE (s)", _mae(cat("hold_s_err"))),
            ("hold mean-angle MAE (deg)", _mae(cat("hold_angle_err"))),
            ("hold sag MAE (deg)", _mae(cat("sag_err"))),
            ("hold shaking flag accuracy",
             _pct(sum(s.hold_shaking_right for s in scores),
                  sum(s.hold_shaking_total for s in scores))),
        ]
    if circle_clips:
        exact = sum(s.circles_pred == s.circles_true for s in circle_clips)
        count_mae = float(np.mean([abs(s.circles_pred - s.circles_true) for s in circle_clips]))
        rows += [
            ("circle clips with exact count", _pct(exact, len(circle_clips))),
            ("circle count MAE (circles/clip)", f"{count_mae:.2f}"),
            ("circle direction accuracy (matched)",
             _pct(sum(s.direction_right for s in circle_clips),
                  sum(s.circles_matched for s in circle_clips))),
            ("circle diameter MAE (cm)", _mae(cat("diameter_err"))),
        ]
    return rows
