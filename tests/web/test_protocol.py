"""The live protocol's state machine, driven without a socket: messages in, replies out."""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path
from typing import Any

import pytest

from hipwise.config import AnalysisConfig
from hipwise.pose.sequence import PoseSequence
from hipwise.web.config import LiveConfig
from hipwise.web.landmarks import BrowserPoseConfig
from hipwise.web.protocol import (
    DISCONNECTED,
    NEXT_FRAME,
    Close,
    Evict,
    Incoming,
    LiveProtocol,
    Reply,
    Save,
    Work,
)
from hipwise.web.session import SessionStore
from tests.web.conftest import ScriptedEstimator, jpeg_message, three_reps
from tests.web.landmark_msgs import landmark_message

HELLO = json.dumps({"type": "hello", "session": None})


class Server:
    """What a server shares between connections: the sessions and who is attached."""

    def __init__(self, tmp_path: Path, seq: PoseSequence | None = None,
                 live: LiveConfig | None = None) -> None:
        self.live = live or LiveConfig()
        self.made: list[ScriptedEstimator] = []

        def factory(cfg: AnalysisConfig) -> ScriptedEstimator:
            if seq is None:
                raise AssertionError("no pose model in this test")
            est = ScriptedEstimator(seq)
            self.made.append(est)
            return est

        self.sessions = SessionStore(tmp_path / "live", AnalysisConfig(), self.live, factory)
        self.attached: dict[str, Any] = {}
        self.now = 0.0

    def connect(self) -> LiveProtocol:
        """A new page's protocol (its peer token is a fresh object)."""
        return LiveProtocol(self.sessions, self.live, self.attached, object(),
                            clock=lambda: self.now)


def drive(p: LiveProtocol, message: Incoming) -> list[Reply]:
    """``p.handle(message)`` with its :class:`Work` run inline (the transport runs it on the
    pose worker thread)."""
    return _run(p.handle(message))


def _run(replies: list[Reply]) -> list[Reply]:
    out: list[Reply] = []
    for r in replies:
        out += _run(r.fn()) if isinstance(r, Work) else [r]
    return out


def messages(replies: list[Reply]) -> list[dict[str, Any]]:
    """The JSON messages among ``replies``."""
    return [r for r in replies if isinstance(r, dict)]


def hello(p: LiveProtocol, session: str | None = None, **kw: Any) -> dict[str, Any]:
    replies = drive(p, json.dumps({"type": "hello", "session": session, **kw}))
    welcome = messages(replies)[-1]
    assert welcome["type"] == "welcome", replies
    return welcome


def frame(p: LiveProtocol, fid: float, t_ms: float) -> list[Reply]:
    """One frame as the transport runs it: queued, then processed by the worker."""
    assert drive(p, jpeg_message(fid, t_ms)) == []
    return drive(p, NEXT_FRAME)


def play(p: LiveProtocol, seq: PoseSequence, until_s: float, fps: float = 30.0) -> list[Reply]:
    out: list[Reply] = []
    for i in range(int(until_s * fps)):
        out += frame(p, i, 1000.0 * i / fps)
    return out


# -- hello, welcome, refusals -------------------------------------------------------------------


def test_hello_opens_a_session_and_attaches_the_page(tmp_path: Path) -> None:
    srv = Server(tmp_path)
    p = srv.connect()
    w = hello(p)
    assert w["resumed"] is False and w["client"]["capture_fps"] == srv.live.capture_fps
    sid = w["state"]["session"]
    assert p.session is not None and p.session.id == sid
    assert srv.attached == {sid: p.peer}


@pytest.mark.parametrize("first", [b"\x00" * 40, "not json", "[1, 2]", '{"type": "ping"}'])
def test_a_first_message_that_is_not_hello_closes_with_1002(tmp_path: Path, first: Any) -> None:
    srv = Server(tmp_path)
    p = srv.connect()
    replies = drive(p, first)
    assert replies[-1] == Close(1002)
    if isinstance(first, str) and first.startswith(("[", "{")):
        assert messages(replies)[0]["code"] == "bad_hello"
    else:
        assert messages(replies) == []
    assert drive(p, HELLO) == [] and p.session is None and srv.attached == {}
    assert drive(p, DISCONNECTED) == []


