"""Live-app test helpers: a scripted pose model (no MediaPipe) and tiny JPEG frames."""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hipwise.contract import Analysis
from hipwise.pose.sequence import PoseFrame, PoseSequence
from hipwise.settings import AnalysisConfig
from tests.conftest import make_sequence


class ScriptedEstimator:
    """Plays a landmark sequence in real time, whatever the image: the pose at session time
    ``t`` is the sequence's frame nearest ``t - start`` (held at the end, or ``missing``
    after ``gone_after_s``). ``people`` is reported on every frame."""

    def __init__(self, seq: PoseSequence, people: int = 1, loop: bool = False,
                 gone_after_s: float | None = None) -> None:
        self.seq = seq
        self.people = people
        self.loop = loop
        self.gone_after_s = gone_after_s
        self.last_people = -1
        self.start: float | None = None
        self.calls = 0
        self.closed = False

    def estimate(self, rgb: Any, t: float) -> PoseFrame:
        self.calls += 1
        if self.start is None:
            self.start = t - float(self.seq.t[0])
        local = t - self.start
        self.last_people = self.people
        if self.gone_after_s is not None and local > self.gone_after_s:
            self.last_people = 0
            return PoseFrame.missing(t, self.seq.image_size)
        span = float(self.seq.t[-1])
        if self.loop and local > span:
            local = local % span
        i = int(np.clip(np.searchsorted(self.seq.t, local), 0, len(self.seq) - 1))
        f = self.seq.frame(i)
        return PoseFrame(t=t, xy=f.xy, depth=f.depth, world=f.world,
                         visibility=f.visibility, detected=f.detected,
                         image_size=f.image_size)

    def close(self) -> None:
        self.closed = True


def three_reps() -> tuple[PoseSequence, Analysis]:
    """Right leg (lying on the left): good, hip hike, good; 2 s of rest at both ends."""
    return make_sequence(
        [
            {"peak_deg": 30, "rest_s": 1.5},
            {"peak_deg": 30, "faults": ["hip_hike"], "rest_s": 1.5},
            {"peak_deg": 28},
        ],
        motion={"lead_in_s": 2.0, "lead_out_s": 2.0},
    )


def jpeg_message(frame_id: float, t_ms: float, size: tuple[int, int] = (64, 48)) -> bytes:
    """A binary frame message (header + a small grey JPEG)."""
    import cv2

    w, h = size
    ok, buf = cv2.imencode(".jpg", np.full((h, w, 3), 120, dtype=np.uint8))
    assert ok
    return struct.pack("<dd", frame_id, t_ms) + buf.tobytes()


Factory = Callable[[AnalysisConfig], ScriptedEstimator]


@pytest.fixture
def scripted() -> Callable[..., Factory]:
    """``scripted(seq, **kw)`` → an estimator factory that plays ``seq``."""

    def make(seq: PoseSequence, **kw: Any) -> Factory:
        def factory(cfg: AnalysisConfig) -> ScriptedEstimator:
            return ScriptedEstimator(seq, **kw)

        return factory

    return make


@pytest.fixture(scope="module")
def pw() -> Iterator[Any]:
    """Playwright (driving Debian's chromium; browser test modules skip without it)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        yield p


@pytest.fixture
def grey_camera(tmp_path: Path) -> Path:
    """A 2 s grey y4m for the fake camera (the pose model is scripted in these tests)."""
    from hipwise.web.harness import solid_y4m

    y4m = tmp_path / "grey.y4m"
    solid_y4m(y4m, 120, 2.0)
    return y4m
