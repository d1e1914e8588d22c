"""Render-free scripted variations (isometric holds, circles, clamshell) with exact labels.

- :func:`hold_track`: a :class:`~hipwise.synth.motion.JointTrack` for one lift → long hold
  (optional sag, shaking, circles of the foot) → lower; :func:`~hipwise.synth.kinematic.
  landmarks_from_track` (or the renderer) turns it into landmarks.
- :func:`clamshell_landmarks`: stick-figure landmarks of clamshell openings (both knees bent
  90 degrees, hips flexed 45, the top knee rotating about the top hip→ankle line so the feet
  stay together).

Circles: the foot moves on a circle of ``diameter_cm`` around the held leg's line; its
components are an abduction change (in the image plane) and a hip flexion (toward the camera).
The image direction follows from perspective: the foot coming toward the camera moves outward
in the image, away from the image centre, i.e. toward the feet's image side (left when lying on
the left side). Hence a physical sense "up, then toward the camera" is counter-clockwise in the
image when lying on the left, clockwise when lying on the right (flipped again in a mirrored
video). :func:`image_sense` encodes that; the labels give the image direction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

from hipwise.contract import CircleResult, FaultId, HoldResult, RepResult, SetResult
from hipwise.pose.landmarks import LM, NUM_LANDMARKS, Side, leg_indices, other_side
from hipwise.pose.sequence import FloatArray, PoseSequence
from hipwise.synth.kinematic import KinematicBody, KinematicCamera, _body_points, camera_basis
from hipwise.synth.motion import (
    PHASE_HOLD,
    PHASE_LIFT,
    PHASE_LOWER,
    JointTrack,
    RepTiming,
    min_jerk,
)
from hipwise.synth.scenario import Scenario


class MotionScript(Protocol):
    """What the clamshell functions read of a :class:`~hipwise.synth.script.MotionScript`
    (a protocol, so this module does not import the script that calls it)."""
    @property
    def scenario(self) -> Scenario: ...

    @property
    def timings(self) -> tuple[RepTiming, ...]: ...

__all__ = [
    "CLAMSHELL_CLOSED_ABDUCTION_DEG",
    "CLAMSHELL_CLOSED_ROTATION_DEG",
    "STICK_THIGH_TO_LINE_DEG",
    "CircleLabel",
    "ClamshellLabel",
    "HoldLabel",
    "clamshell_landmarks",
    "clamshell_track",
    "clamshell_truth",
    "hold_labels",
    "hold_track",
    "holds_truth",
    "image_sense",
    "opening_to_rotation_deg",
    "project_body_points",
    "sample_clamshell",
    "sample_holds",
]

Direction = Literal["clockwise", "counterclockwise"]

#: Closed clamshell on the anny body with ``person.bottom_leg = "bent"`` (hip 45, knee 90):
#: the top hip→ankle line turned this far toward the floor (deg) rests the top ankle on the
#: bottom one, and this axial rotation (deg) rests the top knee on the bottom knee (checked
#: on rendered frames of the default body: knees and feet together).
CLAMSHELL_CLOSED_ABDUCTION_DEG = -16.0
CLAMSHELL_CLOSED_ROTATION_DEG = -17.0
#: Thigh and shank lengths (m) behind the opening ↔ rotation conversion (the stick figure's;
#: anny's default body is within a few percent, ~1.5 deg on a 40 deg opening).
_CLAM_THIGH_M, _CLAM_SHANK_M = 0.45, 0.43


@dataclass(frozen=True)
class HoldLabel:
    """True hold: times (s), mean angle and sag (deg), shaking flag."""

    start_s: float
    end_s: float
    mean_abduction_deg: float
    sag_deg: float
    shaking: bool


@dataclass(frozen=True)
class CircleLabel:
    """True circle: times (s), direction as seen in the image, diameter (cm)."""

    start_s: float
    end_s: float
    direction: Direction
    diameter_cm: float


@dataclass(frozen=True)
class ClamshellLabel:
    """True clamshell opening: first motion, top of the opening, back closed (s), peak (deg)."""

    start_s: float
    peak_s: float
    end_s: float
    peak_opening_deg: float
    pelvis_roll_deg: float


def image_sense(direction: Direction, lying_on: Side, mirrored: bool = False) -> float:
    """+1 or -1: the physical sense (see the module docstring) that shows as ``direction``."""
    s = -1.0 if direction == "clockwise" else 1.0  # lying on the left: +1 = counter-clockwise
    if lying_on == "right":
        s = -s
    if mirrored:
        s = -s
    return s


def hold_track(
    t: FloatArray,
    *,
    lying_on: Side = "left",
    start_s: float = 1.0,
    peak_deg: float = 30.0,
    lift_s: float = 1.5,
    hold_s: float = 10.0,
    lower_s: float = 3.0,
    sag_deg: float = 0.0,
    shaking_deg: float = 0.0,
    shaking_hz: float = 5.0,
    circles: tuple[tuple[Direction, int], ...] = (),
    circle_period_s: float = 1.6,
    circle_gap_s: float = 0.8,
    diameter_cm: float = 25.0,
    leg_m: float = 0.88,
    mirrored: bool = False,
    rest_deg: float = 0.0,
    hip_rotation_deg: float = -10.0,
    knee_flexion_deg: float = 2.0,
) -> tuple[JointTrack, HoldLabel, list[CircleLabel]]:
    """One lift, a hold of ``hold_s`` (s) at ``peak_deg`` (deg) sinking linearly by
    ``sag_deg``, optional shaking (``shaking_deg`` amplitude at ``shaking_hz``) and circles
    (``(direction, count)`` blocks as seen in the image, one every ``circle_period_s``,
    ``circle_gap_s`` still between blocks, starting ``circle_gap_s`` into the hold), then the
    lower. ``t (T,)`` s; ``rest_deg`` the leg's angle at rest, ``hip_rotation_deg`` and
    ``knee_flexion_deg`` the person's baseline (deg). Returns the track and its labels."""
    t = np.asarray(t, dtype=np.float64)
    n = len(t)
    top_s = start_s + lift_s
    release_s = top_s + hold_s
    end_s = release_s + lower_s
    s = min_jerk((t - start_s) / lift_s) - min_jerk((t - release_s) / lower_s)
    u = np.clip((t - top_s) / hold_s, 0.0, 1.0)
    level = peak_deg - sag_deg * u
    abd = rest_deg + (level - rest_deg) * s
    shake = np.zeros(n)
    if shaking_deg > 0:
        win = np.sin(np.pi * u) ** 2
        shake = shaking_deg * win * np.sin(2 * np.pi * shaking_hz * (t - top_s))
    r_deg = math.degrees(math.asin(min(0.5 * diameter_cm / 100.0 / leg_m, 0.9)))
    d_up = np.zeros(n)
    d_fwd = np.zeros(n)
    labels: list[CircleLabel] = []
    c0 = top_s + circle_gap_s
    for direction, count in circles:
        sense = image_sense(direction, lying_on, mirrored)
        c1 = c0 + count * circle_period_s
        inside = (t >= c0) & (t <= c1)
        phi = sense * 2 * np.pi * (t[inside] - c0) / circle_period_s
        d_up[inside] = r_deg * np.sin(phi)
        d_fwd[inside] = r_deg * (1.0 - np.cos(phi))
        for k in range(count):
            labels.append(
                CircleLabel(
                    c0 + k * circle_period_s,
                    c0 + (k + 1) * circle_period_s,
                    direction,
                    diameter_cm,
                )
            )
        c0 = c1 + circle_gap_s
    if c0 - circle_gap_s > release_s + 1e-9:
        raise ValueError("the circles do not fit in the hold: lengthen hold_s")
    phase = np.zeros(n, dtype=np.int64)
    phase[(t >= start_s) & (t < top_s)] = PHASE_LIFT
    phase[(t >= top_s) & (t <= release_s)] = PHASE_HOLD
    phase[(t > release_s) & (t <= end_s)] = PHASE_LOWER
    inside_rep = (t >= start_s) & (t <= end_s)
    track = JointTrack(
        t=t,
        abduction_deg=abd + shake + d_up,
        hip_flexion_deg=d_fwd,
        hip_rotation_deg=np.full(n, hip_rotation_deg),
        knee_flexion_deg=np.full(n, knee_flexion_deg),
        trunk_side_bend_deg=np.zeros(n),
        pelvis_roll_deg=np.zeros(n),
        lift_fraction=s,
        rep_index=inside_rep.astype(np.int64),
        phase=phase,
    )
    hold = HoldLabel(
        start_s=top_s,
        end_s=release_s,
        mean_abduction_deg=peak_deg - 0.5 * sag_deg - rest_deg,
        sag_deg=sag_deg * (1.0 - 1.0 / hold_s) if hold_s > 1.0 else sag_deg,
        shaking=shaking_deg > 0,
    )
    return track, hold, labels


