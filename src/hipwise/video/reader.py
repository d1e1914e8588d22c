"""Streaming video input: decode with PyAV, one frame at a time, in display orientation.

- Memory stays flat in the video's length: frames are decoded as they are consumed (optionally a
  few frames ahead in a background thread, ``ReaderConfig.prefetch``).
- Each frame carries its own timestamp ``t`` in seconds (``pts * time_base``, 0 at the first
  frame). Phones record at a variable frame rate, so the nominal fps is never used for timing.
- Rotation metadata (the container's display matrix, e.g. a phone held upright) is applied, so
  frames come out as the video is meant to be watched.
- Frames are optionally downscaled (aspect ratio kept) so the long side is at most
  ``ReaderConfig.max_long_side`` pixels; the scaling and the conversion to RGB happen in one
  swscale pass.
- A file damaged part-way keeps every frame decoded before the damage: iteration ends early,
  :attr:`VideoSource.incomplete` says how far it got and a warning is logged.

Example::

    with open_video("set.mp4") as src:
        print(src.info.width, src.info.height, src.info.duration_s)
        for frame in src:
            ...  # frame.index, frame.t (s), frame.rgb (H, W, 3) uint8
"""

from __future__ import annotations

import logging
import math
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import av
import numpy as np
from numpy.typing import NDArray
from pydantic import Field

from hipwise.settings_base import FrozenSettings
from hipwise.video.errors import (
    CorruptVideoError,
    NoFramesError,
    NotAVideoError,
    UnreadableVideoError,
    UnsupportedCodecError,
    VideoError,
    VideoNotFoundError,
)
from hipwise.video.motion import CameraMotionTracker, MotionConfig, MotionSample

__all__ = [
    "FrameThinner",
    "IncompleteRead",
    "ReaderConfig",
    "VideoFrame",
    "VideoMeta",
    "VideoSource",
    "display_size",
    "open_video",
    "scaled_size",
]

logger = logging.getLogger(__name__)

_Item = tuple[int, float, NDArray[np.uint8], MotionSample | None]

