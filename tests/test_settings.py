"""The one settings layer (issue 15): every section in one TOML, printed and loaded back the
same, conditions from a flag or a profile, out-of-range values refused naming the key."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from hipwise.analysis.cli import _settings
from hipwise.analysis.engine import KNEE_NOTE, analyze_sequence
from hipwise.cli import EXIT_USAGE, build_parser, main
from hipwise.faults.conditions import BURSITIS_WARNING, LABRAL_TEAR_WARNING
from hipwise.program.config import PROGRAM_CONFIG_KEY, program_config_for
from hipwise.program.rules import condition_policy
from hipwise.settings import (
    CONDITION_FLAGS,
    ConditionsConfig,
    ConfigError,
    ProgramConfig,
    Settings,
    load_settings,
    parse_overrides,
    settings_toml,
)
from hipwise.store.records import PersonData
from hipwise.store.store import Store
from hipwise.store.vocab import CONDITION_ALIASES, CONDITIONS
from tests.conftest import MakeSeq

SECTIONS = ("filter", "body", "reps", "faults", "sets", "conditions", "variations", "pose",
            "checks", "live", "report", "store", "program")


def test_print_config_shows_every_section_documented(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "--print-config"]) == 0
    text = capsys.readouterr().out
    data = tomllib.loads(text)
    assert set(SECTIONS) <= set(data)
    assert data["live"]["coach"] and data["pose"]["camera_motion"]
    # every key carries its description: no key line without a comment line above it
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if " = " in line and not line.startswith("#"):
            assert lines[i - 1].startswith("#"), line


def test_print_config_round_trips(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert Settings.model_validate(tomllib.loads(settings_toml())) == Settings()
    sets = ["report.video_crf=30", "store.lock_timeout_s=3", "program.reps_per_set=12",
            "live.coach.cooldown_s=6", "pose.orientation=90", "checks.standing_tilt_deg=50",
            "variations.circles.min_fraction=0.5", "reps.start_deg=6"]
    args = ["analyze", "--print-config", "--condition", "bursitis"]
    for s in sets:
        args += ["--set", s]
    assert main(args) == 0
    f = tmp_path / "printed.toml"
    f.write_text(capsys.readouterr().out, encoding="utf-8")
    loaded = load_settings(f)
    assert loaded == load_settings(None, parse_overrides(sets), ["bursitis"])
    assert loaded.report.video_crf == 30 and loaded.store.lock_timeout_s == 3
    assert loaded.program.reps_per_set == 12 and loaded.pose.orientation == 90
    assert loaded.conditions.bursitis and loaded != Settings()


def test_every_default_is_inside_its_own_range() -> None:
    # validate_default is off in pydantic: a default outside its range would pass silently
    assert Settings.model_validate(Settings().model_dump()) == Settings()


@pytest.mark.parametrize(
    "setting", ["report.video_crf=99", "store.session_gap_s=0", "program.reps_per_set=0",
                "report.key_frame_width=100000", "store.typo=1"],
)
def test_every_section_is_checked_at_load(
    setting: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["analyze", "--sample", "--quiet", "--set", setting]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert setting.split("=")[0] in err and "Traceback" not in err


def test_report_store_and_program_come_from_the_toml(tmp_path: Path) -> None:
    f = tmp_path / "c.toml"
    f.write_text("[report]\nkey_frames = false\n[store]\nsqlite_wal = false\n"
                 "[program]\nsets_per_side = 3\n", encoding="utf-8")
    s = load_settings(f)
    assert not s.report.key_frames and not s.store.sqlite_wal and s.program.sets_per_side == 3


def test_a_profile_overrides_the_program_section(tmp_path: Path) -> None:
    with Store.open(str(tmp_path / "p.db")) as store:
        store.people.create("ana", [], [])
        store.people.set_setting(PROGRAM_CONFIG_KEY, {"reps_per_set": 9}, "ana")
        data: PersonData = store.programme.person_data("ana")
    cfg = program_config_for(data, ProgramConfig(sets_per_side=3, reps_per_set=20))
    assert cfg.sets_per_side == 3 and cfg.reps_per_set == 9
    assert program_config_for(data).sets_per_side == 2


def test_conditions_from_flag_and_profile_spellings_are_one() -> None:
    assert set(CONDITION_FLAGS) == set(ConditionsConfig.model_fields)
    for spelling in (*CONDITIONS, *CONDITION_ALIASES, *CONDITION_FLAGS):
        s = load_settings(None, None, [spelling])
        assert s.conditions != ConditionsConfig(), spelling
    assert load_settings(None, None, ["trochanteric_bursitis"]) == load_settings(
        None, {"conditions.bursitis": True})
    with pytest.raises(ConfigError, match="unknown condition"):
        load_settings(None, None, ["gout"])


def test_profile_conditions_reach_the_analysis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "h.db"
    monkeypatch.setenv("HIPWISE_DATABASE_URL", f"sqlite:///{db}")
    with Store.open() as store:
        store.people.create("ana", ["trochanteric_bursitis", "hip_labral_tear"], [])
    parser = build_parser()
    args = parser.parse_args(["analyze", "x.mp4", "--save", "--person", "ana"])
    s = _settings(args, with_profile=True)
    assert s.conditions.bursitis and s.conditions.labral_tear
    # without --save the profile is not read; the flag alone still works
    args = parser.parse_args(["analyze", "x.mp4", "--condition", "bursitis"])
    s = _settings(args)
    assert s.conditions.bursitis and not s.conditions.labral_tear


def test_each_condition_is_named_in_the_analysis(make_seq: MakeSeq) -> None:
    """Bursitis changes no count or fault (DOMAIN.md: warn, isometric holds first, stop at
    sharp pain), so the analysis says it; the labral tear changes the toes rule and is said
    too. The programme warns with the same sentences."""
    seq, _ = make_seq([{}, {}])
    plain = analyze_sequence(seq, Settings().analysis)
    assert KNEE_NOTE in plain.notes
    for flags, said in ((["bursitis"], [BURSITIS_WARNING]),
                        (["labral_tear"], [LABRAL_TEAR_WARNING]),
                        (["bursitis", "labral_tear"], [BURSITIS_WARNING, LABRAL_TEAR_WARNING])):
        result = analyze_sequence(seq, load_settings(None, None, flags).analysis)
        assert result.notes == said + plain.notes
        assert [len(s.reps) for s in result.sets] == [len(s.reps) for s in plain.sets]
    policy = condition_policy(["trochanteric_bursitis", "hip_labral_tear"])
    assert policy.warnings == (BURSITIS_WARNING, LABRAL_TEAR_WARNING)
