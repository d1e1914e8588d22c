"""Checks of what patients upload, before anything is stored.

* an analysis (the default way in): the contract JSON, validated against the bundled
  ``analysis-v1.schema.json`` and the :class:`~hipwise.contract.Analysis` model, with optional
  landmarks (``npz-f32/1`` blob, base64);
* a video (the fallback): the container is recognised from its first bytes (never from the
  file name), the size and the duration are limited, and an MP4/MOV whose boxes run past the
  end of the file is refused as truncated.

Every problem is an :class:`UploadError` with the HTTP status to answer (413 too large, 415 not
a video, 422 broken content, 400 a bad file name).
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import re
import struct
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import av
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from hipwise.contract import Analysis
from hipwise.pose.sequence import PoseSequence
from hipwise.store.blobs import decode_landmarks

__all__ = ["AnalysisUpload", "UploadError", "check_filename", "check_video_file",
           "parse_analysis_upload", "sniff_container"]

_FINGERPRINT = re.compile(r"^sha256:[0-9a-f]{64}$")


class UploadError(Exception):
    """A refused upload: ``status`` is the HTTP status, the message says what to do."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class AnalysisUpload:
    """A checked analysis upload: the analysis, its landmarks, fingerprint and start time."""

    analysis: Analysis
    landmarks: PoseSequence | None
    fingerprint: str
    recorded_at: datetime | None


@functools.cache
def _validator() -> Any:
    text = resources.files("hipwise").joinpath("data/analysis-v1.schema.json").read_text("utf-8")
    return Draft202012Validator(json.loads(text))


def parse_analysis_upload(raw: bytes) -> AnalysisUpload:
    """Check an analysis upload: a JSON object ``{"analysis": <contract JSON>,
    "landmarks": <base64 npz-f32/1, optional>, "source_fingerprint": "sha256:<hex>"
    (optional; default: sha256 of the analysis), "recorded_at": ISO time (optional)}``.

    Raises:
        UploadError: 422 with the first problem found.
    """
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UploadError(422, f"the upload is not JSON: {exc}") from None
    if not isinstance(body, dict) or not isinstance(body.get("analysis"), dict):
        raise UploadError(422, "the upload must be a JSON object with an 'analysis' object")
    unknown = set(body) - {"analysis", "landmarks", "source_fingerprint", "recorded_at"}
    if unknown:
        raise UploadError(422, f"unknown fields: {', '.join(sorted(unknown))}")
    errors = sorted(_validator().iter_errors(body["analysis"]), key=lambda e: list(e.path))
    if errors:
        e = errors[0]
        where = "/".join(str(p) for p in e.absolute_path) or "(root)"
        raise UploadError(422, f"the analysis breaks the contract at {where}: {e.message}")
    try:
        analysis = Analysis.model_validate(body["analysis"])
    except ValidationError as exc:
        first = exc.errors()[0]
        where = "/".join(str(p) for p in first["loc"]) or "(root)"
        raise UploadError(422, f"the analysis is inconsistent at {where}: {first['msg']}") from None
    landmarks = None
    if body.get("landmarks") is not None:
        try:
            blob = base64.b64decode(str(body["landmarks"]), validate=True)
            landmarks = decode_landmarks(blob)
        except (binascii.Error, ValueError) as exc:
            raise UploadError(422, f"the landmarks are damaged: {exc}") from None
    fp = body.get("source_fingerprint")
    if fp is None:
        canonical = json.dumps(body["analysis"], sort_keys=True, separators=(",", ":"))
        fp = "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    elif not isinstance(fp, str) or not _FINGERPRINT.match(fp):
        raise UploadError(422, "source_fingerprint must be 'sha256:' and 64 hex digits")
    recorded_at = None
    if body.get("recorded_at") is not None:
        try:
            recorded_at = datetime.fromisoformat(str(body["recorded_at"]))
        except ValueError:
            raise UploadError(422, "recorded_at must be an ISO 8601 time") from None
        if recorded_at.tzinfo is None:
            raise UploadError(422, "recorded_at must carry a time zone (e.g. +00:00)")
    return AnalysisUpload(analysis, landmarks, fp, recorded_at)


def check_filename(name: str | None) -> None:
    """Refuse file names that try to name a path (the server never uses them, but a client
    sending one is broken or hostile).

    Raises:
        UploadError: 400.
    """
    if name is None:
        return
    if (not name or len(name) > 255 or "/" in name or "\\" in name or ".." in name
            or any(ord(c) < 32 for c in name) or name.startswith((".", "~"))):
        raise UploadError(400, "bad file name: send a plain name like 'set1.mp4', no paths")


def sniff_container(head: bytes) -> str | None:
    """The video container recognised from the file's first bytes (at least 16): ``mp4``
    (ISO BMFF: MP4, MOV, 3GP), ``webm`` (Matroska/WebM), ``avi``; None for anything else."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi"
    return None


def _check_iso_boxes(path: Path, size: int) -> None:
    """Walk the top-level boxes of an MP4/MOV; a box past the end means a truncated upload."""
    seen: set[bytes] = set()
    with path.open("rb") as fh:
        pos = 0
        while pos < size:
            fh.seek(pos)
            header = fh.read(16)
            if len(header) < 8:
                raise UploadError(422, "the video is truncated (a box header is cut off)")
            box_size, kind = struct.unpack(">I4s", header[:8])
            if box_size == 1:
                if len(header) < 16:
                    raise UploadError(422, "the video is truncated (a box header is cut off)")
                box_size = struct.unpack(">Q", header[8:16])[0]
            elif box_size == 0:
                box_size = size - pos
            if box_size < 8:
                raise UploadError(422, "the video is damaged (a box has an impossible size)")
            if pos + box_size > size:
                raise UploadError(422, "the video is truncated: upload the whole file again")
            seen.add(kind)
            pos += box_size
    if b"moov" not in seen:
        raise UploadError(422, "the video has no index (moov box): it was cut off while "
                               "recording or uploading")


def check_video_file(path: Path, *, max_bytes: int, max_duration_s: float) -> float:
    """Check an uploaded video on disk; returns its duration (seconds).

    Raises:
        UploadError: 413 too big, 415 not a video, 422 truncated/undecodable/too long.
    """
    size = path.stat().st_size
    if size > max_bytes:
        raise UploadError(413, f"the video is larger than {max_bytes} bytes")
    with path.open("rb") as fh:
        head = fh.read(64)
    kind = sniff_container(head)
    if kind is None:
        raise UploadError(415, "this is not a video (MP4, MOV, WebM or AVI expected)")
    if kind == "mp4":
        _check_iso_boxes(path, size)

    try:
        with av.open(str(path)) as container:
            streams = container.streams.video
            if not streams:
                raise UploadError(415, "the file has no video stream")
            stream = streams[0]
            if container.duration is not None:
                duration = container.duration / 1_000_000
            elif stream.duration is not None and stream.time_base is not None:
                duration = float(stream.duration * stream.time_base)
            else:
                raise UploadError(422, "the video's duration cannot be read")
            frames = 0
            for _frame in container.decode(stream):
                frames += 1
                break
            if frames == 0:
                raise UploadError(422, "no frame of the video can be decoded")
    except av.FFmpegError as exc:
        raise UploadError(422, f"the video cannot be decoded: {exc}") from None
    if duration > max_duration_s:
        raise UploadError(422, f"the video lasts {duration:.0f} s; the limit is "
                               f"{max_duration_s:.0f} s: upload one set at a time")
    return duration
