"""The programme rules of ``DOMAIN.md`` as pure functions over plain data.

"Sets, sessions, programme": :func:`good_streak`, :func:`fault_streak`,
:func:`progression_step`, :func:`regression_step`, :func:`next_load_up`, :func:`next_load_down`.
Adherence: :func:`week_start`, :func:`weekly_counts`, :func:`week_streak`,
:func:`rest_today`. Programme state per side: :func:`side_state`. Conditions:
:func:`condition_policy`. Loads are kilograms of ankle weight (0 = bodyweight).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from hipwise.faults.conditions import BURSITIS_WARNING, LABRAL_TEAR_WARNING
from hipwise.pose.landmarks import Side
from hipwise.settings import ProgramConfig
from hipwise.store.records import EventRecord, RepRecord, SelfReportRecord, SessionRecord
from hipwise.store.vocab import Condition

__all__ = [
    "LIFT_VARIATIONS",
    "ConditionPolicy",
    "Proposal",
    "RestDecision",
    "SideState",
    "WeekCount",
    "condition_policy",
    "fault_streak",
    "good_streak",
    "last_pain_at",
    "next_load_down",
    "next_load_up",
    "pain_free_sessions_since",
    "progression_step",
    "regression_step",
    "rest_today",
    "side_reps",
    "side_state",
    "streak_flags",
    "week_start",
    "week_streak",
    "weekly_counts",
]

# Variations whose reps count toward the ankle-weight progression (None: not labelled).
LIFT_VARIATIONS: frozenset[str | None] = frozenset({"leg_lift", "wall_slide", None})


# --- streaks ----------------------------------------------------------------------------------


def good_streak(flags: Sequence[bool]) -> int:
    """Good reps in a row at the end of ``flags`` (True = good rep)."""
    n = 0
    for ok in reversed(flags):
        if not ok:
            break
        n += 1
    return n


def fault_streak(flags: Sequence[bool]) -> int:
    """Faulty reps in a row at the end of ``flags`` (True = good rep)."""
    n = 0
    for ok in reversed(flags):
        if ok:
            break
        n += 1
    return n


def streak_flags(
    reps: Sequence[tuple[int, RepRecord]],
    reports: Iterable[SelfReportRecord],
    breaking: Iterable[str],
) -> list[bool]:
    """Per rep, whether it counts as a perfect rep: no fault, and its set has no self-report
    in ``breaking`` (e.g. lower-back tension). ``reps`` holds (set id, rep) pairs."""
    breaking = set(breaking)
    voided = {r.set_id for r in reports if r.set_id is not None and breaking & set(r.feelings)}
    return [rep.good and set_id not in voided for set_id, rep in reps]


# --- programme state per side -----------------------------------------------------------------


@dataclass(frozen=True)
class SideState:
    """Where one side stands: load (kg), whether the safe variation is on, and since when
    (the last event for this side; reps after it count toward the next decision)."""

    load_kg: float = 0.0
    safe_mode: bool = False
    since: datetime | None = None


def side_state(events: Iterable[EventRecord], side: Side) -> SideState:
    """Fold the programme events (any order) into the state of ``side``."""
    load, safe, since = 0.0, False, None
    for ev in sorted(events, key=lambda e: (e.effective_at, e.id)):
        if ev.side not in (None, side):
            continue
        if ev.load_kg is not None:
            load = ev.load_kg
        if ev.kind == "safe_variation":
            safe = True
        elif ev.kind == "resume":
            safe = False
        since = ev.effective_at
    return SideState(load, safe, since)


def side_reps(
    sessions: Iterable[SessionRecord], side: Side, since: datetime | None = None,
    variations: frozenset[str | None] = LIFT_VARIATIONS,
) -> list[tuple[int, RepRecord]]:
    """(set id, rep) pairs of ``side`` in time order, after ``since``, of ``variations``."""
    out = [
        (s.id, r)
        for sess in sessions
        for s in sess.sets
        if s.side == side and s.variation in variations
        for r in s.reps
        if since is None or r.at > since
    ]
    out.sort(key=lambda p: p[1].at)
    return out


# --- progression and regression ----------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    """A programme change to record: an event kind for a side, with its new load."""

    kind: str
    side: Side | None
    effective_at: datetime
    load_kg: float | None
    reason: str
    variation: str | None = None


def next_load_up(load_kg: float, cfg: ProgramConfig) -> float | None:
    """The next heavier ankle weight (kg), or None at the maximum."""
    if load_kg <= 0:
        return cfg.ankle_weight_start_kg
    if load_kg >= cfg.ankle_weight_max_kg - 1e-9:
        return None
    return round(min(load_kg + cfg.ankle_weight_step_kg, cfg.ankle_weight_max_kg), 3)


def next_load_down(load_kg: float, cfg: ProgramConfig) -> float:
    """One step lighter (kg); below the first weight is bodyweight (0)."""
    lighter = round(load_kg - cfg.ankle_weight_step_kg, 3)
    return lighter if lighter >= cfg.ankle_weight_start_kg - 1e-9 else 0.0


def progression_step(
    side: Side,
    reps: Sequence[tuple[int, RepRecord]],
    flags: Sequence[bool],
    state: SideState,
    cfg: ProgramConfig,
) -> Proposal | None:
    """Suggest the next ankle weight after ``progression_good_streak`` perfect reps in a row on
    ``side`` (reps since the last change; ``flags`` from :func:`streak_flags`). None when the
    streak is short, the safe variation is on, or the maximum load is reached."""
    if state.safe_mode or not reps:
        return None
    streak = good_streak(flags)
    if streak < cfg.progression_good_streak:
        return None
    new = next_load_up(state.load_kg, cfg)
    if new is None:
        return None
    what = "bodyweight" if state.load_kg <= 0 else f"{state.load_kg:g} kg"
    return Proposal(
        kind="progress", side=side, effective_at=reps[-1][1].at, load_kg=new,
        reason=f"{streak} perfect reps in a row on the {side} side at {what}: "
        f"add an ankle weight of {new:g} kg",
    )


def regression_step(
    side: Side,
    reps: Sequence[tuple[int, RepRecord]],
    state: SideState,
    cfg: ProgramConfig,
) -> Proposal | None:
    """On ``fault_streak_reps`` faulty reps in a row on ``side``: "stop, reset, reduce the
    range", and one ankle-weight step lighter when weighted. None otherwise."""
    if not reps:
        return None
    flags = [r.good for _, r in reps]
    streak = fault_streak(flags)
    if streak < cfg.fault_streak_reps:
        return None
    counts = Counter(f for _, r in reps[-streak:] for f in r.faults)
    top = ", ".join(f.replace("_", " ") for f, _ in counts.most_common(2))
    new = next_load_down(state.load_kg, cfg) if state.load_kg > 0 else None
    change = f"; drop to {new:g} kg" if new else ("; back to bodyweight" if new == 0.0 else "")
    return Proposal(
        kind="regress", side=side, effective_at=reps[-1][1].at, load_kg=new,
        reason=f"{streak} faulty reps in a row on the {side} side ({top}): stop, reset, "
        f"reduce the range{change}",
    )


