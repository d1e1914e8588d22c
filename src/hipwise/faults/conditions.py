"""What each condition (DOMAIN.md "Conditions that change the rules") says to the person.

A labral tear also changes a fault rule (``toes_up``: a neutral foot passes; see
:mod:`hipwise.faults.registry`); trochanteric bursitis changes no measurement or fault, only
what the person is told: it is named in every analysis made with it, and the programme starts
with isometric holds and asks about pain first (:func:`hipwise.program.rules.condition_policy`).
"""

from __future__ import annotations

from hipwise.settings import ConditionsConfig

__all__ = ["BURSITIS_WARNING", "LABRAL_TEAR_WARNING", "condition_notes"]

BURSITIS_WARNING = (
    "Trochanteric bursitis: lying on the painful side or lifting through pain can "
    "irritate it. Start with isometric holds (or a standing leg raise); stop at any "
    "sharp pain."
)
LABRAL_TEAR_WARNING = (
    "Hip labral tear: turning the toes down may pinch the front of the hip. A neutral "
    "foot (parallel to the floor) is fine; only toes pointing up counts as a fault."
)


def condition_notes(conditions: ConditionsConfig) -> list[str]:
    """One sentence per condition that is on, bursitis first."""
    notes = []
    if conditions.bursitis:
        notes.append(BURSITIS_WARNING)
    if conditions.labral_tear:
        notes.append(LABRAL_TEAR_WARNING)
    return notes
