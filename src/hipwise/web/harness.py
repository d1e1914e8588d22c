"""Driving the live page without a person: a fake camera from a clip, headless Chromium, and
the app served from a background thread. Used by the browser tests and the latency benchmark.

Chromium's fake capture device streams a ``.y4m`` file at its own frame rate, in order, looping
without a gap (NOTES.md), so clips are converted here with PyAV (no ffmpeg binary needed) and
padded with still frames at both ends.
"""

from __future__ import annotations

import logging
import shutil
import socket
import threading
import time
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
import uvicorn
from numpy.typing import NDArray

__all__ = [
    "ServerThread",
    "chromium_args",
    "chromium_path",
    "free_port",
    "solid_y4m",
    "video_to_y4m",
]

logger = logging.getLogger(__name__)


def _header(w: int, h: int, fps: int) -> bytes:
    return f"YUV4MPEG2 W{w} H{h} F{fps}:1 Ip A1:1 C420jpeg\n".encode("ascii")


def _yuv420(rgb: NDArray[np.uint8]) -> bytes:
    """Planar Y, U, V (4:2:0, full-range BT.601) bytes of ``rgb (H, W, 3)``, even H and W."""
    return bytes(cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420).tobytes())


def video_to_y4m(
    src: Path, dst: Path, pad_start_s: float = 0.0, pad_end_s: float = 0.0, fps: int = 30
) -> float:
    """Convert ``src`` (any video PyAV reads) into an uncompressed ``dst`` y4m at ``fps``
    frames/s (each source frame held until the next one's timestamp, the last for the mean
    frame interval), with the first frame held for ``pad_start_s`` and the last for
    ``pad_end_s`` seconds. Returns the y4m's duration (s)."""
    frames_out = 0
    next_t = 0.0

    def emit(out: Any, data: bytes, until: float) -> None:
        nonlocal frames_out, next_t
        while next_t < until - 1e-6:
            out.write(b"FRAME\n" + data)
            frames_out += 1
            next_t += 1.0 / fps

    with av.open(str(src)) as container, Path(dst).open("wb") as out:
        stream = container.streams.video[0]
        prev: tuple[float, bytes] | None = None
        t0: float | None = None
        count = 0
        for frame in container.decode(stream):
            rgb = frame.to_ndarray(format="rgb24")
            h, w = rgb.shape[:2]
            rgb = np.ascontiguousarray(rgb[: h - h % 2, : w - w % 2], dtype=np.uint8)
            data = _yuv420(rgb)
            t = float(frame.time) if frame.time is not None else count / fps
            if t0 is None:
                t0 = t
                out.write(_header(rgb.shape[1], rgb.shape[0], fps))
                for _ in range(round(pad_start_s * fps)):
                    out.write(b"FRAME\n" + data)
                    frames_out += 1
            if prev is not None:
                emit(out, prev[1], t - t0)
            prev = (t - t0, data)
            count += 1
        if prev is None:
            raise ValueError(f"{src} has no video frames")
        step = prev[0] / (count - 1) if count > 1 else 1.0 / fps
        emit(out, prev[1], prev[0] + step)
        for _ in range(round(pad_end_s * fps)):
            out.write(b"FRAME\n" + prev[1])
            frames_out += 1
    return frames_out / fps


def solid_y4m(dst: Path, luma: int, seconds: float, size: tuple[int, int] = (640, 480),
              fps: int = 30) -> None:
    """A y4m of one flat grey level ``luma`` (0-255): an empty room, or a dark one."""
    w, h = size
    frame = bytes([luma]) * (w * h) + bytes([128]) * (w * h // 2)
    with Path(dst).open("wb") as out:
        out.write(_header(w, h, fps))
        for _ in range(round(seconds * fps)):
            out.write(b"FRAME\n" + frame)


def chromium_path() -> str | None:
    """Debian's chromium binary, if installed."""
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_args(y4m: Path | None, allow_camera: bool = True) -> list[str]:
    """Flags for headless Chromium with a fake camera streaming ``y4m`` (NOTES.md). Without
    ``allow_camera`` the permission prompt is not auto-accepted (getUserMedia is denied)."""
    args = [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--autoplay-policy=no-user-gesture-required",
        "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
    ]
    if y4m is not None:
        args += ["--use-fake-device-for-media-stream",
                 f"--use-file-for-fake-video-capture={Path(y4m).resolve()}"]
    if allow_camera:
        args.append("--use-fake-ui-for-media-stream")
    return args


def free_port() -> int:
    """A TCP port free on localhost right now."""
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
    finally:
        s.close()


class ServerThread:
    """Serve an ASGI ``app`` with uvicorn on ``127.0.0.1:port`` from a daemon thread (HTTPS
    when ``ssl`` = (cert.pem, key.pem) is given)."""

    def __init__(self, app: Any, port: int | None = None,
                 ssl: tuple[Path, Path] | None = None) -> None:
        self.port = port or free_port()
        scheme = "https" if ssl else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}/"
        tls: dict[str, str] = {}
        if ssl is not None:
            tls = {"ssl_certfile": str(ssl[0]), "ssl_keyfile": str(ssl[1])}
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                ws_max_size=8 * 1024 * 1024, **tls)  # type: ignore[arg-type]
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self, timeout_s: float = 20.0) -> ServerThread:
        """Start and wait until it accepts connections."""
        self.thread.start()
        end = time.monotonic() + timeout_s
        while not self.server.started:
            if time.monotonic() > end or not self.thread.is_alive():
                raise RuntimeError("the live server did not start")
            time.sleep(0.05)
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        """Shut down (open sockets are closed, sessions saved)."""
        self.server.should_exit = True
        self.thread.join(timeout_s)

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
