"""Settings of ``hipwise live`` (frozen, ``extra="forbid"``, documented defaults).

They live in the ``[live]`` section of the same TOML file as the analysis settings
(``hipwise live --config FILE``); :func:`load_live_config` splits the two.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from hipwise.coach.config import CoachConfig, SetupConfig, TempoConfig
from hipwise.config import AnalysisConfig, ConfigError
from hipwise.settings_base import FrozenSettings
from hipwise.web.landmarks import BrowserPoseConfig

__all__ = ["LiveConfig", "LiveVariationsConfig", "load_live_config"]


class LiveVariationsConfig(FrozenSettings):
    """What the live page shows for isometric holds and circles (``[live.variations]``)."""

    circle_update_s: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description="Seconds between two recounts of the running hold's circles (the offline "
        "count, run on the hold so far). A circle takes 1-3 s, so the count is at most one "
        "circle behind; a recount costs ~25 ms for a 22 s hold at 15 frames/s on this 2-core "
        "machine (measured), so it lands on about 1 frame in 10.",
    )


class LiveConfig(FrozenSettings):
    """The live web app: capture, transport and coaching settings."""

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
        ge=1,
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
        le=600,
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
        le=24 * 365,
        description="Unfinished sessions saved on disk are resumable for this many hours; "
        "older unfinished session folders are deleted (at start and hourly).",
    )
    report_keep_days: float = Field(
        default=30.0,
        gt=0,
        le=3650,
        description="Finished live sets (analysis.json and the HTML report under "
        "<data dir>/live/<id>) are deleted this many days after the set ended.",
    )
    max_sessions: int = Field(
        default=8,
        ge=1,
        le=64,
        description="Live sessions held in memory. Beyond it the least recently used session "
        "with no page attached is saved to disk and dropped from memory (it resumes from disk). "
        "A session holds its tracker state (a few MB for a long set); its pose model (~200 MB) "
        "is released as soon as its page goes away.",
    )
    max_connections: int = Field(
        default=4,
        ge=1,
        le=32,
        description="Pages connected at once (each may hold a pose model while it sends "
        "frames); more are refused with error 'busy'. One person trains with one page.",
    )
    max_frame_side: int = Field(
        default=1920,
        ge=160,
        le=8192,
        description="Frames whose JPEG header gives a width or height above this (px) are "
        "refused before decoding (a small JPEG can claim 12000x12000 px and take GBs to "
        "decode); the page sends at most capture_width (640 by default).",
    )
    max_frame_gap_s: float = Field(
        default=10.0,
        gt=0,
        le=3600,
        description="A capture time more than this many seconds after the previous frame's "
        "(a tab in the background, a changed clock) re-anchors the session clock on the "
        "server's own clock instead of being trusted: the set never jumps ahead by more than "
        "the time that really passed.",
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
    from hipwise.config import _format_validation, apply_overrides, read_toml

    data: dict[str, Any] = read_toml(path) if path is not None else {}
    if overrides:
        data = apply_overrides(data, overrides)
    live_data = data.pop("live", {})
    try:
        analysis = AnalysisConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"invalid settings: {_format_validation(exc)}") from exc
    try:
        live = LiveConfig.model_validate(live_data)
    except ValidationError as exc:
        raise ConfigError(f"invalid settings: {_fmt(exc, 'live.')}") from exc
    return analysis, live
