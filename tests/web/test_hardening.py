"""The live server under a hostile or unlucky client (issue 12): models freed, sessions capped
and expired, foreign origins and unpaired devices refused, oversized JPEGs refused before
decoding, capture times validated, bad hellos refused, files private."""

from __future__ import annotations

import math
import os
import struct
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from hipwise.settings import AnalysisConfig, LiveConfig
from hipwise.web.app import FrameError, create_app, decode_frame, jpeg_size
from hipwise.web.guard import PAIR_COOKIE
from hipwise.web.session import CaptureTimeError, LiveSession, SessionStore
from tests.web.conftest import ScriptedEstimator, jpeg_message, three_reps

WS = "ws://localhost/ws"


def _client(tmp_path: Path, factory: Any, live: LiveConfig | None = None,
            **kw: Any) -> TestClient:
    return TestClient(create_app(live=live, data_dir=tmp_path, factory=factory, **kw),
                      base_url="http://localhost")


def _hello(ws: Any, session: str | None = None) -> dict[str, Any]:
    ws.send_json({"type": "hello", "session": session})
    msg: dict[str, Any] = ws.receive_json()
    assert msg["type"] == "welcome"
    return msg


def _drain(c: TestClient) -> None:
    """Wait for the pose worker to run what closed sockets left for it (model release)."""
    c.app.state.hipwise.executor.submit(lambda: None).result(timeout=10)  # type: ignore[attr-defined]


def _recording_factory(seq: Any) -> tuple[Callable[[AnalysisConfig], ScriptedEstimator],
                                          list[ScriptedEstimator]]:
    made: list[ScriptedEstimator] = []

    def factory(cfg: AnalysisConfig) -> ScriptedEstimator:
        est = ScriptedEstimator(seq)
        made.append(est)
        return est

    return factory, made


def _bomb(width: int = 12000, height: int = 12000) -> bytes:
    """A small real JPEG whose frame header claims ``width x height`` px."""
    import cv2

    ok, buf = cv2.imencode(".jpg", np.full((16, 16, 3), 90, dtype=np.uint8))
    assert ok
    data = bytearray(buf.tobytes())
    i = data.index(b"\xff\xc0")
    data[i + 5:i + 9] = struct.pack(">HH", height, width)
    return bytes(data)


# -- 1. models, memory and disk ----------------------------------------------------------------


def test_an_abandoned_socket_frees_its_pose_model_and_resume_builds_a_new_one(
    tmp_path: Path,
) -> None:
    seq, _ = three_reps()
    factory, made = _recording_factory(seq)
    with _client(tmp_path, factory) as c:
        with c.websocket_connect(WS) as ws:
            sid = _hello(ws)["state"]["session"]
            ws.send_bytes(jpeg_message(1, 0.0))
            assert ws.receive_json()["type"] == "result"
        _drain(c)  # the page went away without Finish
        assert made[0].closed
        with c.websocket_connect(WS) as ws:
            assert _hello(ws, sid)["resumed"] is True
            ws.send_bytes(jpeg_message(2, 0.0))
            assert ws.receive_json()["type"] == "result"
        assert len(made) == 2


def test_sessions_in_memory_are_capped_and_evicted_ones_resume_from_disk(tmp_path: Path) -> None:
    seq, _ = three_reps()
    factory, made = _recording_factory(seq)
    live = LiveConfig(max_sessions=3)
    ids = []
    with _client(tmp_path, factory, live) as c:
        store: SessionStore = c.app.state.hipwise.store  # type: ignore[attr-defined]
        for i in range(10):  # ten pages that send one frame and vanish
            with c.websocket_connect(WS) as ws:
                ids.append(_hello(ws)["state"]["session"])
                ws.send_bytes(jpeg_message(i, 0.0))
                assert ws.receive_json()["type"] == "result"
        _drain(c)
        assert len(store.sessions) <= 3
        assert all(e.closed for e in made)
        with c.websocket_connect(WS) as ws:  # the first one, evicted long ago, resumes
            w = _hello(ws, ids[0])
            assert w["resumed"] and w["state"]["session"] == ids[0]


