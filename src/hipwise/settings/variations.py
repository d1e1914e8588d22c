"""Settings of the exercise variations (DOMAIN.md "Variations"), as frozen models.

Every threshold that recognises or measures a variation lives here with its reason. They sit in
the ``[variations]`` section of the settings (``AnalysisConfig.variations``); which variation a
video shows is ``AnalysisConfig.variation`` (``auto`` = recognised from the motion).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from hipwise.settings_base import FrozenSettings

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

VariationChoice = Literal[
    "auto", "leg_lift", "wall_slide", "clamshell", "isometric_hold", "isometric_circles"
]
VARIATION_CHOICES: tuple[VariationChoice, ...] = (
    "auto",
    "leg_lift",
    "wall_slide",
    "clamshell",
    "isometric_hold",
    "isometric_circles",
)


class HoldConfig(FrozenSettings):
    """Finding isometric holds in the zeroed abduction angle (deg) over time (s)."""

    target_s: float = Field(
        default=20.0,
        gt=0,
        le=3600,
        description="How long each isometric hold should last (s): the live page's timer and "
        "the report's verdict. DOMAIN.md prescribes no hold time; 20 s is this project's "
        "choice: about what 5 + 5 circles of ~1.6 s with a pause between the directions take, "
        "so the plain hold and the hold with circles share one target.",
    )
    target_tolerance: float = Field(
        default=0.15,
        ge=0,
        lt=1,
        description="A hold counts as long enough from (1 - this) x target_s (the leg-lift "
        "hold's 1.7 s for 2 s is the same 15 %).",
    )

    up_deg: float = Field(
        default=10.0,
        gt=0,
        le=90,
        description="The leg is 'up' while its smoothed abduction stays this far above rest "
        "(deg); the same height a counted rep must reach (reps.min_peak_deg).",
    )
    smooth_s: float = Field(
        default=0.5,
        gt=0,
        le=600,
        description="Gaussian smoothing (s, standard deviation) of the angle before finding "
        "holds: removes circles (periods of 1-3 s leave <25 %) and shaking, keeps the slow "
        "lift, hold and sag.",
    )
    still_deg_per_s: float = Field(
        default=6.0,
        gt=0,
        le=360,
        description="The hold starts when the smoothed angle first moves slower than this "
        "(deg/s) after the lift, and ends when it last does before the lower. A slow lift "
        "(30 deg in 1.5 s) averages 20 deg/s; sag over a hold is under 1 deg/s.",
    )
    min_hold_s: float = Field(
        default=3.0,
        gt=0,
        le=600,
        description="Shortest stretch at the top reported as an isometric hold (s); the 2 s "
        "hold of an ordinary leg lift is shorter.",
    )
    sag_window_s: float = Field(
        default=1.0,
        gt=0,
        le=600,
        description="Sag = mean angle over the first this-many seconds of the hold minus the "
        "mean over the last this-many seconds (the contract's 'first to last second').",
    )
    shaking_window_s: float = Field(
        default=4.0,
        gt=0,
        le=600,
        description="Shaking in a long hold is judged in windows of this length (s, half "
        "overlapping), in the window where it is strongest: fatigue shaking often starts "
        "late, and one fit over a 30 s hold would dilute it. 4 s resolves 0.25 Hz, which "
        "lets a shake stand out of pose jitter (see shaking_peak_ratio).",
    )
    refine_max_s: float = Field(
        default=1.0,
        ge=0,
        le=600,
        description="The hold's ends are refined by fitting the lift and the lower with the "
        "leg-lift segmentation's smooth step (reps.shape_prior): the smoothing that finds "
        "holds blurs them by ~0.3 s. A fit that moves an end by more than this (s) is ignored.",
    )
    refine_pad_s: float = Field(
        default=2.5,
        gt=0,
        le=600,
        description="Samples before the coarse hold start (and after its end) given to the "
        "lift (lower) fit (s): the whole movement plus some rest.",
    )
    refine_top_s: float = Field(
        default=0.6,
        gt=0,
        le=600,
        description="Samples inside the coarse hold given to each fit (s): enough to fix the "
        "top level, short enough that circles and sag barely disturb it.",
    )
    shaking_amp_deg: float = Field(
        default=0.35,
        gt=0,
        le=90,
        description="A hold shakes when, in some window, the strongest oscillation in "
        "reps.shaking_band_hz is larger than this (deg). Lower than the rep's 0.8: the pose "
        "model's own temporal smoothing shrinks a 1.5 deg, 5 Hz shake to ~0.5 deg, and a 2 s "
        "window of a still rendered hold measured 0.12 deg (docs/variations.md).",
    )
    shaking_peak_ratio: float = Field(
        default=4.0,
        ge=1,
        le=10,
        description="...and only when that oscillation stands out of the band: its amplitude "
        "over the band's median amplitude in the same window at least this. White landmark "
        "noise (0.5-1.5 px, 8 seeds) peaked at 3.3; a 1.5 deg 5 Hz shake read 5.4-21 with 1 px "
        "noise, 3.4-7.7 with 1.5 px (4 s windows).",
    )
    settle_s: float = Field(
        default=0.5,
        gt=0,
        le=600,
        description="Live tracking only: the leg must stay below up_deg this long (s) before "
        "a hold is closed and measured.",
    )


class CircleConfig(FrozenSettings):
    """Counting the foot's circles during a hold, their direction and size."""

    detrend_s: float = Field(
        default=0.8,
        gt=0,
        le=600,
        description="Gaussian smoothing (s) whose output is the slow drift of the foot (sag, "
        "the hold's own level); subtracting it leaves the circles. Keeps >99 % of a 1.5 s "
        "circle and ~75 % of a 3 s one.",
    )
    smooth_s: float = Field(
        default=0.08,
        gt=0,
        le=600,
        description="Gaussian smoothing (s) of the foot path against pose jitter; leaves a 1 s "
        "circle nearly untouched (>99 %).",
    )
    reversal_deg: float = Field(
        default=180.0,
        gt=0,
        le=360,
        description="The phase of the foot must run back this far (deg) from its extreme "
        "before the direction counts as reversed (hysteresis against jitter).",
    )
    min_fraction: float = Field(
        default=0.75,
        gt=0,
        le=1,
        description="A run's last, incomplete circle counts when at least this fraction of a "
        "revolution was drawn (the person often stops just before closing the last one).",
    )
    min_diameter_cm: float = Field(
        default=8.0,
        gt=0,
        le=200,
        description="Circles smaller than this (cm) are not counted: a still foot's jitter "
        "(1-2 px, under 1 cm at 2.6 m) would otherwise trace tiny random loops.",
    )
    max_circle_s: float = Field(
        default=8.0,
        gt=0,
        le=600,
        description="A 'circle' taking longer than this (s) is a slow drift, not a circle.",
    )
    target_diameter_cm: float = Field(
        default=25.0,
        gt=0,
        le=200,
        description="The article's 'dinner plate' (cm); the coach compares circle sizes to it.",
    )
    target_per_direction: int = Field(
        default=5, ge=1, le=100, description="Circles each way the article prescribes (source)."
    )
    scale: Literal["world", "assumed"] = Field(
        default="world",
        description="Where the centimetre scale comes from: 'world' = the pose model's metric "
        "hip-to-ankle length (falls back to assumed_leg_m when missing), 'assumed' = "
        "assumed_leg_m always. Diameter = foot excursion across the leg in pixels x "
        "(leg length in cm / leg length in pixels).",
    )
    assumed_leg_m: float = Field(
        default=0.82,
        gt=0,
        le=3,
        description="Hip joint centre to ankle of an average adult (m), ~0.48 x body height "
        "(Winter, Biomechanics of Human Movement: thigh 0.245 H + shank 0.246 H).",
    )


