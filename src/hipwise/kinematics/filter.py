"""Filters for kinematic signals sampled at variable frame rates.

- :class:`LowPass`: causal two-pole low-pass (two cascaded first-order sections, each with
  time constant ``tau = 1 / (2 pi cutoff)``), updated one sample at a time with that sample's own
  time step, so it suits live coaching and variable-frame-rate video alike. Its -3 dB point is
  about 0.64 x cutoff and its group delay at low frequency is ``2 tau`` (80 ms at 4 Hz).
- :func:`gaussian_smooth`: zero-phase Gaussian smoothing over irregular timestamps, used on a
  finished rep's buffer to locate phase boundaries. NaN samples are ignored.
"""

from __future__ import annotations

import math

import numpy as np

from hipwise.pose.sequence import FloatArray

__all__ = ["LowPass", "gaussian_smooth", "gradient"]


class LowPass:
    """Causal two-pole low-pass for one or more channels (vector of shape ``(C,)``)."""

    def __init__(self, cutoff_hz: float) -> None:
        if cutoff_hz <= 0:
            raise ValueError("cutoff_hz must be positive")
        self.tau = 1.0 / (2.0 * math.pi * cutoff_hz)
        self._s1: FloatArray | None = None
        self._s2: FloatArray | None = None
        self._t: float | None = None

    def reset(self) -> None:
        """Forget the state (next sample starts a new signal)."""
        self._s1 = self._s2 = None
        self._t = None

    def update(self, t: float, x: FloatArray) -> FloatArray:
        """Feed sample ``x`` (``(C,)``) at time ``t`` (s); returns the filtered ``(C,)``.

        NaN channels keep their previous output (a missing landmark holds the last value)."""
        x = np.asarray(x, dtype=np.float64)
        if self._s1 is None or self._s2 is None or self._t is None:
            self._s1 = x.copy()
            self._s2 = x.copy()
            self._t = t
            return self._s2.copy()
        dt = max(t - self._t, 0.0)
        self._t = t
        alpha = 1.0 - math.exp(-dt / self.tau) if dt > 0 else 0.0
        ok = np.isfinite(x)
        fresh = ok & ~np.isfinite(self._s1)
        self._s1[fresh] = x[fresh]
        self._s2[fresh] = x[fresh]
        self._s1[ok] += alpha * (x[ok] - self._s1[ok])
        self._s2[ok] += alpha * (self._s1[ok] - self._s2[ok])
        return self._s2.copy()


def gaussian_smooth(t: FloatArray, x: FloatArray, sigma_s: float) -> FloatArray:
    """Zero-phase Gaussian smoothing of ``x (T,)`` sampled at ``t (T,)`` seconds.

    Each output is the visibility-free weighted mean of finite samples within 3 sigma; NaN
    where no finite sample is that close."""
    t = np.asarray(t, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    out = np.full_like(x, np.nan)
    ok = np.isfinite(x)
    if not np.any(ok):
        return out
    tk, xk = t[ok], x[ok]
    half = 3.0 * sigma_s
    lo = np.searchsorted(tk, t - half, side="left")
    hi = np.searchsorted(tk, t + half, side="right")
    for i in range(len(t)):
        if hi[i] <= lo[i]:
            continue
        d = (tk[lo[i] : hi[i]] - t[i]) / sigma_s
        w = np.exp(-0.5 * d * d)
        out[i] = float(np.dot(w, xk[lo[i] : hi[i]]) / np.sum(w))
    return out


def gradient(t: FloatArray, x: FloatArray) -> FloatArray:
    """Time derivative of ``x`` (units per second) over irregular ``t``; NaN-propagating."""
    if len(t) < 2:
        return np.zeros_like(x)
    return np.gradient(x, t)