# --- pain and the safe variation ---------------------------------------------------------------


def last_pain_at(reports: Iterable[SelfReportRecord]) -> datetime | None:
    """When sharp pain was last reported (None: never)."""
    times = [r.recorded_at for r in reports if "sharp_pain" in r.feelings]
    return max(times) if times else None


def pain_free_sessions_since(
    sessions: Iterable[SessionRecord], reports: Iterable[SelfReportRecord],
    since: datetime | None,
) -> int:
    """Sessions that started after ``since`` (and after the last sharp pain) whose sets have no
    sharp-pain report."""
    reports = list(reports)
    pain_sets = {r.set_id for r in reports if "sharp_pain" in r.feelings}
    pain = last_pain_at(reports)
    bounds = [t for t in (since, pain) if t is not None]
    after = max(bounds) if bounds else None
    return sum(
        1
        for s in sessions
        if (after is None or s.started_at > after)
        and not any(st.id in pain_sets for st in s.sets)
    )


# --- conditions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConditionPolicy:
    """How conditions change the rules: ask about pain before training, start with the safe
    (isometric) variation, accept a neutral foot instead of toes-down; plus warnings."""

    ask_pain_first: bool = False
    start_safe: bool = False
    accept_neutral_foot: bool = False
    warnings: tuple[str, ...] = ()


