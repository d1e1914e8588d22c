"""The root of every setting (:class:`Settings`) and the one way to load it
(:func:`load_settings`): a TOML file, ``--set section.key=value`` overrides and conditions.

One TOML file holds every section. The analysis sections sit at the top level (``variation``,
``[filter]``, ``[body]``, ``[reps]``, ``[faults]``, ``[sets]``, ``[conditions]``,
``[variations.*]``,
``[pose]``, ``[checks]``); the others are ``[live]``, ``[report]``, ``[store]`` and ``[program]``.
Unknown keys and out-of-range values are errors that name the key
(:class:`ConfigError`; the commands exit with code 2).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from hipwise.settings.analysis import AnalysisConfig, ConditionsConfig
from hipwise.settings.live import LiveConfig
from hipwise.settings.program import ProgramConfig
from hipwise.settings.report import ReportConfig
from hipwise.settings.store import StoreConfig

__all__ = [
    "CONDITION_FLAGS",
    "CONDITION_IDS",
    "ConfigError",
    "Settings",
    "apply_overrides",
    "condition_field",
    "format_validation",
    "load_settings",
    "parse_overrides",
    "read_toml",
]


class ConfigError(ValueError):
    """A config file, override or condition that cannot be used; the message says which key
    and why."""


class Settings(AnalysisConfig):
    """Every setting of hipwise: the analysis (inherited, at the TOML's top level) plus the
    live app, the report, the store and the programme sections. Frozen; unknown keys fail."""

    live: LiveConfig = Field(
        default_factory=LiveConfig,
        description="hipwise live: capture, transport, memory limits, coach, tempo, setup.",
    )
    report: ReportConfig = Field(
        default_factory=ReportConfig,
        description="The report writer (hipwise analyze --report, live set reports).",
    )
    store: StoreConfig = Field(
        default_factory=StoreConfig,
        description="The store (hipwise analyze --save, profiles, history).",
    )
    program: ProgramConfig = Field(
        default_factory=ProgramConfig,
        description="The programme's defaults; a profile's own programme settings override "
        "them.",
    )

    @property
    def analysis(self) -> AnalysisConfig:
        """The analysis sections alone (what the engine, the checks and the pose model read)."""
        return AnalysisConfig(**{name: getattr(self, name) for name in AnalysisConfig.model_fields})


#: The condition flags (``--condition NAME``): the fields of :class:`ConditionsConfig`.
CONDITION_FLAGS: tuple[str, ...] = tuple(ConditionsConfig.model_fields)

#: Every accepted spelling of a condition (the flag's, and the profile's ids and aliases in
#: :mod:`hipwise.store.vocab`) → its :class:`ConditionsConfig` field.
CONDITION_IDS: Mapping[str, str] = {
    "labral_tear": "labral_tear",
    "hip_labral_tear": "labral_tear",
    "labral-tear": "labral_tear",
    "hip-labral-tear": "labral_tear",
    "labral": "labral_tear",
    "labrum": "labral_tear",
    "bursitis": "bursitis",
    "trochanteric_bursitis": "bursitis",
    "trochanteric-bursitis": "bursitis",
}


def condition_field(condition: str) -> str:
    """The :class:`ConditionsConfig` field of a condition id (flag or profile spelling).

    Raises:
        ConfigError: an unknown condition.
    """
    try:
        return CONDITION_IDS[condition.strip().lower()]
    except KeyError:
        raise ConfigError(
            f"unknown condition {condition!r}: use one of {', '.join(CONDITION_FLAGS)}"
        ) from None


def read_toml(path: Path) -> dict[str, Any]:
    """The parsed TOML file at ``path``. Raises :class:`ConfigError` (never OSError or
    UnicodeDecodeError) when it is missing, a folder, unreadable, not UTF-8 or not TOML."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"config file not found: {path}") from exc
    except IsADirectoryError as exc:
        raise ConfigError(f"config file {path} is a folder, not a TOML file") from exc
    except PermissionError as exc:
        raise ConfigError(f"config file {path} cannot be read: permission denied") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"config file {path} is not UTF-8 text (byte {exc.start}): save it as UTF-8"
        ) from exc
    except OSError as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc.strerror or exc}") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc


def parse_overrides(items: Iterable[str]) -> dict[str, Any]:
    """``["a.b=1", "c.d=true"]`` → ``{"a.b": 1, "c.d": True}`` (values parsed as TOML; a
    value that is not TOML is taken as a string).

    Raises:
        ConfigError: an item without ``=`` or without a key.
    """
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set needs SECTION.KEY=VALUE, got {item!r}")
        try:
            value = tomllib.loads(f"v = {raw.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw.strip()
        out[key.strip()] = value
    return out


def apply_overrides(data: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Return a copy of ``data`` with ``{"section.key": value}`` overrides applied."""
    out: dict[str, Any] = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    for dotted, value in overrides.items():
        keys = dotted.split(".")
        node = out
        for k in keys[:-1]:
            child = node.setdefault(k, {})
            if not isinstance(child, dict):
                raise ConfigError(f"cannot set {dotted}: {k} is not a section")
            child = dict(child)  # never write into the caller's nested tables
            node[k] = child
            node = child
        node[keys[-1]] = value
    return out


def format_validation(err: ValidationError, prefix: str = "") -> str:
    """One line naming every bad key (``section.key: why``)."""
    return "; ".join(
        prefix + ".".join(str(p) for p in e["loc"]) + f": {e['msg']}" for e in err.errors()
    )


def load_settings(
    path: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    conditions: Iterable[str] = (),
) -> Settings:
    """Every setting: the TOML file at ``path`` (defaults when None), then the dotted
    ``overrides`` (``--set``), then ``conditions`` (``--condition`` flags and a profile's
    conditions, in either spelling; see :data:`CONDITION_IDS`), each turning its
    ``conditions.<name>`` on.

    Raises:
        ConfigError: naming the offending key (unknown key, wrong type, out of range) or the
            unknown condition.
    """
    data: dict[str, Any] = read_toml(path) if path is not None else {}
    merged: dict[str, Any] = dict(overrides or {})
    for c in conditions:
        merged[f"conditions.{condition_field(c)}"] = True
    if merged:
        data = apply_overrides(data, merged)
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"invalid settings: {format_validation(exc)}") from exc
