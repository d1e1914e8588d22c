"""Property-based fuzzing (Hypothesis) of the three doors bad input comes through.

- **The live WebSocket protocol** (:func:`check_protocol`): a hello of any shape, then any
  mix of JSON commands (known and unknown types, wrong field types, huge or odd values) and
  binary frames (short, random bytes, mutated JPEGs, JPEG headers claiming huge sizes,
  NaN/inf/huge/backward capture times and frame ids). Property: the server answers only with
  known message types, never reports an internal error, never drops the socket except for a
  refused hello, logs no error, and a well-behaved page still gets a result afterwards.
- **The settings loader** (:func:`check_settings_toml`, :func:`check_settings_set`): TOML
  built from the real sections and keys (plus typos) with values of every type, raw text,
  and ``--set`` strings. Property: a config comes back or :class:`~hipwise.config.ConfigError`
  is raised; nothing else.
- **The video reader** (:func:`check_video`): containers mutated from a 1.5 s cut of the
  bundled sample clip (bytes flipped, cut, inserted, deleted; box sizes, timescales and
  durations overwritten). Property: :func:`~hipwise.video.open_video` raises a
  :class:`~hipwise.video.errors.VideoError` or yields frames with finite, strictly
  increasing times and the announced size; nothing else.

The pose model is a stand-in that replays scripted landmarks of two reps (the fuzz targets
the server, not MediaPipe). ``tests/fuzz`` runs each property briefly and deterministically
in CI; ``hipwise bench fuzz --minutes N`` runs them for N minutes with fresh seeds.
Hypothesis is a development dependency (``pip install -e '.[dev]'``).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import math
import struct
import tempfile
import time
import traceback
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
from pydantic import BaseModel
from starlette.websockets import WebSocketDisconnect

from hipwise.analysis.video import sample_video_path
from hipwise.pose.sequence import PoseFrame
from hipwise.settings import (
    AnalysisConfig,
    ChecksConfig,
    ConfigError,
    LiveConfig,
    PoseConfig,
    load_settings,
    parse_overrides,
)
from hipwise.synth.kinematic import landmarks_from_track
from hipwise.synth.scenario import Scenario
from hipwise.synth.script import script_motion
from hipwise.video import MotionConfig, ReaderConfig, open_video
from hipwise.video.errors import VideoError
from hipwise.web.app import create_app

__all__ = [
    "FuzzReport",
    "ProtocolHarness",
    "check_protocol",
    "check_settings_set",
    "check_settings_toml",
    "check_video",
    "run_fuzz",
    "seed_videos",
]

logger = logging.getLogger(__name__)

#: Message types the server may send on /ws.
SERVER_TYPES = frozenset({"welcome", "result", "dropped", "state", "summary", "error", "pong"})


# -- the live protocol -------------------------------------------------------------------------


class _ReplayEstimator:
    """Scripted landmarks replayed by session time (no pose model)."""

    def __init__(self, seq: Any) -> None:
        self.seq = seq
        self.last_people = 1

    def estimate(self, rgb: Any, t: float) -> Any:
        span = float(self.seq.t[-1]) or 1.0
        i = int(np.searchsorted(self.seq.t, t % span).clip(0, len(self.seq) - 1))
        f = self.seq.frame(i)
        return PoseFrame(t=t, xy=f.xy, depth=f.depth, world=f.world,
                         visibility=f.visibility, detected=f.detected, image_size=f.image_size)

    def close(self) -> None:
        pass


def _sample_sequence() -> Any:
    """Landmarks of two scripted reps (the synth package's kinematic model, no rendering)."""
    sc = Scenario.from_dict({"person": {"lying_on": "left"},
                             "motion": {"reps": [{"peak_deg": 30}, {"peak_deg": 50}]}})
    ms = script_motion(sc)
    return landmarks_from_track(ms.sample(ms.times()), "left")


class _ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class ProtocolHarness:
    """One app (in a temporary data folder) and test client shared by many examples."""

    def __init__(self) -> None:
        # optional: the test client needs httpx, a dev dependency
        from fastapi.testclient import TestClient

        seq = _sample_sequence()
        self._tmp = tempfile.TemporaryDirectory(prefix="hipwise-fuzz-")
        self.app = create_app(live=LiveConfig(max_connections=32), data_dir=Path(self._tmp.name),
                              factory=lambda cfg: _ReplayEstimator(seq))
        self.client = TestClient(self.app, base_url="http://localhost")
        self.client.__enter__()
        self.errors = _ErrorLog()
        logging.getLogger("hipwise").addHandler(self.errors)

    def close(self) -> None:
        """Stop the app and delete its folder."""
        logging.getLogger("hipwise").removeHandler(self.errors)
        with contextlib.suppress(Exception):
            self.client.__exit__(None, None, None)
        self._tmp.cleanup()

    def __enter__(self) -> ProtocolHarness:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _jpeg(w: int, h: int, level: int) -> bytes:
    ok, buf = cv2.imencode(".jpg", np.full((h, w, 3), level % 256, np.uint8))
    assert ok
    return bytes(buf.tobytes())


def _frame_bytes(kind: str, fid: float, t_ms: float, w: int, h: int, level: int,
                 noise: bytes) -> bytes:
    head = struct.pack("<dd", fid, t_ms)
    if kind == "short":
        return head[: len(noise) % 16]
    if kind == "random":
        return head + noise
    jpg = bytearray(_jpeg(w, h, level))
    if kind == "mutated" and noise:
        for k, b in enumerate(noise[:8]):
            jpg[(b * 131 + k * 17) % len(jpg)] = noise[-1 - k % len(noise)]
    elif kind == "bomb":
        i = jpg.find(b"\xff\xc0")
        jpg[i + 5:i + 9] = struct.pack(">HH", 12000 + level, 12000)
    elif kind == "cut":
        jpg = jpg[: max(3, len(jpg) * (level % 100) // 100)]
    return head + bytes(jpg)


def protocol_strategy() -> Any:
    """A hello (JSON text of any shape) and a list of messages (text or bytes)."""
    # optional: hypothesis is a dev dependency (pip install 'hipwise[dev]')
    from hypothesis import strategies as st

    floats = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                       st.sampled_from([0.0, -1.0, 1e300, -1e300, 1e12, 33.3]))
    json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70),
                          st.floats(allow_nan=False), st.text(max_size=20))
    json_any = st.recursive(json_leaf, lambda kids: st.one_of(
        st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=8), kids, max_size=4)),
        max_leaves=10)
    names = st.sampled_from(["auto", "leg_lift", "isometric_hold", "isometric_circles",
                             "clamshell", "wall_slide", "nope", ""])
    good_hello = st.builds(
        lambda s, v: json.dumps({"type": "hello", "session": s, "variation": v}),
        st.one_of(st.none(), st.text(max_size=70), st.integers(),
                  st.just("0123456789abcdef"), json_any),
        st.one_of(st.none(), names, json_any))
    # mostly hellos the server accepts, so the messages after them are exercised
    hello = st.one_of(good_hello, good_hello, good_hello, good_hello,
                      json_any.map(json.dumps), st.text(max_size=50))
    command = st.one_of(
        st.sampled_from(["finish", "new", "ping", "variation", "hello", "??"]).flatmap(
            lambda k: st.builds(lambda v, extra: json.dumps({"type": k, "variation": v,
                                                             **extra}),
                                st.one_of(names, json_any),
                                st.dictionaries(st.text(max_size=5), json_any, max_size=2))),
        json_any.map(json.dumps),
        st.text(max_size=40),
    )
    frame = st.builds(
        _frame_bytes,
        st.sampled_from(["ok", "ok", "ok", "short", "random", "mutated", "bomb", "cut"]),
        floats, floats,
        st.integers(8, 96), st.integers(8, 96), st.integers(0, 400),
        st.binary(max_size=64),
    )
    return st.tuples(hello, st.lists(st.one_of(command, frame, frame), max_size=12))


