"""Per-frame kinematics of the side-lying leg lift, as pure vectorised functions.

All functions take landmark arrays with any leading shape ``(...)``:
``xy (..., 33, 2)`` image pixels (y down), ``depth (..., 33)`` pixels (smaller = closer to the
camera), ``world (..., 33, 3)`` metres. ``top`` names the working (upper) leg's side. Results are
degrees with shape ``(...)``; NaN where an input landmark is missing.

Geometry (front view, DOMAIN.md "What to measure"):
- body long axis ``a``: mid-shoulder → mid-hip (points toward the feet);
- ``up`` normal ``n``: the in-image perpendicular to ``a`` pointing to the top side (away from
  the floor), its sign taken from the bottom→top hip and shoulder vectors.
"""

from __future__ import annotations

import numpy as np

from hipwise.pose.landmarks import LM, Side, leg_indices, other_side
from hipwise.pose.sequence import FloatArray
from hipwise.settings.analysis import FOOT_TO_LEG

__all__ = [
    "FOOT_TO_LEG",
    "abduction_deg",
    "agreed_roll_deg",
    "body_axes",
    "body_yaw_deg",
    "foot_pitch_deg",
    "foot_rotation_deg",
    "forward_drift_deg",
    "hip_gap_px",
    "hip_tilt_deg",
    "knee_angle_deg",
    "pelvis_roll_deg",
    "shank_ratio",
    "side_bend_change_deg",
    "top_side_score",
    "top_waist_px",
    "trunk_px",
]


def _unit(v: FloatArray) -> FloatArray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return v / n


def _dot(u: FloatArray, v: FloatArray) -> FloatArray:
    return np.sum(u * v, axis=-1)


def _shoulder_hip(side: Side) -> tuple[LM, LM]:
    if side == "left":
        return LM.LEFT_SHOULDER, LM.LEFT_HIP
    return LM.RIGHT_SHOULDER, LM.RIGHT_HIP


def body_axes(xy: FloatArray, top: Side) -> tuple[FloatArray, FloatArray]:
    """Unit long axis ``a`` (mid-shoulder → mid-hip) and unit ``up`` normal ``n``, each
    ``(..., 2)``, in image coordinates."""
    sh_t, hip_t = _shoulder_hip(top)
    sh_b, hip_b = _shoulder_hip(other_side(top))
    mid_sh = 0.5 * (xy[..., sh_t, :] + xy[..., sh_b, :])
    mid_hip = 0.5 * (xy[..., hip_t, :] + xy[..., hip_b, :])
    a = _unit(mid_hip - mid_sh)
    perp = np.stack([-a[..., 1], a[..., 0]], axis=-1)
    toward_top = np.asarray(
        xy[..., hip_t, :] - xy[..., hip_b, :] + xy[..., sh_t, :] - xy[..., sh_b, :],
        dtype=np.float64,
    )
    sign = np.where(_dot(perp, toward_top) >= 0, 1.0, -1.0)
    return a, perp * sign[..., None]


def abduction_deg(xy: FloatArray, top: Side) -> FloatArray:
    """Raw 2D abduction: angle of the top leg (hip → ankle) from the long axis, + toward the
    top side. Not yet zeroed on the person's rest (the rep tracker does that)."""
    a, n = body_axes(xy, top)
    hip, _, ankle, _, _ = leg_indices(top)
    leg = xy[..., ankle, :] - xy[..., hip, :]
    return np.degrees(np.arctan2(_dot(leg, n), _dot(leg, a)))


