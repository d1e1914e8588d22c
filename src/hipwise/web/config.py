"""Old import path of the live settings (now :mod:`hipwise.settings.live`), and
:func:`load_live_config`, kept for code written against it: new code calls
:func:`hipwise.settings.load_settings` and reads ``settings.live``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hipwise.settings import AnalysisConfig, LiveConfig, LiveVariationsConfig, load_settings

__all__ = ["LiveConfig", "LiveVariationsConfig", "load_live_config"]


def load_live_config(
    path: Path | None, overrides: dict[str, Any] | None = None
) -> tuple[AnalysisConfig, LiveConfig]:
    """The analysis sections and the ``[live]`` section of :func:`load_settings` (same
    errors)."""
    settings = load_settings(path, overrides)
    return settings.analysis, settings.live