def test_a_page_beyond_the_connection_cap_is_told_busy(tmp_path: Path) -> None:
    srv = Server(tmp_path, live=LiveConfig(max_connections=1))
    first = srv.connect()
    sid = hello(first)["state"]["session"]
    replies = drive(srv.connect(), HELLO)
    assert messages(replies)[0]["code"] == "busy" and replies[-1] == Close(1013)
    # the page already attached to that set may take it over (e.g. a reload)
    again = srv.connect()
    replies = drive(again, json.dumps({"type": "hello", "session": sid}))
    assert isinstance(replies[0], Evict) and replies[0].peer is first.peer
    assert replies[0].message["code"] == "taken_over" and replies[0].code == 4000
    assert messages(replies)[-1]["resumed"] is True
    assert srv.attached == {sid: again.peer}


def test_a_bad_variation_in_hello_is_an_error_and_the_session_opens(tmp_path: Path) -> None:
    p = Server(tmp_path).connect()
    replies = messages(drive(p, json.dumps({"type": "hello", "session": None,
                                            "variation": "cartwheel"})))
    assert [m["type"] for m in replies] == ["error", "welcome"]
    assert replies[0]["code"] == "bad_variation"
    other = Server(tmp_path / "b").connect()
    assert hello(other, variation="isometric_hold")["state"]["variation"] == "isometric_hold"


def test_what_blocks_comes_back_as_work(tmp_path: Path) -> None:
    seq, _ = three_reps()
    p = Server(tmp_path, seq).connect()
    hello(p)
    assert p.handle(jpeg_message(1, 0.0)) == []
    (work,) = p.handle(NEXT_FRAME)  # the pose model runs off the event loop
    assert isinstance(work, Work) and messages(_run(work.fn()))[0]["type"] == "result"
    (work,) = p.handle('{"type": "finish"}')  # files and the variations engine too
    assert isinstance(work, Work) and p.session is not None and p.session.analysis is None
    (work,) = p.handle(DISCONNECTED)  # the page is detached at once, the model freed later
    assert isinstance(work, Work) and p.closed


# -- frames ---------------------------------------------------------------------------------------


def test_frames_are_processed_newest_first_and_superseded_ones_dropped(tmp_path: Path) -> None:
    seq, _ = three_reps()
    p = Server(tmp_path, seq).connect()
    hello(p)
    assert drive(p, jpeg_message(1, 0.0)) == []
    assert drive(p, jpeg_message(2, 33.0)) == [{"type": "dropped", "id": 1.0}]
    assert p.session is not None and p.session.dropped == 1
    (result,) = messages(drive(p, NEXT_FRAME))
    assert result["type"] == "result" and result["id"] == 2.0
    assert result["timing"]["decode_ms"] >= 0
    assert drive(p, NEXT_FRAME) == []  # nothing waiting


def test_bad_frames_are_dropped_with_a_reason(tmp_path: Path) -> None:
    seq, _ = three_reps()
    p = Server(tmp_path, seq).connect()
    hello(p)
    assert drive(p, b"\x00" * 8) == []  # shorter than the header: ignored
    (m,) = messages(drive(p, struct.pack("<dd", math.nan, 0.0) + b"x"))
    assert m == {"type": "dropped", "id": None, "reason": "frame id is not a finite number"}
    assert drive(p, struct.pack("<dd", 3, 0.0) + b"not a jpeg") == []
    (m,) = messages(drive(p, NEXT_FRAME))
    assert m["type"] == "dropped" and m["id"] == 3.0 and "JPEG" in m["reason"]
    assert messages(frame(p, 4, 100.0))[0]["type"] == "result"
    (m,) = messages(frame(p, 5, 50.0))  # capture time going back
    assert m["type"] == "dropped" and "previous frame" in m["reason"]
    (m,) = messages(frame(p, 6, math.inf))
    assert m["type"] == "dropped" and "plausible" in m["reason"]


def test_a_set_counts_reps_saves_after_each_and_finishes_with_a_summary(tmp_path: Path) -> None:
    seq, truth = three_reps()
    srv = Server(tmp_path, seq)
    p = srv.connect()
    sid = hello(p)["state"]["session"]
    replies = play(p, seq, float(seq.t[-1]) + 0.5)
    results = [m for m in messages(replies) if m["type"] == "result"]
    assert results[-1]["counts"]["right"] == {"reps": 3, "good": 2}
    saves = [r for r in replies if isinstance(r, Save)]
    assert 3 <= len(saves) <= 4 and all(s.session is p.session for s in saves)
    (summary,) = messages(drive(p, '{"type": "finish"}'))
    assert summary["type"] == "summary" and summary["state"]["finished"] is True
    reps = summary["analysis"]["sets"][0]["reps"]
    assert [r["faults"] for r in reps] == [r.faults for r in truth.sets[0].reps]
    assert summary["links"]["analysis"] == f"/sessions/{sid}/analysis.json"
    assert (tmp_path / "live" / sid / "analysis.json").is_file()
    assert srv.made[0].closed  # the pose model is freed at the end of the set
    assert messages(frame(p, 10_000, 1e6)) == [
        {"type": "dropped", "id": 10_000.0, "reason": "set finished"}
    ]


