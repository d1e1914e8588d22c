"""Report charts as inline SVG strings, drawn with matplotlib (pure: data in, SVG text out).

matplotlib (already a dependency) renders on the CPU without a display and writes SVG whose
text stays text, so the charts are sharp on any screen, need no JavaScript and make no request.
Each chart's element ids are prefixed so several SVGs can live in one HTML page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from hipwise.contract import FaultId, SetResult
from hipwise.kinematics.angles import side_bend_change_deg
from hipwise.pose.sequence import FloatArray
from hipwise.report.model import (
    by_priority,
    channel_series,
    fault_label,
    rep_phase_times,
    rep_words,
    set_variation,
)
from hipwise.reps.session import FrameState
from hipwise.settings import AnalysisConfig

__all__ = [
    "COLOURS",
    "angle_chart",
    "posture_chart",
    "rest_baseline",
    "scope_svg_ids",
    "tempo_chart",
    "window_mask",
]

#: Colours shared by the charts and the HTML (CSS uses the same values).
COLOURS: dict[str, str] = {
    "angle": "#1f4e79",
    "lift": "#4e9bd6",
    "hold": "#f2b134",
    "lower": "#9b72cf",
    "good": "#2e9d5b",
    "fault": "#d64545",
    "threshold": "#8a8a8a",
    "foot": "#1f7a70",
    "clockwise": "#2a6f97",
    "counterclockwise": "#c2571a",
    "side_bend": "#b5562b",  # the trunk side-bend trace (from the waist and hip_gap channels)
    "grid": "#e6e6e6",
    "text": "#222222",
}

_FONT_STACK = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
_PX_PER_IN = 72.0
_TIMING_FAULTS: dict[str, FaultId] = {"lift": "too_fast", "hold": "no_hold", "lower": "dropped"}


def _rc(font_pt: float) -> Any:
    return {
        "svg.fonttype": "none",
        "font.size": font_pt,
        "axes.edgecolor": "#b0b0b0",
        "axes.labelcolor": COLOURS["text"],
        "axes.spines.top": False,
        "axes.spines.right": False,
        "xtick.color": "#555555",
        "ytick.color": "#555555",
        "axes.grid": True,
        "grid.color": COLOURS["grid"],
        "grid.linewidth": 0.8,
        "legend.frameon": False,
    }


def scope_svg_ids(svg: str, prefix: str) -> str:
    """Prefix every ``id`` and ``#id`` reference in ``svg`` with ``prefix`` (several inline SVGs
    in one page must not share clip-path or marker ids)."""
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})", svg)
    return re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}-{m.group(1)}"', svg)


def _to_svg(fig: Any, prefix: str, label: str, css_class: str) -> str:
    """Serialise a figure to an inline ``<svg>`` element: no XML prolog, no fixed size (CSS
    scales it by its viewBox), ids scoped, system fonts, ``role="img"`` with ``label``, CSS
    class ``chart`` plus ``css_class``."""
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": prefix}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r'(<svg[^>]*?)\s(width|height)="[^"]*"', r"\1", svg, count=1)
    svg = re.sub(r'(<svg[^>]*?)\s(width|height)="[^"]*"', r"\1", svg, count=1)
    svg = svg.replace("'DejaVu Sans'", _FONT_STACK.replace("'", "")).replace(
        "font-family: DejaVu Sans", f"font-family: {_FONT_STACK.replace(chr(39), '')}"
    )
    safe = label.replace('"', "&quot;").replace("<", "&lt;")
    cls = f"chart {css_class}".strip()
    svg = svg.replace("<svg", f'<svg role="img" aria-label="{safe}" class="{cls}"', 1)
    return scope_svg_ids(svg, prefix)


def window_mask(t: FloatArray, window: tuple[float, float]) -> Any:
    """Boolean mask ``(N,)`` of ``t`` (s) inside ``[lo, hi]``."""
    return (t >= window[0]) & (t <= window[1])


def rest_baseline(t: FloatArray, values: FloatArray, s: SetResult) -> float:
    """Median of ``values`` (deg) over the set's samples at rest (outside every rep and within
    the set's window); falls back to the median over all finite samples; NaN if none."""
    rest = np.isfinite(values)
    for r in s.reps:
        rest &= ~((t >= r.start_s) & (t <= r.end_s))
    pick = values[rest] if np.any(rest) else values[np.isfinite(values)]
    return float(np.median(pick)) if pick.size else float("nan")


