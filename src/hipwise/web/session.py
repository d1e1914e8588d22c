"""One live training session, server side: pose → session tracker → coach, per frame.

:class:`LiveSession` owns the same :class:`~hipwise.reps.session.SessionTracker` that
``hipwise analyze`` drives (via :func:`~hipwise.analysis.engine.analyze_sequence`) and, for
images, the same :class:`~hipwise.pose.mediapipe_adapter.MediaPipePoseEstimator`; nothing is
re-implemented here. Each processed frame returns a JSON-ready dict for the page (landmarks,
phase, counts, reps, tempo, the cue, setup state, alerts).

:class:`SessionStore` keeps sessions in memory and pickles them to disk after every counted rep
and when a socket closes, so a page reload, a lost connection or a server restart resumes the
set with its reps.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import math
import os
import pickle
import shutil
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from hipwise import __version__
from hipwise.analysis.engine import EngineResult, rep_to_contract, to_contract
from hipwise.coach import (
    Alert,
    Coach,
    CoachFrame,
    Cue,
    SetupGate,
    SetupIssue,
    TempoGuide,
    setup_issues,
)
from hipwise.contract import Analysis, VideoInfo
from hipwise.faults import evaluate_faults
from hipwise.pose.checks import trunk_tilt
from hipwise.pose.landmarks import Side
from hipwise.pose.mediapipe_adapter import MediaPipePoseEstimator
from hipwise.pose.sequence import PoseFrame, PoseSequence
from hipwise.reps.session import RepRecord, SessionTracker
from hipwise.reps.tracker import Phase, PhaseChanged
from hipwise.settings import (
    VARIATION_CHOICES,
    AnalysisConfig,
    LiveConfig,
    VariationChoice,
)
from hipwise.variations.engine import VariationSet, analyze_variations
from hipwise.variations.live import LiveHold, LiveHoldTracker
from hipwise.variations.summary import describe_set, strip_markup
from hipwise.web.landmarks import LandmarkMessage

__all__ = [
    "HOLD_VARIATIONS",
    "LIVE_ALERT_CODES",
    "CaptureTimeError",
    "Estimator",
    "EstimatorFactory",
    "LiveSession",
    "PoseLog",
    "SessionStore",
    "frame_luma",
    "mediapipe_factory",
    "private_dir",
    "private_tree",
    "trim_memory",
    "write_private",
]

logger = logging.getLogger(__name__)

#: Largest capture time (s, either sign) accepted from the page: ~317 years, so both
#: ``performance.now()`` and epoch-based clocks pass; 1e300 ms does not.
MAX_CLIENT_TIME_S = 1e10


class CaptureTimeError(ValueError):
    """A frame's capture time that cannot be used (not finite, absurd, or going back)."""

_FORMAT = 2  # bump when the pickled state changes shape

#: Variations for which the live page tracks holds (``auto`` shows them once one is seen).
HOLD_VARIATIONS: frozenset[str] = frozenset({"auto", "isometric_hold", "isometric_circles"})
#: ... and for which it counts circles.
CIRCLE_VARIATIONS: frozenset[str] = frozenset({"auto", "isometric_circles"})
#: Coach cues about a rep's tempo and outcome, held back during an isometric hold (in-flight
#: form cues such as "keep your hips stacked" and warnings still come through).
_REP_CUE_KINDS = frozenset({"tempo", "rep", "streak", "praise"})
#: What the page says when the hold reaches a target (DOMAIN.md: 5 circles each way).
HOLD_CUES: dict[str, str] = {
    "circles_switch": "That's {n}: now circle the other way.",
    "circles_done": "{n} each way. Lower the leg slowly.",
    "hold_done": "{n} seconds. Lower the leg slowly.",
}

#: Setup problems that still matter once the set runs (shown as a banner and spoken).
LIVE_ALERT_CODES = frozenset({"too_dark", "no_person", "two_people", "standing", "out_of_frame"})


class Estimator(Protocol):
    """What a live session needs from a pose model (``MediaPipePoseEstimator`` fits)."""

    last_people: int

    def estimate(self, rgb: NDArray[np.uint8], t: float) -> PoseFrame: ...

    def close(self) -> None: ...


