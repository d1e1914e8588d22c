"""Browser pose end to end in headless Chromium (Debian's ``chromium`` driven by Playwright):
the page's own BlazePose agrees with the Python adapter frame by frame, counts a rendered clip
like the labels, falls back to server pose without WebAssembly or with ``?pose=server``, and a
reload resumes the set.

Needs ``/usr/bin/chromium``, ``playwright`` and the vendored MediaPipe Tasks for Web files
(``scripts/vendor_web.sh``, run by ``scripts/install.sh``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hipwise.web.app import create_app
from hipwise.web.harness import ServerThread, chromium_args, chromium_path, video_to_y4m
from tests.web.browser import js, wait_js
from tests.web.conftest import three_reps

pytestmark = [pytest.mark.slow, pytest.mark.timeout(400)]

CHROMIUM = chromium_path()
if CHROMIUM is None:
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)",
                allow_module_level=True)
pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "src/hipwise/data/sample.mp4"
VENDOR = ROOT / "src/hipwise/web/static/vendor/tasks-vision/wasm/vision_wasm_internal.wasm"
needs_vendor = pytest.mark.skipif(
    not VENDOR.is_file(), reason="browser pose files not vendored (run scripts/vendor_web.sh)")

#: Frames of the sample compared between the page and Python (the first 4 s at 30 fps: the
#: mirroring decision, the person at rest and the first lift).
AGREE_FRAMES = 120


def _launch(pw: Any, y4m: Path | None, extra: tuple[str, ...] = ()) -> Any:
    return pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=[*chromium_args(y4m), *extra])


def _labels(clip: Path) -> dict[str, Any]:
    return dict(json.loads(clip.with_suffix("").with_suffix(".labels.json").read_text()))


# ------------------------------------------------------------------------------------------
# the port of the adapter's geometry and its landmarks, frame by frame
# ------------------------------------------------------------------------------------------


def test_geometry_port_equals_the_python_adapter(pw: Any, tmp_path: Path) -> None:
    from hipwise.pose import mediapipe_adapter as ad
    from hipwise.pose.sequence import PoseFrame

    rng = np.random.default_rng(3)
    size = (640, 480)
    xy = rng.uniform(0, 480, (33, 2))
    world = rng.normal(0, 0.3, (33, 3))
    depth = rng.normal(0, 50, 33)
    vis = rng.uniform(0, 1, 33)
    with ServerThread(create_app(data_dir=tmp_path)) as srv:
        browser = _launch(pw, None)
        try:
            page = browser.new_page()
            page.goto(srv.url + "api/info")
            got = page.evaluate(
                """async ([xy, world, depth, vis, size]) => {
                  const m = await import('/static/pose.js');
                  const rots = [0, 90, 180, 270];
                  return {
                    mirrorIndex: m.MIRROR_INDEX,
                    back: rots.map((r) => xy.map((p) => m.mapPointBack(p, r, size))),
                    vec: rots.map((r) => world.map((p) => m.mapVectorBack([p[0], p[1]], r))),
                    fwd: rots.map((r) => xy.map((p) => m.forward(p, r, size))),
                    head: m.headSide(xy), up: m.uprightness(xy),
                    upright: m.uprightRotation(xy, size),
                    mirrored: m.mirrorPose({xy, world, depth, visibility: vis, size}),
                  };
                }""",
                [xy.tolist(), world.tolist(), depth.tolist(), vis.tolist(), list(size)],
            )
        finally:
            browser.close()
    assert got["mirrorIndex"] == ad.MIRROR_INDEX.tolist()
    for i, r in enumerate((0, 90, 180, 270)):
        np.testing.assert_allclose(got["back"][i], ad.map_points_back(xy, r, size), atol=1e-9)
        np.testing.assert_allclose(got["vec"][i], ad.map_vectors_back(world[:, :2], r), atol=1e-12)
        np.testing.assert_allclose(got["fwd"][i], ad._forward(xy, r, size), atol=1e-9)
    assert got["head"] == pytest.approx(ad.head_side(xy))
    assert got["up"] == pytest.approx(ad.uprightness(xy))
    assert got["upright"] == ad._upright_rotation(xy, size)
    frame = ad.mirror_frame(PoseFrame(t=0.0, xy=xy, depth=depth, world=world, visibility=vis,
                                      detected=True, image_size=size))
    m = got["mirrored"]
    np.testing.assert_allclose(m["xy"], frame.xy, atol=1e-9)
    np.testing.assert_allclose(m["world"], frame.world, atol=1e-12)
    np.testing.assert_allclose(m["depth"], frame.depth, atol=1e-12)
    np.testing.assert_allclose(m["visibility"], frame.visibility, atol=1e-12)


def _sample_frames(n: int, mirror: bool = False) -> list[tuple[float, Any]]:
    import av

    out: list[tuple[float, Any]] = []
    with av.open(str(SAMPLE)) as c:
        for f in c.decode(c.streams.video[0]):
            rgb = f.to_ndarray(format="rgb24")
            rgb = rgb[:, ::-1] if mirror else rgb
            out.append((float(f.time or 0.0), np.ascontiguousarray(rgb)))
            if len(out) >= n:
                break
    return out


def browser_and_python_poses(pw: Any, tmp_path: Path, frames: list[tuple[float, Any]]
                             ) -> tuple[list[Any], list[Any]]:
    """The same frames through the page's BrowserPose and the Python adapter (same settings):
    per frame ``{"xy", "mirrored", "people"}`` or None (nobody found)."""
    import cv2

    from hipwise.config import AnalysisConfig
    from hipwise.pose.mediapipe_adapter import MediaPipePoseEstimator, PoseConfig

    pngs = [cv2.imencode(".png", rgb[..., ::-1])[1].tobytes() for _, rgb in frames]
    times = [t for t, _ in frames]
    h, w = frames[0][1].shape[:2]
    with ServerThread(create_app(data_dir=tmp_path)) as srv:
        browser = _launch(pw, None)
        try:
            page = browser.new_page()
            page.route("**/test-frames/*", lambda route: route.fulfill(
                body=pngs[int(route.request.url.rsplit("/", 1)[1])], content_type="image/png"))
            page.goto(srv.url + "api/info")
            got = page.evaluate(
                """async ([times, w, h]) => {
                  const m = await import('/static/pose.js');
                  const info = await (await fetch('/api/info')).json();
                  const bp = await m.BrowserPose.create(info.browser_pose);
                  const out = [];
                  for (let i = 0; i < times.length; i++) {
                    const blob = await (await fetch('/test-frames/' + i)).blob();
                    const img = await createImageBitmap(blob, {colorSpaceConversion: 'none',
                      premultiplyAlpha: 'none'});
                    const p = await bp.estimate(img, [w, h], times[i]);
                    out.push(p ? {xy: p.xy, depth: p.depth, world: p.world,
                      visibility: p.visibility, mirrored: bp.mirrored, people: bp.lastPeople}
                      : null);
                  }
                  bp.close();
                  return out;
                }""",
                [times, w, h],
            )
        finally:
            browser.close()
    cfg = PoseConfig.model_validate(AnalysisConfig().pose)
    want: list[Any] = []
    with MediaPipePoseEstimator(cfg) as est:
        for t, rgb in frames:
            f = est.estimate(rgb, t)
            want.append({"xy": f.xy.tolist(), "depth": f.depth.tolist(),
                         "world": f.world.tolist(), "visibility": f.visibility.tolist(),
                         "mirrored": est.mirrored, "people": est.last_people}
                        if f.detected else None)
    return got, want


def agreement(got: list[Any], want: list[Any]) -> dict[str, float]:
    """Frames found by both / by one only, and the median over frames of the per-frame median
    landmark distance (px)."""
    both = [(g, p) for g, p in zip(got, want, strict=True) if g is not None and p is not None]
    dist = [float(np.median(np.hypot(*(np.asarray(g["xy"]) - np.asarray(p["xy"])).T)))
            for g, p in both]
    return {
        "frames": len(got), "both": len(both),
        "one_only": sum((g is None) != (p is None) for g, p in zip(got, want, strict=True)),
        "median_px": float(np.median(dist)) if dist else float("nan"),
        "p95_px": float(np.percentile(dist, 95)) if dist else float("nan"),
        "mirror_same": sum(g["mirrored"] == p["mirrored"] for g, p in both),
        "people_same": sum(g["people"] == p["people"] for g, p in both),
    }


@needs_vendor
@pytest.mark.parametrize("mirror", [False, True], ids=["head-right", "head-left"])
def test_browser_landmarks_agree_with_python_frame_by_frame(
    pw: Any, tmp_path: Path, mirror: bool
) -> None:
    # head-left: the sample flipped, so the page must mirror it before the model as Python does
    frames = _sample_frames(AGREE_FRAMES, mirror=mirror)
    got, want = browser_and_python_poses(pw, tmp_path, frames)
    a = agreement(got, want)
    assert a["both"] >= 0.95 * a["frames"] and a["one_only"] <= 0.02 * a["frames"], a
    assert a["mirror_same"] == a["both"], a
    assert all(p["mirrored"] == mirror for p in want if p is not None)
    assert a["people_same"] == a["both"], a
    assert a["median_px"] <= 2.0, a


# ------------------------------------------------------------------------------------------
# the page
# ------------------------------------------------------------------------------------------


@needs_vendor
def test_rendered_clip_is_counted_through_the_browser_pose(pw: Any, tmp_path: Path) -> None:
    labels = _labels(SAMPLE)
    want = {"left": 0, "right": 0}
    faults: list[list[str]] = []
    for s in labels["sets"]:
        want[s["working_leg"]] += len(s["reps"])
        faults += [sorted(r["faults"]) for r in s["reps"]]
    y4m = tmp_path / "sample.y4m"
    duration = video_to_y4m(SAMPLE, y4m, pad_start_s=6.0, pad_end_s=6.0)
    requests: list[str] = []
    with ServerThread(create_app(data_dir=tmp_path)) as srv:
        browser = _launch(pw, y4m)
        try:
            page = browser.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.goto(srv.url)
            wait_js(page, "window.__hipwise.posePath === 'browser' && window.__hipwise.results > 0",
                    60)
            assert "in this browser" in page.inner_text("#pose-path")
            total = sum(want.values())
            wait_js(page, "window.__hipwise.state && (window.__hipwise.state.counts.left.reps + "
                    f"window.__hipwise.state.counts.right.reps) >= {total}", duration + 40)
            time.sleep(2.0)
            counts = js(page, "window.__hipwise.state.counts")
            page.click("#finish")
            page.wait_for_selector("#summary:not(.hidden)", timeout=30000)
            shown = page.eval_on_selector_all(
                "#summary ol li", "els => els.map(e => e.dataset.faults)")
            h = js(page,
                   "({sent: window.__hipwise.landmarksSent, errors: window.__hipwise.errors})")
        finally:
            browser.close()
    assert {k: v["reps"] for k, v in counts.items()} == want
    timing = {"too_fast", "no_hold", "dropped"}  # judged on phase times (jitter, see test_browser)
    assert [[f for f in sorted(x.split()) if f not in timing] for x in shown] == [
        [f for f in fs if f not in timing] for fs in faults]
    # a busy server may read a second of landmarks at once (refused beyond the burst: rare)
    assert [e for e in h["errors"] if not e.startswith("landmarks_flood")] == []
    assert h["sent"] > 100
    base = srv.url.rstrip("/")
    # no frame left the page (no binary frames), and nothing came from elsewhere
    assert [u for u in requests if not u.startswith((base, "data:", "blob:"))] == []


#: A browser without WebAssembly (Debian's chromium wrapper does not pass --js-flags on, so
#: --no-expose-wasm cannot be used): the global is gone before the page's scripts run.
NO_WASM = "delete globalThis.WebAssembly;"


def _fallback_page(pw: Any, tmp_path: Path, grey: Path, scripted: Callable[..., Any],
                   query: str, init: str | None) -> tuple[str, str | None, str, int]:
    seq, _ = three_reps()
    with ServerThread(create_app(data_dir=tmp_path, factory=scripted(seq))) as srv:
        browser = _launch(pw, grey)
        try:
            page = browser.new_page()
            if init:
                page.add_init_script(init)
            page.goto(srv.url + query)
            wait_js(page, "window.__hipwise.state && window.__hipwise.state.counts.right.reps >= 1",
                    60)
            return (js(page, "window.__hipwise.posePath"), js(page, "window.__hipwise.poseReason"),
                    page.inner_text("#pose-path"), js(page, "window.__hipwise.landmarksSent"))
        finally:
            browser.close()


def test_without_webassembly_the_page_uses_server_pose_and_says_so(
    pw: Any, tmp_path: Path, grey_camera: Path, scripted: Callable[..., Any]
) -> None:
    path, reason, text, sent = _fallback_page(pw, tmp_path, grey_camera, scripted, "", NO_WASM)
    assert path == "server" and sent == 0
    assert reason is not None and "WebAssembly" in reason
    assert "on the server" in text and "WebAssembly" in text


def test_pose_server_query_uses_server_pose(
    pw: Any, tmp_path: Path, grey_camera: Path, scripted: Callable[..., Any]
) -> None:
    path, reason, text, sent = _fallback_page(pw, tmp_path, grey_camera, scripted,
                                              "?pose=server", None)
    assert path == "server" and reason == "asked with ?pose=server" and sent == 0
    assert "on the server" in text


#: A scripted pose model at the page's boundary (window.__hipwiseFakePose): plays a landmark
#: sequence in real time from the first frame it is given, as pose.js's BrowserPose would.
FAKE_POSE = """
(() => {
  const seq = %s;
  let start = null;
  window.__hipwiseFakePose = {
    lastPeople: 1,
    async estimate(source, size, t) {
      if (start === null) start = t;
      const local = t - start;
      let i = seq.t.findIndex((x) => x >= local);
      if (i < 0) i = seq.t.length - 1;
      return {xy: seq.xy[i], depth: seq.depth[i], world: seq.world[i],
              visibility: seq.visibility[i], size: seq.size};
    },
  };
})();
"""


def test_reload_resumes_the_set_with_browser_pose(
    pw: Any, tmp_path: Path, grey_camera: Path
) -> None:
    seq, _ = three_reps()
    data = {"t": np.round(seq.t, 4).tolist(), "xy": np.round(seq.xy, 2).tolist(),
            "depth": np.round(seq.depth, 2).tolist(), "world": np.round(seq.world, 4).tolist(),
            "visibility": np.round(seq.visibility, 3).tolist(), "size": list(seq.image_size)}

    def no_model(cfg: Any) -> Any:
        raise AssertionError("browser pose must not start the server's pose model")

    with ServerThread(create_app(data_dir=tmp_path, factory=no_model)) as srv:
        browser = _launch(pw, grey_camera)
        try:
            page = browser.new_page()
            page.add_init_script(FAKE_POSE % json.dumps(data))
            page.goto(srv.url)
            wait_js(page, "window.__hipwise.state && window.__hipwise.state.counts.right.reps >= 1",
                    60)
            assert js(page, "window.__hipwise.posePath") == "browser"
            sid = js(page, "window.__hipwise.state.session")
            before = js(page, "window.__hipwise.state.counts.right.reps")
            page.reload()
            wait_js(page, "window.__hipwise.welcomes >= 1 && window.__hipwise.state", 20)
            assert js(page, "window.__hipwise.state.session") == sid
            assert js(page, "window.__hipwise.state.counts.right.reps") >= before
            # the sequence plays again from its start: the set goes on counting
            wait_js(page, f"window.__hipwise.state.counts.right.reps > {before}", 60)
            assert js(page, "window.__hipwise.landmarksSent") > 30
        finally:
            browser.close()
