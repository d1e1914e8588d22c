"""The --variation flag, the printed config with the variation settings, the summaries."""

import tomllib

import pytest

from hipwise.cli import build_parser, main
from hipwise.contract import CircleResult, HoldResult, SetResult
from hipwise.variations.summary import describe_set, strip_markup


def test_flag_choices_match_the_setting() -> None:
    args = build_parser().parse_args(["analyze", "x.mp4", "--variation", "clamshell"])
    assert args.variation == "clamshell"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["analyze", "x.mp4", "--variation", "plank"])


def test_print_config_is_valid_toml_with_variation_sections(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["analyze", "--print-config"]) == 0
    data = tomllib.loads(capsys.readouterr().out)
    assert data["variation"] == "auto"
    assert data["variations"]["circles"]["target_diameter_cm"] == 25.0
    assert data["variations"]["wall_slide"]["max_drift_deg"] == 8.0


def _hold(shaking: bool = False) -> HoldResult:
    return HoldResult(start_s=2.0, end_s=22.0, hold_s=20.0, mean_abduction_deg=28.0,
                      sag_deg=4.2, shaking=shaking)


def test_summary_of_circles() -> None:
    circles = [
        CircleResult(index=i + 1, start_s=i, end_s=i + 1, direction=d, diameter_cm=cm)
        for i, (d, cm) in enumerate(
            [("clockwise", 24.0)] * 5 + [("counterclockwise", 12.0)] * 4
        )
    ]
    s = SetResult(working_leg="right", variation="isometric_circles", reps=[],
                  holds=[_hold(True)], circles=circles)
    text = strip_markup("\n".join(describe_set(s)))
    assert "isometric hold with circles" in text
    assert "5 clockwise, 4 counter-clockwise" in text
    assert "hold 1: 20.0 s at 28° (sagged 4°) · shaking (tiring)" in text
    assert "about a dinner plate" in text


def test_summary_is_empty_for_leg_lifts() -> None:
    assert describe_set(SetResult(working_leg="left", reps=[])) == []


def test_terminal_output_of_variation_sets() -> None:
    from rich.console import Console

    from hipwise.analysis.cli import print_analysis
    from hipwise.contract import Analysis, RepResult, VideoInfo

    rep = RepResult(index=1, start_s=1.0, peak_s=2.5, end_s=5.0, peak_abduction_deg=38.0,
                    lift_s=1.0, hold_s=1.0, lower_s=2.0, faults=[], good=True,
                    peak_opening_deg=38.0)
    a = Analysis(
        video=VideoInfo(duration_s=30.0, fps=15.0, frames=450),
        sets=[
            SetResult(working_leg="right", variation="clamshell", reps=[rep]),
            SetResult(working_leg="right", variation="isometric_hold", reps=[],
                      holds=[_hold(True)]),
        ],
    )
    console = Console(record=True, width=120)
    print_analysis(a, console)
    text = console.export_text()
    assert "variation: clamshell" in text and "opened 38-38° from closed" in text
    assert "target 2" not in text  # no leg-lift tempo line for a clamshell
    assert "Set 2 · right leg" in text and "hold 1: 20.0 s at 28°" in text
