"""The app over HTTP and its WebSocket protocol, with a scripted pose model."""

from __future__ import annotations

import re
import struct
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hipwise.web.app import FrameError, create_app, decode_frame
from tests.conftest import assert_contract
from tests.web.conftest import jpeg_message, three_reps

STATIC = Path(str(files("hipwise.web") / "static"))


def _client(tmp_path: Path, factory: Any, **kw: Any) -> TestClient:
    return TestClient(create_app(data_dir=tmp_path, factory=factory, **kw), base_url="http://localhost")


def _play(ws: Any, seconds: float, fps: float = 30.0, start_ms: float = 0.0) -> dict:  # type: ignore[type-arg]
    """Send frames one at a time (waiting for each result), like the page with 1 in flight."""
    last: dict = {}  # type: ignore[type-arg]
    n = int(seconds * fps)
    for i in range(n):
        ws.send_bytes(jpeg_message(i + 1, start_ms + 1000.0 * i / fps))
        while True:
            msg = ws.receive_json()
            if msg["type"] == "result":
                assert msg["id"] == i + 1
                last = msg
                break
    return last


def test_page_and_assets_are_served_and_reference_nothing_external(tmp_path: Path) -> None:
    with _client(tmp_path, None) as c:
        page = c.get("/")
        assert page.status_code == 200 and "hipwise live" in page.text
        for asset in ("/static/app.js", "/static/app.css"):
            assert c.get(asset).status_code == 200
        assert c.get("/api/info").json()["public_url"] is None
        assert c.get("/qr.svg").status_code == 404
    for f in STATIC.iterdir():
        if not f.is_file():  # vendor/: third-party files (requests checked in the browser)
            continue
        text = f.read_text(encoding="utf-8")
        # no absolute URL is ever fetched: no http(s):// and no protocol-relative src/href
        assert not re.search(r"""(src|href)\s*=\s*["'](https?:)?//""", text), f.name
        assert "fetch(\"http" not in text and "cdn" not in text.lower(), f.name


def test_qr_code_of_the_lan_address(tmp_path: Path) -> None:
    with _client(tmp_path, None, public_url="https://192.168.1.20:8765/") as c:
        assert c.get("/api/info").json()["public_url"] == "https://192.168.1.20:8765/"
        svg = c.get("/qr.svg")
        assert svg.status_code == 200 and svg.text.lstrip().startswith("<svg")


def test_socket_counts_reps_and_finishes_with_the_contract(
    tmp_path: Path, scripted: Callable[..., Any]
) -> None:
    seq, truth = three_reps()
    with _client(tmp_path, scripted(seq)) as c, c.websocket_connect("ws://localhost/ws") as ws:
        ws.send_json({"type": "hello", "session": None})
        welcome = ws.receive_json()
        assert welcome["type"] == "welcome" and not welcome["resumed"]
        sid = welcome["state"]["session"]
        last = _play(ws, float(seq.t[-1]) + 0.5)
        assert last["counts"]["right"] == {"reps": 3, "good": 2}
        assert last["timing"]["decode_ms"] >= 0 and last["timing"]["pose_ms"] >= 0
        ws.send_json({"type": "finish"})
        summary = ws.receive_json()
        assert summary["type"] == "summary"
        reps = summary["analysis"]["sets"][0]["reps"]
        assert [r["faults"] for r in reps] == [r.faults for r in truth.sets[0].reps]
        link = summary["links"]["analysis"]
        assert link == f"/sessions/{sid}/analysis.json"
        got = c.get(link)
        assert got.status_code == 200 and got.json()["schema"] == "hipwise.analysis/1"
        assert_contract(got.json())
        if summary["links"]["report"]:
            assert c.get(summary["links"]["report"]).status_code == 200
        assert c.get(f"/sessions/{sid}/session.pkl").status_code == 404
        assert c.get(f"/sessions/{sid}/../../x").status_code == 404


