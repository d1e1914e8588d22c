"""Render-free synthetic landmarks: a stick-figure body posed by a :class:`JointTrack`.

Used for tests with exact answers (no pose model, no renderer): the joint angles of a scripted
motion are turned into the 33 BlazePose landmarks as a camera on the floor in front of the person
would see them, with optional pixel noise. The geometry follows the truth definitions of
``hipwise.synth.motion``: abduction is measured against the body's long axis (mid-shoulder →
mid-hip) in the frontal plane; hip flexion moves the leg toward the camera; hip rotation turns the
toes toward the ceiling (+) or the floor (−); the trunk side-bend (waist crunch) is a pelvic tilt
(``pelvis_tilt_deg``: top hip toward the ribs, upper body still) plus the upper body bending toward
the top side for the rest; pelvis roll turns the whole body about its long axis (+ = backward);
``body_yaw_deg`` turns the whole body about the vertical (+ = head end toward the camera).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hipwise.pose.landmarks import LM, NUM_LANDMARKS, Side, other_side
from hipwise.pose.sequence import FloatArray, PoseSequence
from hipwise.synth.motion import JointTrack

__all__ = ["KinematicBody", "KinematicCamera", "camera_basis", "landmarks_from_track"]


@dataclass(frozen=True)
class KinematicBody:
    """Segment lengths of the stick figure (metres)."""

    shoulder_width: float = 0.38
    hip_width: float = 0.28
    trunk: float = 0.52
    thigh: float = 0.45
    shank: float = 0.43
    foot: float = 0.27  # heel to toe tip: 0.31 of thigh + shank (Winter)
    upper_arm: float = 0.30
    forearm: float = 0.27


@dataclass(frozen=True)
class KinematicCamera:
    """A pinhole camera on the floor in front of the person."""

    width: int = 640
    height: int = 480
    fov_deg: float = 65.0
    distance_m: float = 2.6
    height_m: float = 0.3
    roll_deg: float = 0.0
    pitch_deg: float = 0.0
    """Extra tilt on top of aiming at the body (+ = up), as ``camera.pitch_deg``."""


def camera_basis(cam: KinematicCamera) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Position ``(3,)`` m and unit axes ``right, down, fwd (3,)`` of the stick-figure camera
    (scene: x right, y up, z toward the camera): aimed at (0, 0.2, 0) on the body line, then
    pitched by ``pitch_deg``."""
    cam_pos = np.array([0.0, cam.height_m, cam.distance_m])
    target = np.array([0.0, 0.2, 0.0])
    fwd = _unit(target - cam_pos)
    right = _unit(np.cross(fwd, np.array([0.0, 1.0, 0.0])))
    down = np.cross(fwd, right)
    if cam.pitch_deg:
        p = np.radians(cam.pitch_deg)
        fwd, down = np.cos(p) * fwd - np.sin(p) * down, np.cos(p) * down + np.sin(p) * fwd
    return cam_pos, right, down, fwd


def _rot(axis: FloatArray, angle: FloatArray, v: FloatArray) -> FloatArray:
    """Rotate vectors ``v (T,3)`` about unit ``axis (T,3)`` by ``angle (T,)`` radians."""
    c = np.cos(angle)[:, None]
    s = np.sin(angle)[:, None]
    cross = np.cross(axis, v)
    dot = np.sum(axis * v, axis=1, keepdims=True)
    return v * c + cross * s + axis * dot * (1 - c)