def _shade_reps(ax: Any, s: SetResult) -> None:
    for r in s.reps:
        p = rep_phase_times(r)
        ax.axvspan(p.lift_start, p.lift_end, color=COLOURS["lift"], alpha=0.18, lw=0)
        ax.axvspan(p.lift_end, p.lower_start, color=COLOURS["hold"], alpha=0.22, lw=0)
        ax.axvspan(p.lower_start, p.lower_end, color=COLOURS["lower"], alpha=0.18, lw=0)


def _shade_holds(ax: Any, s: SetResult) -> None:
    """Each isometric hold shaded in the hold colour, its mean angle dashed across it and
    labelled with its number and time held."""
    for i, h in enumerate(s.holds or [], start=1):
        ax.axvspan(h.start_s, h.end_s, color=COLOURS["hold"], alpha=0.22, lw=0)
        ax.plot([h.start_s, h.end_s], [h.mean_abduction_deg] * 2, color=COLOURS["text"],
                lw=1.0, ls="--", alpha=0.8, zorder=4)
        ax.text(0.5 * (h.start_s + h.end_s), 0.97, f"hold {i} · {h.hold_s:.1f} s",
                transform=ax.get_xaxis_transform(), ha="center", va="top", fontsize="small",
                color=COLOURS["text"], fontweight="bold")


def _mark_circles(ax: Any, s: SetResult) -> None:
    """Each circle as a bar along the bottom of the axes (x: its time, colour: direction)."""
    trans = ax.get_xaxis_transform()
    for c in s.circles or []:
        ax.plot([c.start_s, c.end_s], [0.04, 0.04], transform=trans, lw=6,
                solid_capstyle="butt", color=COLOURS[c.direction], zorder=6)
        ax.plot([c.start_s], [0.04], transform=trans, marker="|", ms=9, color="white", zorder=7)


def angle_chart(
    s: SetResult,
    frames: Sequence[FrameState],
    settings: AnalysisConfig,
    window: tuple[float, float],
    *,
    width_in: float = 7.0,
    font_pt: float = 10.5,
    prefix: str = "angle",
    css_class: str = "",
) -> str:
    """Abduction above rest (deg) over time (s) in ``window``, phases shaded (lift, hold,
    lower), each rep's peak marked (green: good; red with its most important fault's name and
    how many more: faulty), the too-high threshold dashed. Isometric holds are shaded with
    their mean angle dashed and their time written; circles are bars along the bottom coloured
    by direction. A clamshell's angle is the thigh's opening, which the abduction trace does
    not show: only its openings (phases and peaks) are drawn. Returns an inline SVG."""
    clam = set_variation(s) == "clamshell"
    words = rep_words(s)
    t, v = channel_series(frames, "abduction_zeroed")
    m = window_mask(t, window)
    with matplotlib.rc_context(_rc(font_pt)):
        fig = Figure(figsize=(width_in, 3.0), layout="constrained")
        ax = fig.add_subplot()
        _shade_reps(ax, s)
        _shade_holds(ax, s)
        if not clam:
            ax.plot(t[m], v[m], color=COLOURS["angle"], lw=1.8)
        hi = settings.faults.too_high_deg
        if not clam:
            ax.axhline(hi, color=COLOURS["fault"], lw=1.0, ls="--", alpha=0.7)
            ax.text(window[0], hi, f" too high > {hi:.0f}°", va="bottom", ha="left",
                    color=COLOURS["fault"], fontsize="small")
        for r in s.reps:
            colour = COLOURS["good"] if r.good else COLOURS["fault"]
            if clam:
                ax.plot([r.peak_s, r.peak_s], [0.0, r.peak_abduction_deg], color=colour,
                        lw=1.2, ls=":", zorder=4)
            ax.plot([r.peak_s], [r.peak_abduction_deg], marker="o" if r.good else "X",
                    ms=8, color=colour, mec="white", mew=1.0, zorder=5)
            tag = str(r.index)
            if r.faults:  # the most important fault named, the rest counted (see the table)
                more = f" +{len(r.faults) - 1}" if len(r.faults) > 1 else ""
                tag = f"{r.index}: {fault_label(by_priority(r.faults)[0])}{more}"
            ax.annotate(tag, (r.peak_s, r.peak_abduction_deg), xytext=(0, 9),
                        textcoords="offset points", ha="center", fontsize="small", color=colour,
                        fontweight="bold")
        tops = [r.peak_abduction_deg + 12.0 for r in s.reps]
        tops += [h.mean_abduction_deg + 18.0 for h in s.holds or []]
        top = max(([] if clam else [hi + 5.0]) + tops + [10.0])
        finite = np.any(np.isfinite(v[m])) and not clam
        ax.set_ylim(min(-5.0, float(np.nanmin(v[m])) - 2.0) if finite else -5.0, top)
        ax.set_xlim(*window)
        ax.set_xlabel("time (s)")
        ax.set_ylabel(f"{words.angle} (°)")
        handles: list[Any] = []
        if s.reps:
            handles += [Patch(color=COLOURS[k], alpha=0.4, label=name)
                        for k, name in zip(("lift", "hold", "lower"), words.phases, strict=True)]
        if s.holds:
            handles.append(Patch(color=COLOURS["hold"], alpha=0.4, label="isometric hold"))
        if s.circles:
            handles += [Patch(color=COLOURS["clockwise"], label="clockwise"),
                        Patch(color=COLOURS["counterclockwise"], label="counter-clockwise")]
        if handles:
            fig.legend(handles=handles, loc="outside upper right", ncols=len(handles),
                       fontsize="small")
        if s.circles:
            _mark_circles(ax, s)
        if clam:
            label = "Thigh opening of each clamshell rep with its phases and faults"
        elif s.holds:
            label = "Abduction angle over time with the isometric holds" + (
                " and the circles by direction" if s.circles else "")
        else:
            label = "Abduction angle over time with phases and faults"
        return _to_svg(fig, prefix, label, css_class)


