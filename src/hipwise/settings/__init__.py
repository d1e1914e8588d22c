"""Every setting of hipwise, as frozen typed models with documented defaults and valid ranges.

One TOML file mirrors :class:`Settings` (``hipwise analyze --print-config`` writes it):

=====================================  ====================================================
section                                model
=====================================  ====================================================
``variation``, ``[filter]``, ``[body]``,  :class:`AnalysisConfig` (the engine's settings)
``[reps]``, ``[faults]``, ``[sets]``,
``[conditions]``
``[variations.*]``                     :class:`VariationsConfig`
``[pose]``, ``[pose.camera_motion]``   :class:`PoseConfig`, :class:`MotionConfig`
``[checks]``                           :class:`ChecksConfig`
``[live]``, ``[live.coach]``, ...      :class:`LiveConfig` (:class:`CoachConfig`, ...)
``[report]``                           :class:`ReportConfig`
``[store]``                            :class:`StoreConfig`
``[program]``                          :class:`ProgramConfig`
=====================================  ====================================================

:func:`load_settings` reads the file, applies ``--set section.key=value`` overrides and
conditions; every bad key raises :class:`ConfigError` naming it. The CLI flags for them come
from :func:`add_settings_arguments` and :func:`settings_from_args`. This package imports no
other hipwise package: every other layer may import it.
"""

from __future__ import annotations

from hipwise.settings.analysis import (
    FOOT_TO_LEG,
    AnalysisConfig,
    BodyConfig,
    ConditionsConfig,
    FaultConfig,
    FilterConfig,
    RepConfig,
    SetConfig,
)
from hipwise.settings.checks import ChecksConfig
from hipwise.settings.cli import add_settings_arguments, settings_from_args
from hipwise.settings.coach import CoachConfig, SetupConfig, TempoConfig
from hipwise.settings.live import BrowserPoseConfig, LiveConfig, LiveVariationsConfig
from hipwise.settings.pose import MotionConfig, Orientation, PoseConfig
from hipwise.settings.program import ProgramConfig
from hipwise.settings.report import ReportConfig
from hipwise.settings.root import (
    CONDITION_FLAGS,
    CONDITION_IDS,
    ConfigError,
    Settings,
    apply_overrides,
    condition_field,
    format_validation,
    load_settings,
    parse_overrides,
    read_toml,
)
from hipwise.settings.store import StoreConfig
from hipwise.settings.toml import settings_toml
from hipwise.settings.variations import (
    VARIATION_CHOICES,
    CircleConfig,
    ClamshellConfig,
    HoldConfig,
    RecognitionConfig,
    VariationChoice,
    VariationsConfig,
    WallSlideConfig,
)
from hipwise.settings_base import FrozenSettings

__all__ = [
    "CONDITION_FLAGS",
    "CONDITION_IDS",
    "FOOT_TO_LEG",
    "VARIATION_CHOICES",
    "AnalysisConfig",
    "BodyConfig",
    "BrowserPoseConfig",
    "ChecksConfig",
    "CircleConfig",
    "ClamshellConfig",
    "CoachConfig",
    "ConditionsConfig",
    "ConfigError",
    "FaultConfig",
    "FilterConfig",
    "FrozenSettings",
    "HoldConfig",
    "LiveConfig",
    "LiveVariationsConfig",
    "MotionConfig",
    "Orientation",
    "PoseConfig",
    "ProgramConfig",
    "RecognitionConfig",
    "RepConfig",
    "ReportConfig",
    "SetConfig",
    "Settings",
    "SetupConfig",
    "StoreConfig",
    "TempoConfig",
    "VariationChoice",
    "VariationsConfig",
    "WallSlideConfig",
    "add_settings_arguments",
    "apply_overrides",
    "condition_field",
    "format_validation",
    "load_settings",
    "parse_overrides",
    "read_toml",
    "settings_from_args",
    "settings_toml",
]
