"""Latency benchmark of ``hipwise live``: frame leaves the page → its result arrives.

Two pose paths (``--pose``): ``server`` (the page sends JPEG frames, the server runs the pose
model) and ``browser`` (the page runs the model itself and sends landmarks). Besides latency it
reports the page's pose rate, the server process's CPU use for this one live user (to size a
server), and the bytes per second on the WebSocket each way.

Runs the real app (MediaPipe pose model, session tracker, coach) on loopback, with headless
Chromium whose fake camera streams a rendered clip at 30 fps; the page's own hooks record, per
processed frame, the time from ``WebSocket.send`` to the result's arrival (and from capture,
which adds the JPEG encoding). The first ``warmup_s`` seconds (model loading) are not counted.

    python -m hipwise.web.bench                       # the bundled sample clip, 30 s
    python -m hipwise.web.bench --clip my.mp4 --seconds 60 --json out.json
    python -m hipwise.web.bench --soak 30 --json soak.json   # memory and latency over time
    python -m hipwise.web.bench --pose browser        # the model in the page

``--soak MINUTES`` runs :mod:`hipwise.web.soak` instead (no browser: a client that sends
like the page while sessions open, drop, resume and finish).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from hipwise.analysis.video import sample_video_path
from hipwise.web.app import create_app
from hipwise.web.harness import ServerThread, chromium_args, chromium_path, video_to_y4m
from hipwise.web.soak import run_abandoned, run_soak, soak_json

__all__ = ["BenchResult", "main", "run_bench"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BenchResult:
    """Latencies in milliseconds (p50/p95 of send → result, and of capture → result), how
    many frames were measured, the rate of results (frames/s), frames the server dropped as
    stale, the input rate (frames/s), the server's median stage times (ms, and the pose
    model's p95) and the load
    average (1 min) at the end, since other work on the machine shifts every figure."""

    p50_ms: float
    p95_ms: float
    capture_p50_ms: float
    capture_p95_ms: float
    frames: int
    results_fps: float
    dropped: int
    input_fps: float
    decode_ms: float
    pose_ms: float
    pose_p95_ms: float
    track_ms: float
    max_in_flight: int
    load_avg: float
    pose_path: str = "server"
    page_pose_fps: float = float("nan")
    page_pose_ms: float = float("nan")
    page_pose_p95_ms: float = float("nan")
    server_cpu_pct: float = float("nan")
    up_bytes_s: float = float("nan")
    down_bytes_s: float = float("nan")

    def summary(self) -> str:
        """One line for the terminal and the benchmark table."""
        return (
            f"live latency, frame leaves page -> result back ({self.input_fps:.0f} fps input, "
            f"loopback, {self.max_in_flight} in flight): p50 {self.p50_ms:.1f} ms, "
            f"p95 {self.p95_ms:.1f} ms (capture -> result p50 {self.capture_p50_ms:.1f}, "
            f"p95 {self.capture_p95_ms:.1f} ms); {self.frames} frames at "
            f"{self.results_fps:.1f} results/s, {self.dropped} dropped; server median: decode "
            f"{self.decode_ms:.1f} ms, pose {self.pose_ms:.1f} ms (p95 {self.pose_p95_ms:.1f}), "
            f"tracker+coach {self.track_ms:.1f} ms; load average {self.load_avg:.2f}"
            f"\npose in the {self.pose_path}: "
            + (f"page model {self.page_pose_fps:.1f} landmarks/s, {self.page_pose_ms:.1f} ms "
               f"(p95 {self.page_pose_p95_ms:.1f}); " if self.pose_path == "browser" else "")
            + f"server CPU {self.server_cpu_pct:.1f} % of one core for this user "
            f"(~{self.users_per_2_cores():.0f} live users on 2 cores); WebSocket "
            f"{self.up_bytes_s / 1000:.1f} kB/s up, {self.down_bytes_s / 1000:.1f} kB/s down"
        )

    def users_per_2_cores(self) -> float:
        """Live users a 2-core server carries at this CPU use each (nan if not measured)."""
        return 200.0 / self.server_cpu_pct if self.server_cpu_pct > 0 else float("nan")


_TIMING_SPY = """
window.__timings = [];
const _origParse = JSON.parse;
JSON.parse = function (text, reviver) {
  const v = _origParse(text, reviver);
  if (v && v.type === "result" && v.timing) window.__timings.push(v.timing);
  return v;
};
"""


def run_bench(
    clip: Path | None = None,
    seconds: float = 30.0,
    warmup_s: float = 3.0,
    max_in_flight: int = 1,
    fps: int = 30,
    pose: str = "server",
    worker: bool = True,
) -> BenchResult:
    """Serve the app, stream ``clip`` (default: the bundled sample) into headless Chromium at
    ``fps`` and measure for ``seconds`` after ``warmup_s``, with the pose model on the server or
    in the page (``pose``). Server CPU is this process's CPU time over the measuring window
    (the server thread; the Playwright client only waits). Raises ``RuntimeError`` when
    Chromium or Playwright is missing, no result came back, or the page could not use the pose
    path asked for. ``worker=False`` runs the page's model on its main thread (a comparison)."""
    browser_path = chromium_path()
    if browser_path is None:
        raise RuntimeError("Debian's chromium is needed: apt-get install chromium")
    try:
        # optional: playwright is a dev dependency (browser benchmarks)
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise RuntimeError("Playwright for Python is needed: pip install playwright "
                           "(never 'playwright install': it uses /usr/bin/chromium)") from exc
    if clip is None:
        clip = sample_video_path()
    with tempfile.TemporaryDirectory(prefix="hipwise-bench-") as tmp:
        y4m = Path(tmp) / "clip.y4m"
        try:
            video_to_y4m(Path(clip), y4m, pad_start_s=1.0, pad_end_s=1.0, fps=fps)
        except Exception as exc:  # PyAV raises many kinds for damaged or partial files
            raise RuntimeError(f"cannot read the clip {clip}: {exc}") from exc
        app = create_app(data_dir=Path(tmp))
        with ServerThread(app) as srv, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=browser_path, headless=True,
                                         args=chromium_args(y4m))
            try:
                page = browser.new_page()
                page.add_init_script(_TIMING_SPY)
                page.goto(f"{srv.url}?inflight={max_in_flight}&pose={pose}"
                          + ("" if worker else "&worker=0"))
                end_warm = time.monotonic() + 60.0
                while not page.evaluate("() => window.__hipwise.results") > 0:
                    if time.monotonic() > end_warm:
                        raise RuntimeError("no result from the live server within 60 s")
                    time.sleep(0.2)
                used = page.evaluate("() => [window.__hipwise.posePath, "
                                     "window.__hipwise.poseReason]")
                if used[0] != pose:
                    raise RuntimeError(f"the page used {used[0]} pose: {used[1]}")
                time.sleep(warmup_s)
                probe = ("() => [window.__hipwise.latencies.length, window.__timings.length, "
                         "window.__hipwise.dropped, window.__hipwise.poseMs.length, "
                         "window.__hipwise.bytesSent, window.__hipwise.bytesReceived]")
                start = page.evaluate(probe)
                cpu0 = time.process_time()
                t0 = time.monotonic()
                time.sleep(seconds)
                cpu1 = time.process_time()
                end = page.evaluate(probe)
                data = page.evaluate(
                    "() => [window.__hipwise.latencies, window.__hipwise.captureLatencies, "
                    "window.__timings, window.__hipwise.dropped, window.__hipwise.poseMs]"
                )
                elapsed = time.monotonic() - t0
            finally:
                browser.close()
    lat = np.asarray(data[0][start[0]:], dtype=np.float64)
    cap = np.asarray(data[1][start[0]:], dtype=np.float64)
    timings = data[2][start[1]:]
    page_ms = np.asarray(data[4][start[3]:end[3]], dtype=np.float64)
    if lat.size == 0:
        raise RuntimeError("no frame was measured")

    def med(key: str, q: float = 50.0) -> float:
        vals = [t[key] for t in timings if key in t]
        return float(np.percentile(vals, q)) if vals else float("nan")

    return BenchResult(
        p50_ms=float(np.percentile(lat, 50)),
        p95_ms=float(np.percentile(lat, 95)),
        capture_p50_ms=float(np.percentile(cap, 50)),
        capture_p95_ms=float(np.percentile(cap, 95)),
        frames=int(lat.size),
        results_fps=float(lat.size / elapsed),
        dropped=int(data[3] - start[2]),
        input_fps=float(fps),
        decode_ms=med("decode_ms"),
        pose_ms=med("pose_ms"),
        pose_p95_ms=med("pose_ms", 95.0),
        track_ms=med("track_ms"),
        max_in_flight=max_in_flight,
        load_avg=float(os.getloadavg()[0]),
        pose_path=pose,
        page_pose_fps=float(page_ms.size / elapsed),
        page_pose_ms=float(np.percentile(page_ms, 50)) if page_ms.size else float("nan"),
        page_pose_p95_ms=float(np.percentile(page_ms, 95)) if page_ms.size else float("nan"),
        server_cpu_pct=float(100.0 * (cpu1 - cpu0) / elapsed),
        up_bytes_s=float((end[4] - start[4]) / elapsed),
        down_bytes_s=float((end[5] - start[5]) / elapsed),
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m hipwise.web.bench``: print the latency figures (and write JSON)."""
    p = argparse.ArgumentParser(
        prog="python -m hipwise.web.bench",
        description="p50/p95 latency of hipwise live from a frame leaving the page to its "
        "result arriving, 30 fps input on loopback, headless Chromium with a fake camera.",
    )
    p.add_argument("--clip", type=Path, help="video to stream (default: the bundled sample)")
    p.add_argument("--seconds", type=float, default=30.0, help="measuring time (default 30)")
    p.add_argument("--warmup", type=float, default=3.0, help="seconds not counted (default 3)")
    p.add_argument("--in-flight", type=int, default=1, help="frames in flight (default 1)")
    p.add_argument("--pose", choices=("server", "browser"), default="server",
                   help="where the pose model runs: server (JPEG frames sent, default) or "
                   "browser (the page runs it and sends landmarks)")
    p.add_argument("--no-worker", action="store_true",
                   help="browser pose on the page's main thread instead of a Web Worker")
    p.add_argument("--json", type=Path, metavar="OUT", help="also write the figures as JSON")
    p.add_argument("--soak", type=float, metavar="MINUTES",
                   help="soak test instead: MINUTES of 30 fps input while sessions open, drop, "
                   "resume and finish; memory, p95 latency per minute and errors")
    p.add_argument("--abandoned", type=int, metavar="N",
                   help="instead: N pages that open a set, send one frame and vanish; the "
                   "server's memory after 10 of them and at the end")
    p.add_argument("--cycle", type=float, default=20.0,
                   help="--soak: seconds between two session changes (default 20)")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.clip is not None and not args.clip.is_file():
        print(f"error: no such clip: {args.clip}", file=sys.stderr)
        return 2
    if args.soak is not None:
        return _soak_main(args)
    if args.abandoned is not None:
        return _abandoned_main(args)
    try:
        res = run_bench(args.clip, args.seconds, args.warmup, args.in_flight, pose=args.pose,
                        worker=not args.no_worker)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(res.summary())
    if args.json is not None:
        args.json.write_text(json.dumps(asdict(res), indent=2) + "\n", encoding="utf-8")
    return 0


def _abandoned_main(args: argparse.Namespace) -> int:
    if not 10 <= args.abandoned <= 10000:
        print("error: --abandoned must be 10-10000", file=sys.stderr)
        return 2
    try:
        res = run_abandoned(args.abandoned, args.clip, progress=lambda i, mb: print(
            f"  {i} pages: server RSS {mb:.0f} MB", file=sys.stderr))
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{args.abandoned} abandoned pages: server RSS after the first "
          f"{res['rss_first_mb']:.0f} MB, after 10 {res['rss_warm_mb']:.0f} MB, at the end "
          f"{res['rss_end_mb']:.0f} MB ({res['growth_pct']:+.1f}% after warm-up), peak "
          f"{res['rss_peak_mb']:.0f} MB")
    if args.json is not None:
        args.json.write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    return 0


def _soak_main(args: argparse.Namespace) -> int:
    if not 0 < args.soak <= 24 * 60 or not 1 <= args.cycle <= 3600:
        print("error: --soak must be in (0, 1440] minutes and --cycle in [1, 3600] s",
              file=sys.stderr)
        return 2

    def progress(elapsed: float, results: int, errors: int) -> None:
        print(f"  {elapsed / 60:5.1f} min: {results} results, {errors} errors",
              file=sys.stderr)

    try:
        res = run_soak(args.soak, args.clip, cycle_s=args.cycle,
                       warmup_s=min(60.0, 30.0 * args.soak), progress=progress)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(res.table())
    if args.json is not None:
        args.json.write_text(soak_json(res), encoding="utf-8")
    return 0 if res.errors == 0 else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
