"""The variation over the socket: chosen in the hello or by a command, the hold timer and
circle counts in every result, and the holds and circles in the summary at Finish."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from fastapi.testclient import TestClient

from hipwise.synth.kinematic import landmarks_from_track
from hipwise.synth.variations import hold_track
from hipwise.web.app import create_app
from tests.conftest import assert_contract
from tests.web.conftest import jpeg_message

FPS = 15.0


def _play(ws: Any, seconds: float) -> list[dict[str, Any]]:
    """Send frames one at a time at ``FPS`` (waiting for each result); the results."""
    out: list[dict[str, Any]] = []
    for i in range(int(seconds * FPS)):
        ws.send_bytes(jpeg_message(i + 1, 1000.0 * i / FPS))
        while True:
            msg = ws.receive_json()
            if msg["type"] == "result":
                out.append(msg)
                break
    return out


def test_hello_chooses_circles_and_the_summary_reports_them(
    tmp_path: Path, scripted: Callable[..., Any]
) -> None:
    t = np.arange(0, 30, 1 / FPS)
    track, _, labels = hold_track(t, hold_s=22.0,
                                  circles=(("clockwise", 5), ("counterclockwise", 5)))
    seq = landmarks_from_track(track, "left", noise_px=1.0)
    app = create_app(data_dir=tmp_path, factory=scripted(seq))
    with TestClient(app, base_url="http://localhost") as c, \
            c.websocket_connect("ws://localhost/ws") as ws:
        ws.send_json({"type": "hello", "session": None, "variation": "isometric_circles"})
        welcome = ws.receive_json()
        assert welcome["state"]["variation"] == "isometric_circles"
        assert welcome["state"]["hold"]["circles"]["show"]
        out = _play(ws, float(seq.t[-1]))
        hold = out[-1]["hold"]
        assert max(o["hold"]["hold_s"] for o in out) >= 20.0
        assert (hold["circles"]["clockwise"], hold["circles"]["counterclockwise"]) == (5, 5)
        ws.send_json({"type": "finish"})
        summary = ws.receive_json()
        assert summary["type"] == "summary"
        (s,) = summary["analysis"]["sets"]
        assert s["variation"] == "isometric_circles" and s["reps"] == []
        assert [c["direction"] for c in s["circles"]] == [c.direction for c in labels]
        assert summary["lines"][0][0] == "variation: isometric hold with circles"
        assert_contract(c.get(summary["links"]["analysis"]).json())


def test_variation_command_and_bad_names(tmp_path: Path, scripted: Callable[..., Any]) -> None:
    t = np.arange(0, 4, 1 / FPS)
    track, _, _ = hold_track(t, hold_s=1.0)
    seq = landmarks_from_track(track, "left")
    app = create_app(data_dir=tmp_path, factory=scripted(seq))
    with TestClient(app, base_url="http://localhost") as c, \
            c.websocket_connect("ws://localhost/ws") as ws:
        ws.send_json({"type": "hello", "session": None, "variation": "yoga"})
        err = ws.receive_json()
        assert err["type"] == "error" and err["code"] == "bad_variation"
        welcome = ws.receive_json()
        assert welcome["state"]["variation"] == "auto"  # the config's default
        ws.send_json({"type": "variation", "variation": "isometric_hold"})
        msg = ws.receive_json()
        assert msg["type"] == "state" and msg["state"]["variation"] == "isometric_hold"
        assert msg["state"]["hold"]["show"] and not msg["state"]["hold"]["circles"]["show"]
        ws.send_json({"type": "variation", "variation": 3})
        assert ws.receive_json()["code"] == "bad_variation"
        ws.send_json({"type": "finish"})
        assert ws.receive_json()["type"] == "summary"
        ws.send_json({"type": "new"})  # a new set keeps the chosen variation
        w = ws.receive_json()
        assert w["type"] == "welcome" and w["state"]["variation"] == "isometric_hold"