EstimatorFactory = Callable[[AnalysisConfig], Estimator]


def mediapipe_factory(config: AnalysisConfig) -> Estimator:
    """The pose adapter of ``hipwise analyze`` with the config's ``[pose]`` settings."""
    return MediaPipePoseEstimator(config.pose)


def frame_luma(rgb: NDArray[np.uint8], step: int = 8) -> float:
    """Mean brightness (0-255, Rec. 601 luma) of ``rgb (H, W, 3)``, on every ``step``-th pixel."""
    sub = rgb[::step, ::step].astype(np.float32)
    return float(np.mean(sub[..., 0] * 0.299 + sub[..., 1] * 0.587 + sub[..., 2] * 0.114))


def _num(x: float | None, nd: int = 1) -> float | None:
    return round(float(x), nd) if x is not None and math.isfinite(x) else None


def _rep_json(rec: RepRecord) -> dict[str, Any]:
    r = rep_to_contract(rec)
    return {
        "side": rec.side,
        "index": rec.index,
        "good": rec.good,
        "faults": list(rec.faults),
        "peak_deg": _num(r.peak_abduction_deg),
        "lift_s": _num(r.lift_s),
        "hold_s": _num(r.hold_s),
        "lower_s": _num(r.lower_s),
        "shaking": bool(r.shaking),
    }


class PoseLog:
    """Every pose the session tracker saw, compactly (float32), for the end-of-set analysis:
    the variations engine (holds, circles, clamshell, wall slide) works on the whole
    :class:`~hipwise.pose.sequence.PoseSequence`, as ``hipwise analyze`` does. About 1.1 kB a
    frame when pickled (measured)."""

    def __init__(self) -> None:
        self.t: list[float] = []
        self.xy: list[NDArray[np.float32]] = []
        self.depth: list[NDArray[np.float32]] = []
        self.world: list[NDArray[np.float32]] = []
        self.visibility: list[NDArray[np.float32]] = []
        self.detected: list[bool] = []
        self.sizes: list[tuple[int, int]] = []

    def __len__(self) -> int:
        return len(self.t)

    def append(self, frame: PoseFrame) -> None:
        """Keep one frame."""
        self.t.append(frame.t)
        self.xy.append(frame.xy.astype(np.float32))
        self.depth.append(frame.depth.astype(np.float32))
        self.world.append(frame.world.astype(np.float32))
        self.visibility.append(frame.visibility.astype(np.float32))
        self.detected.append(frame.detected)
        self.sizes.append(frame.image_size)

    def sequence(self) -> PoseSequence:
        """The frames as one sequence in the first frame's image size (frames of another size,
        e.g. a phone turned mid-set, are rescaled to it). Raises ValueError when empty."""
        if not self.t:
            raise ValueError("no frame was analysed")
        size = self.sizes[0]
        xy = np.stack(self.xy).astype(np.float64)
        scale = np.array(
            [[size[0] / w, size[1] / h] for w, h in self.sizes], dtype=np.float64
        )
        xy *= scale[:, None, :]
        return PoseSequence(
            t=np.asarray(self.t, dtype=np.float64),
            xy=xy,
            depth=np.stack(self.depth).astype(np.float64),
            world=np.stack(self.world).astype(np.float64),
            visibility=np.clip(np.stack(self.visibility).astype(np.float64), 0.0, 1.0),
            image_size=size,
            detected=np.asarray(self.detected, dtype=bool),
        )


def _hold_json(side: Side, h: LiveHold) -> dict[str, Any]:
    cw = sum(1 for c in h.circles if c.direction == "clockwise")
    return {
        "side": side,
        "hold_s": _num(h.hold.hold_s),
        "mean_deg": _num(h.hold.mean_abduction_deg),
        "sag_deg": _num(h.hold.sag_deg),
        "shaking": h.hold.shaking,
        "circles": {"clockwise": cw, "counterclockwise": len(h.circles) - cw},
    }


