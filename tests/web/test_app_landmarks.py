"""Browser pose over the socket: landmark messages are counted by the same session code as
frames; bad ones get an ``error`` with a code and the set goes on; the page cannot write reps."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from hipwise.pose.bundle import ensure_pose_bundle
from hipwise.settings import LiveConfig
from hipwise.web.app import create_app
from hipwise.web.landmarks import BrowserPoseConfig
from tests.web.conftest import three_reps
from tests.web.landmark_msgs import landmark_message, sequence_messages


class FakeClock:
    """Monotonic seconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _client(
    tmp_path: Path,
    max_rate_hz: float = 1000.0,
    burst: int = 1000,
    clock: Callable[[], float] = time.monotonic,
) -> TestClient:
    """The app; the tests send faster than a camera, so the rate limit is raised unless a test
    is about it (with a fake clock, so that the machine's speed cannot refill the budget)."""

    def no_model(cfg: Any) -> Any:
        raise AssertionError("browser pose must not start the server's pose model")

    live = LiveConfig(browser_pose=BrowserPoseConfig(max_rate_hz=max_rate_hz, burst=burst))
    app = create_app(data_dir=tmp_path, live=live, factory=no_model, clock=clock)
    return TestClient(app, base_url="http://localhost")


def _next(ws: Any, kinds: tuple[str, ...] = ("result", "error", "dropped")) -> dict[str, Any]:
    while True:
        msg: dict[str, Any] = ws.receive_json()
        if msg["type"] in kinds:
            return msg


def test_landmarks_are_counted_like_frames_and_finish_with_the_contract(tmp_path: Path) -> None:
    seq, truth = three_reps()
    with _client(tmp_path) as c, c.websocket_connect("ws://localhost/ws") as ws:
        ws.send_json({"type": "hello", "session": None})
        assert ws.receive_json()["type"] == "welcome"
        last: dict[str, Any] = {}
        for m in sequence_messages(seq, start_ms=5000.0):
            ws.send_json(m)
            last = _next(ws)
            assert last["type"] == "result" and last["id"] == m["id"], last
        assert last["counts"]["right"] == {"reps": 3, "good": 2}
        assert last["timing"]["server_ms"] >= 0 and "pose_ms" not in last["timing"]
        ws.send_json({"type": "finish"})
        summary = _next(ws, ("summary",))
        reps = summary["analysis"]["sets"][0]["reps"]
        assert [r["faults"] for r in reps] == [r.faults for r in truth.sets[0].reps]
        for got, want in zip(reps, truth.sets[0].reps, strict=True):
            for k in ("lift_s", "hold_s", "lower_s"):
                assert abs(got[k] - getattr(want, k)) <= 0.1, (k, got, want)


def test_bad_landmark_messages_get_error_codes_and_the_set_goes_on(tmp_path: Path) -> None:
    seq, _ = three_reps()
    msgs = sequence_messages(seq, start_ms=5000.0)
    with _client(tmp_path) as c, c.websocket_connect("ws://localhost/ws") as ws:
        ws.send_json({"type": "hello", "session": None})
        ws.receive_json()
        for m in msgs[:100]:
            ws.send_json(m)
            _next(ws)
        bad: list[tuple[dict[str, Any], str]] = [
            ({**msgs[100], "pose": [[0.5, 0.5]] * 33}, "landmarks_shape"),
            ({**msgs[100], "pose": [[math.nan, 0.5, 0.0, 1.0]] * 33}, "landmarks_value"),
            ({**msgs[100], "world": [[0.0, 1e6, 0.0]] * 33}, "landmarks_value"),
            ({**msgs[100], "t": msgs[50]["t"]}, "landmarks_time"),
        ]
        for m, code in bad:
            ws.send_text(json.dumps(m, allow_nan=True))
            err = _next(ws)
            assert err["type"] == "error" and err["code"] == code, (code, err)
        for m in msgs[100:]:
            ws.send_json(m)
            assert _next(ws)["type"] == "result"
        ws.send_json({"type": "ping"})
        assert _next(ws, ("pong",))["type"] == "pong"


def test_a_flood_is_answered_once_and_the_set_goes_on(tmp_path: Path) -> None:
    seq, _ = three_reps()
    clock = FakeClock()  # the 400 messages arrive in no time, however slow the server is
    with _client(tmp_path, 60.0, 30, clock) as c, c.websocket_connect("ws://localhost/ws") as ws:
        ws.send_json({"type": "hello", "session": None})
        ws.receive_json()
        n = 400  # far above 60/s + a burst of 30, sent at once
        for i in range(n):
            ws.send_json(landmark_message(seq, 0, i + 1, 1000.0 + i))
        ws.send_json({"type": "ping"})
        kinds: list[str] = []
        codes: list[str] = []
        while True:
            msg = ws.receive_json()
            if msg["type"] == "pong":
                break
            kinds.append(msg["type"])
            if msg["type"] == "error":
                codes.append(msg["code"])
        assert codes == ["landmarks_flood"]  # said once (a second), not per message
        assert kinds.count("result") == 30  # the burst, then nothing until the clock moves
        ws.send_json(landmark_message(seq, 0, n + 1, 1000.0 + n + 1.0))
        ws.send_json({"type": "ping"})
        assert _next(ws, ("result", "error", "dropped", "pong"))["type"] == "pong"  # silent
        clock.now += 1.1  # a second later the budget has refilled and the set goes on
        ws.send_json(landmark_message(seq, 0, n + 2, 1000.0 + n + 2000.0))
        assert _next(ws)["type"] == "result"


def test_a_page_cannot_claim_reps(tmp_path: Path) -> None:
    seq, _ = three_reps()
    with _client(tmp_path) as c, c.websocket_connect("ws://localhost/ws") as ws:
        ws.send_json({"type": "hello", "session": None})
        ws.receive_json()
        rest = landmark_message(seq, 0, 1, 1000.0)  # lying still at rest
        ws.send_json({**rest, "reps": 10, "counts": {"right": {"reps": 10, "good": 10}}})
        assert _next(ws)["code"] == "landmarks_shape"
        ws.send_json({"type": "result", "counts": {"right": {"reps": 10, "good": 10}}})
        ws.send_json({"type": "state", "state": {"reps": [{"side": "right"}] * 10}})
        for i in range(60):  # two seconds at rest
            ws.send_json(landmark_message(seq, 0, i + 2, 1033.0 + 33.3 * i))
            last = _next(ws)
        assert last["counts"]["right"] == {"reps": 0, "good": 0}
        assert last["reps"] == []


def test_the_model_and_the_browser_pose_settings_are_served(tmp_path: Path) -> None:
    with _client(tmp_path) as c:
        info = c.get("/api/info").json()["browser_pose"]
        assert info["model"] == "/models/pose.task"
        assert info["pose"]["mirror"] == "head_right" and info["pose"]["max_people"] == 2
        if info["available"]:
            assert c.get(info["vendor"] + "wasm/vision_wasm_internal.wasm").status_code == 200
        else:
            assert "scripts/vendor_web.sh" in info["reason"]
        got = c.get("/models/pose.task")
        # the Tasks bundle the Python side runs: the same weights
        assert got.status_code == 200 and got.content == ensure_pose_bundle().read_bytes()
