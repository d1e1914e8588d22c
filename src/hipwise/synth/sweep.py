"""Seeded sweeps of scenarios for benchmarks: body shapes, cameras, sides, tempos, faults.

:func:`make_sweep` draws ``n`` labelled leg-lift scenarios from one seed (same seed → same
list). Every drawn value keeps a clear margin from the DOMAIN.md thresholds (see
:class:`SweepSettings`), so a scenario's labels are never a coin toss at a threshold.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import Field

from hipwise.settings_base import FrozenSettings
from hipwise.synth.scenario import Scenario

__all__ = ["REP_KINDS", "SweepSettings", "make_sweep"]

REP_KINDS: tuple[str, ...] = (
    "good",
    "toes_up",
    "hip_hike",
    "pelvis_roll",
    "forward_drift",
    "bent_knee",
    "too_high",
    "too_fast",
    "no_hold",
    "dropped",
)
"""What a swept rep shows: ``good`` or one fault."""

CLOTHES_PALETTE: tuple[tuple[int, int, int], ...] = (
    (40, 90, 160),
    (150, 40, 90),
    (35, 35, 40),
    (230, 230, 225),
    (60, 120, 60),
    (200, 120, 40),
    (90, 60, 140),
    (120, 120, 125),
)
_SKIN: tuple[tuple[int, int, int], ...] = (
    (240, 200, 170),
    (224, 172, 138),
    (190, 140, 100),
    (150, 100, 70),
    (100, 65, 45),
)


class SweepSettings(FrozenSettings):
    """Ranges of a sweep (uniform draws; degrees, seconds, metres).

    ``good_fraction``: share of good reps; ``reps_per_clip``: (min, max) reps;
    ``good_peak_deg``/``high_peak_deg``: peak ranges of in-range and too-high reps (the limit
    is 45°); ``good_lift_s``/``fast_lift_s``: lift times (limit 1.0 s); ``good_hold_s``/
    ``short_hold_s`` (limit 1.7 s); ``good_lower_ratio``/``dropped_lower_ratio``: lower time
    over lift time (limit 1.7); ``shaking_fraction``: share of reps that shake at the hold;
    ``blur_fraction``: share of clips with motion blur.
    """

    good_fraction: float = Field(default=0.5, ge=0.0, le=1.0)
    reps_per_clip: tuple[int, int] = (3, 4)
    good_peak_deg: tuple[float, float] = (20.0, 38.0)
    high_peak_deg: tuple[float, float] = (52.0, 62.0)
    good_lift_s: tuple[float, float] = (1.3, 2.0)
    fast_lift_s: tuple[float, float] = (0.45, 0.75)
    good_hold_s: tuple[float, float] = (2.0, 2.8)
    short_hold_s: tuple[float, float] = (0.0, 1.0)
    good_lower_ratio: tuple[float, float] = (2.0, 2.5)
    dropped_lower_ratio: tuple[float, float] = (0.6, 1.2)
    rest_s: tuple[float, float] = (1.0, 2.0)
    shaking_fraction: float = Field(default=0.15, ge=0.0, le=1.0)
    blur_fraction: float = Field(default=0.3, ge=0.0, le=1.0)
    camera_height_m: tuple[float, float] = (0.05, 0.5)
    camera_distance_m: tuple[float, float] = (2.3, 3.3)
    camera_roll_deg: tuple[float, float] = (-6.0, 6.0)
    camera_yaw_deg: tuple[float, float] = (-10.0, 10.0)
    fov_deg: tuple[float, float] = (58.0, 75.0)


def _u(rng: np.random.Generator, r: tuple[float, float]) -> float:
    return round(float(rng.uniform(r[0], r[1])), 3)


def _rep(rng: np.random.Generator, kind: str, st: SweepSettings) -> dict[str, Any]:
    lift = _u(rng, st.good_lift_s)
    rep: dict[str, Any] = {
        "peak_deg": _u(rng, st.good_peak_deg),
        "lift_s": lift,
        "hold_s": _u(rng, st.good_hold_s),
        "lower_s": round(lift * _u(rng, st.good_lower_ratio), 3),
        "rest_s": _u(rng, st.rest_s),
        "shaking": bool(rng.uniform() < st.shaking_fraction),
    }
    if kind == "too_high":
        rep["peak_deg"] = _u(rng, st.high_peak_deg)
    elif kind == "too_fast":
        rep["lift_s"] = _u(rng, st.fast_lift_s)
        rep["lower_s"] = _u(rng, (1.8, 2.6))
    elif kind == "no_hold":
        rep["hold_s"] = _u(rng, st.short_hold_s)
        rep["shaking"] = False
    elif kind == "dropped":
        rep["lower_s"] = round(lift * _u(rng, st.dropped_lower_ratio), 3)
    elif kind != "good":
        rep["faults"] = [kind]
    return rep


def make_sweep(n: int, seed: int, settings: SweepSettings | None = None) -> list[Scenario]:
    """``n`` leg-lift scenarios drawn from ``seed`` (deterministic).

    Sides alternate (left, right, ...); body shape, bottom leg, clothing, room colours,
    camera (height, distance, roll, yaw, field of view) and realism (noise, blur, bitrate)
    are drawn per clip; each rep is good with probability ``good_fraction``, else shows one
    fault of :data:`REP_KINDS` (cycled so every fault appears in a sweep of 10+ clips).
    """
    st = settings or SweepSettings()
    rng = np.random.default_rng(seed)
    faults = list(REP_KINDS[1:])
    fault_i = 0
    out: list[Scenario] = []
    for i in range(n):
        side = "left" if i % 2 == 0 else "right"
        n_reps = int(rng.integers(st.reps_per_clip[0], st.reps_per_clip[1] + 1))
        reps = []
        for _ in range(n_reps):
            if rng.uniform() < st.good_fraction:
                kind = "good"
            else:
                kind = faults[fault_i % len(faults)]
                fault_i += 1
            reps.append(_rep(rng, kind, st))
        colours = rng.permutation(len(CLOTHES_PALETTE))
        data: dict[str, Any] = {
            "name": f"sweep{seed}_{i:03d}_{side}",
            "description": f"make_sweep(n={n}, seed={seed}) item {i}",
            "seed": int(seed * 1000 + i),
            "camera": {
                "height_m": _u(rng, st.camera_height_m),
                "distance_m": _u(rng, st.camera_distance_m),
                "roll_deg": _u(rng, st.camera_roll_deg),
                "yaw_deg": _u(rng, st.camera_yaw_deg),
                "fov_deg": _u(rng, st.fov_deg),
            },
            "person": {
                "lying_on": side,
                "bottom_leg": "bent" if rng.uniform() < 0.35 else "straight",
                "body": {
                    "gender": _u(rng, (0.0, 1.0)),
                    "age": _u(rng, (0.45, 0.9)),
                    "muscle": _u(rng, (0.3, 0.8)),
                    "weight": _u(rng, (0.2, 0.8)),
                    "height": _u(rng, (0.3, 0.8)),
                    "proportions": _u(rng, (0.3, 0.7)),
                },
                "skin_rgb": list(_SKIN[int(rng.integers(len(_SKIN)))]),
                "top_rgb": list(CLOTHES_PALETTE[int(colours[0])]),
                "bottom_rgb": list(CLOTHES_PALETTE[int(colours[1])]),
                "baseline_hip_rotation_deg": _u(rng, (-15.0, -6.0)),
            },
            "scene": {
                "floor_rgb": [int(c) for c in rng.integers(90, 200, 3)],
                "mat_rgb": list(CLOTHES_PALETTE[int(colours[2])]),
                "wall_rgb": [int(c) for c in rng.integers(170, 240, 3)],
                "light_intensity": _u(rng, (0.7, 1.3)),
            },
            "motion": {"lead_in_s": _u(rng, (1.0, 2.0)), "lead_out_s": 1.0, "reps": reps},
            "realism": {
                "noise_sigma": _u(rng, (1.0, 4.0)),
                "motion_blur": bool(rng.uniform() < st.blur_fraction),
                "lighting_drift": _u(rng, (0.0, 0.1)),
                "bitrate_kbps": int(rng.choice([800, 1500, 2500])),
            },
        }
        out.append(Scenario.from_dict(data, source=data["name"]))
    return out
