"""Exercise variations (DOMAIN.md "Variations"): recognition and measurement of isometric
holds, holds with circles, clamshell and wall slide, plus shaking (fatigue) during holds.

Pure functions over landmark arrays and small streaming classes; see ``docs/variations.md``.
The settings are in :mod:`hipwise.settings.variations` (re-exported here).
"""

from __future__ import annotations

from hipwise.settings.variations import (
    VARIATION_CHOICES,
    CircleConfig,
    ClamshellConfig,
    HoldConfig,
    RecognitionConfig,
    VariationChoice,
    VariationsConfig,
    WallSlideConfig,
)
from hipwise.variations.circles import Circle, circle_phase, find_circles, px_per_cm
from hipwise.variations.clamshell import (
    ClamshellTracker,
    knee_angle_3d_deg,
    knee_rotation_deg,
    knee_rotation_image_deg,
    swept_angle_deg,
    thigh_axis_angle_deg,
)
from hipwise.variations.engine import (
    Bout,
    VariationSet,
    analyze_variations,
    bouts,
    recognize,
)
from hipwise.variations.holds import Hold, HoldTracker, find_holds, shaking_amplitude
from hipwise.variations.live import LiveHold, LiveHoldTracker, open_hold_start

__all__ = [
    "VARIATION_CHOICES",
    "Bout",
    "Circle",
    "CircleConfig",
    "ClamshellConfig",
    "ClamshellTracker",
    "Hold",
    "HoldConfig",
    "HoldTracker",
    "LiveHold",
    "LiveHoldTracker",
    "RecognitionConfig",
    "VariationChoice",
    "VariationSet",
    "VariationsConfig",
    "WallSlideConfig",
    "analyze_variations",
    "bouts",
    "circle_phase",
    "find_circles",
    "find_holds",
    "knee_angle_3d_deg",
    "knee_rotation_deg",
    "knee_rotation_image_deg",
    "open_hold_start",
    "px_per_cm",
    "recognize",
    "shaking_amplitude",
    "swept_angle_deg",
    "thigh_axis_angle_deg",
]
