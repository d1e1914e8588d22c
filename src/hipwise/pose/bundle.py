"""Build (once, offline) the MediaPipe Tasks ``.task`` bundle for the full BlazePose model.

mediapipe 0.10.21's wheel ships the legacy pose models (``pose_detection.tflite``,
``pose_landmark_full.tflite``) but no Tasks bundle, and nothing may be downloaded at run time.
The Tasks ``PoseLandmarker`` (several people, real timestamps) runs the same weights once they
carry the input-normalisation metadata it reads and sit in a zip under the names it expects:

- ``pose_detector.tflite``: input normalised with mean = std = 127.5 (pixels to [-1, 1]);
- ``pose_landmarks_detector.tflite``: mean 0, std 255 (pixels to [0, 1]).

The bundle is written with mediapipe's own metadata writers into the hipwise data directory
(``$HIPWISE_DATA_DIR``, else ``$XDG_DATA_HOME/hipwise`` or ``~/.local/share/hipwise``), under a
name that includes a digest of the source models, and reused afterwards (~9 MB, ~1 s to build).
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import sys
import tempfile
import warnings
from pathlib import Path

__all__ = ["BundleError", "bundle_path", "default_data_dir", "ensure_pose_bundle", "wheel_models"]

logger = logging.getLogger(__name__)

DATA_DIR_ENV = "HIPWISE_DATA_DIR"
_DETECTOR = "pose_detector.tflite"
_LANDMARKER = "pose_landmarks_detector.tflite"


class BundleError(RuntimeError):
    """The Tasks bundle could not be built (the legacy pose API still works)."""


def default_data_dir() -> Path:
    """The user's hipwise data directory (same rule as :mod:`hipwise.store.config`):
    ``$HIPWISE_DATA_DIR``, else ``$XDG_DATA_HOME/hipwise`` or ``~/.local/share/hipwise``
    (``~/Library/Application Support/hipwise`` on macOS, ``%LOCALAPPDATA%\\hipwise`` on
    Windows). Not created here."""
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    home = Path.home()
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "hipwise"
    if sys.platform.startswith("win"):
        base = os.environ.get("LOCALAPPDATA")
        return (Path(base) if base else home / "AppData" / "Local") / "hipwise"
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else home / ".local" / "share") / "hipwise"


def wheel_models() -> tuple[Path, Path]:
    """Paths of the detector and full landmark tflite files inside the mediapipe wheel."""
    try:
        # optional: mediapipe is installed by scripts/install.sh, not by pip (see hipwise doctor)
        import mediapipe
    except ImportError as exc:  # pragma: no cover - install problem
        raise BundleError(f"mediapipe is not installed ({exc}); run scripts/install.sh") from exc
    root = Path(mediapipe.__file__).parent / "modules"
    det = root / "pose_detection" / "pose_detection.tflite"
    lm = root / "pose_landmark" / "pose_landmark_full.tflite"
    for p in (det, lm):
        if not p.is_file():
            raise BundleError(
                f"{p} is missing from the mediapipe wheel; reinstall mediapipe==0.10.21"
            )
    return det, lm


def _digest(*paths: Path) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def bundle_path(data_dir: Path | None = None) -> Path:
    """Where the bundle for the installed mediapipe models lives (it may not exist yet)."""
    det, lm = wheel_models()
    base = data_dir if data_dir is not None else default_data_dir()
    return base / "models" / f"pose_landmarker_full_{_digest(det, lm)}.task"


def _with_metadata(model: bytes, name: str, mean: float, std: float) -> bytes:
    # optional: mediapipe is installed by scripts/install.sh, not by pip (see hipwise doctor)
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer, writer_utils

    with warnings.catch_warnings():
        # MediaPipe's metadata writers leave a temporary folder and an open file to the
        # garbage collector (ResourceWarnings that are theirs, not ours): collect them here
        warnings.simplefilter("ignore", ResourceWarning)
        writer = metadata_writer.MetadataWriter.create(bytearray(model))
        writer.add_general_info(name).add_image_input([mean], [std])
        for _ in writer_utils.get_output_tensor_types(bytearray(model)):
            writer.add_feature_output()
        content, _json = writer.populate()
        del writer
        gc.collect()
    return bytes(content)


def ensure_pose_bundle(data_dir: Path | None = None) -> Path:
    """Path of the Tasks bundle, building it first if needed (offline, ~1 s).

    Falls back to a folder under the system temp dir when the data dir is not writable.
    Raises :class:`BundleError` if the bundle cannot be built at all.
    """
    target = bundle_path(data_dir)
    folders = (target.parent, Path(tempfile.gettempdir()) / "hipwise-models")
    for folder in folders:
        existing = folder / target.name
        if existing.is_file() and existing.stat().st_size > 0:
            return existing
    try:
        # optional: mediapipe is installed by scripts/install.sh, not by pip (see hipwise doctor)
        from mediapipe.tasks.python.metadata.metadata_writers import model_asset_bundle_utils

        det, lm = wheel_models()
        models = {
            _DETECTOR: _with_metadata(det.read_bytes(), "pose_detector", 127.5, 127.5),
            _LANDMARKER: _with_metadata(lm.read_bytes(), "pose_landmarks_detector", 0.0, 255.0),
        }
    except BundleError:
        raise
    except Exception as exc:  # the metadata writers raise many kinds
        raise BundleError(f"could not add metadata to the pose models: {exc}") from exc
    for folder in folders:
        tmp: str | None = None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            final = folder / target.name
            fd, tmp = tempfile.mkstemp(dir=folder, suffix=".part")
            os.close(fd)
            model_asset_bundle_utils.create_model_asset_bundle(models, tmp)
            os.replace(tmp, final)  # atomic: concurrent builders never see a half file
            logger.info("built the pose Tasks bundle at %s", final)
            return final
        except OSError as exc:
            logger.warning("cannot write the pose bundle in %s (%s)", folder, exc)
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
    raise BundleError("no writable folder for the pose bundle; set HIPWISE_DATA_DIR")
