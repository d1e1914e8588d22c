"""A posable anny body for side-lying leg lifts, and the 3D truth angles measured on it.

Coordinates: anny's body frame (metres): ``+z`` up (head), ``−y`` anterior (the face),
``+x`` the person's left. Joint centres are anny rig bone heads:

- hip: ``upperleg01.{L,R}``, knee: ``lowerleg01``, ankle: ``foot``, shoulder: ``upperarm01``;
- heel / toe (foot index): mesh vertices picked once on the rest mesh (back-most heel vertex,
  front-most toe vertex).

Truth angles (:func:`measure_angles`, degrees), from those 3D points only:

- long axis ``a`` = unit(mid-hip − mid-shoulder); lateral ``x`` = left hip − right hip made
  orthogonal to ``a``; anterior ``f = a × x``. Top side lateral ``l = ±x``.
- ``abduction`` = ``atan2(u·l, u·a)`` with ``u`` = unit(ankle − hip) of the top leg: the
  angle in the frontal plane between the top leg and the long axis; 0 = in line.
- ``hip_flexion`` = ``asin(u·f)``: the leg's angle out of the frontal plane toward the front.
- ``knee_flexion``: angle between hip→knee and knee→ankle minus its neutral value.
- ``hip_rotation``: ankle→toe direction about the leg axis ``u``: angle from ``f`` (made
  normal to ``u``) toward ``s = ±unit(u × f)`` (the side normal to the leg and to ``f``,
  toward ``l``: toes to the ceiling), minus its neutral value. Exact for abduction and
  forward drift; a bent knee tilts the foot with the shin (reads 13.7 for 15 at 35° knee).
- ``trunk_side_bend``: tilt of ``a`` out of the plane normal to the hip line (left hip −
  right hip), ``asin(−a·h)`` with ``h`` the unit hip line toward the top side: + = shoulders
  toward the top side (waist crunch, hip hike), minus its neutral value.
- ``pelvis_tilt`` (:meth:`AnnyBody.truth_angles` only): the hip line turned toward the head
  against the plane normal to the rest long axis (the mat; body frame), minus its neutral
  value. A pelvic-tilt hike turns the root bone about the pelvis centre and the lowest spine
  joint back, so the trunk keeps its place and the waist crunch comes from the pelvis.

The *neutral reference pose* is anny's rest pose with both legs rotated so that hip→ankle is
parallel to the long axis (anny's rest legs are ~5° apart), so a measured 0 means "in line".
:meth:`AnnyBody.pose` builds the top leg so that these measured angles equal the scripted ones
(abduction and flexion exactly, by construction).
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np
from numpy.typing import NDArray

from hipwise.pose.landmarks import Side
from hipwise.synth.scenario import BodyShape

if TYPE_CHECKING:
    from hipwise.synth.motion import JointTrack

__all__ = [
    "JOINT_BONES",
    "AnnyBody",
    "PosedBody",
    "anny_cache_dir",
    "axis_angle",
    "measure_angles",
    "rotation_between",
]

log = logging.getLogger(__name__)
FloatArray = NDArray[np.float64]

JOINT_BONES: dict[str, str] = {
    "shoulder": "upperarm01",
    "elbow": "lowerarm01",
    "wrist": "wrist",
    "hip": "upperleg01",
    "knee": "lowerleg01",
    "ankle": "foot",
}
"""Joint name → anny bone (suffix ``.L``/``.R``) whose head is that joint centre."""

_COMPACT_PREFIX = "build_compact_model_data_"
_FIRST_BUILD_S = 95.0


def anny_cache_dir() -> Path:
    """Where the anny model cache lives: ``$HIPWISE_DATA_DIR/anny`` or ``~/.cache/hipwise/anny``."""
    root = os.environ.get("HIPWISE_DATA_DIR")
    base = Path(root) if root else Path.home() / ".cache" / "hipwise"
    return base / "anny"


def axis_angle(axis: FloatArray, angle_rad: float) -> FloatArray:
    """Rotation matrix (3, 3) of ``angle_rad`` (radians) about ``axis`` (3,), right-handed."""
    n = np.asarray(axis, dtype=np.float64)
    norm = float(np.linalg.norm(n))
    if norm < 1e-12 or angle_rad == 0.0:
        return np.eye(3)
    x, y, z = n / norm
    c, s = np.cos(angle_rad), np.sin(angle_rad)
    k = np.array([[0, -z, y], [z, 0, -x], [-y, x, 0]])
    return np.eye(3) + s * k + (1 - c) * (k @ k)


def rotation_between(v_from: FloatArray, v_to: FloatArray) -> FloatArray:
    """Smallest rotation (3, 3) taking direction ``v_from`` (3,) to ``v_to`` (3,)."""
    a = np.asarray(v_from, dtype=np.float64) / np.linalg.norm(v_from)
    b = np.asarray(v_to, dtype=np.float64) / np.linalg.norm(v_to)
    axis = np.cross(a, b)
    s = float(np.linalg.norm(axis))
    c = float(np.dot(a, b))
    if s < 1e-12:
        if c > 0:
            return np.eye(3)
        perp = np.cross(a, [1.0, 0.0, 0.0])
        if np.linalg.norm(perp) < 1e-6:
            perp = np.cross(a, [0.0, 1.0, 0.0])
        return axis_angle(perp, np.pi)
    return axis_angle(axis, float(np.arctan2(s, c)))


def _unit(v: FloatArray) -> FloatArray:
    return np.asarray(v / np.linalg.norm(v), dtype=np.float64)


def _signed_angle(v: FloatArray, ref: FloatArray, toward: FloatArray) -> float:
    """Angle (deg) from ``ref`` to ``v`` in the plane (ref, toward), + toward ``toward``."""
    return float(np.degrees(np.arctan2(np.dot(v, toward), np.dot(v, ref))))


def measure_angles(points: dict[str, FloatArray], top: Side) -> dict[str, float]:
    """Raw truth angles (degrees) from 3D points (any rigid frame), before neutral offsets.

    ``points`` holds ``(3,)`` positions named ``{left,right}_{shoulder,hip,knee,ankle,toe}``
    and ``spine04``; ``top`` is the working leg. Returns ``abduction``, ``hip_flexion``,
    ``knee_angle`` (angle between hip→knee and knee→ankle), ``foot_rotation_raw``,
    ``side_bend_raw`` (see the module docstring).
    """
    p = points
    mid_sh = 0.5 * (p["left_shoulder"] + p["right_shoulder"])
    mid_hip = 0.5 * (p["left_hip"] + p["right_hip"])
    a = _unit(mid_hip - mid_sh)
    xl = p["left_hip"] - p["right_hip"]
    x = _unit(xl - np.dot(xl, a) * a)
    f = np.cross(a, x)
    lat = x if top == "left" else -x
    hip, knee, ankle, toe = (p[f"{top}_{j}"] for j in ("hip", "knee", "ankle", "toe"))
    u = _unit(ankle - hip)
    abduction = _signed_angle(u, a, lat)
    flexion = float(np.degrees(np.arcsin(np.clip(np.dot(u, f), -1.0, 1.0))))
    th, sh = _unit(knee - hip), _unit(ankle - knee)
    knee_angle = float(np.degrees(np.arccos(np.clip(np.dot(th, sh), -1.0, 1.0))))
    # foot direction about the leg axis u, against f carried onto the plane normal to u
    foot = toe - ankle
    foot_p = foot - np.dot(foot, u) * u
    f_p = f - np.dot(f, u) * u
    side = _unit(np.cross(u, f))
    if np.dot(side, lat) < 0:
        side = -side
    rot = _signed_angle(foot_p, _unit(f_p), side)
    x_hip = _unit(xl) if top == "left" else -_unit(xl)
    bend = float(np.degrees(np.arcsin(np.clip(-np.dot(a, x_hip), -1.0, 1.0))))
    return {
        "abduction": abduction,
        "hip_flexion": flexion,
        "knee_angle": knee_angle,
        "foot_rotation_raw": rot,
        "side_bend_raw": bend,
    }


@dataclass(frozen=True, eq=False)
class PosedBody:
    """One posed body in anny's body frame: ``vertices (V, 3)`` m, ``joints`` name → (3,) m
    (``{left,right}_{shoulder,elbow,wrist,hip,knee,ankle,heel,toe}``, ``spine04``, ``head``)."""

    vertices: FloatArray
    joints: dict[str, FloatArray]


_SIDE = {"left": "L", "right": "R"}


class AnnyBody:
    """An anny body of one shape, posable for a side-lying leg lift (see module docstring).

    Building loads anny (torch) once per process: the first run ever builds a ~790 MB cache
    (about 95 s) in :func:`anny_cache_dir`, then keeps only the ~50 MB file needed.
    """

    _model_cache: ClassVar[dict[str, Any]] = {}

    def __init__(
        self,
        shape: BodyShape,
        lying_on: Side,
        bottom_leg: str = "straight",
        bent_hip_flexion_deg: float = 45.0,
    ) -> None:
        self.shape = shape
        self.lying_on: Side = lying_on
        self.top: Side = "right" if lying_on == "left" else "left"
        self.bottom_leg = bottom_leg
        self.bent_hip_flexion_deg = bent_hip_flexion_deg
        """Hip flexion (deg) of a bent bottom leg (its knee at 90°)."""
        self._model = self._load_model()
        # optional: the synth extra (pip install 'hipwise[synth]')
        import torch

        self._torch = torch
        m = self._model
        self.labels: list[str] = list(m.bone_labels)
        self.parents: list[int] = [int(x) for x in m.bone_parents]
        self._pheno = {k: float(getattr(shape, k)) for k in m.phenotype_labels}
        with torch.no_grad():
            out = m(phenotype_kwargs=self._pheno)
        self._rest_poses = out["rest_bone_poses"][0].double().numpy()
        self._rest_R = self._rest_poses[:, :3, :3]
        # True rest joints and mesh (world-orient posing is relative to these).
        self.rest_heads: FloatArray = out["rest_bone_heads"][0].double().numpy()
        self.rest_vertices: FloatArray = out["rest_vertices"][0].double().numpy()
        self.faces: NDArray[np.int64] = m.get_triangular_faces().numpy().astype(np.int64)
        w = m.vertex_bone_weights.numpy()
        idx = m.vertex_bone_indices.numpy()
        self.vertex_bone: NDArray[np.int64] = idx[np.arange(idx.shape[0]), np.argmax(w, axis=1)]
        arm_bones = [
            i
            for i, lab in enumerate(self.labels)
            if lab.startswith(("upperarm", "lowerarm", "wrist", "finger", "metacarpal"))
        ]
        top_leg = [i for i, lab in enumerate(self.labels) if lab.endswith(f".{_SIDE[self.top]}")
                   and lab.startswith(("upperleg", "lowerleg", "foot", "toe"))]
        self.support_vertices: NDArray[np.bool_] = ~np.isin(
            self.vertex_bone, arm_bones + top_leg
        )
        """Vertices that may carry the body on the floor (not arms, not the top leg)."""
        self._heel_vertex, self._toe_vertex = self._pick_foot_vertices()
        self._neutral_leg = {s: self._neutral_leg_rotation(s) for s in ("left", "right")}
        self._bend_table: tuple[FloatArray, FloatArray] | None = None
        self._tilt_table: tuple[FloatArray, FloatArray] | None = None
        self._neutral = self._measure_neutral()

    # ----------------------------------------------------------------- loading
    @classmethod
    def _load_model(cls) -> Any:
        if "anny" in cls._model_cache:
            return cls._model_cache["anny"]
        cache = anny_cache_dir()
        cache.mkdir(parents=True, exist_ok=True)
        first = not any(cache.glob(f"v*/{_COMPACT_PREFIX}*.safetensors"))
        if first:
            log.warning(
                "first use: building the anny body model cache in %s (about %.0f s, ~790 MB "
                "temporarily, ~50 MB kept)",
                cache,
                _FIRST_BUILD_S,
            )
        t0 = time.perf_counter()
        # optional: the synth extra (pip install 'hipwise[synth]')
        import anny
        import anny.paths

        anny.paths.set_anny_cache_path(cache)
        model = anny.Anny()
        model.eval()
        if first:
            for big in list(cache.glob("v*/build_model_data_*")) + list(
                cache.glob("v*/load_data_*")
            ):
                big.unlink(missing_ok=True)
            log.warning("anny cache built in %.0f s", time.perf_counter() - t0)
        cls._model_cache["anny"] = model
        return model

    # --------------------------------------------------------------- rest data
    def bone(self, name: str, side: Side | None = None) -> int:
        """Index of an anny bone (``side`` adds the ``.L``/``.R`` suffix)."""
        label = f"{name}.{_SIDE[side]}" if side else name
        return self.labels.index(label)

    def _pick_foot_vertices(self) -> tuple[dict[str, int], dict[str, int]]:
        heel: dict[str, int] = {}
        toe: dict[str, int] = {}
        v = self.rest_vertices
        for side in ("left", "right"):
            sfx = _SIDE[side]
            foot_bones = {
                i for i, lab in enumerate(self.labels) if lab == f"foot.{sfx}"
                or (lab.startswith("toe") and lab.endswith(f".{sfx}"))
            }
            mask = np.isin(self.vertex_bone, sorted(foot_bones))
            ids = np.flatnonzero(mask)
            ankle = self.rest_heads[self.bone("foot", side)]
            low = ids[v[ids, 2] < ankle[2] - 0.03]
            heel[side] = int(low[np.argmax(v[low, 1])])
            toe[side] = int(ids[np.argmin(v[ids, 1])])
        return heel, toe

    def _leg_vectors(self, side: Side) -> tuple[FloatArray, FloatArray, FloatArray]:
        h = self.rest_heads
        hip = h[self.bone("upperleg01", side)]
        knee = h[self.bone("lowerleg01", side)]
        ankle = h[self.bone("foot", side)]
        return hip, knee - hip, ankle - knee

    def _rest_axis(self) -> FloatArray:
        h = self.rest_heads
        sh = 0.5 * (h[self.bone("upperarm01", "left")] + h[self.bone("upperarm01", "right")])
        hp = 0.5 * (h[self.bone("upperleg01", "left")] + h[self.bone("upperleg01", "right")])
        return _unit(hp - sh)

    def _neutral_leg_rotation(self, side: Side) -> FloatArray:
        _, k0, s0 = self._leg_vectors(side)
        return rotation_between(k0 + s0, self._rest_axis())

    # ------------------------------------------------------------------ posing
    def _leg_chain(self, side: Side) -> tuple[list[int], list[int]]:
        sfx = _SIDE[side]
        thigh = [self.bone("upperleg01", side), self.bone("upperleg02", side)]
        shin = [
            i
            for i, lab in enumerate(self.labels)
            if lab in (f"lowerleg01.{sfx}", f"lowerleg02.{sfx}", f"foot.{sfx}")
            or (lab.startswith("toe") and lab.endswith(f".{sfx}"))
        ]
        return thigh, shin

    def _leg_rotations(
        self,
        side: Side,
        frame: tuple[FloatArray, FloatArray, FloatArray],
        abduction_deg: float,
        flexion_deg: float,
        rotation_deg: float,
        knee_deg: float,
    ) -> tuple[FloatArray, FloatArray]:
        """World rotations (thigh, shin) relative to rest for one leg.

        ``frame`` = (a, x_left, f) of the current trunk. The hip→ankle direction becomes
        ``cos(flex)(cos(abd) a + sin(abd) l) + sin(flex) f`` exactly.
        """
        a, xl, f = frame
        a0 = self._rest_axis()
        lat = xl if side == "left" else -xl
        _, k0, s0 = self._leg_vectors(side)
        r0 = self._neutral_leg[side]
        f0 = np.array([0.0, -1.0, 0.0])
        f0 = _unit(f0 - np.dot(f0, a0) * a0)
        rk = axis_angle(np.cross(f0, a0), np.radians(knee_deg))
        v1 = r0 @ k0 + rk @ r0 @ s0
        rc = rotation_between(v1, a0)
        lat0 = np.array([1.0, 0.0, 0.0]) if side == "left" else np.array([-1.0, 0.0, 0.0])
        rax = axis_angle(np.cross(f0, lat0), np.radians(rotation_deg))
        abd, flx = np.radians(abduction_deg), np.radians(flexion_deg)
        # carry the rest frame (a0, f0) onto the current trunk frame, abduct in the frontal
        # plane (about f), then flex toward f about the axis normal to the abducted leg and f:
        # this order leaves the measured foot rotation unchanged by abduction and flexion.
        r_frame = _frame_rotation(a0, f0, a, f)
        r_abd = axis_angle(np.cross(a, lat), abd)
        u_abd = r_abd @ a
        r_flx = axis_angle(np.cross(u_abd, f), flx)
        ru = r_flx @ r_abd @ r_frame
        g_thigh = ru @ rax @ rc @ r0
        g_shin = ru @ rax @ rc @ rk @ r0
        return g_thigh, g_shin

    def _global_rotations(
        self,
        abduction_deg: float,
        flexion_deg: float,
        rotation_deg: float,
        knee_deg: float,
        bend_deg: float,
        pose: Literal["side_lying", "standing"],
        top_only_leg: bool = False,
        tilt_deg: float = 0.0,
    ) -> list[FloatArray]:
        n = len(self.labels)
        local = [np.eye(3) for _ in range(n)]
        a0 = self._rest_axis()
        x0 = np.array([1.0, 0.0, 0.0])
        f0 = np.cross(a0, x0)
        lat_top = x0 if self.top == "left" else -x0
        # trunk side bend toward the top side, spread over four spine joints
        bend_axis = np.cross(-a0, lat_top)
        for name in ("spine04", "spine03", "spine02", "spine01"):
            local[self.bone(name)] = axis_angle(bend_axis, np.radians(bend_deg) / 4.0)
        if tilt_deg != 0.0:
            # pelvic tilt: the pelvis (root) turns in the frontal plane about its centre, top
            # hip toward the head; the lowest spine joint (at the same centre) turns back, so
            # the whole spine, the arms and the head keep their place on the floor
            local[self.bone("root")] = axis_angle(bend_axis, -np.radians(tilt_deg))
            local[self.bone("spine05")] = axis_angle(bend_axis, np.radians(tilt_deg))
        if pose == "side_lying":
            bottom: Side = self.lying_on
            top_arm = self.top
            # bottom arm overhead under the head (pillow); top arm resting in front
            up = -a0
            lat_b = -lat_top
            self._aim_arm(local, bottom, _unit(0.95 * up + 0.25 * f0 - 0.05 * lat_b), 15.0, f0)
            self._aim_arm(
                local, top_arm, _unit(0.25 * a0 + 0.45 * f0 - 0.85 * lat_top), 15.0, f0
            )
            local[self.bone("neck01")] = axis_angle(np.cross(-a0, lat_b), np.radians(8.0))
        else:
            for side in ("left", "right"):
                lat = x0 if side == "left" else -x0
                self._aim_arm(local, side, _unit(a0 + 0.18 * lat), 10.0, f0)
        # arms keep their world direction whatever the spine does (they rest on the floor)
        absolute = {
            self.bone(bone, s): local[self.bone(bone, s)]
            for s in ("left", "right")
            for bone in ("upperarm01", "lowerarm01")
        }
        g = [np.eye(3) for _ in range(n)]
        for i in range(n):
            par = self.parents[i]
            if i in absolute:
                g[i] = absolute[i]
            else:
                g[i] = local[i] if par < 0 else g[par] @ local[i]
        heads = self._fk_heads(g)
        frame = self._trunk_frame(heads)
        thigh, shin = self._leg_chain(self.top)
        gt, gs = self._leg_rotations(
            self.top, frame, abduction_deg, flexion_deg, rotation_deg, knee_deg
        )
        for i in thigh:
            g[i] = gt
        for i in shin:
            g[i] = gs
        if not top_only_leg:
            bottom_leg: Side = self.lying_on
            frame0 = (a0, x0, f0)
            if self.bottom_leg == "bent" and pose == "side_lying":
                gt, gs = self._bent_leg(bottom_leg, frame0)
            else:
                gt, gs = self._leg_rotations(bottom_leg, frame0, 0.0, 0.0, -5.0, 3.0)
            thigh_b, shin_b = self._leg_chain(bottom_leg)
            for i in thigh_b:
                g[i] = gt
            for i in shin_b:
                g[i] = gs
        return g

    def _bent_leg(
        self, side: Side, frame: tuple[FloatArray, FloatArray, FloatArray]
    ) -> tuple[FloatArray, FloatArray]:
        a, _, f = frame
        r0 = self._neutral_leg[side]
        _, k0, s0 = self._leg_vectors(side)
        hip = np.radians(self.bent_hip_flexion_deg)
        thigh_dir = _unit(np.cos(hip) * a + np.sin(hip) * f)
        g_thigh = rotation_between(r0 @ k0, thigh_dir) @ r0
        shin_dir = _unit(np.sin(hip) * a - np.cos(hip) * f)
        g_shin = rotation_between(r0 @ s0, shin_dir) @ r0
        return g_thigh, g_shin

    def _aim_arm(
        self,
        local: list[FloatArray],
        side: Side,
        direction: FloatArray,
        elbow_deg: float,
        f0: FloatArray,
    ) -> None:
        """Upper arm along ``direction``; forearm turned from it by ``elbow_deg`` toward the
        front ``f0``. Both are world rotations relative to rest (made absolute later)."""
        h = self.rest_heads
        sh = h[self.bone("upperarm01", side)]
        el = h[self.bone("lowerarm01", side)]
        wr = h[self.bone("wrist", side)]
        d = _unit(direction)
        side_axis = np.cross(d, f0)
        fore = axis_angle(side_axis, np.radians(elbow_deg)) @ d
        local[self.bone("upperarm01", side)] = rotation_between(el - sh, d)
        local[self.bone("lowerarm01", side)] = rotation_between(wr - el, fore)

    def _fk_heads(self, g: list[FloatArray]) -> FloatArray:
        """Joint heads (J, 3) for world rotations ``g`` relative to rest (root fixed)."""
        h = self.rest_heads
        out = np.empty_like(h)
        for i, par in enumerate(self.parents):
            if par < 0:
                out[i] = h[i]
            else:
                out[i] = out[par] + g[par] @ (h[i] - h[par])
        return out

    def _trunk_frame(self, heads: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        b = self.bone
        sh = 0.5 * (heads[b("upperarm01", "left")] + heads[b("upperarm01", "right")])
        hp = 0.5 * (heads[b("upperleg01", "left")] + heads[b("upperleg01", "right")])
        a = _unit(hp - sh)
        xl = heads[self.bone("upperleg01", "left")] - heads[self.bone("upperleg01", "right")]
        x = _unit(xl - np.dot(xl, a) * a)
        return a, x, np.cross(a, x)

    def _fk_side_bend(
        self, rig_bend: float, tilt_deg: float, pose: Literal["side_lying", "standing"]
    ) -> float:
        """Measured trunk side bend (deg, neutral removed) of joints posed by forward
        kinematics only (no mesh) with spine bend ``rig_bend`` and pelvic tilt ``tilt_deg``."""
        g = self._global_rotations(
            0.0, 0.0, 0.0, 0.0, rig_bend, pose, top_only_leg=True, tilt_deg=tilt_deg
        )
        pts = self._points(self._fk_heads(g), None)
        return measure_angles(pts, self.top)["side_bend_raw"] - self._neutral["side_bend_raw"]

    def _solve_bend(
        self, bend_deg: float, pose: Literal["side_lying", "standing"], tilt_deg: float = 0.0
    ) -> float:
        """Rig spine bend (deg) whose measured trunk side-bend equals ``bend_deg`` when the
        pelvis tilts by ``tilt_deg``.

        Inverts a table of measured bend against rig bend (every 2° over ±44°, built on first
        use); with a pelvic tilt the spine makes up what the tilt alone gives short of
        ``bend_deg`` (that part from a second table, every 1° over ±30° of tilt, built on the
        first tilted frame: the two parts add up to within 0.03°). The truth is measured again
        on the posed body anyway.
        """
        if tilt_deg != 0.0:
            if abs(tilt_deg) > 30.0:
                by_tilt = self._fk_side_bend(0.0, tilt_deg, pose)
            else:
                if self._tilt_table is None:
                    grid = np.arange(-30.0, 30.01, 1.0)
                    meas = np.array([self._fk_side_bend(0.0, float(x), pose) for x in grid])
                    self._tilt_table = (grid, meas)
                by_tilt = float(np.interp(tilt_deg, *self._tilt_table))
            return self._solve_bend(bend_deg - by_tilt, pose)
        if abs(bend_deg) < 1e-9:
            return 0.0
        if self._bend_table is None:
            rig = np.arange(-44.0, 44.01, 2.0)
            meas = np.empty_like(rig)
            for k, r in enumerate(rig):
                g = self._global_rotations(0.0, 0.0, 0.0, 0.0, float(r), pose, top_only_leg=True)
                pts = self._points(self._fk_heads(g), None)
                meas[k] = measure_angles(pts, self.top)["side_bend_raw"]
            meas -= self._neutral["side_bend_raw"]
            self._bend_table = (meas, rig)
        meas, rig = self._bend_table
        return float(np.interp(bend_deg, meas, rig))

    def _points(self, heads: FloatArray, vertices: FloatArray | None) -> dict[str, FloatArray]:
        pts: dict[str, FloatArray] = {}
        for side in ("left", "right"):
            for joint, bone in JOINT_BONES.items():
                pts[f"{side}_{joint}"] = heads[self.bone(bone, side)]
            if vertices is not None:
                pts[f"{side}_heel"] = vertices[self._heel_vertex[side]]
                pts[f"{side}_toe"] = vertices[self._toe_vertex[side]]
            else:  # toe follows the foot rigidly: approximate with the toe bone head
                pts[f"{side}_toe"] = heads[self.bone("toe3-1", side)]
                pts[f"{side}_heel"] = heads[self.bone("foot", side)]
        pts["spine04"] = heads[self.bone("spine04")]
        pts["head"] = heads[self.bone("head")]
        return pts

    def _measure_neutral(self) -> dict[str, float]:
        self._neutral = {"side_bend_raw": 0.0}
        g = self._global_rotations(0.0, 0.0, 0.0, 0.0, 0.0, "side_lying")
        posed = self._run_model(g)
        out = measure_angles(posed.joints, self.top)
        out["pelvis_tilt_raw"] = self.pelvis_tilt_raw(posed.joints)
        return out

    def _run_model(self, g: list[FloatArray]) -> PosedBody:
        torch = self._torch
        d = np.repeat(np.eye(4)[None], len(self.labels), axis=0)
        for i, gi in enumerate(g):
            d[i, :3, :3] = gi @ self._rest_R[i]
        d[0, :3, 3] = self.rest_heads[0]
        with torch.no_grad():
            out = self._model(
                pose_parameters=torch.from_numpy(d)[None].float(),
                phenotype_kwargs=self._pheno,
                pose_parameterization="world-orient",
            )
        verts = out["vertices"][0].numpy().astype(np.float64)
        heads = out["bone_poses"][0, :, :3, 3].numpy().astype(np.float64)
        return PosedBody(vertices=verts, joints=self._points(heads, verts))

    def pose(
        self,
        abduction_deg: float,
        hip_flexion_deg: float = 0.0,
        hip_rotation_deg: float = -10.0,
        knee_flexion_deg: float = 0.0,
        trunk_side_bend_deg: float = 0.0,
        pose: Literal["side_lying", "standing"] = "side_lying",
        pelvis_tilt_deg: float = 0.0,
    ) -> PosedBody:
        """The body posed by one frame of joint angles (degrees; see :mod:`motion`).

        ``trunk_side_bend_deg`` is the whole waist crunch; ``pelvis_tilt_deg`` the part of it
        made by the pelvis tilting (top hip toward the head) with the trunk staying put.
        """
        rig_bend = self._solve_bend(trunk_side_bend_deg, pose, pelvis_tilt_deg)
        g = self._global_rotations(
            abduction_deg,
            hip_flexion_deg,
            hip_rotation_deg,
            knee_flexion_deg,
            rig_bend,
            pose,
            tilt_deg=pelvis_tilt_deg,
        )
        return self._run_model(g)

    def pose_track(
        self, track: JointTrack, i: int, pose: Literal["side_lying", "standing"]
    ) -> PosedBody:
        """Frame ``i`` of a :class:`~hipwise.synth.motion.JointTrack`."""
        return self.pose(
            float(track.abduction_deg[i]),
            float(track.hip_flexion_deg[i]),
            float(track.hip_rotation_deg[i]),
            float(track.knee_flexion_deg[i]),
            float(track.trunk_side_bend_deg[i]),
            pose,
            float(track.pelvis_tilt_deg[i]),
        )

    def thigh_to_line_deg(self, knee_flexion_deg: float = 90.0) -> float:
        """Angle (deg) between the top thigh (hip→knee) and its hip→ankle line with the knee
        bent ``knee_flexion_deg`` (as :meth:`pose` bends it): the ``β`` of a clamshell, whose
        thigh sweeps ``2 asin(sin β sin(ψ/2))`` when the leg turns ``ψ`` about that line."""
        a0 = self._rest_axis()
        x0 = np.array([1.0, 0.0, 0.0])
        gt, gs = self._leg_rotations(
            self.top, (a0, x0, np.cross(a0, x0)), 0.0, 0.0, 0.0, knee_flexion_deg
        )
        _, k0, s0 = self._leg_vectors(self.top)
        thigh, shin = gt @ k0, gs @ s0
        c = np.dot(_unit(thigh), _unit(thigh + shin))
        return float(np.degrees(np.arccos(np.clip(c, -1.0, 1.0))))

    def thigh_flexion_deg(
        self, abduction_deg: float, hip_flexion_deg: float, hip_rotation_deg: float,
        knee_flexion_deg: float,
    ) -> float:
        """Hip flexion (deg) of the top *thigh* (hip→knee, not the hip→ankle line that the
        pose angles set) toward the front, from the joints posed by forward kinematics."""
        g = self._global_rotations(
            abduction_deg, hip_flexion_deg, hip_rotation_deg, knee_flexion_deg, 0.0,
            "side_lying",
        )
        heads = self._fk_heads(g)
        _, _, f = self._trunk_frame(heads)
        thigh = _unit(
            heads[self.bone("lowerleg01", self.top)] - heads[self.bone("upperleg01", self.top)]
        )
        return float(np.degrees(np.arcsin(np.clip(np.dot(thigh, f), -1.0, 1.0))))

    def pelvis_tilt_raw(self, joints: dict[str, FloatArray]) -> float:
        """Raw pelvic tilt (deg) of body-frame ``joints``: the hip line (bottom → top hip)
        turned toward the head, against the plane normal to the rest long axis (the mat's
        axis: the rest trunk lies still on it)."""
        a0 = self._rest_axis()
        h = _unit(joints[f"{self.top}_hip"] - joints[f"{self.lying_on}_hip"])
        return float(np.degrees(np.arcsin(np.clip(-np.dot(a0, h), -1.0, 1.0))))

    def truth_angles(self, posed: PosedBody) -> dict[str, float]:
        """Truth angles (degrees) measured on a posed body, neutral offsets removed:
        ``abduction``, ``hip_flexion``, ``hip_rotation``, ``knee_flexion``,
        ``trunk_side_bend``, ``pelvis_tilt`` (see the module docstring)."""
        raw = measure_angles(posed.joints, self.top)
        n = self._neutral
        return {
            "pelvis_tilt": self.pelvis_tilt_raw(posed.joints) - n["pelvis_tilt_raw"],
            "abduction": raw["abduction"],
            "hip_flexion": raw["hip_flexion"],
            "hip_rotation": raw["foot_rotation_raw"] - n["foot_rotation_raw"],
            "knee_flexion": raw["knee_angle"] - n["knee_angle"],
            "trunk_side_bend": raw["side_bend_raw"] - n["side_bend_raw"],
        }


def _frame_rotation(a0: FloatArray, f0: FloatArray, a: FloatArray, f: FloatArray) -> FloatArray:
    """Rotation taking the orthonormal frame (a0, f0, a0×f0) onto (a, f, a×f)."""
    m0 = np.stack([a0, f0, np.cross(a0, f0)], axis=1)
    m1 = np.stack([a, f, np.cross(a, f)], axis=1)
    return np.asarray(m1 @ m0.T, dtype=np.float64)
