"""Render a scenario to an H.264 clip with exact labels (pyrender over EGL, anny bodies).

World frame (metres): ``y`` up, the floor is ``y = 0``, the person lies along ``x`` facing
``+z``; the camera stands on the floor at ``z = distance_m`` looking toward ``−z``. The body
is posed in anny's frame (:mod:`hipwise.synth.body`) and placed by one rigid transform per
frame (pelvis roll is a rotation about the long axis through the mid-hip), so every truth
angle measured in the body frame holds in the world too.

:func:`render_clip` writes ``clip.mp4`` and returns a :class:`RenderResult` with the truth
(contract-shaped labels) and per-frame arrays (joint tracks, measured truth angles, projected
2D keypoints with their BlazePose indices). Heavy imports (torch/anny/pyrender/av) happen
inside functions; set ``PYOPENGL_PLATFORM`` before pyrender is imported (done here).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import av
import numpy as np
from numpy.typing import NDArray

from hipwise.contract import Analysis
from hipwise.pose.landmarks import LM, Side
from hipwise.synth.body import AnnyBody, PosedBody, axis_angle
from hipwise.synth.motion import JointTrack
from hipwise.synth.scenario import CameraSettings, Rgb, Scenario
from hipwise.synth.script import MotionScript, script_motion
from hipwise.synth.variations import CLAMSHELL_CLOSED_ROTATION_DEG, sample_clamshell

__all__ = [
    "ABDUCTION_TOLERANCE_DEG",
    "KEYPOINTS",
    "Camera",
    "RenderResult",
    "SceneRenderer",
    "body_to_world",
    "body_yaw",
    "camera_at",
    "render_clip",
]

log = logging.getLogger(__name__)
FloatArray = NDArray[np.float64]

KEYPOINTS: tuple[tuple[str, LM], ...] = (
    ("left_shoulder", LM.LEFT_SHOULDER),
    ("right_shoulder", LM.RIGHT_SHOULDER),
    ("left_hip", LM.LEFT_HIP),
    ("right_hip", LM.RIGHT_HIP),
    ("left_knee", LM.LEFT_KNEE),
    ("right_knee", LM.RIGHT_KNEE),
    ("left_ankle", LM.LEFT_ANKLE),
    ("right_ankle", LM.RIGHT_ANKLE),
    ("left_heel", LM.LEFT_HEEL),
    ("right_heel", LM.RIGHT_HEEL),
    ("left_toe", LM.LEFT_FOOT_INDEX),
    ("right_toe", LM.RIGHT_FOOT_INDEX),
)
"""Projected keypoints: (joint name in :class:`PosedBody.joints`, BlazePose landmark)."""

MAT_THICKNESS_M = 0.012
ABDUCTION_TOLERANCE_DEG = 0.5
"""Largest allowed gap between the abduction measured on the 3D rig and the script."""
WALL_Z_M = -1.4


@dataclass(frozen=True)
class Camera:
    """A pinhole camera: ``pose`` (4, 4) camera-to-world (OpenGL: looks along its −z, y up),
    vertical field of view ``yfov_rad``, image ``width``/``height`` (px)."""

    pose: FloatArray
    yfov_rad: float
    width: int
    height: int

    def project(self, points: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Pixel positions ``(N, 2)`` (x right, y down) and depths ``(N,)`` (m along the view
        axis) of world points ``(N, 3)``."""
        inv = np.linalg.inv(self.pose)
        p = points @ inv[:3, :3].T + inv[:3, 3]
        depth = -p[:, 2]
        f = 0.5 * self.height / np.tan(0.5 * self.yfov_rad)
        x = 0.5 * self.width + f * p[:, 0] / depth
        y = 0.5 * self.height - f * p[:, 1] / depth
        return np.stack([x, y], axis=1), depth