# Container magic numbers: a file that starts like a video container but cannot be opened is
# damaged (CorruptVideoError), anything else is not a video (NotAVideoError).
_VIDEO_MAGIC_AT_4 = (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip")
_VIDEO_MAGIC_AT_0 = (b"\x1a\x45\xdf\xa3", b"RIFF", b"OggS", b"\x00\x00\x01\xba", b"FLV")


class ReaderConfig(FrozenSettings):
    """How videos are decoded. Defaults suit the pose model (see each field); built from
    :class:`~hipwise.settings.PoseConfig` by ``reader_config_for``."""
    max_long_side: int | None = Field(default=640, ge=16)
    """Downscale so the longer side is at most this many pixels (aspect ratio kept); ``None``
    keeps the full resolution. 640 turns 4:3 video into 640x480 (the pose model's speed target)
    and 16:9 into 640x360. The pose model works at 256x256 internally, so larger frames only
    cost decoding/conversion time, while a person 2-3 m away still spans ~400 px."""

    apply_rotation: bool = True
    """Apply the container's rotation metadata so frames come out in display orientation."""

    prefetch: int = Field(default=4, ge=0)
    """Frames decoded ahead in a background thread (0: decode in the consuming thread). PyAV
    releases the GIL while decoding, so decoding overlaps the pose model on a second core."""

    decoder_threads: int = Field(default=1, ge=0)
    """FFmpeg decoder threads (0: FFmpeg chooses). One is enough for 640x480 H.264 and leaves
    the other core to the pose model."""

    max_decode_errors: int = Field(default=25, ge=0)
    """Packets that may fail to decode (skipped) before reading stops and the rest of the file
    is treated as damaged."""

    max_fps: float | None = Field(default=None, gt=0.0)
    """Yield at most this many frames per second of video on average (see
    :class:`FrameThinner`): the others are decoded (needed for the next ones) but not
    converted or yielded. ``None`` yields every frame. Match it to ``PoseConfig.max_fps``
    when analysing (:func:`hipwise.pose.mediapipe_adapter.reader_config_for`)."""

    max_frame_gap_s: float = Field(default=10.0, gt=0.0, le=3600.0)
    """A timestamp more than this many seconds after the previous frame's is damaged, not a
    pause (phones never stop a recording for that long without ending it): the frame is
    placed one nominal frame after the previous one and every later frame is shifted with it,
    with a warning. Without it a single bad timestamp (100 000 s) turned a 24 s clip into a
    27-hour one."""

    min_frames_frac: float = Field(default=0.5, ge=0.0, le=1.0)
    """When fewer than this fraction of the frames in the container's index could be decoded
    (a damaged index or timing, e.g. a timescale of 0), a warning says how many were read."""

    camera_motion: MotionConfig | None = None
    """When set, each frame's global camera shift is measured while decoding (in the decode
    thread when ``prefetch`` > 0, so it costs the pose model nothing) and attached as
    :attr:`VideoFrame.motion`."""


@dataclass(frozen=True)
class VideoMeta:
    """What is known about a video once opened.

    ``width``/``height``: size in pixels of the frames this source yields (display orientation,
    after downscaling). ``source_width``/``source_height``: display-orientation size at full
    resolution. ``rotation_deg``: clockwise rotation (0, 90, 180 or 270 degrees) applied to the
    stored frames to display them (the classic ``rotate`` tag). ``fps``: the nominal (average)
    frame rate in frames/s, for information only. ``frame_count``: the container's frame count,
    or an estimate from duration x fps (0 if unknown). ``duration_s``: container duration in
    seconds (0 if unknown). ``codec``: FFmpeg decoder name (e.g. ``h264``).
    """

    path: Path
    width: int
    height: int
    source_width: int
    source_height: int
    rotation_deg: int
    fps: float
    frame_count: int
    duration_s: float
    codec: str

    @property
    def scale(self) -> float:
        """Output size / full-resolution size (1.0 when not downscaled)."""
        return self.width / self.source_width


@dataclass(frozen=True, eq=False)
class VideoFrame:
    """One decoded frame: ``index`` (0-based position among the decoded frames; with
    ``max_fps`` some indices are skipped), ``t`` its timestamp in seconds
    from the first frame, ``rgb`` the pixels as a C-contiguous ``uint8`` array ``(H, W, 3)``;
    ``motion`` the camera shift (when ``ReaderConfig.camera_motion`` is set)."""

    index: int
    t: float
    rgb: NDArray[np.uint8]
    motion: MotionSample | None = None


@dataclass(frozen=True)
class IncompleteRead:
    """Reading stopped early because the file is damaged: ``frames_read`` frames up to
    ``last_t`` seconds were decoded (and are usable); ``reason`` is FFmpeg's error."""

    frames_read: int
    last_t: float
    expected_frames: int
    reason: str

    def describe(self, path: Path) -> str:
        """A user-facing sentence."""
        total = f" of about {self.expected_frames}" if self.expected_frames > 0 else ""
        return (
            f"{path.name} is damaged part-way: read {self.frames_read}{total} frames "
            f"(up to {self.last_t:.2f} s) before '{self.reason}'. The analysis uses the frames "
            f"read; re-export or copy the file again to analyse the rest."
        )


class FrameThinner:
    """Keeps the frames nearest a grid of ``max_fps`` ticks per second (one update method).

    A frame is kept when its time reaches the next tick (less 2 ms, for timestamps rounded to
    milliseconds); the next tick then moves one period on (or one period after this frame,
    after a gap). A 30 fps video gives 15 fps at ``max_fps=15``, 12 fps on average at 12
    (steps of 2 and 3 frames), 10 at 10; variable frame rates are thinned the same way.
    ``max_fps=None`` keeps everything.
    """

    _TOLERANCE_S = 0.002

    def __init__(self, max_fps: float | None) -> None:
        self.period = 1.0 / max_fps if max_fps is not None else 0.0
        self._due: float | None = None

    def keep(self, t: float) -> bool:
        """Whether the frame at ``t`` seconds (increasing between calls) is kept."""
        if self.period <= 0.0:
            return True
        if self._due is None:
            self._due = t + self.period
            return True
        if t < self._due - self._TOLERANCE_S:
            return False
        nxt = self._due + self.period
        # after a gap (this frame is already past the next tick) restart the grid here
        self._due = nxt if t < nxt - self._TOLERANCE_S else t + self.period
        return True


def display_size(width: int, height: int, rotation_deg: int) -> tuple[int, int]:
    """(width, height) in pixels after a clockwise rotation of ``rotation_deg`` degrees."""
    return (height, width) if rotation_deg % 180 == 90 else (width, height)


def scaled_size(width: int, height: int, max_long_side: int | None) -> tuple[int, int]:
    """(width, height) scaled down (never up) so the long side is at most ``max_long_side``
    pixels, keeping the aspect ratio; each side at least 2 px."""
    if max_long_side is None or max(width, height) <= max_long_side:
        return width, height
    s = max_long_side / max(width, height)
    return max(2, round(width * s)), max(2, round(height * s))


def _classify_open_error(path: Path, exc: Exception) -> VideoError:
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError:
        head = b""
    if len(head) >= 8 and head[4:8] in _VIDEO_MAGIC_AT_4 and _lacks_mp4_index(path):
        return CorruptVideoError(
            path, f"{path.name} has video data but no index (the 'moov' box is missing)."
        )
    if len(head) >= 8 and (head[4:8] in _VIDEO_MAGIC_AT_4 or head.startswith(_VIDEO_MAGIC_AT_0)):
        return CorruptVideoError(
            path, f"{path.name} looks like a video but cannot be opened ({exc})."
        )
    return NotAVideoError(path, f"{path.name} is not a video file FFmpeg can read.")


def _lacks_mp4_index(path: Path) -> bool:
    """True for an MP4/MOV file whose top-level boxes include media data (``mdat``) but no
    index (``moov``): a recording that was interrupted, or a copy cut short, when the index is
    written last. Walks the top-level box headers only (a few seeks)."""
    types: set[bytes] = set()
    size = path.stat().st_size
    with path.open("rb") as fh:
        pos = 0
        while pos + 8 <= size and len(types) < 64:
            fh.seek(pos)
            head = fh.read(16)
            box_size = int.from_bytes(head[:4], "big")
            types.add(head[4:8])
            if box_size == 1 and len(head) == 16:
                box_size = int.from_bytes(head[8:16], "big")
            elif box_size == 0:
                break
            if box_size < 8:
                break
            pos += box_size
    return b"mdat" in types and b"moov" not in types


def _rotation_cw(frame: Any) -> int:
    """Clockwise display rotation (0/90/180/270) from a PyAV frame's display matrix."""
    try:
        ccw = float(frame.rotation)
    except (AttributeError, TypeError, ValueError):
        return 0
    return round(-ccw / 90.0) * 90 % 360


class VideoSource:
    """An open video, iterated once for :class:`VideoFrame` objects (use :func:`open_video`).

    After iteration, :attr:`incomplete` is set if the file was damaged part-way,
    :attr:`frames_read` counts the frames yielded, :attr:`frames_decoded` all frames decoded
    (more than yielded with ``max_fps``), :attr:`decode_errors` the skipped packets and
    :attr:`warnings` holds user-facing warning sentences.
    """

    def __init__(self, path: str | Path, config: ReaderConfig | None = None) -> None:
        self.path = Path(path)
        self.config = config or ReaderConfig()
        self.incomplete: IncompleteRead | None = None
        self.frames_read = 0
        self.frames_decoded = 0
        self.decode_errors = 0
        self.dropped_timestamps = 0
        self.retimed_jumps = 0
        self.warnings: list[str] = []
        self._container: Any = None
        self._stream: Any = None
        self._raw: Iterator[Any] | None = None
        self._first: Any = None
        self._iterated = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_error: str | None = None
        self._rot = 0
        self._coded_out = (0, 0)
        self.info = self._open()

    # -- opening -----------------------------------------------------------------------------

    def _open(self) -> VideoMeta:
        path = self.path
        if not path.exists():
            raise VideoNotFoundError(path, f"No such file: {path}.")
        if not path.is_file():
            raise VideoNotFoundError(path, f"{path} is not a file.")
        if path.stat().st_size == 0:
            raise NoFramesError(path, f"{path.name} is empty (0 bytes).")
        try:
            with path.open("rb") as fh:
                fh.read(1)
        except PermissionError as exc:
            raise UnreadableVideoError(
                path, f"{path.name} cannot be read: permission denied."
            ) from exc
        except OSError as exc:
            raise UnreadableVideoError(
                path, f"{path.name} cannot be read ({exc.strerror or exc})."
            ) from exc
        try:
            # damaged metadata (a language or handler name that is not UTF-8) must not stop
            # the frames from being read
            container = av.open(str(path), mode="r", metadata_errors="replace")
        except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
            raise _classify_open_error(path, exc) from exc
        self._container = container
        try:
            return self._inspect(container)
        except BaseException:
            self.close()
            raise

    def _inspect(self, container: Any) -> VideoMeta:
        path = self.path
        fmt = str(container.format.name)
        if fmt == "image2" or fmt.endswith("_pipe"):
            raise NotAVideoError(path, f"{path.name} is a still image ({fmt}), not a video.")
        if not container.streams.video:
            if container.streams.audio:
                raise NotAVideoError(path, f"{path.name} holds only audio, no video.")
            if not container.streams and _lacks_mp4_index(path):
                raise CorruptVideoError(
                    path, f"{path.name} has video data but no index (the 'moov' box is missing)."
                )
            raise NoFramesError(path, f"{path.name} contains no video frames.")
        stream = container.streams.video[0]
        self._stream = stream
        ctx = stream.codec_context
        if ctx is None:
            raise UnsupportedCodecError(
                path, f"{path.name} uses a video codec this installation cannot decode."
            )
        ctx.thread_count = self.config.decoder_threads
        if self.config.decoder_threads != 1:
            ctx.thread_type = "AUTO"

        self._raw = self._decode_raw()
        self._first = next(self._raw, None)
        if self._first is None:
            if self._last_error is not None:
                raise CorruptVideoError(
                    path, f"{path.name} could not be decoded ({self._last_error})."
                )
            raise NoFramesError(path, f"{path.name} contains no video frames.")

        rot = _rotation_cw(self._first) if self.config.apply_rotation else 0
        src_w, src_h = display_size(int(self._first.width), int(self._first.height), rot)
        out_w, out_h = scaled_size(src_w, src_h, self.config.max_long_side)
        fps = 0.0
        for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
            if rate and 1.0 <= float(rate) <= 1000.0:  # a timescale of 0 reads 1/512 fps
                fps = float(rate)
                break
        duration_s = 0.0
        if stream.duration is not None and stream.time_base is not None:
            duration_s = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration_s = float(container.duration) / 1e6
        frame_count = int(stream.frames or 0) or round(duration_s * fps)
        self._rot = rot
        self._coded_out = display_size(out_w, out_h, rot)  # size before rotation
        return VideoMeta(
            path=path,
            width=out_w,
            height=out_h,
            source_width=src_w,
            source_height=src_h,
            rotation_deg=rot,
            fps=fps,
            frame_count=frame_count,
            duration_s=duration_s,
            codec=str(ctx.name),
        )

    # -- decoding ----------------------------------------------------------------------------

    def _decode_raw(self) -> Iterator[Any]:
        """PyAV frames in presentation order; damaged packets are skipped (up to the limit),
        a demuxing error ends the stream. Records ``_last_error``."""
        container, stream = self._container, self._stream
        errors = 0
        try:
            for packet in container.demux(stream):
                if self._stop.is_set():
                    return
                try:
                    frames = packet.decode()
                except av.error.FFmpegError as exc:
                    errors += 1
                    self.decode_errors = errors
                    self._last_error = str(exc.strerror or exc)
                    logger.debug("skipping undecodable packet: %s", exc)
                    if errors > self.config.max_decode_errors:
                        return
                    continue
                yield from frames
        except av.error.FFmpegError as exc:
            self._last_error = str(exc.strerror or exc)
            logger.debug("demuxing stopped: %s", exc)

    def _convert(self, frame: Any) -> NDArray[np.uint8]:
        w, h = self._coded_out
        if (frame.width, frame.height) == (w, h) and frame.format.name == "rgb24":
            rgb = frame.to_ndarray()
        else:
            # AREA: the best-looking downscale and, in swscale, faster than bilinear
            rgb = frame.to_ndarray(format="rgb24", width=w, height=h, interpolation="AREA")
        if self._rot:
            rgb = np.ascontiguousarray(np.rot90(rgb, k=-self._rot // 90))
        return np.asarray(rgb, dtype=np.uint8)

    def _frames(self) -> Iterator[_Item]:
        """(index, t seconds, rgb, motion) in order; timestamps relative to the first frame and
        strictly increasing; frames thinned to ``max_fps``."""
        raw = self._raw
        if raw is None or self._first is None:
            return
        first, self._first = self._first, None
        tb = first.time_base if first.time_base is not None else self._stream.time_base
        t0_pts = first.pts
        last_t = -np.inf
        shift = 0.0  # seconds taken off every later timestamp after a damaged jump
        max_gap = self.config.max_frame_gap_s
        thinner = FrameThinner(self.config.max_fps)
        index = 0
        nominal = 1.0 / self.info.fps if self.info.fps > 0 else 1.0 / 30.0
        motion = (
            CameraMotionTracker(self.config.camera_motion)
            if self.config.camera_motion is not None
            else None
        )
        frame: Any = first
        while frame is not None:
            if self._stop.is_set():
                return
            if frame.pts is not None and t0_pts is not None and tb is not None:
                t = float((frame.pts - t0_pts) * tb) - shift
            else:  # no timestamp: continue from the previous frame
                t = 0.0 if last_t == -np.inf else last_t + nominal
            if not math.isfinite(t):
                t = last_t + nominal if last_t != -np.inf else 0.0
            if last_t != -np.inf and t - last_t > max_gap:  # damaged, not a pause
                shift += t - (last_t + nominal)
                self.retimed_jumps += 1
                t = last_t + nominal
            if t <= last_t:
                self.dropped_timestamps += 1
            else:
                last_t = t
                self.frames_decoded = index + 1
                if thinner.keep(t):
                    rgb = self._convert(frame)
                    yield index, t, rgb, (motion.update(rgb) if motion is not None else None)
                index += 1
            frame = next(raw, None)

    def _threaded(self) -> Iterator[_Item]:
        q: queue.Queue[_Item | BaseException | None] = queue.Queue(maxsize=self.config.prefetch)

        def put(item: _Item | BaseException | None) -> bool:
            while not self._stop.is_set():
                try:
                    q.put(item, timeout=0.1)
                    return True
                except queue.Full:
                    continue
            return False

        def work() -> None:
            try:
                for item in self._frames():
                    if not put(item):
                        return
            except BaseException as exc:  # re-raised in the consuming thread
                put(exc)
                return
            put(None)

        self._thread = threading.Thread(target=work, name="hipwise-decode", daemon=True)
        self._thread.start()
        while True:
            item = q.get()
            if item is None:
                break
            if isinstance(item, BaseException):
                raise item
            yield item

    def __iter__(self) -> Iterator[VideoFrame]:
        if self._iterated:
            raise RuntimeError("a VideoSource can be iterated only once; open the video again")
        self._iterated = True
        gen = self._threaded() if self.config.prefetch > 0 else self._frames()
        last_t = 0.0
        for index, t, rgb, motion in gen:
            self.frames_read += 1
            last_t = t
            yield VideoFrame(index=index, t=t, rgb=rgb, motion=motion)
        self._finish(last_t)

    def _finish(self, last_t: float) -> None:
        if self._last_error is not None:
            self.incomplete = IncompleteRead(
                frames_read=self.frames_decoded,
                last_t=last_t,
                expected_frames=self.info.frame_count,
                reason=self._last_error,
            )
            msg = self.incomplete.describe(self.path)
            self.warnings.append(msg)
            logger.warning("%s", msg)
        if self.retimed_jumps:
            msg = (
                f"{self.path.name}: {self.retimed_jumps} timestamp jump(s) longer than "
                f"{self.config.max_frame_gap_s:g} s were treated as damage and closed (the "
                f"frames after them were moved back)."
            )
            self.warnings.append(msg)
            logger.warning("%s", msg)
        expected = self.info.frame_count
        if (self.incomplete is None and expected > 0
                and self.frames_decoded < self.config.min_frames_frac * expected):
            msg = (
                f"{self.path.name}: only {self.frames_decoded} of the {expected} frames in "
                f"the file's index could be read (its index or timing is damaged); re-export "
                f"or copy the file again."
            )
            self.warnings.append(msg)
            logger.warning("%s", msg)
        if self.dropped_timestamps:
            msg = (
                f"{self.path.name}: skipped {self.dropped_timestamps} frames whose timestamps "
                f"did not increase."
            )
            self.warnings.append(msg)
            logger.warning("%s", msg)

    # -- lifetime ----------------------------------------------------------------------------

    def close(self) -> None:
        """Stop decoding and release the file (idempotent)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
            self._thread = None
        if self._container is not None:
            self._container.close()
            self._container = None

    def __enter__(self) -> VideoSource:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_video(path: str | Path, config: ReaderConfig | None = None) -> VideoSource:
    """Open ``path`` for streaming decoding (use as a context manager).

    Raises a :class:`~hipwise.video.errors.VideoError` subclass with a user-facing message:
    ``VideoNotFoundError``, ``NotAVideoError`` (text, still image, audio only),
    ``UnsupportedCodecError``, ``NoFramesError`` or ``CorruptVideoError`` (not one frame
    readable). Damage after the first frame does not raise: see :attr:`VideoSource.incomplete`.
    """
    return VideoSource(path, config)
