"""Soak benchmark of ``hipwise live``: hours of use squeezed into minutes.

A real ``hipwise live`` server (its own process, the MediaPipe pose model) is fed frames of
the bundled clip at 30 fps by a client that behaves like the page (one frame in flight)
while, every ``cycle_s`` seconds, the session changes: the socket drops and resumes the
same set, drops and starts a new set, or finishes the set and starts the next; and each
cycle also opens an extra page that sends one frame and vanishes (an abandoned session: the
leak of issue 12). Reported: the server's resident memory (RSS, from /proc) at the start, at
the end of the warm-up and at the end, and per minute the p50/p95 latency (frame sent →
result back), results, dropped frames and errors (error messages, internal-error drops,
unexpected closes, client exceptions).

    python -m hipwise.web.bench --soak 30 --json soak.json
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from websockets.sync.client import connect
from websockets.typing import Origin

from hipwise.analysis.video import sample_video_path
from hipwise.video import ReaderConfig, open_video

__all__ = ["SoakMinute", "SoakResult", "run_abandoned", "run_soak"]

logger = logging.getLogger(__name__)


@dataclass
class SoakMinute:
    """One minute of the soak: latency percentiles (ms), results, drops, errors, the
    server's RSS at its end (MB)."""

    minute: int
    p50_ms: float
    p95_ms: float
    results: int
    dropped: int
    errors: int
    rss_mb: float


@dataclass
class SoakResult:
    """The whole soak: memory (MB) at start (after the first result), after warm-up and at
    the end (and the peak), the minutes, session churn counts, errors with their texts.

    RSS is sampled every 5 s; it swings by ~100 MB as pose models are built and released
    (every cycle), so "after warm-up" is the median over the minute after ``warmup_s`` and
    "end" the median over the last minute; ``rss_samples`` keeps every (s, MB) sample."""

    minutes: float
    rss_start_mb: float
    rss_warm_mb: float
    rss_end_mb: float
    rss_peak_mb: float
    per_minute: list[SoakMinute]
    cycles: int
    abandoned: int
    resumed: int
    finished: int
    errors: int
    error_samples: list[str] = field(default_factory=list)
    load_avg: float = 0.0
    rss_samples: list[tuple[float, float]] = field(default_factory=list)

    def table(self) -> str:
        """A Markdown table and the memory line."""
        rows = ["| minute | p50 ms | p95 ms | results | dropped | errors | server RSS MB "
                "(median) |",
                "|---:|---:|---:|---:|---:|---:|---:|"]
        for m in self.per_minute:
            rows.append(f"| {m.minute} | {m.p50_ms:.0f} | {m.p95_ms:.0f} | {m.results} | "
                        f"{m.dropped} | {m.errors} | {m.rss_mb:.0f} |")
        growth = 100.0 * (self.rss_end_mb - self.rss_warm_mb) / max(self.rss_warm_mb, 1.0)
        rows.append("")
        rows.append(
            f"server RSS: start {self.rss_start_mb:.0f} MB, after warm-up (median of the next "
            f"minute) {self.rss_warm_mb:.0f} MB, last minute's median {self.rss_end_mb:.0f} MB "
            f"({growth:+.1f}% after "
            f"warm-up), peak {self.rss_peak_mb:.0f} MB; {self.cycles} session cycles "
            f"({self.resumed} resumed, {self.finished} finished, {self.abandoned} abandoned "
            f"one-frame pages); {self.errors} errors; load average {self.load_avg:.1f}"
        )
        return "\n".join(rows)


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _frames(clip: Path, n: int = 240) -> list[bytes]:
    """The first ``n`` frames of ``clip`` as 640-px JPEGs (quality 75, like the page)."""
    out: list[bytes] = []
    with open_video(clip, ReaderConfig(max_long_side=640, prefetch=0)) as src:
        for fr in src:
            ok, buf = cv2.imencode(".jpg", fr.rgb[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 75])
            if ok:
                out.append(bytes(buf.tobytes()))
            if len(out) >= n:
                break
    return out


class _Page:
    """One client socket that behaves like the live page (one frame in flight)."""

    def __init__(self, url: str, session: str | None) -> None:
        origin = Origin("http://" + url.split("/")[2])  # the server's own origin
        self.ws = connect(url, origin=origin, max_size=None, open_timeout=30)
        self.ws.send(json.dumps({"type": "hello", "session": session}))
        welcome = self._recv(30.0)
        if welcome is None or welcome.get("type") != "welcome":
            raise RuntimeError(f"no welcome: {welcome}")
        self.session: str = welcome["state"]["session"]
        self.resumed: bool = bool(welcome["resumed"])

    def _recv(self, timeout: float) -> dict[str, Any] | None:
        try:
            msg = self.ws.recv(timeout=timeout)
        except TimeoutError:
            return None
        return json.loads(msg) if isinstance(msg, str) else None

    def send_frame(self, fid: int, t_ms: float, jpeg: bytes) -> None:
        self.ws.send(struct.pack("<dd", float(fid), t_ms) + jpeg)

    def close(self) -> None:
        with contextlib.suppress(Exception):  # already gone
            self.ws.close()


