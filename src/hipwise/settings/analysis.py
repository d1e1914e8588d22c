"""Settings of one analysis: filtering, rep detection, fault thresholds, sets, conditions, and
the ``[pose]``, ``[checks]`` and ``[variations]`` sections. Every threshold that decides a count or
a fault lives here with the DOMAIN.md rule it implements; each numeric one has its valid range.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from hipwise.settings.checks import ChecksConfig
from hipwise.settings.pose import PoseConfig
from hipwise.settings.variations import VariationChoice, VariationsConfig
from hipwise.settings_base import FrozenSettings

__all__ = [
    "FOOT_TO_LEG",
    "AnalysisConfig",
    "BodyConfig",
    "ConditionsConfig",
    "FaultConfig",
    "FilterConfig",
    "RepConfig",
    "SetConfig",
]

#: Foot length (heel to toe tip) over leg length (hip to knee plus knee to ankle) of an adult:
#: 0.152 / (0.245 + 0.246) of body height (Winter, *Biomechanics and Motor Control of Human
#: Movement*, segment lengths). Default of ``body.foot_to_leg``.
FOOT_TO_LEG = 0.31


class FilterConfig(FrozenSettings):
    """Signal conditioning of per-frame kinematics."""

    cutoff_hz: float = Field(
        default=4.0,
        gt=0,
        le=30,
        description="Cut-off (Hz) of the causal two-pole low-pass applied to every kinematic "
        "channel for live display and phase detection. Voluntary leg motion in this exercise "
        "sits below ~2 Hz; pose jitter and fatigue shaking (6-10 Hz) sit above.",
    )
    segment_sigma_s: float = Field(
        default=0.08,
        gt=0,
        le=2,
        description="Gaussian smoothing (s, standard deviation) applied within a finished rep "
        "before its phase boundaries are located; strong enough to remove shaking at the hold "
        "(attenuates 7 Hz by >99%), short enough to keep a 0.5 s lift visible.",
    )
    min_visibility: float = Field(
        default=0.3,
        ge=0,
        le=1,
        description="Landmarks below this visibility are treated as missing in that frame.",
    )
    max_gap_s: float = Field(
        default=1.0,
        gt=0,
        le=10,
        description="Missing stretches up to this long are bridged by holding the last value; "
        "longer gaps end the rep in progress without counting it. (0.5 s lost the first rep "
        "of tune clip 39: the pose model dropped a small body for 0.7 s during its hold.)",
    )


class BodyConfig(FrozenSettings):
    """Body proportions used where the pose model's own 3D landmarks are too coarse."""

    foot_to_leg: float = Field(
        default=FOOT_TO_LEG,
        gt=0,
        le=1,
        description="Foot length (heel to toe tip) over leg length (thigh + shank) of an "
        "adult, 0.152 / 0.491 of body height (Winter's segment tables). Scales the foot's "
        "rotation: a foot turned by θ lifts its toe by foot length × sin θ in the image. "
        "(The pose model's 3D foot is 0.18 of its leg and read rotations ~1.9x too large.)",
    )


