"""Fault rules: one function per DOMAIN.md row, all with one signature.

A rule takes the measured rep, the fault thresholds and the person's conditions and returns
whether the fault is present. Rules register themselves in :data:`FAULT_RULES` with the cue the
coach says and a priority (lower = more important, used to choose one cue at a time).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hipwise.contract import FAULT_IDS, FaultId
from hipwise.reps.measure import RepMeasurement
from hipwise.settings import ConditionsConfig, FaultConfig

__all__ = [
    "FAULT_RULES", "POSTURE_FAULTS", "FaultRule", "RuleFn", "body_in_view", "evaluate_faults",
    "foot_in_view",
]

RuleFn = Callable[[RepMeasurement, FaultConfig, ConditionsConfig], bool]


@dataclass(frozen=True)
class FaultRule:
    """A registered rule: its contract id, check, spoken cue, priority, and whether one moment
    of the lift shows it (``live``: form rules the coach can call while the leg is up; the
    timing rules need the whole rep)."""

    id: FaultId
    check: RuleFn
    cue: str
    priority: int
    live: bool

    @property
    def rule_text(self) -> str:
        """The DOMAIN.md rule (the check's docstring)."""
        return (self.check.__doc__ or "").strip()


FAULT_RULES: dict[FaultId, FaultRule] = {}


def _rule(
    fault_id: FaultId, cue: str, priority: int, live: bool = True
) -> Callable[[RuleFn], RuleFn]:
    def deco(fn: RuleFn) -> RuleFn:
        FAULT_RULES[fault_id] = FaultRule(fault_id, fn, cue, priority, live)
        return fn

    return deco


#: The faults read from the body's posture (hips, foot, knee), judged only when the body is large
#: enough in the picture (:func:`body_in_view`); the others come from the angle's time course.
POSTURE_FAULTS: frozenset[FaultId] = frozenset(
    {"hip_hike", "pelvis_roll", "toes_up", "forward_drift", "bent_knee"}
)


def body_in_view(m: RepMeasurement, c: FaultConfig) -> bool:
    """Whether the body is large enough in the picture to read its posture: the trunk spans at
    least ``posture_min_trunk_px`` of the video's pixels (an unknown size counts as large
    enough). Else the posture faults are not judged: a wrong cue costs more trust than a missed
    one."""
    return not m.trunk_px < c.posture_min_trunk_px


def foot_in_view(m: RepMeasurement, c: FaultConfig) -> bool:
    """Whether the camera shows the foot as the foot rules read it: the body lies within
    ``foot_view_max_yaw_deg`` of parallel to the camera (else toes up and forward drift are
    not judged: a wrong cue costs more trust than a missed one)."""
    return not m.body_yaw_deg > c.foot_view_max_yaw_deg


@_rule("hip_hike", "Don't crunch your waist: reach long through your heel.", 1)
def hip_hike(m: RepMeasurement, c: FaultConfig, k: ConditionsConfig) -> bool:
    """No waist crunch: the waist crunch (hip line against trunk axis, pelvic tilt and trunk
    bend together) growing by more than 8° during the lift = hip hike (quadratus lumborum
    doing the work). Read at the pelvis, the hip line turning toward the head against the trunk
    (it shows a pelvic tilt with the trunk still on the floor as well as a trunk bend), and
    confirmed by the top-side waist shortening at least ``hip_hike_waist_min_deg`` (each
    reading alone swung by 10-14° on some good reps of the tune split), or shown by the waist
    alone when it shortened by more than twice the threshold. Not judged above
    ``too_high_deg``: the pose model's top hip follows a leg raised that high (tune: +6 to +10°
    of hip tilt on good 55° reps), and that rep is already called too high."""
    if m.phases.peak_deg > c.too_high_deg:
        return False
    pelvis = m.hip_tilt_change_deg > c.hip_hike_deg
    waist = m.side_bend_change_deg > c.hip_hike_waist_min_deg
    # a trunk bend so large that the waist alone shows it (a renderer that lifts the whole
    # upper trunk read a 15° hike as 20° of waist and only 6° at the hip line)
    strong = m.side_bend_change_deg > 2.0 * c.hip_hike_deg
    return (pelvis and waist) or strong


@_rule("pelvis_roll", "Keep your hips stacked.", 2)
def pelvis_roll(m: RepMeasurement, c: FaultConfig, k: ConditionsConfig) -> bool:
    """Hips stay stacked: pelvis roll over 10° = pelvis rolling. Not judged above
    ``too_high_deg``: the pose model's hips turn with a leg swung that high (tune: 5-8° of
    roll on swings to 55-64° without any, 11° on one to 66°), and that rep is already called
    too high."""
    if m.phases.peak_deg > c.too_high_deg:
        return False
    return abs(m.pelvis_roll_deg) > c.pelvis_roll_deg


@_rule("toes_up", "Turn your toes toward the floor.", 3)
def toes_up(m: RepMeasurement, c: FaultConfig, k: ConditionsConfig) -> bool:
    """Toes slightly toward the floor: toes above the heel = toes up, TFL taking over. Still a
    fault with a labral tear (where a neutral foot is accepted). Not judged on a body turned
    from the camera (``foot_view_max_yaw_deg``) nor above ``too_high_deg`` (the rep is already
    called too high, and the foot landmarks follow a leg swung that high)."""
    if m.phases.peak_deg > c.too_high_deg:
        return False  # the foot landmarks follow a leg swung that high (tune: +14° at 63°)
    return foot_in_view(m, c) and m.foot_rotation_deg > c.toes_up_deg


@_rule("forward_drift", "Keep your leg in line with your body, not in front.", 4)
def forward_drift(m: RepMeasurement, c: FaultConfig, k: ConditionsConfig) -> bool:
    """No forward drift: leg more than 15° in front of the body line = hip flexors taking over.
    Read from the top foot turning back toward the head as the leg swings toward the camera
    (the pose model's 3D landmarks miss most of a drift); the reading falls short of the true
    drift, hence a default threshold of 12°. Not judged on a body turned from the camera
    (``foot_view_max_yaw_deg``) nor above ``too_high_deg`` (the foot turns with a leg swung that
    high; that rep is already called too high)."""
    if m.phases.peak_deg > c.too_high_deg:
        return False  # a leg swung that high turns the foot with it (tune: 16° on a 56° swing)
    return foot_in_view(m, c) and m.forward_drift_deg > c.forward_drift_deg


@_rule("too_high", "Stop lower: about a foot off the floor is plenty.", 5)
def too_high(m: RepMeasurement, c: FaultConfig, k: ConditionsConfig) -> bool:
    """Peak abduction at or below 45°: above 45° = too high, form almost certainly lost."""
    return m.phases.peak_deg > c.too_high_deg


@_rule("bent_knee", "Keep your top leg straight.", 6)
def bent_knee(m: RepMeasurement, c: FaultConfig, k: ConditionsConfig) -> bool:
    """Top leg straight: knee under 160° = bent knee. Judged from the knee angle in the image
    only: a straight leg projects to a straight line from any camera, so an image angle under
    160° is a real bend, while a knee bending toward or away from a front camera cannot be
    seen, and is then not called (a wrong cue costs more trust than a missed one)."""
    return m.min_knee_deg < c.bent_knee_deg


@_rule("too_fast", "Lift slowly and breathe out.", 7, live=False)
def too_fast(m: RepMeasurement, c: FaultConfig, k: ConditionsConfig) -> bool:
    """Lift slowly, breathe out: lift shorter than 1.0 s = too fast / swinging."""
    return m.phases.lift_s < c.too_fast_lift_s


@_rule("no_hold", "Hold two seconds at the top.", 8, live=False)
def no_hold(m: RepMeasurement, c: FaultConfig, k: ConditionsConfig) -> bool:
    """Hold at the top for two seconds: hold shorter than 2 s (tolerance 1.7 s) = no hold."""
    return m.phases.hold_s < c.hold_min_s


@_rule("dropped", "Lower twice as slowly as you lift.", 9, live=False)
def dropped(m: RepMeasurement, c: FaultConfig, k: ConditionsConfig) -> bool:
    """Lower twice as slowly as the lift: descent shorter than 2 x lift (tolerance 1.7 x) =
    dropped the leg."""
    return m.phases.lower_s < c.lower_ratio_min * m.phases.lift_s


def evaluate_faults(
    m: RepMeasurement, faults: FaultConfig, conditions: ConditionsConfig
) -> list[FaultId]:
    """All faults present in one rep, in contract order. The posture faults
    (:data:`POSTURE_FAULTS`) are judged only when :func:`body_in_view`."""
    judge_posture = body_in_view(m, faults)
    return [
        f for f in FAULT_IDS
        if (judge_posture or f not in POSTURE_FAULTS)
        and FAULT_RULES[f].check(m, faults, conditions)
    ]
