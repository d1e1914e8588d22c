"""``hipwise today``: what to do now (variation, sets, reps per side, ankle weight) and why,
plus the programme changes (progression, regression, safe variation) to record first.

Both are pure functions of :class:`hipwise.store.records.PersonData`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Literal

from hipwise.pose.landmarks import Side
from hipwise.program.feedback import SAFE_VARIATION, advice_after_set, cue_for
from hipwise.program.rules import (
    Proposal,
    WeekCount,
    condition_policy,
    good_streak,
    last_pain_at,
    pain_free_sessions_since,
    progression_step,
    regression_step,
    rest_today,
    side_reps,
    side_state,
    streak_flags,
    week_streak,
    weekly_counts,
)
from hipwise.settings import ProgramConfig
from hipwise.store.records import EventRecord, PersonData, SessionRecord

__all__ = [
    "SIDES",
    "Adherence",
    "TodayPlan",
    "adherence",
    "plan_today",
    "programme_updates",
]

SIDES: tuple[Side, Side] = ("left", "right")
PlanKind = Literal["train", "rest", "done", "stop", "ask"]
PAIN_QUESTION = (
    "Before anything else: do you have pain at the side of the hip right now? "
    "(answer with --pain yes or --pain no)"
)


@dataclass(frozen=True)
class Adherence:
    """Sessions this week against the plan, the last weeks, and the week streak."""

    this_week: int
    target: int
    weeks: tuple[WeekCount, ...]
    week_streak: int


@dataclass(frozen=True)
class TodayPlan:
    """What to do today.

    ``kind``: ``train``; ``rest`` (rest day, the plan shows the next session); ``done``
    (trained today already); ``stop`` (pain: no training); ``ask`` (answer ``question``
    first). ``reps_per_set`` counts holds for the isometric variation (each ``hold_s`` long).
    ``load_kg`` is the ankle weight per side (0 = bodyweight). ``primer`` comes before the
    sets (clamshells for desk workers), ``finisher`` after them (isometric hold with circles
    once a side has reached the top ankle weight).
    """

    kind: PlanKind
    variation: str
    sets_per_side: int
    reps_per_set: int
    load_kg: dict[Side, float]
    adherence: Adherence
    hold_s: float | None = None
    question: str | None = None
    primer: str | None = None
    finisher: str | None = None
    cues: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    streaks: dict[Side, int] = field(default_factory=dict)


def _local_day(t: datetime, tz: tzinfo | None) -> date:
    return t.astimezone(tz).date()


def adherence(
    sessions: tuple[SessionRecord, ...], today: date, cfg: ProgramConfig, tz: tzinfo | None = None
) -> Adherence:
    """Adherence from the sessions' local start days."""
    days = [_local_day(s.started_at, tz) for s in sessions]
    weeks = weekly_counts(days, today, cfg.adherence_weeks, cfg.first_weekday)
    return Adherence(weeks[-1].sessions, cfg.sessions_per_week, tuple(weeks),
                     week_streak(weeks, cfg.sessions_per_week))


def _last_safe_event(events: tuple[EventRecord, ...]) -> EventRecord | None:
    safe = [e for e in events if e.kind in ("safe_variation", "resume")]
    return max(safe, key=lambda e: (e.effective_at, e.id)) if safe else None


