"""Scripted joint motion of a synthetic clip (pure numpy, no rendering).

The pieces of a synthetic clip's motion: rep timings, ramps, per-rep angles, faults and the
:class:`JointTrack` they fill. :func:`hipwise.synth.script.script_motion` puts them together
(with :mod:`hipwise.synth.variations` for holds and clamshells) into a
:class:`~hipwise.synth.script.MotionScript`.

Timeline of one rep (seconds), with ``t0`` its first motion::

    t0 ── lift_s ──> t0+lift ── hold_s ──> ... ── lower_s ──> end   (then rest_s at rest)

Every move follows the rep's profile (:data:`RAMPS`): minimum-jerk ``s(u) = 10u^3 - 15u^4 +
6u^5`` by default, a raised cosine, an asymmetric ramp (fast start, long approach) or an
overshoot (min-jerk to a few degrees above the hold level, settling back inside the hold).
Every ramp has zero velocity at both ends, so phase boundaries are exactly where motion
starts and stops, as DOMAIN.md defines them: lift = leaving rest to stopping at the top (the
overshoot top, where the leg stops rising), hold = at the top (it may drift linearly by
``hold_drift_deg``), lower = starting down to back at rest; ``start_s`` = first motion,
``end_s`` = back at rest, ``peak_s`` = middle of the hold. Scripted faults scale with the
lift fraction (the ramp: 0 at rest, full magnitude during the hold). Hold shaking is a sine
of ``shaking_hz`` and ``shaking_deg`` under a ``sin^2`` window spanning the hold, so it never
moves the phase boundaries.

Angle conventions (degrees) of :class:`JointTrack`, all of the top (working) leg and trunk,
measured in the body frame (see ``docs/synth.md`` for the exact 3D definitions):

- ``abduction_deg``: top leg (hip → ankle joint centres) against the long axis (mid-shoulder →
  mid-hip), in the body's frontal plane; 0 = leg in line with the body, + = lifted.
- ``hip_flexion_deg``: leg out of the frontal plane toward the front (+ = forward drift).
- ``hip_rotation_deg``: rotation of the leg about its own axis; + = toes toward the ceiling
  (external rotation), − = toes toward the floor (good form ≈ −10).
- ``knee_flexion_deg``: 0 = straight; the knee angle is ``180 − knee_flexion_deg``.
- ``trunk_side_bend_deg``: long axis bent toward the top side relative to the pelvis
  (+ = waist crunch on the top side, i.e. hip hike).
- ``pelvis_roll_deg``: whole body rolled about its long axis, + = backward (top hip moves
  away from the camera).
- ``pelvis_tilt_deg``: the part of ``trunk_side_bend_deg`` made by the pelvis tilting in the
  frontal plane (top side drawn up toward the ribs) while the trunk stays on the floor; the
  rest, ``trunk_side_bend_deg − pelvis_tilt_deg``, is the upper trunk bending up. Set by a
  rep's ``hike_mode`` (``trunk`` 0, ``pelvis`` all, ``both`` half).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields

import numpy as np
from numpy.typing import NDArray

from hipwise.contract import FaultId
from hipwise.synth.scenario import MoveProfile, RepScript, Scenario

__all__ = [
    "PHASE_HOLD",
    "PHASE_LIFT",
    "PHASE_LOWER",
    "PHASE_REST",
    "RAMPS",
    "JointTrack",
    "RepTiming",
    "asymmetric_ramp",
    "cosine_ramp",
    "min_jerk",
    "rep_abduction",
    "rep_faults",
    "rep_peak_deg",
    "rep_profile",
    "scenario_warnings",
]

FloatArray = NDArray[np.float64]

_PELVIS_SHARE = {"trunk": 0.0, "pelvis": 1.0, "both": 0.5}
"""Share of a hip hike's side bend made by the pelvis tilting, per ``hike_mode``."""

PHASE_REST = 0
PHASE_LIFT = 1
PHASE_HOLD = 2
PHASE_LOWER = 3


def cosine_ramp(u: FloatArray) -> FloatArray:
    """Raised-cosine ramp ``(1 - cos(pi u)) / 2`` of ``u`` clipped to ``[0, 1]``."""
    x = np.clip(np.asarray(u, dtype=np.float64), 0.0, 1.0)
    return 0.5 - 0.5 * np.cos(np.pi * x)


def min_jerk(u: FloatArray) -> FloatArray:
    """Minimum-jerk ramp ``10u^3 − 15u^4 + 6u^5`` of ``u`` clipped to ``[0, 1]``; shape kept."""
    x = np.clip(np.asarray(u, dtype=np.float64), 0.0, 1.0)
    return x * x * x * (10.0 + x * (-15.0 + 6.0 * x))