def camera_at(
    settings: CameraSettings,
    width: int,
    height: int,
    target_y: float,
    dx: float = 0.0,
    dy: float = 0.0,
    dyaw_deg: float = 0.0,
) -> Camera:
    """The scenario camera (plus a bump ``dx``, ``dy`` metres, ``dyaw_deg``), aimed at height
    ``target_y`` (m) of the body line (a lens above it looks down at the body: 7.7° from a
    0.48 m chair seat at 2.6 m), then yawed, pitched and rolled."""
    x = settings.lateral_offset_m + dx
    eye = np.array([x, settings.height_m + dy, settings.distance_m])
    target = np.array([x, target_y, 0.0])
    fwd = target - eye
    fwd /= np.linalg.norm(fwd)
    rot = np.eye(3)
    rot[:, 2] = -fwd
    right = np.cross(fwd, [0.0, 1.0, 0.0])
    right /= np.linalg.norm(right)
    rot[:, 0] = right
    rot[:, 1] = np.cross(rot[:, 2], right)
    yaw = axis_angle(np.array([0.0, 1.0, 0.0]), np.radians(-(settings.yaw_deg + dyaw_deg)))
    pitch = axis_angle(np.array([1.0, 0.0, 0.0]), np.radians(settings.pitch_deg))
    roll = axis_angle(np.array([0.0, 0.0, 1.0]), np.radians(settings.roll_deg))
    pose = np.eye(4)
    pose[:3, :3] = yaw @ rot @ pitch @ roll
    pose[:3, 3] = eye
    hfov = np.radians(settings.fov_deg)
    yfov = 2.0 * np.arctan(np.tan(0.5 * hfov) * height / width)
    return Camera(pose=pose, yfov_rad=float(yfov), width=width, height=height)


def body_to_world(lying_on: Side, pose: Literal["side_lying", "standing"]) -> FloatArray:
    """Rotation (3, 3) from anny's body frame to the world for a person facing the camera.

    Side-lying: the down side's lateral axis points to ``−y``, the front to ``+z``; the head
    ends up on the image right when lying on the left side. Standing: body ``z`` → world ``y``.
    """
    if pose == "standing":
        cols = [np.array([1.0, 0, 0]), np.array([0, 0, -1.0]), np.array([0, 1.0, 0])]
    else:
        xb = np.array([0, -1.0, 0]) if lying_on == "left" else np.array([0, 1.0, 0])
        yb = np.array([0, 0, -1.0])
        cols = [xb, yb, np.cross(xb, yb)]
    return np.stack(cols, axis=1)


def body_yaw(yaw_deg: float, lying_on: Side) -> FloatArray:
    """World rotation (3, 3) about the vertical ``y`` that turns the head end of a body lying
    on ``lying_on`` (head at ``+x`` lying on the left, ``−x`` on the right) toward the camera
    (``+z``) by ``yaw_deg`` (− = the feet end toward the camera)."""
    head_x = 1.0 if lying_on == "left" else -1.0
    return axis_angle(np.array([0.0, 1.0, 0.0]), -head_x * np.radians(yaw_deg))


@dataclass
class _Placement:
    rot: FloatArray
    offset: FloatArray
    pivot: FloatArray
    long_axis: FloatArray
    yaw: FloatArray = field(default_factory=lambda: np.eye(3))
    yaw_centre: FloatArray = field(default_factory=lambda: np.zeros(3))


def _place(
    body_rest: PosedBody,
    rot: FloatArray,
    x_centre: float,
    z_line: float,
    support: NDArray[np.bool_] | None = None,
) -> _Placement:
    """Rigid placement: lowest ``support`` vertex of the rest pose on the mat, body centred
    at ``x_centre``, mid-hip at ``z = z_line``."""
    v = body_rest.vertices @ rot.T
    j = body_rest.joints
    mid_hip = 0.5 * (j["left_hip"] + j["right_hip"]) @ rot.T
    mid_sh = 0.5 * (j["left_shoulder"] + j["right_shoulder"]) @ rot.T
    offset = np.array(
        [
            x_centre - 0.5 * (v[:, 0].min() + v[:, 0].max()),
            MAT_THICKNESS_M - (v[support, 1] if support is not None else v[:, 1]).min(),
            z_line - mid_hip[2],
        ]
    )
    axis = mid_hip - mid_sh
    return _Placement(rot=rot, offset=offset, pivot=mid_hip + offset, long_axis=axis)