class LiveSession:
    """A session's server-side state; :meth:`process_image` / :meth:`process_pose` per frame.

    Times: the page sends its capture time; :meth:`clock` maps it to session seconds that keep
    increasing across reconnects and restarts (a gap counts as time at rest).
    """

    def __init__(
        self,
        session_id: str,
        config: AnalysisConfig,
        live: LiveConfig,
        factory: EstimatorFactory | None = None,
    ) -> None:
        self.id = session_id
        self.cfg = config
        self.live = live
        self.factory = factory
        self.tracker = SessionTracker(config, record_frames=True, rules=evaluate_faults)
        self.coach = Coach(live.coach, config.faults, config.conditions)
        self.tempo = TempoGuide(live.tempo, config.faults)
        self.gate = SetupGate(live.setup)
        self.checks = config.checks
        self.recent: deque[PoseFrame] = deque()
        self.phase: Phase = "rest"
        self.people = -1
        self._counts: deque[tuple[float, int]] = deque()
        self.last_t: float | None = None
        self.last_wall: float | None = None
        self.created_wall = time.time()
        self.frames = 0
        self.dropped = 0
        self.last_cue: Cue | None = None
        self.analysis: Analysis | None = None
        self.rep_version = 0
        self.variation: VariationChoice = config.variation
        self.poses = PoseLog()
        self.hold_tracker: LiveHoldTracker | None = None
        self.holds: list[tuple[Side, LiveHold]] = []
        self._hold_prev: dict[str, Any] | None = None
        self._offset: float | None = None
        self._last_client: float | None = None
        self._estimator: Estimator | None = None
        self._lock = threading.RLock()

    # -- pickling (the estimator and lock are not saved) -------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_estimator"] = None
        state["_lock"] = None
        state["factory"] = None
        state["_format"] = _FORMAT
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        if state.pop("_format", None) != _FORMAT:
            raise ValueError("saved session has an older format")
        self.__dict__.update(state)
        self._lock = threading.RLock()
        self._offset = None
        self._last_client = None

    # -- time --------------------------------------------------------------------------------
    def new_connection(self) -> None:
        """A socket (re)attached: the next client time starts a new offset."""
        self._offset = None
        self._last_client = None

    def clock(self, t_client: float, wall: float | None = None) -> float:
        """Session time (s) of a frame captured at ``t_client`` (s, the page's clock).

        The page's times are checked, never trusted: a time that is not finite or beyond
        ``±MAX_CLIENT_TIME_S``, or not after the previous frame's on this connection, raises
        :class:`CaptureTimeError` (the frame is dropped, the session is unchanged). A step
        longer than ``live.max_frame_gap_s`` re-anchors the clock on the server's wall clock
        (the session advances by the time that really passed, at least one frame)."""
        wall = time.time() if wall is None else wall
        if not math.isfinite(t_client) or abs(t_client) > MAX_CLIENT_TIME_S:
            raise CaptureTimeError(f"capture time {t_client!r} s is not a plausible time")
        last_client = getattr(self, "_last_client", None)
        if last_client is not None:
            if t_client <= last_client:
                raise CaptureTimeError("capture time is not after the previous frame's")
            if t_client - last_client > self.live.max_frame_gap_s:
                logger.warning("session %s: capture time jumped %.3g s: re-anchored", self.id,
                               t_client - last_client)
                self._offset = None
        self._last_client = t_client
        if self._offset is None:
            if self.last_t is None or self.last_wall is None:
                self._offset = -t_client
            else:
                gap = max(wall - self.last_wall, 1.0 / 30.0)
                self._offset = self.last_t + gap - t_client
        t = t_client + self._offset
        if self.last_t is not None and t <= self.last_t:
            t = self.last_t + 1e-3
        return t

    # -- per frame ---------------------------------------------------------------------------
    def _alerts(self, issues: list[SetupIssue]) -> list[Alert]:
        """Setup issues to say: all of them before the set, the live ones during it."""
        chosen = issues if not self.gate.passed else [
            i for i in issues if i.code in LIVE_ALERT_CODES
        ]
        return [Alert(i.code, i.message) for i in chosen[:1]]

    def _people_hold_s(self) -> float:
        """How long a people count stays valid: two counting intervals (s)."""
        pose = self.cfg.pose
        set_in_pose = "people_interval_s" in pose.model_fields_set
        interval = pose.people_interval_s if set_in_pose else self.live.people_interval_s
        return 2.0 * float(interval) + 0.5

    def _upright(self, frame: PoseFrame) -> bool:
        """Whether the trunk in ``frame`` is steeper than the input checks' standing angle."""
        if not frame.detected:
            return False
        tilt = float(trunk_tilt(frame.xy[None])[0])
        return bool(np.isfinite(tilt) and tilt > self.checks.standing_tilt_deg)

    def process_pose(self, frame: PoseFrame, people: int, luma: float) -> dict[str, Any]:
        """Feed one pose frame (``people`` counted in view, -1 = not counted this frame;
        ``luma`` 0-255) and return the page's update."""
        with self._lock:
            t = frame.t
            self.frames += 1
            if people >= 0:
                self._counts.append((t, people))
            while self._counts and self._counts[0][0] < t - self._people_hold_s():
                self._counts.popleft()
            # the most people counted recently: one count may miss someone half in view
            self.people = max((n for _, n in self._counts), default=-1)
            self.recent.append(frame)
            keep_s = max(self.live.setup.window_s, self.live.setup.lost_s)
            while self.recent and self.recent[0].t < t - keep_s:
                self.recent.popleft()
            t0 = time.perf_counter()
            # an upright person (standing up, walking to the phone, someone else tracked) is
            # not doing a side-lying leg lift: the tracker sees nobody rather than count it
            seen = PoseFrame.missing(t, frame.image_size) if self._upright(frame) else frame
            events = self.tracker.update(seen)
            state = self.tracker.frames[-1]  # kept for the report (~0.3 kB a frame)
            self.poses.append(seen)
            self._update_holds(seen, state.side, state.abduction_deg)
            for e in events:
                if isinstance(e, PhaseChanged):
                    self.phase = e.phase
                elif isinstance(e, RepRecord):
                    self.rep_version += 1
            issues = setup_issues(
                PoseSequence.from_frames(list(self.recent)), self.people, luma, self.live.setup,
                self.checks,
            )
            status = self.gate.update(t, issues)
            cue = self.coach.update(
                CoachFrame(t, self.phase, state.abduction_deg, state.channels, events,
                           self._alerts(issues))
            )
            if cue is not None and cue.kind in _REP_CUE_KINDS and self._in_hold(t):
                cue = None  # "Good rep." / "Hold two seconds" do not fit an isometric hold
            cue = self._hold_milestone(t) or cue
            if cue is not None:
                self.last_cue = cue
            tempo = self.tempo.update(t, self.phase)
            self.last_t = t
            self.last_wall = time.time()
            w, h = frame.image_size
            pose = None
            if frame.detected:
                xy = frame.xy / np.array([w, h])
                pose = [
                    [round(float(x), 4), round(float(y), 4), round(float(v), 2)]
                    for (x, y), v in zip(xy, frame.visibility, strict=True)
                ]
            out = self.state()
            out.update(
                type="result",
                t=round(t, 3),
                pose=pose,
                image=[w, h],
                angle=_num(state.abduction_deg),
                tempo={
                    "phase": tempo.phase,
                    "label": tempo.label,
                    "elapsed_s": round(tempo.elapsed_s, 2),
                    "target_s": round(tempo.target_s, 2),
                    "progress": round(tempo.progress, 3),
                    "count": tempo.count,
                },
                cue=None if cue is None else {"id": cue.id, "text": cue.text, "kind": cue.kind},
                setup={
                    "passed": status.passed,
                    "ok_for_s": round(status.ok_for_s, 2),
                    "issues": [{"code": i.code, "message": i.message} for i in issues],
                },
                alerts=[
                    {"code": i.code, "message": i.message}
                    for i in issues
                    if status.passed and i.code in LIVE_ALERT_CODES
                ],
                people=self.people,
                luma=round(luma, 1),
                timing={"track_ms": round(1000 * (time.perf_counter() - t0), 2)},
            )
            return out

    # -- variations ----------------------------------------------------------------------
    def set_variation(self, variation: str) -> None:
        """Say what the person trains (one of ``VARIATION_CHOICES``; ``auto`` = recognised).
        It applies to the whole set at Finish; holds already tracked are kept. Raises
        ValueError for an unknown name."""
        if variation not in VARIATION_CHOICES:
            raise ValueError(
                f"unknown variation {variation!r}; choose one of {', '.join(VARIATION_CHOICES)}"
            )
        with self._lock:
            if variation == self.variation:
                return
            self.variation = variation
            if self.hold_tracker is not None:
                if variation in HOLD_VARIATIONS:
                    self.hold_tracker.count_circles = variation in CIRCLE_VARIATIONS
                else:
                    self._end_hold_tracker()
            logger.info("session %s: variation %s", self.id, variation)

    def _end_hold_tracker(self) -> None:
        tr = self.hold_tracker
        if tr is not None:
            for h in tr.finish():
                self.holds.append((tr.side, h))
                self.rep_version += 1
        self.hold_tracker = None

    def _update_holds(self, frame: PoseFrame, side: Side | None, angle: float | None) -> None:
        """Feed the live hold tracker (isometric and auto only), one per working leg."""
        if self.variation not in HOLD_VARIATIONS:
            return
        if side is None:
            return
        if self.hold_tracker is None or self.hold_tracker.side != side:
            self._end_hold_tracker()
            self.hold_tracker = LiveHoldTracker(
                self.cfg, side, count_circles=self.variation in CIRCLE_VARIATIONS,
                circle_update_s=self.live.variations.circle_update_s,
            )
        tr = self.hold_tracker
        for h in tr.update(frame, angle):
            self.holds.append((side, h))
            self.rep_version += 1  # saved like a counted rep

    def _in_hold(self, t: float) -> bool:
        """Whether the person is doing an isometric hold now: always with an isometric
        variation chosen; with ``auto`` while a hold of ``holds.min_hold_s`` runs, or within
        ``coach.pending_s`` of a hold's end (the rep the tracker made of it is reported then)."""
        if self.variation in ("isometric_hold", "isometric_circles"):
            return True
        if self.variation != "auto":
            return False
        tr = self.hold_tracker
        if tr is not None and tr.hold_s >= self.cfg.variations.holds.min_hold_s:
            return True
        return bool(self.holds) and t - self.holds[-1][1].hold.end_s <= (
            self.live.coach.pending_s + self.cfg.variations.holds.settle_s
            + self.cfg.reps.rest_settle_s
        )

    def _hold_milestone(self, t: float) -> Cue | None:
        """A cue when the running hold reaches its target: the circles of one direction (turn
        the other way), both directions, or the hold time (plain hold)."""
        h = self.hold_state()
        prev, self._hold_prev = self._hold_prev, h
        if not h["show"] or prev is None or not prev["show"]:
            return None
        c, pc = h["circles"], prev["circles"]
        n = c["target"]
        key: str | None = None
        if c["show"]:
            done = {d: c[d] >= n for d in ("clockwise", "counterclockwise")}
            was = {d: pc[d] >= n for d in ("clockwise", "counterclockwise")}
            if all(done.values()) and not all(was.values()):
                key = "circles_done"
            elif any(done.values()) and not any(was.values()):
                key = "circles_switch"
        elif prev["hold_s"] < h["target_s"] <= h["hold_s"]:
            key, n = "hold_done", round(h["target_s"])
        if key is None:
            return None
        text = HOLD_CUES[key].format(n=n)
        return Cue(key, text[0].upper() + text[1:], priority=0, kind="tempo", t=t)

    def hold_state(self) -> dict[str, Any]:
        """The hold timer and circle counts for the page (all numbers from the server)."""
        with self._lock:
            hc = self.cfg.variations.holds
            cc = self.cfg.variations.circles
            tr = self.hold_tracker
            side = tr.side if tr is not None else None
            hold_s = tr.hold_s if tr is not None else 0.0
            counts = tr.circle_counts() if tr is not None else {
                "clockwise": 0, "counterclockwise": 0,
            }
            finished_here = [h for s_, h in self.holds if s_ == side]
            tracked = self.variation in HOLD_VARIATIONS
            if self.variation == "auto":
                # an ordinary rep holds ~2 s: show the timer once it is a real hold
                show = tracked and (hold_s >= hc.min_hold_s or bool(self.holds))
                circles_show = show and sum(counts.values()) >= (
                    self.cfg.variations.recognition.min_circles
                )
            else:
                show = tracked
                circles_show = self.variation in CIRCLE_VARIATIONS
            return {
                "variation": self.variation,
                "show": show,
                "side": side,
                "holding": tr is not None and tr.holding,
                "hold_s": round(hold_s, 1),
                "target_s": hc.target_s,
                "progress": round(min(hold_s / hc.target_s, 1.0), 3),
                "circles": {
                    "show": circles_show,
                    "clockwise": counts["clockwise"],
                    "counterclockwise": counts["counterclockwise"],
                    "target": cc.target_per_direction,
                },
                "holds": [_hold_json(s_, h) for s_, h in self.holds],
                "holds_here": len(finished_here),
            }

    def process_image(self, rgb: NDArray[np.uint8], t: float) -> dict[str, Any]:
        """Run the pose model on ``rgb (H, W, 3)`` uint8 at session time ``t`` (s), then
        :meth:`process_pose`."""
        with self._lock:
            if self._estimator is None:
                if self.factory is None:
                    raise RuntimeError("this session has no pose model factory")
                self._estimator = self.factory(self.cfg)
            t0 = time.perf_counter()
            frame = self._estimator.estimate(rgb, t)
            pose_ms = 1000 * (time.perf_counter() - t0)
            people = self._estimator.last_people
            out = self.process_pose(frame, people, frame_luma(rgb))
            out["timing"]["pose_ms"] = round(pose_ms, 2)
            return out

    def process_landmarks(self, msg: LandmarkMessage) -> dict[str, Any]:
        """Landmarks the page's own pose model found (browser pose, checked by
        :class:`~hipwise.web.landmarks.LandmarkGate`) at their capture time: the same
        :meth:`process_pose` as server-side pose, so both paths count alike."""
        with self._lock:
            frame = msg.frame(self.clock(msg.t_s))
            return self.process_pose(frame, msg.people, msg.luma)

    # -- summaries ---------------------------------------------------------------------------
    def reps(self) -> list[RepRecord]:
        """Every counted rep so far, in order."""
        return [r for s in self.tracker.sets for r in s.reps]

    def state(self) -> dict[str, Any]:
        """Counts, reps and phase: what a (re)connecting page needs to redraw."""
        with self._lock:
            counts: dict[str, dict[str, int]] = {
                "left": {"reps": 0, "good": 0}, "right": {"reps": 0, "good": 0},
            }
            reps = self.reps()
            for r in reps:
                counts[r.side]["reps"] += 1
                counts[r.side]["good"] += int(r.good)
            return {
                "session": self.id,
                "side": self.tracker.side,
                "phase": self.phase,
                "counts": counts,
                "reps": [_rep_json(r) for r in reps],
                "rep_version": self.rep_version,
                "finished": self.analysis is not None,
                "setup_passed": self.gate.passed,
                "variation": self.variation,
                "hold": self.hold_state(),
            }

    def finish(self) -> Analysis:
        """End the set: close a rep already back at rest and build the contract analysis."""
        with self._lock:
            if self.analysis is not None:
                return self.analysis

            t_end = (self.last_t or 0.0) + self.cfg.reps.rest_settle_s + 1e-3
            self.tracker.finish(t_end)
            duration = max(self.last_t or 0.0, 1e-3)
            info = VideoInfo(
                duration_s=round(duration, 3),
                fps=round(max(self.frames, 1) / duration, 3),
                frames=self.frames,
            )
            warnings = ["Live session: frames were analysed as they arrived "
                        f"({self.frames} analysed, {self.dropped} dropped to stay current)."]
            self._end_hold_tracker()
            self.analysis = to_contract(
                EngineResult(sets=self.tracker.sets, frames=[],
                             variation_sets=self._variation_sets(warnings)),
                info, warnings, __version__,
            )
            self.rep_version += 1
            return self.analysis

    def _variation_sets(self, warnings: list[str]) -> list[VariationSet] | None:
        """The set's variations by the engine of ``hipwise analyze``
        (:func:`~hipwise.variations.engine.analyze_variations` over every pose seen, with the
        chosen variation); None (leg-lift reps only) when that fails, with a warning."""
        if not len(self.poses):
            return []
        cfg = self.cfg.model_copy(update={"variation": self.variation})
        try:
            return analyze_variations(
                self.poses.sequence(), cfg, self.tracker.sets, list(self.tracker.frames)
            )
        except Exception as exc:  # never lose the counted reps over the variations
            logger.exception("variation analysis of session %s failed", self.id)
            warnings.append(f"Holds and circles could not be analysed ({exc}); reps only.")
            return None

    def summary_lines(self) -> list[list[str]]:
        """Per set of the finished analysis, the plain-language lines of ``hipwise analyze``
        (:func:`~hipwise.variations.summary.describe_set`: holds, sag, shaking, circles per
        direction, circle size against the dinner plate); empty lists for leg lifts."""
        if self.analysis is None:
            return []
        cc = self.cfg.variations.circles
        return [[strip_markup(line) for line in describe_set(s, cc)] for s in self.analysis.sets]

    def close(self) -> None:
        """Release the pose model (and hand the freed memory back to the system)."""
        with self._lock:
            if self._estimator is not None:
                self._estimator.close()
                self._estimator = None
                trim_memory()


