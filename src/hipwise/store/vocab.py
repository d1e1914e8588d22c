"""The words the store and the programme share: conditions, goals, feelings, event kinds.

Each is a ``Literal`` of stable ids (stored in the database) plus a short human label.
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "CONDITIONS",
    "CONDITION_ALIASES",
    "EVENT_KINDS",
    "FEELINGS",
    "FEELING_ALIASES",
    "GOALS",
    "GOAL_ALIASES",
    "LABELS",
    "Condition",
    "EventKind",
    "Feeling",
    "Goal",
    "normalise_id",
]

Condition = Literal["trochanteric_bursitis", "hip_labral_tear"]
Goal = Literal["pre_run_activation", "desk_worker", "general_strength"]
Feeling = Literal["side_of_hip", "nothing", "front_of_hip", "lower_back", "sharp_pain"]
EventKind = Literal["progress", "regress", "safe_variation", "resume", "set_load"]

CONDITIONS: tuple[Condition, ...] = get_args(Condition)
GOALS: tuple[Goal, ...] = get_args(Goal)
FEELINGS: tuple[Feeling, ...] = get_args(Feeling)
EVENT_KINDS: tuple[EventKind, ...] = get_args(EventKind)

CONDITION_ALIASES: dict[str, Condition] = {
    "bursitis": "trochanteric_bursitis",
    "trochanteric-bursitis": "trochanteric_bursitis",
    "labral_tear": "hip_labral_tear",
    "labral-tear": "hip_labral_tear",
    "labrum": "hip_labral_tear",
    "labral": "hip_labral_tear",
    "hip-labral-tear": "hip_labral_tear",
}
GOAL_ALIASES: dict[str, Goal] = {
    "runner": "pre_run_activation",
    "running": "pre_run_activation",
    "pre-run": "pre_run_activation",
    "pre-run-activation": "pre_run_activation",
    "desk": "desk_worker",
    "desk-worker": "desk_worker",
    "strength": "general_strength",
    "general-strength": "general_strength",
}
FEELING_ALIASES: dict[str, Feeling] = {
    "side": "side_of_hip",
    "side-of-hip": "side_of_hip",
    "burn": "side_of_hip",
    "glute": "side_of_hip",
    "none": "nothing",
    "front": "front_of_hip",
    "front-of-hip": "front_of_hip",
    "back": "lower_back",
    "lower-back": "lower_back",
    "pain": "sharp_pain",
    "sharp-pain": "sharp_pain",
}

LABELS: dict[str, str] = {
    "trochanteric_bursitis": "trochanteric bursitis",
    "hip_labral_tear": "hip labral tear",
    "pre_run_activation": "pre-run activation (runner)",
    "desk_worker": "desk worker (sitting a lot)",
    "general_strength": "general hip strength",
    "side_of_hip": "a burn in the side of the hip/buttock",
    "nothing": "nothing in particular",
    "front_of_hip": "the front of the hip",
    "lower_back": "the lower back",
    "sharp_pain": "sharp pain at the side of the hip",
}


def normalise_id(value: str, allowed: tuple[str, ...], aliases: dict[str, str]) -> str | None:
    """``value`` as one of ``allowed`` (case-insensitive, aliases and ``-``/space accepted), or
    None when it matches nothing."""
    key = value.strip().lower()
    if key in aliases:
        return aliases[key]
    key = key.replace("-", "_").replace(" ", "_")
    return key if key in allowed else aliases.get(key)
