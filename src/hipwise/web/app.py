"""The FastAPI app of ``hipwise live``: the page, its static files and the frame socket.

Protocol on ``/ws`` (one session per socket):

- page → server, text: ``{"type": "hello", "session": ID | null, "variation": NAME}`` first
  (``variation`` optional: ``auto``, ``leg_lift``, ``isometric_hold``, ``isometric_circles``,
  ``clamshell``, ``wall_slide``; default the config's ``variation``); later
  ``{"type": "variation", "variation": NAME}`` (what the person trains: applies to the whole
  set), ``{"type": "finish"}`` (end the set), ``{"type": "new"}`` (start a new set, keeping
  the variation).
- page → server, text, with browser pose: ``{"type": "landmarks", ...}`` (the page ran the
  pose model itself; see :mod:`hipwise.web.landmarks`): each is answered with a ``result``
  like a frame's, or an ``error`` with a ``landmarks_*`` code (the session goes on).
- page → server, binary: a frame = 16-byte header (little-endian float64 frame id, float64
  capture time in ms on the page's clock) + a JPEG.
- server → page: ``welcome`` (session id, resumed?, state, page settings), ``result`` (one per
  processed frame, with the frame ``id``), ``dropped`` (a frame replaced by a newer one before
  it was processed), ``state`` (after a variation change), ``summary`` (the contract
  analysis, the plain-language lines of ``hipwise analyze`` per set and the report links),
  ``error``.

Backpressure: a reader task keeps only the newest unprocessed frame; one worker thread runs the
pose model, so results never queue up behind stale frames. The page also caps frames in flight.

FastAPI is imported with this module (it resolves the endpoints' annotations): import it only
to serve.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import struct
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
from fastapi import FastAPI, HTTPException, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from numpy.typing import NDArray

from hipwise.settings import AnalysisConfig
from hipwise.web.config import LiveConfig
from hipwise.web.guard import AccessGuard, AccessPolicy
from hipwise.web.landmarks import LandmarkError, LandmarkGate, LandmarkMessage
from hipwise.web.session import CaptureTimeError, EstimatorFactory, LiveSession, SessionStore

__all__ = ["AppState", "FrameError", "create_app", "decode_frame", "jpeg_size", "write_outputs"]

logger = logging.getLogger(__name__)

_HEADER = struct.Struct("<dd")
_NO_CACHE = {"Cache-Control": "no-store"}


class FrameError(ValueError):
    """A binary message that is not a header plus a decodable JPEG."""


_SOF_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7,
                          0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})


def jpeg_size(data: bytes | memoryview, offset: int = 0) -> tuple[int, int]:
    """(width, height) in pixels from the frame header (SOF) of the JPEG in
    ``data[offset:]``, read without decoding. Raises :class:`FrameError` when the bytes are
    not a JPEG or end before its frame header."""
    buf = memoryview(data)[offset:]
    n = len(buf)
    if n < 4 or buf[0] != 0xFF or buf[1] != 0xD8:
        raise FrameError("frame is not a JPEG image")
    i = 2
    while i + 4 <= n:
        if buf[i] != 0xFF:
            raise FrameError("damaged JPEG header")
        marker = buf[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            i += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image / start of scan before any frame header
            break
        length = (buf[i + 2] << 8) | buf[i + 3]
        if length < 2:
            raise FrameError("damaged JPEG header")
        if marker in _SOF_MARKERS:
            if i + 9 > n:
                break
            height = (buf[i + 5] << 8) | buf[i + 6]
            width = (buf[i + 7] << 8) | buf[i + 8]
            return width, height
        i += 2 + length
    raise FrameError("JPEG without a frame header")


def decode_frame(
    data: bytes, max_side: int | None = None
) -> tuple[float, float, NDArray[np.uint8]]:
    """(frame id, capture time in s on the page's clock, ``rgb (H, W, 3)`` uint8) of one
    binary frame message. The JPEG's size is read from its header first: a width or height
    of 0 or above ``max_side`` px (when given) is refused before anything is decoded (a
    2 MB JPEG can claim 12000x12000 px, 430 MB of pixels)."""
    import cv2

    if len(data) <= _HEADER.size:
        raise FrameError("frame message too short")
    frame_id, t_ms = _HEADER.unpack_from(data)
    width, height = jpeg_size(data, _HEADER.size)
    if width == 0 or height == 0:
        raise FrameError("JPEG without a size in its header")
    if max_side is not None and max(width, height) > max_side:
        raise FrameError(f"frame of {width}x{height} px is larger than {max_side} px")
    buf = np.frombuffer(data, dtype=np.uint8, offset=_HEADER.size)
    bgr = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    if bgr is None:
        raise FrameError("frame is not a decodable image")
    if bgr.shape[1] != width or bgr.shape[0] != height:
        raise FrameError("JPEG size differs from its header")
    rgb = np.ascontiguousarray(bgr[..., ::-1])
    return float(frame_id), float(t_ms) / 1000.0, rgb


@dataclass
class AppState:
    """What the app holds: settings, sessions, the pose worker, the public URL for the QR."""

    config: AnalysisConfig
    live: LiveConfig
    store: SessionStore
    executor: ThreadPoolExecutor
    public_url: str | None = None
    attached: dict[str, Any] = field(default_factory=dict)


def write_outputs(session: LiveSession, folder: Path) -> dict[str, str | None]:
    """Write the finished session's ``analysis.json`` and (when :mod:`hipwise.report` is
    installed) its HTML report into ``folder``; returns the links the page shows."""
    from hipwise.web.session import private_tree, write_private

    analysis = session.finish()
    write_private(folder / "analysis.json", (analysis.to_json() + "\n").encode("utf-8"))
    links: dict[str, str | None] = {
        "analysis": f"/sessions/{session.id}/analysis.json", "report": None,
    }
    try:
        from hipwise.report import ReportInput, write_set_report
    except ImportError:
        return links
    try:
        stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(session.created_wall))
        files = write_set_report(
            ReportInput(analysis=analysis, frames=list(session.tracker.frames),
                        settings=session.cfg, title=f"live set {stamp}"),
            folder / "report",
        )
        rel = Path(files.html).resolve().relative_to(folder.resolve()).as_posix()
        links["report"] = f"/sessions/{session.id}/{rel}"
    except Exception as exc:  # the report is optional: never lose the set over it
        logger.warning("could not write the report for session %s: %s", session.id, exc)
    finally:
        private_tree(folder)
    return links


def create_app(
    config: AnalysisConfig | None = None,
    live: LiveConfig | None = None,
    data_dir: Path | None = None,
    factory: EstimatorFactory | None = None,
    public_url: str | None = None,
    pairing_key: str | None = None,
) -> FastAPI:
    """The FastAPI app. ``data_dir``: where sessions are saved (``<data_dir>/live``);
    ``factory`` builds the pose model (default: MediaPipe, as ``hipwise analyze``);
    ``public_url``: the LAN address shown as a QR code (it should carry ``?key=`` with
    ``pairing_key``); ``pairing_key``: what other machines must present (see
    :mod:`hipwise.web.guard`). Only requests for this computer's loopback names or the host
    of ``public_url``, from the server's own origin, are answered."""
    from hipwise.web.session import mediapipe_factory

    cfg = config or AnalysisConfig()
    lcfg = live or LiveConfig()
    if "people_interval_s" not in cfg.pose.model_fields_set:  # not set in [pose]: live's own
        pose = cfg.pose.model_copy(update={"people_interval_s": lcfg.people_interval_s})
        cfg = cfg.model_copy(update={"pose": pose})
    if data_dir is None:
        from hipwise.store.config import default_data_dir

        data_dir = default_data_dir()
    store = SessionStore(Path(data_dir) / "live", cfg, lcfg, factory or mediapipe_factory)
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hipwise-pose")
    state = AppState(cfg, lcfg, store, executor, public_url)
    static = Path(str(files("hipwise.web") / "static"))

    async def lifespan(app: Any) -> Any:
        await asyncio.get_running_loop().run_in_executor(None, store.expire)
        yield
        await asyncio.get_running_loop().run_in_executor(executor, store.close)
        executor.shutdown(wait=False)

    app = FastAPI(title="hipwise live", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=lifespan)
    app.state.hipwise = state
    app.add_middleware(AccessGuard, policy=AccessPolicy.for_server(public_url, pairing_key))
    app.mount("/static", StaticFiles(directory=static), name="static")

    @app.get("/", response_class=HTMLResponse)
    def index() -> Any:
        return FileResponse(static / "index.html", headers=_NO_CACHE)

    @app.get("/api/info")
    def info() -> Any:
        from hipwise import __version__

        return JSONResponse({
            "version": __version__,
            "public_url": state.public_url,
            "client": _client_settings(lcfg),
            "browser_pose": _browser_pose_info(cfg, lcfg, static),
        })

    @app.get("/models/pose.task")
    async def pose_model() -> Any:
        # the Tasks bundle of the Python side (same weights), for the page's own pose model
        from hipwise.pose.bundle import BundleError, ensure_pose_bundle

        try:
            path = await asyncio.get_running_loop().run_in_executor(None, ensure_pose_bundle)
        except BundleError as exc:
            raise HTTPException(404, f"no pose model bundle: {exc}") from exc
        return FileResponse(path, media_type="application/octet-stream")

    @app.get("/qr.svg")
    def qr() -> Any:
        if not state.public_url:
            raise HTTPException(404, "no LAN address: start with hipwise live --lan")
        from hipwise.web.net import qr_svg

        return Response(qr_svg(state.public_url), media_type="image/svg+xml")

    @app.get("/sessions/{session_id}/{path:path}")
    def session_file(session_id: str, path: str) -> Any:
        if not store.exists(session_id):
            raise HTTPException(404, "unknown session")
        base = store.path(session_id).resolve()
        try:
            target = (base / path).resolve()
            ok = target.is_relative_to(base) and target.is_file() and target.suffix != ".pkl"
        except (ValueError, OSError):  # a NUL byte, a name too long...
            ok = False
        if not ok:
            raise HTTPException(404, "no such file")
        return FileResponse(target)

    @app.websocket("/ws")
    async def ws_endpoint(ws: WebSocket) -> None:
        await ws.accept()
        loop = asyncio.get_running_loop()
        try:
            hello = json.loads(await asyncio.wait_for(ws.receive_text(), timeout=10.0))
        except (TimeoutError, ValueError, WebSocketDisconnect, KeyError):
            await ws.close(code=1002)
            return
        if not isinstance(hello, dict) or hello.get("type") != "hello":
            await ws.send_json({"type": "error", "code": "bad_hello",
                                "message": 'the first message must be {"type": "hello", ...}'})
            await ws.close(code=1002)
            return
        sid = hello.get("session")
        if not isinstance(sid, str):  # null (a new set) or anything odd
            sid = None
        pages = {id(w) for w in state.attached.values()}
        if len(pages) >= lcfg.max_connections and sid not in state.attached:
            await ws.send_json({"type": "error", "code": "busy",
                                "message": f"{lcfg.max_connections} pages are connected "
                                "already: close one and reload."})
            await ws.close(code=1013)
            return
        session, resumed = store.open(sid, keep=set(state.attached))
        wanted = hello.get("variation")
        if wanted is not None:
            await _set_variation(ws, session, wanted)
        await _attach(state, session, ws)
        await ws.send_json({"type": "welcome", "resumed": resumed, "state": session.state(),
                            "client": _client_settings(lcfg)})
        latest: list[tuple[float, float, bytes] | None] = [None]
        wake = asyncio.Event()
        box = {"session": session}
        saved: dict[str, int] = {}

        async def worker() -> None:
            while True:
                await wake.wait()
                wake.clear()
                item = latest[0]
                latest[0] = None
                if item is None:
                    continue
                fid, _, data = item
                s = box["session"]
                try:
                    result = await loop.run_in_executor(executor, _process, s, data)
                except _SetFinishedError:  # a frame that was on its way when the set ended
                    await ws.send_json({"type": "dropped", "id": fid, "reason": "set finished"})
                    continue
                except (FrameError, CaptureTimeError) as exc:
                    await ws.send_json({"type": "dropped", "id": fid, "reason": str(exc)})
                    continue
                except Exception:  # a bug: say so on the page, keep the set going
                    logger.exception("frame processing failed")
                    await ws.send_json({"type": "dropped", "id": fid, "reason": "internal error"})
                    continue
                result["id"] = fid
                await ws.send_json(result)
                if saved.get(s.id) != s.rep_version:
                    saved[s.id] = s.rep_version
                    await loop.run_in_executor(executor, store.save, s)

        gate = LandmarkGate(lcfg.browser_pose)
        flood_told = [-1.0]

        async def on_landmarks(cmd: dict[str, Any]) -> None:
            """Browser pose: check the message, then the same session path as a frame."""
            now = time.monotonic()
            try:
                m = gate.check(cmd, now)
            except LandmarkError as exc:
                if exc.code == "landmarks_flood" and now - flood_told[0] < 1.0:
                    return  # said once a second: a flood is not answered message for message
                if exc.code == "landmarks_flood":
                    flood_told[0] = now
                await ws.send_json({"type": "error", "code": exc.code, "message": str(exc)})
                return
            s = box["session"]
            if s.analysis is not None:
                await ws.send_json({"type": "dropped", "id": m.id, "reason": "set finished"})
                return
            try:
                result = await loop.run_in_executor(executor, _process_landmarks, s, m)
            except Exception:  # a bug: say so on the page, keep the set going
                logger.exception("landmark processing failed")
                await ws.send_json({"type": "dropped", "id": m.id, "reason": "internal error"})
                return
            result["id"] = m.id
            await ws.send_json(result)
            if saved.get(s.id) != s.rep_version:
                saved[s.id] = s.rep_version
                await loop.run_in_executor(executor, store.save, s)

        task = asyncio.create_task(worker())
        try:
            while True:
                msg = await ws.receive()
                if msg["type"] == "websocket.disconnect":
                    break
                data = msg.get("bytes")
                if data is not None:
                    if len(data) < _HEADER.size:
                        continue
                    fid, t_ms = _HEADER.unpack_from(data)
                    if not math.isfinite(fid):  # echoed in JSON: must be a number
                        await ws.send_json({"type": "dropped", "id": None,
                                            "reason": "frame id is not a finite number"})
                        continue
                    old = latest[0]
                    if old is not None:
                        box["session"].dropped += 1
                        await ws.send_json({"type": "dropped", "id": old[0]})
                    latest[0] = (fid, t_ms, data)
                    wake.set()
                    continue
                text = msg.get("text")
                if text is None:
                    continue
                try:
                    cmd = json.loads(text)
                except ValueError:
                    continue
                kind = cmd.get("type") if isinstance(cmd, dict) else None
                if kind == "finish":
                    s = box["session"]
                    try:
                        links = await loop.run_in_executor(
                            executor, write_outputs, s, store.path(s.id)
                        )
                    except Exception:  # a bug: keep the socket and the reps, say so
                        logger.exception("finishing session %s failed", s.id)
                        await ws.send_json({"type": "error", "code": "finish_failed",
                                            "message": "The set could not be finished; its "
                                            "reps are kept. Try again."})
                        continue
                    await loop.run_in_executor(executor, store.save, s)
                    await loop.run_in_executor(executor, s.close)  # free the pose model
                    assert s.analysis is not None
                    await ws.send_json({
                        "type": "summary",
                        "analysis": json.loads(s.analysis.to_json()),
                        "lines": s.summary_lines(),
                        "links": links,
                        "state": s.state(),
                    })
                elif kind == "variation":
                    s = box["session"]
                    if await _set_variation(ws, s, cmd.get("variation")):
                        await ws.send_json({"type": "state", "state": s.state()})
                elif kind == "new":
                    latest[0] = None
                    old_session = box["session"]
                    if state.attached.get(old_session.id) is ws:  # this page left that set
                        del state.attached[old_session.id]
                    await loop.run_in_executor(executor, old_session.close)
                    new = store.new(keep=set(state.attached))
                    new.set_variation(old_session.variation)
                    box["session"] = new
                    await _attach(state, new, ws)
                    await ws.send_json({"type": "welcome", "resumed": False,
                                        "state": new.state(), "client": _client_settings(lcfg)})
                elif kind == "landmarks":
                    await on_landmarks(cmd)
                elif kind == "ping":
                    await ws.send_json({"type": "pong"})
        except WebSocketDisconnect:
            pass
        finally:
            task.cancel()
            s = box["session"]
            detached = state.attached.get(s.id) is ws
            if detached:
                del state.attached[s.id]
            # submitted, not awaited: it runs even when this handler is cancelled
            with contextlib.suppress(RuntimeError):  # the executor is already shut down
                executor.submit(_release, state, s, detached)

    return app


