"""Errors raised when a video cannot be read, each with a message that says what to do.

Every error carries ``message`` (what went wrong, naming the file) and ``hint`` (what the user
can do about it). ``str(err)`` joins both, so a CLI can print it as is and exit with code 3
(``EXIT_BAD_INPUT``).
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "CorruptVideoError",
    "NoFramesError",
    "NotAVideoError",
    "UnreadableVideoError",
    "UnsupportedCodecError",
    "VideoError",
    "VideoNotFoundError",
]


class VideoError(Exception):
    """Base class: the video cannot be read. ``message`` says why, ``hint`` what to do."""

    default_hint = "Check the file and try again."

    def __init__(self, path: str | Path, message: str, hint: str | None = None) -> None:
        self.path = Path(path)
        self.message = message
        self.hint = hint if hint is not None else self.default_hint
        super().__init__(f"{message} {self.hint}")


class VideoNotFoundError(VideoError):
    """The path does not exist or is not a regular file."""

    default_hint = "Check the path (and that the file finished copying)."


class UnreadableVideoError(VideoError):
    """The file exists but cannot be read (no permission, an I/O error)."""

    default_hint = (
        "Check that your user may read the file (e.g. 'ls -l FILE'; 'chmod u+r FILE'), or "
        "copy it somewhere you own."
    )


class NotAVideoError(VideoError):
    """The file is not a video container (text, a still image, audio only...)."""

    default_hint = (
        "Pass a video file such as .mp4, .mov, .webm or .mkv recorded by a phone or webcam."
    )


class UnsupportedCodecError(VideoError):
    """The file is a video, but its codec cannot be decoded by this installation."""

    default_hint = (
        "Convert it to H.264 first, e.g. 'ffmpeg -i INPUT -c:v libx264 -pix_fmt yuv420p out.mp4', "
        "or record again with the phone's 'most compatible' (H.264) setting."
    )


class NoFramesError(VideoError):
    """The file is a video container but holds no decodable frame."""

    default_hint = "The recording is empty: record the set again."


class CorruptVideoError(VideoError):
    """The file is damaged so badly that not a single frame could be read."""

    default_hint = (
        "The file is probably incomplete (still copying, or the recording was interrupted): "
        "copy it again or re-export it from the phone."
    )
