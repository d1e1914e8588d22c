"""The cue chooser: priority, cooldown, persistence, in-flight and per-rep cues, streaks."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hipwise.coach import Alert, Coach, CoachConfig, CoachFrame, Cue, live_faults
from hipwise.faults import evaluate_faults
from hipwise.reps.measure import CHANNELS
from hipwise.reps.session import SessionTracker
from hipwise.reps.tracker import Phase, PhaseChanged
from hipwise.settings import AnalysisConfig, ConditionsConfig, FaultConfig
from tests.conftest import MakeSeq

_REST_VALUES = {"abduction": 10.0, "foot": -6.0, "waist": 100.0, "hip_gap": 40.0, "roll": 0.0,
                "drift": 0.0, "knee": 178.0, "trunk_px": 120.0}
# channels by name (the channel list may grow): unknown ones are 1.0 (ratios at rest)
REST = np.array([_REST_VALUES.get(name, 1.0) for name in CHANNELS])


def bent(deg: float) -> float:
    """The top-side waist (px) after a side-bend of ``deg`` from the rest above."""
    return _REST_VALUES["waist"] - _REST_VALUES["hip_gap"] * float(np.radians(deg))


def hiked(deg: float) -> dict[str, float]:
    """Channels of a waist crunch of ``deg``: the hip line tilted toward the head by ``deg``
    against the trunk and the top-side waist shortened (a trunk bend shortens it fully)."""
    return {"waist": bent(deg), "hip_tilt": REST[CHANNELS.index("hip_tilt")] + deg}


def ch(**kw: float) -> NDArray[np.float64]:
    out = REST.copy()
    for k, v in kw.items():
        out[CHANNELS.index(k)] = v
    return out


def feed(coach: Coach, t0: float, t1: float, phase: Phase, channels: NDArray[np.float64],
         angle: float = 0.0, fps: float = 30.0, events: list[Any] | None = None) -> list[Cue]:
    cues: list[Cue] = []
    first = True
    for t in np.arange(t0, t1, 1.0 / fps):
        ev = events if (first and events) else []
        first = False
        c = coach.update(CoachFrame(float(t), phase, angle, channels, ev))
        if c is not None:
            cues.append(c)
    return cues


def lift_up(coach: Coach, t: float) -> None:
    coach.update(CoachFrame(t, "lift", 5.0, REST, [PhaseChanged(t, "lift")]))


def test_live_coach_says_nothing_of_posture_on_a_body_too_small_to_show_it() -> None:
    f, k = FaultConfig(), ConditionsConfig()
    tiny = f.posture_min_trunk_px - 5.0
    assert live_faults(ch(foot=15.0), REST, 25.0, f, k) == ["toes_up"]
    assert live_faults(ch(foot=15.0, trunk_px=tiny), REST, 25.0, f, k) == []
    assert live_faults(ch(foot=0.0, trunk_px=tiny), REST, 25.0, f, k) == []  # no toes_down
    assert live_faults(ch(**hiked(12.0), trunk_px=tiny), REST, 25.0, f, k) == []
    # the angle is still judged: too high is not a posture fault
    assert live_faults(ch(trunk_px=tiny), REST, 52.0, f, k) == ["too_high"]


def test_live_faults_match_the_rule_thresholds() -> None:
    f, k = FaultConfig(), ConditionsConfig()
    assert live_faults(ch(foot=-6.0), REST, 25.0, f, k) == []
    assert live_faults(ch(foot=15.0), REST, 25.0, f, k) == ["toes_up"]
    assert live_faults(ch(foot=0.0), REST, 25.0, f, k) == ["toes_down"]
    assert live_faults(ch(foot=0.0), REST, 25.0, f, ConditionsConfig(labral_tear=True)) == []
    assert live_faults(ch(**hiked(9.0)), REST, 25.0, f, k) == ["hip_hike"]
    assert live_faults(ch(**hiked(7.0)), REST, 25.0, f, k) == []
    # a roll turns the hip line and both feet the same way; the hip line alone is not a roll
    rolled = ch(roll=-12.0, foot=-20.0, foot_bottom=1.0 - 13.0)
    assert live_faults(rolled, REST, 25.0, f, k) == ["pelvis_roll"]
    assert live_faults(ch(roll=-12.0), REST, 25.0, f, k) == []
    assert live_faults(ch(foot_pitch=1.0 - 14.0), REST, 25.0, f, k) == ["forward_drift"]
    # a knee angle closing a little in the image is not a bent knee (toes-up and drift reps
    # close it too): only an image angle under the threshold is
    assert live_faults(ch(knee=172.0), REST, 25.0, f, k) == []
    assert live_faults(REST, REST, 46.0, f, k) == ["too_high"]
    assert live_faults(ch(knee=150.0), REST, 25.0, f, k) == ["bent_knee"]


def test_in_flight_fault_is_cued_after_it_persists_and_not_again_after_the_rep() -> None:
    coach = Coach(CoachConfig(persist_s=0.4))
    assert feed(coach, 0.0, 2.0, "rest", REST) == []
    lift_up(coach, 2.0)
    cues = feed(coach, 2.03, 2.40, "lift", ch(foot=15.0), angle=20.0)
    assert cues == []  # visible for < 0.4 s: not yet
    cues = feed(coach, 2.40, 3.0, "lift", ch(foot=15.0), angle=25.0)
    assert [c.id for c in cues] == ["toes_up"]
    assert cues[0].kind == "live" and "toes" in cues[0].text.lower()
    assert cues[0].t >= 2.4


def test_a_single_noisy_frame_is_never_cued() -> None:
    coach = Coach()
    feed(coach, 0.0, 2.0, "rest", REST)
    lift_up(coach, 2.0)
    cues: list[Cue] = []
    for i, t in enumerate(np.arange(2.03, 5.0, 1 / 30)):
        chans = ch(**hiked(18.0)) if i % 5 == 0 else REST
        c = coach.update(CoachFrame(float(t), "hold", 25.0, chans))
        if c is not None:
            cues.append(c)
    assert cues == []


def test_priority_then_cooldown_then_no_repeat() -> None:
    cfg = CoachConfig(cooldown_s=4.0, repeat_s=15.0, persist_s=0.0)
    coach = Coach(cfg)
    feed(coach, 0.0, 2.0, "rest", REST)
    lift_up(coach, 2.0)
    # hip hike (priority 1) and toes up (priority 3) at once: hip hike first
    cues = feed(coach, 2.03, 10.0, "hold", ch(**hiked(13.0), foot=15.0), angle=25.0)
    assert [c.id for c in cues] == ["hip_hike", "toes_up"]
    assert cues[1].t - cues[0].t >= cfg.cooldown_s - 1e-9
    # both still visible, but neither is said again within repeat_s
    more = feed(coach, 10.0, 2.03 + cfg.repeat_s - 0.1, "hold", ch(**hiked(13.0), foot=15.0),
                angle=25.0)
    assert more == []


def test_alerts_outrank_everything_and_respect_repeat() -> None:
    coach = Coach(CoachConfig(cooldown_s=2.0, repeat_s=10.0, persist_s=0.0))
    feed(coach, 0.0, 2.0, "rest", REST)
    lift_up(coach, 2.0)
    alert = Alert("person_left", "I can't see you.")
    said = []
    for t in np.arange(2.03, 14.0, 1 / 30):
        c = coach.update(CoachFrame(float(t), "hold", 25.0, ch(**hiked(13.0)), (), [alert]))
        if c is not None:
            said.append((round(c.t, 1), c.id))
    assert said[0][1] == "person_left"
    assert said[1][1] == "hip_hike"
    assert [s for s in said if s[1] == "person_left"][1][0] >= said[0][0] + 10.0 - 0.05


def _run_session(seq, coach: Coach) -> list[Cue]:  # type: ignore[no-untyped-def]
    session = SessionTracker(AnalysisConfig(), record_frames=True, rules=evaluate_faults)
    cues: list[Cue] = []
    for f in seq.frames():
        events = session.update(f)
        st = session.frames[-1]
        c = coach.update(CoachFrame(f.t, st.phase, st.abduction_deg, st.channels, events))
        if c is not None:
            cues.append(c)
    session.finish(float(seq.t[-1]) + 2.0)
    return cues


def test_fault_streak_says_stop_and_reset(make_seq: MakeSeq) -> None:
    reps = [{"peak_deg": 30, "rest_s": 1.0, "lift_s": 0.6}] * 4
    seq, truth = make_seq(reps, motion={"lead_out_s": 2.0})
    assert all("too_fast" in r.faults for r in truth.sets[0].reps)
    cues = _run_session(seq, Coach(CoachConfig(streak_reps=3)))
    ids = [c.id for c in cues]
    assert "streak" in ids
    assert "stop" in cues[ids.index("streak")].text.lower()


def test_session_cues_follow_the_reps(make_seq: MakeSeq) -> None:
    seq, truth = make_seq(
        [
            {"peak_deg": 30, "rest_s": 1.5},
            {"peak_deg": 30, "faults": ["hip_hike"], "rest_s": 1.5},
            {"peak_deg": 28},
        ],
        motion={"lead_in_s": 2.0, "lead_out_s": 2.0},
    )
    assert [r.faults for r in truth.sets[0].reps] == [[], ["hip_hike"], []]
    cfg = CoachConfig()
    cues = _run_session(seq, Coach(cfg))
    ids = [c.id for c in cues]
    assert "hip_hike" in ids
    hike = cues[ids.index("hip_hike")]
    assert hike.kind in ("live", "rep")
    assert ids.count("hip_hike") == 1  # in flight or after the rep, never both
    assert "good_rep" in ids
    times = [c.t for c in cues]
    assert all(b - a >= cfg.cooldown_s - 1e-9 for a, b in itertools.pairwise(times))


def test_a_short_hold_is_cued_when_the_leg_starts_down() -> None:
    coach = Coach(CoachConfig(persist_s=10.0))  # no in-flight fault cues here
    feed(coach, 0.0, 2.0, "rest", REST)
    lift_up(coach, 2.0)
    feed(coach, 2.03, 3.0, "lift", REST, angle=20.0)
    feed(coach, 3.0, 3.5, "hold", REST, angle=28.0, events=[PhaseChanged(3.0, "hold")])
    cues = feed(coach, 3.5, 4.0, "lower", REST, angle=20.0, events=[PhaseChanged(3.5, "lower")])
    assert [(c.id, c.kind) for c in cues] == [("no_hold", "tempo")]
    assert "two seconds" in cues[0].text.lower()
    # a 2.5 s hold is fine
    coach = Coach(CoachConfig(persist_s=10.0))
    feed(coach, 0.0, 2.0, "rest", REST)
    lift_up(coach, 2.0)
    feed(coach, 3.0, 5.5, "hold", REST, angle=28.0, events=[PhaseChanged(3.0, "hold")])
    assert feed(coach, 5.5, 6.0, "lower", REST, events=[PhaseChanged(5.5, "lower")]) == []


def test_news_held_back_by_the_cooldown_expires() -> None:
    cfg = CoachConfig(cooldown_s=4.0, pending_s=2.0, persist_s=0.0)
    coach = Coach(cfg)
    alert = Alert("too_dark", "Too dark.")
    assert coach.update(CoachFrame(0.0, "rest", None, REST, (), [alert])) is not None
    # a short hold is noticed at 0.5 s, during the cooldown, and is stale by 4 s
    coach.update(CoachFrame(0.2, "hold", 25.0, REST, [PhaseChanged(0.2, "hold")]))
    coach.update(CoachFrame(0.5, "lower", 20.0, REST, [PhaseChanged(0.5, "lower")]))
    said = feed(coach, 0.6, 8.0, "rest", REST)
    assert said == []
