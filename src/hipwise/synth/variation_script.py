"""Scenario settings that script the exercise variations (isometric holds, circles, wall
slide): plain frozen models, read by :mod:`hipwise.synth.scenario` (``[motion]`` keys
``variation`` and ``[[motion.holds]]``) and sampled by :mod:`hipwise.synth.variations`.

Example (an isometric hold with circles, lying on the left)::

    [motion]
    variation = "isometric_circles"
    [[motion.holds]]
    peak_deg = 28
    hold_s = 20
    circles = [{direction = "clockwise", count = 5}, {direction = "counterclockwise", count = 5}]
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from hipwise.settings_base import FrozenSettings as _Frozen

__all__ = ["CircleBlock", "HoldScript", "ScriptedVariation"]

ScriptedVariation = Literal[
    "leg_lift", "wall_slide", "clamshell", "isometric_hold", "isometric_circles"
]


class CircleBlock(_Frozen):
    """``count`` circles of the foot in one ``direction`` as seen in the video image."""

    direction: Literal["clockwise", "counterclockwise"] = "clockwise"
    count: int = Field(default=5, ge=1, le=20)


class HoldScript(_Frozen):
    """One isometric hold: ``lift_s`` up to ``peak_deg``, ``hold_s`` at the top (sinking
    linearly by ``sag_deg``), ``lower_s`` down, then ``rest_s`` still (seconds, degrees).

    ``shaking``: the motion's ``shaking_hz``/``shaking_deg`` oscillation under a ``sin^2``
    window over the hold. ``circles``: blocks of circles drawn by the foot during the hold, one
    every ``circle_period_s``, ``circle_gap_s`` still before, between and after the blocks,
    ``diameter_cm`` across (the foot on a circle around the held leg line: half up-down in the
    image plane, half toward the camera). ``leg_m``: hip-to-ankle length assumed when turning
    the diameter into an angle (the label is exact for a leg of this length)."""

    peak_deg: float = Field(default=28.0, ge=10.0, le=60.0)
    lift_s: float = Field(default=1.5, ge=0.3, le=10.0)
    hold_s: float = Field(default=10.0, ge=1.0, le=120.0)
    lower_s: float = Field(default=3.0, ge=0.3, le=20.0)
    rest_s: float = Field(default=2.0, ge=0.0, le=30.0)
    sag_deg: float = Field(default=0.0, ge=0.0, le=20.0)
    shaking: bool = False
    circles: tuple[CircleBlock, ...] = ()
    circle_period_s: float = Field(default=1.6, ge=0.5, le=6.0)
    circle_gap_s: float = Field(default=0.8, ge=0.0, le=5.0)
    diameter_cm: float = Field(default=25.0, ge=5.0, le=50.0)
    leg_m: float = Field(default=0.85, ge=0.5, le=1.2)

    @property
    def duration_s(self) -> float:
        """Lift + hold + lower + rest (s)."""
        return self.lift_s + self.hold_s + self.lower_s + self.rest_s
