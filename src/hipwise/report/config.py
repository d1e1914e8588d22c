"""Old import path of the report settings, now in :mod:`hipwise.settings.report`."""

from __future__ import annotations

from hipwise.settings.report import ReportConfig

__all__ = ["ReportConfig"]
