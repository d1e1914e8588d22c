"""Isometric holds: where the leg stays up, for how long, how much it sags, whether it shakes.

Pure functions over arrays: ``t (T,)`` seconds (strictly increasing, any frame rate) and the
top leg's abduction ``angle (T,)`` in degrees, zeroed on the person's rest (0 = leg down);
NaN = not seen in that frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hipwise.kinematics.filter import gaussian_smooth
from hipwise.pose.sequence import FloatArray
from hipwise.settings import HoldConfig

__all__ = [
    "Hold",
    "HoldTracker",
    "find_holds",
    "measure_hold",
    "oscillation_amplitude",
    "oscillation_spectrum",
    "shaking_amplitude",
    "shaking_peak",
    "up_runs",
]


@dataclass(frozen=True)
class Hold:
    """One continuous hold at the top: times (s), angles (deg).

    ``sag_deg`` = mean angle over the first ``sag_window_s`` minus that over the last (+ = the
    leg sank); ``shaking`` = a small fast oscillation stronger than the shaking threshold
    (fatigue: information, not a fault), ``shaking_amp_deg`` its amplitude."""

    start_s: float
    end_s: float
    mean_abduction_deg: float
    sag_deg: float
    shaking: bool
    shaking_amp_deg: float

    @property
    def hold_s(self) -> float:
        """Duration (s)."""
        return self.end_s - self.start_s


def oscillation_spectrum(
    t: FloatArray, r: FloatArray, band_hz: tuple[float, float], step_hz: float = 0.25
) -> FloatArray:
    """Amplitudes (deg) of the best-fitting sinusoid at each frequency of ``band_hz`` (every
    ``step_hz``) in ``r (N,)`` sampled at ``t (N,)`` s, each read from its fitted curve
    (``sqrt(2) x`` RMS). Empty when too short (under 8 samples or 2 periods of the band's
    lowest frequency)."""
    ok = np.isfinite(r)
    t, r = t[ok], r[ok]
    if len(t) < 8 or t[-1] - t[0] < 2.0 / band_hz[0]:
        return np.zeros(0)
    r = r - r.mean()
    out = []
    for f in np.arange(band_hz[0], band_hz[1] + 1e-9, step_hz):
        basis = np.stack([np.sin(2 * np.pi * f * t), np.cos(2 * np.pi * f * t)], axis=1)
        coef, *_ = np.linalg.lstsq(basis, r, rcond=1e-6)
        fitted = basis @ coef
        out.append(float(np.sqrt(2.0 * np.mean(fitted * fitted))))
    return np.asarray(out, dtype=np.float64)


def oscillation_amplitude(
    t: FloatArray, r: FloatArray, band_hz: tuple[float, float], step_hz: float = 0.25
) -> float:
    """Amplitude (deg) of the best-fitting sinusoid with a frequency in ``band_hz`` in ``r (N,)``
    sampled at ``t (N,)`` s, read from the fitted curve itself (``sqrt(2) x`` its RMS) so that a
    nearly singular fit close to the Nyquist frequency cannot blow it up. 0 if too short."""
    amps = oscillation_spectrum(t, r, band_hz, step_hz)
    return float(amps.max()) if amps.size else 0.0


def shaking_peak(
    t: FloatArray,
    angle: FloatArray,
    band_hz: tuple[float, float],
    residual_sigma_s: float,
    window_s: float | None = None,
) -> tuple[float, float]:
    """Strongest oscillation in ``band_hz`` of what is left of ``angle (N,)`` (deg) after
    removing its Gaussian-smoothed (``residual_sigma_s``, s) course: ``(amplitude_deg,
    peak_ratio)``, where ``peak_ratio`` is that amplitude over the band's median amplitude (a
    shake is a spectral peak; pose jitter is spread over the band, ratio ~2).

    With ``window_s`` (s) the half-overlapping window with the largest amplitude is used. The
    band's top is capped at 95 % of the Nyquist frequency of the median frame interval: the
    pose model runs at most 15 frames/s, so shaking faster than 7.5 Hz is seen aliased to a
    lower frequency (its amplitude survives, its frequency does not), and shaking right at
    7.5 Hz can fall on its zero crossings and vanish. ``(0, 0)`` when too short."""
    t = np.asarray(t, dtype=np.float64)
    angle = np.asarray(angle, dtype=np.float64)
    if len(t) < 8:
        return 0.0, 0.0
    dt = float(np.median(np.diff(t)))
    hi = min(band_hz[1], 0.95 * 0.5 / dt) if dt > 0 else band_hz[1]
    band = (band_hz[0], max(hi, band_hz[0]))
    resid = angle - gaussian_smooth(t, angle, residual_sigma_s)
    if window_s is None or t[-1] - t[0] <= window_s:
        starts = [float(t[0])]
        window_s = float(t[-1] - t[0])
    else:
        starts = list(np.arange(t[0], t[-1] - window_s + 1e-9, 0.5 * window_s))
    best = (0.0, 0.0)
    for w0 in starts:
        sel = (t >= w0) & (t <= w0 + window_s)
        amps = oscillation_spectrum(t[sel], resid[sel], band)
        if amps.size and amps.max() > best[0]:
            med = float(np.median(amps))
            best = (float(amps.max()), float(amps.max() / med) if med > 0 else float("inf"))
    return best


def shaking_amplitude(
    t: FloatArray,
    angle: FloatArray,
    band_hz: tuple[float, float],
    residual_sigma_s: float,
    window_s: float | None = None,
) -> float:
    """Amplitude (deg) of :func:`shaking_peak`."""
    return shaking_peak(t, angle, band_hz, residual_sigma_s, window_s)[0]


def up_runs(t: FloatArray, smooth: FloatArray, up_deg: float) -> list[tuple[int, int]]:
    """Index ranges ``[i0, i1)`` where the smoothed angle ``(T,)`` (deg) stays above
    ``up_deg``."""
    up = np.nan_to_num(smooth, nan=-np.inf) > up_deg
    runs: list[tuple[int, int]] = []
    i = 0
    n = len(t)
    while i < n:
        if up[i]:
            j = i
            while j < n and up[j]:
                j += 1
            runs.append((i, j))
            i = j
        else:
            i += 1
    return runs


def _window_mean(t: FloatArray, x: FloatArray, lo: float, hi: float) -> float:
    sel = (t >= lo) & (t <= hi) & np.isfinite(x)
    return float(np.mean(x[sel])) if np.any(sel) else float("nan")


def measure_hold(
    t: FloatArray,
    angle: FloatArray,
    t0: float,
    t1: float,
    cfg: HoldConfig,
    shaking_band_hz: tuple[float, float] = (4.0, 12.0),
    shaking_amp_deg: float = 0.8,
    residual_sigma_s: float = 0.08,
) -> Hold:
    """Measure the hold from ``t0`` to ``t1`` (s) of ``angle (T,)`` (deg, zeroed) sampled at
    ``t (T,)``: mean angle, sag (window means of the raw angle: a window of 1 s averages
    shaking out) and shaking (:func:`shaking_peak` over windows of ``cfg.shaking_window_s``:
    amplitude above ``shaking_amp_deg`` and a clear peak, ``cfg.shaking_peak_ratio``)."""
    t = np.asarray(t, dtype=np.float64)
    angle = np.asarray(angle, dtype=np.float64)
    sel = (t >= t0) & (t <= t1)
    w = min(cfg.sag_window_s, 0.5 * (t1 - t0))
    first = _window_mean(t, angle, t0, t0 + w)
    last = _window_mean(t, angle, t1 - w, t1)
    amp, ratio = shaking_peak(
        t[sel], angle[sel], shaking_band_hz, residual_sigma_s, cfg.shaking_window_s
    )
    raw = angle[sel]
    return Hold(
        start_s=float(t0),
        end_s=float(t1),
        mean_abduction_deg=float(np.nanmean(raw)) if np.any(np.isfinite(raw)) else 0.0,
        sag_deg=first - last,
        shaking=amp > shaking_amp_deg and ratio >= cfg.shaking_peak_ratio,
        shaking_amp_deg=amp,
    )


def find_holds(
    t: FloatArray,
    angle: FloatArray,
    cfg: HoldConfig,
    shaking_band_hz: tuple[float, float] = (4.0, 12.0),
    shaking_amp_deg: float = 0.8,
    residual_sigma_s: float = 0.08,
) -> list[Hold]:
    """Every hold at the top lasting at least ``cfg.min_hold_s``, in time order.

    A hold is the part of an 'up' stretch (smoothed angle above ``cfg.up_deg``) between the
    moment the lift stops (smoothed speed first under ``cfg.still_deg_per_s``) and the moment
    the lower starts (last time under it). Shaking: the strongest oscillation in
    ``shaking_band_hz`` above ``shaking_amp_deg`` (deg) in some window of
    ``cfg.shaking_window_s`` of the raw angle (the engine passes ``reps.shaking_band_hz`` and
    ``holds.shaking_amp_deg``), in the window where it is largest, standing out of the band
    by ``cfg.shaking_peak_ratio``."""
    t = np.asarray(t, dtype=np.float64)
    angle = np.asarray(angle, dtype=np.float64)
    if len(t) < 3:
        return []
    smooth = gaussian_smooth(t, angle, cfg.smooth_s)
    speed = np.gradient(smooth, t)
    out: list[Hold] = []
    for i0, i1 in up_runs(t, smooth, cfg.up_deg):
        moving = np.abs(np.nan_to_num(speed[i0:i1], nan=np.inf))
        still = np.nonzero(moving < cfg.still_deg_per_s)[0]
        if still.size == 0:
            continue
        t0, t1 = float(t[i0 + int(still[0])]), float(t[i0 + int(still[-1])])
        if t1 - t0 < cfg.min_hold_s:
            continue
        out.append(
            measure_hold(
                t, angle, t0, t1, cfg, shaking_band_hz, shaking_amp_deg, residual_sigma_s
            )
        )
    return out


class HoldTracker:
    """Live holds of one working leg: feed the zeroed abduction frame by frame; a hold is
    measured (with :func:`find_holds`, so live and offline agree) once the leg has been back
    below ``cfg.up_deg`` for ``cfg.settle_s``."""

    def __init__(
        self,
        cfg: HoldConfig,
        shaking_band_hz: tuple[float, float] = (4.0, 12.0),
        shaking_amp_deg: float = 0.8,
        residual_sigma_s: float = 0.08,
        preroll_s: float = 3.0,
    ) -> None:
        self.cfg = cfg
        self._band = shaking_band_hz
        self._amp = shaking_amp_deg
        self._sigma = residual_sigma_s
        self._preroll = preroll_s
        self._buf: list[tuple[float, float]] = []
        self._up_since: float | None = None
        self._down_since: float | None = None
        self.holds: list[Hold] = []

    @property
    def up_s(self) -> float:
        """Seconds the leg has been up so far (0 when down) as of the last sample."""
        if self._up_since is None or not self._buf:
            return 0.0
        return self._buf[-1][0] - self._up_since

    def update(self, t: float, angle_deg: float) -> list[Hold]:
        """Feed one sample (``t`` s, zeroed abduction deg, NaN = unseen); returns the holds
        finished by it."""
        self._buf.append((t, angle_deg))
        up = bool(np.isfinite(angle_deg) and angle_deg > self.cfg.up_deg)
        if self._up_since is None:
            while self._buf and self._buf[0][0] < t - self._preroll:
                self._buf.pop(0)
            if up:
                self._up_since, self._down_since = t, None
            return []
        if up:
            self._down_since = None
            return []
        if self._down_since is None:
            self._down_since = t
        if t - self._down_since < self.cfg.settle_s:
            return []
        return self.finish()

    def finish(self) -> list[Hold]:
        """Measure what is buffered (end of input or the leg back down); returns new holds."""
        if not self._buf:
            return []
        tt = np.array([s[0] for s in self._buf])
        aa = np.array([s[1] for s in self._buf])
        ok = np.isfinite(aa)
        new = find_holds(tt[ok], aa[ok], self.cfg, self._band, self._amp, self._sigma)
        self._buf = self._buf[-1:]
        self._up_since = self._down_since = None
        self.holds.extend(new)
        return new
