"""Odd videos made from the bundled sample clip (issue 12): remuxed or byte-patched copies
that a phone, a bad copy or a hostile user could produce. Used by the reader and analysis
tests and by the fuzz suite."""

from __future__ import annotations

import fractions
from pathlib import Path

import numpy as np

from hipwise.analysis.video import sample_video_path

__all__ = ["SAMPLE", "box_offsets", "narrow_video", "patch_timescale", "remux", "truncated"]

SAMPLE = sample_video_path()


def remux(dst: Path, *, keep: int | None = None, jump_after: int | None = None,
          jump_s: float = 1e5, src: Path = SAMPLE) -> Path:
    """Copy ``src``'s video packets into ``dst`` (mp4) without re-encoding: only the first
    ``keep`` packets (decode order), and/or every packet from index ``jump_after`` on moved
    ``jump_s`` seconds later."""
    import av

    with av.open(str(src)) as inp, av.open(str(dst), "w", format="mp4") as out:
        s_in = inp.streams.video[0]
        s_out = out.add_stream_from_template(s_in)
        assert s_in.time_base is not None
        shift = round(jump_s / float(s_in.time_base)) if jump_after is not None else 0
        for i, pkt in enumerate(inp.demux(s_in)):
            if pkt.dts is None:
                continue
            if keep is not None and i >= keep:
                break
            if jump_after is not None and i >= jump_after:
                pkt.pts = (pkt.pts or 0) + shift
                pkt.dts = pkt.dts + shift
            pkt.stream = s_out
            out.mux(pkt)
    return dst


def box_offsets(data: bytes, name: bytes) -> list[int]:
    """Byte offsets of every ``name`` box header (its size field) in an MP4 file."""
    out, i = [], data.find(name)
    while i >= 0:
        out.append(i - 4)
        i = data.find(name, i + 1)
    return out


def patch_timescale(dst: Path, value: int = 0, src: Path = SAMPLE) -> Path:
    """``src`` with the timescale of every ``mdhd`` (media header) box set to ``value``."""
    data = bytearray(src.read_bytes())
    for off in box_offsets(bytes(data), b"mdhd"):
        version = data[off + 8]
        ts = off + 8 + 4 + (16 if version == 1 else 8)
        data[ts:ts + 4] = int(value).to_bytes(4, "big")
    dst.write_bytes(bytes(data))
    return dst


def truncated(dst: Path, fraction: float = 0.5, src: Path = SAMPLE) -> Path:
    """The first ``fraction`` of ``src``'s bytes (a copy cut short)."""
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * fraction)])
    return dst


def narrow_video(dst: Path, width: int = 1, height: int = 64, frames: int = 10) -> Path:
    """A ``width`` x ``height`` px H.264 video (4:4:4, so odd sizes encode) of grey frames."""
    import av

    with av.open(str(dst), "w") as c:
        s = c.add_stream("libx264", rate=30)
        s.width, s.height, s.pix_fmt = width, height, "yuv444p"
        s.time_base = fractions.Fraction(1, 30)
        for i in range(frames):
            img = np.full((height, width, 3), (i * 7) % 255, np.uint8)
            for p in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return dst
