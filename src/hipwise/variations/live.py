"""Live isometric holds and circles, frame by frame, for the live coach (``hipwise live``).

:class:`LiveHoldTracker` streams what the offline engine measures after the fact, with the same
code: the hold is found with the smoothing, 'up' and 'still' rules of
:func:`~hipwise.variations.holds.find_holds` (a finished hold is measured by
:class:`~hipwise.variations.holds.HoldTracker`, i.e. ``find_holds`` itself), and circles are
counted with :func:`~hipwise.variations.engine.circles_in_holds` (``find_circles`` on the
ankle path) over the hold so far. Nothing here re-implements a measurement; it only decides
when to run them on the frames buffered since the leg came up.

Counting circles over a whole hold costs ~25 ms for a 22 s hold at 15 frames/s on this 2-core
machine (the Gaussian filters loop in Python), so the running count is refreshed at most every
``circle_update_s`` seconds; the hold timer is updated on every frame.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from hipwise.kinematics.filter import gaussian_smooth
from hipwise.pose.landmarks import Side
from hipwise.pose.sequence import FloatArray, PoseFrame, PoseSequence
from hipwise.settings import AnalysisConfig
from hipwise.variations.circles import Circle, Direction
from hipwise.variations.engine import circles_in_holds
from hipwise.variations.holds import Hold, HoldTracker, up_runs

__all__ = ["DEFAULT_CIRCLE_UPDATE_S", "LiveHold", "LiveHoldTracker", "open_hold_start"]

logger = logging.getLogger(__name__)

#: Default seconds between two recounts of the circles of the running hold: a circle takes
#: 1-3 s, so a count refreshed each second is never more than one circle behind, and a recount
#: (~25 ms for a 22 s hold) lands on at most ~1 frame in 10 at live rates.
DEFAULT_CIRCLE_UPDATE_S = 1.0

DIRECTIONS: tuple[Direction, Direction] = ("clockwise", "counterclockwise")


@dataclass(frozen=True)
class LiveHold:
    """A finished hold as the live tracker measured it, with the circles drawn in it."""

    hold: Hold
    circles: tuple[Circle, ...] = ()


def open_hold_start(t: FloatArray, angle: FloatArray, up_deg: float, smooth_s: float,
                    still_deg_per_s: float) -> float | None:
    """Start (s) of the hold running at the end of ``angle (T,)`` (zeroed abduction, deg,
    sampled at ``t (T,)`` s), by the rules of :func:`~hipwise.variations.holds.find_holds`: in
    the last 'up' stretch of the smoothed angle, the first moment it moves slower than
    ``still_deg_per_s``. None while the leg is not up at the end or still rising."""
    ok = np.isfinite(angle)
    t, angle = t[ok], angle[ok]
    if len(t) < 3:
        return None
    smooth = gaussian_smooth(t, angle, smooth_s)
    runs = up_runs(t, smooth, up_deg)
    if not runs or runs[-1][1] != len(t):
        return None
    i0, i1 = runs[-1]
    speed = np.gradient(smooth, t)
    still = np.nonzero(np.abs(np.nan_to_num(speed[i0:i1], nan=np.inf)) < still_deg_per_s)[0]
    if still.size == 0:
        return None
    return float(t[i0 + int(still[0])])


@dataclass
class _Open:
    """The hold in progress: its start once known, circles counted so far."""

    start_s: float | None = None
    start_final: bool = False
    circles: list[Circle] = field(default_factory=list)
    counted_at: float = -np.inf


class LiveHoldTracker:
    """Holds and circles of one working leg, live.

    Feed each frame with :meth:`update` (the pose and the session tracker's zeroed abduction of
    the top leg, ``None`` when unknown). Read :attr:`hold_s` (the running hold's seconds so far,
    0 when none), :attr:`up_s` (seconds the leg has been up), :meth:`circle_counts` (per
    direction as seen in the image, finished holds plus the running one) and :attr:`holds`
    (finished holds with their circles). A hold is closed and measured when the leg has been
    down for ``holds.settle_s``.
    """

    def __init__(
        self,
        cfg: AnalysisConfig,
        side: Side,
        count_circles: bool = True,
        circle_update_s: float = DEFAULT_CIRCLE_UPDATE_S,
    ) -> None:
        self.cfg = cfg
        self.side: Side = side
        self.count_circles = count_circles
        self.circle_update_s = circle_update_s
        hc = cfg.variations.holds
        self._preroll = cfg.reps.preroll_s
        self._holds = HoldTracker(
            hc, cfg.reps.shaking_band_hz, hc.shaking_amp_deg, cfg.filter.segment_sigma_s,
            preroll_s=self._preroll,
        )
        self._frames: deque[PoseFrame] = deque()
        self._t: deque[float] = deque()
        self._angle: deque[float] = deque()
        self._up = False
        self._down_at: float | None = None
        self._open = _Open()
        self.holds: list[LiveHold] = []
        self.last_t: float | None = None

    # -- per frame -------------------------------------------------------------------------
    def update(self, frame: PoseFrame, angle_deg: float | None) -> list[LiveHold]:
        """Feed one frame and the top leg's zeroed abduction (deg; None = unknown); returns
        the holds finished by it (measured with ``find_holds``, circles counted)."""
        t = frame.t
        a = float("nan") if angle_deg is None else float(angle_deg)
        self.last_t = t
        self._frames.append(frame)
        self._t.append(t)
        self._angle.append(a)
        hc = self.cfg.variations.holds
        if np.isfinite(a) and a > hc.up_deg:
            self._up = True
        if not self._up:
            while self._t and self._t[0] < t - self._preroll:
                self._frames.popleft()
                self._t.popleft()
                self._angle.popleft()
        finished = self._holds.update(t, a)
        up_now = bool(np.isfinite(a) and a > hc.up_deg)
        if self._up and not up_now and self._down_at is None:
            self._down_at = t
        elif up_now:
            self._down_at = None
        # HoldTracker closed the stretch (leg down for holds.settle_s): its timer is reset
        if self._up and not up_now and self._holds.up_s == 0.0:
            return self._close(finished)
        if up_now:
            self._track_open(t)
        return []

    def _track_open(self, t: float) -> None:
        """Update the running hold's start (until it can no longer move) and its circles."""
        hc = self.cfg.variations.holds
        op = self._open
        if not op.start_final:
            tt = np.fromiter(self._t, dtype=np.float64)
            aa = np.fromiter(self._angle, dtype=np.float64)
            op.start_s = open_hold_start(tt, aa, hc.up_deg, hc.smooth_s, hc.still_deg_per_s)
            # the smoothing reaches 3 sigma: beyond that, later samples cannot move the start
            if op.start_s is not None and t - op.start_s > 3.0 * hc.smooth_s:
                op.start_final = True
        if (
            self.count_circles
            and op.start_s is not None
            and t - op.counted_at >= self.circle_update_s
        ):
            op.counted_at = t
            op.circles = self._circles([_span(op.start_s, t)])

    def _circles(self, holds: list[Hold]) -> list[Circle]:
        """Circles drawn during ``holds`` in the buffered frames (the engine's own code)."""
        frames = list(self._frames)
        if len(frames) < 2:
            return []
        try:
            seq = PoseSequence.from_frames(frames)
        except ValueError as exc:  # e.g. the camera changed its image size mid-hold
            logger.info("no live circle count: %s", exc)
            return []
        return circles_in_holds(seq, self.side, holds, self.cfg)

    def _close(self, finished: list[Hold]) -> list[LiveHold]:
        """Measure circles in the finished holds, then forget the buffered stretch."""
        out: list[LiveHold] = []
        for h in finished:
            circles = tuple(self._circles([h])) if self.count_circles else ()
            out.append(LiveHold(h, circles))
        self.holds.extend(out)
        keep = 1
        while len(self._frames) > keep:
            self._frames.popleft()
            self._t.popleft()
            self._angle.popleft()
        self._up = False
        self._down_at = None
        self._open = _Open()
        return out

    def finish(self) -> list[LiveHold]:
        """End of input: measure a hold still in progress."""
        return self._close(self._holds.finish()) if self._up else []

    # -- reading ---------------------------------------------------------------------------
    @property
    def hold_s(self) -> float:
        """Seconds of the hold in progress so far (0 when none); it stops when the leg drops
        below ``holds.up_deg`` (the measured hold replaces it once the leg has settled)."""
        if self._open.start_s is None or self.last_t is None or not self._holds.up_s:
            return 0.0
        end = self.last_t if self._down_at is None else self._down_at
        return max(end - self._open.start_s, 0.0)

    @property
    def up_s(self) -> float:
        """Seconds the leg has been up (lift included; 0 when down)."""
        return self._holds.up_s

    @property
    def holding(self) -> bool:
        """Whether a hold is in progress (the lift has stopped at the top)."""
        return self.hold_s > 0.0

    def open_circles(self) -> list[Circle]:
        """Circles counted so far in the hold in progress."""
        return list(self._open.circles)

    def circle_counts(self) -> dict[Direction, int]:
        """Circles per direction (as seen in the image): finished holds plus the running one."""
        counts: dict[Direction, int] = dict.fromkeys(DIRECTIONS, 0)
        for h in self.holds:
            for c in h.circles:
                counts[c.direction] += 1
        for c in self._open.circles:
            counts[c.direction] += 1
        return counts


def _span(start_s: float, end_s: float) -> Hold:
    """A stand-in :class:`Hold` covering ``start_s``-``end_s`` (only its times are read by
    :func:`~hipwise.variations.engine.circles_in_holds`)."""
    return Hold(start_s, end_s, mean_abduction_deg=float("nan"), sag_deg=float("nan"),
                shaking=False, shaking_amp_deg=0.0)