def project_body_points(
    pb: FloatArray, lying_on: Side, body: KinematicBody, cam: KinematicCamera
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Body-frame points ``(T, 33, 3)`` m → image ``xy (T, 33, 2)`` px, ``depth (T, 33)`` px
    and hip-centred camera-frame ``world (T, 33, 3)`` m, exactly as
    :func:`~hipwise.synth.kinematic.landmarks_from_track` projects them."""
    sx = -1.0 if lying_on == "left" else 1.0
    centre_x = 0.5 * (body.trunk + body.thigh + body.shank) - body.trunk
    scene = np.stack([sx * (pb[..., 0] - centre_x), pb[..., 1], pb[..., 2]], axis=-1)
    cam_pos, right, down, fwd = camera_basis(cam)
    rel = scene - cam_pos
    xc, yc, zc = rel @ right, rel @ down, rel @ fwd
    f = (cam.width / 2) / np.tan(np.radians(cam.fov_deg) / 2)
    u, v = f * xc / zc, f * yc / zc
    r = np.radians(cam.roll_deg)
    u, v = u * np.cos(r) - v * np.sin(r), u * np.sin(r) + v * np.cos(r)
    xy = np.stack([u + cam.width / 2, v + cam.height / 2], axis=-1)
    mid_hip = 0.5 * (zc[:, int(LM.LEFT_HIP)] + zc[:, int(LM.RIGHT_HIP)])
    depth = (zc - mid_hip[:, None]) * f / mid_hip[:, None]
    world = np.stack([xc, yc, zc], axis=-1)
    world = world - 0.5 * (world[:, [int(LM.LEFT_HIP)]] + world[:, [int(LM.RIGHT_HIP)]])
    return xy, depth, world


def _rodrigues(axis: FloatArray, angle: FloatArray, v: FloatArray) -> FloatArray:
    """Rotate ``v (T,3)`` about unit ``axis (T,3)`` by ``angle (T,)`` rad."""
    c = np.cos(angle)[:, None]
    s = np.sin(angle)[:, None]
    dot = np.sum(axis * v, axis=1, keepdims=True)
    return v * c + np.cross(axis, v) * s + axis * dot * (1 - c)


def _clamshell_legs(
    psi: FloatArray, top: Side, body: KinematicBody, hip_flexion_deg: float = 45.0
) -> tuple[dict[str, FloatArray], FloatArray]:
    """Leg points (body frame, ``(T,3)`` m) for top-knee rotations ``psi (T,)`` rad, and the
    top thigh's swept angle from closed (deg, ``(T,)``). The bottom thigh is flexed
    ``hip_flexion_deg`` toward the camera, its shank at 90° to it (pointing back toward the
    body line); the closed top leg lies on it."""
    n = len(psi)
    hw = body.hip_width / 2
    h = math.radians(hip_flexion_deg)
    d = np.array([math.cos(h), 0.0, math.sin(h)])
    e = np.array([math.sin(h), 0.0, -math.cos(h)])
    hip_t = np.tile([0.0, hw, 0.0], (n, 1))
    hip_b = np.tile([0.0, -hw, 0.0], (n, 1))
    knee_b = hip_b + body.thigh * d
    gap = np.array([0.0, 0.10, 0.0])
    k_dir = knee_b + gap - hip_t
    k_dir = k_dir / np.linalg.norm(k_dir, axis=1, keepdims=True)
    knee_t0 = hip_t + body.thigh * k_dir
    ankle_b = knee_b + body.shank * e
    a_dir = ankle_b + gap - knee_t0
    a_dir = a_dir / np.linalg.norm(a_dir, axis=1, keepdims=True)
    ankle_t = knee_t0 + body.shank * a_dir
    axis = ankle_t - hip_t
    axis = axis / np.linalg.norm(axis, axis=1, keepdims=True)
    # the sign of psi that raises the knee (+y)
    probe = _rodrigues(axis, np.full(n, 0.1), knee_t0 - hip_t)
    sgn = np.where(probe[:, 1] > (knee_t0 - hip_t)[:, 1], 1.0, -1.0)
    knee_t = hip_t + _rodrigues(axis, sgn * psi, knee_t0 - hip_t)
    th0 = (knee_t0 - hip_t) / body.thigh
    th = (knee_t - hip_t) / body.thigh
    swept = np.degrees(np.arccos(np.clip(np.sum(th0 * th, axis=1), -1.0, 1.0)))
    foot = d
    pts = {
        "hip_t": hip_t,
        "hip_b": hip_b,
        "knee_t": knee_t,
        "knee_b": knee_b,
        "ankle_t": ankle_t,
        "ankle_b": ankle_b,
    }
    for k in ("t", "b"):
        heel = pts[f"ankle_{k}"] - 0.05 * foot - 0.05 * e
        pts[f"heel_{k}"] = heel
        pts[f"toe_{k}"] = heel + body.foot * foot
    return pts, swept


def clamshell_landmarks(
    t: FloatArray,
    openings: tuple[tuple[float, float, float, float, float], ...],
    *,
    lying_on: Side = "left",
    roll_deg: float = 0.0,
    noise_px: float = 0.0,
    seed: int = 0,
    body: KinematicBody | None = None,
    camera: KinematicCamera | None = None,
    hip_flexion_deg: float = 45.0,
) -> tuple[PoseSequence, list[ClamshellLabel]]:
    """Clamshell openings ``(start_s, open_s, hold_s, close_s, peak_opening_deg)`` seen by a
    front camera; ``roll_deg`` pelvis roll backward at the top of every opening (a fault when
    over 10 deg); ``hip_flexion_deg`` the bottom thigh's flexion (the closed top leg lies on
    the bottom one). Returns the landmarks and per-opening labels (peak = the top thigh's
    swept angle from closed, deg: the opening in 3D, whatever the hip flexion)."""
    body = body or KinematicBody()
    cam = camera or KinematicCamera()
    t = np.asarray(t, dtype=np.float64)
    n = len(t)
    top = other_side(lying_on)
    grid = np.radians(np.linspace(0.0, 120.0, 481))
    _, swept_grid = _clamshell_legs(grid, top, body, hip_flexion_deg)
    s_all = np.zeros(n)
    psi = np.zeros(n)
    labels: list[ClamshellLabel] = []
    for start, open_s, hold_s, close_s, peak in openings:
        rel = min_jerk((t - start) / open_s) - min_jerk((t - start - open_s - hold_s) / close_s)
        inside = (t >= start) & (t <= start + open_s + hold_s + close_s)
        psi_peak = float(np.interp(peak, swept_grid, grid))
        psi[inside] = psi_peak * rel[inside]
        s_all[inside] = rel[inside]
        labels.append(
            ClamshellLabel(
                start_s=start,
                peak_s=start + open_s + 0.5 * hold_s,
                end_s=start + open_s + hold_s + close_s,
                peak_opening_deg=peak,
                pelvis_roll_deg=roll_deg,
            )
        )
    zero = np.zeros(n)
    track = JointTrack(
        t=t, abduction_deg=zero, hip_flexion_deg=zero, hip_rotation_deg=zero,
        knee_flexion_deg=zero, trunk_side_bend_deg=zero, pelvis_roll_deg=zero,
        lift_fraction=zero, rep_index=np.zeros(n, dtype=np.int64),
        phase=np.zeros(n, dtype=np.int64),
    )
    pb = _body_points(track, top, body)
    # undo the base model's floor offset; legs replaced below, then roll and offset again
    hw = body.hip_width / 2
    pb[..., 1] -= hw + 0.05
    legs, _ = _clamshell_legs(psi, top, body, hip_flexion_deg)

    def idx(side: Side, left: LM, right: LM) -> int:
        return int(left if side == "left" else right)

    bot = other_side(top)
    for side, k in ((top, "t"), (bot, "b")):
        pb[:, idx(side, LM.LEFT_KNEE, LM.RIGHT_KNEE)] = legs[f"knee_{k}"]
        pb[:, idx(side, LM.LEFT_ANKLE, LM.RIGHT_ANKLE)] = legs[f"ankle_{k}"]
        pb[:, idx(side, LM.LEFT_HEEL, LM.RIGHT_HEEL)] = legs[f"heel_{k}"]
        pb[:, idx(side, LM.LEFT_FOOT_INDEX, LM.RIGHT_FOOT_INDEX)] = legs[f"toe_{k}"]
    roll = -np.radians(roll_deg * s_all)
    ex = np.tile([1.0, 0.0, 0.0], (n * NUM_LANDMARKS, 1))
    pb = _rodrigues(ex, np.repeat(roll, NUM_LANDMARKS), pb.reshape(-1, 3)).reshape(
        n, NUM_LANDMARKS, 3
    )
    pb[..., 1] += hw + 0.05
    xy, depth, world = project_body_points(pb, lying_on, body, cam)
    if noise_px > 0:
        xy = xy + np.random.default_rng(seed).normal(0.0, noise_px, xy.shape)
    seq = PoseSequence(
        t=t, xy=xy, depth=depth, world=world,
        visibility=np.full((n, NUM_LANDMARKS), 0.99), image_size=(cam.width, cam.height),
    )
    return seq, labels


def _hold_calls(
    sc: Scenario, t: FloatArray
) -> list[tuple[JointTrack, HoldLabel, list[CircleLabel]]]:
    """One :func:`hold_track` per scripted hold of ``sc`` (each zero outside its window)."""
    m, p = sc.motion, sc.person
    out = []
    start = m.lead_in_s
    for h in m.holds:
        out.append(
            hold_track(
                t,
                lying_on=p.lying_on,
                start_s=start,
                peak_deg=h.peak_deg,
                lift_s=h.lift_s,
                hold_s=h.hold_s,
                lower_s=h.lower_s,
                sag_deg=h.sag_deg,
                shaking_deg=m.shaking_deg if h.shaking else 0.0,
                shaking_hz=m.shaking_hz,
                circles=tuple((c.direction, c.count) for c in h.circles),
                circle_period_s=h.circle_period_s,
                circle_gap_s=h.circle_gap_s,
                diameter_cm=h.diameter_cm,
                leg_m=h.leg_m,
                mirrored=p.mirrored,
                rest_deg=p.rest_abduction_deg,
                hip_rotation_deg=p.baseline_hip_rotation_deg,
                knee_flexion_deg=p.baseline_knee_flexion_deg,
            )
        )
        start += h.duration_s
    return out


def sample_holds(sc: Scenario, t: FloatArray) -> JointTrack:
    """The joint track of a scenario that scripts holds (``motion.holds``) at ``t (T,)`` s."""
    t = np.asarray(t, dtype=np.float64)
    calls = _hold_calls(sc, t)
    rest = sc.person.rest_abduction_deg
    abd = np.full(len(t), rest)
    flex = np.zeros(len(t))
    lift = np.zeros(len(t))
    rep_index = np.zeros(len(t), dtype=np.int64)
    phase = np.zeros(len(t), dtype=np.int64)
    for i, (tr, _, _) in enumerate(calls, start=1):
        abd += tr.abduction_deg - rest
        flex += tr.hip_flexion_deg
        lift += tr.lift_fraction
        inside = tr.rep_index > 0
        rep_index[inside] = i
        phase[inside] = tr.phase[inside]
    n = len(t)
    return JointTrack(
        t=t,
        abduction_deg=abd,
        hip_flexion_deg=flex,
        hip_rotation_deg=np.full(n, sc.person.baseline_hip_rotation_deg),
        knee_flexion_deg=np.full(n, sc.person.baseline_knee_flexion_deg),
        trunk_side_bend_deg=np.zeros(n),
        pelvis_roll_deg=np.zeros(n),
        lift_fraction=lift,
        rep_index=rep_index,
        phase=phase,
    )


def hold_labels(sc: Scenario) -> tuple[list[HoldLabel], list[CircleLabel]]:
    """Labels of every scripted hold and circle of ``sc`` (times s, angles deg, cm)."""
    calls = _hold_calls(sc, np.zeros(1))
    return [c[1] for c in calls], [lab for c in calls for lab in c[2]]


def holds_truth(sc: Scenario) -> SetResult:
    """The contract set of a scenario that scripts holds: ``reps`` empty, ``holds`` and (for
    ``isometric_circles``) ``circles``."""
    holds, circles = hold_labels(sc)
    var = sc.motion.variation
    return SetResult(
        working_leg=sc.person.working_leg,
        variation=var,
        reps=[],
        holds=[
            HoldResult(
                start_s=round(h.start_s, 6),
                end_s=round(h.end_s, 6),
                hold_s=round(h.end_s - h.start_s, 6),
                mean_abduction_deg=round(h.mean_abduction_deg, 3),
                sag_deg=round(h.sag_deg, 3),
                shaking=h.shaking,
            )
            for h in holds
        ],
        circles=[
            CircleResult(
                index=i,
                start_s=round(c.start_s, 6),
                end_s=round(c.end_s, 6),
                direction=c.direction,
                diameter_cm=c.diameter_cm,
            )
            for i, c in enumerate(circles, start=1)
        ]
        if var == "isometric_circles"
        else None,
    )



def _solve_leg_angles(
    thigh: FloatArray, shank: FloatArray, knee_flexion_deg: float, top: Side, body: KinematicBody
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Abduction, hip flexion and hip rotation (deg, ``(T,)`` each) that point the top thigh
    along unit ``thigh (T, 3)`` and the shank along unit ``shank (T, 3)`` (body frame: +x feet,
    +y up, +z camera) with the knee bent ``knee_flexion_deg``, in the conventions of
    :mod:`hipwise.synth.motion`: thigh = (cos F cos A, cos F sin A, sin F); the rotation is
    searched on a 0.25 deg grid through the stick figure itself."""
    abd = np.degrees(np.arctan2(thigh[:, 1], thigh[:, 0]))
    flex = np.degrees(np.arcsin(np.clip(thigh[:, 2], -1.0, 1.0)))
    grid = np.arange(-180.0, 180.0, 0.25)
    m = len(grid)
    _, knee, ankle, _, _ = leg_indices(top)
    rot = np.zeros(len(thigh))
    cache: dict[tuple[float, float], float] = {}
    for i in range(len(thigh)):
        key = (round(float(abd[i]), 3), round(float(flex[i]), 3))
        if key not in cache:
            tr = JointTrack(
                t=np.arange(m, dtype=np.float64),
                abduction_deg=np.full(m, abd[i]),
                hip_flexion_deg=np.full(m, flex[i]),
                hip_rotation_deg=grid,
                knee_flexion_deg=np.full(m, knee_flexion_deg),
                trunk_side_bend_deg=np.zeros(m),
                pelvis_roll_deg=np.zeros(m),
                lift_fraction=np.zeros(m),
                rep_index=np.zeros(m, dtype=np.int64),
                phase=np.zeros(m, dtype=np.int64),
            )
            pts = _body_points(tr, top, body)
            sh = pts[:, ankle] - pts[:, knee]
            sh = sh / np.linalg.norm(sh, axis=1, keepdims=True)
            cache[key] = float(grid[int(np.argmax(sh @ shank[i]))])
        rot[i] = cache[key]
    return abd, flex, rot


