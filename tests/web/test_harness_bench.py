"""The fake-camera files, the test server thread and the benchmark's command line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hipwise.web.bench import BenchResult, main
from hipwise.web.harness import ServerThread, chromium_args, solid_y4m, video_to_y4m


def _frames(path: Path) -> tuple[bytes, list[bytes]]:
    data = path.read_bytes()
    header, _, rest = data.partition(b"\n")
    frames = rest.split(b"FRAME\n")[1:]
    return header, frames


def test_solid_y4m_layout(tmp_path: Path) -> None:
    f = tmp_path / "g.y4m"
    solid_y4m(f, 10, 0.5, size=(64, 48))
    header, frames = _frames(f)
    assert header == b"YUV4MPEG2 W64 H48 F30:1 Ip A1:1 C420jpeg"
    assert len(frames) == 15 and all(len(x) == 64 * 48 * 3 // 2 for x in frames)
    assert frames[0][0] == 10 and frames[0][-1] == 128


def test_video_to_y4m_pads_and_keeps_the_frame_rate(tmp_path: Path) -> None:
    import av

    src = tmp_path / "c.mp4"
    with av.open(str(src), "w") as out:
        s = out.add_stream("libx264", rate=15)
        s.width, s.height, s.pix_fmt = 64, 48, "yuv420p"
        for i in range(15):  # 1 s at 15 fps, brightness rising
            img = np.full((48, 64, 3), 10 + 15 * i, dtype=np.uint8)
            for p in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(p)
        for p in s.encode():
            out.mux(p)
    dst = tmp_path / "c.y4m"
    dur = video_to_y4m(src, dst, pad_start_s=0.5, pad_end_s=1.0, fps=30)
    header, frames = _frames(dst)
    assert b"W64 H48 F30:1" in header
    assert len(frames) == 15 + 30 + 30  # 0.5 s + 1 s resampled to 30 fps + 1 s
    assert dur == pytest.approx(len(frames) / 30)
    luma = [x[0] for x in frames]
    assert luma[0] == luma[14] < luma[-1] == luma[-30]  # still ends, motion between


def test_chromium_flags() -> None:
    args = chromium_args(Path("/tmp/x.y4m"))
    assert "--use-fake-ui-for-media-stream" in args
    assert "--use-file-for-fake-video-capture=/tmp/x.y4m" in args
    assert "--use-fake-ui-for-media-stream" not in chromium_args(None, allow_camera=False)


def test_server_thread_serves_and_stops() -> None:
    import httpx

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    with ServerThread(app) as srv:
        assert httpx.get(srv.url).text == "ok"
    assert not srv.thread.is_alive()


def test_bench_summary_and_refusals(capsys: pytest.CaptureFixture[str]) -> None:
    r = BenchResult(p50_ms=30.0, p95_ms=60.0, capture_p50_ms=40.0, capture_p95_ms=70.0,
                    frames=300, results_fps=15.0, dropped=0, input_fps=30.0, decode_ms=3.0,
                    pose_ms=20.0, pose_p95_ms=25.0, track_ms=1.5, max_in_flight=1, load_avg=1.0)
    line = r.summary()
    assert "p50 30.0 ms, p95 60.0 ms" in line and "30 fps input" in line
    assert main(["--clip", "/nonexistent.mp4"]) == 2
    assert "no such clip" in capsys.readouterr().err
