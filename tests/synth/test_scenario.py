"""Scenario model: defaults, TOML loading, strict validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from hipwise.synth.scenario import RepScript, Scenario, ScenarioError

SCENARIO_DIR = Path(__file__).parents[2] / "src" / "hipwise" / "synth" / "scenarios"


def test_defaults_describe_one_good_rep() -> None:
    sc = Scenario()
    assert sc.fps == 30.0 and (sc.width, sc.height) == (640, 480)
    assert len(sc.motion.reps) == 1
    rep = sc.motion.reps[0]
    assert sc.duration_s == pytest.approx(
        sc.motion.lead_in_s + rep.lift_s + rep.hold_s + rep.lower_s + sc.motion.lead_out_s
    )
    assert sc.n_frames == int(sc.duration_s * sc.fps) + 1
    assert sc.person.working_leg == "right"


def test_from_toml_reads_nested_tables(tmp_path: Path) -> None:
    p = tmp_path / "x.toml"
    p.write_text(
        'seed = 5\n[person]\nlying_on = "right"\n[camera]\nheight_m = 0.1\n'
        '[[motion.reps]]\npeak_deg = 33\nfaults = ["toes_up"]\n'
    )
    sc = Scenario.from_toml(p)
    assert sc.name == "x"
    assert sc.seed == 5
    assert sc.person.working_leg == "left"
    assert sc.camera.height_m == 0.1
    assert sc.motion.reps[0].faults == ("toes_up",)
    assert Scenario.from_dict(sc.to_dict()) == sc


@pytest.mark.parametrize(
    "text",
    [
        "colour = 3\n",
        "[person]\nlying = 'left'\n",
        "[[motion.reps]]\npeak_deg = 30\nspeed = 2\n",
        "[camera]\nheight_m = 0.2\nzoom = 2\n",
    ],
)
def test_unknown_keys_are_rejected(tmp_path: Path, text: str) -> None:
    p = tmp_path / "bad.toml"
    p.write_text(text)
    with pytest.raises(ScenarioError, match="Extra inputs are not permitted"):
        Scenario.from_toml(p)


def test_invalid_values_name_the_key(tmp_path: Path) -> None:
    p = tmp_path / "bad.toml"
    p.write_text("[person]\nskin_rgb = [300, 0, 0]\n")
    with pytest.raises(ScenarioError, match=r"person\.skin_rgb"):
        Scenario.from_toml(p)


def test_missing_and_broken_files(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="not found"):
        Scenario.from_toml(tmp_path / "nope.toml")
    p = tmp_path / "broken.toml"
    p.write_text("[person\n")
    with pytest.raises(ScenarioError, match="not valid TOML"):
        Scenario.from_toml(p)


def test_timing_faults_cannot_be_scripted() -> None:
    with pytest.raises(ValueError):
        RepScript(faults=("too_high",))


def test_head_at_other_side_means_mirrored() -> None:
    sc = Scenario.from_dict({"person": {"lying_on": "left", "head_at": "left"}})
    assert sc.person.mirrored
    same = Scenario.from_dict({"person": {"lying_on": "left", "head_at": "right"}})
    assert not same.person.mirrored


def test_every_bundled_scenario_loads() -> None:
    files = sorted(SCENARIO_DIR.glob("*.toml"))
    assert len(files) >= 15
    names = {Scenario.from_toml(f).name for f in files}
    assert {"good_left", "good_right", "sample", "bad_standing", "bad_lying_still"} <= names