def check_protocol(harness: ProtocolHarness, hello: str, messages: list[str | bytes]) -> None:
    """Send ``hello`` then ``messages`` on one socket, then a ping; check every reply."""
    before = len(harness.errors.records)
    replies: list[dict[str, Any]] = []
    refused_hello = False
    with harness.client.websocket_connect("ws://localhost/ws") as ws:
        ws.send_text(hello)
        first: dict[str, Any] | None = None
        try:
            while True:  # a bad variation is answered with an error, then the welcome
                first = ws.receive_json()
                replies.append(first)
                if first.get("type") != "error" or first.get("code") != "bad_variation":
                    break
        except WebSocketDisconnect:
            first = None
        if first is None or first.get("type") == "error":
            data = _json_or_none(hello)
            assert not (isinstance(data, dict) and data.get("type") == "hello"), (hello, first)
            refused_hello = True
        else:
            for m in messages:
                if isinstance(m, bytes):
                    ws.send_bytes(m)
                else:
                    ws.send_text(m)
            ws.send_text('{"type": "ping"}')
            while True:
                msg = ws.receive_json()
                replies.append(msg)
                if msg.get("type") == "pong":
                    break
    for r in replies:
        assert isinstance(r, dict) and r.get("type") in SERVER_TYPES, r
        assert r.get("reason") != "internal error", r
        assert r.get("code") not in ("finish_failed",), r
    new = harness.errors.records[before:]
    assert not new, [rec.getMessage() for rec in new]
    if not refused_hello:
        # the server is still fine: a good page gets its result
        with harness.client.websocket_connect("ws://localhost/ws") as ws:
            ws.send_json({"type": "hello", "session": None})
            assert ws.receive_json()["type"] == "welcome"
            ws.send_bytes(struct.pack("<dd", 1.0, 0.0) + _jpeg(32, 24, 100))
            assert ws.receive_json()["type"] == "result"


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


