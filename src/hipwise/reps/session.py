"""A whole session, streamed frame by frame: which leg works, reps, faults and sets.

:class:`SessionTracker` wraps a :class:`~hipwise.reps.tracker.RepTracker` per working leg, turns
each pose frame into kinematic channels, splits sets by working leg and by pauses, and judges
every finished rep with the fault rules it is handed (``rules``: usually
:func:`hipwise.faults.evaluate_faults`, chosen by the caller, so this package does not depend on
the fault registry). ``hipwise analyze`` and the live coach both drive it one frame at a time.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from hipwise.contract import FaultId
from hipwise.kinematics.angles import (
    FOOT_TO_LEG,
    abduction_deg,
    body_yaw_deg,
    foot_pitch_deg,
    foot_rotation_deg,
    forward_drift_deg,
    hip_gap_px,
    hip_tilt_deg,
    knee_angle_deg,
    pelvis_roll_deg,
    shank_ratio,
    top_side_score,
    top_waist_px,
    trunk_px,
)
from hipwise.pose.landmarks import LM, Side, leg_indices, other_side
from hipwise.pose.sequence import FloatArray, PoseFrame
from hipwise.reps.measure import CHANNELS, RepMeasurement
from hipwise.reps.tracker import Phase, PhaseChanged, RepCompleted, RepDiscarded, RepTracker
from hipwise.settings import AnalysisConfig, ConditionsConfig, FaultConfig

__all__ = [
    "FaultRules",
    "FrameState",
    "RepRecord",
    "SessionEvent",
    "SessionTracker",
    "SetRecord",
    "SideChanged",
    "frame_channels",
]

_TRUNK = (LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER, LM.LEFT_HIP, LM.RIGHT_HIP)
_YAW_WINDOW_S = 3.0


def frame_channels(
    frame: PoseFrame,
    top: Side,
    min_visibility: float,
    foot_to_leg: float = FOOT_TO_LEG,
    yaw_deg: float = 0.0,
) -> FloatArray:
    """Kinematic channels ``(len(CHANNELS),)`` (units in :data:`CHANNELS`) for one frame with
    ``top`` as the working leg; NaN where a needed landmark is missing or below
    ``min_visibility``. ``foot_to_leg``: the body proportion of ``body.foot_to_leg``;
    ``yaw_deg``: how far the body is turned from the camera (the session's recent median of
    :func:`~hipwise.kinematics.angles.body_yaw_deg`), stored as the ``yaw`` channel. (Reading
    the abduction back into the body's plane with it, ``atan(tan(angle) * cos(yaw))``, fixed a
    turned stick figure but made the peak MAE worse on rendered tune clips, 1.18 -> 1.47°: the
    pose model under-reads the turn and the angle, so the image angle is used as it is.)"""
    out = np.full(len(CHANNELS), np.nan)
    if not frame.detected:
        return out
    vis = frame.visibility
    hip, knee, ankle, heel, toe = leg_indices(top)

    def seen(*idx: int) -> bool:
        return bool(np.all(vis[list(idx)] >= min_visibility))

    xy, world = frame.xy, frame.world
    trunk_ok = seen(*_TRUNK)
    if trunk_ok and seen(ankle):
        out[0] = abduction_deg(xy, top)
    if trunk_ok and seen(hip, knee, ankle, heel, toe):
        out[1] = foot_rotation_deg(xy, top, foot_to_leg=foot_to_leg)
        out[9] = foot_pitch_deg(xy, top, foot_to_leg=foot_to_leg)
    bottom = other_side(top)
    if trunk_ok and seen(*leg_indices(bottom)):
        out[7] = foot_rotation_deg(xy, top, leg=bottom, foot_to_leg=foot_to_leg)
    if trunk_ok:
        out[2] = top_waist_px(xy, top)
        out[3] = pelvis_roll_deg(world, top)
        out[8] = hip_gap_px(xy, top)
        out[10] = hip_tilt_deg(xy, top)
        out[11] = yaw_deg
        out[12] = trunk_px(xy)
    if trunk_ok and seen(ankle, LM.NOSE):
        out[4] = forward_drift_deg(world, top)
    if seen(hip, knee, ankle):
        out[5] = knee_angle_deg(xy, top)
        out[6] = shank_ratio(xy, top)
    return out


@dataclass(frozen=True)
class RepRecord:
    """A counted rep: its set-local index, working leg, measurement and faults."""

    index: int
    side: Side
    measurement: RepMeasurement
    faults: list[FaultId]
    t_counted: float

    @property
    def good(self) -> bool:
        """No fault."""
        return not self.faults


@dataclass
class SetRecord:
    """Reps of one continuous bout on one working leg."""

    side: Side
    reps: list[RepRecord] = field(default_factory=list)
    discarded: list[RepDiscarded] = field(default_factory=list)


@dataclass(frozen=True)
class SideChanged:
    """The working leg changed (the person turned over) at ``t``."""

    t: float
    side: Side


@dataclass(frozen=True)
class FrameState:
    """What the session knows after one frame (for display, CSV and reports)."""

    t: float
    detected: bool
    side: Side | None
    phase: Phase
    abduction_deg: float | None
    channels: FloatArray
    set_index: int
    rep_count: int


SessionEvent = PhaseChanged | RepRecord | RepDiscarded | SideChanged


#: The fault rules a :class:`SessionTracker` judges each rep with: the faults present in one
#: measured rep, in contract order (:func:`hipwise.faults.evaluate_faults`).
FaultRules = Callable[[RepMeasurement, FaultConfig, ConditionsConfig], list[FaultId]]


class SessionTracker:
    """Streams pose frames into sets of measured reps, each judged by ``rules``."""

    def __init__(
        self, config: AnalysisConfig, record_frames: bool = False, *, rules: FaultRules
    ) -> None:
        self.cfg = config
        self.rules = rules
        self.sets: list[SetRecord] = []
        self.frames: list[FrameState] = []
        self._record = record_frames
        self._side: Side | None = None
        self._candidate: Side | None = None
        self._candidate_since = 0.0
        self._tracker: RepTracker | None = None
        self._last_rep_end: float | None = None
        self._new_set_pending = True
        self._yaw: deque[tuple[float, float]] = deque()

    @property
    def side(self) -> Side | None:
        """The current working leg, once known."""
        return self._side

    def _current_set(self) -> SetRecord:
        assert self._side is not None
        if self._new_set_pending or not self.sets:
            self.sets.append(SetRecord(self._side))
            self._new_set_pending = False
        return self.sets[-1]

    def _switch_side(self, t: float, side: Side, events: list[SessionEvent]) -> None:
        if self._tracker is not None:
            self._handle(self._tracker.flush(t), events)
        self._side = side
        self._tracker = RepTracker(self.cfg.reps, self.cfg.filter)
        self._new_set_pending = True
        self._last_rep_end = None
        events.append(SideChanged(t, side))

    def _handle(self, rep_events: list[PhaseChanged | RepCompleted | RepDiscarded],
                events: list[SessionEvent]) -> None:
        for e in rep_events:
            if isinstance(e, RepCompleted):
                m = e.measurement
                if (
                    self._last_rep_end is not None
                    and m.phases.lift_start - self._last_rep_end > self.cfg.sets.pause_split_s
                ):
                    self._new_set_pending = True
                s = self._current_set()
                faults = self.rules(m, self.cfg.faults, self.cfg.conditions)
                rec = RepRecord(len(s.reps) + 1, s.side, m, faults, e.t)
                s.reps.append(rec)
                self._last_rep_end = m.phases.lower_end
                events.append(rec)
            elif isinstance(e, RepDiscarded):
                if self._side is not None and self.sets:
                    self.sets[-1].discarded.append(e)
                events.append(e)
            else:
                events.append(e)

    def _body_yaw(self, t: float, frame: PoseFrame) -> float:
        """Median body yaw (deg) over the last ``_YAW_WINDOW_S`` seconds of detected frames:
        how far the body is turned from the camera changes slowly, a frame's reading is noisy."""
        min_vis = self.cfg.filter.min_visibility
        if frame.detected and np.all(frame.visibility[list(_TRUNK)] >= min_vis):
            y = float(body_yaw_deg(frame.world))
            if np.isfinite(y):
                self._yaw.append((t, y))
        while self._yaw and self._yaw[0][0] < t - _YAW_WINDOW_S:
            self._yaw.popleft()
        return float(np.median([y for _, y in self._yaw])) if self._yaw else 0.0

    def update(self, frame: PoseFrame) -> list[SessionEvent]:
        """Feed one pose frame; returns what happened (phase changes, counted reps, ...)."""
        events: list[SessionEvent] = []
        t = frame.t
        geo_top: Side | None = None
        min_vis = self.cfg.filter.min_visibility
        if frame.detected and np.all(frame.visibility[list(_TRUNK)] >= min_vis):
            score = float(top_side_score(frame.xy))
            geo_top = "left" if score > 0 else "right"
        if geo_top is not None:
            if self._side is None:
                self._switch_side(t, geo_top, events)
            elif geo_top != self._side:
                if self._candidate != geo_top:
                    self._candidate, self._candidate_since = geo_top, t
                elif t - self._candidate_since >= self.cfg.sets.side_switch_s and (
                    self._tracker is None or self._tracker.phase == "rest"
                ):
                    self._switch_side(t, geo_top, events)
                    self._candidate = None
            else:
                self._candidate = None
        channels = np.full(len(CHANNELS), np.nan)
        if self._tracker is not None and self._side is not None:
            yaw = self._body_yaw(t, frame)
            channels = frame_channels(
                frame, self._side, self.cfg.filter.min_visibility, self.cfg.body.foot_to_leg, yaw
            )
            if geo_top is not None and geo_top != self._side:
                # a brief left/right label flip of the pose model: measure the physically top
                # leg, the higher of the two. A flip of the whole skeleton makes it the leg
                # labelled geo_top; a flip of the hips alone leaves it the session's (tune
                # clip 39 read -20° for half a second when geo_top alone was followed).
                other = frame_channels(
                    frame, geo_top, self.cfg.filter.min_visibility, self.cfg.body.foot_to_leg,
                    yaw,
                )
                # other is higher, or only other was seen
                if np.isfinite(other[0]) and not other[0] <= channels[0]:
                    channels = other
            self._handle(self._tracker.update(t, channels), events)
        if self._record:
            tr = self._tracker
            zeroed = None
            if tr is not None and tr.current_deg is not None and tr.baseline_deg is not None:
                zeroed = tr.current_deg - tr.baseline_deg
            self.frames.append(
                FrameState(
                    t=t,
                    detected=frame.detected,
                    side=self._side,
                    phase=tr.phase if tr is not None else "rest",
                    abduction_deg=zeroed,
                    channels=channels,
                    set_index=len(self.sets),
                    rep_count=len(self.sets[-1].reps) if self.sets else 0,
                )
            )
        return events

    def finish(self, t: float) -> list[SessionEvent]:
        """End of input: close a rep that is already back at rest; drop empty sets."""
        events: list[SessionEvent] = []
        if self._tracker is not None:
            self._handle(self._tracker.flush(t), events)
        self.sets = [s for s in self.sets if s.reps]
        return events

    def reps_per_side(self) -> dict[Side, int]:
        """Counted reps so far, per working leg."""
        out: dict[Side, int] = {"left": 0, "right": 0}
        for s in self.sets:
            out[s.side] += len(s.reps)
        return out

    @staticmethod
    def other(side: Side) -> Side:
        """The other leg."""
        return other_side(side)