def test_connections_are_capped(tmp_path: Path, scripted: Callable[..., Any]) -> None:
    seq, _ = three_reps()
    with _client(tmp_path, scripted(seq), LiveConfig(max_connections=1)) as c, \
            c.websocket_connect(WS) as ws1:
        _hello(ws1)
        with c.websocket_connect(WS) as ws2:
            ws2.send_json({"type": "hello", "session": None})
            msg = ws2.receive_json()
            assert msg["type"] == "error" and msg["code"] == "busy"
            with pytest.raises(WebSocketDisconnect):
                ws2.receive_json()


def test_new_sets_on_one_page_count_as_one_connection(
    tmp_path: Path, scripted: Callable[..., Any]
) -> None:
    seq, _ = three_reps()
    with _client(tmp_path, scripted(seq), LiveConfig(max_connections=2)) as c:
        with c.websocket_connect(WS) as ws:
            _hello(ws)
            for _ in range(4):  # finish, then the next set, on the same page
                ws.send_json({"type": "finish"})
                assert ws.receive_json()["type"] == "summary"
                ws.send_json({"type": "new"})
                assert ws.receive_json()["type"] == "welcome"
            assert len(c.app.state.hipwise.attached) == 1  # type: ignore[attr-defined]
            with c.websocket_connect(WS) as ws2:
                _hello(ws2)  # a second page still fits
        _drain(c)
        assert c.app.state.hipwise.attached == {}  # type: ignore[attr-defined]


def test_old_session_folders_expire(tmp_path: Path) -> None:
    live = LiveConfig(session_keep_h=1.0, report_keep_days=2.0)
    store = SessionStore(tmp_path, AnalysisConfig(), live, None)
    now = time.time()

    def folder(name: str, age_s: float, finished: bool) -> Path:
        d = tmp_path / name
        d.mkdir()
        (d / "session.pkl").write_bytes(b"x")
        if finished:
            (d / "analysis.json").write_text("{}")
        for f in d.iterdir():
            os.utime(f, (now - age_s, now - age_s))
        return d

    old_open = folder("aa01", 2 * 3600, finished=False)
    new_open = folder("aa02", 600, finished=False)
    old_done = folder("aa03", 3 * 86400, finished=True)
    new_done = folder("aa04", 86400, finished=True)
    other = tmp_path / "tls"
    other.mkdir()
    assert sorted(store.expire(now)) == ["aa01", "aa03"]
    assert not old_open.exists() and not old_done.exists()
    assert new_open.is_dir() and new_done.is_dir() and other.is_dir()


# -- 2. origin, host and pairing --------------------------------------------------------------


def test_foreign_origins_and_hosts_are_refused(
    tmp_path: Path, scripted: Callable[..., Any]
) -> None:
    seq, _ = three_reps()
    with _client(tmp_path, scripted(seq)) as c:
        for headers in ({"origin": "https://evil.example"}, {"origin": "null"},
                        {"origin": "http://localhost:9999"}):
            with pytest.raises(WebSocketDisconnect) as exc, c.websocket_connect(
                    WS, headers=headers) as ws:
                ws.send_json({"type": "hello", "session": None})
                ws.receive_json()
            assert exc.value.code == 1008
        # DNS rebinding: the attacker's name resolved to 127.0.0.1
        with pytest.raises(WebSocketDisconnect), c.websocket_connect(
                "ws://evil.example/ws") as ws:
            ws.receive_json()
        assert c.get("http://evil.example/api/info").status_code == 403
        assert c.get("/api/info", headers={"origin": "https://evil.example"}).status_code == 403
        # the server's own page
        with c.websocket_connect(WS, headers={"origin": "http://localhost"}) as ws:
            _hello(ws)
        assert c.get("/api/info", headers={"origin": "http://localhost"}).status_code == 200


