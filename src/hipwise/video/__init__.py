"""Video input and output: streaming decoding in display orientation, H.264 writing, and a
cheap camera-motion signal recorded while decoding."""

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
from hipwise.video.reader import (
    FrameThinner,
    IncompleteRead,
    ReaderConfig,
    VideoFrame,
    VideoMeta,
    VideoSource,
    display_size,
    open_video,
    scaled_size,
)
from hipwise.video.writer import VideoWriter

__all__ = [
    "CameraMotionTracker",
    "CorruptVideoError",
    "FrameThinner",
    "IncompleteRead",
    "MotionConfig",
    "MotionSample",
    "NoFramesError",
    "NotAVideoError",
    "ReaderConfig",
    "UnreadableVideoError",
    "UnsupportedCodecError",
    "VideoError",
    "VideoFrame",
    "VideoMeta",
    "VideoNotFoundError",
    "VideoSource",
    "VideoWriter",
    "display_size",
    "open_video",
    "scaled_size",
]
