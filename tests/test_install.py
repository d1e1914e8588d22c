"""An installation that explains itself: ``hipwise doctor``, the message for a missing
MediaPipe, and MediaPipe's native log lines kept off stderr unless ``-v``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy.exc

from hipwise.cli import EXIT_NOT_ANALYSABLE, EXIT_OK, EXIT_SETUP
from hipwise.doctor import VENDOR_FILES, Check, Probes, _connect, doctor, run_checks
from hipwise.pose.engine import MEDIAPIPE_VERSION
from hipwise.video import VideoWriter

ROOT = Path(__file__).resolve().parents[1]

#: What MediaPipe 0.10.21 prints to fd 2 from C++ while its models load and run.
NATIVE_LINES = (
    "All log messages before absl::InitializeLog()",
    "GPU suport is not available",
    "Created TensorFlow Lite XNNPACK delegate",
    "Feedback manager requires",
)

# ------------------------------------------------------------------------------------------
# hipwise doctor, with each part faked missing or broken at the boundary
# ------------------------------------------------------------------------------------------


def _vendor(tmp_path: Path) -> Path:
    folder = tmp_path / "tasks-vision"
    for name in VENDOR_FILES:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(b"x")
    return folder


def _healthy(tmp_path: Path, **kw: object) -> Probes:
    folder = _vendor(tmp_path)
    base: dict[str, object] = {
        "import_module": lambda name: object(),
        "dist_version": lambda name: MEDIAPIPE_VERSION,
        "load_pose_model": lambda: "loads (tasks API)",
        "chromium": lambda: "/usr/bin/chromium",
        "vendor_dir": lambda: folder,
        "database_url": lambda: "sqlite:////data/hipwise.db",
        "connect": lambda url: "connects",
    }
    base.update(kw)
    return Probes(**base)  # type: ignore[arg-type]


def _by_name(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks}


def test_all_well_is_one_ok_line_per_check_and_exit_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert doctor(_healthy(tmp_path)) == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["ok"] * 5
    assert [line.split()[1] for line in lines] == [
        "mediapipe:", "pose", "chromium:", "tasks-vision:", "database:"
    ]


def _missing(name: str) -> None:
    raise ModuleNotFoundError(f"No module named {name!r}", name=name)


def test_missing_mediapipe_names_the_install_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loaded: list[bool] = []

    def load() -> str:
        loaded.append(True)
        return "loads"

    probes = _healthy(tmp_path, import_module=_missing, load_pose_model=load)
    assert doctor(probes) == EXIT_SETUP
    out = capsys.readouterr().out
    assert "problem  mediapipe: not installed (No module named 'mediapipe')" in out
    assert f"fix: {sys.executable} -m pip install --no-deps mediapipe=={MEDIAPIPE_VERSION}" in out
    assert "bash scripts/install.sh" in out
    assert "problem  pose model: not checked" in out and loaded == []


def test_the_wrong_mediapipe_version_is_a_problem(tmp_path: Path) -> None:
    checks = _by_name(run_checks(_healthy(tmp_path, dist_version=lambda name: "0.10.35")))
    assert not checks["mediapipe"].ok and "version 0.10.35" in checks["mediapipe"].detail
    assert checks["mediapipe"].fix is not None and "mediapipe==0.10.21" in checks["mediapipe"].fix
    assert not checks["pose model"].ok


def test_a_pose_model_that_does_not_load(tmp_path: Path) -> None:
    def broken() -> str:
        raise RuntimeError("Unable to open file pose_landmark_full.tflite")

    check = _by_name(run_checks(_healthy(tmp_path, load_pose_model=broken)))["pose model"]
    assert not check.ok and "RuntimeError: Unable to open file" in check.detail
    assert check.fix is not None and "--force-reinstall" in check.fix


def test_missing_chromium(tmp_path: Path) -> None:
    check = _by_name(run_checks(_healthy(tmp_path, chromium=lambda: None)))["chromium"]
    assert not check.ok and check.fix == "sudo apt-get install chromium"


def test_missing_vendored_files(tmp_path: Path) -> None:
    (tmp_path / "damaged").mkdir()
    folder = _vendor(tmp_path / "damaged")
    (folder / "wasm" / "vision_wasm_internal.wasm").unlink()
    check = _by_name(run_checks(_healthy(tmp_path, vendor_dir=lambda: folder)))["tasks-vision"]
    assert not check.ok and "wasm/vision_wasm_internal.wasm" in check.detail
    assert check.fix == "bash scripts/vendor_web.sh"


def test_a_database_that_does_not_connect_hides_the_password(tmp_path: Path) -> None:
    def refuse(url: str) -> str:
        raise sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))

    probes = _healthy(tmp_path, database_url=lambda: "postgresql://ana:s3cret@db:5432/hipwise",
                      connect=refuse)
    check = _by_name(run_checks(probes))["database"]
    assert not check.ok and "connection refused" in check.detail
    assert "s3cret" not in check.detail and "***" in check.detail
    assert check.fix is not None and "scripts/start_postgres.sh" in check.fix


def test_a_malformed_database_url(tmp_path: Path) -> None:
    check = _by_name(run_checks(_healthy(tmp_path, database_url=lambda: "not a url")))[
        "database"]
    assert not check.ok and "bad database URL" in check.detail


def test_sqlite_is_checked_without_creating_the_file(tmp_path: Path) -> None:
    db = tmp_path / "new" / "hipwise.db"
    assert "will be created" in _connect(f"sqlite:///{db}")
    assert not db.exists() and not db.parent.exists()
    sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'old.db'}").connect().close()
    assert _connect(f"sqlite:///{tmp_path / 'old.db'}") == "connects"


def test_the_database_url_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'env.db'}"
    monkeypatch.setenv("HIPWISE_DATABASE_URL", url)
    assert Probes().database_url() == url


# ------------------------------------------------------------------------------------------
# the real command line, in subprocesses
# ------------------------------------------------------------------------------------------

#: Runs the CLI with ``import mediapipe`` failing, as after a plain ``pip install .``.
_WITHOUT_MEDIAPIPE = """
import importlib.abc, sys

