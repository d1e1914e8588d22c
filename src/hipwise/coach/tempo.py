"""The tempo guide: lift, hold two seconds, lower twice as slowly as the lift.

:class:`TempoGuide` follows the live phase and says, for the phase in progress, how long it has
lasted, how long it should last and a whole-second count, so the page can draw a filling bar
with a number the person follows without reading. The lowering target is twice *this* rep's
lift (docs/rules.md), so it adapts to the person's own lift speed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from hipwise.reps.tracker import Phase
from hipwise.settings import FaultConfig, TempoConfig

__all__ = ["TempoGuide", "TempoState"]


@dataclass(frozen=True)
class TempoState:
    """The phase in progress: ``elapsed_s`` and ``target_s`` (s), ``progress`` in [0, 1]
    (elapsed / target, capped), ``count`` (whole seconds, from 1) and ``label`` to show."""

    phase: Phase
    elapsed_s: float
    target_s: float
    progress: float
    count: int
    label: str


_LABELS: dict[Phase, str] = {"rest": "rest", "lift": "lift", "hold": "hold", "lower": "lower"}


class TempoGuide:
    """One :meth:`update` per frame with the live phase."""

    def __init__(self, tempo: TempoConfig | None = None, faults: FaultConfig | None = None
                 ) -> None:
        self.tempo = tempo or TempoConfig()
        self.faults = faults or FaultConfig()
        self._phase: Phase = "rest"
        self._start: float | None = None
        self._lift_s: float | None = None

    def target(self, phase: Phase) -> float:
        """Target duration (s) of ``phase``: lift = the configured slow lift, hold = the
        rule's 2 s, lower = ``lower_ratio_target`` x this rep's lift (at least x the target
        lift when the lift was not seen), rest = the suggested pause."""
        if phase == "lift":
            return self.tempo.lift_s
        if phase == "hold":
            return self.faults.hold_target_s
        if phase == "lower":
            lift = self._lift_s if self._lift_s is not None else self.tempo.lift_s
            return self.faults.lower_ratio_target * max(lift, self.faults.too_fast_lift_s)
        return self.tempo.rest_s

    def update(self, t: float, phase: Phase) -> TempoState:
        """The guide at time ``t`` (s) in live phase ``phase``."""
        if self._start is None:
            self._start = t
        if phase != self._phase:
            if self._phase == "lift":
                self._lift_s = t - self._start
            elif phase == "lift":
                self._lift_s = None
            self._phase, self._start = phase, t
        elapsed = max(t - self._start, 0.0)
        target = self.target(phase)
        return TempoState(
            phase=phase,
            elapsed_s=elapsed,
            target_s=target,
            progress=min(elapsed / target, 1.0) if target > 0 else 1.0,
            count=math.floor(elapsed) + 1,
            label=_LABELS[phase],
        )