class RepConfig(FrozenSettings):
    """Rep detection: a rep counts only when the leg rises clearly above rest and returns."""

    start_deg: float = Field(
        default=7.0, gt=0, le=90,
        description="Abduction above the rest baseline (deg) that opens a rep."
    )
    end_deg: float = Field(
        default=4.0,
        gt=0,
        le=90,
        description="Abduction above rest (deg) below which the leg is back at rest "
        "(hysteresis: lower than start_deg).",
    )
    min_peak_deg: float = Field(
        default=10.0,
        gt=0,
        le=90,
        description="A rep must peak at least this far above rest (deg); smaller wiggles are "
        "not counted.",
    )
    min_rep_s: float = Field(default=0.5, gt=0, le=60, description="Shortest countable rep (s).")
    rest_settle_s: float = Field(
        default=0.8,
        ge=0,
        le=30,
        description="Time (s) the leg must stay below end_deg before the rep is closed and "
        "measured; the samples in it let the end of the lower be located.",
    )
    first_rest_s: float = Field(
        default=0.4,
        gt=0,
        le=5.0,
        description="Still time (s, spread under end_deg) that gives the first, provisional "
        "rest baseline. Provisional until a rep is counted: if the leg later settles at least "
        "min_peak_deg lower, the first still posture was a held top; the rest is re-taken there "
        "and everything since the start is replayed, so no rep is lost to a late calibration.",
    )
    min_rest_deg: float = Field(
        default=-15.0,
        ge=-90.0,
        le=0.0,
        description="Lowest believable abduction (deg, raw, against the body's line): the top "
        "leg lying on the other cannot go far below that line, so a frame reading lower is a "
        "misread of the pose model (e.g. the bottom leg measured) and is skipped. (Tune clip "
        "39: a half second read at -20° became the rest, and the next reps read 25-30° high; "
        "rests on the tune split read -7 to +10°.)",
    )
    max_below_rest_deg: float = Field(
        default=10.0,
        gt=0.0,
        le=90.0,
        description="Once a rep has been counted (the rest is known), a frame reading more "
        "than this (deg) below the rest is a misread and is skipped: the top leg lies on the "
        "other at rest and cannot drop under it. (Render-free stress scenario 11 of the tune "
        "seeds: a leg read mirrored for two frames late in a lower, at -14° against a rest "
        "of 1°, looked like a return to rest and a new rep.) Before the first rep the rest is "
        "provisional and lower still postures revise it (first_rest_s).",
    )
    max_leg_speed_deg_s: float = Field(
        default=400.0,
        gt=0,
        le=100000,
        description="Fastest the abduction can change (deg/s). A frame whose angle jumps "
        "faster than this from the last one, unconfirmed by the next, is a misread of the pose "
        "model and is skipped: it costs one frame when the leg really moved that fast. A 65° "
        "swing in 0.4 s peaks near 300 deg/s; one misread frame read a leg held at 35° as "
        "-37° and split the rep in two.",
    )
    cut_start_max_share: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="A rep already under way at the first frame where the leg is seen (the "
        "recording, or the pose model's first sight of the person, began during the lift) "
        "is counted when that first angle was at most this share of the rep's peak above "
        "rest: most of the lift was seen, and its start is timed from the fitted movement. "
        "Higher, too little of the lift was seen and the rep is left out. (Tune clip 81: the "
        "person was found 0.1 s into a swing, at 22° of 62°, and the swing was lost.)",
    )
    replay_window_s: float = Field(
        default=120.0,
        gt=0,
        le=3600,
        description="How much history (s) is kept for that replay while no rep has been counted.",
    )
    preroll_s: float = Field(
        default=3.0,
        gt=0,
        le=60,
        description="Samples kept from before the rep opens (s): a slow lift leaves rest well "
        "before it crosses start_deg.",
    )
    still_deg_per_s: float = Field(
        default=8.0,
        gt=0,
        le=360,
        description="Live phase display only: angular speed (deg/s) under which the leg counts "
        "as still (hold). Reported phases come from the finished rep's segmentation.",
    )
    baseline_window_s: float = Field(
        default=2.0,
        gt=0,
        le=60,
        description="Rest baseline (the person's own zero) = median abduction over the last "
        "this-many seconds spent at rest.",
    )
    hold_band_deg: float = Field(
        default=2.5,
        gt=0,
        le=45,
        description="Angle below the rep's peak (deg) still counted as 'at the top' when "
        "reading the hold level.",
    )
    shape_prior: float = Field(
        default=3.0,
        ge=1.0,
        le=5.0,
        description="Phase boundaries come from fitting each movement (lift, lower) with a "
        "smooth step from rest to top whose shape is the regularised incomplete beta function "
        "I_x(k, k); its ends are where motion starts and stops (DOMAIN.md), so a slow start is "
        "not cut off as a threshold on the angle would. k = 3 is the minimum-jerk profile "
        "that models human point-to-point movement (Flash & Hogan 1985); k = 2.2 is a raised "
        "cosine. The pose model flattens the last degree or two of each movement, which "
        "shortens fitted movements by ~0.1 s per end; the minimum-jerk prior offsets that.",
    )
    shape_prior_weight: float = Field(
        default=2.0,
        ge=0,
        le=100,
        description="How strongly k is pulled toward shape_prior (residual weight, deg per unit "
        "of k); 0 leaves the shape free, which noise then exploits.",
    )
    shaking_band_hz: tuple[float, float] = Field(
        default=(4.0, 12.0), description="Frequency band (Hz) of fatigue shaking at the hold."
    )
    shaking_amp_deg: float = Field(
        default=0.8,
        gt=0,
        le=45,
        description="Amplitude (deg) of the strongest oscillation in shaking_band_hz during "
        "the hold above which the rep is reported as shaking (fatigue: information, not a "
        "fault). A sinusoid fit, so frame-to-frame pose jitter (spread over all frequencies) "
        "does not count as shaking.",
    )

    @field_validator("shaking_band_hz", mode="after")
    @classmethod
    def _band_is_ordered(cls, value: tuple[float, float]) -> tuple[float, float]:
        """0 < low < high <= 30 Hz (half the highest camera rate)."""
        low, high = value
        if not 0 < low < high <= 30:
            raise ValueError(f"must be (low, high) Hz with 0 < low < high <= 30, got {value}")
        return value