def programme_updates(data: PersonData, cfg: ProgramConfig) -> list[Proposal]:
    """Programme changes the stored history calls for and that are not recorded yet:

    - ``safe_variation`` (both sides) after a sharp-pain report newer than the last switch;
    - ``resume`` after ``safe_pain_free_sessions`` pain-free sessions on the safe variation;
    - per side, ``regress`` after ``fault_streak_reps`` faulty reps in a row, else ``progress``
      (next ankle weight) after ``progression_good_streak`` perfect reps in a row.

    Each proposal's ``effective_at`` is the time of the rep/report behind it, so recording it
    makes the same proposal not come back.
    """
    out: list[Proposal] = []
    pain = last_pain_at(data.self_reports)
    last_safe = _last_safe_event(data.events)
    if pain is not None and (last_safe is None or pain > last_safe.effective_at):
        out.append(Proposal(
            kind="safe_variation", side=None, effective_at=pain, load_kg=None,
            variation=SAFE_VARIATION,
            reason="sharp pain reported: switch to isometric holds until "
            f"{cfg.safe_pain_free_sessions} sessions are pain-free",
        ))
        return out
    if last_safe is not None and last_safe.kind == "safe_variation":
        free = pain_free_sessions_since(data.sessions, data.self_reports, last_safe.effective_at)
        if free >= cfg.safe_pain_free_sessions:
            latest = max(s.ended_at for s in data.sessions)
            out.append(Proposal(
                kind="resume", side=None, effective_at=latest, load_kg=None,
                variation="leg_lift",
                reason=f"{free} pain-free sessions on isometric holds: back to the leg lift",
            ))
        return out
    for side in SIDES:
        state = side_state(data.events, side)
        reps = side_reps(data.sessions, side, since=state.since)
        step = regression_step(side, reps, state, cfg)
        if step is None:
            flags = streak_flags(reps, data.self_reports, cfg.streak_breaking_feelings)
            step = progression_step(side, reps, flags, state, cfg)
        if step is not None:
            out.append(step)
    return out