def _apply(pl: _Placement, pts: FloatArray, roll_deg: float, top_side_up: float) -> FloatArray:
    """World coordinates of body-frame points ``(N, 3)`` with a backward pelvis roll, then the
    body yaw about the vertical through ``yaw_centre``."""
    w = pts @ pl.rot.T + pl.offset
    if roll_deg != 0.0:
        # + roll = top hip moves away from the camera (−z): rotate about the long axis
        r = axis_angle(pl.long_axis * top_side_up, np.radians(roll_deg))
        w = (w - pl.pivot) @ r.T + pl.pivot
    out: FloatArray = (w - pl.yaw_centre) @ pl.yaw.T + pl.yaw_centre
    return out


@dataclass
class RenderResult:
    """What :func:`render_clip` produced: ``truth`` labels, per-frame ``arrays`` (see
    :func:`render_clip`), ``timings`` (seconds) and the output paths."""

    truth: Analysis
    arrays: dict[str, NDArray[Any]]
    timings: dict[str, float] = field(default_factory=dict)
    video_path: Path | None = None
    mirrored: bool = False
    checks: dict[str, float] = field(default_factory=dict)


def _rgb01(c: Rgb) -> list[float]:
    """sRGB colour 0-255 → linear 0-1 (pyrender shades in linear light and gamma-encodes
    its output with 1/2.2, so scenario colours come out as given under unit light)."""
    return [float((v / 255.0) ** 2.2) for v in c]


