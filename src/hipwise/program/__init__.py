"""The programme engine (DOMAIN.md "Sets, sessions, programme", "What the person feels",
"Conditions that change the rules", "Variations") and the history.

Rules are pure functions over plain records (:mod:`hipwise.program.rules`,
:mod:`hipwise.program.feedback`, :mod:`hipwise.program.plan`); every number is a setting of
:class:`ProgramConfig`. :mod:`hipwise.program.history` turns sessions into series and plots.

Importing this package is cheap: the store-backed helpers (:func:`today_for`,
:func:`apply_programme_updates`, :func:`history_for`) load SQLAlchemy on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from hipwise.program.config import ProgramConfig, program_config_for
from hipwise.program.feedback import FAULT_CUES, SetAdvice, advice_after_set, cue_for
from hipwise.program.history import (
    History,
    SideSession,
    build_history,
    history_to_dict,
    render_history_svgs,
    save_history_plot,
)
from hipwise.program.plan import Adherence, TodayPlan, adherence, plan_today, programme_updates
from hipwise.program.rules import (
    ConditionPolicy,
    Proposal,
    condition_policy,
    fault_streak,
    good_streak,
    progression_step,
    regression_step,
    rest_today,
)

if TYPE_CHECKING:
    from hipwise.program.service import apply_programme_updates, history_for, today_for

__all__ = [
    "FAULT_CUES",
    "Adherence",
    "ConditionPolicy",
    "History",
    "ProgramConfig",
    "Proposal",
    "SetAdvice",
    "SideSession",
    "TodayPlan",
    "adherence",
    "advice_after_set",
    "apply_programme_updates",
    "build_history",
    "condition_policy",
    "cue_for",
    "fault_streak",
    "good_streak",
    "history_for",
    "history_to_dict",
    "plan_today",
    "program_config_for",
    "programme_updates",
    "progression_step",
    "regression_step",
    "render_history_svgs",
    "rest_today",
    "save_history_plot",
    "today_for",
]

_LAZY = {"apply_programme_updates", "history_for", "today_for"}


def __getattr__(name: str) -> object:
    """Import :mod:`hipwise.program.service` (and the store) on first use of its names."""
    if name in _LAZY:
        return getattr(importlib.import_module("hipwise.program.service"), name)
    raise AttributeError(f"module 'hipwise.program' has no attribute {name!r}")