def plan_today(
    data: PersonData,
    cfg: ProgramConfig,
    *,
    today: date,
    tz: tzinfo | None = None,
    pain_now: bool | None = None,
    before_run: bool = False,
) -> TodayPlan:
    """What to do today (see :class:`TodayPlan`), from the person's history and profile.

    Args:
        data: the person's stored data (record :func:`programme_updates` first).
        cfg: programme settings.
        today: the local date.
        tz: the local time zone for session days (None: the machine's).
        pain_now: the answer to "pain at the side of the hip right now?" (None: not asked).
        before_run: plan the short pre-run activation instead of a full session.
    """
    person = data.person
    policy = condition_policy(person.conditions)
    adh = adherence(data.sessions, today, cfg, tz)
    states = {side: side_state(data.events, side) for side in SIDES}
    pain_free = pain_free_sessions_since(data.sessions, data.self_reports, None)
    safe = any(s.safe_mode for s in states.values()) or (
        policy.start_safe and pain_free < cfg.safe_pain_free_sessions
    )
    reasons: list[str] = []
    cues: list[str] = []
    warnings = list(policy.warnings)
    streaks: dict[Side, int] = {}

    last = data.sessions[-1] if data.sessions else None
    last_reps = [r for s in last.sets for r in s.reps] if last else []
    faults = Counter(f for r in last_reps for f in r.faults)

    # variation, volume, load
    if safe:
        variation, sets, reps, hold = SAFE_VARIATION, 1, cfg.isometric_holds_per_side, \
            cfg.isometric_hold_s
        loads: dict[Side, float] = {"left": 0.0, "right": 0.0}
        why = ("sharp pain was reported" if any(s.safe_mode for s in states.values())
               else "trochanteric bursitis")
        reasons.append(
            f"Safe variation because {why}: {reps} isometric holds of {hold:g} s per side, "
            "leg lifted a little and still (or a standing side leg raise if lying on the side "
            f"hurts). {pain_free} of {cfg.safe_pain_free_sessions} pain-free sessions so far."
        )
    else:
        variation, hold = "leg_lift", None
        loads = {side: states[side].load_kg for side in SIDES}
        if before_run:
            variation = cfg.activation_variation
            sets, reps = cfg.activation_sets_per_side, cfg.activation_reps_per_set
            reasons.append(
                f"Pre-run activation: {sets} x {reps} per side wakes up the side of the hip "
                "before you run; save the full session for another day."
            )
            loads = {"left": 0.0, "right": 0.0}
        else:
            sets, reps = cfg.sets_per_side, cfg.reps_per_set
            reasons.append(
                f"The programme: {cfg.sessions_per_week} sessions a week, {sets} x {reps} reps "
                "per side; 8 good reps beat 50 swung ones, so stop a set when form goes."
            )
            drift = faults.get("forward_drift", 0)
            if last_reps and drift / len(last_reps) >= cfg.fault_majority:
                variation = "wall_slide"
                reasons.append(
                    f"Wall slide: the leg drifted forward on {drift} of {len(last_reps)} reps "
                    "last session; back and heel against a wall keep it in line."
                )
        for side in SIDES:
            st = states[side]
            rs = side_reps(data.sessions, side, since=st.since)
            flags = streak_flags(rs, data.self_reports, cfg.streak_breaking_feelings)
            streaks[side] = good_streak(flags)
            weight = "bodyweight" if st.load_kg <= 0 else f"{st.load_kg:g} kg ankle weight"
            if st.load_kg >= cfg.ankle_weight_max_kg:
                reasons.append(f"{side.capitalize()}: {weight}, the top of the programme.")
            else:
                reasons.append(
                    f"{side.capitalize()}: {weight}; {streaks[side]} of "
                    f"{cfg.progression_good_streak} perfect reps in a row toward the next "
                    "ankle weight."
                )

    # recent programme changes and self-reports since the last session began
    if last is not None:
        recent = [e for e in data.events if e.effective_at >= last.started_at and e.reason]
        reasons.extend(f"Change: {e.reason}." for e in recent)
        for rep in data.self_reports:
            if rep.recorded_at < last.started_at:
                continue
            set_faults = faults
            total = len(last_reps)
            for s in last.sets:
                if s.id == rep.set_id:
                    set_faults = Counter(f for r in s.reps for f in r.faults)
                    total = len(s.reps)
            advice = advice_after_set(rep.feelings, set_faults, total_reps=total,
                                      accept_neutral_foot=policy.accept_neutral_foot)
            reasons.extend(f"Last time you felt it: {m}" for m in advice.messages)

    # cues: the last session's most frequent faults, else the basics
    if faults:
        cues = [cue_for(f, accept_neutral_foot=policy.accept_neutral_foot)
                for f, _ in faults.most_common(2)]
    elif not safe:
        cues = [
            cue_for("toes_up", accept_neutral_foot=policy.accept_neutral_foot),
            cue_for("hip_hike"),
            "Hold two seconds at the top; lower twice as slowly as you lift.",
        ]

    primer = None
    if "desk_worker" in person.goals and not safe and cfg.primer_reps_per_side:
        primer = (f"Clamshell primer first: {cfg.primer_reps_per_side} per side, knees bent, "
                  "hips stacked (wakes up glutes that sit all day).")
    if "pre_run_activation" in person.goals and not before_run and not safe:
        reasons.append("Running today? 'hipwise today --before-run' gives the short activation.")

    finisher = None
    at_top = [side for side in SIDES if states[side].load_kg >= cfg.ankle_weight_max_kg]
    if at_top and not safe and not before_run:
        finisher = (
            f"Finish the {' and '.join(at_top)} side with an isometric hold with circles: leg "
            f"at full height, {cfg.circles_per_direction} circles clockwise and "
            f"{cfg.circles_per_direction} counter-clockwise, each about the size of a dinner "
            "plate."
        )

    kind: PlanKind = "train"
    question = None
    if (policy.ask_pain_first or safe) and pain_now is None:
        kind, question = "ask", PAIN_QUESTION
    elif pain_now:
        kind = "stop"
        reasons.insert(0, "Pain at the side of the hip now: don't train through it. Rest today; "
                       "if the pain stays, see a clinician.")
    elif not before_run:
        decision = rest_today(
            [_local_day(s.started_at, tz) for s in data.sessions], today, cfg
        )
        reasons.insert(0, decision.reason)
        if decision.rest:
            kind = "done" if decision.done_today else "rest"

    return TodayPlan(
        kind=kind, variation=variation, sets_per_side=sets, reps_per_set=reps, load_kg=loads,
        adherence=adh, hold_s=hold, question=question, primer=primer, finisher=finisher,
        cues=tuple(cues),
        reasons=tuple(reasons), warnings=tuple(warnings), streaks=streaks,
    )