def _release(state: AppState, session: LiveSession, detached: bool) -> None:
    """After a socket closed: free the session's pose model (~200 MB and its threads) when
    no page is attached any more (a resumed session builds a new one on its next frame),
    save the session and prune the sessions held in memory."""
    try:
        if detached and session.id not in state.attached:
            session.close()
        state.store.save(session)
        state.store.prune(set(state.attached))
    except Exception:  # never kill the pose worker over the cleanup
        logger.exception("cleaning up after session %s failed", session.id)


class _SetFinishedError(Exception):
    """A frame arrived for a set that has ended."""


def _process(session: LiveSession, data: bytes) -> dict[str, Any]:
    if session.analysis is not None:
        raise _SetFinishedError
    t0 = time.perf_counter()
    _, t_client, rgb = decode_frame(data, session.live.max_frame_side)
    decode_ms = 1000 * (time.perf_counter() - t0)
    out = session.process_image(rgb, session.clock(t_client))
    out["timing"]["decode_ms"] = round(decode_ms, 2)
    return out


def _process_landmarks(session: LiveSession, msg: LandmarkMessage) -> dict[str, Any]:
    t0 = time.perf_counter()
    out = session.process_landmarks(msg)
    out["timing"]["server_ms"] = round(1000 * (time.perf_counter() - t0), 2)
    return out