def _foot_angle_deg(
    component_px: FloatArray, xy: FloatArray, leg: Side, foot_to_leg: float
) -> FloatArray:
    """``arcsin`` (deg) of a heel→toe image component over the foot's length in pixels:
    ``foot_to_leg`` × the leg's image length (thigh + shank, which lie in the image plane)."""
    hip, knee, ankle, _, _ = leg_indices(leg)
    leg_px = np.linalg.norm(xy[..., knee, :] - xy[..., hip, :], axis=-1) + np.linalg.norm(
        xy[..., ankle, :] - xy[..., knee, :], axis=-1
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.clip(component_px / (foot_to_leg * leg_px), -1.0, 1.0)
    return np.degrees(np.arcsin(ratio))


def foot_rotation_deg(
    xy: FloatArray, top: Side, leg: Side | None = None, foot_to_leg: float = FOOT_TO_LEG
) -> FloatArray:
    """Foot rotation about the leg axis, + = toes toward the ceiling, 0 = foot parallel to the
    floor, − = toes toward the floor (wanted). ``leg`` picks the foot (default: the top one);
    "up" is always the top side, so the bottom foot turning with a rolling body reads the same
    sign as the top foot.

    The heel→toe vector's image component along the leg's ``up`` normal, divided by the foot's
    length in pixels: ``foot_to_leg`` × the leg's image length (thigh + shank, which lie in the
    image plane). The foot points at the camera, so its own image length is foreshortened and
    cannot serve. The pose model's metric (world) foot, used before, is 0.14 m long against a
    0.77 m leg (ratio 0.18, median of 49 rendered clips: its toe landmark sits short of the toe
    tip) and read every rotation about 1.9 times too large.
    """
    hip, _, ankle, heel, toe = leg_indices(leg or top)
    leg2 = xy[..., ankle, :] - xy[..., hip, :]
    lu = _unit(leg2)
    n_leg = np.stack([-lu[..., 1], lu[..., 0]], axis=-1)
    _, n_body = body_axes(xy, top)
    n_leg = n_leg * np.where(_dot(n_leg, n_body) >= 0, 1.0, -1.0)[..., None]
    foot2 = xy[..., toe, :] - xy[..., heel, :]
    return _foot_angle_deg(_dot(foot2, n_leg), xy, leg or top, foot_to_leg)


def foot_pitch_deg(
    xy: FloatArray, top: Side, foot_to_leg: float = FOOT_TO_LEG
) -> FloatArray:
    """How far the top foot points along the leg, toward the toes' end (deg, ``(...)``):
    the heel→toe image component along the leg's image direction (hip → ankle) over the
    foot's length in pixels (as in :func:`foot_rotation_deg`). 0 = the foot points straight at
    the camera (or up/down), + = toes pointing on past the ankle (plantar flexion).

    Its change from rest reads forward drift: the foot turns with the leg, so a leg swinging
    toward the camera by φ swings the foot back toward the head by φ (the along-leg component
    goes from sin α to sin(α − φ)), while lifting the leg (turning it in the image plane) and
    turning the toes up or down (about the leg's own axis) leave this component alone.
    Rendered clips: 25° drifts changed it by −13 to −20°, every other rep by −11 to +8°.
    """
    hip, _, ankle, heel, toe = leg_indices(top)
    lu = _unit(xy[..., ankle, :] - xy[..., hip, :])
    return _foot_angle_deg(_dot(xy[..., toe, :] - xy[..., heel, :], lu), xy, top, foot_to_leg)


def top_waist_px(xy: FloatArray, top: Side) -> FloatArray:
    """Top-side shoulder–hip distance in the image (px, ``(...)``): DOMAIN.md's own cue for
    the trunk side-bend ("top-side shoulder–hip distance shrinking")."""
    sh_t, hip_t = _shoulder_hip(top)
    return np.linalg.norm(xy[..., sh_t, :] - xy[..., hip_t, :], axis=-1)


def trunk_px(xy: FloatArray) -> FloatArray:
    """Length of the trunk in the image (px, ``(...)``): mid-shoulder to mid-hip. How large the
    body is in the picture, in the video's own pixels (the pose model's detail on hips, knees
    and feet falls with it); it does not change as the leg moves."""
    sh = 0.5 * (xy[..., LM.LEFT_SHOULDER, :] + xy[..., LM.RIGHT_SHOULDER, :])
    hp = 0.5 * (xy[..., LM.LEFT_HIP, :] + xy[..., LM.RIGHT_HIP, :])
    return np.linalg.norm(sh - hp, axis=-1)


def hip_gap_px(xy: FloatArray, top: Side) -> FloatArray:
    """Distance between the two hips in the image (px, ``(...)``): the body's width there (the
    hips lie stacked, one above the other, in a front view)."""
    hip_t = _shoulder_hip(top)[1]
    hip_b = _shoulder_hip(other_side(top))[1]
    return np.linalg.norm(xy[..., hip_t, :] - xy[..., hip_b, :], axis=-1)


def hip_tilt_deg(xy: FloatArray, top: Side) -> FloatArray:
    """Tilt of the hip line (bottom hip → top hip) against the trunk in the image (deg,
    ``(...)``): 0 when the hip line is square to the long axis (mid-shoulder → mid-hip), + when
    the top hip lies toward the head. Its growth during a lift is DOMAIN.md's waist crunch seen
    at the pelvis: a pelvis tilting its top side up toward the ribs turns the hip line by the
    tilt, and a trunk bending toward the pelvis turns the long axis the same way."""
    a, _ = body_axes(xy, top)
    hip_t = _shoulder_hip(top)[1]
    hip_b = _shoulder_hip(other_side(top))[1]
    h = xy[..., hip_t, :] - xy[..., hip_b, :]
    along = _dot(h, a)
    across = np.linalg.norm(h - along[..., None] * a, axis=-1)
    return np.degrees(np.arctan2(-along, across))


def side_bend_change_deg(
    waist: FloatArray | float, waist_rest: FloatArray | float, hip_gap_rest: FloatArray | float
) -> FloatArray:
    """Trunk side-bend grown since rest (deg, + = waist crunch on the top side / hip hike)
    from the top-side shoulder–hip distance ``waist`` (px, :func:`top_waist_px`) against its
    rest value and the rest hip gap (px, :func:`hip_gap_px`).

    Bending the top side by ``theta`` about the bottom side (which lies on the mat) shortens
    the top-side distance by about ``gap * theta``. The angle between the hip line and the
    shoulder line, used before, swings with the pose model's hip landmarks as the leg rises
    (+8 to +11 deg at 55-60 deg of abduction on rendered clips) and with pelvis roll, and
    missed one rendered 15-deg hike; this distance shrank 9.5-13.6 % on every rendered hike
    and at most 3.1 % on any other rep (docs/engine.md)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.degrees(
            -(np.asarray(waist, dtype=np.float64) - np.asarray(waist_rest, dtype=np.float64))
            / np.asarray(hip_gap_rest, dtype=np.float64)
        )


def pelvis_roll_deg(world: FloatArray, top: Side) -> FloatArray:
    """Pelvis roll out of stacked: angle of the bottom→top hip line out of the image plane,
    from the metric world landmarks (camera axes), + = top hip further from the camera
    (rolling back). Zero it on the person's rest. (The image landmarks' relative depth swings
    with foot rotation on a side-lying body and is not used.)"""
    _, hip_t = _shoulder_hip(top)
    _, hip_b = _shoulder_hip(other_side(top))
    h = world[..., hip_t, :] - world[..., hip_b, :]
    return np.degrees(np.arctan2(h[..., 2], np.linalg.norm(h[..., :2], axis=-1)))


def agreed_roll_deg(hip_line: float, bottom_foot: float, top_foot: float) -> float:
    """Whole-body roll (deg, + = rolling back) from three witnesses of its change since rest:
    the metric hip line's turn out of the image plane (:func:`pelvis_roll_deg`), and the
    rotation of the bottom and of the top foot (:func:`foot_rotation_deg`, + = toes up).

    DOMAIN.md: the hips stop being stacked and the body follows, so a roll turns all three
    the same way, and each one alone also moves without a roll: the pose model's 3D hips
    swing with a hip hike (up to 34 deg on rendered 15-deg hikes) and at high abduction, the
    top foot turns alone with toes up, the bottom foot a little with a hike (up to 8 deg).
    The size comes from the bottom foot, which lies on the floor and turns only with the
    whole body (rendered 18-deg rolls read 13-26 deg; every other rep under 8); the hip line
    and the top foot only have to turn the same way, else the roll is 0. Without a bottom
    foot, the smaller of the other two when they agree; NaN when none is finite."""
    others = [float(x) for x in (hip_line, top_foot) if np.isfinite(x)]
    if np.isfinite(bottom_foot):
        size = float(bottom_foot)
    elif others:
        size = min(others, key=abs)
    else:
        return float("nan")
    if all(x * size > 0 for x in others):
        return size
    return 0.0


def body_yaw_deg(world: FloatArray) -> FloatArray:
    """How far the body is turned toward or away from the camera (deg, ``(...)``, unsigned):
    the long axis (mid-shoulder → mid-hip) out of the image plane, from the pose model's
    metric world landmarks (camera axes, third axis along the view). 0 = lying parallel to
    the camera, as the set-up asks. Rendered bodies turned 3° and 21° read 4° and 17°."""
    mid_sh = 0.5 * (world[..., LM.LEFT_SHOULDER, :] + world[..., LM.RIGHT_SHOULDER, :])
    mid_hip = 0.5 * (world[..., LM.LEFT_HIP, :] + world[..., LM.RIGHT_HIP, :])
    a = mid_hip - mid_sh
    return np.degrees(np.arctan2(np.abs(a[..., 2]), np.linalg.norm(a[..., :2], axis=-1)))


def forward_drift_deg(world: FloatArray, top: Side) -> FloatArray:
    """Leg drift out of the body's frontal plane: angle of the top leg (hip → ankle) toward the
    face side, + = in front of the body line, from the metric world landmarks.

    The frontal plane is spanned by the long axis and the bottom→top hip line, so it rolls with
    the pelvis: a rolled pelvis alone is not drift. Zero it on the person's rest."""
    sh_t, hip_t = _shoulder_hip(top)
    sh_b, hip_b = _shoulder_hip(other_side(top))
    mid_sh = 0.5 * (world[..., sh_t, :] + world[..., sh_b, :])
    mid_hip = 0.5 * (world[..., hip_t, :] + world[..., hip_b, :])
    a = _unit(mid_hip - mid_sh)
    h = world[..., hip_t, :] - world[..., hip_b, :]
    h = _unit(h - _dot(h, a)[..., None] * a)
    normal = np.cross(a, h)
    face = world[..., LM.NOSE, :] - mid_sh
    normal = normal * np.where(_dot(normal, face) >= 0, 1.0, -1.0)[..., None]
    hip, _, ankle, _, _ = leg_indices(top)
    leg = _unit(world[..., ankle, :] - world[..., hip, :])
    return np.degrees(np.arcsin(np.clip(_dot(leg, normal), -1.0, 1.0)))


