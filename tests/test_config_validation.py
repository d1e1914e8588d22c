"""Settings are checked at load time (issue 12): a typo or a bad value anywhere, [pose] and
[checks] included, exits 2 with a message naming the key, before any video is opened or a
server starts; unreadable config files are refused the same way; every numeric threshold has
a valid range."""

from __future__ import annotations

import typing
from pathlib import Path

import annotated_types as at
import pytest
from pydantic import BaseModel

from hipwise.cli import EXIT_USAGE, main
from hipwise.settings import (
    ChecksConfig,
    ConfigError,
    PoseConfig,
    Settings,
    load_settings,
)
from hipwise.settings_base import FrozenSettings

BAD_SETS = [
    ("pose.orientaton=90", "pose.orientaton"),
    ('pose.orientation="sideways"', "pose.orientation"),
    ("pose.min_detection_confidence=1.5", "pose.min_detection_confidence"),
    ("checks.standing_frac=7", "checks.standing_frac"),
    ("checks.nope=1", "checks.nope"),
    ("faults.too_high_deg=-5", "faults.too_high_deg"),
    ("faults.bent_knee_deg=500", "faults.bent_knee_deg"),
    ("reps.shaking_band_hz=[12, 4]", "reps.shaking_band_hz"),
    ("live.max_frame_side=0", "live.max_frame_side"),
]


@pytest.mark.parametrize(("setting", "key"), BAD_SETS)
def test_bad_settings_exit_2_naming_the_key_before_any_work(
    setting: str, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if not setting.startswith("live."):
        assert main(["analyze", "--sample", "--quiet", "--set", setting]) == EXIT_USAGE
        err = capsys.readouterr().err
        assert key in err and "Traceback" not in err
    # hipwise live refuses to start (it used to start and then drop every frame)
    assert main(["live", "--no-browser", "--port", "1", "--set", setting]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert key in err and "Traceback" not in err and "port" not in err


def test_pose_and_checks_sections_are_validated_in_toml_too(tmp_path: Path) -> None:
    f = tmp_path / "c.toml"
    f.write_text('[pose]\norientation = "sideways"\n[checks]\nstanding_frac = 2\n')
    with pytest.raises(ConfigError) as exc:
        load_settings(f)
    assert "pose.orientation" in str(exc.value) and "checks.standing_frac" in str(exc.value)
    ok = tmp_path / "ok.toml"
    ok.write_text('[pose]\norientation = 90\n[checks]\nstanding_frac = 0.6\n')
    cfg = load_settings(ok)
    assert isinstance(cfg.pose, PoseConfig) and isinstance(cfg.checks, ChecksConfig)
    assert cfg.pose.orientation == 90 and cfg.checks.standing_frac == 0.6
    assert cfg.analysis.pose == cfg.pose


def test_unreadable_config_files_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes("[faults]\n# réglage\ntoo_high_deg = 40\n".encode("latin-1"))
    cases = {str(tmp_path): "folder", str(latin1): "UTF-8",
             str(tmp_path / "missing.toml"): "not found"}
    for path, why in cases.items():
        for cmd in (["analyze", "--sample", "--quiet"], ["live", "--no-browser"]):
            assert main([*cmd, "--config", path]) == EXIT_USAGE, (cmd, path)
            err = capsys.readouterr().err
            assert why in err and "Traceback" not in err, err


def test_settings_models_are_frozen_settings() -> None:
    seen: set[type[BaseModel]] = set()
    _unbounded(Settings, seen)
    assert len(seen) > 15
    for model in seen:
        assert issubclass(model, FrozenSettings), model


def _numeric(ann: object) -> bool:
    if typing.get_origin(ann) is tuple:  # ranges (low, high) have their own validators
        return False
    return ann in (int, float) or any(a in (int, float) for a in typing.get_args(ann))


def _unbounded(model: type[BaseModel], seen: set[type[BaseModel]]) -> list[str]:
    if model in seen:
        return []
    seen.add(model)
    out: list[str] = []
    for name, f in model.model_fields.items():
        ann = f.annotation
        for sub in (ann, *typing.get_args(ann)):
            if isinstance(sub, type) and issubclass(sub, BaseModel):
                out += _unbounded(sub, seen)
        if _numeric(ann) and ann is not bool:
            lo = any(isinstance(m, at.Ge | at.Gt) for m in f.metadata)
            hi = any(isinstance(m, at.Le | at.Lt) for m in f.metadata)
            if not (lo and hi):
                out.append(f"{model.__name__}.{name}")
    return out


def test_every_numeric_setting_has_a_valid_range() -> None:
    seen: set[type[BaseModel]] = set()
    missing: list[str] = []
    missing += _unbounded(Settings, seen)
    assert missing == []
