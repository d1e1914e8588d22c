"""Settings of ``hipwise live`` (frozen, ``extra="forbid"``, documented defaults).

They live in the ``[live]`` section of the same TOML file as the analysis settings
(``hipwise live --config FILE``); :func:`load_live_config` splits the two.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hipwise.coach.config import CoachConfig, SetupConfig, TempoConfig
from hipwise.config import AnalysisConfig, ConfigError
from hipwise.web.landmarks import BrowserPoseConfig

__all__ = ["LiveConfig", "LiveVariationsConfig", "load_live_config"]


class LiveVariationsConfig(BaseModel):
    """What the live page shows for isometric holds and circles (``[live.variations]``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    circle_update_s: float = Field(
        default=1.0,
        gt=0,
        description="Seconds between two recounts of the running hold's circles (the offline "
        "count, run on the hold so far). A circle takes 1-3 s, so the count is at most one "
        "circle behind; a recount costs ~25 ms for a 22 s hold at 15 frames/s on this 2-core "
        "machine (measured), so it lands on about 1 frame in 10.",
    )


class LiveConfig(BaseModel):
    """The live web app: capture, transport and coaching settings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    capture_width: int = Field(
        default=640,
        ge=160,
        le=1920,
        description="Frames are scaled so their long side is at most this (px, aspect ratio "
        "kept) before sending: the pose model works at 640x480; larger only costs bandwidth "
        "and decode time.",
    )
    capture_fps: float = Field(
        default=30.0,
        gt=0,
        le=60,
        description="Frames per second the page offers to send (the camera's usual rate).",
    )
    jpeg_quality: float = Field(
        default=0.75,
        gt=0,
        le=1,
        description="JPEG quality (0-1) of the frames sent; 0.75 keeps landmarks unchanged and "
        "a 640x480 frame near 30-50 kB.",
    )
    max_in_flight: int = Field(
        default=1,
        ge=1,
        le=4,
        description="Frames the page may have sent without a result yet. More only queue up "
        "(lag) when the server is slower than the camera; the server also keeps just the "
        "newest waiting frame and drops older ones.",
    )
    people_interval_s: float = Field(
        default=5.0,
        gt=0,
        description="Seconds between two counts of the people in view, used live unless the "
        "config sets pose.people_interval_s. A count adds still-image passes of the pose model "
        "to the frame it lands on (~30 ms each on an idle core, several times that under "
        "load), so it sets that frame's latency: counting every 2 s hit 4-7% of live frames at "
        "10-15 results/s and alone set the p95 (194 ms vs 81 ms without counting, measured); "
        "every 5 s stays under 2% of frames, below the p95, and a second person is still "
        "noticed within 5 s.",
    )
    session_keep_h: float = Field(
        default=24.0,
        gt=0,
        description="Unfinished sessions saved on disk are resumable for this many hours.",
    )
    coach: CoachConfig = CoachConfig()
    tempo: TempoConfig = TempoConfig()
    setup: SetupConfig = SetupConfig()
    variations: LiveVariationsConfig = LiveVariationsConfig()
    browser_pose: BrowserPoseConfig = BrowserPoseConfig()


def _fmt(err: ValidationError, prefix: str = "") -> str:
    return "; ".join(
        prefix + ".".join(str(p) for p in e["loc"]) + f": {e['msg']}" for e in err.errors()
    )


def load_live_config(
    path: Path | None, overrides: dict[str, Any] | None = None
) -> tuple[AnalysisConfig, LiveConfig]:
    """The analysis settings and the ``[live]`` section of one TOML file (defaults when
    ``path`` is None). ``overrides``: dotted ``section.key`` values applied first.

    Raises :class:`~hipwise.config.ConfigError` naming the bad key.
    """
    from hipwise.config import apply_overrides

    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"config file not found: {path}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
    if overrides:
        data = apply_overrides(data, overrides)
    live_data = data.pop("live", {})
    try:
        analysis = AnalysisConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"invalid settings: {_fmt(exc)}") from exc
    try:
        live = LiveConfig.model_validate(live_data)
    except ValidationError as exc:
        raise ConfigError(f"invalid settings: {_fmt(exc, 'live.')}") from exc
    return analysis, live