def clamshell_track(
    t: FloatArray,
    openings: tuple[tuple[float, float, float, float, float], ...],
    *,
    lying_on: Side = "left",
    roll_deg: float = 0.0,
    body: KinematicBody | None = None,
    hip_flexion_deg: float = 45.0,
) -> tuple[JointTrack, list[ClamshellLabel]]:
    """The clamshell of :func:`clamshell_landmarks` as a :class:`JointTrack` of the top leg
    for the *stick figure* (:func:`~hipwise.synth.kinematic.landmarks_from_track` turns the
    thigh by abduction and flexion; knee flexion 90, abduction and rotation solved per frame).
    Same ``openings`` and labels. The anny renderer defines abduction and flexion on the
    hip→ankle line instead: scenarios use :func:`sample_clamshell`."""
    body = body or KinematicBody()
    t = np.asarray(t, dtype=np.float64)
    n = len(t)
    top = other_side(lying_on)
    grid = np.radians(np.linspace(0.0, 120.0, 481))
    _, swept_grid = _clamshell_legs(grid, top, body, hip_flexion_deg)
    psi = np.zeros(n)
    s_all = np.zeros(n)
    labels: list[ClamshellLabel] = []
    for start, open_s, hold_s, close_s, peak in openings:
        rel = min_jerk((t - start) / open_s) - min_jerk((t - start - open_s - hold_s) / close_s)
        inside = (t >= start) & (t <= start + open_s + hold_s + close_s)
        psi[inside] = float(np.interp(peak, swept_grid, grid)) * rel[inside]
        s_all[inside] = rel[inside]
        labels.append(
            ClamshellLabel(start, start + open_s + 0.5 * hold_s, start + open_s + hold_s + close_s,
                           peak, roll_deg)
        )
    legs, _ = _clamshell_legs(psi, top, body, hip_flexion_deg)
    thigh = legs["knee_t"] - legs["hip_t"]
    thigh /= np.linalg.norm(thigh, axis=1, keepdims=True)
    shank = legs["ankle_t"] - legs["knee_t"]
    shank /= np.linalg.norm(shank, axis=1, keepdims=True)
    abd, flex, rot = _solve_leg_angles(thigh, shank, 90.0, top, body)
    rep_index = np.zeros(n, dtype=np.int64)
    for k, lab in enumerate(labels, start=1):
        rep_index[(t >= lab.start_s) & (t <= lab.end_s)] = k
    track = JointTrack(
        t=t,
        abduction_deg=abd,
        hip_flexion_deg=flex,
        hip_rotation_deg=rot,
        knee_flexion_deg=np.full(n, 90.0),
        trunk_side_bend_deg=np.zeros(n),
        pelvis_roll_deg=roll_deg * s_all,
        lift_fraction=s_all,
        rep_index=rep_index,
        phase=np.where(s_all > 0, PHASE_HOLD, 0).astype(np.int64),
    )
    return track, labels



