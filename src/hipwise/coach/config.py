"""Old import path of the coach settings, now in :mod:`hipwise.settings.coach`."""

from __future__ import annotations

from hipwise.settings.coach import CoachConfig, SetupConfig, TempoConfig

__all__ = ["CoachConfig", "SetupConfig", "TempoConfig"]
