"""Fault rules (DOMAIN.md) in one registry."""

from hipwise.faults.registry import (
    FAULT_RULES,
    POSTURE_FAULTS,
    FaultRule,
    RuleFn,
    body_in_view,
    evaluate_faults,
)

__all__ = [
    "FAULT_RULES", "POSTURE_FAULTS", "FaultRule", "RuleFn", "body_in_view", "evaluate_faults",
]