class FaultConfig(FrozenSettings):
    """Fault thresholds (DOMAIN.md, 'Per repetition')."""

    too_high_deg: float = Field(
        default=45.0, gt=0, le=90,
        description="Peak abduction above this (deg) = too_high (source).",
    )
    too_fast_lift_s: float = Field(
        default=1.0, ge=0, le=30, description="Lift shorter than this (s) = too_fast (default)."
    )
    hold_target_s: float = Field(
        default=2.0, gt=0, le=600, description="Hold at the top for two seconds."
    )
    hold_min_s: float = Field(
        default=1.7, ge=0, le=600,
        description="Hold shorter than this (s) = no_hold (tolerance, default).",
    )
    lower_ratio_target: float = Field(
        default=2.0, gt=0, le=10, description="Lower twice as slowly as lift."
    )
    lower_ratio_min: float = Field(
        default=1.7, ge=0, le=10,
        description="Lower shorter than this x lift = dropped (tolerance).",
    )
    toes_up_deg: float = Field(
        default=0.0,
        ge=-90,
        le=90,
        description="Foot rotation above this (deg; + = toes toward the ceiling, 0 = foot "
        "parallel to the floor) at the top of the rep = toes_up: DOMAIN.md's 'toes above the "
        "heel'. Rendered clips: toes-up reps read +3 to +18, every other rep -5 or lower "
        "(the foot reads ~5 deg toward the floor on average, so a neutral foot passes).",
    )
    toes_down_wanted_deg: float = Field(
        default=-3.0,
        ge=-90,
        le=90,
        description="Foot rotation at or below this (deg) is the wanted toes-down position; "
        "between this and toes_up_deg the coach cues 'turn your toes toward the floor' without "
        "calling a fault (no cue with a labral tear, where neutral is fine).",
    )
    hip_hike_deg: float = Field(
        default=8.0, gt=0, le=90,
        description="Waist crunch growing more than this (deg) during the lift = hip_hike "
        "(DOMAIN.md): read as the hip line tilting toward the head against the trunk, which "
        "shows a pelvic tilt and a trunk bend alike.",
    )
    hip_hike_waist_min_deg: float = Field(
        default=3.0, ge=0, le=90,
        description="A hip hike must also shorten the top-side waist (shoulder-hip distance "
        "against the hip gap, in deg) by at least this: a pelvic tilt reads about half its size "
        "there, a trunk bend its full size, while a good rep seen from an odd camera can swing "
        "one reading alone by 10-14 deg (tune split).",
    )
    pelvis_roll_deg: float = Field(
        default=10.0, gt=0, le=90, description="Pelvis rolled more than this (deg) from stacked."
    )
    forward_drift_deg: float = Field(
        default=12.0,
        gt=0,
        le=90,
        description="Leg more than this (deg) in front of the body line = forward_drift. "
        "DOMAIN.md says 15; the measure (how far the top foot turned back toward the head, "
        "kinematics.foot_pitch_deg; the pose model's 3D landmarks see ~3 cm of a 36 cm "
        "drift) reads rendered 25° drifts as 13-20° and every other rep at 11° or less, so "
        "the default sits between them.",
    )
    foot_view_max_yaw_deg: float = Field(
        default=15.0,
        ge=0.0,
        le=90.0,
        description="Toes up and forward drift are read from the top foot in the image, which "
        "assumes the body lies parallel to the camera. With the body turned further than this "
        "(deg, body_yaw_deg) toward or away from the camera, the foot's forward direction shows "
        "along the leg and turns with every lift (a turned stick figure read +10 to +15 deg of "
        "'toes up' on good reps): those two faults are then not judged, and the analysis says "
        "so, rather than guessing.",
    )
    posture_min_trunk_px: float = Field(
        default=30.0,
        ge=0.0,
        le=2000.0,
        description="The posture faults (hip_hike, pelvis_roll, toes_up, forward_drift, "
        "bent_knee) are read from small details: the hip line, the foot, the knee. With the "
        "body smaller in the picture than this (trunk length mid-shoulder to mid-hip, in the "
        "video's pixels: a body about 100 px long) they are not judged and the analysis says "
        "so (count, angle and timing still are). On the tune split, posture calls on trunks of "
        "32-50 px were no less precise than on larger ones (0.57-0.83 in every size band), so "
        "the line sits under the smallest body seen there, not above it. 0 judges them at "
        "any size.",
    )
    bent_knee_deg: float = Field(
        default=160.0,
        gt=90,
        le=180,
        description="Top knee angle in the image under this (deg; 180 = straight) at the top of "
        "the lift = bent_knee. Judged only from the image: a straight leg projects to a straight "
        "line from any camera, so only a real bend closes the image angle; a knee bending toward "
        "or away from a front camera is not seen and not called (see docs/engine.md).",
    )


