"""A scenario's whole scripted motion (pure numpy, no rendering).

:func:`script_motion` turns a :class:`~hipwise.synth.scenario.Scenario` into a
:class:`MotionScript`; :meth:`MotionScript.sample` gives the joint angles at any times as a
:class:`~hipwise.synth.motion.JointTrack`, and :meth:`MotionScript.truth` gives the labels in
the shape of the JSON contract (:class:`hipwise.contract.Analysis`). Leg lifts come from
:mod:`hipwise.synth.motion`, holds and clamshells from :mod:`hipwise.synth.variations`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hipwise.contract import Analysis, RepResult, SetResult, VideoInfo
from hipwise.synth.motion import (
    _PELVIS_SHARE,
    PHASE_HOLD,
    PHASE_LIFT,
    PHASE_LOWER,
    FloatArray,
    JointTrack,
    RepTiming,
    _rep_values,
    rep_abduction,
    rep_faults,
    rep_peak_deg,
    rep_profile,
    scenario_warnings,
)
from hipwise.synth.scenario import Scenario
from hipwise.synth.variations import clamshell_truth, holds_truth, sample_clamshell, sample_holds

__all__ = ["MotionScript", "script_motion"]


@dataclass(frozen=True)
class MotionScript:
    """The scripted motion of one scenario: rep timings plus the per-rep scripts."""

    scenario: Scenario
    timings: tuple[RepTiming, ...]

    @property
    def duration_s(self) -> float:
        """Clip length (s)."""
        return self.scenario.duration_s

    def times(self, fps: float | None = None) -> FloatArray:
        """Frame times ``i / fps`` (s) for every frame of the clip, shape ``(T,)``."""
        rate = self.scenario.fps if fps is None else fps
        n = int(self.duration_s * rate + 1e-9) + 1
        return np.arange(n, dtype=np.float64) / rate

    def sample(self, t: FloatArray) -> JointTrack:
        """Joint angles at times ``t`` (s, shape ``(T,)``); see :class:`JointTrack`."""
        sc = self.scenario
        p = sc.person
        m = sc.motion
        tt = np.asarray(t, dtype=np.float64).reshape(-1)
        if m.holds:
            return sample_holds(sc, tt)
        if m.variation == "clamshell":
            return sample_clamshell(self, tt)
        n = tt.shape[0]
        s = np.zeros(n)
        shake = np.zeros(n)
        rep_index = np.zeros(n, dtype=np.int64)
        phase = np.zeros(n, dtype=np.int64)
        abd = np.full(n, p.rest_abduction_deg)
        mags = {k: np.zeros(n) for k in ("toes", "hike", "roll", "drift", "knee", "tilt")}
        for timing, rep in zip(self.timings, m.reps, strict=True):
            inside = (tt >= timing.start_s) & (tt <= timing.end_s)
            if not np.any(inside):
                continue
            ti = tt[inside]
            a_i, s_i = rep_abduction(rep, timing, rep_profile(rep, sc), p.rest_abduction_deg, ti)
            abd[inside] = a_i
            s[inside] = s_i
            rep_index[inside] = timing.index
            ph = np.full(ti.shape, PHASE_HOLD, dtype=np.int64)
            ph[ti < timing.top_s] = PHASE_LIFT
            ph[ti > timing.release_s] = PHASE_LOWER
            phase[inside] = ph
            if rep.shaking and rep.hold_s > 0:
                u = np.clip((ti - timing.top_s) / rep.hold_s, 0.0, 1.0)
                win = np.sin(np.pi * u) ** 2
                shake[inside] = (
                    m.shaking_deg * win * np.sin(2 * np.pi * m.shaking_hz * (ti - timing.top_s))
                )
            f = set(rep.faults)
            mg = rep.magnitudes
            mags["toes"][inside] = mg.toes_up_deg if "toes_up" in f else 0.0
            mags["hike"][inside] = mg.hip_hike_deg if "hip_hike" in f else 0.0
            mags["tilt"][inside] = mags["hike"][inside] * _PELVIS_SHARE[rep.hike_mode]
            mags["roll"][inside] = mg.pelvis_roll_deg if "pelvis_roll" in f else 0.0
            mags["drift"][inside] = mg.forward_drift_deg if "forward_drift" in f else 0.0
            mags["knee"][inside] = mg.bent_knee_deg if "bent_knee" in f else 0.0
        return JointTrack(
            t=tt,
            abduction_deg=abd + shake,
            hip_flexion_deg=mags["drift"] * s,
            hip_rotation_deg=p.baseline_hip_rotation_deg + mags["toes"] * s,
            knee_flexion_deg=p.baseline_knee_flexion_deg + mags["knee"] * s,
            trunk_side_bend_deg=mags["hike"] * s,
            pelvis_roll_deg=mags["roll"] * s,
            lift_fraction=s,
            rep_index=rep_index,
            phase=phase,
            pelvis_tilt_deg=mags["tilt"] * s,
        )

    def truth(
        self,
        fps: float | None = None,
        n_frames: int | None = None,
        extra_warnings: list[str] | None = None,
    ) -> Analysis:
        """The labels in contract shape: one set on the working leg with every scripted rep.

        ``fps``/``n_frames`` describe the video (default: the scenario's). A standing person
        or a clip without reps gets no set. ``warnings`` lists the bad-input ids of
        :func:`scenario_warnings` plus ``extra_warnings``.
        """
        sc = self.scenario
        rate = sc.fps if fps is None else fps
        frames = len(self.times(rate)) if n_frames is None else n_frames
        reps: list[RepResult] = []
        for timing, rep in zip(self.timings, sc.motion.reps, strict=True):
            faults = rep_faults(rep, sc)
            vals = _rep_values(rep, sc)
            reps.append(
                RepResult(
                    index=timing.index,
                    start_s=round(timing.start_s, 6),
                    peak_s=round(timing.peak_s, 6),
                    end_s=round(timing.end_s, 6),
                    peak_abduction_deg=rep_peak_deg(rep, sc),
                    lift_s=rep.lift_s,
                    hold_s=rep.hold_s,
                    lower_s=rep.lower_s,
                    faults=faults,
                    good=not faults,
                    shaking=rep.shaking,
                    **vals,
                )
            )
        sets: list[SetResult] = []
        var = None if sc.motion.variation == "leg_lift" else sc.motion.variation
        if reps and sc.pose == "side_lying":
            sets.append(SetResult(working_leg=sc.person.working_leg, variation=var, reps=reps))
        if sc.motion.holds and sc.pose == "side_lying":
            sets.append(holds_truth(sc))
        if sc.motion.variation == "clamshell" and sets:
            sets = [clamshell_truth(self)]
        warnings = scenario_warnings(sc) + list(extra_warnings or [])
        return Analysis(
            video=VideoInfo(
                duration_s=frames / rate,
                fps=rate,
                frames=frames,
                width=sc.width,
                height=sc.height,
                rotation_deg=0,
            ),
            sets=sets,
            warnings=warnings,
        )


def script_motion(scenario: Scenario) -> MotionScript:
    """Lay the scenario's reps on the timeline (see the module docstring)."""
    timings: list[RepTiming] = []
    t = scenario.motion.lead_in_s
    for i, rep in enumerate(scenario.motion.reps, start=1):
        top = t + rep.lift_s
        release = top + rep.hold_s
        end = release + rep.lower_s
        timings.append(RepTiming(index=i, start_s=t, top_s=top, release_s=release, end_s=end))
        t = end + rep.rest_s
    return MotionScript(scenario=scenario, timings=tuple(timings))