def test_reconnect_and_restart_resume_the_set(
    tmp_path: Path, scripted: Callable[..., Any]
) -> None:
    seq, _ = three_reps()
    with _client(tmp_path, scripted(seq)) as c:
        with c.websocket_connect("ws://localhost/ws") as ws:
            ws.send_json({"type": "hello", "session": None})
            sid = ws.receive_json()["state"]["session"]
            last = _play(ws, 9.0)
        before = last["counts"]["right"]["reps"]
        assert before >= 1
        with c.websocket_connect("ws://localhost/ws") as ws:  # page reload
            ws.send_json({"type": "hello", "session": sid})
            w = ws.receive_json()
            assert w["resumed"] and w["state"]["counts"]["right"]["reps"] == before
    # server restart: a new app over the same data dir
    with _client(tmp_path, scripted(seq)) as c, c.websocket_connect("ws://localhost/ws") as ws:
        ws.send_json({"type": "hello", "session": sid})
        w = ws.receive_json()
        assert w["resumed"] and w["state"]["session"] == sid
        assert w["state"]["counts"]["right"]["reps"] == before
        assert len(w["state"]["reps"]) == before


def test_a_second_tab_takes_the_set_over(tmp_path: Path, scripted: Callable[..., Any]) -> None:
    seq, _ = three_reps()
    with _client(tmp_path, scripted(seq)) as c, c.websocket_connect("ws://localhost/ws") as ws1:
        ws1.send_json({"type": "hello", "session": None})
        sid = ws1.receive_json()["state"]["session"]
        with c.websocket_connect("ws://localhost/ws") as ws2:
            ws2.send_json({"type": "hello", "session": sid})
            assert ws2.receive_json()["resumed"] is True
            msg = ws1.receive_json()
            assert msg["type"] == "error" and msg["code"] == "taken_over"
            ws2.send_bytes(jpeg_message(1, 0.0))
            assert ws2.receive_json()["type"] == "result"


def test_frames_after_the_end_of_the_set_are_not_counted(
    tmp_path: Path, scripted: Callable[..., Any]
) -> None:
    seq, _ = three_reps()
    with _client(tmp_path, scripted(seq)) as c, c.websocket_connect("ws://localhost/ws") as ws:
        ws.send_json({"type": "hello", "session": None})
        ws.receive_json()
        ws.send_json({"type": "finish"})
        assert ws.receive_json()["type"] == "summary"
        ws.send_bytes(jpeg_message(5, 0.0))
        assert ws.receive_json() == {"type": "dropped", "id": 5.0, "reason": "set finished"}


def test_bad_frames_are_dropped_not_fatal(tmp_path: Path, scripted: Callable[..., Any]) -> None:
    seq, _ = three_reps()
    with _client(tmp_path, scripted(seq)) as c, c.websocket_connect("ws://localhost/ws") as ws:
        ws.send_json({"type": "hello", "session": None})
        ws.receive_json()
        ws.send_bytes(struct.pack("<dd", 7.0, 0.0) + b"not a jpeg")
        msg = ws.receive_json()
        assert msg == {"type": "dropped", "id": 7.0, "reason": "frame is not a JPEG image"}
        ws.send_bytes(jpeg_message(8, 40.0))
        assert ws.receive_json()["type"] == "result"


def test_new_set_starts_a_fresh_session(tmp_path: Path, scripted: Callable[..., Any]) -> None:
    seq, _ = three_reps()
    with _client(tmp_path, scripted(seq)) as c, c.websocket_connect("ws://localhost/ws") as ws:
        ws.send_json({"type": "hello", "session": None})
        first = ws.receive_json()["state"]["session"]
        ws.send_json({"type": "finish"})
        assert ws.receive_json()["type"] == "summary"
        ws.send_json({"type": "new"})
        w = ws.receive_json()
        assert w["type"] == "welcome" and w["state"]["session"] != first
    with _client(tmp_path, scripted(seq)) as c, c.websocket_connect("ws://localhost/ws") as ws:
        ws.send_json({"type": "hello", "session": first})  # finished: not resumed
        assert ws.receive_json()["resumed"] is False


def test_decode_frame() -> None:
    fid, t, rgb = decode_frame(jpeg_message(3, 1500.0, size=(64, 48)))
    assert (fid, t, rgb.shape) == (3.0, 1.5, (48, 64, 3))
    with pytest.raises(FrameError):
        decode_frame(b"short")
