"""Streaming repetition tracker: one update per frame, events out.

The same tracker runs offline (``hipwise analyze``) and live (the web coach), so the two cannot
disagree. States: rest → active (live phases lift / hold / lower) → returning (back below the
end threshold, settling) → rest. A rep is counted only when the leg rose at least
``min_peak_deg`` above the person's own rest baseline and came back.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Literal

import numpy as np

from hipwise.kinematics.filter import LowPass
from hipwise.pose.sequence import FloatArray
from hipwise.reps.measure import CHANNELS, RepBuffer, RepMeasurement, measure_rep
from hipwise.reps.segment import SegmentationError
from hipwise.settings import FilterConfig, RepConfig

__all__ = [
    "Phase",
    "PhaseChanged",
    "RepCompleted",
    "RepDiscarded",
    "RepEvent",
    "RepTracker",
]

Phase = Literal["rest", "lift", "hold", "lower"]
_ABD = CHANNELS.index("abduction")


@dataclass(frozen=True)
class PhaseChanged:
    """The live phase changed at time ``t`` (s)."""

    t: float
    phase: Phase


@dataclass(frozen=True)
class RepCompleted:
    """A counted rep, measured once the leg settled back at rest."""

    t: float
    buffer: RepBuffer
    measurement: RepMeasurement


@dataclass(frozen=True)
class RepDiscarded:
    """A movement that was not counted, and why."""

    t: float
    reason: str
    peak_deg: float


RepEvent = PhaseChanged | RepCompleted | RepDiscarded

#: Frames in a row that must agree after a jump faster than a leg moves before the new angle
#: is believed (the pose model's misreads seen on rendered clips lasted one or two frames).
_CONFIRM_FRAMES = 3


class RepTracker:
    """Counts and measures reps of one working leg from per-frame kinematics."""

    def __init__(self, reps: RepConfig, filt: FilterConfig) -> None:
        self.cfg = reps
        self.filt = filt
        self._lp = LowPass(filt.cutoff_hz)
        self._history: deque[tuple[float, FloatArray]] = deque()
        self._rest: deque[tuple[float, float]] = deque()
        self._recent_raw: deque[tuple[float, float]] = deque()
        self._first_t: float | None = None
        self._cut_start = False
        self._open_above = 0.0
        self._state: Literal["rest", "active", "returning"] = "rest"
        self._buf: list[tuple[float, FloatArray]] = []
        self._peak = -np.inf
        self._opened_t = 0.0
        self._returned_t = 0.0
        self._rest_since = -np.inf  # when the last rep came back below end_deg (s)
        self._last_valid_t: float | None = None
        self._armed = True  # False after losing the leg mid-rep, until it is seen at rest
        self._prev: tuple[float, float] | None = None
        self.phase: Phase = "rest"
        self.baseline_deg: float | None = None
        self.current_deg: float | None = None
        # Every sample since the start, kept while the rest baseline is provisional (no rep
        # counted yet): when the baseline settles, or a lower still posture shows that it was
        # taken at a held top, the samples are replayed against it, so no rep is lost because
        # the rest was found late (DOMAIN.md: the rest is the leg's low stable posture).
        self._log: list[tuple[float, FloatArray]] | None = []
        self._replaying = False
        self._last_raw: tuple[float, float] | None = None  # last accepted raw angle (s, deg)
        self._pending: list[tuple[float, float]] = []  # angles skipped as misreads (s, deg)

    # -- helpers ---------------------------------------------------------------------------
    def _update_baseline(self, t: float, af: float) -> None:
        self._rest.append((t, af))
        while self._rest and self._rest[0][0] < t - self.cfg.baseline_window_s:
            self._rest.popleft()
        self.baseline_deg = float(np.median([a for _, a in self._rest]))

    def _settle_first_baseline(self, t: float, af: float) -> None:
        """The first rest baseline needs ``first_rest_s`` of a still leg (spread under
        ``end_deg``). It is provisional: a held top taken for the rest is revised by
        :meth:`_lower_rest` once the leg settles lower."""
        self._rest.append((t, af))
        # keep the newest sample at least rest_settle_s old, and everything after it
        while len(self._rest) > 1 and self._rest[1][0] <= t - self.cfg.rest_settle_s:
            self._rest.popleft()
        values = [a for _, a in self._rest]
        if t - self._rest[0][0] >= self.cfg.first_rest_s and (
            max(values) - min(values) < self.cfg.end_deg
        ):
            self.baseline_deg = float(np.median(values))

    def _set_phase(self, t: float, phase: Phase, events: list[RepEvent]) -> None:
        if phase != self.phase:
            self.phase = phase
            events.append(PhaseChanged(t, phase))

    def _open(self, t: float, events: list[RepEvent]) -> None:
        self._state = "active"
        # the look-back starts where the previous rep came back to rest: its lower must not
        # be taken for this rep's top (after a short rest the preroll reaches into it)
        self._buf = [s for s in self._history if s[0] >= self._rest_since]
        self._peak = -np.inf
        self._opened_t = t
        # opened on the first sample seen: the video (or the sight of the leg) started during
        # this rep's lift, this far above rest (deg)
        self._cut_start = t == self._first_t
        base = self.baseline_deg if self.baseline_deg is not None else 0.0
        self._open_above = (self.current_deg if self.current_deg is not None else base) - base
        self._set_phase(t, "lift", events)

    def _close(self, t: float, events: list[RepEvent]) -> None:
        base = self.baseline_deg if self.baseline_deg is not None else 0.0
        peak = float(self._peak - base)
        buf = self._buf
        self._buf = []
        self._state = "rest"
        self._rest_since = self._returned_t
        self._set_phase(t, "rest", events)
        if peak < self.cfg.min_peak_deg:
            events.append(RepDiscarded(t, f"only {peak:.0f}° above rest", peak))
            return
        if self._cut_start and self._open_above > self.cfg.cut_start_max_share * peak:
            events.append(RepDiscarded(t, "the video started during this rep", peak))
            return
        if self._returned_t - self._opened_t < self.cfg.min_rep_s:
            events.append(RepDiscarded(t, "too short to be a rep", peak))
            return
        rb = RepBuffer(
            t=np.array([s[0] for s in buf]),
            values=np.stack([s[1] for s in buf]),
            baseline_deg=base,
        )
        try:
            m = measure_rep(rb, self.cfg, self.filt)
        except SegmentationError as exc:
            events.append(RepDiscarded(t, f"could not time the rep: {exc}", peak))
            return
        events.append(RepCompleted(t, rb, m))
        self._log = None  # a counted rep came back to this rest: the baseline stands

    def _lower_rest(self, t: float) -> float | None:
        """While the baseline is provisional: the level of a still posture (``first_rest_s``
        long, spread under ``end_deg``) at least ``min_peak_deg`` below the baseline, or None.
        The rest is the leg's low stable posture, so the old baseline was a held top."""
        assert self._log is not None and self.baseline_deg is not None
        window = [a for ts, a in self._recent_raw if ts >= t - self.cfg.first_rest_s]
        if not self._recent_raw or t - self._recent_raw[0][0] < self.cfg.first_rest_s:
            return None
        if max(window) - min(window) >= self.cfg.end_deg:
            return None
        level = float(np.median(window))
        return level if level < self.baseline_deg - self.cfg.min_peak_deg else None

    def _replay(self, t: float, baseline: float) -> list[RepEvent]:
        """Run every logged sample again against ``baseline`` in a fresh tracker and take over
        its state. Its counted reps and discards are returned; its phase changes are not
        (they are history), only the resulting phase if it differs."""
        assert self._log is not None
        fresh = RepTracker(self.cfg, self.filt)
        fresh._replaying = True
        fresh.baseline_deg = baseline
        fresh._rest.append((self._log[0][0], baseline))
        replayed: list[RepEvent] = []
        for ts, v in self._log:
            replayed += fresh.update(ts, v)
        old_phase = self.phase
        log = self._log if fresh._log is not None else None
        self.__dict__.update(fresh.__dict__)
        self._replaying = False
        self._log = log
        out: list[RepEvent] = [e for e in replayed if not isinstance(e, PhaseChanged)]
        if self.phase != old_phase:
            out.append(PhaseChanged(t, self.phase))
        return out

    def _misread(self, t: float, raw: float) -> bool:
        """Whether ``raw`` (deg, at ``t`` s) jumped from the last accepted angle faster than a
        leg moves (``max_leg_speed_deg_s``): a frame the pose model misread. Misreads come
        alone or in pairs; once :data:`_CONFIRM_FRAMES` frames in a row agree with each other
        after such a jump, the leg really is there (it did move that fast, or was lost and
        found elsewhere) and the angle is accepted from that frame on."""
        vmax = self.cfg.max_leg_speed_deg_s
        last, pend = self._last_raw, self._pending
        if last is None or t <= last[0]:
            self._last_raw, self._pending = (t, raw), []
            return False
        near_last = abs(raw - last[1]) <= vmax * (t - last[0])
        near_pend = bool(pend) and t > pend[-1][0] and (
            abs(raw - pend[-1][1]) <= vmax * (t - pend[-1][0])
        )
        # the skipped frames stretch the time since the last accepted angle: a second misread
        # close to the first is taken as the first one's continuation, not as a plausible move
        if near_pend and (not near_last or abs(raw - pend[-1][1]) < abs(raw - last[1])):
            pend.append((t, raw))
            if len(pend) >= _CONFIRM_FRAMES:
                self._last_raw, self._pending = (t, raw), []
                return False
            return True
        if near_last:
            self._last_raw, self._pending = (t, raw), []
            return False
        self._pending = [(t, raw)]
        return True

    # -- public ----------------------------------------------------------------------------
    def update(self, t: float, values: FloatArray) -> list[RepEvent]:
        """Feed one frame: time ``t`` (s) and ``values`` ``(len(CHANNELS),)`` degrees in the
        order of :data:`~hipwise.reps.measure.CHANNELS` (NaN = missing). Returns events."""
        events: list[RepEvent] = []
        values = np.asarray(values, dtype=np.float64)
        raw = float(values[_ABD])
        if np.isfinite(raw) and raw < self.cfg.min_rest_deg:
            raw = float("nan")  # no top leg lies that far below the body's line: a misread
        if (
            np.isfinite(raw) and self._log is None and self.baseline_deg is not None
            and raw < self.baseline_deg - self.cfg.max_below_rest_deg
        ):
            raw = float("nan")  # under the known rest, where the top leg cannot go
        if np.isfinite(raw) and self._misread(t, raw):
            raw = float("nan")  # the whole frame is skipped, like a frame without the leg
        if not np.isfinite(raw):
            gap = t - self._last_valid_t if self._last_valid_t is not None else 0.0
            if self._state != "rest" and gap > self.filt.max_gap_s:
                self._buf = []
                self._state = "rest"
                self._armed = False
                self._set_phase(t, "rest", events)
                events.append(RepDiscarded(t, "lost sight of the leg during the rep", 0.0))
            return events
        self._last_valid_t = t
        if self._first_t is None:
            self._first_t = t
        if self._log is not None and not self._replaying:
            self._log.append((t, values.copy()))
            while self._log[0][0] < t - self.cfg.replay_window_s:
                self._log.pop(0)
        af = float(self._lp.update(t, np.array([raw]))[0])
        self.current_deg = af
        self._recent_raw.append((t, af))
        while self._recent_raw and self._recent_raw[0][0] < t - self.cfg.first_rest_s:
            self._recent_raw.popleft()
        sample = (t, values.copy())
        self._history.append(sample)
        while self._history and self._history[0][0] < t - self.cfg.preroll_s:
            self._history.popleft()
        speed = 0.0
        if self._prev is not None and t > self._prev[0]:
            speed = (af - self._prev[1]) / (t - self._prev[0])
        self._prev = (t, af)

        if self.baseline_deg is None:
            self._settle_first_baseline(t, af)
            if self.baseline_deg is not None and not self._replaying:
                events += self._replay(t, self.baseline_deg)
            return events
        if self._log is not None and not self._replaying and self._state == "rest":
            lower = self._lower_rest(t)
            if lower is not None:
                events += self._replay(t, lower)
                return events
        above = af - self.baseline_deg
        if self._state == "rest":
            if not self._armed:
                self._armed = above < self.cfg.end_deg
            elif above > self.cfg.start_deg:
                self._open(t, events)
            else:
                self._update_baseline(t, af)
            return events

        self._buf.append(sample)
        self._peak = max(self._peak, af)
        if self._state == "active":
            if above < self.cfg.end_deg:
                self._state = "returning"
                self._returned_t = t
            elif self.phase == "lift" and speed < self.cfg.still_deg_per_s:
                self._set_phase(t, "hold", events)
            elif self.phase == "hold" and speed < -self.cfg.still_deg_per_s and (
                af < self._peak - self.cfg.hold_band_deg
            ):
                self._set_phase(t, "lower", events)
            elif self.phase == "hold" and speed > self.cfg.still_deg_per_s and af >= self._peak:
                self._set_phase(t, "lift", events)
            return events
        # returning: settle at rest, or a new rep starts right away
        if above > self.cfg.start_deg:
            # the samples rising from the trough after this rep's lower belong to the next
            # rep: a fast swing after a short rest rises above this rep's top within a frame
            # or two, and its start read as this rep's peak (tune scenario 97 lost a swing)
            ret = [i for i, s in enumerate(self._buf) if s[0] >= self._returned_t]
            if ret:
                trough = min(ret, key=lambda i: float(self._buf[i][1][_ABD]))
                self._buf = self._buf[: trough + 1]
            self._close(t, events)
            self._open(t, events)
            return events
        if t - self._returned_t >= self.cfg.rest_settle_s:
            self._close(t, events)
        return events

    def flush(self, t: float) -> list[RepEvent]:
        """End of input: close a rep whose leg is already back at rest."""
        events: list[RepEvent] = []
        if self._state == "returning":
            self._close(t, events)
        elif self._state == "active":
            self._buf = []
            self._state = "rest"
            self._set_phase(t, "rest", events)
            events.append(RepDiscarded(t, "the video ended with the leg still up", 0.0))
        return events
