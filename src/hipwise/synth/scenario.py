"""What a synthetic clip shows: one frozen, validated :class:`Scenario`, loaded from TOML.

A scenario fixes everything a rendered clip depends on (the seed included), so the same
scenario always gives the same clip and the same labels. Units: metres, seconds, degrees,
colours as ``[r, g, b]`` integers 0-255. Unknown keys are rejected everywhere.

The scene (see ``docs/synth.md``): the floor is the plane ``y = 0`` of a world frame with ``y``
up; the person lies along the ``x`` axis (body horizontal across the image) facing ``+z``, where
the camera stands on the floor ``distance_m`` away.

Example (every key optional except those you want to change)::

    name = "good_left"
    seed = 7
    [person]
    lying_on = "left"          # works the right leg
    [[motion.reps]]
    peak_deg = 30
    [[motion.reps]]
    peak_deg = 28
    faults = ["toes_up"]
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from hipwise.pose.landmarks import Side
from hipwise.settings_base import FrozenSettings as _Frozen
from hipwise.synth.variation_script import HoldScript, ScriptedVariation

__all__ = [
    "MOVE_PROFILES",
    "SCRIPTED_FAULTS",
    "BodyShape",
    "CameraSettings",
    "CameraShift",
    "ExtraPerson",
    "FaultMagnitudes",
    "HikeMode",
    "MotionSettings",
    "MoveProfile",
    "PersonSettings",
    "RealismSettings",
    "RepScript",
    "Rgb",
    "Scenario",
    "ScenarioError",
    "SceneSettings",
    "ScriptedFault",
    "TruthThresholds",
]

Rgb = tuple[int, int, int]

MoveProfile = Literal["min_jerk", "cosine", "asymmetric", "overshoot"]
"""Shape of a rep's moves (see :mod:`hipwise.synth.motion`); every one starts and stops with
zero velocity exactly at the scripted phase boundaries."""

MOVE_PROFILES: tuple[MoveProfile, ...] = ("min_jerk", "cosine", "asymmetric", "overshoot")

HikeMode = Literal["trunk", "pelvis", "both"]
"""How a scripted hip hike shows: upper-trunk side bend, pelvic tilt, or half each."""
ScriptedFault = Literal["toes_up", "hip_hike", "pelvis_roll", "forward_drift", "bent_knee"]
"""Faults a rep script can *show* by shaping its joint tracks (timing faults come from times)."""

SCRIPTED_FAULTS: tuple[ScriptedFault, ...] = (
    "toes_up",
    "hip_hike",
    "pelvis_roll",
    "forward_drift",
    "bent_knee",
)


class ScenarioError(ValueError):
    """A scenario file that cannot be read or does not validate (message says what to fix)."""


def _check_rgb(value: Rgb) -> Rgb:
    if any(c < 0 or c > 255 for c in value):
        raise ValueError(f"colour components must lie in 0..255, got {value}")
    return value


class BodyShape(_Frozen):
    """anny phenotype parameters, each in ``[0, 1]`` (0.5 = average).

    ``gender`` 0 = female, 1 = male; ``age`` 0 = child (about 1 year), 0.5 = young adult (about
    25), 1 = old (about 90): keep it in 0.4-1 for adults; ``muscle``, ``weight``, ``height``,
    ``proportions`` 0 = least, 1 = most.
    """

    gender: float = Field(default=0.5, ge=0.0, le=1.0)
    age: float = Field(default=0.5, ge=0.0, le=1.0)
    muscle: float = Field(default=0.5, ge=0.0, le=1.0)
    weight: float = Field(default=0.5, ge=0.0, le=1.0)
    height: float = Field(default=0.5, ge=0.0, le=1.0)
    proportions: float = Field(default=0.5, ge=0.0, le=1.0)


class CameraSettings(_Frozen):
    """A phone or webcam standing on the floor in front of the person.

    ``height_m``: lens height above the floor (m). ``distance_m``: horizontal distance from the
    person's body line to the lens (m). ``lateral_offset_m``: camera moved along the body
    (``+x``, m): large values cut off the head or feet. ``yaw_deg``: turned left/right
    about the vertical (+ = toward ``+x``). ``pitch_deg``: extra tilt on top of aiming at the
    body centre (+ = up). ``roll_deg``: rotation about the viewing axis (a crooked phone).
    ``fov_deg``: horizontal field of view (degrees; phones ~60-70).
    """

    height_m: float = Field(default=0.25, ge=0.02, le=2.0)
    distance_m: float = Field(default=2.6, ge=1.0, le=6.0)
    lateral_offset_m: float = Field(default=0.0, ge=-3.0, le=3.0)
    yaw_deg: float = Field(default=0.0, ge=-45.0, le=45.0)
    pitch_deg: float = Field(default=0.0, ge=-30.0, le=30.0)
    roll_deg: float = Field(default=0.0, ge=-30.0, le=30.0)
    fov_deg: float = Field(default=65.0, ge=30.0, le=110.0)


class PersonSettings(_Frozen):
    """The exercising person.

    ``lying_on``: the side they lie on; the working (top) leg is the other one.
    ``head_at``: where the head appears in the image. A person facing the camera and lying on
    the left side has the head on the image's right; ``None`` (default) picks that. Asking for
    the other side gives a horizontally mirrored video (like a selfie preview), flagged in the
    labels. ``bottom_leg``: the floor-side leg straight or bent (hip 45°, knee 90°).
    ``position_m``: shift of the body along ``x`` (m). ``skin_rgb``/``top_rgb``/``bottom_rgb``:
    skin, shirt and leggings colours. ``yaw_deg``: the body and its mat turned about the
    vertical axis through the body centre (degrees, + = the head end toward the camera, − = the
    feet end); labels are body-relative and do not change.
    """

    body: BodyShape = BodyShape()
    lying_on: Side = "left"
    head_at: Literal["left", "right"] | None = None
    bottom_leg: Literal["straight", "bent"] = "straight"
    position_m: float = Field(default=0.0, ge=-1.0, le=1.0)
    skin_rgb: Rgb = (224, 172, 138)
    top_rgb: Rgb = (40, 90, 160)
    bottom_rgb: Rgb = (35, 35, 40)
    baseline_hip_rotation_deg: float = Field(default=-10.0, ge=-40.0, le=40.0)
    baseline_knee_flexion_deg: float = Field(default=2.0, ge=0.0, le=90.0)
    rest_abduction_deg: float = Field(default=0.0, ge=-12.0, le=15.0)
    yaw_deg: float = Field(default=0.0, ge=-45.0, le=45.0)

    check_rgb = field_validator("skin_rgb", "top_rgb", "bottom_rgb")(_check_rgb)

    @property
    def working_leg(self) -> Side:
        """The lifted (top) leg: lying on the left side works the right leg."""
        return "right" if self.lying_on == "left" else "left"

    @property
    def natural_head_at(self) -> Literal["left", "right"]:
        """Image side of the head for a person facing the camera (no mirroring)."""
        return "right" if self.lying_on == "left" else "left"

    @property
    def mirrored(self) -> bool:
        """True when ``head_at`` asks for the non-natural side: the video is mirrored."""
        return self.head_at is not None and self.head_at != self.natural_head_at


class SceneSettings(_Frozen):
    """Room colours (0-255) and light. ``light_intensity`` scales every light (1 = default);
    ``key_light``: directional light from above-front (W/m²-like pyrender units);
    ``fill_light``: point light near the camera; ``ambient_light``: ambient level (0-1);
    ``mat``: draw an exercise mat under the person."""

    floor_rgb: Rgb = (150, 120, 90)
    mat_rgb: Rgb = (90, 140, 110)
    wall_rgb: Rgb = (215, 210, 200)
    mat: bool = True
    light_intensity: float = Field(default=1.0, ge=0.2, le=3.0)
    key_light: float = Field(default=3.0, ge=0.0, le=20.0)
    fill_light: float = Field(default=6.0, ge=0.0, le=40.0)
    ambient_light: float = Field(default=0.35, ge=0.0, le=1.0)

    check_rgb = field_validator("floor_rgb", "mat_rgb", "wall_rgb")(_check_rgb)


class FaultMagnitudes(_Frozen):
    """How strongly a scripted fault shows at the top of the lift (degrees).

    Defaults sit well beyond the DOMAIN.md thresholds so labels are unambiguous:
    ``toes_up_deg`` hip rotation added toward the ceiling (baseline -10 + 25 = +15, toes above
    the heel); ``hip_hike_deg`` trunk side-bend growth (threshold 8); ``pelvis_roll_deg``
    backward roll (threshold 10); ``forward_drift_deg`` hip flexion (threshold 15);
    ``bent_knee_deg`` knee flexion (knee angle 180 - 35 = 145 < 160).
    """

    toes_up_deg: float = Field(default=25.0, ge=0.0, le=60.0)
    hip_hike_deg: float = Field(default=15.0, ge=0.0, le=30.0)
    pelvis_roll_deg: float = Field(default=18.0, ge=0.0, le=40.0)
    forward_drift_deg: float = Field(default=25.0, ge=0.0, le=50.0)
    bent_knee_deg: float = Field(default=35.0, ge=0.0, le=90.0)


class RepScript(_Frozen):
    """One repetition: ``lift_s`` up to ``peak_deg``, ``hold_s`` at the top, ``lower_s`` back
    to rest, then ``rest_s`` still before the next rep (seconds, degrees).

    ``faults`` lists faults the joint tracks show (``toes_up``, ``hip_hike``, ``pelvis_roll``,
    ``forward_drift``, ``bent_knee``), with ``magnitudes``. ``too_high``, ``too_fast``,
    ``no_hold`` and ``dropped`` are not listed: they follow from ``peak_deg`` and the times.
    ``shaking``: a small fast oscillation during the hold (fatigue).

    ``profile``: shape of the lift and the lower (``None`` = the scenario's
    ``motion.profile``): ``min_jerk``, ``cosine``, ``asymmetric`` (a fast start with a long
    approach, the Beta(2, 4) CDF) or ``overshoot`` (min-jerk up to ``peak_deg +
    overshoot_deg`` at the end of the lift, then back to ``peak_deg`` within ``settle_s``
    inside the hold). ``hold_drift_deg``: the hold level moves linearly by this much from the
    top to the release (+ = up). ``peak_deg`` is the hold level at the top; the labelled
    peak is the highest scripted abduction of the rep (overshoot top or drifted hold).
    ``shaking``: a small fast oscillation during the hold (fatigue). ``hike_mode``: how a
    ``hip_hike`` shows: ``trunk`` (the upper trunk bends up toward the top side, the pelvis
    stays), ``pelvis`` (the pelvis tilts in the frontal plane, its top side drawn up toward the
    ribs, with the trunk and the bottom leg staying on the floor) or ``both`` (half each). The
    label quantity is the same in every mode: the growth of the waist crunch (the angle
    between the hip line and the trunk axis), ``magnitudes.hip_hike_deg``.
    """

    peak_deg: float = Field(default=30.0, ge=5.0, le=80.0)
    lift_s: float = Field(default=1.5, ge=0.2, le=10.0)
    hold_s: float = Field(default=2.0, ge=0.0, le=30.0)
    lower_s: float = Field(default=3.0, ge=0.2, le=20.0)
    rest_s: float = Field(default=1.5, ge=0.0, le=30.0)
    faults: tuple[ScriptedFault, ...] = ()
    magnitudes: FaultMagnitudes = FaultMagnitudes()
    shaking: bool = False
    profile: MoveProfile | None = None
    hold_drift_deg: float = Field(default=0.0, ge=-15.0, le=15.0)
    overshoot_deg: float = Field(default=3.0, ge=0.0, le=10.0)
    settle_s: float = Field(default=0.4, ge=0.05, le=2.0)
    hike_mode: HikeMode = "trunk"

    @field_validator("faults")
    @classmethod
    def _unique(cls, v: tuple[ScriptedFault, ...]) -> tuple[ScriptedFault, ...]:
        if len(set(v)) != len(v):
            raise ValueError(f"faults must not repeat, got {list(v)}")
        return v


class MotionSettings(_Frozen):
    """The set: ``lead_in_s`` still at rest, the reps in order, ``lead_out_s`` still at the end
    (seconds). No reps = a person lying still. ``shaking_hz``/``shaking_deg``: frequency (Hz)
    and amplitude (degrees) of hold shaking. ``profile``: the shape of every move of reps
    without their own ``profile``: ``min_jerk`` (10u^3 - 15u^4 + 6u^5, the classic model of
    human point-to-point movement), ``cosine`` ((1 - cos(pi u)) / 2, whose 10-90 % part of a
    1.5 s lift lasts about 0.9 s as DOMAIN.md describes), ``asymmetric`` or ``overshoot``
    (see :class:`RepScript`); all start and stop with zero velocity, so phase boundaries are
    the same. ``clamshell_hip_flexion_deg`` (clamshell only, 20-75): hip flexion of both
    thighs when closed (the knees stay at 90°); unset = the historic pose (bottom thigh at
    45°, the top leg's hip→ankle line in the body's frontal plane, its thigh at about 44°)."""

    profile: MoveProfile = "min_jerk"
    lead_in_s: float = Field(default=1.5, ge=0.0, le=30.0)
    lead_out_s: float = Field(default=1.5, ge=0.0, le=30.0)
    reps: tuple[RepScript, ...] = ()
    shaking_hz: float = Field(default=7.5, ge=3.0, le=15.0)
    shaking_deg: float = Field(default=1.5, ge=0.2, le=5.0)
    # variations (hipwise.synth.variation_script): isometric sets script holds, not reps
    variation: ScriptedVariation = "leg_lift"
    holds: tuple[HoldScript, ...] = ()
    # clamshell only: both thighs flexed this far (deg) from the trunk axis when closed;
    # None = the historic pose (bottom thigh 45, top hip→ankle line in the frontal plane)
    clamshell_hip_flexion_deg: float | None = Field(default=None, ge=20.0, le=75.0)

    @model_validator(mode="after")
    def _has_duration(self) -> MotionSettings:
        if not self.reps and not self.holds and self.lead_in_s + self.lead_out_s <= 0:
            raise ValueError("a clip without reps needs lead_in_s + lead_out_s > 0")
        isometric = self.variation in ("isometric_hold", "isometric_circles")
        if self.holds and (self.reps or not isometric):
            raise ValueError("holds need variation isometric_hold or isometric_circles, no reps")
        if isometric and self.reps:
            raise ValueError(f"variation {self.variation} scripts holds, not reps")
        if self.clamshell_hip_flexion_deg is not None and self.variation != "clamshell":
            raise ValueError("clamshell_hip_flexion_deg needs variation = \"clamshell\"")
        return self


class RealismSettings(_Frozen):
    """Camera imperfections. ``noise_sigma``: Gaussian sensor noise (0-255 units).
    ``motion_blur``: average ``blur_subframes`` renders over ``shutter`` of the frame interval.
    ``lighting_drift``: relative amplitude of a slow light change (period ``drift_period_s``).
    ``bitrate_kbps``: H.264 bitrate (phones: 500-4000)."""

    noise_sigma: float = Field(default=2.0, ge=0.0, le=20.0)
    motion_blur: bool = False
    blur_subframes: int = Field(default=3, ge=2, le=8)
    shutter: float = Field(default=0.5, gt=0.0, le=1.0)
    lighting_drift: float = Field(default=0.05, ge=0.0, le=0.5)
    drift_period_s: float = Field(default=12.0, gt=0.5)
    bitrate_kbps: int = Field(default=1500, ge=100, le=20000)


class ExtraPerson(_Frozen):
    """A second person in view (bad input). ``pose``: ``standing`` or ``side_lying``;
    ``x_m``/``z_m``: position of their body centre (m; ``z`` negative = behind the main
    person). They stay still."""

    pose: Literal["standing", "side_lying"] = "standing"
    x_m: float = Field(default=0.6, ge=-3.0, le=3.0)
    z_m: float = Field(default=-0.9, ge=-4.0, le=1.5)
    body: BodyShape = BodyShape(gender=0.8, height=0.6)
    top_rgb: Rgb = (170, 60, 50)
    bottom_rgb: Rgb = (60, 60, 70)
    skin_rgb: Rgb = (200, 150, 120)


class CameraShift(_Frozen):
    """The camera is bumped at ``at_s`` and moves by ``dx_m`` (along ``x``) and ``dy_m`` (up)
    and turns by ``dyaw_deg`` within ``duration_s`` (bad input)."""

    at_s: float = Field(default=3.0, ge=0.0)
    dx_m: float = Field(default=0.2)
    dy_m: float = Field(default=0.08)
    dyaw_deg: float = Field(default=3.0)
    duration_s: float = Field(default=0.3, gt=0.0, le=5.0)


class TruthThresholds(_Frozen):
    """DOMAIN.md thresholds used to *label* scripted reps (degrees, seconds).

    ``too_high_deg`` peak above = too_high; ``too_fast_s`` lift below = too_fast;
    ``no_hold_s`` hold below = no_hold; ``dropped_ratio`` lower below ratio x lift = dropped;
    ``toes_up_deg`` peak hip rotation above (toes above the heel) = toes_up;
    ``hip_hike_deg`` side-bend growth above = hip_hike; ``pelvis_roll_deg`` roll above =
    pelvis_roll; ``forward_drift_deg`` hip flexion above = forward_drift; ``bent_knee_deg``
    knee angle (180 - flexion) below = bent_knee.
    """

    too_high_deg: float = 45.0
    too_fast_s: float = 1.0
    no_hold_s: float = 1.7
    dropped_ratio: float = 1.7
    toes_up_deg: float = 0.0
    hip_hike_deg: float = 8.0
    pelvis_roll_deg: float = 10.0
    forward_drift_deg: float = 15.0
    bent_knee_deg: float = 160.0


class Scenario(_Frozen):
    """Everything one synthetic clip depends on. See the module docstring and docs/synth.md.

    ``pose``: ``side_lying`` (the exercise) or ``standing`` (bad input: the person stands
    facing the camera and the scripted motion lifts a leg sideways). ``width``/``height``:
    frame size (pixels); ``fps``: frames per second.
    """

    name: str = "scenario"
    description: str = ""
    seed: int = Field(default=0, ge=0)
    fps: float = Field(default=30.0, ge=5.0, le=120.0)
    width: int = Field(default=640, ge=64, le=3840)
    height: int = Field(default=480, ge=64, le=2160)
    pose: Literal["side_lying", "standing"] = "side_lying"
    camera: CameraSettings = CameraSettings()
    person: PersonSettings = PersonSettings()
    scene: SceneSettings = SceneSettings()
    motion: MotionSettings = MotionSettings(reps=(RepScript(),))
    realism: RealismSettings = RealismSettings()
    thresholds: TruthThresholds = TruthThresholds()
    extra_person: ExtraPerson | None = None
    camera_shift: CameraShift | None = None

    @model_validator(mode="after")
    def _clamshell_knees(self) -> Scenario:
        if self.motion.variation == "clamshell" and self.person.bottom_leg != "bent":
            raise ValueError('a clamshell needs person.bottom_leg = "bent" (knees at 90°)')
        return self

    @classmethod
    def from_toml(cls, path: str | Path) -> Scenario:
        """Load and validate a TOML scenario file.

        Raises:
            ScenarioError: the file is missing, not TOML, or does not validate (the message
                names the offending keys).
        """
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ScenarioError(f"scenario file not found: {p}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ScenarioError(f"{p} is not valid TOML: {exc}") from exc
        if "name" not in data:
            data["name"] = p.stem
        return cls.from_dict(data, source=str(p))

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "scenario") -> Scenario:
        """Validate a plain dict (as read from TOML/JSON); raises :class:`ScenarioError`."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            lines = [f"{source}: invalid scenario:"]
            for err in exc.errors():
                loc = ".".join(str(x) for x in err["loc"])
                lines.append(f"  {loc}: {err['msg']}")
            raise ScenarioError("\n".join(lines)) from exc

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict that :meth:`from_dict` reads back to an equal scenario."""
        return self.model_dump(mode="json")

    @property
    def duration_s(self) -> float:
        """Clip length (s): lead-in + every rep's lift/hold/lower/rest + lead-out."""
        m = self.motion
        reps = sum(r.lift_s + r.hold_s + r.lower_s + r.rest_s for r in m.reps)
        # the last rep's rest is replaced by the lead-out
        if m.reps:
            reps -= m.reps[-1].rest_s
        if m.holds:
            reps = sum(h.duration_s for h in m.holds) - m.holds[-1].rest_s
        return m.lead_in_s + reps + m.lead_out_s

    @property
    def n_frames(self) -> int:
        """Number of frames: ``floor(duration_s * fps) + 1`` (frame 0 at t = 0)."""
        return int(self.duration_s * self.fps + 1e-9) + 1
