"""End to end in real headless Chromium (Debian's ``chromium`` driven by Playwright), the camera
faked from y4m files: a rendered labelled clip (counts and faults on the page = the labels, a
screenshot is written), an empty and a dark room, a denied camera permission, and a server
restart in the middle of a set.

Needs ``/usr/bin/chromium`` and the ``playwright`` package (never ``playwright install``).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hipwise.web.app import create_app
from hipwise.web.harness import (
    ServerThread,
    chromium_args,
    chromium_path,
    free_port,
    solid_y4m,
    video_to_y4m,
)
from tests.conftest import committed
from tests.web.browser import js, wait_js
from tests.web.conftest import three_reps

#: These tests drive the server-pose path (frames to the server); the page's own model is
#: tested in test_browser_pose.py.
SERVER_POSE = "?pose=server"

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

CHROMIUM = chromium_path()
if CHROMIUM is None:
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)",
                allow_module_level=True)
pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[2]
# a labelled clip with reps: the first that exists (each with NAME.labels.json beside it)
CLIP_CANDIDATES = [
    os.environ.get("HIPWISE_LIVE_CLIP", ""),
    str(ROOT / "src/hipwise/data/sample.mp4"),
    str(ROOT / "tests/data/clips/lift_left_toes_up.mp4"),
]

SPEECH_SPY = """
window.__spoke = [];
if (window.speechSynthesis) {
  const orig = window.speechSynthesis.speak.bind(window.speechSynthesis);
  window.speechSynthesis.speak = (u) => {
    window.__spoke.push(u.text);
    try { orig(u); } catch (e) {}
  };
}
"""


def _labels(clip: Path) -> Path:
    return clip.with_suffix("").with_suffix(".labels.json")



def _launch(pw: Any, y4m: Path | None, allow_camera: bool = True) -> Any:
    return pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=chromium_args(y4m, allow_camera))




# ------------------------------------------------------------------------------------------
# bad conditions
# ------------------------------------------------------------------------------------------


def test_camera_permission_denied_says_what_to_do(pw: Any, tmp_path: Path) -> None:
    y4m = tmp_path / "grey.y4m"
    solid_y4m(y4m, 120, 1.0)
    app = create_app(data_dir=tmp_path, factory=lambda cfg: None)  # type: ignore[arg-type,return-value]
    with ServerThread(app) as srv:
        browser = _launch(pw, y4m, allow_camera=False)
        try:
            page = browser.new_page()
            page.goto(srv.url + SERVER_POSE)
            page.wait_for_selector("#banner:not(.hidden)", timeout=15000)
            text = page.inner_text("#banner")
            assert "denied" in text and "Allow the camera" in text and "reload" in text
            assert "NotAllowedError" in js(page, "window.__hipwise.errors")
        finally:
            browser.close()


def test_no_camera_points_to_the_phone(pw: Any, tmp_path: Path) -> None:
    app = create_app(data_dir=tmp_path, factory=lambda cfg: None)  # type: ignore[arg-type,return-value]
    with ServerThread(app) as srv:
        browser = _launch(pw, None)  # no fake device: headless Chromium has no camera
        try:
            page = browser.new_page()
            page.goto(srv.url + SERVER_POSE)
            page.wait_for_selector("#banner:not(.hidden)", timeout=15000)
            text = page.inner_text("#banner")
            assert "No camera was found" in text and "--lan" in text
        finally:
            browser.close()


@pytest.mark.parametrize(
    ("luma", "code", "words"),
    [(120, "no_person", "can't see you"), (8, "too_dark", "too dark")],
)
def test_empty_or_dark_room_is_explained(
    pw: Any, tmp_path: Path, luma: int, code: str, words: str
) -> None:
    y4m = tmp_path / "room.y4m"
    solid_y4m(y4m, luma, 2.0)
    app = create_app(data_dir=tmp_path)  # the real pose model
    with ServerThread(app) as srv:
        browser = _launch(pw, y4m)
        try:
            page = browser.new_page()
            page.add_init_script(SPEECH_SPY)
            page.goto(srv.url + SERVER_POSE)
            page.wait_for_selector(f"#setup-issues li[data-code={code}]", timeout=30000)
            text = page.inner_text("#setup-issues").lower()
            assert any(w in text for w in words.split("|")), text
            spoken = wait_js(page, "window.__spoke.length && window.__spoke", 15)
            assert any(words in s.lower() for s in spoken)
        finally:
            browser.close()


@pytest.mark.parametrize(
    ("name", "codes", "words"),
    [
        # Known limit (as in tests/pose): the standing person hides most of the lying one, so
        # the live page may only see someone standing; either way the set must not start.
        ("bad_two_people", {"two_people", "standing"},
         "someone else is in the picture|lie down on your side"),
        ("bad_standing", {"standing"}, "lie down on your side"),
        # head and shoulders cut off: the model may not find the person at all
        ("bad_out_of_frame", {"out_of_frame", "no_person"}, "in the picture"),
    ],
)
def test_bad_clips_tell_the_person_what_to_change(
    pw: Any, tmp_path: Path, name: str, codes: set[str], words: str
) -> None:
    clip = ROOT / "tests/data/clips" / f"{name}.mp4"
    committed(clip)
    y4m = tmp_path / "bad.y4m"
    video_to_y4m(clip, y4m, pad_start_s=1.0, pad_end_s=1.0)
    with ServerThread(create_app(data_dir=tmp_path)) as srv:
        browser = _launch(pw, y4m)
        try:
            page = browser.new_page()
            page.goto(srv.url + SERVER_POSE)
            selector = ", ".join(f"#setup-issues li[data-code={c}]" for c in sorted(codes))
            page.wait_for_selector(selector, timeout=40000)
            text = page.inner_text("#setup-issues").lower()
            assert any(w in text for w in words.split("|")), text
            time.sleep(3.0)
            counts = js(page, "window.__hipwise.state.counts")
            assert counts["left"]["reps"] + counts["right"]["reps"] <= 1
        finally:
            browser.close()


def test_person_leaving_mid_set_is_told_and_the_set_is_kept(
    pw: Any, tmp_path: Path, grey_camera: Path, scripted: Callable[..., Any]
) -> None:
    seq, _ = three_reps()
    app = create_app(data_dir=tmp_path, factory=scripted(seq, gone_after_s=9.0))
    with ServerThread(app) as srv:
        browser = _launch(pw, grey_camera)
        try:
            page = browser.new_page()
            page.goto(srv.url + SERVER_POSE)
            page.wait_for_selector("#banner[data-source=alert]:not(.hidden)", timeout=40000)
            text = page.inner_text("#banner")
            assert "can't see you" in text and "Your set so far is kept" in text
            assert int(page.inner_text("#count-right")) >= 1
            assert js(page, "window.__hipwise.state.setup_passed")
        finally:
            browser.close()


def test_finish_shows_the_summary_good_reps_first_and_the_report(
    pw: Any, tmp_path: Path, grey_camera: Path, scripted: Callable[..., Any]
) -> None:
    seq, _ = three_reps()  # good, hip hike, good
    with ServerThread(create_app(data_dir=tmp_path, factory=scripted(seq))) as srv:
        browser = _launch(pw, grey_camera)
        try:
            page = browser.new_page()
            page.goto(srv.url + SERVER_POSE)
            wait_js(page, "window.__hipwise.state && window.__hipwise.state.counts.right.reps >= 3",
                  60)
            page.click("#finish")
            page.wait_for_selector("#summary:not(.hidden)", timeout=30000)
            headline = page.inner_text("#summary .headline")
            assert headline.startswith("Set 1, right leg: 2 good reps of 3")
            assert "peak" in page.inner_text("#summary .stats")
            faults = page.eval_on_selector_all(
                "#summary ol li", "els => els.map(e => e.dataset.faults)")
            assert faults == ["", "hip_hike", ""]
            links = page.eval_on_selector_all("#summary-links a", "els => els.map(e => e.href)")
            assert any(h.endswith("/analysis.json") for h in links)
            for href in links:
                assert page.request.get(href).status == 200
        finally:
            browser.close()


def test_lan_mode_over_https_with_the_qr_code(
    pw: Any, tmp_path: Path, grey_camera: Path, scripted: Callable[..., Any]
) -> None:
    from hipwise.web.net import ensure_certificate

    seq, _ = three_reps()
    cert, key = ensure_certificate(tmp_path / "tls", ["127.0.0.1", "localhost"])
    port = free_port()
    app = create_app(data_dir=tmp_path, factory=scripted(seq),
                     public_url=f"https://127.0.0.1:{port}/")
    with ServerThread(app, port, ssl=(cert, key)) as srv:
        assert srv.url.startswith("https://")
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=[*chromium_args(grey_camera), "--ignore-certificate-errors"])
        try:
            page = browser.new_page()
            page.goto(srv.url + SERVER_POSE)
            # camera allowed (secure context), frames over wss://, reps counted
            wait_js(page, "window.__hipwise.state && window.__hipwise.state.counts.right.reps >= 1",
                  60)
            page.wait_for_selector("#lan:not(.hidden)", timeout=5000)
            assert page.inner_text("#lan-url") == f"https://127.0.0.1:{port}/"
            assert js(page, "document.getElementById('qr').naturalWidth") > 50
        finally:
            browser.close()


def test_server_restart_reconnects_and_keeps_the_counts(
    pw: Any, tmp_path: Path, grey_camera: Path, scripted: Callable[..., Any]
) -> None:
    seq, _ = three_reps()
    port = free_port()
    browser = _launch(pw, grey_camera)
    try:
        page = browser.new_page()
        with ServerThread(create_app(data_dir=tmp_path, factory=scripted(seq)), port) as srv:
            page.goto(srv.url + SERVER_POSE)
            wait_js(page, "window.__hipwise.state && window.__hipwise.state.counts.right.reps >= 1",
                  60)
            before = js(page, "window.__hipwise.state.counts.right.reps")
            sid = js(page, "window.__hipwise.state.session")
            assert js(page, "window.__hipwise.ticks || 0") >= 3  # tempo ticks played
            assert js(page, "window.__hipwise.errors") == []
        # the server is gone: the page says so and keeps what it has
        page.wait_for_selector("#banner[data-source=connection]:not(.hidden)", timeout=10000)
        assert "Reconnecting" in page.inner_text("#banner")
        assert page.inner_text("#count-right") == str(before)
        with ServerThread(create_app(data_dir=tmp_path, factory=scripted(seq)), port):
            wait_js(page, "window.__hipwise.welcomes >= 2", 20)
            assert js(page, "window.__hipwise.state.session") == sid
            assert int(page.inner_text("#count-right")) >= before
            page.wait_for_selector("#banner.hidden", state="attached", timeout=10000)
            # and it goes on counting
            wait_js(page, f"window.__hipwise.state.counts.right.reps > {before}", 60)
    finally:
        browser.close()


# ------------------------------------------------------------------------------------------
# a rendered labelled clip through the real pose model
# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clip_run(pw: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("clip")
    y4m = tmp / "clip.y4m"
    clip: Path | None = None
    duration = 0.0
    for c in CLIP_CANDIDATES:
        if not (c and Path(c).is_file() and _labels(Path(c)).is_file()):
            continue
        # still frames at both ends: the fake camera loops the file without a gap, and the
        # pose model (started with the session; seconds on a busy CI machine) must see the
        # person at rest before the first rep
        try:
            duration = video_to_y4m(Path(c), y4m, pad_start_s=10.0, pad_end_s=8.0)
        except Exception:  # being re-rendered right now: try the next one
            continue
        clip = Path(c)
        break
    if clip is None:  # the two committed candidates are missing or unreadable
        pytest.fail("no readable labelled clip (src/hipwise/data/sample.mp4 or "
                    "tests/data/clips/lift_left_toes_up.mp4)")
    labels = json.loads(_labels(clip).read_text())
    want: dict[str, int] = {"left": 0, "right": 0}
    faults: list[list[str]] = []
    true_reps: list[dict[str, Any]] = []
    for s in labels["sets"]:
        want[s["working_leg"]] += len(s["reps"])
        faults += [sorted(r["faults"]) for r in s["reps"]]
        true_reps += s["reps"]
    total = sum(want.values())
    assert total > 0, f"{clip.name} has no reps in its labels"
    requests: list[str] = []
    with ServerThread(create_app(data_dir=tmp)) as srv:
        browser = _launch(pw, y4m)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.add_init_script(SPEECH_SPY)
            page.on("request", lambda r: requests.append(r.url))
            page.goto(srv.url + SERVER_POSE)
            expr = ("window.__hipwise.state && (window.__hipwise.state.counts.left.reps + "
                    f"window.__hipwise.state.counts.right.reps) >= {total}")
            wait_js(page, expr, duration + 40)
            time.sleep(2.0)  # nothing more is counted in the still tail
            counts = js(page, "window.__hipwise.state.counts")
            shown = {side: int(page.inner_text(f"#count-{side}")) for side in ("left", "right")}
            page.click("#finish")
            page.wait_for_selector("#summary:not(.hidden)", timeout=30000)
            summary = page.inner_text("#summary")
            shot = tmp / "live.png"
            page.screenshot(path=str(shot), full_page=True)
            out_dir = os.environ.get("HIPWISE_SCREENSHOT_DIR")
            if out_dir:
                Path(out_dir).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(Path(out_dir) / "live.png"), full_page=True)
            rep_faults = page.eval_on_selector_all(
                "#summary ol li", "els => els.map(e => e.dataset.faults)")
            spoke = js(page, "window.__spoke")
            latencies = js(page, "window.__hipwise.latencies")
            analysis = js(page, "window.__hipwise.summary.analysis")
            frames = js(page, "[window.__hipwise.results, window.__hipwise.dropped]")
        finally:
            browser.close()
    return {
        "clip": clip.name, "want": want, "faults": faults, "counts": counts, "shown": shown,
        "summary": summary, "shot": shot, "rep_faults": rep_faults, "spoke": spoke,
        "requests": requests, "url": srv.url, "latencies": latencies,
        "analysis": analysis, "frames": frames, "true_reps": true_reps,
    }


def test_clip_counts_on_the_page_equal_the_labels(clip_run: dict[str, Any]) -> None:
    r = clip_run
    assert {k: v["reps"] for k, v in r["counts"].items()} == r["want"], r["clip"]
    assert r["shown"] == r["want"]
    assert r["shot"].stat().st_size > 10_000  # the screenshot was written
    assert "good rep" in r["summary"]
    assert len(r["spoke"]) >= 1  # cues were spoken (speech synthesis called)
    assert len(r["latencies"]) > 50


def test_page_makes_no_requests_beyond_its_server(clip_run: dict[str, Any]) -> None:
    base = clip_run["url"].rstrip("/")
    foreign = [u for u in clip_run["requests"]
               if not (u.startswith(base) or u.startswith(("data:", "blob:")))]
    assert foreign == []


#: Faults judged on phase times. Live, each frame is timed by the browser's capture clock and
#: the server analyses ~14 of them a second, so phase times carry ~0.2-0.3 s of jitter on a
#: busy machine; the sample's hold (2.0 s, read 1.9 s offline) sits 0.3 s above the 1.7 s
#: no-hold line. Those faults are checked through the times, with that tolerance; the offline
#: path is held to exact faults by the accuracy gate.
TIMING_FAULTS = {"too_fast", "no_hold", "dropped"}
LIVE_TIMING_TOLERANCE_S = 0.4


def test_clip_faults_on_the_page_equal_the_labels(clip_run: dict[str, Any]) -> None:
    shown = [sorted(f.split()) if f else [] for f in clip_run["rep_faults"]]
    # on failure: what was measured, and how many frames the server analysed / dropped
    reps = [r for s in clip_run["analysis"]["sets"] for r in s["reps"]]
    timing = [
        {k: r.get(k) for k in ("start_s", "lift_s", "hold_s", "lower_s", "peak_abduction_deg")}
        for r in reps
    ]
    form = [[f for f in fs if f not in TIMING_FAULTS] for fs in shown]
    want = [[f for f in fs if f not in TIMING_FAULTS] for fs in clip_run["faults"]]
    assert form == want, (timing, clip_run["frames"])
    assert len(reps) == len(clip_run["true_reps"])
    for got, true in zip(reps, clip_run["true_reps"], strict=True):
        for k in ("lift_s", "hold_s", "lower_s"):
            assert abs(got[k] - true[k]) <= LIVE_TIMING_TOLERANCE_S, (k, timing, clip_run["frames"])