# -- settings ----------------------------------------------------------------------------------


def _schema_keys() -> list[tuple[str, ...]]:

    out: list[tuple[str, ...]] = []

    def walk(model: type[BaseModel], prefix: tuple[str, ...]) -> None:
        for name, f in model.model_fields.items():
            ann = f.annotation
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                walk(ann, (*prefix, name))
            else:
                out.append((*prefix, name))

    walk(AnalysisConfig, ())
    walk(LiveConfig, ("live",))
    walk(PoseConfig, ("pose",))
    walk(ChecksConfig, ("checks",))
    return out


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return json.dumps(str(v))


def settings_strategy() -> Any:
    """(TOML text, list of --set strings)."""
    # optional: hypothesis is a dev dependency (pip install 'hipwise[dev]')
    from hypothesis import strategies as st

    keys = _schema_keys()
    key = st.one_of(st.sampled_from(keys), st.sampled_from(keys).map(
        lambda k: (*k[:-1], k[-1][:-1] + "x")), st.lists(st.text(
            "abcdefghijklmnopqrstuvwxyz_.", min_size=1, max_size=8), min_size=1, max_size=3
        ).map(tuple))
    scalar = st.one_of(st.booleans(), st.integers(-(2**63), 2**63 - 1),
                       st.floats(allow_nan=True, allow_infinity=True),
                       st.sampled_from([0, -5, 1, 90, 180, 1e9, -1e9, 0.5]),
                       st.text(max_size=12), st.sampled_from(["auto", "none", "sideways"]))
    value = st.one_of(scalar, st.lists(scalar, max_size=3))
    entries = st.lists(st.tuples(key, value), max_size=8)
    toml = st.one_of(entries.map(_entries_to_toml), st.text(max_size=200))
    sets = st.lists(st.one_of(
        st.tuples(key, value).map(lambda kv: ".".join(kv[0]) + "=" + _toml_value(kv[1])),
        st.text(max_size=40)), max_size=4)
    return st.tuples(toml, sets)


def _entries_to_toml(entries: list[tuple[tuple[str, ...], Any]]) -> str:
    lines = []
    for k, v in entries:
        if not all(part.replace("_", "a").isalnum() for part in k):
            continue
        section, name = k[:-1], k[-1]
        if section:
            lines.append("[" + ".".join(section) + "]")
        lines.append(f"{name} = {_toml_value(v)}")
    return "\n".join(lines) + "\n"


