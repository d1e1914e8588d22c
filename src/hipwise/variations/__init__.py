"""Exercise variations (DOMAIN.md "Variations"): recognition and measurement of isometric
holds, holds with circles, clamshell and wall slide, plus shaking (fatigue) during holds.

Pure functions over landmark arrays and small streaming classes; see ``docs/variations.md``.
Submodules are imported on first use (``hipwise.config`` imports the settings from here).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from hipwise.variations.config import (
    VARIATION_CHOICES,
    CircleConfig,
    ClamshellConfig,
    HoldConfig,
    RecognitionConfig,
    VariationChoice,
    VariationsConfig,
    WallSlideConfig,
)

if TYPE_CHECKING:
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

_LAZY = {
    "Circle": "circles",
    "circle_phase": "circles",
    "find_circles": "circles",
    "px_per_cm": "circles",
    "ClamshellTracker": "clamshell",
    "knee_angle_3d_deg": "clamshell",
    "knee_rotation_deg": "clamshell",
    "knee_rotation_image_deg": "clamshell",
    "swept_angle_deg": "clamshell",
    "thigh_axis_angle_deg": "clamshell",
    "Bout": "engine",
    "VariationSet": "engine",
    "analyze_variations": "engine",
    "bouts": "engine",
    "recognize": "engine",
    "Hold": "holds",
    "HoldTracker": "holds",
    "find_holds": "holds",
    "shaking_amplitude": "holds",
    "LiveHold": "live",
    "LiveHoldTracker": "live",
    "open_hold_start": "live",
}


def __getattr__(name: str) -> Any:
    """Import the submodule that defines ``name`` on first access."""
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module 'hipwise.variations' has no attribute {name!r}")
    return getattr(importlib.import_module(f"hipwise.variations.{mod}"), name)