class SessionStore:
    """Live sessions by id: in memory, saved to ``folder/<id>/session.pkl``."""

    def __init__(
        self,
        folder: Path,
        config: AnalysisConfig,
        live: LiveConfig,
        factory: EstimatorFactory | None,
    ) -> None:
        self.folder = folder
        self.cfg = config
        self.live = live
        self.factory = factory
        self.sessions: dict[str, LiveSession] = {}
        self._expired_at = 0.0
        # open/new run on the event loop, prune on the pose worker after a socket closed
        self._lock = threading.RLock()

    def path(self, session_id: str) -> Path:
        """The folder of one session (its saved state, analysis and report)."""
        return self.folder / session_id

    def new(self, keep: set[str] | None = None) -> LiveSession:
        """A fresh session with a new random id (memory is pruned first, see :meth:`prune`;
        ``keep``: ids of sessions with a page attached)."""
        with self._lock:
            self.prune(keep or set(), room=1)
            self._maybe_expire()
            s = LiveSession(uuid.uuid4().hex[:16], self.cfg, self.live, self.factory)
            self.sessions[s.id] = s
            return s

    def open(self, session_id: str | None,
             keep: set[str] | None = None) -> tuple[LiveSession, bool]:
        """The session ``session_id`` (from memory, else from disk) and True, or a new one and
        False when it is unknown, finished, expired or unreadable."""
        with self._lock:
            if session_id and _valid_id(session_id):
                s = self.sessions.pop(session_id, None) or self._load(session_id)
                if s is not None and s.analysis is None:
                    s.factory = self.factory
                    self.prune(keep or set(), room=1)
                    self.sessions[s.id] = s  # most recently used last
                    return s, True
            return self.new(keep), False

    def prune(self, keep: set[str], room: int = 0) -> None:
        """Hold at most ``live.max_sessions - room`` sessions in memory: the least recently
        opened ones not in ``keep`` (no page attached) are saved, their pose models closed,
        and dropped from memory (they resume from disk)."""
        limit = max(self.live.max_sessions - room, 0)
        with self._lock:
            for sid in list(self.sessions):
                if len(self.sessions) <= limit:
                    break
                s = self.sessions.get(sid)
                if s is None or sid in keep:
                    continue
                self.save(s)  # saved before it leaves memory: a resume reads this state
                del self.sessions[sid]
                s.close()
                logger.info("session %s saved and dropped from memory", sid)

    def _maybe_expire(self) -> None:
        now = time.time()
        if now - self._expired_at >= 3600.0:
            self.expire(now)

    def expire(self, now: float | None = None) -> list[str]:
        """Delete session folders past their time: unfinished ones (no ``analysis.json``)
        whose state was last saved more than ``live.session_keep_h`` ago, finished ones older
        than ``live.report_keep_days``. Sessions in memory are kept. Returns the deleted ids;
        errors are logged."""
        now = time.time() if now is None else now
        self._expired_at = now
        gone: list[str] = []
        if not self.folder.is_dir():
            return gone
        for d in self.folder.iterdir():
            if not _valid_id(d.name) or not d.is_dir() or d.name in self.sessions:
                continue
            try:
                finished = (d / "analysis.json").is_file()
                newest = max((f.stat().st_mtime for f in d.iterdir()),
                             default=d.stat().st_mtime)
                keep_s = (self.live.report_keep_days * 86400.0 if finished
                          else self.live.session_keep_h * 3600.0)
                if now - newest > keep_s:
                    shutil.rmtree(d)
                    gone.append(d.name)
            except OSError as exc:
                logger.warning("cannot expire live session folder %s: %s", d, exc)
        if gone:
            logger.info("deleted %d expired live session folder(s)", len(gone))
        return gone

    def exists(self, session_id: str) -> bool:
        """Whether ``session_id`` is a valid id with a folder on disk (or a session in memory)."""
        return _valid_id(session_id) and (
            session_id in self.sessions or self.path(session_id).is_dir()
        )

    def get(self, session_id: str) -> LiveSession | None:
        """A session known in memory or on disk (finished ones too)."""
        if not _valid_id(session_id):
            return None
        return self.sessions.get(session_id) or self._load(session_id)

    def _load(self, session_id: str) -> LiveSession | None:
        f = self.path(session_id) / "session.pkl"
        if not f.is_file():
            return None
        age_h = (time.time() - f.stat().st_mtime) / 3600.0
        if age_h > self.live.session_keep_h:
            return None
        try:
            with f.open("rb") as fh:
                s = pickle.load(fh)  # our own file in the user's data dir
        except Exception as exc:  # a damaged or old file: start afresh, say why in the log
            logger.warning("cannot resume session %s: %s", session_id, exc)
            return None
        if not isinstance(s, LiveSession):
            return None
        s.live = self.live  # this server's live settings (an older file may lack new ones)
        return s

    def save(self, session: LiveSession) -> None:
        """Write the session's state (atomically); errors are logged, never raised."""
        folder = self.path(session.id)
        try:
            with session._lock:
                data = pickle.dumps(session, protocol=pickle.HIGHEST_PROTOCOL)
            private_dir(self.folder)
            write_private(folder / "session.pkl", data)
        except OSError as exc:
            logger.warning("cannot save live session %s: %s", session.id, exc)

    def close(self) -> None:
        """Save every session and release the pose models."""
        for s in self.sessions.values():
            self.save(s)
            s.close()


def trim_memory() -> None:
    """Return freed heap memory to the system (glibc ``malloc_trim``; nothing elsewhere).
    A closed MediaPipe model leaves ~30-100 MB of free but mapped heap behind: 16 models
    opened and closed in a row grew the process from 290 to 597 MB without it, and stayed
    at 216-344 MB with it (measured on this machine)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):  # not glibc (musl): nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def private_dir(folder: Path) -> None:
    """Create ``folder`` (and missing parents) readable by the owner only (0700)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (a temporary file renamed over it), readable by
    the owner only (0600, folder 0700)."""
    private_dir(path.parent)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(path)


def private_tree(folder: Path) -> None:
    """Make everything under ``folder`` owner-only: folders 0700, files 0600 (errors are
    logged)."""
    try:
        if not folder.is_dir():
            return
        folder.chmod(0o700)
        for p in folder.rglob("*"):
            if p.is_symlink():
                continue
            p.chmod(0o700 if p.is_dir() else 0o600)
    except OSError as exc:
        logger.warning("cannot restrict the permissions under %s: %s", folder, exc)


def _valid_id(session_id: str) -> bool:
    return 1 <= len(session_id) <= 64 and all(c in "0123456789abcdef" for c in session_id)