STICK_THIGH_TO_LINE_DEG = math.degrees(math.atan2(_CLAM_SHANK_M, _CLAM_THIGH_M))
"""Angle (deg) between the thigh and the hip→ankle line of a leg bent 90° at the knee, for the
stick-figure lengths; the renderer uses its body's own (``AnnyBody.thigh_to_line_deg``)."""


def opening_to_rotation_deg(
    opening_deg: FloatArray | float, beta_deg: float = STICK_THIGH_TO_LINE_DEG
) -> FloatArray:
    """Axial rotation (deg) of a bent leg about its hip→ankle line that sweeps the thigh by
    ``opening_deg``; ``beta_deg`` = the angle between the thigh and that line (inverse of
    :func:`hipwise.variations.clamshell.swept_angle_deg`: ``swept = 2 asin(sin β sin(ψ/2))``)."""
    beta = math.radians(beta_deg)
    half = np.radians(np.asarray(opening_deg, dtype=np.float64)) / 2
    return np.degrees(2 * np.arcsin(np.clip(np.sin(half) / math.sin(beta), -1.0, 1.0)))


def _openings(script: MotionScript) -> tuple[tuple[float, float, float, float, float], ...]:
    """Clamshell openings of a scenario: its reps as (start, open, hold, close, peak)."""
    return tuple(
        (tm.start_s, r.lift_s, r.hold_s, r.lower_s, r.peak_deg)
        for tm, r in zip(script.timings, script.scenario.motion.reps, strict=True)
    )