def _unit(v: FloatArray) -> FloatArray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _body_points(track: JointTrack, top: Side, body: KinematicBody) -> FloatArray:
    """Landmarks in the body frame, ``(T, 33, 3)`` metres: +x toward the feet, +y toward the top
    side (ceiling), +z forward (toward the camera); origin at the resting mid-hip."""
    n = len(track)
    bot = other_side(top)
    p = np.zeros((n, NUM_LANDMARKS, 3))
    ex = np.tile([1.0, 0.0, 0.0], (n, 1))
    ey = np.tile([0.0, 1.0, 0.0], (n, 1))
    ez = np.tile([0.0, 0.0, 1.0], (n, 1))

    def idx(side: Side, left: LM, right: LM) -> int:
        return int(left if side == "left" else right)

    hw, sw = body.hip_width / 2, body.shoulder_width / 2
    # hip hike = waist crunch (trunk_side_bend_deg), made of two parts:
    # - the pelvic tilt (pelvis_tilt_deg): the pelvis turns in the frontal plane about its
    #   centre, as on the rendered rig: the top hip moves toward the ribs, the bottom hip toward
    #   the feet, and the upper body stays on the mat;
    # - the rest is the upper body bending up toward the top side about the bottom hip, which
    #   lies on the mat (the shoulders rise; the top-side waist shortens by hip gap x angle).
    tilt = np.radians(track.pelvis_tilt_deg)
    hip_t = hw * np.stack([-np.sin(tilt), np.cos(tilt), np.zeros(n)], axis=1)
    hip_b = -hip_t
    pivot = np.array([0.0, -hw, 0.0])
    target = np.radians(track.trunk_side_bend_deg)
    bend = -(target - tilt)
    h_top = _unit(hip_t - hip_b)
    sh_t0 = np.tile([-body.trunk, sw + hw, 0.0], (n, 1))  # about the pivot
    sh_b0 = np.tile([-body.trunk, hw - sw, 0.0], (n, 1))

    def trunk(b: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        st, sb = pivot + _rot(ez, b, sh_t0), pivot + _rot(ez, b, sh_b0)
        return st, sb, _unit(0.5 * (hip_t + hip_b) - 0.5 * (st + sb))

    for _ in range(4):  # the bend that makes the waist crunch exactly the script's
        axis = trunk(bend)[2]
        crunch = np.arcsin(np.clip(-np.sum(axis * h_top, axis=1), -1.0, 1.0))
        bend = bend - (target - crunch)
    sh_t, sh_b, axis = trunk(bend)
    head_dir = -axis
    up_body = _rot(ez, bend, ey)
    mid_sh = 0.5 * (sh_t + sh_b)
    p[:, LM.NOSE] = mid_sh + 0.24 * head_dir + 0.10 * ez + 0.02 * up_body
    for side, sgn in ((top, 1.0), (bot, -1.0)):
        p[:, idx(side, LM.LEFT_EYE_INNER, LM.RIGHT_EYE_INNER)] = (
            mid_sh + 0.28 * head_dir + 0.08 * ez + sgn * 0.015 * up_body
        )
        p[:, idx(side, LM.LEFT_EYE, LM.RIGHT_EYE)] = (
            mid_sh + 0.28 * head_dir + 0.08 * ez + sgn * 0.03 * up_body
        )
        p[:, idx(side, LM.LEFT_EYE_OUTER, LM.RIGHT_EYE_OUTER)] = (
            mid_sh + 0.28 * head_dir + 0.07 * ez + sgn * 0.045 * up_body
        )
        p[:, idx(side, LM.LEFT_EAR, LM.RIGHT_EAR)] = (
            mid_sh + 0.26 * head_dir + sgn * 0.075 * up_body
        )
        p[:, idx(side, LM.MOUTH_LEFT, LM.MOUTH_RIGHT)] = (
            mid_sh + 0.20 * head_dir + 0.09 * ez + sgn * 0.025 * up_body
        )
    p[:, idx(top, LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)] = sh_t
    p[:, idx(bot, LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)] = sh_b
    p[:, idx(top, LM.LEFT_HIP, LM.RIGHT_HIP)] = hip_t
    p[:, idx(bot, LM.LEFT_HIP, LM.RIGHT_HIP)] = hip_b
    # top arm resting along the body, bottom arm under the head
    el_t = sh_t + body.upper_arm * axis + 0.05 * ez
    wr_t = el_t + body.forearm * axis + 0.04 * ez
    el_b = sh_b + body.upper_arm * head_dir - 0.03 * up_body
    wr_b = el_b + body.forearm * 0.3 * head_dir + body.forearm * 0.9 * up_body
    for side, el, wr in ((top, el_t, wr_t), (bot, el_b, wr_b)):
        p[:, idx(side, LM.LEFT_ELBOW, LM.RIGHT_ELBOW)] = el
        p[:, idx(side, LM.LEFT_WRIST, LM.RIGHT_WRIST)] = wr
        hand = _unit(wr - el)
        p[:, idx(side, LM.LEFT_PINKY, LM.RIGHT_PINKY)] = wr + 0.08 * hand - 0.02 * ez
        p[:, idx(side, LM.LEFT_INDEX, LM.RIGHT_INDEX)] = wr + 0.09 * hand + 0.02 * ez
        p[:, idx(side, LM.LEFT_THUMB, LM.RIGHT_THUMB)] = wr + 0.05 * hand + 0.04 * ez
    # legs: the top leg posed by the track, relative to the (bent) long axis
    for side, hip in ((top, hip_t), (bot, hip_b)):
        if side == top:
            thigh_dir = _rot(ez, np.radians(track.abduction_deg), axis)
            flex_axis = _unit(np.cross(thigh_dir, ez))
            thigh_dir = _rot(flex_axis, np.radians(track.hip_flexion_deg), thigh_dir)
            fwd0 = _unit(ez - np.sum(ez * thigh_dir, axis=1, keepdims=True) * thigh_dir)
            fwd = _rot(thigh_dir, -np.radians(track.hip_rotation_deg), fwd0)
            knee_f = np.radians(track.knee_flexion_deg)
        else:
            thigh_dir = _rot(ez, np.radians(np.full(n, 4.0)), axis)
            fwd = _unit(ez - np.sum(ez * thigh_dir, axis=1, keepdims=True) * thigh_dir)
            knee_f = np.zeros(n)
        knee = hip + body.thigh * thigh_dir
        bend_axis = _unit(np.cross(thigh_dir, fwd))
        shank_dir = _rot(bend_axis, -knee_f, thigh_dir)
        foot_dir = _rot(bend_axis, -knee_f, fwd)
        ankle = knee + body.shank * shank_dir
        heel = ankle + 0.05 * shank_dir - 0.05 * foot_dir
        toe = heel + body.foot * foot_dir
        p[:, idx(side, LM.LEFT_KNEE, LM.RIGHT_KNEE)] = knee
        p[:, idx(side, LM.LEFT_ANKLE, LM.RIGHT_ANKLE)] = ankle
        p[:, idx(side, LM.LEFT_HEEL, LM.RIGHT_HEEL)] = heel
        p[:, idx(side, LM.LEFT_FOOT_INDEX, LM.RIGHT_FOOT_INDEX)] = toe
    # pelvis roll: the whole body about the long axis, + = top side backward (away from camera)
    roll = -np.radians(track.pelvis_roll_deg)
    flat = p.reshape(-1, 3)
    p = _rot(np.repeat(ex, NUM_LANDMARKS, axis=0), np.repeat(roll, NUM_LANDMARKS), flat).reshape(
        n, NUM_LANDMARKS, 3
    )
    # the top side is up: a ~0.05 m gap between the floor and the bottom hip
    p[..., 1] += hw + 0.05
    return p


def landmarks_from_track(
    track: JointTrack,
    lying_on: Side,
    body: KinematicBody | None = None,
    camera: KinematicCamera | None = None,
    noise_px: float = 0.0,
    seed: int = 0,
    body_yaw_deg: float = 0.0,
) -> PoseSequence:
    """Landmarks a front camera sees for a person lying on ``lying_on`` (the other leg works),
    facing the camera, posed by ``track``; Gaussian ``noise_px`` added to image coordinates.
    ``body_yaw_deg`` turns the body about the vertical through its centre (+ = the head end
    toward the camera, as ``person.yaw_deg`` of a rendered scenario)."""
    body = body or KinematicBody()
    cam = camera or KinematicCamera()
    top = other_side(lying_on)
    pb = _body_points(track, top, body)
    n = len(track)
    # body frame -> scene (X right in the image, Y up, Z toward the camera). Facing the camera,
    # lying on the left side puts the head at the image's right (feet at the left).
    sx = -1.0 if lying_on == "left" else 1.0
    centre_x = 0.5 * (body.trunk + body.thigh + body.shank) - body.trunk
    scene = np.stack([sx * (pb[..., 0] - centre_x), pb[..., 1], pb[..., 2]], axis=-1)
    if body_yaw_deg != 0.0:
        # the head lies at scene x = -sx; turn it toward +z (the camera) for + yaw
        yaw = -sx * np.radians(body_yaw_deg)
        c, s_ = np.cos(yaw), np.sin(yaw)
        x, z = scene[..., 0].copy(), scene[..., 2].copy()
        scene[..., 0] = c * x - s_ * z
        scene[..., 2] = s_ * x + c * z
    cam_pos, right, down, fwd = camera_basis(cam)
    rel = scene - cam_pos
    xc, yc, zc = rel @ right, rel @ down, rel @ fwd
    f = (cam.width / 2) / np.tan(np.radians(cam.fov_deg) / 2)
    u, v = f * xc / zc, f * yc / zc
    r = np.radians(cam.roll_deg)
    u, v = u * np.cos(r) - v * np.sin(r), u * np.sin(r) + v * np.cos(r)
    xy = np.stack([u + cam.width / 2, v + cam.height / 2], axis=-1)
    rng = np.random.default_rng(seed)
    if noise_px > 0:
        xy = xy + rng.normal(0.0, noise_px, xy.shape)
    mid_hip = 0.5 * (zc[:, int(LM.LEFT_HIP)] + zc[:, int(LM.RIGHT_HIP)])
    depth = (zc - mid_hip[:, None]) * f / mid_hip[:, None]
    world = np.stack([xc, yc, zc], axis=-1)
    world = world - 0.5 * (world[:, [int(LM.LEFT_HIP)]] + world[:, [int(LM.RIGHT_HIP)]])
    return PoseSequence(
        t=track.t,
        xy=xy,
        depth=depth,
        world=world,
        visibility=np.full((n, NUM_LANDMARKS), 0.99),
        image_size=(cam.width, cam.height),
    )
