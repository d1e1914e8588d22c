"""The therapist's prescription: what ``hipwise today`` shows the patient after ``hipwise sync``.

Stored as the person setting ``clinic_prescription`` (JSON) in the store.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from hipwise.settings_base import FrozenSettings
from hipwise.store.vocab import Condition

__all__ = ["PRESCRIPTION_KEY", "Prescription", "Thresholds"]

PRESCRIPTION_KEY = "clinic_prescription"

Progression = Literal["auto", "hold", "regress"]
PrescribedVariation = Literal[
    "leg_lift", "wall_slide", "clamshell", "isometric_hold", "isometric_circles"
]


class Thresholds(FrozenSettings):
    """Per-patient limits the therapist sets (degrees, seconds)."""

    max_abduction_deg: float = Field(default=45.0, ge=10.0, le=90.0)
    min_hold_s: float = Field(default=1.0, ge=0.0, le=30.0)
    min_lift_s: float = Field(default=1.0, ge=0.0, le=10.0)


class Prescription(FrozenSettings):
    """Sets, reps, sessions a week, variation, progression rule, conditions and thresholds.

    ``progression``: ``auto`` (hipwise's rules add ankle weight after clean streaks),
    ``hold`` (keep the load), ``regress`` (bodyweight until the therapist says otherwise).
    """

    variation: PrescribedVariation = "leg_lift"
    sets_per_side: int = Field(default=3, ge=1, le=10)
    reps_per_set: int = Field(default=10, ge=1, le=50)
    sessions_per_week: int = Field(default=3, ge=1, le=14)
    progression: Progression = "auto"
    conditions: tuple[Condition, ...] = ()
    thresholds: Thresholds = Thresholds()
    note: str = Field(default="", max_length=500)