class ClamshellConfig(FrozenSettings):
    """Clamshell: knees bent to about 90 degrees, the top knee opens while the feet stay
    together; counted and timed like reps on the thigh-opening angle."""

    knee_max_deg: float = Field(
        default=130.0,
        gt=0,
        le=180,
        description="Recognition: a top knee angle (hip-knee-ankle, 3D from image + depth) "
        "under this (deg; 180 = straight) for most of the set means clamshell. The "
        "clamshell's knee is ~90; a leg lift's bent-knee fault stops near 145.",
    )
    min_bent_fraction: float = Field(
        default=0.6,
        gt=0,
        le=1,
        description="Share of the set's frames with the knee under knee_max_deg needed to call "
        "it a clamshell.",
    )
    check_pelvis_roll: bool = Field(
        default=False,
        description="Judge pelvis_roll (over faults.pelvis_roll_deg) on clamshell openings. Off "
        "by default: on the rendered clamshell the pose model's world hips swung 25-35 deg "
        "with every opening while the rendered pelvis stayed still (a fault on every rep). "
        "The measured roll is still reported per rep (pelvis_roll_deg).",
    )
    thigh_to_trunk: float = Field(
        default=0.85,
        gt=0.3,
        lt=2.0,
        description="Thigh length (hip to knee) over trunk length (mid-shoulder to mid-hip), "
        "both in 3D. The opening is read from the image, where the trunk lies flat in the "
        "picture but the thigh points at the camera; this ratio gives the thigh's true length "
        "in pixels. 0.85 = Winter's anthropometric tables (thigh 0.245, trunk 0.288 of body "
        "height). Each +0.05 reads a 40-deg opening about 3 deg smaller.",
    )
    min_thigh_axis_deg: float = Field(
        default=20.0,
        gt=0,
        lt=90,
        description="Floor on the thigh's angle to the hip-ankle line (deg) when the image "
        "suggests less (a thigh shorter than thigh_to_trunk predicts): keeps the knee's radius "
        "about that line from collapsing to zero. A 90-deg knee gives ~45.",
    )
    body_window_s: float = Field(
        default=20.0,
        gt=0,
        le=600,
        description="The knee's distance along the hip-ankle line and the trunk's length do "
        "not change as the knee opens: running medians over this many seconds (s) replace "
        "each frame's noisy values when the opening is read.",
    )
    camera_fov_deg: float = Field(
        default=65.0,
        gt=10,
        lt=170,
        description="Field of view (deg) across the long side of the picture assumed when "
        "correcting the opening for perspective (the knee is nearer the camera than the "
        "trunk). Phones' main cameras and webcams are ~60-78; 55 or 80 instead of 65 moves a "
        "40-deg opening by about +1 or -2 deg.",
    )
    preroll_s: float = Field(
        default=1.0,
        gt=0,
        le=600,
        description="Replaces reps.preroll_s for openings (s): clamshells follow each other "
        "with short pauses, and a longer look-back would take in the previous opening's top.",
    )
    rest_settle_s: float = Field(
        default=0.5,
        ge=0,
        le=600,
        description="Replaces reps.rest_settle_s for openings (s): how long the knees stay "
        "closed before an opening is measured.",
    )