class SceneRenderer:
    """One pyrender offscreen renderer with the room (floor, mat, wall, lights).

    Only one may exist per process at a time (a pyrender/EGL limit): use it as a context
    manager. ``render(meshes, camera, light_scale)`` returns ``(rgb (H, W, 3) uint8, depth
    (H, W) float32 m, 0 = nothing)``.
    """

    def __init__(self, scenario: Scenario, mat_centre_x: float = 0.0) -> None:
        os.environ.setdefault("PYOPENGL_PLATFORM", "egl")
        # optional: the synth extra (pip install 'hipwise[synth]')
        import pyrender
        import trimesh

        self._pyrender = pyrender
        self._trimesh = trimesh
        sc = scenario.scene
        self.scenario = scenario
        amb = sc.ambient_light * sc.light_intensity
        self.scene = pyrender.Scene(bg_color=[0, 0, 0, 255], ambient_light=[amb, amb, amb])
        floor = trimesh.creation.box(extents=[14.0, 0.02, 14.0])
        floor.apply_translation([0.0, -0.01, 0.0])
        self._add_static(floor, sc.floor_rgb)
        wall = trimesh.creation.box(extents=[14.0, 4.0, 0.05])
        wall.apply_translation([0.0, 2.0, WALL_Z_M])
        self._add_static(wall, sc.wall_rgb)
        if sc.mat and scenario.pose == "side_lying":
            mat = trimesh.creation.box(extents=[1.9, MAT_THICKNESS_M, 0.7])
            turn = np.eye(4)
            turn[:3, :3] = body_yaw(scenario.person.yaw_deg, scenario.person.lying_on)
            mat.apply_transform(turn)
            mat.apply_translation([mat_centre_x, MAT_THICKNESS_M / 2, 0.0])
            self._add_static(mat, sc.mat_rgb)
        self._key = pyrender.DirectionalLight(color=[1.0, 1.0, 0.97], intensity=sc.key_light)
        key_pose = np.eye(4)
        key_pose[:3, :3] = axis_angle(np.array([1.0, 0.0, 0.0]), np.radians(-50)) @ axis_angle(
            np.array([0.0, 1.0, 0.0]), np.radians(25)
        )
        self.scene.add(self._key, pose=key_pose)
        self._fill = pyrender.PointLight(color=[1.0, 1.0, 1.0], intensity=sc.fill_light)
        fill_pose = np.eye(4)
        fill_pose[:3, 3] = [0.0, 1.6, 2.2]
        self.scene.add(self._fill, pose=fill_pose)
        self._base = (sc.key_light * sc.light_intensity, sc.fill_light * sc.light_intensity)
        self._body_material = pyrender.MetallicRoughnessMaterial(
            baseColorFactor=[1.0, 1.0, 1.0, 1.0], metallicFactor=0.0, roughnessFactor=0.75
        )
        self._renderer = pyrender.OffscreenRenderer(scenario.width, scenario.height)
        self._dynamic: list[Any] = []
        self._cam_node: Any = None

    def _add_static(self, mesh: Any, rgb: Rgb) -> None:
        mat = self._pyrender.MetallicRoughnessMaterial(
            baseColorFactor=[*_rgb01(rgb), 1.0], metallicFactor=0.0, roughnessFactor=0.9
        )
        self.scene.add(self._pyrender.Mesh.from_trimesh(mesh, material=mat, smooth=False))

    def __enter__(self) -> SceneRenderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the OpenGL context."""
        if self._renderer is not None:
            self._renderer.delete()
            self._renderer = None

    def body_mesh(
        self, vertices: FloatArray, faces: NDArray[np.int64], colors: NDArray[np.uint8]
    ) -> Any:
        """A pyrender mesh of world ``vertices (V, 3)`` with per-vertex ``colors (V, 3)``
        (0-255), smooth normals and a matte non-metallic skin/cloth material."""
        pyr = self._pyrender
        tm = self._trimesh.Trimesh(vertices=vertices, faces=faces, process=False)
        rgba = np.ones((len(colors), 4), dtype=np.float32)
        rgba[:, :3] = (colors / 255.0) ** 2.2  # sRGB → linear, see _rgb01
        prim = pyr.Primitive(
            positions=np.asarray(vertices, dtype=np.float32),
            normals=np.asarray(tm.vertex_normals, dtype=np.float32),
            color_0=rgba,
            indices=np.asarray(faces, dtype=np.uint32),
            material=self._body_material,
            mode=4,  # GL_TRIANGLES
        )
        return pyr.Mesh(primitives=[prim])

    def render(
        self, meshes: list[Any], camera: Camera, light_scale: float = 1.0
    ) -> tuple[NDArray[np.uint8], NDArray[np.float32]]:
        """Render the room plus ``meshes`` from ``camera``; see the class docstring."""
        pyr = self._pyrender
        for node in self._dynamic:
            self.scene.remove_node(node)
        self._dynamic = [self.scene.add(m) for m in meshes]
        if self._cam_node is not None:
            self.scene.remove_node(self._cam_node)
        cam = pyr.PerspectiveCamera(
            yfov=camera.yfov_rad, aspectRatio=camera.width / camera.height, znear=0.05, zfar=30.0
        )
        self._cam_node = self.scene.add(cam, pose=camera.pose)
        self._key.intensity = self._base[0] * light_scale
        self._fill.intensity = self._base[1] * light_scale
        color, depth = self._renderer.render(self.scene)
        return np.asarray(color, dtype=np.uint8), np.asarray(depth, dtype=np.float32)


def _vertex_colors(body: AnnyBody, skin: Rgb, top: Rgb, bottom: Rgb) -> NDArray[np.uint8]:
    """Per-vertex colours (V, 3): shirt on the trunk and upper arms, leggings on the legs."""
    labels = body.labels
    shirt = {
        i
        for i, lab in enumerate(labels)
        if lab.startswith(("spine", "clavicle", "shoulder01", "upperarm"))
    }
    legs = {
        i
        for i, lab in enumerate(labels)
        if lab.startswith(("pelvis", "upperleg", "lowerleg")) or lab == "root"
    }
    cols = np.empty((len(body.vertex_bone), 3), dtype=np.uint8)
    cols[:] = skin
    cols[np.isin(body.vertex_bone, sorted(shirt))] = top
    cols[np.isin(body.vertex_bone, sorted(legs))] = bottom
    return cols


def _smoothstep(u: float) -> float:
    x = min(max(u, 0.0), 1.0)
    return x * x * (3.0 - 2.0 * x)


def _encode(
    frames: list[NDArray[np.uint8]] | None,
    path: Path,
    fps: float,
    width: int,
    height: int,
    bitrate_kbps: int,
) -> Any:
    container = av.open(str(path), mode="w")
    stream = container.add_stream("libx264", rate=Fraction(fps).limit_denominator(1001))
    stream.width = width
    stream.height = height
    stream.pix_fmt = "yuv420p"
    stream.bit_rate = bitrate_kbps * 1000
    stream.options = {"preset": "medium", "threads": "1", "g": str(int(2 * fps))}
    return container, stream


def render_clip(
    scenario: Scenario,
    out_path: Path | str | None,
    max_frames: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RenderResult:
    """Render ``scenario`` to ``out_path`` (H.264 mp4; ``None`` = render without writing).

    ``max_frames`` renders only the first frames (tests). ``progress(done, total)`` is called
    after each frame. Per-frame ``arrays`` (``T`` frames): ``t``; every :class:`JointTrack`
    field (``track_<name>``); measured truth angles ``true_abduction_deg``,
    ``true_hip_flexion_deg``, ``true_hip_rotation_deg``, ``true_knee_flexion_deg``,
    ``true_trunk_side_bend_deg`` (waist crunch), ``true_pelvis_tilt_deg``,
    ``true_pelvis_roll_deg`` (degrees, from the 3D rig);
    ``keypoints_xy (T, K, 2)`` pixels of the displayed (possibly mirrored) frame,
    ``keypoints_depth (T, K)`` m, ``keypoints_visible (T, K)`` (in the image and not hidden by
    something closer), ``keypoints_index (K,)`` BlazePose landmark indices,
    ``keypoints_name (K,)``; ``frame_mean (T,)`` mean pixel value of each frame.
    """
    t_start = time.perf_counter()
    sc = scenario
    script: MotionScript = script_motion(sc)
    t_all = script.times(sc.fps)
    if max_frames is not None:
        t_all = t_all[:max_frames]
    n = len(t_all)
    rng = np.random.default_rng(sc.seed)
    p = sc.person
    clam_flex = sc.motion.clamshell_hip_flexion_deg
    body = AnnyBody(
        p.body, p.lying_on, p.bottom_leg, 45.0 if clam_flex is None else clam_flex
    )
    sample = _sampler(script, body)
    track: JointTrack = sample(t_all)
    clam = _ClamshellProbe(body, track) if sc.motion.variation == "clamshell" else None
    t_load = time.perf_counter() - t_start
    colors = _vertex_colors(body, p.skin_rgb, p.top_rgb, p.bottom_rgb)
    rot = body_to_world(p.lying_on, sc.pose)
    rest = body.pose(
        float(track.abduction_deg[0]), 0.0, p.baseline_hip_rotation_deg, 0.0, 0.0, sc.pose
    )
    placement = _place(rest, rot, p.position_m, 0.0, body.support_vertices)
    if p.yaw_deg != 0.0:
        placement.yaw = body_yaw(p.yaw_deg, p.lying_on)
        placement.yaw_centre = np.array([p.position_m, 0.0, 0.0])
    top_up = 1.0 if p.lying_on == "left" else -1.0
    rest_world = _apply(placement, rest.vertices, 0.0, top_up)
    target_y = 0.5 * (rest_world[:, 1].min() + rest_world[:, 1].max())
    extra_meshes_src: list[tuple[FloatArray, NDArray[np.int64], NDArray[np.uint8]]] = []
    if sc.extra_person is not None:
        ep = sc.extra_person
        other = AnnyBody(ep.body, "right", "bent")
        opose = other.pose(0.0, 0.0, -5.0, 3.0, 0.0, ep.pose)
        orot = body_to_world("right", ep.pose)
        opl = _place(opose, orot, ep.x_m, ep.z_m, other.support_vertices)
        extra_meshes_src.append(
            (
                _apply(opl, opose.vertices, 0.0, 1.0),
                other.faces,
                _vertex_colors(other, ep.skin_rgb, ep.top_rgb, ep.bottom_rgb),
            )
        )
    names = [k for k, _ in KEYPOINTS]
    kp_xy = np.zeros((n, len(KEYPOINTS), 2))
    kp_depth = np.zeros((n, len(KEYPOINTS)))
    kp_vis = np.zeros((n, len(KEYPOINTS)), dtype=bool)
    truth_keys = (
        "abduction", "hip_flexion", "hip_rotation", "knee_flexion", "trunk_side_bend",
        "pelvis_tilt",
    )
    true = {k: np.zeros(n) for k in truth_keys}
    true_roll = np.zeros(n)
    frame_mean = np.zeros(n)
    mirrored = p.mirrored
    r = sc.realism
    shift = sc.camera_shift
    container = stream = None
    if out_path is not None:
        out = Path(out_path)
        out.parent.mkdir(parents=True, exist_ok=True)
        container, stream = _encode(None, out, sc.fps, sc.width, sc.height, r.bitrate_kbps)
    drift_phase = rng.uniform(0, 2 * np.pi)
    t_pose = t_render = t_post = 0.0
    try:
        with SceneRenderer(sc, mat_centre_x=p.position_m) as renderer:
            extra_meshes = [renderer.body_mesh(*m) for m in extra_meshes_src]
            sub_offsets = (
                np.linspace(-0.5, 0.5, r.blur_subframes) * r.shutter / sc.fps
                if r.motion_blur
                else np.zeros(1)
            )
            for i in range(n):
                ti = float(t_all[i])
                acc = np.zeros((sc.height, sc.width, 3))
                depth: NDArray[np.float32] | None = None
                for k, dt in enumerate(sub_offsets):
                    a0 = time.perf_counter()
                    tt = track if dt == 0 else sample(np.array([ti + dt]))
                    j = i if dt == 0 else 0
                    posed = body.pose(
                        float(tt.abduction_deg[j]),
                        float(tt.hip_flexion_deg[j]),
                        float(tt.hip_rotation_deg[j]),
                        float(tt.knee_flexion_deg[j]),
                        float(tt.trunk_side_bend_deg[j]),
                        sc.pose,
                        float(tt.pelvis_tilt_deg[j]),
                    )
                    roll = float(tt.pelvis_roll_deg[j])
                    verts = _apply(placement, posed.vertices, roll, top_up)
                    if shift is not None:
                        u = _smoothstep((ti + dt - shift.at_s) / shift.duration_s)
                        cam = camera_at(
                            sc.camera, sc.width, sc.height, target_y,
                            u * shift.dx_m, u * shift.dy_m, u * shift.dyaw_deg,
                        )
                    else:
                        cam = camera_at(sc.camera, sc.width, sc.height, target_y)
                    light = 1.0 + r.lighting_drift * np.sin(
                        2 * np.pi * (ti + dt) / r.drift_period_s + drift_phase
                    )
                    a1 = time.perf_counter()
                    mesh = renderer.body_mesh(verts, body.faces, colors)
                    rgb, dep = renderer.render([mesh, *extra_meshes], cam, float(light))
                    a2 = time.perf_counter()
                    t_pose += a1 - a0
                    t_render += a2 - a1
                    acc += rgb
                    if k == len(sub_offsets) // 2:
                        depth = dep
                        centre = (posed, roll, cam)
                a3 = time.perf_counter()
                posed, roll, cam = centre
                img = acc / len(sub_offsets)
                if r.noise_sigma > 0:
                    img = img + rng.normal(0.0, r.noise_sigma, img.shape)
                frame = np.clip(np.rint(img), 0, 255).astype(np.uint8)
                pts = np.stack([posed.joints[k] for k in names])
                wpts = _apply(placement, pts, roll, top_up)
                xy, dz = cam.project(wpts)
                assert depth is not None
                vis = _visible(xy, dz, depth)
                if mirrored:
                    frame = np.ascontiguousarray(frame[:, ::-1])
                    xy[:, 0] = sc.width - xy[:, 0]
                kp_xy[i], kp_depth[i], kp_vis[i] = xy, dz, vis
                ang = body.truth_angles(posed)
                for key in truth_keys:
                    true[key][i] = ang[key]
                if clam is not None:
                    clam.measure(i, posed)
                true_roll[i] = _measured_roll(posed, placement, roll, top_up, p.working_leg)
                frame_mean[i] = float(frame.mean())
                if container is not None and stream is not None:
                    vf = av.VideoFrame.from_ndarray(frame, format="rgb24")
                    for packet in stream.encode(vf):
                        container.mux(packet)
                t_post += time.perf_counter() - a3
                if progress is not None:
                    progress(i + 1, n)
    finally:
        if container is not None and stream is not None:
            for packet in stream.encode():
                container.mux(packet)
            container.close()
    extra = []
    inside = (
        (kp_xy[..., 0] >= 0) & (kp_xy[..., 0] < sc.width)
        & (kp_xy[..., 1] >= 0) & (kp_xy[..., 1] < sc.height)
    )
    if np.mean(~inside.all(axis=1)) > 0.2:
        extra.append("body_out_of_frame")
    truth = script.truth(sc.fps, len(script.times(sc.fps)), extra_warnings=extra)
    arrays: dict[str, NDArray[Any]] = {"t": t_all}
    for key, val in track.as_dict().items():
        if key != "t":
            arrays[f"track_{key}"] = val
    for key in truth_keys:
        arrays[f"true_{key}_deg"] = true[key]
    arrays["true_pelvis_roll_deg"] = true_roll
    if clam is not None:
        arrays["true_clamshell_opening_deg"] = clam.opening
    arrays["keypoints_xy"] = kp_xy
    arrays["keypoints_depth"] = kp_depth
    arrays["keypoints_visible"] = kp_vis
    arrays["keypoints_index"] = np.array([int(lm) for _, lm in KEYPOINTS], dtype=np.int64)
    arrays["keypoints_name"] = np.array(names)
    arrays["frame_mean"] = frame_mean
    checks = {
        name: float(np.max(np.abs(arrays[f"true_{key}_deg"] - arrays[f"track_{key}_deg"])))
        for name, key in (
            ("abduction_max_err_deg", "abduction"),
            ("hip_flexion_max_err_deg", "hip_flexion"),
            ("trunk_side_bend_max_err_deg", "trunk_side_bend"),
            ("pelvis_tilt_max_err_deg", "pelvis_tilt"),
            ("pelvis_roll_max_err_deg", "pelvis_roll"),
        )
    }
    if clam is not None:
        checks.update(clam.checks(script))
    if checks["abduction_max_err_deg"] > ABDUCTION_TOLERANCE_DEG:
        log.error(
            "true abduction differs from the script by %.2f° (> %.1f°): labels are not exact",
            checks["abduction_max_err_deg"],
            ABDUCTION_TOLERANCE_DEG,
        )
    total = time.perf_counter() - t_start
    timings = {
        "load_s": t_load,
        "pose_s_per_frame": t_pose / max(n, 1),
        "render_s_per_frame": t_render / max(n, 1),
        "post_encode_s_per_frame": t_post / max(n, 1),
        "total_s": total,
        "frames": float(n),
    }
    log.info("rendered %d frames in %.1f s (%.0f ms/frame)", n, total, 1000 * total / max(n, 1))
    return RenderResult(
        truth=truth,
        arrays=arrays,
        timings=timings,
        video_path=Path(out_path) if out_path is not None else None,
        mirrored=mirrored,
        checks=checks,
    )


def _sampler(script: MotionScript, body: AnnyBody) -> Callable[[FloatArray], JointTrack]:
    """The script's joint tracks at given times; a clamshell's rotation uses this body's angle
    between thigh and hip→ankle line, so the thigh sweeps exactly the scripted opening."""
    if script.scenario.motion.variation != "clamshell":
        return script.sample

    beta = body.thigh_to_line_deg(90.0)
    closed = sample_clamshell(script, np.zeros(1), beta)
    line: float | None = None
    target = script.scenario.motion.clamshell_hip_flexion_deg
    if target is not None:  # the closed top thigh at exactly the scripted hip flexion
        line = float(closed.hip_flexion_deg[0])
        for _ in range(4):
            got = body.thigh_flexion_deg(
                float(closed.abduction_deg[0]), line, float(closed.hip_rotation_deg[0]),
                float(closed.knee_flexion_deg[0]),
            )
            if abs(target - got) < 1e-3:
                break
            line += target - got
    return lambda t: sample_clamshell(script, np.asarray(t, dtype=np.float64), beta, line)


class _ClamshellProbe:
    """Measures a clamshell on the rig: per frame the top thigh's swept angle from its closed
    direction (deg, body frame, the 3D opening); once, both thighs' hip flexion when closed."""

    def __init__(self, body: AnnyBody, track: JointTrack) -> None:
        self.body = body
        closed = body.pose(
            float(track.abduction_deg[0]),
            float(track.hip_flexion_deg[0]),
            CLAMSHELL_CLOSED_ROTATION_DEG,
            float(track.knee_flexion_deg[0]),
        )
        self._thigh0 = self._thigh(closed, body.top)
        j = closed.joints
        mid_sh = 0.5 * (j["left_shoulder"] + j["right_shoulder"])
        mid_hip = 0.5 * (j["left_hip"] + j["right_hip"])
        a = (mid_hip - mid_sh) / np.linalg.norm(mid_hip - mid_sh)
        xl = j["left_hip"] - j["right_hip"]
        x = xl - np.dot(xl, a) * a
        f = np.cross(a, x / np.linalg.norm(x))
        self.closed_flexion = {
            side: float(np.degrees(np.arcsin(np.clip(np.dot(self._thigh(closed, side), f), -1, 1))))
            for side in (body.top, body.lying_on)
        }
        self.opening = np.zeros(len(track))

    @staticmethod
    def _thigh(posed: PosedBody, side: Side) -> FloatArray:
        v = posed.joints[f"{side}_knee"] - posed.joints[f"{side}_hip"]
        return np.asarray(v / np.linalg.norm(v), dtype=np.float64)

    def measure(self, i: int, posed: PosedBody) -> None:
        c = float(np.dot(self._thigh(posed, self.body.top), self._thigh0))
        self.opening[i] = float(np.degrees(np.arccos(np.clip(c, -1.0, 1.0))))

    def checks(self, script: MotionScript) -> dict[str, float]:
        """``clamshell_opening_max_err_deg``: largest gap between a rep's scripted opening and
        the largest measured one over the frames rendered (reps reaching their top only);
        ``clamshell_{top,bottom}_thigh_flexion_deg``: closed thighs' measured hip flexion."""
        t = script.times()[: len(self.opening)]
        err = 0.0
        for tm, rep in zip(script.timings, script.scenario.motion.reps, strict=True):
            sel = (t >= tm.top_s) & (t <= tm.release_s)
            if np.any(sel):
                err = max(err, abs(float(np.max(self.opening[sel])) - rep.peak_deg))
        return {
            "clamshell_opening_max_err_deg": err,
            "clamshell_top_thigh_flexion_deg": self.closed_flexion[self.body.top],
            "clamshell_bottom_thigh_flexion_deg": self.closed_flexion[self.body.lying_on],
        }


