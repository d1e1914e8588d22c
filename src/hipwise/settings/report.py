"""Settings of the report writer (``[report]``: HTML, annotated video, CSV)."""

from __future__ import annotations

from pydantic import Field

from hipwise.settings_base import FrozenSettings

__all__ = ["ReportConfig"]


class ReportConfig(FrozenSettings):
    """How the report is drawn and encoded. Every default is chosen for a phone screen and a
    2-core machine; none of them changes a count or a fault (those live in
    :class:`hipwise.settings.AnalysisConfig`)."""

    annotated_video: bool = Field(
        default=True,
        description="Write the annotated H.264 MP4 (needs the source video). Encoding costs "
        "about as long as decoding the video again.",
    )
    key_frames: bool = Field(
        default=True,
        description="Embed one key frame per rep (the frame nearest the peak, skeleton drawn) "
        "in the HTML. Without a video, the skeleton is drawn on a plain background.",
    )
    key_frame_width: int = Field(
        default=480,
        ge=64, le=3840,
        description="Key frames are scaled to this width (px): sharp on a phone, ~25-40 kB "
        "each as JPEG.",
    )
    key_frame_crop: bool = Field(
        default=True,
        description="Crop key frames around the person (the landmarks' bounding box plus "
        "key_frame_margin), so the body fills the thumbnail on a phone.",
    )
    key_frame_margin: float = Field(
        default=0.12,
        ge=0, le=2,
        description="Margin around the person in a cropped key frame, as a fraction of the "
        "person's larger extent.",
    )
    key_frame_aspect: float = Field(
        default=1.6,
        gt=0, le=10,
        description="Width / height of a cropped key frame (16:10 suits a lying person).",
    )
    key_frame_window_s: float = Field(
        default=0.1,
        gt=0, le=10,
        description="A key frame is the video frame nearest the rep's peak within this many "
        "seconds (or one frame interval, if longer); without one the skeleton is drawn on a "
        "plain background.",
    )
    jpeg_quality: int = Field(
        default=80, ge=30, le=100, description="JPEG quality (0-100) of the inline key frames."
    )
    video_max_long_side: int = Field(
        default=640,
        ge=16, le=7680,
        description="The annotated video is decoded (and written) with its long side at most "
        "this many pixels; 640 matches the pose model's input, so landmarks need no rescaling.",
    )
    video_crf: int = Field(
        default=23,
        ge=0,
        le=51,
        description="x264 constant rate factor of the annotated video (18-28 sensible; "
        "lower = better quality, larger file).",
    )
    video_preset: str = Field(
        default="veryfast",
        description="x264 speed preset; 'veryfast' keeps encoding cheap on 2 cores.",
    )
    interpolate_max_gap_s: float = Field(
        default=0.25,
        gt=0, le=10,
        description="The pose model runs at most ~15 frames/s; video frames between two analysed "
        "frames closer than this (s) get linearly interpolated landmarks, otherwise the latest "
        "analysed pose is held.",
    )
    hold_pose_s: float = Field(
        default=0.5,
        gt=0, le=60,
        description="A pose is drawn for at most this long (s) after the last analysed frame "
        "with a person; later video frames show no skeleton.",
    )
    cue_show_s: float = Field(
        default=4.0,
        gt=0, le=60,
        description="How long (s) the cue of a rep's most important fault stays on the "
        "annotated video after the rep is counted.",
    )
    min_visibility: float = Field(
        default=0.3,
        ge=0,
        le=1,
        description="Landmarks below this visibility are not drawn (matches the engine's "
        "filter.min_visibility default).",
    )
    chart_width_in: float = Field(
        default=7.5,
        gt=0, le=40,
        description="Chart width (inches at 72 px/in) on screens wider than 640 px; the SVG "
        "scales to the page.",
    )
    chart_phone_width_in: float = Field(
        default=4.6,
        gt=0, le=40,
        description="Chart width (inches) of the second rendering shown on phones (<= 640 px): "
        "about the screen's width, so labels stay legible instead of shrinking.",
    )
    chart_font_pt: float = Field(
        default=10.5, gt=0, le=72, description="Chart font size (pt) of the wide charts."
    )
    chart_phone_font_pt: float = Field(
        default=10.0, gt=0, le=72, description="Chart font size (pt) of the phone charts."
    )
    margin_s: float = Field(
        default=1.5,
        ge=0, le=60,
        description="Time (s) shown before a set's first rep and after its last one in charts.",
    )
    hold_margin_s: float = Field(
        default=4.0,
        ge=0, le=60,
        description="Time (s) shown before an isometric hold's start and after its end in "
        "charts: the lift and the lower around it (a slow lift or lower takes 1.5-3 s).",
    )
    circle_size_tolerance: float = Field(
        default=0.3,
        ge=0, le=1,
        description="The circles' mean diameter counts as 'about a dinner plate' within this "
        "fraction of variations.circles.target_diameter_cm (the terminal summary's +-30 %: a "
        "plate is 22-28 cm, and the diameter reads ~10 % small on rendered bodies).",
    )
