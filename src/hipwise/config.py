"""Old import path of the analysis settings: everything now lives in :mod:`hipwise.settings`.

Kept so code written against ``hipwise.config`` keeps working; new code imports
:mod:`hipwise.settings`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hipwise.settings import (
    AnalysisConfig,
    BodyConfig,
    ConditionsConfig,
    ConfigError,
    FaultConfig,
    FilterConfig,
    RepConfig,
    SetConfig,
    apply_overrides,
    load_settings,
    read_toml,
)

__all__ = [
    "AnalysisConfig",
    "BodyConfig",
    "ConditionsConfig",
    "ConfigError",
    "FaultConfig",
    "FilterConfig",
    "RepConfig",
    "SetConfig",
    "apply_overrides",
    "load_config",
    "read_toml",
]


def load_config(
    path: Path | None = None, overrides: dict[str, Any] | None = None
) -> AnalysisConfig:
    """The analysis sections of :func:`hipwise.settings.load_settings` (same errors)."""
    return load_settings(path, overrides).analysis