def _visible(xy: FloatArray, dz: FloatArray, depth: NDArray[np.float32]) -> NDArray[np.bool_]:
    """In the image and not hidden: the rendered surface at the pixel lies within 0.15 m in
    front of the joint centre (joint centres sit inside limbs)."""
    h, w = depth.shape
    out = np.zeros(len(dz), dtype=bool)
    for k, ((x, y), d) in enumerate(zip(xy, dz, strict=True)):
        xi, yi = int(np.floor(x)), int(np.floor(y))
        if 0 <= xi < w and 0 <= yi < h and d > 0:
            surf = float(depth[yi, xi])
            out[k] = surf > 0 and surf > d - 0.15
    return out


def _measured_roll(
    posed: PosedBody, pl: _Placement, roll: float, top_up: float, top: Side
) -> float:
    """Pelvis roll (deg) in the world: hip line (bottom → top hip) against vertical, about the
    long axis, + = top hip away from the camera."""
    bottom: Side = "left" if top == "right" else "right"
    pts = np.stack([posed.joints[f"{bottom}_hip"], posed.joints[f"{top}_hip"]])
    w = _apply(pl, pts, roll, top_up)
    v = pl.yaw.T @ (w[1] - w[0])  # body-relative: the yaw undone
    return float(np.degrees(np.arctan2(-v[2], v[1])))