class _NoMediaPipe(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "mediapipe" or name.startswith("mediapipe."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, _NoMediaPipe())
from hipwise.cli import main
sys.exit(main(sys.argv[1:]))
"""

_CLI = "import sys; from hipwise.cli import main; sys.exit(main(sys.argv[1:]))"


def _hipwise(code: str, *args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"),
                                                    os.environ.get("PYTHONPATH")])),
        "HIPWISE_DATA_DIR": str(data_dir),
    }
    env.pop("HIPWISE_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env=env, timeout=300, check=False)


def test_analyze_without_mediapipe_says_how_to_install_it(tmp_path: Path) -> None:
    done = _hipwise(_WITHOUT_MEDIAPIPE, "analyze", "--sample", "--quiet", data_dir=tmp_path)
    assert done.returncode == EXIT_SETUP
    assert "Traceback" not in done.stderr and "ModuleNotFoundError" not in done.stderr
    assert f"needs mediapipe {MEDIAPIPE_VERSION}, which is not installed" in done.stderr
    assert f"pip install --no-deps mediapipe=={MEDIAPIPE_VERSION}" in done.stderr
    assert "bash scripts/install.sh" in done.stderr and "hipwise doctor" in done.stderr


def test_doctor_without_mediapipe(tmp_path: Path) -> None:
    done = _hipwise(_WITHOUT_MEDIAPIPE, "doctor", data_dir=tmp_path)
    assert done.returncode == EXIT_SETUP
    assert "problem  mediapipe: not installed" in done.stdout
    assert "Traceback" not in done.stderr


def _short_clip(path: Path) -> Path:
    """One second of an empty room: the model loads and runs, then the clip is refused."""
    with VideoWriter(path, fps=15.0, size=(320, 240)) as w:
        for _ in range(15):
            w.write(np.full((240, 320, 3), 120, np.uint8))
    return path


@pytest.fixture(scope="module")
def analyze_short_clip(tmp_path_factory: pytest.TempPathFactory
                       ) -> Callable[..., subprocess.CompletedProcess[str]]:
    tmp = tmp_path_factory.mktemp("clip")
    clip = _short_clip(tmp / "empty.mp4")

    def run(*flags: str) -> subprocess.CompletedProcess[str]:
        return _hipwise(_CLI, *flags, "analyze", str(clip), data_dir=tmp)

    return run


@pytest.mark.slow
def test_mediapipe_native_logs_stay_off_a_piped_stderr(
    analyze_short_clip: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    done = analyze_short_clip()
    assert done.returncode == EXIT_NOT_ANALYSABLE
    assert "cannot analyse empty.mp4" in done.stderr  # hipwise's own messages still show
    assert [line for line in NATIVE_LINES if line in done.stderr] == []


@pytest.mark.slow
def test_verbose_shows_mediapipe_native_logs(
    analyze_short_clip: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    done = analyze_short_clip("-v")
    assert done.returncode == EXIT_NOT_ANALYSABLE
    assert "cannot analyse empty.mp4" in done.stderr
    assert any(line in done.stderr for line in NATIVE_LINES)


@pytest.mark.slow
def test_doctor_on_this_installation(tmp_path: Path) -> None:
    done = _hipwise(_CLI, "doctor", data_dir=tmp_path)
    lines = done.stdout.splitlines()
    for name in ("mediapipe", "pose model", "database"):
        assert any(line.startswith(f"ok       {name}:") for line in lines), done.stdout
    problems = [line for line in lines if line.startswith("problem")]
    assert done.returncode == (EXIT_SETUP if problems else EXIT_OK)
    assert [line for line in NATIVE_LINES if line in done.stderr] == []
    assert not (tmp_path / "hipwise.db").exists()