def knee_angle_deg(xy: FloatArray, top: Side) -> FloatArray:
    """Top knee angle hip–knee–ankle in the image (180 = straight): bending within the image
    plane. Bending toward or away from the camera shows as a shorter shank instead (see
    :func:`shank_ratio`)."""
    hip, knee, ankle, _, _ = leg_indices(top)
    u = _unit(xy[..., hip, :] - xy[..., knee, :])
    v = _unit(xy[..., ankle, :] - xy[..., knee, :])
    return np.degrees(np.arccos(np.clip(_dot(u, v), -1.0, 1.0)))


def shank_ratio(xy: FloatArray, top: Side) -> FloatArray:
    """Image length of the top shank over that of the top thigh (dimensionless). Against the
    person's own resting ratio ``r0`` it gives the out-of-plane knee flexion
    ``arccos(r / r0)``: a knee bending backward shortens the shank in a front view while the
    thigh keeps its length."""
    hip, knee, ankle, _, _ = leg_indices(top)
    thigh = np.linalg.norm(xy[..., knee, :] - xy[..., hip, :], axis=-1)
    shank = np.linalg.norm(xy[..., ankle, :] - xy[..., knee, :], axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return shank / thigh


def top_side_score(xy: FloatArray) -> FloatArray:
    """How much the left side lies above the right in the image, in pixels (``(...)``):
    > 0 means the left hip/shoulder are higher (the left leg is on top)."""
    left = xy[..., LM.LEFT_HIP, 1] + xy[..., LM.LEFT_SHOULDER, 1]
    right = xy[..., LM.RIGHT_HIP, 1] + xy[..., LM.RIGHT_SHOULDER, 1]
    return 0.5 * (right - left)