def test_a_failing_finish_keeps_the_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import hipwise.web.protocol as protocol

    def boom(*a: Any) -> Any:
        raise RuntimeError("disk on fire")

    p = Server(tmp_path).connect()
    hello(p)
    monkeypatch.setattr(protocol, "write_outputs", boom)
    (m,) = messages(drive(p, '{"type": "finish"}'))
    assert m["type"] == "error" and m["code"] == "finish_failed"
    assert p.session is not None and p.session.analysis is None


# -- commands -------------------------------------------------------------------------------------


def test_variation_new_ping_and_junk(tmp_path: Path) -> None:
    srv = Server(tmp_path)
    p = srv.connect()
    old = hello(p)["state"]["session"]
    (m,) = messages(drive(p, '{"type": "variation", "variation": 7}'))
    assert m["code"] == "bad_variation"
    (m,) = messages(drive(p, '{"type": "variation", "variation": "clamshell"}'))
    assert m["type"] == "state" and m["state"]["variation"] == "clamshell"
    assert drive(p, '{"type": "ping"}') == [{"type": "pong"}]
    for junk in ("not json", "[]", '{"type": "launch"}', '{"no": "type"}'):
        assert drive(p, junk) == []
    (w,) = messages(drive(p, '{"type": "new"}'))
    assert w["type"] == "welcome" and w["resumed"] is False
    new = w["state"]["session"]
    assert new != old and w["state"]["variation"] == "clamshell"
    assert srv.attached == {new: p.peer}


def test_new_drops_a_frame_still_waiting(tmp_path: Path) -> None:
    seq, _ = three_reps()
    p = Server(tmp_path, seq).connect()
    hello(p)
    drive(p, jpeg_message(1, 0.0))
    drive(p, '{"type": "new"}')
    assert drive(p, NEXT_FRAME) == []


def test_landmarks_are_checked_and_counted_like_frames(tmp_path: Path) -> None:
    seq, _ = three_reps()
    live = LiveConfig(browser_pose=BrowserPoseConfig(max_rate_hz=10.0, burst=3))
    srv = Server(tmp_path, live=live)  # no pose model: the page ran it
    p = srv.connect()
    hello(p)
    (m,) = messages(drive(p, json.dumps(landmark_message(seq, 0, 1, 1000.0))))
    assert m["type"] == "result" and m["id"] == 1 and m["timing"]["server_ms"] >= 0
    bad = {**landmark_message(seq, 1, 2, 1033.0), "pose": [[0.5, 0.5]]}
    (m,) = messages(drive(p, json.dumps(bad)))
    assert m["type"] == "error" and m["code"] == "landmarks_shape"
    # the clock stands still: the burst runs out, the flood is said once a second
    floods = []
    for i in range(10):
        for r in messages(drive(p, json.dumps(landmark_message(seq, 1, 3 + i, 1066.0 + i)))):
            floods += [r["code"]] if r["type"] == "error" else []
    assert floods == ["landmarks_flood"]
    srv.now = 1.5
    msgs = [messages(drive(p, json.dumps(landmark_message(seq, 2, 20 + i, 1100.0 + i))))
            for i in range(2)]
    assert msgs[0][0]["type"] == "result"


# -- disconnect, resume ---------------------------------------------------------------------------


def test_disconnect_frees_the_model_and_a_new_page_resumes_the_set(tmp_path: Path) -> None:
    seq, _ = three_reps()
    srv = Server(tmp_path, seq)
    p = srv.connect()
    sid = hello(p)["state"]["session"]
    assert messages(frame(p, 1, 0.0))[0]["type"] == "result"
    assert drive(p, DISCONNECTED) == []
    assert srv.attached == {} and srv.made[0].closed
    assert (tmp_path / "live" / sid / "session.pkl").is_file()
    assert drive(p, jpeg_message(2, 33.0)) == []  # nothing is handled after the socket closed
    again = srv.connect()
    w = hello(again, sid)
    assert w["resumed"] is True and w["state"]["session"] == sid
    assert messages(frame(again, 2, 0.0))[0]["type"] == "result"
    assert len(srv.made) == 2


def test_a_page_taken_over_does_not_detach_the_new_one(tmp_path: Path) -> None:
    srv = Server(tmp_path)
    old = srv.connect()
    sid = hello(old)["state"]["session"]
    new = srv.connect()
    hello(new, sid)
    drive(old, DISCONNECTED)
    assert srv.attached == {sid: new.peer}
