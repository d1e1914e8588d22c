"""Settings of ``hipwise live`` (``[live]``): capture, transport, memory limits, and the
coach, tempo, setup, variations and browser-pose subsections."""

from __future__ import annotations

from pydantic import Field

from hipwise.settings.coach import CoachConfig, SetupConfig, TempoConfig
from hipwise.settings_base import FrozenSettings

__all__ = ["BrowserPoseConfig", "LiveConfig", "LiveVariationsConfig"]


class BrowserPoseConfig(FrozenSettings):
    """Browser pose and its landmark messages (``[live.browser_pose]``)."""

    enabled: bool = True
    """Offer the in-browser pose model to pages (they fall back to server pose without WebGL
    or WebAssembly SIMD, or with ``?pose=server``)."""

    max_rate_hz: float = Field(default=60.0, gt=0.0, le=1000.0)
    """Landmark messages a socket may send per second on average (the camera gives 30)."""

    burst: int = Field(default=90, ge=1, le=1000)
    """Messages a socket may send at once above ``max_rate_hz``: 3 s of camera frames, since
    the server reads a socket's messages one after the other, so a server busy for a moment
    finds them waiting all at once."""

    max_xy: float = Field(default=3.0, gt=1.0, le=100.0)
    """Normalised x and y beyond [1 - max_xy, max_xy] are refused (MediaPipe places landmarks
    it guesses outside the frame a little beyond [0, 1])."""

    max_z: float = Field(default=10.0, gt=0.0, le=1000.0)
    """|z| (normalised depth, on x's scale) above this is refused."""

    max_world_m: float = Field(default=10.0, gt=0.0, le=1000.0)
    """|world coordinate| (metres from the hips) above this is refused."""

    max_image_px: int = Field(default=8192, ge=64, le=65536)
    """Largest frame side (px) a message may claim."""



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
