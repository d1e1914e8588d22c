"""Glue between the store and the pure programme rules: load a person's settings, record the
programme changes their history calls for, plan today.
"""

from __future__ import annotations

import logging
from datetime import date, tzinfo

from hipwise.program.config import program_config_for
from hipwise.program.history import History, build_history
from hipwise.program.plan import TodayPlan, plan_today, programme_updates
from hipwise.settings import ProgramConfig
from hipwise.store.programme import EventSpec
from hipwise.store.records import EventRecord, PersonData
from hipwise.store.store import Store
from hipwise.store.vocab import EventKind

__all__ = ["apply_programme_updates", "history_for", "program_config_for", "today_for"]

log = logging.getLogger(__name__)


def apply_programme_updates(
    store: Store, person: str | None, defaults: ProgramConfig | None = None
) -> list[EventRecord]:
    """Record the progression/regression/safe-variation changes the history calls for (read,
    decide and write in one locked transaction, so concurrent runs record each change once).
    ``defaults``: the settings file's ``[program]`` (the person's own settings override it)."""

    def decide(data: PersonData) -> list[EventSpec]:
        cfg = program_config_for(data, defaults)
        return [
            EventSpec(kind=_kind(p.kind), effective_at=p.effective_at, side=p.side,
                      load_kg=p.load_kg, variation=p.variation, reason=p.reason)
            for p in programme_updates(data, cfg)
        ]

    recorded = store.programme.update(person, decide)
    for ev in recorded:
        log.info("programme change: %s", ev.reason)
    return recorded


def _kind(kind: str) -> EventKind:
    if kind not in ("progress", "regress", "safe_variation", "resume", "set_load"):
        raise ValueError(f"unknown programme event {kind!r}")
    return kind  # type: ignore[return-value]


def history_for(store: Store, person: str | None = None, last: int | None = None) -> History:
    """The history of ``person`` (the last ``last`` sessions), for the terminal or web page."""
    sessions = store.programme.person_data(person).sessions
    return build_history(sessions[-last:] if last else sessions)


def today_for(
    store: Store,
    person: str | None,
    *,
    today: date,
    tz: tzinfo | None = None,
    pain_now: bool | None = None,
    before_run: bool = False,
) -> tuple[TodayPlan, list[EventRecord]]:
    """Record pending programme changes, then plan today; returns (plan, changes recorded)."""
    changes = apply_programme_updates(store, person)
    data = store.programme.person_data(person)
    plan = plan_today(data, program_config_for(data), today=today, tz=tz, pain_now=pain_now,
                      before_run=before_run)
    return plan, changes
