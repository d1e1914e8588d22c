"""The live page's protocol as a state machine: messages in, replies out, no socket.

:class:`LiveProtocol` is one page's conversation with the server (one per WebSocket). Its one
method, :meth:`LiveProtocol.handle`, takes what came over the socket (a text message, a binary
frame) or one of two events of the connection (:data:`NEXT_FRAME`, :data:`DISCONNECTED`) and
returns the replies, in order: JSON messages for the page (``dict``) and four actions for the
transport (:class:`Close` this socket, :class:`Evict` another page, :class:`Save` a session after
the messages before it were sent, and :class:`Work` to run off the event loop, whose own replies
follow in its place). The WebSocket endpoint of :mod:`hipwise.web.app` only feeds it and carries
the replies out; tests drive it directly (running :class:`Work` inline).

``handle`` itself is cheap (it runs on the event loop): whatever runs the pose model or writes
files comes back as :class:`Work`. Messages and replies are those of :mod:`hipwise.web.app` (see
its docstring). Backpressure: a binary frame is only queued; a newer frame replaces one still
waiting (answered ``dropped``), and :data:`NEXT_FRAME` processes the newest one.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from hipwise.web.config import LiveConfig
from hipwise.web.frames import FRAME_HEADER, FrameError, decode_frame
from hipwise.web.landmarks import LandmarkError, LandmarkGate, LandmarkMessage
from hipwise.web.session import (
    CaptureTimeError,
    LiveSession,
    SessionStore,
    private_tree,
    write_private,
)

__all__ = [
    "DISCONNECTED",
    "NEXT_FRAME",
    "Close",
    "Disconnected",
    "Evict",
    "Incoming",
    "LiveProtocol",
    "NextFrame",
    "Reply",
    "Save",
    "Work",
    "client_settings",
    "write_outputs",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NextFrame:
    """Event: process the newest queued frame (the transport's pose worker sends it)."""


@dataclass(frozen=True)
class Disconnected:
    """Event: the socket closed; detach the page, release the pose model, save the session."""


NEXT_FRAME: Final = NextFrame()
DISCONNECTED: Final = Disconnected()

#: What :meth:`LiveProtocol.handle` takes: a text message, a binary frame, or an event.
Incoming = str | bytes | NextFrame | Disconnected


@dataclass(frozen=True)
class Close:
    """Action: close this socket with WebSocket close ``code`` (nothing is handled after it)."""

    code: int


@dataclass(frozen=True)
class Evict:
    """Action: send ``message`` to another page's socket ``peer`` and close it with ``code``
    (a newer page took its set over); errors of that socket are ignored."""

    peer: object
    message: dict[str, Any]
    code: int = 4000


@dataclass(frozen=True)
class Save:
    """Action: write ``session``'s state to disk (after the messages before it were sent)."""

    session: LiveSession


@dataclass(frozen=True)
class Work:
    """Action: run ``fn`` off the event loop (it may block: the pose model, files); the replies
    it returns take its place in the list."""

    fn: Callable[[], list[Reply]]


#: One reply: a JSON message for this page, or an action for the transport.
Reply = dict[str, Any] | Close | Evict | Save | Work

_TAKEN_OVER: Final = {"type": "error", "code": "taken_over",
                      "message": "This set was opened in another tab or device."}


def client_settings(live: LiveConfig) -> dict[str, Any]:
    """The capture settings the page follows (in ``welcome`` and ``/api/info``)."""
    return {
        "capture_width": live.capture_width,
        "capture_fps": live.capture_fps,
        "jpeg_quality": live.jpeg_quality,
        "max_in_flight": live.max_in_flight,
    }


class LiveProtocol:
    """One page's conversation: waits for ``hello``, then runs frames, landmarks and commands
    on its session until the socket closes.

    Args:
        sessions: the server's live sessions.
        live: the live settings (connection cap, browser pose checks, page settings).
        attached: session id -> the socket (``peer``) attached to it, shared by every
            connection of the server: one page per session, at most ``live.max_connections``.
        peer: this connection's socket, an opaque token (only compared and handed back in
            :class:`Evict`).
        clock: monotonic seconds, for the landmark message rate checks.
    """

    def __init__(
        self,
        sessions: SessionStore,
        live: LiveConfig,
        attached: dict[str, Any],
        peer: object,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sessions = sessions
        self.live = live
        self.attached = attached
        self.peer = peer
        self.clock = clock
        self.session: LiveSession | None = None
        self.closed = False
        self._gate = LandmarkGate(live.browser_pose)
        self._flood_told = -1.0
        self._saved: dict[str, int] = {}
        self._pending: tuple[float, bytes] | None = None  # the newest frame not processed

    # -- the one entry point -----------------------------------------------------------------

    def handle(self, message: Incoming) -> list[Reply]:
        """The replies to one message or event, in order (empty: nothing to say). Cheap: the
        work that blocks comes back as :class:`Work`."""
        if isinstance(message, Disconnected):
            return self._disconnected()
        if self.closed:
            return []
        if isinstance(message, NextFrame):
            return self._next_frame()
        if self.session is None:
            return self._hello(message)
        if isinstance(message, bytes | bytearray | memoryview):
            return self._frame_arrived(bytes(message))
        return self._command(message)

    # -- hello -------------------------------------------------------------------------------

    def _hello(self, message: str | bytes) -> list[Reply]:
        """The first message: open (or resume) the session, or refuse and close."""
        try:
            if not isinstance(message, str):
                raise ValueError("the first message must be text")
            hello = json.loads(message)
        except ValueError:
            return self._close(1002)
        if not isinstance(hello, dict) or hello.get("type") != "hello":
            return [{"type": "error", "code": "bad_hello",
                     "message": 'the first message must be {"type": "hello", ...}'},
                    *self._close(1002)]
        sid = hello.get("session")
        if not isinstance(sid, str):  # null (a new set) or anything odd
            sid = None
        pages = {id(w) for w in self.attached.values()}
        if len(pages) >= self.live.max_connections and sid not in self.attached:
            return [{"type": "error", "code": "busy",
                     "message": f"{self.live.max_connections} pages are connected "
                     "already: close one and reload."},
                    *self._close(1013)]
        session, resumed = self.sessions.open(sid, keep=set(self.attached))
        replies: list[Reply] = []
        wanted = hello.get("variation")
        if wanted is not None:
            self._set_variation(session, wanted, replies)
        replies += self._attach(session)
        replies.append(self._welcome(session, resumed))
        return replies

    def _welcome(self, session: LiveSession, resumed: bool) -> dict[str, Any]:
        return {"type": "welcome", "resumed": resumed, "state": session.state(),
                "client": client_settings(self.live)}

    def _attach(self, session: LiveSession) -> list[Reply]:
        """One socket per session: a newer page takes the session over from an older one."""
        self.session = session
        old = self.attached.get(session.id)
        replies: list[Reply] = []
        if old is not None and old is not self.peer:
            replies.append(Evict(old, dict(_TAKEN_OVER)))
        self.attached[session.id] = self.peer
        session.new_connection()
        return replies

    def _close(self, code: int) -> list[Reply]:
        self.closed = True
        return [Close(code)]

    # -- frames ------------------------------------------------------------------------------

    def _frame_arrived(self, data: bytes) -> list[Reply]:
        """Queue a binary frame (cheap: the event loop calls it as frames arrive)."""
        if len(data) < FRAME_HEADER.size:
            return []
        fid, _ = FRAME_HEADER.unpack_from(data)
        if not math.isfinite(fid):  # echoed in JSON: must be a number
            return [{"type": "dropped", "id": None, "reason": "frame id is not a finite number"}]
        old, self._pending = self._pending, (fid, data)
        if old is None:
            return []
        assert self.session is not None
        self.session.dropped += 1
        return [{"type": "dropped", "id": old[0]}]

    def _next_frame(self) -> list[Reply]:
        """Process the newest queued frame (as :class:`Work`: it runs the pose model)."""
        item, self._pending = self._pending, None
        s = self.session
        if item is None or s is None:
            return []
        fid, data = item
        return [Work(lambda: self._run_frame(s, fid, data))]

    def _run_frame(self, s: LiveSession, fid: float, data: bytes) -> list[Reply]:
        try:
            result = _process(s, data)
        except _SetFinishedError:  # a frame that was on its way when the set ended
            return [{"type": "dropped", "id": fid, "reason": "set finished"}]
        except (FrameError, CaptureTimeError) as exc:
            return [{"type": "dropped", "id": fid, "reason": str(exc)}]
        except Exception:  # a bug: say so on the page, keep the set going
            logger.exception("frame processing failed")
            return [{"type": "dropped", "id": fid, "reason": "internal error"}]
        result["id"] = fid
        return [result, *self._save_if_changed(s)]

    def _save_if_changed(self, s: LiveSession) -> list[Reply]:
        """A :class:`Save` when a rep was counted since the last save."""
        if self._saved.get(s.id) == s.rep_version:
            return []
        self._saved[s.id] = s.rep_version
        return [Save(s)]

    # -- text commands -----------------------------------------------------------------------

    def _command(self, text: str) -> list[Reply]:
        try:
            cmd = json.loads(text)
        except ValueError:
            return []
        kind = cmd.get("type") if isinstance(cmd, dict) else None
        if kind == "finish":
            return [Work(self._finish)]
        if kind == "variation":
            assert self.session is not None
            replies: list[Reply] = []
            if self._set_variation(self.session, cmd.get("variation"), replies):
                replies.append({"type": "state", "state": self.session.state()})
            return replies
        if kind == "new":
            return self._new()
        if kind == "landmarks":
            return self._landmarks(cmd)
        if kind == "ping":
            return [{"type": "pong"}]
        return []

    def _finish(self) -> list[Reply]:
        """End the set: write its analysis and report, free the pose model, send the summary
        (blocks: files, the variations engine)."""
        s = self.session
        assert s is not None
        try:
            links = write_outputs(s, self.sessions.path(s.id))
        except Exception:  # a bug: keep the socket and the reps, say so
            logger.exception("finishing session %s failed", s.id)
            return [{"type": "error", "code": "finish_failed",
                     "message": "The set could not be finished; its reps are kept. Try again."}]
        self.sessions.save(s)
        s.close()  # free the pose model
        assert s.analysis is not None
        return [{
            "type": "summary",
            "analysis": json.loads(s.analysis.to_json()),
            "lines": s.summary_lines(),
            "links": links,
            "state": s.state(),
        }]

    def _new(self) -> list[Reply]:
        """Start a new set on this page, keeping the variation (a waiting frame is dropped)."""
        self._pending = None
        old = self.session
        assert old is not None
        if self.attached.get(old.id) is self.peer:  # this page left that set
            del self.attached[old.id]

        def close_old() -> list[Reply]:
            old.close()
            return []

        def start_new() -> list[Reply]:
            new = self.sessions.new(keep=set(self.attached))
            new.set_variation(old.variation)
            replies = self._attach(new)
            replies.append(self._welcome(new, False))
            return replies

        return [Work(close_old), *start_new()]

    def _landmarks(self, cmd: dict[str, Any]) -> list[Reply]:
        """Browser pose: check the message, then the same session path as a frame."""
        now = self.clock()
        try:
            m = self._gate.check(cmd, now)
        except LandmarkError as exc:
            if exc.code == "landmarks_flood" and now - self._flood_told < 1.0:
                return []  # said once a second: a flood is not answered message for message
            if exc.code == "landmarks_flood":
                self._flood_told = now
            return [{"type": "error", "code": exc.code, "message": str(exc)}]
        s = self.session
        assert s is not None
        if s.analysis is not None:
            return [{"type": "dropped", "id": m.id, "reason": "set finished"}]
        return [Work(lambda: self._run_landmarks(s, m))]

    def _run_landmarks(self, s: LiveSession, m: LandmarkMessage) -> list[Reply]:
        try:
            result = _process_landmarks(s, m)
        except Exception:  # a bug: say so on the page, keep the set going
            logger.exception("landmark processing failed")
            return [{"type": "dropped", "id": m.id, "reason": "internal error"}]
        result["id"] = m.id
        return [result, *self._save_if_changed(s)]

    @staticmethod
    def _set_variation(session: LiveSession, name: Any, replies: list[Reply]) -> bool:
        """Apply a variation the page asked for; an unknown one adds an ``error`` reply."""
        try:
            if not isinstance(name, str):
                raise ValueError(f"variation must be a name, got {name!r}")
            session.set_variation(name)
        except ValueError as exc:
            replies.append({"type": "error", "code": "bad_variation", "message": str(exc)})
            return False
        return True

    # -- the end -----------------------------------------------------------------------------

    def _disconnected(self) -> list[Reply]:
        """After the socket closed: detach the page; free the session's pose model (~200 MB
        and its threads) when no page is attached any more (a resumed session builds a new one
        on its next frame), save the session and prune the sessions held in memory."""
        self.closed = True
        s = self.session
        if s is None:
            return []
        detached = self.attached.get(s.id) is self.peer
        if detached:
            del self.attached[s.id]

        def release() -> list[Reply]:
            try:
                if detached and s.id not in self.attached:
                    s.close()
                self.sessions.save(s)
                self.sessions.prune(set(self.attached))
            except Exception:  # never kill the pose worker over the cleanup
                logger.exception("cleaning up after session %s failed", s.id)
            return []

        return [Work(release)]


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


def write_outputs(session: LiveSession, folder: Path) -> dict[str, str | None]:
    """Write the finished session's ``analysis.json`` and (when :mod:`hipwise.report` is
    installed) its HTML report into ``folder``; returns the links the page shows."""
    analysis = session.finish()
    write_private(folder / "analysis.json", (analysis.to_json() + "\n").encode("utf-8"))
    links: dict[str, str | None] = {
        "analysis": f"/sessions/{session.id}/analysis.json", "report": None,
    }
    try:  # lazy: the report stack (matplotlib, PIL) loads only when a set ends
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