def asymmetric_ramp(u: FloatArray) -> FloatArray:
    """Fast start, long approach: the regularised incomplete beta ``I_u(2, 4) = 1 - (1-u)^5 -
    5u(1-u)^4`` of ``u`` clipped to ``[0, 1]``; its velocity ``20u(1-u)^3`` is zero at both
    ends and peaks at ``u = 0.25``."""
    x = np.clip(np.asarray(u, dtype=np.float64), 0.0, 1.0)
    y = 1.0 - x
    return 1.0 - y**5 - 5.0 * x * y**4


RAMPS: dict[MoveProfile, Callable[[FloatArray], FloatArray]] = {
    "min_jerk": min_jerk,
    "cosine": cosine_ramp,
    "asymmetric": asymmetric_ramp,
    "overshoot": min_jerk,
}
"""The 0 → 1 ramp of each move profile (``overshoot`` ramps with min-jerk)."""


@dataclass(frozen=True)
class RepTiming:
    """Phase boundaries of one rep (seconds from the start of the clip)."""

    index: int
    start_s: float
    top_s: float
    release_s: float
    end_s: float

    @property
    def peak_s(self) -> float:
        """Middle of the hold (s)."""
        return 0.5 * (self.top_s + self.release_s)


@dataclass(frozen=True, eq=False)
class JointTrack:
    """Joint angles per frame; every array has shape ``(T,)``; angles in degrees.

    See the module docstring for the sign conventions. ``rep_index`` is the 1-based rep that
    frame belongs to (start ≤ t ≤ end) or 0 at rest; ``phase`` is ``PHASE_REST/LIFT/HOLD/
    LOWER``; ``lift_fraction`` is the profile ``s`` in ``[0, 1]`` (0 at rest, 1 at the top)
    that scales every scripted fault.
    """

    t: FloatArray
    abduction_deg: FloatArray
    hip_flexion_deg: FloatArray
    hip_rotation_deg: FloatArray
    knee_flexion_deg: FloatArray
    trunk_side_bend_deg: FloatArray
    pelvis_roll_deg: FloatArray
    lift_fraction: FloatArray
    rep_index: NDArray[np.int64]
    phase: NDArray[np.int64]
    pelvis_tilt_deg: FloatArray = field(default_factory=lambda: np.zeros(0))
    """Pelvic-tilt part of the side bend; empty (the default) = zeros (no pelvic tilt)."""

    def __post_init__(self) -> None:
        if self.pelvis_tilt_deg.shape != self.t.shape:
            if self.pelvis_tilt_deg.size:
                raise ValueError("pelvis_tilt_deg must have the shape of t")
            object.__setattr__(self, "pelvis_tilt_deg", np.zeros_like(self.t))

    def __len__(self) -> int:
        return int(self.t.shape[0])

    def as_dict(self) -> dict[str, NDArray[np.generic]]:
        """All arrays by field name (for ``numpy.savez``)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def frame(self, i: int) -> dict[str, float]:
        """Frame ``i`` as plain floats (angles in degrees, ``t`` in seconds)."""
        return {f.name: float(getattr(self, f.name)[i]) for f in fields(self)}


def rep_profile(rep: RepScript, scenario: Scenario) -> MoveProfile:
    """The rep's move profile: its own, else the scenario's ``motion.profile``."""
    return rep.profile if rep.profile is not None else scenario.motion.profile


def rep_abduction(
    rep: RepScript, timing: RepTiming, profile: MoveProfile, rest_deg: float, t: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Scripted abduction (deg, without shaking) and lift fraction (0-1) of one rep at times
    ``t`` (s, shape ``(T,)``; times outside the rep give rest and 0).

    Lift: ``rest + (top - rest) R(u)`` with ``top = peak_deg (+ overshoot_deg)``; hold:
    ``peak_deg + hold_drift_deg x`` (``x`` 0 → 1 over the hold) plus the overshoot decaying
    with a min-jerk ramp over ``min(settle_s, hold_s)``; lower: from the release level back to
    rest along ``1 - R(u)``. The lift fraction is ``R`` up, 1 in the hold, ``1 - R`` down.
    """
    tt = np.asarray(t, dtype=np.float64)
    ramp = RAMPS[profile]
    over = rep.overshoot_deg if profile == "overshoot" else 0.0
    top_level = rep.peak_deg + over
    up = ramp((tt - timing.start_s) / rep.lift_s)
    down = ramp((tt - timing.release_s) / rep.lower_s)
    if rep.hold_s > 0:
        x = np.clip((tt - timing.top_s) / rep.hold_s, 0.0, 1.0)
        settle = min(rep.settle_s, rep.hold_s)
        hold = rep.peak_deg + rep.hold_drift_deg * x
        hold = hold + over * (1.0 - min_jerk((tt - timing.top_s) / settle))
        release_level = rep.peak_deg + rep.hold_drift_deg
    else:
        hold = np.full(tt.shape, top_level)
        release_level = top_level
    a = np.where(
        tt < timing.top_s,
        rest_deg + (top_level - rest_deg) * up,
        np.where(tt <= timing.release_s, hold, rest_deg + (release_level - rest_deg) * (1 - down)),
    )
    frac = np.where(tt < timing.top_s, up, np.where(tt <= timing.release_s, 1.0, 1.0 - down))
    outside = (tt < timing.start_s) | (tt > timing.end_s)
    a = np.where(outside, rest_deg, a)
    frac = np.where(outside, 0.0, frac)
    return a, frac