def run_soak(minutes: float, clip: Path | None = None, fps: float = 30.0,
             cycle_s: float = 20.0, warmup_s: float = 60.0,
             progress: Any = None) -> SoakResult:
    """Run the soak for ``minutes`` (see the module docstring)."""
    frames = _frames(clip or sample_video_path())
    port = _free_port()
    url = f"ws://127.0.0.1:{port}/ws"
    with tempfile.TemporaryDirectory(prefix="hipwise-soak-") as tmp:
        cmd = [sys.executable, "-c",
               "import sys; from hipwise.cli import main; sys.exit(main(sys.argv[1:]))",
               "live", "--no-browser", "--port", str(port), "--data-dir", tmp]
        # the server's log goes to a file: a pipe nobody reads fills up (64 KB, ~12 minutes of
        # log lines here) and then blocks the server, which a 30-minute soak took for a hang
        log_path = Path(tmp) / "server.log"
        with log_path.open("wb") as log:
            server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log,
                                      env={**os.environ, "PYTHONUNBUFFERED": "1"})
            try:
                _wait_port(port, server, 60.0, log_path)
                return _drive(url, server.pid, frames, minutes, fps, cycle_s, warmup_s, progress)
            finally:
                server.terminate()
                try:
                    server.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    server.kill()


def run_abandoned(n: int = 100, clip: Path | None = None, warmup: int = 10,
                  progress: Any = None) -> dict[str, float]:
    """``n`` pages that each open a new session, send one frame, get its result and vanish
    without Finish (each builds a pose model). Returns the server's RSS (MB) after the
    first result, after ``warmup`` pages and at the end, the peak, and the growth after
    warm-up in percent."""
    frames = _frames(clip or sample_video_path(), 1)
    port = _free_port()
    url = f"ws://127.0.0.1:{port}/ws"
    out: dict[str, float] = {"pages": float(n)}
    with tempfile.TemporaryDirectory(prefix="hipwise-abandon-") as tmp:
        cmd = [sys.executable, "-c",
               "import sys; from hipwise.cli import main; sys.exit(main(sys.argv[1:]))",
               "live", "--no-browser", "--port", str(port), "--data-dir", tmp]
        server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait_port(port, server, 60.0)
            peak = 0.0
            for i in range(n):
                page = _Page(url, None)
                page.send_frame(1, 0.0, frames[0])
                m = page._recv(60.0)
                if m is None or m.get("type") != "result":
                    raise RuntimeError(f"page {i}: no result ({m})")
                page.close()
                time.sleep(0.2)  # the server frees the model after the socket closed
                rss = _rss_mb(server.pid)
                peak = max(peak, rss)
                if i == 0:
                    out["rss_first_mb"] = rss
                if i + 1 == warmup:
                    out["rss_warm_mb"] = rss
                if progress is not None and (i + 1) % 10 == 0:
                    progress(i + 1, rss)
            time.sleep(1.0)
            out["rss_end_mb"] = _rss_mb(server.pid)
            out["rss_peak_mb"] = peak
            out["growth_pct"] = 100.0 * (out["rss_end_mb"] / out["rss_warm_mb"] - 1.0)
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
    return out


