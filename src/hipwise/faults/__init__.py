"""Fault rules (DOMAIN.md) in one registry."""

from hipwise.faults.registry import FAULT_RULES, FaultRule, RuleFn, evaluate_faults

__all__ = ["FAULT_RULES", "FaultRule", "RuleFn", "evaluate_faults"]