def test_lan_devices_need_the_pairing_key_of_the_qr_code(
    tmp_path: Path, scripted: Callable[..., Any]
) -> None:
    seq, _ = three_reps()
    key = "s3cret-pairing-key"
    url = f"https://192.168.1.20:8765/?key={key}"

    def app() -> Any:
        return create_app(data_dir=tmp_path, factory=scripted(seq), public_url=url,
                          pairing_key=key)

    base = "https://192.168.1.20:8765"
    # another device on the network (TestClient's client address is not loopback)
    with TestClient(app(), base_url=base) as phone:
        assert phone.get("/").status_code == 403
        assert phone.get("/api/info").status_code == 403
        assert phone.get("/qr.svg").status_code == 403
        assert phone.get("/?key=wrong").status_code == 403
        assert phone.get("/static/app.js").status_code == 200  # code, no data
        with pytest.raises(WebSocketDisconnect), phone.websocket_connect(
                "wss://192.168.1.20:8765/ws") as ws:
            ws.receive_json()
        r = phone.get(f"/?key={key}", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/"
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" in cookie
        phone.cookies.set(PAIR_COOKIE, key)
        assert phone.get("/").status_code == 200
        with phone.websocket_connect("wss://192.168.1.20:8765/ws",
                                     headers={"cookie": f"{PAIR_COOKIE}={key}"}) as ws:
            _hello(ws)
    # this computer needs no key
    with TestClient(app(), base_url="http://localhost", client=("127.0.0.1", 5000)) as local:
        assert local.get("/").status_code == 200
        assert local.get("/api/info").json()["public_url"] == url


# -- 3. decompression bombs ---------------------------------------------------------------------


def test_jpeg_size_is_read_from_the_header() -> None:
    msg = jpeg_message(1, 0.0, size=(64, 48))
    assert jpeg_size(msg, 16) == (64, 48)
    assert jpeg_size(_bomb(12000, 9000)) == (12000, 9000)
    for bad in (b"", b"\xff\xd8", b"GIF89a....", b"\xff\xd8\xff\xda\x00\x02", b"\xff\xd8\x00\x00"):
        with pytest.raises(FrameError):
            jpeg_size(bad)


def test_a_huge_jpeg_is_refused_before_decoding(
    tmp_path: Path, scripted: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import cv2

    decoded: list[int] = []
    real = cv2.imdecode

    def spy(buf: Any, flags: int) -> Any:
        decoded.append(len(buf))
        return real(buf, flags)

    monkeypatch.setattr(cv2, "imdecode", spy)
    with pytest.raises(FrameError, match="larger than 1920"):
        decode_frame(struct.pack("<dd", 1.0, 0.0) + _bomb(), max_side=1920)
    with pytest.raises(FrameError):  # a PNG is not what the page sends
        _ok, png = cv2.imencode(".png", np.zeros((8, 8, 3), np.uint8))
        decode_frame(struct.pack("<dd", 1.0, 0.0) + png.tobytes(), max_side=1920)
    assert decoded == []
    seq, _ = three_reps()
    with _client(tmp_path, scripted(seq)) as c, c.websocket_connect(WS) as ws:
        _hello(ws)
        ws.send_bytes(struct.pack("<dd", 5.0, 0.0) + _bomb())
        msg = ws.receive_json()
        assert msg["type"] == "dropped" and "larger than 1920" in msg["reason"]
        assert decoded == []
        ws.send_bytes(jpeg_message(6, 40.0))
        assert ws.receive_json()["type"] == "result"


# -- 4. capture times ---------------------------------------------------------------------------


def test_bad_capture_times_drop_one_frame_and_never_break_the_session(
    tmp_path: Path, scripted: Callable[..., Any]
) -> None:
    seq, _ = three_reps()
    with _client(tmp_path, scripted(seq)) as c, c.websocket_connect(WS) as ws:
        _hello(ws)
        for i, t_ms in enumerate([math.nan, math.inf, -math.inf, 1e300, -1e300]):
            ws.send_bytes(jpeg_message(i + 1, t_ms))
            msg = ws.receive_json()
            assert msg["type"] == "dropped" and "capture time" in msg["reason"], msg
        ok = 0
        for i, t_ms in enumerate([0.0, 33.0, 33.0, 20.0, 66.0, 66.0 + 1e12, 1e12 + 99.0]):
            ws.send_bytes(jpeg_message(10 + i, t_ms))
            ok += ws.receive_json()["type"] == "result"
        assert ok == 5  # the repeated and the earlier time were dropped; the jump re-anchored
        ws.send_json({"type": "finish"})
        summary = ws.receive_json()
        assert summary["type"] == "summary"
        assert summary["analysis"]["video"]["duration_s"] < 60  # no 1e9 s jump
        ws.send_bytes(struct.pack("<dd", math.nan, 0.0) + jpeg_message(1, 0.0)[16:])
        msg = ws.receive_json()
        assert msg["type"] == "dropped" and msg["id"] is None


def test_clock_validates_times() -> None:
    s = LiveSession("abc", AnalysisConfig(), LiveConfig(max_frame_gap_s=10.0))
    for bad in (math.nan, math.inf, 1e297):
        with pytest.raises(CaptureTimeError):
            s.clock(bad, wall=1000.0)
    t0 = s.clock(5.0, wall=1000.0)
    s.last_t, s.last_wall = t0, 1000.0
    with pytest.raises(CaptureTimeError):
        s.clock(5.0, wall=1000.1)
    t1 = s.clock(5.1, wall=1000.1)
    s.last_t, s.last_wall = t1, 1000.1
    assert t1 == pytest.approx(t0 + 0.1)
    t2 = s.clock(5.1 + 1e9, wall=1002.1)  # a jump: re-anchored on the wall clock
    assert t2 == pytest.approx(t1 + 2.0)


# -- 7. small ones --------------------------------------------------------------------------------


def test_a_hello_with_an_odd_session_starts_a_new_set(
    tmp_path: Path, scripted: Callable[..., Any]
) -> None:
    seq, _ = three_reps()
    with _client(tmp_path, scripted(seq)) as c:
        session: object
        for session in ([], {"a": 1}, 7, 1.5, True, "x" * 100, "../../etc"):
            with c.websocket_connect(WS) as ws:
                ws.send_json({"type": "hello", "session": session})
                w = ws.receive_json()
                assert w["type"] == "welcome" and w["resumed"] is False, session


@pytest.mark.parametrize("hello", ["42", "null", '"hello"', "[]", '{"session": null}'])
def test_a_hello_that_is_not_a_hello_object_is_refused(
    tmp_path: Path, scripted: Callable[..., Any], hello: str
) -> None:
    seq, _ = three_reps()
    with _client(tmp_path, scripted(seq)) as c, c.websocket_connect(WS) as ws:
        ws.send_text(hello)
        msg = ws.receive_json()
        assert msg["type"] == "error" and msg["code"] == "bad_hello"
        with pytest.raises(WebSocketDisconnect):
            ws.receive_json()


def test_nul_and_odd_session_paths_are_404(tmp_path: Path, scripted: Callable[..., Any]) -> None:
    seq, _ = three_reps()
    with _client(tmp_path, scripted(seq)) as c:
        with c.websocket_connect(WS) as ws:
            sid = _hello(ws)["state"]["session"]
            ws.send_json({"type": "finish"})
            assert ws.receive_json()["type"] == "summary"
        assert c.get(f"/sessions/{sid}/analysis.json").status_code == 200
        for path in ("a%00b", "analysis.json%00.txt", "%00", "x" * 5000, "session.pkl"):
            assert c.get(f"/sessions/{sid}/{path}").status_code == 404, path


def test_session_files_and_tls_folder_are_private(
    tmp_path: Path, scripted: Callable[..., Any]
) -> None:
    from hipwise.web.net import ensure_certificate

    seq, _ = three_reps()
    with _client(tmp_path, scripted(seq)) as c, c.websocket_connect(WS) as ws:
        sid = _hello(ws)["state"]["session"]
        ws.send_bytes(jpeg_message(1, 0.0))
        ws.receive_json()
        ws.send_json({"type": "finish"})
        assert ws.receive_json()["type"] == "summary"
    live = tmp_path / "live"
    paths = [live, *live.rglob("*")]
    assert any(p.name == "session.pkl" for p in paths)
    assert any(p.name == "analysis.json" for p in paths)
    for p in paths:
        assert p.stat().st_mode & 0o077 == 0, (p, oct(p.stat().st_mode))
    assert (live / sid).stat().st_mode & 0o777 == 0o700
    cert, key = ensure_certificate(tmp_path / "tls", ["127.0.0.1"])
    for p in (tmp_path / "tls", cert, key):
        assert p.stat().st_mode & 0o077 == 0, p
