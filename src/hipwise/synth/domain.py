"""A randomised domain of labelled leg-lift scenarios, deterministic by seed.

:func:`make_domain` draws ``n`` scenarios much wider than :func:`~hipwise.synth.sweep.make_sweep`:
both sides and mirrored videos; body shapes over the full phenotype ranges (teen to old);
skin and clothing colours; camera from the floor up to a chair seat, pitched, rolled, near
and far, wide and narrow; light, noise, blur and compression; the body turned toward or away
from the camera; first lifts 0.3-3 s into the clip and rests of 0.2-3 s; every move profile
(min-jerk, cosine, asymmetric, overshoot, drifting hold); good reps, single faults, pairs of
faults, and fast swings (peaks up to 65°, 0.4-0.7 s lifts, no hold, fast lower), some clips
made only of swings with short rests.

Clip ``i`` of ``make_domain(n, seed)`` is drawn from its own generator seeded with
``(seed, i)``: it does not depend on ``n`` (the first 10 clips of ``make_domain(40, s)`` are
``make_domain(10, s)``), and different seeds give independent clips. Every drawn value keeps
a clear margin from the DOMAIN.md thresholds (see :class:`DomainSettings`), so labels are
never a coin toss at a threshold.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import Field

from hipwise.contract import FAULT_IDS
from hipwise.settings_base import FrozenSettings
from hipwise.synth.scenario import MOVE_PROFILES, Scenario
from hipwise.synth.sweep import CLOTHES_PALETTE

__all__ = ["DOMAIN_FAULTS", "HIKE_MODES", "DomainSettings", "make_domain"]

DOMAIN_FAULTS: tuple[str, ...] = FAULT_IDS
"""Faults a domain rep can show alone or in pairs."""

HIKE_MODES: tuple[str, ...] = ("trunk", "pelvis", "both")
"""How a hip hike is performed (``motion.reps[].hike_mode``, see docs/synth.md)."""

_POSTURE = frozenset({"toes_up", "hip_hike", "pelvis_roll", "forward_drift", "bent_knee"})

_PALETTE: tuple[tuple[int, int, int], ...] = (
    *CLOTHES_PALETTE,
    (180, 40, 40),
    (20, 60, 70),
    (210, 190, 150),
    (70, 50, 40),
)
_SKIN: tuple[tuple[int, int, int], ...] = (
    (245, 210, 185),
    (240, 200, 170),
    (224, 172, 138),
    (190, 140, 100),
    (150, 100, 70),
    (100, 65, 45),
    (70, 45, 30),
)

Range = tuple[float, float]


class DomainSettings(FrozenSettings):
    """Ranges of the randomised domain (uniform draws; degrees, seconds, metres, shares 0-1).

    Rep kinds: ``good_share`` good reps, ``pair_share`` reps with two faults,
    ``swing_share`` fast swings, the rest single faults drawn from :data:`DOMAIN_FAULTS`
    (a timing fault weighs ``timing_fault_weight`` against 1 for a posture fault: swings
    add timing faults of their own).
    ``swing_clip_share``: clips made only of fast swings with ``swing_rest_s`` rests.

    Margins to the DOMAIN.md limits: peaks ``good_peak_deg`` (+ at most ``overshoot_deg`` or
    ``hold_drift_deg``: the labelled peak stays 5° under 45°) or ``high_peak_deg``; lifts
    ``good_lift_s`` or ``fast_lift_s`` (limit 1.0 s); holds ``good_hold_s`` or
    ``short_hold_s`` (limit 1.7 s); lower/lift ``good_lower_ratio`` or
    ``dropped_lower_ratio`` (limit 1.7); posture fault sizes well beyond their thresholds.
    ``max_clip_s``: reps are dropped (down to 2) until the clip fits.

    The camera moves back (past ``camera_distance_m`` if need be, up to 6 m) until the view
    at the body line spans ``min_half_view_m`` either side of the centre and
    ``min_view_above_m`` above the aiming point after the downward pitch
    (``min_view_above_high_m`` when a rep peaks above 45°), so no keypoint leaves the picture.
    """

    good_share: float = Field(default=0.35, ge=0.0, le=1.0)
    pair_share: float = Field(default=0.2, ge=0.0, le=1.0)
    swing_share: float = Field(default=0.08, ge=0.0, le=1.0)
    swing_clip_share: float = Field(default=0.07, ge=0.0, le=1.0)
    timing_fault_weight: float = Field(default=0.5, ge=0.0, le=10.0)
    reps_per_clip: tuple[int, int] = (2, 4)
    max_clip_s: float = Field(default=25.0, ge=5.0, le=120.0)
    lead_in_s: Range = (0.3, 3.0)
    lead_out_s: Range = (0.5, 1.5)
    rest_s: Range = (0.2, 3.0)
    swing_rest_s: Range = (0.2, 0.8)
    good_peak_deg: Range = (18.0, 33.0)
    high_peak_deg: Range = (52.0, 62.0)
    swing_peak_deg: Range = (52.0, 65.0)
    good_lift_s: Range = (1.3, 1.9)
    fast_lift_s: Range = (0.4, 0.7)
    good_hold_s: Range = (2.0, 2.7)
    short_hold_s: Range = (0.0, 1.1)
    good_lower_ratio: Range = (2.0, 2.4)
    dropped_lower_ratio: Range = (0.6, 1.3)
    overshoot_deg: Range = (2.0, 5.0)
    settle_s: Range = (0.3, 0.5)
    hold_drift_deg: Range = (-4.0, 3.0)
    drift_share: float = Field(default=0.3, ge=0.0, le=1.0)
    shaking_share: float = Field(default=0.1, ge=0.0, le=1.0)
    toes_up_result_deg: Range = (8.0, 20.0)
    hip_hike_deg: Range = (13.0, 18.0)
    pelvis_roll_deg: Range = (16.0, 24.0)
    forward_drift_deg: Range = (22.0, 32.0)
    bent_knee_deg: Range = (30.0, 45.0)
    camera_height_m: Range = (0.05, 0.5)
    camera_pitch_deg: Range = (-3.0, 3.0)
    camera_roll_deg: Range = (-8.0, 8.0)
    camera_yaw_deg: Range = (-4.0, 4.0)
    camera_distance_m: Range = (2.0, 3.5)
    camera_lateral_m: Range = (-0.1, 0.1)
    fov_deg: Range = (55.0, 78.0)
    min_half_view_m: float = Field(default=1.7, ge=0.5, le=3.0)
    min_view_above_m: float = Field(default=1.2, ge=0.5, le=3.0)
    min_view_above_high_m: float = Field(default=1.55, ge=0.5, le=3.0)
    body_yaw_deg: Range = (-30.0, 30.0)
    age: Range = (0.2, 0.95)
    light_intensity: Range = (0.5, 1.5)
    noise_sigma: Range = (0.5, 5.0)
    bitrate_kbps: tuple[int, int] = (400, 2500)
    blur_share: float = Field(default=0.15, ge=0.0, le=1.0)
    mirrored_share: float = Field(default=0.25, ge=0.0, le=1.0)
    bent_bottom_share: float = Field(default=0.35, ge=0.0, le=1.0)
    fps30_share: float = Field(default=0.1, ge=0.0, le=1.0)
    hd_share: float = Field(default=0.1, ge=0.0, le=1.0)


def _u(rng: np.random.Generator, r: Range) -> float:
    return round(float(rng.uniform(r[0], r[1])), 3)


def _base_rep(rng: np.random.Generator, st: DomainSettings) -> dict[str, Any]:
    lift = _u(rng, st.good_lift_s)
    return {
        "peak_deg": _u(rng, st.good_peak_deg),
        "lift_s": lift,
        "hold_s": _u(rng, st.good_hold_s),
        "lower_s": round(lift * _u(rng, st.good_lower_ratio), 3),
    }


def _apply_fault(
    rep: dict[str, Any], fault: str, rng: np.random.Generator, st: DomainSettings,
    hip_rotation_deg: float,
) -> None:
    """Change ``rep`` so it shows ``fault`` with a clear margin (posture faults append to
    ``faults`` and set their magnitude; timing faults change times or the peak). Apply
    faults in :data:`DOMAIN_FAULTS` order (``dropped`` after ``too_fast``)."""
    if fault == "too_high":
        rep["peak_deg"] = _u(rng, st.high_peak_deg)
    elif fault == "too_fast":
        rep["lift_s"] = _u(rng, st.fast_lift_s)
        rep["lower_s"] = round(rep["lift_s"] * _u(rng, (2.6, 3.5)), 3)
    elif fault == "no_hold":
        rep["hold_s"] = _u(rng, st.short_hold_s)
    elif fault == "dropped":
        rep["lower_s"] = round(rep["lift_s"] * _u(rng, st.dropped_lower_ratio), 3)
    else:
        mags = rep.setdefault("magnitudes", {})
        rep.setdefault("faults", []).append(fault)
        if fault == "toes_up":
            mags["toes_up_deg"] = round(_u(rng, st.toes_up_result_deg) - hip_rotation_deg, 3)
        else:
            mags[f"{fault}_deg"] = _u(rng, getattr(st, f"{fault}_deg"))


def _swing(rng: np.random.Generator, st: DomainSettings) -> dict[str, Any]:
    """A fast swing: high or ordinary peak, short lift, no hold, fast lower."""
    lift = _u(rng, st.fast_lift_s)
    high = rng.uniform() < 0.6
    return {
        "peak_deg": _u(rng, st.swing_peak_deg if high else st.good_peak_deg),
        "lift_s": lift,
        "hold_s": _u(rng, (0.0, 0.3)),
        "lower_s": round(lift * _u(rng, st.dropped_lower_ratio), 3),
        "profile": str(rng.choice(["min_jerk", "cosine", "asymmetric"])),
    }


def _rep_duration(rep: dict[str, Any]) -> float:
    return float(rep["lift_s"] + rep["hold_s"] + rep["lower_s"] + rep["rest_s"])


def _draw_reps(
    rng: np.random.Generator, st: DomainSettings, hip_rotation_deg: float,
) -> tuple[list[dict[str, Any]], list[str]]:
    """The reps of one clip plus a short description of each (``good``, ``toes_up``,
    ``too_fast+dropped``, ``swing``...)."""
    n_reps = int(rng.integers(st.reps_per_clip[0], st.reps_per_clip[1] + 1))
    swing_clip = rng.uniform() < st.swing_clip_share
    if swing_clip:
        n_reps = int(rng.integers(3, 7))
    reps: list[dict[str, Any]] = []
    kinds: list[str] = []
    for _ in range(n_reps):
        x = rng.uniform()
        rest = _u(rng, st.swing_rest_s if swing_clip else st.rest_s)
        hike_mode = str(rng.choice(HIKE_MODES))
        profile = str(rng.choice(MOVE_PROFILES))
        drift = _u(rng, st.hold_drift_deg) if rng.uniform() < st.drift_share else 0.0
        overshoot = _u(rng, st.overshoot_deg)
        settle = _u(rng, st.settle_s)
        shaking = bool(rng.uniform() < st.shaking_share)
        if swing_clip or x < st.swing_share:
            rep = _swing(rng, st)
            kinds.append("swing")
        else:
            rep = _base_rep(rng, st)
            faults: list[str] = []
            if x < st.swing_share + st.good_share:
                kinds.append("good")
            else:
                k = 2 if x > 1.0 - st.pair_share else 1
                w = np.array([1.0 if f in _POSTURE else st.timing_fault_weight
                              for f in DOMAIN_FAULTS])
                pick = rng.choice(len(DOMAIN_FAULTS), size=k, replace=False, p=w / w.sum())
                faults = [DOMAIN_FAULTS[int(j)] for j in pick]
                faults.sort(key=DOMAIN_FAULTS.index)
                for f in faults:
                    _apply_fault(rep, f, rng, st, hip_rotation_deg)
                kinds.append("+".join(faults))
            rep["profile"] = profile
            if profile == "overshoot":
                rep["overshoot_deg"] = overshoot
                rep["settle_s"] = settle
            if rep["hold_s"] >= 1.0:
                rep["hold_drift_deg"] = drift
                rep["shaking"] = shaking
            if "hip_hike" in rep.get("faults", ()):
                rep["hike_mode"] = hike_mode
        rep["rest_s"] = rest
        reps.append(rep)
    return reps, kinds


def _view_distance(
    distance: float, fov_deg: float, aspect: float, pitch_deg: float, half_view: float,
    above: float,
) -> float:
    """The camera distance (m), moved back from ``distance`` until the view at the body line
    spans ``half_view`` m either side and ``above`` m over the aiming point once pitched by
    ``pitch_deg`` (− = down); ``aspect`` = height / width of the frame. At most 6 m."""
    t_h = float(np.tan(np.radians(fov_deg) / 2))
    t_v = t_h * aspect  # tan of the half vertical field of view
    down = float(np.tan(np.radians(max(0.0, -pitch_deg))))
    need = max(half_view / t_h, above / max(t_v - down, 1e-3))
    return round(min(6.0, max(distance, need)), 3)


def make_domain(n: int, seed: int, settings: DomainSettings | None = None) -> list[Scenario]:
    """``n`` labelled leg-lift scenarios of the randomised domain drawn from ``seed``.

    Clip ``i`` depends only on ``(seed, i)`` (see the module docstring). Names are
    ``dom<seed>_<i>``; ``seed`` of scenario ``i`` (sensor noise) is ``seed * 100000 + i``.
    """
    if n < 0 or seed < 0:
        raise ValueError(f"n and seed must be >= 0, got n={n}, seed={seed}")
    st = settings or DomainSettings()
    out: list[Scenario] = []
    for i in range(n):
        rng = np.random.default_rng((seed, i))
        side = "left" if rng.uniform() < 0.5 else "right"
        natural = "right" if side == "left" else "left"
        mirrored = rng.uniform() < st.mirrored_share
        head_at = ("left" if natural == "right" else "right") if mirrored else natural
        hip_rotation = _u(rng, (-15.0, -6.0))
        reps, kinds = _draw_reps(rng, st, hip_rotation)
        lead_in = _u(rng, st.lead_in_s)
        lead_out = _u(rng, st.lead_out_s)
        while len(reps) > 2 and (
            lead_in + lead_out + sum(_rep_duration(r) for r in reps) - reps[-1]["rest_s"]
            > st.max_clip_s
        ):
            reps.pop()
            kinds.pop()
        colours = rng.permutation(len(_PALETTE))
        fov = _u(rng, st.fov_deg)
        hd = rng.uniform() < st.hd_share
        fps = 30.0 if rng.uniform() < st.fps30_share else 15.0
        yaw = _u(rng, st.body_yaw_deg)  # + = head end toward the camera
        pitch = _u(rng, st.camera_pitch_deg)
        high = any(
            r["peak_deg"] + r.get("overshoot_deg", 0.0) > 45.0 for r in reps
        )
        person: dict[str, Any] = {
            "lying_on": side,
            "head_at": head_at,
            "bottom_leg": "bent" if rng.uniform() < st.bent_bottom_share else "straight",
            "position_m": _u(rng, (-0.05, 0.05)),
            "body": {
                "gender": _u(rng, (0.0, 1.0)),
                "age": _u(rng, st.age),
                "muscle": _u(rng, (0.0, 1.0)),
                "weight": _u(rng, (0.0, 1.0)),
                "height": _u(rng, (0.0, 1.0)),
                "proportions": _u(rng, (0.0, 1.0)),
            },
            "skin_rgb": list(_SKIN[int(rng.integers(len(_SKIN)))]),
            "top_rgb": list(_PALETTE[int(colours[0])]),
            "bottom_rgb": list(_PALETTE[int(colours[1])]),
            "baseline_hip_rotation_deg": hip_rotation,
            "baseline_knee_flexion_deg": _u(rng, (0.0, 6.0)),
            "rest_abduction_deg": _u(rng, (-3.0, 3.0)),
        }
        person["yaw_deg"] = yaw
        data: dict[str, Any] = {
            "name": f"dom{seed}_{i:04d}",
            "description": f"make_domain(seed={seed}) item {i}: " + ", ".join(kinds),
            "seed": int(seed * 100000 + i),
            "fps": fps,
            "width": 1280 if hd else 640,
            "height": 720 if hd else 480,
            "camera": {
                "height_m": _u(rng, st.camera_height_m),
                "distance_m": _view_distance(
                    _u(rng, st.camera_distance_m), fov, (720 / 1280) if hd else 0.75, pitch,
                    st.min_half_view_m, st.min_view_above_high_m if high else st.min_view_above_m,
                ),
                "lateral_offset_m": _u(rng, st.camera_lateral_m),
                "pitch_deg": pitch,
                "roll_deg": _u(rng, st.camera_roll_deg),
                "yaw_deg": _u(rng, st.camera_yaw_deg),
                "fov_deg": fov,
            },
            "person": person,
            "scene": {
                "floor_rgb": [int(c) for c in rng.integers(70, 210, 3)],
                "mat_rgb": list(_PALETTE[int(colours[2])]),
                "wall_rgb": [int(c) for c in rng.integers(150, 245, 3)],
                "mat": bool(rng.uniform() < 0.85),
                "light_intensity": _u(rng, st.light_intensity),
            },
            "motion": {"lead_in_s": lead_in, "lead_out_s": lead_out, "reps": reps},
            "realism": {
                "noise_sigma": _u(rng, st.noise_sigma),
                "motion_blur": bool(rng.uniform() < st.blur_share),
                "lighting_drift": _u(rng, (0.0, 0.12)),
                "bitrate_kbps": int(rng.integers(st.bitrate_kbps[0], st.bitrate_kbps[1] + 1)),
            },
        }
        out.append(Scenario.from_dict(data, source=data["name"]))
    return out
