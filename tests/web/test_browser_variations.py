"""A hold with circles in real headless Chromium: the exercise is chosen on the page, the
page shows the server's hold timer and circle counts while the scripted person holds the leg
up and draws 5 + 5 circles, and the summary after Finish shows the holds and circles.

Needs ``/usr/bin/chromium`` and the ``playwright`` package (never ``playwright install``).
The pose model is scripted (render-free landmarks with known answers), the camera a grey
y4m: only the page, the socket and the server's live variation code are under test.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hipwise.synth.kinematic import landmarks_from_track
from hipwise.synth.variations import hold_track
from hipwise.web.app import create_app
from hipwise.web.harness import ServerThread, chromium_args, chromium_path
from tests.web.browser import wait_js

#: These tests drive the server-pose path (frames to the server); the page's own model is
#: tested in test_browser_pose.py.
SERVER_POSE = "?pose=server"

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

CHROMIUM = chromium_path()
if CHROMIUM is None:
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)",
                allow_module_level=True)
pytest.importorskip("playwright.sync_api")




def test_hold_with_circles_shows_timer_counts_and_summary(
    pw: Any, tmp_path: Path, grey_camera: Path, scripted: Callable[..., Any]
) -> None:
    # lift at 4 s (time to choose the exercise), hold 22 s with 5 + 5 circles, lower 3 s
    t = np.arange(0, 34, 1 / 15)
    track, hold, labels = hold_track(t, start_s=4.0, hold_s=22.0,
                                     circles=(("clockwise", 5), ("counterclockwise", 5)))
    seq = landmarks_from_track(track, "left", noise_px=1.0)
    with ServerThread(create_app(data_dir=tmp_path, factory=scripted(seq))) as srv:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=chromium_args(grey_camera))
        try:
            page = browser.new_page()
            page.goto(srv.url + SERVER_POSE)
            wait_js(page, "window.__hipwise.welcomes >= 1", 20)
            assert page.is_hidden("#hold")
            page.select_option("#variation", "isometric_circles")
            wait_js(page, "window.__hipwise.state && "
                        "window.__hipwise.state.variation === 'isometric_circles'", 10)
            assert page.is_visible("#hold") and page.is_visible("#circles")
            assert page.evaluate("() => localStorage.getItem('hipwise.variation')") == (
                "isometric_circles")
            # the running hold timer, against the 20 s target
            wait_js(page, "Number(document.getElementById('hold-s').textContent) >= 5", 40)
            assert page.inner_text("#hold-target") == "20"
            timer = float(page.inner_text("#hold-s"))
            assert 5.0 <= timer <= 22.5
            assert float(page.get_attribute("#hold", "data-hold-s") or 0) == pytest.approx(
                timer, abs=0.5)
            # the running circle counts, one direction after the other
            wait_js(page, "document.getElementById('circles').dataset.cw === '5'", 40)
            assert page.inner_text("#circles-cw") == "5"
            assert int(page.inner_text("#circles-ccw")) <= 1
            wait_js(page, "document.getElementById('circles').dataset.ccw === '5'", 40)
            assert page.inner_text("#circles-cw") == "5"
            assert all(t == "5" for t in page.eval_on_selector_all(
                ".circles-target", "els => els.map(e => e.textContent)"))
            # the leg comes down: the measured hold is listed
            wait_js(page, "document.querySelectorAll('#holds li').length >= 1", 30)
            measured = float(page.get_attribute("#holds li", "data-hold-s") or 0)
            assert measured == pytest.approx(hold.end_s - hold.start_s, abs=0.5)
            assert "circles 5 + 5" in page.inner_text("#holds li")
            page.click("#finish")
            page.wait_for_selector("#summary:not(.hidden)", timeout=30000)
            s = page.query_selector("#summary .set")
            assert s is not None
            assert s.get_attribute("data-variation") == "isometric_circles"
            assert (s.get_attribute("data-cw"), s.get_attribute("data-ccw")) == ("5", "5")
            headline = page.inner_text("#summary .headline")
            assert headline == "Set 1, right leg: isometric hold with circles, 1 hold"
            lines = page.inner_text("#summary ul.lines")
            assert "5 clockwise, 5 counter-clockwise" in lines
            assert "dinner plate" in lines and "hold 1: " in lines
            assert len(labels) == 10
        finally:
            browser.close()
