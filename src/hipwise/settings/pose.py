"""Settings of the pose model adapter (``[pose]``) and of the camera-motion measure it runs
(``[pose.camera_motion]``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from hipwise.settings_base import FrozenSettings

__all__ = ["MotionConfig", "Orientation", "PoseConfig"]


class MotionConfig(FrozenSettings):
    """Settings of :class:`CameraMotionTracker`."""

    analysis_width: int = Field(default=160, ge=32, le=1920)
    """Width in pixels of the grey image the shift is measured on (height keeps the aspect
    ratio). 160 px resolves shifts of ~0.1 % of the frame width, far below what matters."""

    min_response: float = Field(default=0.1, ge=0.0, lt=1.0)
    """Phase-correlation peak (0-1) under which a frame's shift is unknown (NaN). Rendered and
    real still scenes with a person lifting a leg peak at 0.15-1.0; a camera moved by 20 % of
    the frame still peaks at ~0.15."""



Orientation = Literal["auto", "none", 0, 90, 180, 270]


class PoseConfig(FrozenSettings):
    """Pose-model settings (frozen, unknown keys are errors). Every threshold is documented
    with its unit and valid range."""

    backend: Literal["tasks", "solutions"] = "tasks"
    """``tasks``: Tasks PoseLandmarker on a locally built bundle (real timestamps, person
    count); ``solutions``: legacy single-person API. Same weights, same speed."""

    orientation: Orientation = "none"
    """Clockwise rotation (degrees) applied to frames before the model: ``auto`` chooses per
    video (and again after the person is lost), ``none`` = 0, or a fixed 0/90/180/270.
    Measured on rendered side-lying clips (4 clips, 1 218 analysed frames, and the same clips
    downscaled to 160-320 px or stored turned 90°/180°): BlazePose's detector estimates the
    body's rotation itself, so ``auto`` found the person in exactly as many frames (100 %)
    with the same accuracy (median error vs the rendered truth 3.9-5.0 px with ``auto``,
    3.7-5.1 px without) and the same jitter, while costing a frame copy (~0.5 ms) per frame
    and four still-image passes per decision. Hence ``none`` by default; ``auto`` stays for
    footage where the detector struggles with horizontal bodies."""

    retry_turned: bool = True
    """When a video would be refused because the person was found in too few frames
    (``no_person``, or only part of a body), ``hipwise analyze`` looks again: with
    ``orientation="auto"`` (frames turned head-up), then also with a 2x digital zoom on the
    middle of the picture (a person far away), and keeps the run that found the person in the
    most frames. Costs the extra passes only on videos that would otherwise be refused."""

    mirror: Literal["head_right", "none"] = "head_right"
    """``head_right``: frames where the person's head lies at the image's left are mirrored
    before the model (landmarks mapped back, left and right swapped), so the model always sees
    the head at the right. BlazePose is not mirror-symmetric here: on rendered clips it read
    the leg-lift peak 1.0-3.2 deg low with the head at the left (3 clips, 8 reps) and
    0.4-1.9 deg high with it at the right; the same head-left clips mirrored read -0.3 to
    -1.3 deg, and a head-right clip mirrored read 2-3 deg low. Before the tracker first sees
    anyone, a still-image pass (every ``probe_interval_s``) tells where the head is; the flip
    costs ~0.07 ms a frame, and analysis speed over the bare model's was the same with and
    without it (83-90 %, run-to-run noise). ``none`` leaves frames as they are."""

    mirror_switch_s: float = Field(default=1.0, ge=0.0, le=60.0)
    """Seconds the head must stay on the other side before the mirroring follows (a person
    turning over to work the other leg; the tracker then starts afresh)."""

    min_detection_confidence: float = Field(default=0.5, ge=0.0, le=1.0)
    """Person-detector score needed to start tracking someone (MediaPipe default)."""

    min_presence_confidence: float = Field(default=0.5, ge=0.0, le=1.0)
    """Landmark model's person-presence score needed to keep a pose (Tasks backend)."""

    min_tracking_confidence: float = Field(default=0.5, ge=0.0, le=1.0)
    """Below this, tracking is dropped and the detector runs again (MediaPipe default)."""

    smooth_landmarks: bool = True
    """Temporal smoothing (legacy backend; the Tasks backend always smooths in video mode)."""

    max_fps: float | None = Field(default=12.0, gt=0.0, le=240.0)
    """Run the model on at most this many frames per second of video on average (the frames
    nearest a 12 Hz grid: steps of 2 and 3 frames at 30 fps; see
    :class:`~hipwise.video.FrameThinner`); ``None`` analyses every frame. The model takes
    ~20 ms a frame on one core (NOTES.md), so 30 fps analysed in full runs at only ~1.6x real
    time, 15 fps at ~3.1x (too close to the 3x target) and 12 fps at ~3.8x. Landmark accuracy
    did not change with the rate (median error vs rendered truth 3.73 px at 30 fps, 3.73 at
    15, 3.68 at 10; ankles 4.76/4.76/4.82 px). Times keep an ~83 ms resolution (phases last
    1-4 s); oscillations above ~6 Hz are not resolved."""

    lost_after_s: float = Field(default=0.5, gt=0.0, le=60.0)
    """Seconds without a person after which tracking counts as lost and the orientation is
    decided again on the next detection."""

    probe_interval_s: float = Field(default=1.0, gt=0.0, le=60.0)
    """While nobody is found, how often (seconds) all four orientations are tried on a frame
    (4 still-image passes, ~120 ms)."""

    lying_weight: float = Field(default=0.5, ge=0.0, le=10.0)
    """Which pose is the person doing the exercise (when deciding the orientation, and when
    several people are in view): score = mean body-landmark visibility (0-1) + lying_weight x
    |cos(trunk angle to the image's x axis)| (1 for a horizontal trunk)."""

    count_people: bool = True
    """Count the people in view every ``people_interval_s`` (Tasks backend only)."""

    people_interval_s: float = Field(default=5.0, gt=0.0, le=600.0)
    """Seconds between two person counts (every quarter of it once two people were seen, to
    measure how long they stay). A count is two still-image passes, the frame upright (for a
    standing bystander) and turned so the tracked person is head-up (for someone lying like
    them); a still-image pass costs about twice a tracking one (~40 ms: detector + landmarks
    per person), so this is ~6.5 % extra at 12 analysed frames/s. With
    ``orientation="auto"`` the count also checks that the tracked person is still head-up
    in the turned frame (else the orientation is decided again)."""

    min_uprightness: float = Field(default=0.5, ge=-1.0, le=1.0)
    """At each count, if the tracked person's trunk in the turned frame makes a cosine below
    this with the downward axis (0.5: more than 60° off head-up), the orientation is decided
    again from that pose (corrects a wrong first decision)."""

    max_people: int = Field(default=2, ge=2, le=10)
    """Most people a still-image pass (and multi-person tracking) looks for; each one costs a
    landmark-model run. Two is enough to tell "someone else is in view"."""

    same_person_torso: float = Field(default=0.5, gt=0.0, le=10.0)
    """Two poses whose landmarks lie, in the median, closer than this many trunk lengths are
    one person (seen twice, e.g. in two rotations)."""

    same_person_overlap: float = Field(default=0.5, gt=0.0, le=1.0)
    """Two poses of one pass whose landmark boxes overlap at least this much (intersection over
    union) are one person: a body in an unusual pose read twice; a second person's outline is
    their own."""

    max_jump_torso: float = Field(default=1.0, gt=0.0, le=10.0)
    """With several people tracked, the followed person's landmarks may move (median) at most
    this many trunk lengths between analysed frames (further: someone else, the frame is
    treated as empty)."""

    partial_confidence: float | None = Field(default=0.2, ge=0.0, le=1.0)
    """While nobody is found, every ``partial_interval_s`` a still-image pass with this low
    detector/presence threshold looks for a body only partly in the picture (the detector
    needs the head: legs alone are found only at ~0.2). Such poses are not analysed; they let
    the input checks say "body out of frame" instead of "no person". ``None`` disables it."""

    partial_interval_s: float = Field(default=2.0, gt=0.0, le=60.0)
    """Seconds between two partial-body passes while nobody is found (4 rotations, ~120 ms)."""

    camera_motion: MotionConfig | None = MotionConfig()
    """Measure the global camera shift on each analysed frame (``None`` to skip); reused from
    the reader's frames when it already measured it (``ReaderConfig.camera_motion``)."""
