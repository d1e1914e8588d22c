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

The protocol's state machine is :class:`~hipwise.web.protocol.LiveProtocol` (messages in,
replies out, testable without a socket); the endpoint here only feeds it and sends the replies.

Backpressure: binary frames are only queued as they arrive, keeping only the newest unprocessed
one; one worker thread runs the pose model, so results never queue up behind stale frames. The
page also caps frames in flight.

FastAPI is imported with this module (it resolves the endpoints' annotations): import it only
to serve.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from hipwise import __version__
from hipwise.pose.bundle import BundleError, ensure_pose_bundle
from hipwise.settings import AnalysisConfig
from hipwise.store.config import default_data_dir
from hipwise.web.config import LiveConfig
from hipwise.web.frames import FrameError, decode_frame, jpeg_size
from hipwise.web.guard import AccessGuard, AccessPolicy
from hipwise.web.net import qr_svg
from hipwise.web.protocol import (
    DISCONNECTED,
    NEXT_FRAME,
    Evict,
    LiveProtocol,
    Reply,
    Save,
    Work,
    client_settings,
    write_outputs,
)
from hipwise.web.session import EstimatorFactory, SessionStore, mediapipe_factory

__all__ = ["AppState", "FrameError", "create_app", "decode_frame", "jpeg_size", "write_outputs"]

logger = logging.getLogger(__name__)

_NO_CACHE = {"Cache-Control": "no-store"}


@dataclass
class AppState:
    """What the app holds: settings, sessions, the pose worker, the public URL for the QR."""

    config: AnalysisConfig
    live: LiveConfig
    store: SessionStore
    executor: ThreadPoolExecutor
    public_url: str | None = None
    attached: dict[str, Any] = field(default_factory=dict)


def create_app(
    config: AnalysisConfig | None = None,
    live: LiveConfig | None = None,
    data_dir: Path | None = None,
    factory: EstimatorFactory | None = None,
    public_url: str | None = None,
    pairing_key: str | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> FastAPI:
    """The FastAPI app. ``data_dir``: where sessions are saved (``<data_dir>/live``);
    ``factory`` builds the pose model (default: MediaPipe, as ``hipwise analyze``);
    ``public_url``: the LAN address shown as a QR code (it should carry ``?key=`` with
    ``pairing_key``); ``pairing_key``: what other machines must present (see
    :mod:`hipwise.web.guard`); ``clock``: monotonic seconds for each socket's landmark rate
    limit (tests pass a fake one). Only requests for this computer's loopback names or the host
    of ``public_url``, from the server's own origin, are answered."""
    cfg = config or AnalysisConfig()
    lcfg = live or LiveConfig()
    if "people_interval_s" not in cfg.pose.model_fields_set:  # not set in [pose]: live's own
        pose = cfg.pose.model_copy(update={"people_interval_s": lcfg.people_interval_s})
        cfg = cfg.model_copy(update={"pose": pose})
    if data_dir is None:
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
        return JSONResponse({
            "version": __version__,
            "public_url": state.public_url,
            "client": client_settings(lcfg),
            "browser_pose": _browser_pose_info(cfg, lcfg, static),
        })

    @app.get("/models/pose.task")
    async def pose_model() -> Any:
        # the Tasks bundle of the Python side (same weights), for the page's own pose model

        try:
            path = await asyncio.get_running_loop().run_in_executor(None, ensure_pose_bundle)
        except BundleError as exc:
            raise HTTPException(404, f"no pose model bundle: {exc}") from exc
        return FileResponse(path, media_type="application/octet-stream")

    @app.get("/qr.svg")
    def qr() -> Any:
        if not state.public_url:
            raise HTTPException(404, "no LAN address: start with hipwise live --lan")

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
        protocol = LiveProtocol(store, lcfg, state.attached, ws, clock)
        await _serve(ws, protocol, state)

    return app


async def _serve(ws: WebSocket, protocol: LiveProtocol, state: AppState) -> None:
    """Feed one socket's messages to its :class:`LiveProtocol` and carry the replies out.

    The protocol runs on the event loop; its :class:`Work` (the pose model, files) runs on the
    pose worker thread, one for the server, so results never queue up behind stale frames. A
    worker task asks for the newest queued frame (:data:`NEXT_FRAME`) after each one."""
    loop = asyncio.get_running_loop()
    executor = state.executor

    async def send(replies: list[Reply]) -> bool:
        """Send ``replies`` in order; False once this socket is closed."""
        for r in replies:
            if isinstance(r, dict):
                await ws.send_json(r)
            elif isinstance(r, Work):
                if not await send(await loop.run_in_executor(executor, r.fn)):
                    return False
            elif isinstance(r, Save):
                await loop.run_in_executor(executor, state.store.save, r.session)
            elif isinstance(r, Evict):
                try:
                    await r.peer.send_json(r.message)  # type: ignore[attr-defined]
                    await r.peer.close(code=r.code)  # type: ignore[attr-defined]
                except Exception:  # the old socket may already be gone
                    pass
            else:
                await ws.close(code=r.code)
                return False
        return True

    try:
        first = await asyncio.wait_for(ws.receive(), timeout=10.0)
    except (TimeoutError, WebSocketDisconnect):
        await ws.close(code=1002)
        return
    if first["type"] == "websocket.disconnect":
        return
    hello = first.get("text")
    if hello is None:  # a binary first message: not a hello
        await ws.close(code=1002)
        return
    if not await send(protocol.handle(hello)):
        return
    wake = asyncio.Event()

    async def worker() -> None:
        while True:
            await wake.wait()
            wake.clear()
            await send(protocol.handle(NEXT_FRAME))

    task = asyncio.create_task(worker())
    try:
        while True:
            msg = await ws.receive()
            if msg["type"] == "websocket.disconnect":
                break
            data = msg.get("bytes")
            if data is not None:
                await send(protocol.handle(data))  # only queues the frame
                wake.set()
                continue
            text = msg.get("text")
            if text is not None:
                await send(protocol.handle(text))
    except WebSocketDisconnect:
        pass
    finally:
        task.cancel()
        for r in protocol.handle(DISCONNECTED):  # detach now; release the model on the worker
            if isinstance(r, Work):
                # submitted, not awaited: it runs even when this handler is cancelled
                with contextlib.suppress(RuntimeError):  # the executor is already shut down
                    executor.submit(r.fn)


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
