"""The analysis engine: landmarks in, contract out (plus the video front end)."""

from hipwise.analysis.engine import EngineResult, analyze_sequence, rep_to_contract, to_contract

__all__ = ["EngineResult", "analyze_sequence", "rep_to_contract", "to_contract"]