def check_settings_toml(text: str, folder: Path) -> None:
    """The loader returns settings or raises ConfigError for ``text`` (as a file)."""
    f = folder / "fuzz.toml"
    f.write_text(text, encoding="utf-8")
    with contextlib.suppress(ConfigError):
        load_settings(f)
    f.write_bytes(text.encode("utf-8", "surrogatepass")[::-1])  # any bytes at all
    with contextlib.suppress(ConfigError):
        load_settings(f)


def check_settings_set(items: list[str]) -> None:
    """``--set`` strings: parsed and loaded, or ConfigError."""
    try:
        overrides = parse_overrides(items)
    except ConfigError:
        return
    with contextlib.suppress(ConfigError):
        load_settings(None, overrides)


# -- videos ------------------------------------------------------------------------------------


def seed_videos(folder: Path, packets: int = 45) -> list[bytes]:
    """Two small MP4 seeds cut from the bundled sample (its first ``packets`` packets, 1.5 s
    at 30 fps): index at the end, and at the start (``faststart``)."""
    out = []
    for i, opts in enumerate(({}, {"movflags": "faststart"})):
        dst = folder / f"seed{i}.mp4"
        with av.open(str(sample_video_path())) as inp, av.open(
                str(dst), "w", format="mp4", options=opts) as o:
            s_in = inp.streams.video[0]
            s_out = o.add_stream_from_template(s_in)
            for k, pkt in enumerate(inp.demux(s_in)):
                if k >= packets:
                    break
                if pkt.dts is None:
                    continue
                pkt.stream = s_out
                o.mux(pkt)
        out.append(dst.read_bytes())
    return out


_BOXES = (b"moov", b"mdat", b"mvhd", b"mdhd", b"stts", b"stsz", b"stco", b"ctts", b"stss",
          b"tkhd", b"elst", b"avcC", b"ftyp", b"stsc", b"hdlr")


def _mutate(data: bytes, ops: list[tuple[int, int, int, bytes]]) -> bytes:
    buf = bytearray(data)
    for op, where, amount, blob in ops:
        if not buf:
            break
        i = where % len(buf)
        if op == 0:  # flip bytes
            for k, b in enumerate(blob[:16] or b"\xff"):
                buf[(i + k) % len(buf)] ^= b or 0xFF
        elif op == 1:  # cut
            del buf[max(8, i):]
        elif op == 2:  # insert
            buf[i:i] = blob
        elif op == 3:  # delete
            del buf[i:i + amount % 4096]
        else:  # overwrite a 32-bit field right after a known box name
            name = _BOXES[amount % len(_BOXES)]
            pos = bytes(buf).find(name)
            if pos >= 0:
                off = pos + 4 + (where % 6) * 4
                val = [0, 1, 0xFFFFFFFF, 0x7FFFFFFF, amount, 8][where % 6]
                buf[off:off + 4] = val.to_bytes(4, "big")
                if op == 5:  # the box's own size field
                    buf[pos - 4:pos] = val.to_bytes(4, "big")
    return bytes(buf)


def video_strategy(n_seeds: int = 2) -> Any:
    """(seed index, list of mutations)."""
    # optional: hypothesis is a dev dependency (pip install 'hipwise[dev]')
    from hypothesis import strategies as st

    op = st.tuples(st.integers(0, 5), st.integers(0, 2**31), st.integers(0, 2**31),
                   st.binary(min_size=0, max_size=32))
    return st.tuples(st.integers(0, n_seeds - 1), st.lists(op, min_size=1, max_size=4))