def posture_chart(
    s: SetResult,
    frames: Sequence[FrameState],
    settings: AnalysisConfig,
    window: tuple[float, float],
    *,
    width_in: float = 7.0,
    font_pt: float = 10.5,
    prefix: str = "posture",
    css_class: str = "",
) -> str:
    """Two traces over time (s) in ``window``, reps shaded: foot rotation (deg; + = toes toward
    the ceiling) with the toes-up threshold, and trunk side-bend relative to rest (deg) with the
    hip-hike threshold; each rep's measured value is a dot (red when that fault was called).
    Returns an inline SVG."""
    t, foot = channel_series(frames, "foot")
    _, waist = channel_series(frames, "waist")
    _, gap = channel_series(frames, "hip_gap")
    m = window_mask(t, window)
    bend = side_bend_change_deg(
        waist, rest_baseline(t[m], waist[m], s), rest_baseline(t[m], gap[m], s)
    )
    fc = settings.faults
    with matplotlib.rc_context(_rc(font_pt)):
        fig = Figure(figsize=(width_in, 4.0), layout="constrained")
        ax1, ax2 = fig.subplots(2, 1, sharex=True)
        engine: Any = fig.get_layout_engine()
        engine.set(hspace=0.04)
        for ax in (ax1, ax2):
            _shade_reps(ax, s)
        ax1.plot(t[m], foot[m], color=COLOURS["foot"], lw=1.5)
        ax1.axhline(fc.toes_up_deg, color=COLOURS["fault"], lw=1.0, ls="--", alpha=0.7)
        ax1.axhspan(fc.toes_up_deg, max(fc.toes_up_deg + 30.0, 45.0), color=COLOURS["fault"],
                    alpha=0.05, lw=0)
        ax1.text(window[0], fc.toes_up_deg, f" toes up > {fc.toes_up_deg:.0f}°", va="bottom",
                 color=COLOURS["fault"], fontsize="small")
        ax1.set_ylabel("foot rot. (°)")
        ax2.plot(t[m], bend[m], color=COLOURS["side_bend"], lw=1.5)
        ax2.axhline(fc.hip_hike_deg, color=COLOURS["fault"], lw=1.0, ls="--", alpha=0.7)
        ax2.text(window[0], fc.hip_hike_deg, f" hip hike > +{fc.hip_hike_deg:.0f}°",
                 va="bottom", color=COLOURS["fault"], fontsize="small")
        ax2.set_ylabel("side-bend (°)")
        ax2.set_xlabel("time (s)")
        for r in s.reps:
            if r.foot_rotation_deg is not None:
                bad = "toes_up" in r.faults
                ax1.plot([r.peak_s], [r.foot_rotation_deg], "o", ms=6, mec="white",
                         color=COLOURS["fault" if bad else "good"], zorder=5)
            if r.side_bend_change_deg is not None:
                bad = "hip_hike" in r.faults
                ax2.plot([r.peak_s], [r.side_bend_change_deg], "o", ms=6, mec="white",
                         color=COLOURS["fault" if bad else "good"], zorder=5)
        _pad_ylim(ax1, foot[m], fc.toes_up_deg)
        _pad_ylim(ax2, bend[m], fc.hip_hike_deg)
        ax2.set_xlim(*window)
        return _to_svg(fig, prefix, "Foot rotation and trunk side-bend over time", css_class)