def _wait_port(
    port: int, proc: subprocess.Popen[bytes], timeout_s: float, log: Path | None = None
) -> None:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if proc.poll() is not None:
            err = log.read_text(errors="replace") if log is not None and log.exists() else ""
            raise RuntimeError(f"the live server exited: {err[-2000:]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError("the live server did not start")


def _drive(url: str, pid: int, frames: list[bytes], minutes: float, fps: float,
           cycle_s: float, warmup_s: float, progress: Any) -> SoakResult:
    t_start = time.monotonic()
    end = t_start + 60.0 * minutes
    period = 1.0 / fps
    lat: list[tuple[float, float]] = []  # (time since start, latency ms)
    drops: list[float] = []
    errs: list[tuple[float, str]] = []
    rss: list[tuple[float, float]] = []
    sent: dict[int, float] = {}
    fid = 0
    cycles = abandoned = resumed = finished = 0
    page = _Page(url, None)
    rss_start = float("nan")
    next_tick = time.monotonic()
    next_cycle = t_start + cycle_s
    next_rss = t_start
    page_t0 = time.monotonic()

    def note_error(text: str) -> None:
        errs.append((time.monotonic() - t_start, text))
        logger.warning("soak error: %s", text)

    def reconnect(session: str | None = None) -> _Page:
        """A new page; a failed connection counts as an error and is retried (for up to
        two minutes) instead of ending the soak."""
        give_up = time.monotonic() + 120.0
        while True:
            try:
                return _Page(url, session)
            except Exception as exc:  # refused, timed out, no welcome
                note_error(f"reconnect: {type(exc).__name__}: {exc}")
                if time.monotonic() > give_up:
                    raise
                time.sleep(1.0)

    while time.monotonic() < end:
        now = time.monotonic()
        if now >= next_rss:
            rss.append((now - t_start, _rss_mb(pid)))
            next_rss = now + 5.0
        if now >= next_cycle:
            next_cycle = now + cycle_s
            kind = cycles % 3
            cycles += 1
            try:
                # an abandoned page: one frame, then gone without Finish
                extra = _Page(url, None)
                extra.send_frame(1, 0.0, frames[0])
                extra._recv(10.0)
                extra.close()
                abandoned += 1
                if kind == 2:  # finish the set, then the next one
                    page.ws.send(json.dumps({"type": "finish"}))
                    deadline = time.monotonic() + 60.0
                    while time.monotonic() < deadline:
                        m = page._recv(deadline - time.monotonic())
                        if m is None or m.get("type") == "summary":
                            break
                    finished += 1
                    page.ws.send(json.dumps({"type": "new"}))
                old = page.session
                page.close()
                sent.clear()
                page = reconnect(old if kind == 0 else None)
                resumed += int(page.resumed)
                if kind == 0 and not page.resumed:
                    note_error(f"session {old} was not resumed")
                page_t0 = time.monotonic()
            except Exception as exc:  # the server dropped us, or timed out
                note_error(f"cycle {cycles}: {type(exc).__name__}: {exc}")
                page.close()
                page = reconnect()
                sent.clear()
        # send when nothing is in flight (the page's cap), at the camera's rate
        if now >= next_tick:
            next_tick += period
            if next_tick < now:
                next_tick = now + period
            if not sent:
                fid += 1
                try:
                    page.send_frame(fid, 1000.0 * (now - page_t0), frames[fid % len(frames)])
                    sent[fid] = now
                except Exception as exc:
                    note_error(f"send: {type(exc).__name__}: {exc}")
                    page.close()
                    page = reconnect()
                    page_t0 = time.monotonic()
                    sent.clear()
        try:
            m = page._recv(max(0.0, min(next_tick, next_cycle) - time.monotonic()))
        except Exception as exc:
            note_error(f"recv: {type(exc).__name__}: {exc}")
            page.close()
            page = reconnect()
            page_t0 = time.monotonic()
            sent.clear()
            continue
        if m is None:
            continue
        t = m.get("type")
        if t == "result":
            s0 = sent.pop(int(m["id"]), None)
            if s0 is not None:
                lat.append((time.monotonic() - t_start, 1000.0 * (time.monotonic() - s0)))
                if rss_start != rss_start:  # first result: the model is loaded
                    rss_start = _rss_mb(pid)
        elif t == "dropped":
            if m.get("id") is not None:
                sent.pop(int(m["id"]), None)
            drops.append(time.monotonic() - t_start)
            if m.get("reason") == "internal error":
                note_error(f"internal error on frame {m.get('id')}")
        elif t == "error":
            note_error(f"server error {m.get('code')}: {m.get('message')}")
        if progress is not None and len(lat) % 300 == 0 and lat:
            progress(time.monotonic() - t_start, len(lat), len(errs))
    page.close()
    rss.append((time.monotonic() - t_start, _rss_mb(pid)))
    return _summarise(minutes, lat, drops, errs, rss, rss_start, warmup_s, cycles,
                      abandoned, resumed, finished)


def _summarise(minutes: float, lat: list[tuple[float, float]], drops: list[float],
               errs: list[tuple[float, str]], rss: list[tuple[float, float]],
               rss_start: float, warmup_s: float, cycles: int, abandoned: int, resumed: int,
               finished: int) -> SoakResult:
    per: list[SoakMinute] = []
    n_min = max(1, int(np.ceil(minutes)))
    for k in range(n_min):
        lo, hi = 60.0 * k, 60.0 * (k + 1)
        v = np.array([ms for t, ms in lat if lo <= t < hi])
        r = [mb for t, mb in rss if lo <= t < hi]
        per.append(SoakMinute(
            minute=k + 1,
            p50_ms=float(np.percentile(v, 50)) if v.size else float("nan"),
            p95_ms=float(np.percentile(v, 95)) if v.size else float("nan"),
            results=int(v.size),
            dropped=sum(1 for t in drops if lo <= t < hi),
            errors=sum(1 for t, _ in errs if lo <= t < hi),
            rss_mb=float(np.median(r)) if r else float("nan"),
        ))
    t_end = rss[-1][0]
    warm = [mb for t, mb in rss if warmup_s <= t < warmup_s + 60.0] or [rss[-1][1]]
    last = [mb for t, mb in rss if t >= t_end - 60.0]
    return SoakResult(
        minutes=minutes,
        rss_start_mb=rss_start,
        rss_warm_mb=float(np.median(warm)),
        rss_end_mb=float(np.median(last)),
        rss_peak_mb=max(mb for _, mb in rss),
        per_minute=per,
        cycles=cycles,
        abandoned=abandoned,
        resumed=resumed,
        finished=finished,
        errors=len(errs),
        error_samples=[e for _, e in errs[:20]],
        load_avg=float(os.getloadavg()[0]),
        rss_samples=[(round(t, 1), round(mb, 1)) for t, mb in rss],
    )


def soak_json(res: SoakResult) -> str:
    """The result as JSON."""
    return json.dumps(asdict(res), indent=2) + "\n"