def check_video(seed: bytes, ops: list[tuple[int, int, int, bytes]], folder: Path) -> None:
    """Open and read a mutated container: a VideoError, or sane frames."""
    f = folder / "fuzz.mp4"
    f.write_bytes(_mutate(seed, ops))
    cfg = ReaderConfig(max_long_side=96, prefetch=0, camera_motion=MotionConfig())
    try:
        src = open_video(f, cfg)
    except VideoError:
        return
    with src:
        last = -math.inf
        for n, fr in enumerate(src):
            assert math.isfinite(fr.t) and fr.t > last, (fr.t, last)
            last = fr.t
            assert fr.rgb.shape == (src.info.height, src.info.width, 3), fr.rgb.shape
            assert fr.rgb.dtype == np.uint8
            if n > 2000:  # a mutated index cannot make 1.5 s into hours of frames
                raise AssertionError("runaway decode")
        assert src.info.fps >= 0 and math.isfinite(src.info.duration_s)


# -- the runner --------------------------------------------------------------------------------


@dataclass
class FuzzReport:
    """Examples run and failures found per target (the failure's text and its example)."""

    examples: dict[str, int] = field(default_factory=dict)
    failures: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0

    def ok(self) -> bool:
        """Whether nothing was found."""
        return not any(self.failures.values())


def _settings_check(folder: Path) -> Callable[[Any], None]:
    def check(x: Any) -> None:
        check_settings_toml(x[0], folder)
        check_settings_set(x[1])

    return check


def targets(folder: Path) -> Generator[tuple[str, Any, Callable[[Any], None]], None, None]:
    """(name, strategy, check) of each fuzz target; the protocol harness lives as long as
    the iteration."""
    seeds = seed_videos(folder)
    with ProtocolHarness() as harness:
        yield ("protocol", protocol_strategy(),
               lambda x: check_protocol(harness, x[0], x[1]))
        yield ("settings", settings_strategy(), _settings_check(folder))
        yield ("video", video_strategy(len(seeds)),
               lambda x: check_video(seeds[x[0]], x[1], folder))


def run_target(name: str, strategy: Any, check: Callable[..., None], examples: int,
               seed: int | None, derandomize: bool = False) -> tuple[int, str | None]:
    """Run ``check`` on ``examples`` examples of ``strategy``; (examples run, failure text
    with the shrunk example, or None)."""
    # optional: hypothesis is a dev dependency (pip install 'hipwise[dev]')
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hseed

    count = [0]

    def prop(x: Any) -> None:
        count[0] += 1
        check(x)

    decorate: Any = given(strategy)
    wrapped: Any = decorate(prop)
    test: Any = settings(max_examples=examples, deadline=None, database=None,
                         derandomize=derandomize, print_blob=True,
                         suppress_health_check=list(HealthCheck))(wrapped)
    if seed is not None and not derandomize:
        test = hseed(seed)(test)
    try:
        with contextlib.redirect_stdout(io.StringIO()) as out:
            test()
    except Exception as exc:  # a failure found: keep its text (Hypothesis shrank it)

        tb = "".join(traceback.format_exception(exc))[-3000:]
        return count[0], (f"{name}: {type(exc).__name__}: {exc}\n{tb}\n"
                          f"{out.getvalue()[-4000:]}")
    return count[0], None


def run_fuzz(minutes: float, seed: int = 0, batch: int = 50,
             progress: Callable[[FuzzReport], None] | None = None) -> FuzzReport:
    """Run every target round-robin in batches of ``batch`` examples (fresh seeds each
    batch) for ``minutes`` after the set-up (at least one batch each)."""
    report = FuzzReport()
    with tempfile.TemporaryDirectory(prefix="hipwise-fuzz-") as tmp:
        gen = targets(Path(tmp))  # kept open while the targets run (the app lives in it)
        list_targets = [next(gen), next(gen), next(gen)]
        t0 = time.monotonic()
        end = t0 + 60.0 * minutes
        try:
            k = 0
            while k == 0 or time.monotonic() < end:
                for name, strategy, check in list_targets:
                    if k > 0 and time.monotonic() >= end:
                        break
                    n, failure = run_target(name, strategy, check, batch, seed + k)
                    report.examples[name] = report.examples.get(name, 0) + n
                    report.failures.setdefault(name, [])
                    if failure:
                        report.failures[name].append(failure)
                        logger.warning("fuzz failure: %s", failure)
                    report.seconds = time.monotonic() - t0
                    if progress is not None:
                        progress(report)
                k += 1
        finally:
            gen.close()
    return report