def _clam_roll(rep_faults: tuple[str, ...], magnitude: float) -> float:
    return magnitude if "pelvis_roll" in rep_faults else 0.0


def sample_clamshell(
    script: MotionScript,
    t: FloatArray,
    beta_deg: float = STICK_THIGH_TO_LINE_DEG,
    line_flexion_deg: float | None = None,
) -> JointTrack:
    """Joint track of a ``variation = "clamshell"`` scenario for the anny renderer: each rep is
    one opening (``peak_deg`` = the thigh's swept angle from closed; ``lift_s`` / ``hold_s`` /
    ``lower_s`` = open / hold / close). The top leg keeps its closed hip→ankle line
    (:data:`CLAMSHELL_CLOSED_ABDUCTION_DEG`; flexed ``clamshell_hip_flexion_deg − beta_deg``
    so the closed thigh is at that hip flexion, or 0 when unset) and its 90° knee, and turns
    about that line (hip rotation), so the feet stay together; a rep scripting ``pelvis_roll``
    rolls the pelvis back by its magnitude at the top. ``beta_deg``: the angle between the
    thigh and the hip→ankle line (the renderer passes its body's, so the swept angle on the rig
    equals ``peak_deg``); ``line_flexion_deg`` overrides the hip→ankle line's flexion (the
    renderer solves it on its body so that the closed thigh's flexion is exact)."""
    sc = script.scenario
    hip_flex = sc.motion.clamshell_hip_flexion_deg
    if line_flexion_deg is not None:
        line_flexion = line_flexion_deg
    else:
        line_flexion = 0.0 if hip_flex is None else hip_flex - beta_deg
    t = np.asarray(t, dtype=np.float64)
    n = len(t)
    rot = np.zeros(n)
    roll = np.zeros(n)
    lift = np.zeros(n)
    rep_index = np.zeros(n, dtype=np.int64)
    phase = np.zeros(n, dtype=np.int64)
    for k, ((start, o, h, c, peak), rep) in enumerate(
        zip(_openings(script), sc.motion.reps, strict=True), start=1
    ):
        rel = min_jerk((t - start) / o) - min_jerk((t - start - o - h) / c)
        rot += float(opening_to_rotation_deg(peak, beta_deg)) * rel
        roll += _clam_roll(rep.faults, rep.magnitudes.pelvis_roll_deg) * rel
        lift += rel
        inside = (t >= start) & (t <= start + o + h + c)
        rep_index[inside] = k
        ph = np.full(n, PHASE_HOLD, dtype=np.int64)
        ph[t < start + o] = PHASE_LIFT
        ph[t > start + o + h] = PHASE_LOWER
        phase[inside] = ph[inside]
    return JointTrack(
        t=t,
        abduction_deg=np.full(n, CLAMSHELL_CLOSED_ABDUCTION_DEG),
        hip_flexion_deg=np.full(n, line_flexion),
        hip_rotation_deg=CLAMSHELL_CLOSED_ROTATION_DEG + rot,
        knee_flexion_deg=np.full(n, 90.0),
        trunk_side_bend_deg=np.zeros(n),
        pelvis_roll_deg=roll,
        lift_fraction=lift,
        rep_index=rep_index,
        phase=phase,
    )


def clamshell_truth(script: MotionScript) -> SetResult:
    """Contract set of a clamshell scenario: one rep per opening, ``peak_abduction_deg`` =
    ``peak_opening_deg`` = the scripted opening; the only fault is ``pelvis_roll`` (roll over
    ``thresholds.pelvis_roll_deg``)."""
    sc = script.scenario
    reps: list[RepResult] = []
    for (start, o, h, c, peak), rep in zip(_openings(script), sc.motion.reps, strict=True):
        roll = _clam_roll(rep.faults, rep.magnitudes.pelvis_roll_deg)
        faults: list[FaultId] = ["pelvis_roll"] if roll > sc.thresholds.pelvis_roll_deg else []
        reps.append(
            RepResult(
                index=len(reps) + 1,
                start_s=round(start, 6),
                peak_s=round(start + o + 0.5 * h, 6),
                end_s=round(start + o + h + c, 6),
                peak_abduction_deg=peak,
                lift_s=o,
                hold_s=h,
                lower_s=c,
                faults=faults,
                good=not faults,
                shaking=rep.shaking,
                pelvis_roll_deg=roll,
                peak_opening_deg=peak,
            )
        )
    return SetResult(working_leg=sc.person.working_leg, variation="clamshell", reps=reps)