def rep_peak_deg(rep: RepScript, scenario: Scenario) -> float:
    """The labelled peak (deg): the highest scripted abduction of the rep, shaking excluded
    (``peak_deg``, the overshoot top or the drifted end of the hold), rounded to 0.001°."""
    profile = rep_profile(rep, scenario)
    timing = RepTiming(0, 0.0, rep.lift_s, rep.lift_s + rep.hold_s,
                       rep.lift_s + rep.hold_s + rep.lower_s)
    t = np.linspace(timing.top_s, timing.release_s, 2001)
    a, _ = rep_abduction(rep, timing, profile, scenario.person.rest_abduction_deg, t)
    return round(float(np.max(a)), 3)


def rep_faults(rep: RepScript, scenario: Scenario) -> list[FaultId]:
    """Fault ids a scripted rep truly shows, from its values against ``scenario.thresholds``.

    The scripted ``faults`` only shape the joint tracks; the label comes from the resulting
    numbers (so a rep cannot carry a label it does not show, e.g. a ``toes_up`` magnitude too
    small to lift the toes above the heel gives no ``toes_up``).
    """
    th = scenario.thresholds
    v = _rep_values(rep, scenario)
    out: list[FaultId] = []
    if rep_peak_deg(rep, scenario) > th.too_high_deg:
        out.append("too_high")
    if rep.lift_s < th.too_fast_s:
        out.append("too_fast")
    if rep.hold_s < th.no_hold_s:
        out.append("no_hold")
    if rep.lower_s < th.dropped_ratio * rep.lift_s:
        out.append("dropped")
    if v["foot_rotation_deg"] > th.toes_up_deg:
        out.append("toes_up")
    if v["side_bend_change_deg"] > th.hip_hike_deg:
        out.append("hip_hike")
    if v["pelvis_roll_deg"] > th.pelvis_roll_deg:
        out.append("pelvis_roll")
    if v["forward_drift_deg"] > th.forward_drift_deg:
        out.append("forward_drift")
    if v["min_knee_deg"] < th.bent_knee_deg:
        out.append("bent_knee")
    return out


def _rep_values(rep: RepScript, scenario: Scenario) -> dict[str, float]:
    """Extremes of each fault quantity during a rep (degrees), as in ``RepResult`` extras."""
    p = scenario.person
    mag = rep.magnitudes
    f = set(rep.faults)
    return {
        "foot_rotation_deg": p.baseline_hip_rotation_deg
        + (mag.toes_up_deg if "toes_up" in f else 0.0),
        "side_bend_change_deg": mag.hip_hike_deg if "hip_hike" in f else 0.0,
        "pelvis_roll_deg": mag.pelvis_roll_deg if "pelvis_roll" in f else 0.0,
        "forward_drift_deg": mag.forward_drift_deg if "forward_drift" in f else 0.0,
        "min_knee_deg": 180.0
        - p.baseline_knee_flexion_deg
        - (mag.bent_knee_deg if "bent_knee" in f else 0.0),
    }


def scenario_warnings(scenario: Scenario) -> list[str]:
    """Bad-input ids a scenario shows by construction: ``standing``, ``two_people``,
    ``camera_moved``, ``no_movement`` (``body_out_of_frame`` needs the projection, see
    :mod:`hipwise.synth.render`)."""
    out: list[str] = []
    if scenario.pose == "standing":
        out.append("standing")
    if scenario.extra_person is not None:
        out.append("two_people")
    if scenario.camera_shift is not None:
        out.append("camera_moved")
    if not scenario.motion.reps and not scenario.motion.holds:
        out.append("no_movement")
    return out