class WallSlideConfig(FrozenSettings):
    """Wall slide: a leg lift with back and heel against a wall."""

    max_drift_deg: float = Field(
        default=8.0,
        gt=0,
        le=90,
        description="Forward drift (deg) above which a wall-slide rep gets the forward_drift "
        "fault: the wall should keep it near zero, so stricter than the leg lift's 12.",
    )
    max_shank_growth: float = Field(
        default=1.035,
        gt=1,
        le=10,
        description="...or the shank's image growth from rest to the top above this factor "
        "(straight floor lifts: 0.93-1.03). The pose model's depth "
        "misses most drift: on the rendered wall-slide clip a 12 deg drift read 0.45 deg, but "
        "grew the shank 1.041x against 0.989x for the clean rep (straight lifts: 0.93-1.03).",
    )
    max_heel_forward_cm: float = Field(
        default=2.5,
        gt=0,
        le=200,
        description="...or the heel coming off the wall toward the camera by more than this "
        "(cm, world landmarks, from the second before the rep): the 12 deg drift read 3.5 cm "
        "(the pose model sees ~20 % of the true 18 cm), the clean rep 1.1 cm.",
    )


class RecognitionConfig(FrozenSettings):
    """Auto recognition of the variation from the motion (``variation = "auto"``)."""

    isometric_min_s: float = Field(
        default=6.0,
        gt=0,
        le=600,
        description="A stretch at the top this long (s) makes the set isometric; an ordinary "
        "rep holds ~2 s.",
    )
    min_circles: int = Field(
        default=2,
        ge=1,
        le=100,
        description="At least this many circles in the set's holds make it 'isometric with "
        "circles' rather than a plain hold.",
    )


class VariationsConfig(FrozenSettings):
    """All variation settings (section ``[variations]``)."""

    holds: HoldConfig = HoldConfig()
    circles: CircleConfig = CircleConfig()
    clamshell: ClamshellConfig = ClamshellConfig()
    wall_slide: WallSlideConfig = WallSlideConfig()
    recognition: RecognitionConfig = RecognitionConfig()
