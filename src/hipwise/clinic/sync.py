"""Apply a synced prescription to the patient's local store, so ``hipwise today`` follows it.

What maps where:

* sets per side, reps per set and sessions a week -> the person's programme settings
  (``program_config``), which ``hipwise today`` plans with;
* conditions -> the person's profile (they change the programme's safety rules);
* progression ``hold`` -> no automatic ankle-weight progression (the clean-rep streak needed
  is set to its maximum, 500); ``regress`` -> a ``set_load`` event back to bodyweight;
  ``auto`` -> hipwise's own rules (the default streak of 20);
* the whole prescription (variation, thresholds, note) is kept as ``clinic_prescription``.

The programme's own safety rules still apply on top: pain stops a session, a bursitis or
labral-tear flare switches to the safe variation, forward drift to the wall slide.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hipwise.clinic.prescription import PRESCRIPTION_KEY, Prescription
from hipwise.program.config import PROGRAM_CONFIG_KEY, ProgramConfig
from hipwise.store.store import Store

__all__ = ["apply_prescription"]

_HOLD_STREAK = 500


def apply_prescription(store: Store, person: str | None, rx: Prescription, *,
                       now: datetime) -> list[str]:
    """Write ``rx`` into ``person``'s local settings; returns what changed, as sentences."""
    changes: list[str] = []
    current: dict[str, Any] = dict(store.people.get_setting(PROGRAM_CONFIG_KEY, person) or {})
    updated = {**current, "sets_per_side": rx.sets_per_side, "reps_per_set": rx.reps_per_set,
               "sessions_per_week": rx.sessions_per_week}
    if rx.progression == "hold":
        updated["progression_good_streak"] = _HOLD_STREAK
    else:
        updated.pop("progression_good_streak", None)
    ProgramConfig.model_validate(updated)  # the merged settings must stay valid
    if updated != current:
        store.people.set_setting(PROGRAM_CONFIG_KEY, updated, person)
        changes.append(f"{rx.sets_per_side} x {rx.reps_per_set} reps per side, "
                       f"{rx.sessions_per_week} sessions a week")
    old = store.people.get_setting(PRESCRIPTION_KEY, person)
    if rx.progression == "regress" and (old or {}).get("progression") != "regress":
        store.programme.add_event(person, "set_load", effective_at=now, load_kg=0.0,
                                reason="your therapist: back to bodyweight")
        changes.append("back to bodyweight")
    profile = store.people.get(person)
    if set(profile.conditions) != set(rx.conditions):
        store.people.update(person, conditions=list(rx.conditions))
        changes.append("conditions: " + (", ".join(rx.conditions) or "none"))
    store.people.set_setting(PRESCRIPTION_KEY, rx.model_dump(mode="json"), person)
    return changes
