"""Circles drawn by the foot during an isometric hold: count, direction, diameter.

Most of such a circle is depth toward the camera, so in the image the foot traces a narrow
ellipse (long axis across the leg, short axis from perspective). The path is detrended (the
hold's own level and its sag removed), lightly smoothed, whitened (both principal axes scaled
to unit spread by a rotation and positive scalings, which keep the sense of rotation), and its
polar angle unwrapped. Each full turn of that phase is one circle; the phase running back by
``reversal_deg`` starts a run in the other direction. Direction is as seen in the video image
(x right, y down): a phase that grows is clockwise on the screen.

Diameter: the circle's peak-to-peak excursion across the leg (perpendicular to the hip→ankle
line in the image, where the circle lies in the image plane) in pixels, divided by pixels per
centimetre of the leg (its image length over its real length, see :func:`px_per_cm`) and by
the known gain of the two Gaussian filters at the circle's own frequency.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from hipwise.kinematics.filter import gaussian_smooth
from hipwise.pose.sequence import FloatArray
from hipwise.settings import CircleConfig

__all__ = ["Circle", "Direction", "circle_phase", "find_circles", "px_per_cm"]

Direction = Literal["clockwise", "counterclockwise"]


@dataclass(frozen=True)
class Circle:
    """One circle: times (s), direction as seen in the image, diameter (cm)."""

    start_s: float
    end_s: float
    direction: Direction
    diameter_cm: float


def px_per_cm(
    hip_xy: FloatArray,
    ankle_xy: FloatArray,
    cfg: CircleConfig,
    hip_world: FloatArray | None = None,
    ankle_world: FloatArray | None = None,
) -> float:
    """Image pixels per real centimetre along the top leg.

    ``hip_xy``/``ankle_xy`` ``(T, 2)`` px; ``hip_world``/``ankle_world`` ``(T, 3)`` m (the pose
    model's metric landmarks) used when ``cfg.scale == "world"`` and finite, otherwise
    ``cfg.assumed_leg_m``. Medians over frames; NaN when the leg is never seen."""
    leg_px = np.linalg.norm(np.asarray(ankle_xy) - np.asarray(hip_xy), axis=-1)
    leg_px = leg_px[np.isfinite(leg_px)]
    if leg_px.size == 0:
        return float("nan")
    leg_m = cfg.assumed_leg_m
    if cfg.scale == "world" and hip_world is not None and ankle_world is not None:
        lw = np.linalg.norm(np.asarray(ankle_world) - np.asarray(hip_world), axis=-1)
        lw = lw[np.isfinite(lw) & (lw > 0)]
        if lw.size:
            leg_m = float(np.median(lw))
    return float(np.median(leg_px)) / (100.0 * leg_m)


def _whiten(d: FloatArray) -> FloatArray:
    """``d (N, 2)`` centred → coordinates with unit spread on both principal axes, same
    handedness (rotation with determinant +1, positive scalings)."""
    cov = np.cov(d.T)
    w, v = np.linalg.eigh(cov)
    if np.linalg.det(v) < 0:
        v[:, 0] = -v[:, 0]
    w = np.maximum(w, 1e-9)
    return np.asarray((d @ v) / np.sqrt(w), dtype=np.float64)


def circle_phase(t: FloatArray, foot_xy: FloatArray, cfg: CircleConfig) -> FloatArray:
    """Unwrapped phase (radians, ``(T,)``) of the detrended, whitened foot path ``(T, 2)`` px;
    growing = clockwise in the image. NaN frames are bridged by interpolation."""
    t = np.asarray(t, dtype=np.float64)
    p = np.asarray(foot_xy, dtype=np.float64).copy()
    ok = np.all(np.isfinite(p), axis=1)
    if np.count_nonzero(ok) < 4:
        return np.zeros(len(t))
    for k in range(2):
        p[:, k] = np.interp(t, t[ok], p[ok, k])
    trend = np.stack([gaussian_smooth(t, p[:, k], cfg.detrend_s) for k in range(2)], axis=1)
    d = p - trend
    d = np.stack([gaussian_smooth(t, d[:, k], cfg.smooth_s) for k in range(2)], axis=1)
    d = d - d.mean(axis=0)
    w = _whiten(d)
    return np.unwrap(np.arctan2(w[:, 1], w[:, 0]))


def _runs(phase: FloatArray, reversal: float) -> list[tuple[int, int, int]]:
    """Monotone runs ``(i0, i1, sign)`` of the phase (zig-zag with hysteresis ``reversal``)."""
    n = len(phase)
    if n < 2:
        return []
    runs: list[tuple[int, int, int]] = []
    start = 0
    ext = 0  # index of the running extreme
    sign = 0
    for i in range(1, n):
        if sign == 0:
            if phase[i] - phase[start] >= reversal:
                sign, ext = 1, i
            elif phase[start] - phase[i] >= reversal:
                sign, ext = -1, i
            continue
        if sign * (phase[i] - phase[ext]) > 0:
            ext = i
        elif sign * (phase[ext] - phase[i]) >= reversal:
            runs.append((start, ext, sign))
            start, sign = ext, -sign
            ext = i
    if sign != 0:
        runs.append((start, ext, sign))
    return runs


def _filter_gain(f_hz: float, cfg: CircleConfig) -> float:
    """Amplitude gain of the smoothing minus detrending at frequency ``f_hz`` (Hz): both are
    Gaussians, so the circle's size can be corrected for them (5 % at a 1.5 s circle)."""
    def g(sigma: float) -> float:
        return math.exp(-0.5 * (2.0 * math.pi * f_hz * sigma) ** 2)

    return max(g(cfg.smooth_s) * (1.0 - g(cfg.detrend_s)), 0.2)


def find_circles(
    t: FloatArray,
    foot_xy: FloatArray,
    leg_dir: FloatArray,
    scale_px_per_cm: float,
    cfg: CircleConfig,
) -> list[Circle]:
    """Circles drawn by the foot in one hold, in time order.

    ``t (T,)`` s; ``foot_xy (T, 2)`` image px of the ankle (y down); ``leg_dir (2,)`` the
    hip→ankle direction in the image (any length) across which the diameter is measured;
    ``scale_px_per_cm`` from :func:`px_per_cm`. Circles smaller than ``cfg.min_diameter_cm``
    or slower than ``cfg.max_circle_s`` are dropped."""
    t = np.asarray(t, dtype=np.float64)
    p = np.asarray(foot_xy, dtype=np.float64)
    if len(t) < 8 or not np.isfinite(scale_px_per_cm) or scale_px_per_cm <= 0:
        return []
    phase = circle_phase(t, p, cfg)
    ld = np.asarray(leg_dir, dtype=np.float64)
    ld = ld / (np.linalg.norm(ld) or 1.0)
    across = np.array([-ld[1], ld[0]])
    ok = np.all(np.isfinite(p), axis=1)
    pi = p.copy()
    for k in range(2):
        pi[:, k] = np.interp(t, t[ok], p[ok, k])
    trend = np.stack([gaussian_smooth(t, pi[:, k], cfg.detrend_s) for k in range(2)], axis=1)
    d = pi - trend
    d = np.stack([gaussian_smooth(t, d[:, k], cfg.smooth_s) for k in range(2)], axis=1)
    x_across = d @ across
    two_pi = 2.0 * math.pi
    out: list[Circle] = []
    for i0, i1, sign in _runs(phase, math.radians(cfg.reversal_deg)):
        rel = sign * (phase[i0 : i1 + 1] - phase[i0])
        turns = float(rel[-1]) / two_pi
        n_full = math.floor(turns)
        bounds = [i0 + int(np.searchsorted(rel, k * two_pi)) for k in range(n_full + 1)]
        if turns - n_full >= cfg.min_fraction:
            bounds.append(i1)
        direction: Direction = "clockwise" if sign > 0 else "counterclockwise"
        for a, b in itertools.pairwise(bounds):
            b = min(b, len(t) - 1)
            if b <= a:
                continue
            seg = x_across[a : b + 1]
            dur = float(t[b] - t[a])
            diam = float(np.max(seg) - np.min(seg)) / scale_px_per_cm
            diam /= _filter_gain(1.0 / dur if dur > 0 else 0.0, cfg)
            if diam < cfg.min_diameter_cm or dur > cfg.max_circle_s:
                continue
            out.append(Circle(float(t[a]), float(t[b]), direction, diam))
    return out
