"""Stored pose runs: replay a benchmark through the engine without video or pose model.

``hipwise bench ... --save-landmarks DIR`` writes, per analysed clip, ``DIR/<clip>.landmarks.npz``
(everything the pose stage recorded: landmarks, person counts, camera shift, the video's
size and duration, the pose settings) and ``DIR/<clip>.labels.json`` (the clip's labels,
contract fields plus the scenario description). ``hipwise bench --from-landmarks DIR`` then
runs :func:`hipwise.analysis.video.analyze_pose_run` on each, the same code that follows the
pose model in ``hipwise analyze``, so engine changes are scored in seconds (no decoding, no
model) and a CI gate can score committed test-split clips. The pose settings must match the
stored ones: landmarks from another model setting would score the wrong thing.

A 20 s clip at 15 frames/s stores in about 0.3 MB (float64, compressed).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hipwise import __version__
from hipwise.pose.mediapipe_adapter import PoseRun
from hipwise.pose.sequence import PoseSequence
from hipwise.video.reader import VideoMeta

__all__ = [
    "LANDMARKS_SUFFIX",
    "LANDMARKS_VERSION",
    "LandmarkFileError",
    "StoredRun",
    "landmark_files",
    "load_run",
    "save_run",
    "slim_labels",
]

LANDMARKS_VERSION = 1
LANDMARKS_SUFFIX = ".landmarks.npz"

_META = ("width", "height", "source_width", "source_height", "rotation_deg", "fps",
         "frame_count", "duration_s")


class LandmarkFileError(ValueError):
    """A landmarks file that cannot be read (message names the file and the problem)."""


@dataclass(frozen=True)
class StoredRun:
    """A pose run read back: the run, the video's metadata and the pose settings it was made
    with (``PoseConfig`` as a dict)."""

    run: PoseRun
    meta: VideoMeta
    pose_config: dict[str, Any]
    hipwise_version: str


def save_run(path: Path, run: PoseRun, meta: VideoMeta, pose_config: dict[str, Any]) -> None:
    """Write ``run`` (+ ``meta`` and ``pose_config``) to ``path`` (``*.landmarks.npz``)."""
    arrays: dict[str, Any] = {f"pose_{k}": v for k, v in run.poses.to_npz_dict().items()}
    arrays.update(
        run_rotation_deg=run.rotation_deg,
        run_people=run.people,
        run_camera_shift=run.camera_shift,
        run_camera_response=run.camera_response,
        run_frames_read=np.int64(run.frames_read),
        run_model_seconds=np.float64(run.model_seconds),
    )
    if run.partial_xy is not None:
        arrays["run_partial_xy"] = run.partial_xy
    if run.partial_probed is not None:
        arrays["run_partial_probed"] = run.partial_probed
    for k in _META:
        arrays[f"meta_{k}"] = np.asarray(getattr(meta, k))
    header = {
        "landmarks_version": LANDMARKS_VERSION,
        "hipwise_version": __version__,
        "pose_config": pose_config,
        "warnings": list(run.warnings),
        "codec": meta.codec,
        "video": meta.path.name,
    }
    arrays["header_json"] = np.asarray(json.dumps(header))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name("partial-" + path.name)
    with tmp.open("wb") as fh:
        np.savez_compressed(fh, **arrays)
    tmp.replace(path)


def load_run(path: Path) -> StoredRun:
    """Read a file written by :func:`save_run`.

    Raises:
        LandmarkFileError: missing, not an npz of this kind, or of another version.
    """
    try:
        with np.load(path, allow_pickle=False) as z:
            d = {k: z[k] for k in z.files}
    except FileNotFoundError as exc:
        raise LandmarkFileError(f"landmarks file not found: {path}") from exc
    except (OSError, ValueError) as exc:
        raise LandmarkFileError(f"{path} is not a landmarks file: {exc}") from exc
    try:
        header = json.loads(str(d["header_json"]))
        if header.get("landmarks_version") != LANDMARKS_VERSION:
            raise LandmarkFileError(
                f"{path}: landmarks version {header.get('landmarks_version')}, this hipwise "
                f"reads {LANDMARKS_VERSION}: save the landmarks again"
            )
        poses = PoseSequence.from_npz_dict(
            {k[len("pose_"):]: v for k, v in d.items() if k.startswith("pose_")}
        )
        run = PoseRun(
            poses=poses,
            rotation_deg=d["run_rotation_deg"],
            people=d["run_people"],
            camera_shift=d["run_camera_shift"],
            camera_response=d["run_camera_response"],
            partial_xy=d.get("run_partial_xy"),
            partial_probed=d.get("run_partial_probed"),
            frames_read=int(d["run_frames_read"]),
            warnings=list(header["warnings"]),
            model_seconds=float(d["run_model_seconds"]),
        )
        m = {k: d[f"meta_{k}"].item() for k in _META}
        meta = VideoMeta(
            path=path.with_name(str(header["video"])),
            width=int(m["width"]),
            height=int(m["height"]),
            source_width=int(m["source_width"]),
            source_height=int(m["source_height"]),
            rotation_deg=int(m["rotation_deg"]),
            fps=float(m["fps"]),
            frame_count=int(m["frame_count"]),
            duration_s=float(m["duration_s"]),
            codec=str(header["codec"]),
        )
    except KeyError as exc:
        raise LandmarkFileError(f"{path} is not a landmarks file: no {exc}") from exc
    return StoredRun(run, meta, dict(header["pose_config"]), str(header["hipwise_version"]))


def landmark_files(folder: Path) -> list[Path]:
    """The ``*.landmarks.npz`` in ``folder`` that have a ``.labels.json`` beside them."""
    return sorted(
        p for p in folder.glob("*" + LANDMARKS_SUFFIX)
        if p.with_name(p.name[: -len(LANDMARKS_SUFFIX)] + ".labels.json").exists()
    )


def slim_labels(labels_json: str) -> str:
    """A clip's labels without the per-frame extras: the contract fields plus the scenario
    description (small enough to commit)."""
    doc = json.loads(labels_json)
    keep = {k: doc[k] for k in ("video", "sets", "warnings", "labels_version") if k in doc}
    desc = doc.get("scenario", {}).get("description")
    if desc:
        keep["scenario"] = {"description": desc}
    for k, v in doc.items():
        if k not in keep and k not in ("scenario", "synth"):
            keep[k] = v
    return json.dumps(keep, indent=1)