async def _set_variation(ws: WebSocket, session: LiveSession, name: Any) -> bool:
    """Apply a variation the page asked for; an unknown one is answered with an ``error``."""
    try:
        if not isinstance(name, str):
            raise ValueError(f"variation must be a name, got {name!r}")
        session.set_variation(name)
    except ValueError as exc:
        await ws.send_json({"type": "error", "code": "bad_variation", "message": str(exc)})
        return False
    return True


async def _attach(state: AppState, session: LiveSession, ws: Any) -> None:
    """One socket per session: a newer page takes the session over from an older one."""
    old = state.attached.get(session.id)
    if old is not None and old is not ws:
        try:
            await old.send_json({"type": "error", "code": "taken_over",
                                 "message": "This set was opened in another tab or device."})
            await old.close(code=4000)
        except Exception:  # the old socket may already be gone
            pass
    state.attached[session.id] = ws
    session.new_connection()


def _client_settings(live: LiveConfig) -> dict[str, Any]:
    return {
        "capture_width": live.capture_width,
        "capture_fps": live.capture_fps,
        "jpeg_quality": live.jpeg_quality,
        "max_in_flight": live.max_in_flight,
    }


#: The pose settings the page's own pose model follows (as the Python adapter does).
_BROWSER_POSE_KEYS = (
    "orientation", "mirror", "mirror_switch_s", "min_detection_confidence",
    "min_presence_confidence", "min_tracking_confidence", "probe_interval_s", "lying_weight",
    "count_people", "people_interval_s", "max_people", "same_person_torso", "max_jump_torso",
    "lost_after_s",
)


def _browser_pose_info(config: AnalysisConfig, live: LiveConfig, static: Path) -> dict[str, Any]:
    """Whether pages may run the pose model themselves, where its files are, and the pose
    settings they follow; ``reason`` says why not when ``available`` is false."""
    pose = config.pose
    vendor = static / "vendor" / "tasks-vision"
    reason: str | None = None
    if not live.browser_pose.enabled:
        reason = "browser pose is turned off in the settings (live.browser_pose.enabled)"
    elif not (vendor / "wasm" / "vision_wasm_internal.wasm").is_file():
        reason = "the browser pose files are not installed (run scripts/vendor_web.sh)"
    elif pose.orientation == "auto":
        reason = "pose.orientation = auto runs on the server only"
    return {
        "available": reason is None,
        "reason": reason,
        "model": "/models/pose.task",
        "vendor": "/static/vendor/tasks-vision/",
        "pose": pose.model_dump(include=set(_BROWSER_POSE_KEYS)),
    }
