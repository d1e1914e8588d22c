"""History: per session and side, good reps, peak angle, tempo and fault frequencies, as plain
series (:func:`build_history`) and as plots (:func:`render_history_svgs`,
:func:`save_history_plot`). The web history page reuses both.

Angles in degrees, durations in seconds, loads in kg, fault rates as fractions of reps.
"""

from __future__ import annotations

import io
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from hipwise.contract import FAULT_IDS
from hipwise.pose.landmarks import Side
from hipwise.store.records import SessionRecord

__all__ = [
    "PLOT_NAMES",
    "History",
    "SideSession",
    "build_history",
    "history_to_dict",
    "render_history_svgs",
    "save_history_plot",
]

PLOT_NAMES = ("good_reps", "peak_angle", "tempo", "faults")
_SIDE_STYLE = {"left": ("tab:blue", "o"), "right": ("tab:orange", "s")}


def _mean(xs: list[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None


@dataclass(frozen=True)
class SideSession:
    """One side in one session: counts, mean/max peak angle (deg), mean lift/hold/lower (s),
    reps per fault, ankle weight (kg; the heaviest used), hold time of isometric sets (s)."""

    session_id: int
    started_at: datetime
    side: Side
    total_reps: int
    good_reps: int
    mean_peak_deg: float | None
    max_peak_deg: float | None
    mean_lift_s: float | None
    mean_hold_s: float | None
    mean_lower_s: float | None
    faults: dict[str, int]
    load_kg: float
    variations: tuple[str, ...]
    isometric_hold_s: float = 0.0

    def fault_rate(self, fault: str) -> float:
        """Fraction of this side's reps with ``fault`` (0 when there are no reps)."""
        return self.faults.get(fault, 0) / self.total_reps if self.total_reps else 0.0


@dataclass(frozen=True)
class History:
    """Per-session series for each side, oldest first, plus fault totals."""

    rows: tuple[SideSession, ...]
    fault_totals: dict[str, int] = field(default_factory=dict)

    def side(self, side: Side) -> list[SideSession]:
        """The rows of one side, oldest first."""
        return [r for r in self.rows if r.side == side]

    @property
    def sessions(self) -> int:
        """Number of sessions with any data."""
        return len({r.session_id for r in self.rows})


def build_history(sessions: Iterable[SessionRecord]) -> History:
    """Summarise sessions into per-session, per-side rows (pure)."""
    rows: list[SideSession] = []
    totals: Counter[str] = Counter()
    for sess in sorted(sessions, key=lambda s: (s.started_at, s.id)):
        for side in ("left", "right"):
            sets = [s for s in sess.sets if s.side == side]
            if not sets:
                continue
            reps = [r for s in sets for r in s.reps]
            faults = Counter(f for r in reps for f in set(r.faults))
            totals.update(faults)
            peaks = [r.peak_abduction_deg for r in reps]
            rows.append(SideSession(
                session_id=sess.id,
                started_at=sess.started_at,
                side=side,
                total_reps=len(reps),
                good_reps=sum(1 for r in reps if r.good),
                mean_peak_deg=_mean(peaks),
                max_peak_deg=max(peaks) if peaks else None,
                mean_lift_s=_mean([r.lift_s for r in reps]),
                mean_hold_s=_mean([r.hold_s for r in reps]),
                mean_lower_s=_mean([r.lower_s for r in reps]),
                faults=dict(faults),
                load_kg=max(s.load_kg for s in sets),
                variations=tuple(sorted({s.variation or "leg_lift" for s in sets})),
                isometric_hold_s=sum(h for s in sets for h in s.holds_s),
            ))
    return History(tuple(rows), dict(totals))


def history_to_dict(history: History) -> dict[str, Any]:
    """JSON-ready series per side (ISO timestamps), for the web page or ``--json``."""
    out: dict[str, Any] = {"fault_totals": history.fault_totals, "sides": {}}
    for side in ("left", "right"):
        rows = history.side(side)
        out["sides"][side] = {
            "started_at": [r.started_at.isoformat() for r in rows],
            "session_id": [r.session_id for r in rows],
            "total_reps": [r.total_reps for r in rows],
            "good_reps": [r.good_reps for r in rows],
            "mean_peak_deg": [r.mean_peak_deg for r in rows],
            "max_peak_deg": [r.max_peak_deg for r in rows],
            "mean_lift_s": [r.mean_lift_s for r in rows],
            "mean_hold_s": [r.mean_hold_s for r in rows],
            "mean_lower_s": [r.mean_lower_s for r in rows],
            "load_kg": [r.load_kg for r in rows],
            "fault_rates": {f: [r.fault_rate(f) for r in rows] for f in FAULT_IDS},
        }
    return out


def _nan(x: float | None) -> float:
    return math.nan if x is None else x


def _draw(name: str, ax: Any, history: History) -> None:
    """Draw one named plot on a matplotlib axes."""
    for side in ("left", "right"):
        rows = history.side(side)
        if not rows:
            continue
        color, marker = _SIDE_STYLE[side]
        x = [r.started_at for r in rows]
        if name == "good_reps":
            ax.plot(x, [r.good_reps for r in rows], marker=marker, color=color,
                    label=f"{side}: good reps")
            ax.plot(x, [r.total_reps for r in rows], linestyle=":", color=color,
                    label=f"{side}: all reps")
        elif name == "peak_angle":
            ax.plot(x, [_nan(r.mean_peak_deg) for r in rows], marker=marker, color=color,
                    label=f"{side}: mean peak")
        elif name == "tempo":
            ax.plot(x, [_nan(r.mean_lift_s) for r in rows], marker=marker, color=color,
                    label=f"{side}: lift")
            ax.plot(x, [_nan(r.mean_hold_s) for r in rows], marker=marker, color=color,
                    linestyle="--", label=f"{side}: hold")
            ax.plot(x, [_nan(r.mean_lower_s) for r in rows], marker=marker, color=color,
                    linestyle=":", label=f"{side}: lower")
    if name == "good_reps":
        ax.set_title("Good reps per session")
        ax.set_ylabel("reps")
    elif name == "peak_angle":
        ax.axhspan(20, 35, color="tab:green", alpha=0.12, label="typical good peak 20-35°")
        ax.axhline(45, color="tab:red", linewidth=1, label="45°: too high")
        ax.set_title("Peak abduction angle")
        ax.set_ylabel("degrees")
    elif name == "tempo":
        ax.axhline(1.0, color="grey", linewidth=0.8, linestyle="-", label="lift ≥ 1 s")
        ax.axhline(2.0, color="grey", linewidth=0.8, linestyle="--", label="hold ≥ 2 s")
        ax.set_title("Tempo (means per session)")
        ax.set_ylabel("seconds")
    elif name == "faults":
        sessions = sorted({(r.started_at, r.session_id) for r in history.rows})
        x = [t for t, _ in sessions]
        for fault in FAULT_IDS:
            if not history.fault_totals.get(fault):
                continue
            rates = []
            for _, sid in sessions:
                rows = [r for r in history.rows if r.session_id == sid]
                total = sum(r.total_reps for r in rows)
                n = sum(r.faults.get(fault, 0) for r in rows)
                rates.append(100.0 * n / total if total else math.nan)
            ax.plot(x, rates, marker=".", label=fault.replace("_", " "))
        ax.set_title("Fault frequency (% of reps, both sides)")
        ax.set_ylabel("% of reps")
        ax.set_ylim(0, 100)
    if not history.rows:
        ax.text(0.5, 0.5, "no sessions yet", ha="center", va="center", transform=ax.transAxes)
    elif ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, loc="best")
    ax.grid(True, alpha=0.3)
    ax.tick_params(axis="x", labelrotation=30, labelsize=7)


def _figure(names: Iterable[str], history: History) -> Any:
    # lazy: matplotlib is heavy and only the chart needs it (hipwise.program loads at every CLI
    # start-up)
    from matplotlib.figure import Figure  # lazy: matplotlib is heavy

    names = list(names)
    fig = Figure(figsize=(7.0, 3.2 * len(names)), layout="constrained")
    axes = fig.subplots(len(names), 1, squeeze=False)[:, 0]
    for name, ax in zip(names, axes, strict=True):
        _draw(name, ax, history)
    return fig


def render_history_svgs(history: History) -> dict[str, str]:
    """One SVG document (string) per plot in :data:`PLOT_NAMES`; text stays text (not paths),
    so the documents are small and searchable."""
    # lazy: matplotlib is heavy and only the chart needs it (hipwise.program loads at every CLI
    # start-up)
    from matplotlib import rc_context

    out: dict[str, str] = {}
    with rc_context({"svg.fonttype": "none"}):
        for name in PLOT_NAMES:
            fig = _figure([name], history)
            buf = io.StringIO()
            fig.savefig(buf, format="svg")
            out[name] = buf.getvalue()
    return out


def save_history_plot(history: History, path: Path | str) -> Path:
    """All plots stacked in one figure, written to ``path`` (format from the suffix: .png,
    .svg or .pdf).

    Raises:
        ValueError: unsupported suffix.
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg", "pdf"):
        raise ValueError(f"unsupported plot format {path.suffix!r}: use .png, .svg or .pdf")
    fig = _figure(PLOT_NAMES, history)
    fig.savefig(path, format=fmt, dpi=110)
    return path