def _pad_ylim(ax: Any, values: FloatArray, threshold: float) -> None:
    finite = values[np.isfinite(values)]
    lo = min(float(finite.min()) if finite.size else 0.0, 0.0, threshold) - 3.0
    hi = max(float(finite.max()) if finite.size else 0.0, threshold) + 5.0
    ax.set_ylim(lo, hi)


def tempo_chart(
    s: SetResult,
    settings: AnalysisConfig,
    *,
    width_in: float = 7.0,
    font_pt: float = 10.5,
    prefix: str = "tempo",
    css_class: str = "",
) -> str:
    """Per rep, bars of lift, hold and lower (s) with their targets as black ticks (lift at
    least ``too_fast_lift_s``, hold ``hold_target_s``, lower ``lower_ratio_target`` x lift); a
    bar whose timing fault was called is outlined red. A clamshell's phases are named open,
    hold and close and have no targets (its timing is not judged). Returns an inline SVG."""
    fc = settings.faults
    words = rep_words(s)
    targets = set_variation(s) != "clamshell"
    n = len(s.reps)
    x = np.arange(n, dtype=float)
    w = 0.26
    with matplotlib.rc_context(_rc(font_pt)):
        fig = Figure(figsize=(width_in, 2.8), layout="constrained")
        ax = fig.add_subplot()
        for k, (phase, off) in enumerate((("lift", -w), ("hold", 0.0), ("lower", w))):
            vals = [getattr(r, f"{phase}_s") for r in s.reps]
            bad = [_TIMING_FAULTS[phase] in r.faults for r in s.reps]
            ax.bar(x + off, vals, width=w * 0.92, color=COLOURS[phase],
                   edgecolor=[COLOURS["fault"] if b else COLOURS[phase] for b in bad],
                   linewidth=[2.0 if b else 0.0 for b in bad], label=words.phases[k],
                   zorder=3 + k)
            for i, r in enumerate(s.reps if targets else []):
                target = {"lift": fc.too_fast_lift_s, "hold": fc.hold_target_s,
                          "lower": fc.lower_ratio_target * r.lift_s}[phase]
                ax.plot([x[i] + off - w * 0.5, x[i] + off + w * 0.5], [target, target],
                        color="black", lw=1.6, zorder=10)
        ax.set_xticks(x, [f"{words.rep} {r.index}" for r in s.reps])
        ax.set_ylabel("seconds")
        ax.grid(axis="x", visible=False)
        ax.set_xlim(-0.6, max(n, 1) - 0.4)
        handles = [Patch(color=COLOURS[p], label=name)
                   for p, name in zip(("lift", "hold", "lower"), words.phases, strict=True)]
        if targets:
            handles.append(Patch(facecolor="black", label="target"))
        fig.legend(handles=handles, loc="outside upper right", ncols=len(handles),
                   fontsize="small")
        label = ("Lift, hold and lower time per rep against the targets" if targets
                 else "Open, hold and close time of each clamshell rep")
        return _to_svg(fig, prefix, label, css_class)