class SetConfig(FrozenSettings):
    """Splitting a video into sets."""

    pause_split_s: float = Field(
        default=12.0,
        gt=0,
        le=3600,
        description="A pause at rest longer than this (s) between reps starts a new set.",
    )
    side_switch_s: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description="The top side must stay switched this long (s) before the working leg "
        "changes (the person turned over).",
    )


class ConditionsConfig(FrozenSettings):
    """Conditions that change the rules (DOMAIN.md)."""

    labral_tear: bool = Field(
        default=False,
        description="Known hip labral tear: a neutral foot is accepted; toes up is still a fault.",
    )
    bursitis: bool = Field(
        default=False,
        description="Acute trochanteric bursitis: warn; isometric holds first; sharp pain = stop.",
    )


class AnalysisConfig(FrozenSettings):
    """All settings of one analysis."""

    filter: FilterConfig = FilterConfig()
    body: BodyConfig = BodyConfig()
    reps: RepConfig = RepConfig()
    faults: FaultConfig = FaultConfig()
    sets: SetConfig = SetConfig()
    conditions: ConditionsConfig = ConditionsConfig()
    variation: VariationChoice = Field(
        default="auto",
        description="What the video shows: auto (recognised from the motion per bout, see "
        "hipwise.variations.engine), leg_lift, wall_slide, clamshell, isometric_hold or "
        "isometric_circles (DOMAIN.md 'Variations').",
    )
    variations: VariationsConfig = VariationsConfig()
    pose: PoseConfig = Field(
        default_factory=PoseConfig,
        description="Pose-model settings (the MediaPipe adapter: orientation, mirroring, frame "
        "rate, people counting).",
    )
    checks: ChecksConfig = Field(
        default_factory=ChecksConfig,
        description="Input checks that refuse a video hipwise cannot judge (no person, "
        "standing, two people, out of frame, camera moved, no movement).",
    )
