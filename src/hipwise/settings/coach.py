"""Coach settings: when a cue may be said, how long a fault must be visible, the tempo guide and
the setup check. Frozen, ``extra="forbid"``; every default is documented with its unit.

Fault thresholds are *not* repeated here: the live cues use the same
:class:`~hipwise.settings.FaultConfig` as the per-rep fault rules, so the coach cannot call
something the analysis would not.
"""

from __future__ import annotations

from pydantic import Field

from hipwise.settings_base import FrozenSettings

__all__ = ["CoachConfig", "SetupConfig", "TempoConfig"]


class CoachConfig(FrozenSettings):
    """Choosing one cue at a time."""

    cooldown_s: float = Field(
        default=4.0,
        ge=0,
        le=600,
        description="Least time (s) between two cues of any kind: one sentence, then room to "
        "act on it (a spoken cue takes ~1.5-2.5 s).",
    )
    repeat_s: float = Field(
        default=15.0,
        ge=0,
        le=3600,
        description="The same cue is not said again within this time (s): about two reps at "
        "the prescribed tempo, so a persisting fault is repeated once per couple of reps, "
        "never every rep.",
    )
    persist_s: float = Field(
        default=0.4,
        ge=0,
        le=600,
        description="A fault seen in flight (leg up) must stay visible this long (s) before it "
        "is cued, so one noisy frame never triggers a cue.",
    )
    pending_s: float = Field(
        default=5.0,
        gt=0,
        le=600,
        description="A cue about a finished rep that the cooldown held back stays valid this "
        "long (s); older news is dropped.",
    )
    rest_window_s: float = Field(
        default=2.0,
        gt=0,
        le=600,
        description="The in-flight checks compare against the person's own rest: medians of "
        "each channel over the last this-many seconds at rest.",
    )
    live_tempo_tolerance: float = Field(
        default=0.8,
        gt=0,
        le=1,
        description="The live 'hold two seconds' cue fires only when the live hold lasted less "
        "than this fraction of the rule's threshold: live phase boundaries are coarser than "
        "the finished rep's, whose faults are cued after the rep anyway.",
    )
    streak_reps: int = Field(
        default=3,
        ge=2,
        le=100,
        description="This many faulty reps in a row → 'stop, reset, reduce the range' "
        "(DOMAIN.md: on a fault streak).",
    )
    praise: bool = Field(
        default=True, description="Say a short 'good' after a rep without a fault."
    )


class TempoConfig(FrozenSettings):
    """The tempo guide: lift, hold 2 s, lower twice as slowly as the lift."""

    lift_s: float = Field(
        default=1.5,
        gt=0,
        le=600,
        description="Target lift time (s): slow and controlled; the too_fast rule fires under "
        "1.0 s, so 1.5 s leaves margin.",
    )
    rest_s: float = Field(
        default=1.5, gt=0, le=600, description="Suggested pause at rest between reps (s)."
    )


class SetupConfig(FrozenSettings):
    """The setup check before the set (and the live warnings during it)."""

    window_s: float = Field(
        default=1.0,
        gt=0,
        le=600,
        description="The check looks at the last this-many seconds of poses.",
    )
    pass_s: float = Field(
        default=1.5,
        ge=0,
        le=600,
        description="Every check must pass for this long (s) in a row before the set starts.",
    )
    dark_luma: float = Field(
        default=40.0,
        ge=0,
        le=255,
        description="Mean frame brightness (0-255 luma) under which the room is too dark for "
        "the pose model (a lit room reads 90-160; the model loses people under ~30).",
    )
    lost_s: float = Field(
        default=1.0,
        gt=0,
        le=600,
        description="Nobody detected for this long (s) = the person left the picture.",
    )
    min_body_frac: float = Field(
        default=0.33,
        gt=0,
        le=1,
        description="The body (shoulders to toes) must span at least this fraction of the "
        "image's long side; smaller = too far away (the foot becomes a few pixels). An adult "
        "spans ~45% at 2.6 m with a 65° phone camera, ~34% at 3.5 m (the far end that was "
        "tested).",
    )
    max_body_frac: float = Field(
        default=0.92,
        gt=0,
        le=1,
        description="... and at most this fraction: larger leaves no margin for the lifted leg.",
    )
    max_level_deg: float = Field(
        default=12.0,
        gt=0,
        le=90,
        description="Body line (shoulder centre to ankle centre) steeper than this (deg) against "
        "the image's horizontal = camera not level (or the person not parallel to it).",
    )
    min_stack_ratio: float = Field(
        default=0.25,
        ge=0,
        le=10,
        description="Vertical gap between the top and bottom hip divided by the trunk length. "
        "Stacked hips read ~0.54 from a floor camera 0.3 m high and ~0.46 from 1.8 m high at "
        "2.6 m (kinematic model); the gap shrinks with the cosine of the look-down angle, so "
        "under 0.25 the camera looks down more than ~60° (or the pelvis rolled far): too high.",
    )
