"""Old import path of the variation settings, now in :mod:`hipwise.settings.variations`."""

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

__all__ = [
    "VARIATION_CHOICES",
    "CircleConfig",
    "ClamshellConfig",
    "HoldConfig",
    "RecognitionConfig",
    "VariationChoice",
    "VariationsConfig",
    "WallSlideConfig",
]
