"""The cue chooser: one cue at a time, by priority, with a cooldown so it never nags.

:class:`Coach` is fed once per analysed frame with what the
:class:`~hipwise.reps.session.SessionTracker` knows (phase, the per-frame kinematic channels,
the events of that frame) and returns at most one :class:`Cue`. Candidates come from:

- faults seen *in flight* (leg up: lift or hold): toes up, hip hike, hips rolling, leg in
  front, too high, bent knee, judged against the person's own rest with the same thresholds as
  the per-rep fault rules (:class:`~hipwise.config.FaultConfig`);
- live tempo: the hold ended early (a fast lift is cued after the rep: the live lift phase
  starts only once the leg is clearly up, so it reads short);
- the finished rep's faults (authoritative), unless that fault was already cued during the rep;
- a fault streak ("stop, reset, reduce the range"), praise for a good rep, and warnings the
  caller passes in (setup problems, the person left the picture).

Lower priority number = more important (the fault registry's priorities; streak 0, warnings
-1). Pure: no clock, no I/O; ``t`` is the frame time in seconds.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from hipwise.contract import FAULT_IDS, FaultId
from hipwise.faults.registry import FAULT_RULES, POSTURE_FAULTS, body_in_view, foot_in_view
from hipwise.pose.sequence import FloatArray
from hipwise.reps.measure import CHANNELS, RepMeasurement, posture_change
from hipwise.reps.segment import RepPhases
from hipwise.reps.session import RepRecord, SessionEvent
from hipwise.reps.tracker import Phase, PhaseChanged
from hipwise.settings import CoachConfig, ConditionsConfig, FaultConfig

__all__ = [
    "EXTRA_CUES",
    "Alert",
    "Coach",
    "CoachFrame",
    "Cue",
    "CueKind",
    "live_faults",
]

CueKind = Literal["live", "tempo", "rep", "streak", "praise", "warning"]

#: Cues that are not a fault's own: (text, priority).
EXTRA_CUES: dict[str, tuple[str, int]] = {
    "streak": ("Stop, reset, and reduce the range: quality over quantity.", 0),
    "toes_down": ("Turn your toes slightly toward the floor.", 10),
    "good_rep": ("Good rep.", 20),
}

_WARNING_PRIORITY = -1


@dataclass(frozen=True)
class Cue:
    """One thing to say: stable ``id`` (a fault id or a key of :data:`EXTRA_CUES` or a warning
    code), the sentence, its priority (lower = more important), kind and time ``t`` (s)."""

    id: str
    text: str
    priority: int
    kind: CueKind
    t: float


@dataclass(frozen=True)
class Alert:
    """A condition the caller wants said (setup problem, person left): ``code`` and sentence."""

    code: str
    text: str


@dataclass(frozen=True)
class CoachFrame:
    """What the coach needs from one frame: time ``t`` (s), the live ``phase``, the zeroed
    abduction ``angle_deg`` (None when unknown), the raw kinematic ``channels``
    ``(len(CHANNELS),)`` degrees (NaN = missing) and the session events of this frame."""

    t: float
    phase: Phase
    angle_deg: float | None
    channels: FloatArray
    events: Sequence[SessionEvent] = ()
    warnings: Sequence[Alert] = ()


def live_faults(
    channels: FloatArray,
    rest: FloatArray,
    angle_deg: float | None,
    faults: FaultConfig,
    conditions: ConditionsConfig,
) -> list[str]:
    """Faults visible in one frame with the leg up: ``channels`` and ``rest``
    ``(len(CHANNELS),)`` (rest = the person's medians at rest, NaN if unknown), the zeroed
    abduction in degrees. Returns fault ids in contract order, plus ``"toes_down"`` when the
    foot is neutral rather than turned down (not with a labral tear, where neutral is fine).

    The offline rules themselves (:data:`~hipwise.faults.registry.FAULT_RULES`, those marked
    ``live``) on :func:`~hipwise.reps.measure.posture_change` of this frame against the rest,
    so the coach and the report judge the same numbers.
    """
    c = np.asarray(channels, dtype=np.float64)
    r = np.asarray(rest, dtype=np.float64)
    p = posture_change(
        {n: float(c[i]) for i, n in enumerate(CHANNELS)},
        {n: float(r[i]) for i, n in enumerate(CHANNELS)},
    )
    angle = float("nan") if angle_deg is None else float(angle_deg)
    # timing is unknown mid-rep: only the rules marked live are run
    m = RepMeasurement.from_posture(RepPhases(0.0, 0.0, 0.0, 0.0, angle), p)
    # a body too small in the picture shows no posture: nothing is said about it
    posture = body_in_view(m, faults)
    found: list[str] = [
        f for f in FAULT_IDS
        if FAULT_RULES[f].live and (posture or f not in POSTURE_FAULTS)
        and FAULT_RULES[f].check(m, faults, conditions)
    ]
    foot = p.foot_rotation_deg
    if (
        "toes_up" not in found
        and posture
        and foot_in_view(m, faults)
        and np.isfinite(foot)
        and foot > faults.toes_down_wanted_deg
        and not conditions.labral_tear
    ):
        found.append("toes_down")
    return found


def _text_priority(cue_id: str) -> tuple[str, int]:
    if cue_id in FAULT_RULES:
        rule = FAULT_RULES[cue_id]
        return rule.cue, rule.priority
    return EXTRA_CUES[cue_id]


@dataclass
class _Pending:
    cue: Cue
    expires: float


@dataclass
class _RepState:
    lift_start: float | None = None
    hold_start: float | None = None
    cued: set[str] = field(default_factory=set)


class Coach:
    """Streams :class:`CoachFrame` in, at most one :class:`Cue` out per frame."""

    def __init__(
        self,
        config: CoachConfig | None = None,
        faults: FaultConfig | None = None,
        conditions: ConditionsConfig | None = None,
    ) -> None:
        self.cfg = config or CoachConfig()
        self.faults = faults or FaultConfig()
        self.conditions = conditions or ConditionsConfig()
        self.history: list[Cue] = []
        self._last_t: float | None = None
        self._said: dict[str, float] = {}
        self._pending: list[_Pending] = []
        self._rest: deque[tuple[float, FloatArray]] = deque()
        self._since: dict[str, float] = {}
        self._rep = _RepState()
        self._streak = 0
        self._phase: Phase = "rest"

    # -- state -------------------------------------------------------------------------------
    def rest_reference(self) -> FloatArray:
        """Medians ``(len(CHANNELS),)`` degrees of each channel over the recent rest (NaN when
        nothing was seen at rest yet)."""
        if not self._rest:
            return np.full(len(CHANNELS), np.nan)
        vals = np.stack([v for _, v in self._rest])
        out = np.full(len(CHANNELS), np.nan)
        for k in range(len(CHANNELS)):
            col = vals[:, k][np.isfinite(vals[:, k])]
            if col.size:
                out[k] = float(np.median(col))
        return out

    @staticmethod
    def _make(cue_id: str, kind: CueKind, t: float) -> Cue:
        text, priority = _text_priority(cue_id)
        return Cue(cue_id, text, priority, kind, t)

    def _queue(self, cue: Cue) -> None:
        self._pending = [p for p in self._pending if p.cue.id != cue.id]
        self._pending.append(_Pending(cue, cue.t + self.cfg.pending_s))

    # -- events ------------------------------------------------------------------------------
    def _on_events(self, t: float, events: Sequence[SessionEvent]) -> None:
        for e in events:
            if isinstance(e, PhaseChanged):
                if e.phase == "lift" and self._phase == "rest":
                    self._rep = _RepState(lift_start=e.t)
                    self._since.clear()
                elif e.phase == "hold":
                    self._rep.hold_start = e.t
                elif e.phase == "lower":
                    self._check_hold_tempo(e.t)
                self._phase = e.phase
            elif isinstance(e, RepRecord):
                self._on_rep(t, e)

    def _check_hold_tempo(self, t: float) -> None:
        start = self._rep.hold_start
        if start is None or "no_hold" in self._rep.cued:
            return
        if t - start < self.cfg.live_tempo_tolerance * self.faults.hold_min_s:
            self._queue(self._make("no_hold", "tempo", t))

    def _on_rep(self, t: float, rec: RepRecord) -> None:
        faults: list[FaultId] = list(rec.faults)
        self._streak = self._streak + 1 if faults else 0
        if self._streak >= self.cfg.streak_reps:
            self._queue(self._make("streak", "streak", t))
            self._streak = 0
            return
        fresh = [f for f in faults if f not in self._rep.cued]
        if fresh:
            top = min(fresh, key=lambda f: FAULT_RULES[f].priority)
            self._queue(self._make(top, "rep", t))
        elif not faults and self.cfg.praise:
            self._queue(self._make("good_rep", "praise", t))

    # -- per frame ---------------------------------------------------------------------------
    def _live(self, f: CoachFrame) -> list[Cue]:
        t = f.t
        if f.phase == "rest":
            self._since.clear()
            if np.any(np.isfinite(f.channels)):
                self._rest.append((t, np.asarray(f.channels, dtype=np.float64).copy()))
            while self._rest and self._rest[0][0] < t - self.cfg.rest_window_s:
                self._rest.popleft()
            return []
        if f.phase not in ("lift", "hold") or not self._rest:
            return []
        seen = live_faults(f.channels, self.rest_reference(), f.angle_deg, self.faults,
                           self.conditions)
        for k in list(self._since):
            if k not in seen:
                del self._since[k]
        out: list[Cue] = []
        for k in seen:
            first = self._since.setdefault(k, t)
            if t - first >= self.cfg.persist_s and k not in self._rep.cued:
                out.append(self._make(k, "live", t))
        return out

    def update(self, frame: CoachFrame) -> Cue | None:
        """Feed one frame; returns the cue to show and say now, or None."""
        t = frame.t
        self._on_events(t, frame.events)
        live = self._live(frame)
        warnings = [Cue(w.code, w.text, _WARNING_PRIORITY, "warning", t) for w in frame.warnings]
        self._pending = [p for p in self._pending if p.expires >= t]
        candidates = warnings + live + [p.cue for p in self._pending]
        candidates = [
            c for c in candidates
            if c.id not in self._said or t - self._said[c.id] >= self.cfg.repeat_s
        ]
        if not candidates:
            return None
        if self._last_t is not None and t - self._last_t < self.cfg.cooldown_s:
            return None
        best = min(candidates, key=lambda c: (c.priority, -c.t))
        cue = Cue(best.id, best.text, best.priority, best.kind, t)
        self._last_t = t
        self._said[cue.id] = t
        self._pending = [p for p in self._pending if p.cue.id != cue.id]
        if cue.kind in ("live", "tempo"):
            self._rep.cued.add(cue.id)
        self.history.append(cue)
        return cue
