"""The programme's numbers (``[program]``), every one a setting with a documented default.

*(source)* marks numbers from the article (see ``DOMAIN.md``); *(default)* marks starting values
this project chose, justified in ``docs/program.md``. A person's stored programme settings
(``hipwise profile update --set KEY=VALUE``) override these.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from hipwise.settings_base import FrozenSettings

__all__ = ["ProgramConfig"]


class ProgramConfig(FrozenSettings):
    """Programme settings (each field documents itself; *(source)*: the article, *(default)*:
    this project's choice)."""

    sessions_per_week: int = Field(default=3, ge=1, le=14)
    """Planned sessions per week *(source: 3)*."""
    sets_per_side: int = Field(default=2, ge=1, le=10)
    """Sets per side in a session *(source: 2)*."""
    reps_per_set: int = Field(default=15, ge=1, le=100)
    """Reps per set *(source: 15)*."""
    progression_good_streak: int = Field(default=20, ge=1, le=500)
    """Good reps in a row on one side (no fault, so no hip hike, and no lower-back report) before
    ankle weights are suggested *(source: 20)*."""
    fault_streak_reps: int = Field(default=3, ge=1, le=100)
    """Faulty reps in a row on one side that trigger "stop, reset, reduce the range" and a step
    back in load *(default: 3; the article says to stop the moment the pelvis wants to tilt,
    three in a row rules out a one-off misreading)*."""
    ankle_weight_start_kg: float = Field(default=0.5, gt=0, le=10)
    """First ankle weight suggested (kg) *(default: 0.5, the lightest common ankle weight)*."""
    ankle_weight_step_kg: float = Field(default=0.5, gt=0, le=5)
    """Added per further progression, removed per regression (kg) *(default: 0.5)*."""
    ankle_weight_max_kg: float = Field(default=3.0, gt=0, le=20)
    """No progression beyond this (kg) *(default: 3.0)*."""
    rest_days_between_sessions: int = Field(default=1, ge=0, le=6)
    """Rest days wanted between two sessions *(default: 1, which spreads 3 sessions over a
    week)*."""
    first_weekday: int = Field(default=0, ge=0, le=6)
    """The day weeks start on for adherence (0 = Monday ... 6 = Sunday)."""
    activation_variation: Literal["leg_lift", "clamshell", "wall_slide"] = "leg_lift"
    """The variation for the pre-run activation."""
    activation_sets_per_side: int = Field(default=1, ge=1, le=5)
    """Sets per side before a run *(default: 1)*."""
    activation_reps_per_set: int = Field(default=10, ge=1, le=50)
    """Reps per set before a run *(default: 10: activation, not fatigue before running)*."""
    primer_reps_per_side: int = Field(default=10, ge=0, le=50)
    """Clamshell primer reps for desk workers *(default: 10)*."""
    isometric_holds_per_side: int = Field(default=5, ge=1, le=20)
    """Isometric holds per side in the safe variation *(default: 5)*."""
    isometric_hold_s: float = Field(default=30.0, gt=0, le=300)
    """Length of one isometric hold (s) *(default: 30)*."""
    circles_per_direction: int = Field(default=5, ge=1, le=20)
    """Circles each way in the isometric hold with circles *(source: 5)*."""
    safe_pain_free_sessions: int = Field(default=3, ge=1, le=30)
    """Pain-free sessions on the safe variation before the lying leg lift comes back *(default:
    3)*."""
    streak_breaking_feelings: tuple[
        Literal["side_of_hip", "nothing", "front_of_hip", "lower_back", "sharp_pain"], ...
    ] = ("lower_back", "sharp_pain")
    """Self-reports that void a set's reps for the progression streak *(source: "no lower-back
    tension")*."""
    fault_majority: float = Field(default=0.3, gt=0, le=1)
    """Fraction of the last session's reps with one fault above which the next session switches to
    the variation that trains it out (forward drift: wall slide) *(default: 0.3)*."""
    adherence_weeks: int = Field(default=8, ge=1, le=104)
    """Weeks shown in the adherence summary."""

    @model_validator(mode="after")
    def _weights(self) -> ProgramConfig:
        if self.ankle_weight_start_kg > self.ankle_weight_max_kg:
            raise ValueError("ankle_weight_start_kg must not exceed ankle_weight_max_kg")
        return self
