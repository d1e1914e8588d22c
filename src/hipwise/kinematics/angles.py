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

__all__ = [
    "abduction_deg",
    "body_axes",
    "foot_rotation_deg",
    "forward_drift_deg",
    "hip_gap_px",
    "knee_angle_deg",
    "pelvis_roll_deg",
    "shank_ratio",
    "side_bend_change_deg",
    "top_side_score",
    "top_waist_px",
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


def foot_rotation_deg(
    xy: FloatArray, world: FloatArray, top: Side, leg: Side | None = None
) -> FloatArray:
    """Foot rotation about the leg axis, + = toes toward the ceiling, 0 = foot parallel to the
    floor, − = toes toward the floor (wanted). ``leg`` picks the foot (default: the top one);
    "up" is always the top side, so the bottom foot turning with a rolling body reads the same
    sign as the top foot.

    The heel→toe vector's image component along the leg's ``up`` normal, divided by the foot's
    metric length (world landmarks) scaled to pixels by the thigh+shank image/world ratio; the
    foot points at the camera, so its image length alone would be foreshortened.
    """
    hip, knee, ankle, heel, toe = leg_indices(leg or top)
    leg2 = xy[..., ankle, :] - xy[..., hip, :]
    lu = _unit(leg2)
    n_leg = np.stack([-lu[..., 1], lu[..., 0]], axis=-1)
    _, n_body = body_axes(xy, top)
    n_leg = n_leg * np.where(_dot(n_leg, n_body) >= 0, 1.0, -1.0)[..., None]
    foot2 = xy[..., toe, :] - xy[..., heel, :]
    up_px = _dot(foot2, n_leg)
    leg_px = np.linalg.norm(xy[..., knee, :] - xy[..., hip, :], axis=-1) + np.linalg.norm(
        xy[..., ankle, :] - xy[..., knee, :], axis=-1
    )
    leg_m = np.linalg.norm(world[..., knee, :] - world[..., hip, :], axis=-1) + np.linalg.norm(
        world[..., ankle, :] - world[..., knee, :], axis=-1
    )
    foot_m = np.linalg.norm(world[..., toe, :] - world[..., heel, :], axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        foot_px = foot_m * leg_px / leg_m
        ratio = np.clip(up_px / foot_px, -1.0, 1.0)
    return np.degrees(np.arcsin(ratio))


def top_waist_px(xy: FloatArray, top: Side) -> FloatArray:
    """Top-side shoulder–hip distance in the image (px, ``(...)``): DOMAIN.md's own cue for
    the trunk side-bend ("top-side shoulder–hip distance shrinking")."""
    sh_t, hip_t = _shoulder_hip(top)
    return np.linalg.norm(xy[..., sh_t, :] - xy[..., hip_t, :], axis=-1)


def hip_gap_px(xy: FloatArray, top: Side) -> FloatArray:
    """Distance between the two hips in the image (px, ``(...)``): the body's width there (the
    hips lie stacked, one above the other, in a front view)."""
    hip_t = _shoulder_hip(top)[1]
    hip_b = _shoulder_hip(other_side(top))[1]
    return np.linalg.norm(xy[..., hip_t, :] - xy[..., hip_b, :], axis=-1)


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