def condition_policy(conditions: Iterable[Condition]) -> ConditionPolicy:
    """The rule changes for a set of conditions (DOMAIN.md "Conditions that change the rules").

    - trochanteric bursitis: warn; ask about pain first; start with isometric holds or a
      standing variation; sharp pain = stop.
    - hip labral tear: turning the toes down may pinch, so a neutral foot (parallel to the
      floor) is accepted; toes up is still a fault.
    """
    conds = set(conditions)
    warnings: list[str] = []
    bursitis = "trochanteric_bursitis" in conds
    labral = "hip_labral_tear" in conds
    if bursitis:
        warnings.append(BURSITIS_WARNING)
    if labral:
        warnings.append(LABRAL_TEAR_WARNING)
    return ConditionPolicy(
        ask_pain_first=bursitis, start_safe=bursitis, accept_neutral_foot=labral,
        warnings=tuple(warnings),
    )


# --- adherence --------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekCount:
    """Sessions in the week starting on ``start``."""

    start: date
    sessions: int


def week_start(day: date, first_weekday: int = 0) -> date:
    """The first day of ``day``'s week (``first_weekday``: 0 = Monday)."""
    return day - timedelta(days=(day.weekday() - first_weekday) % 7)


def weekly_counts(
    session_days: Iterable[date], today: date, weeks: int, first_weekday: int = 0
) -> list[WeekCount]:
    """Sessions per week for the ``weeks`` weeks ending with ``today``'s week, oldest first.
    Several sessions on one day count separately."""
    current = week_start(today, first_weekday)
    starts = [current - timedelta(weeks=k) for k in range(weeks - 1, -1, -1)]
    counts = Counter(week_start(d, first_weekday) for d in session_days)
    return [WeekCount(s, counts.get(s, 0)) for s in starts]


def week_streak(counts: Sequence[WeekCount], target: int) -> int:
    """Weeks in a row meeting ``target`` sessions, ending with the last complete week; the
    current (last) week adds one when it has already met the target and never breaks it."""
    if not counts:
        return 0
    *past, current = counts
    n = 0
    for wc in reversed(past):
        if wc.sessions < target:
            break
        n += 1
    return n + (1 if current.sessions >= target else 0)


@dataclass(frozen=True)
class RestDecision:
    """Whether today is a rest day, and why."""

    rest: bool
    done_today: bool
    reason: str


def rest_today(
    session_days: Sequence[date], today: date, cfg: ProgramConfig
) -> RestDecision:
    """Rest or train today: done already today; weekly target met; too soon after the last
    session (fewer than ``rest_days_between_sessions`` rest days) unless the week's target can
    only be reached by training today."""
    days = sorted(d for d in session_days if d <= today)
    if days and days[-1] == today:
        return RestDecision(True, True, "You have trained today already.")
    start = week_start(today, cfg.first_weekday)
    done = sum(1 for d in days if d >= start)
    needed = cfg.sessions_per_week - done
    if needed <= 0:
        return RestDecision(
            True, False,
            f"{done} of {cfg.sessions_per_week} sessions done this week: rest (an extra easy "
            "set is fine).",
        )
    if days:
        gap = (today - days[-1]).days - 1  # rest days since the last session
        if gap < cfg.rest_days_between_sessions:
            days_left_after_today = 6 - (today - start).days
            spacing = cfg.rest_days_between_sessions + 1
            capacity = math.ceil(days_left_after_today / spacing) if days_left_after_today else 0
            if capacity >= needed:
                return RestDecision(
                    True, False,
                    f"You trained {'yesterday' if gap == 0 else f'{gap + 1} days ago'}: "
                    "rest today, the muscle adapts between sessions.",
                )
            return RestDecision(
                False, False,
                f"You trained recently, but {needed} more session(s) are needed this week: "
                "train today.",
            )
    return RestDecision(False, False, f"{done} of {cfg.sessions_per_week} sessions this week.")
