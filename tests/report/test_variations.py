"""The report of the exercise variations: holds, circles, clamshell openings, wall slides.

Render-free sets (``variation_reports`` in conftest) check that what the page and the CSV files
show equals what the engine measured and what was scripted; one rendered clip of
``tests/data/variations`` goes through the pose model (slow) and is checked against its labels.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from hipwise.contract import Analysis, CircleResult, HoldResult, SetResult
from hipwise.report import ReportConfig
from hipwise.report.figures import COLOURS
from hipwise.report.model import (
    circle_hold,
    set_headline,
    set_title,
    set_window,
    summarise_circles,
    summarise_holds,
)
from hipwise.report.tables import CIRCLE_COLUMNS, HOLD_COLUMNS
from hipwise.settings import AnalysisConfig
from tests.conftest import committed
from tests.report.conftest import VariationReport

CLIPS = Path(__file__).resolve().parents[1] / "data" / "variations"


def section(html: str, set_index: int = 1) -> str:
    """The HTML of one set's section."""
    start = html.index(f'<section class="set" id="set-{set_index}">')
    return html[start:html.index("</section>", start)]


def table_rows(html: str, css: str) -> list[list[str]]:
    """Cell texts (tags stripped) of each body row of the first ``table.css``."""
    start = html.index(f'<table class="{css}">')
    body = html[html.index("<tbody>", start):html.index("</tbody>", start)]
    return [[" ".join(re.sub(r"<[^>]+>", " ", c).split())
             for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body)]


def stat(html: str, key: str) -> str:
    """The value of the stat tile named ``key``."""
    m = re.search(r'<div class="k">' + re.escape(key) + r'</div><div class="v">([^<]*)</div>',
                  html)
    assert m is not None, f"no tile {key!r}"
    return m.group(1)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# ---- circles ------------------------------------------------------------------------------


def test_circles_page_counts_each_direction_as_scripted(
    variation_reports: dict[str, VariationReport],
) -> None:
    rep = variation_reports["circles"]
    html = rep.html
    sec = section(html)
    assert "<h2>Isometric hold with circles, left leg</h2>" in sec  # lying on the right
    want_cw = sum(1 for c in rep.circles if c.direction == "clockwise")
    want_ccw = len(rep.circles) - want_cw
    assert (want_cw, want_ccw) == (5, 5)
    target = AnalysisConfig().variations.circles.target_per_direction
    assert stat(sec, "clockwise") == f"{want_cw} / {target}"
    assert stat(sec, "counter-clockwise") == f"{want_ccw} / {target}"
    rows = table_rows(sec, "circles")
    assert [r[0] for r in rows] == [str(i) for i in range(1, len(rep.circles) + 1)]
    words = {"clockwise": "clockwise", "counterclockwise": "counter-clockwise"}
    assert [r[2] for r in rows] == [words[c.direction] for c in rep.circles]
    # diameters near the 25 cm plate, and the mean tile says so
    assert all(abs(float(r[3].split()[0]) - 25.0) <= 3.0 for r in rows)
    mean = float(stat(sec, "circle size").split()[0])
    assert mean == pytest.approx(25.0, abs=2.0)
    assert "about a dinner plate" in sec
    assert "10 circles: 5 clockwise, 5 counter-clockwise · left leg" in sec
    (h,) = rep.analysis.sets[0].holds or []
    assert stat(sec, "holds") == "1"
    assert len(table_rows(sec, "reps")) == 1  # one row per hold
    assert rep.hold is not None
    assert h.hold_s == pytest.approx(rep.hold.end_s - rep.hold.start_s, abs=0.5)
    assert stat(sec, "time held") == f"{h.hold_s:.1f} s"


def test_circles_chart_marks_the_hold_and_the_circles(
    variation_reports: dict[str, VariationReport],
) -> None:
    sec = section(variation_reports["circles"].html)
    assert sec.count("<svg") == 2  # the angle chart, wide and phone; no tempo, no posture
    assert 'aria-label="Abduction angle over time with the isometric holds and the circles' in sec
    s = variation_reports["circles"].analysis.sets[0]
    (h,) = s.holds or []
    assert f">hold 1 · {h.hold_s:.1f} s</text>" in sec  # the span's label (text stays text)
    assert sec.count(">counter-clockwise</text>") == 2  # legend, in both renderings
    # one shaded span per hold and one bar per circle in its direction's colour, twice
    hold_fill = f"fill: {COLOURS['hold']}; opacity: 0.22"
    assert sec.count(hold_fill) == 2 * len(s.holds or [])
    for direction in ("clockwise", "counterclockwise"):
        n = sum(1 for c in s.circles or [] if c.direction == direction)
        assert sec.count(f"stroke: {COLOURS[direction]}; stroke-width: 6") == 2 * n


def test_holds_and_circles_csv(variation_reports: dict[str, VariationReport]) -> None:
    rep = variation_reports["circles"]
    assert rep.files.holds_csv is not None and rep.files.circles_csv is not None
    holds = read_csv(rep.files.holds_csv)
    circles = read_csv(rep.files.circles_csv)
    assert list(holds[0]) == [c.name for c in HOLD_COLUMNS]
    assert list(circles[0]) == [c.name for c in CIRCLE_COLUMNS]
    (h,) = rep.analysis.sets[0].holds or []
    assert len(holds) == 1
    assert holds[0]["variation"] == "isometric_circles" and holds[0]["working_leg"] == "left"
    assert float(holds[0]["hold_s"]) == pytest.approx(h.hold_s, abs=1e-3)
    assert holds[0]["shaking"] == "0"
    assert [c["direction"] for c in circles] == [c.direction for c in rep.circles]
    assert all(c["hold"] == "1" for c in circles)
    got = rep.analysis.sets[0].circles or []
    assert [float(c["diameter_cm"]) for c in circles] == [c.diameter_cm for c in got]
    assert {"holds.csv", "circles.csv"} <= {p.name for p in rep.files.all()}
    assert 'href="holds.csv"' in rep.html and 'href="circles.csv"' in rep.html


# ---- holds --------------------------------------------------------------------------------


def test_hold_page_shows_time_sag_and_shaking_as_information(
    variation_reports: dict[str, VariationReport],
) -> None:
    rep = variation_reports["hold"]
    sec = section(rep.html)
    assert "<h2>Isometric hold, right leg</h2>" in sec
    (h,) = rep.analysis.sets[0].holds or []
    assert rep.hold is not None and rep.hold.shaking and h.shaking
    assert h.sag_deg == pytest.approx(rep.hold.sag_deg, abs=1.0)
    (row,) = table_rows(sec, "reps")
    assert row[2] == f"{h.hold_s:.1f} s of 20 s"  # variations.holds.target_s
    assert row[3] == f"{h.mean_abduction_deg:.0f}°"
    assert row[4] == f"{h.sag_deg:.1f}°"
    assert "shaking (tiring)" in row[5]
    # information, never a fault: a grey chip, no red chip anywhere in the set
    assert '<span class="chip info">shaking (tiring)</span>' in sec
    assert '<span class="chip">' not in sec
    assert stat(sec, "shaking") == "1 of 1"
    assert stat(sec, "sag") == f"{h.sag_deg:.1f}°"
    assert rep.files.circles_csv is None  # no circles scripted: no circles.csv
    assert rep.files.holds_csv is not None
    (csv_row,) = read_csv(rep.files.holds_csv)
    assert csv_row["shaking"] == "1" and float(csv_row["sag_deg"]) == pytest.approx(h.sag_deg)


def test_hold_target_is_a_setting(tmp_path: Path,
                                  variation_reports: dict[str, VariationReport]) -> None:
    """The hold's time against ``variations.holds.target_s`` (the live timer's target too),
    long enough from (1 - target_tolerance) x target."""
    from hipwise.report.html import build_html

    a = variation_reports["hold"].analysis
    (h,) = a.sets[0].holds or []

    def with_target(target: float) -> str:
        cfg = AnalysisConfig.model_validate({"variations": {"holds": {"target_s": target}}})
        return section(build_html(a, cfg, [], {}))

    longer = round(h.hold_s + 10.0)
    strict = with_target(longer)
    assert f'<span class="chip">under {longer:g} s</span>' in strict
    assert '<div class="stat bad"><div class="k">time held' in strict
    assert "held long enough" in with_target(h.hold_s - 1.0)
    # within the 15 % tolerance
    assert "held long enough" in with_target(h.hold_s * 1.1)


# ---- clamshell and wall slide --------------------------------------------------------------


def test_clamshell_says_opening(variation_reports: dict[str, VariationReport]) -> None:
    rep = variation_reports["clamshell"]
    sec = section(rep.html)
    s = rep.analysis.sets[0]
    assert s.variation == "clamshell" and len(s.reps) == 5
    assert "<h2>Clamshell, right leg</h2>" in sec
    assert f"{s.good_reps} good openings of 5 · right leg" in sec
    assert "<th>opening</th><th>open</th><th>hold</th><th>close</th>" in sec
    assert "abduction" not in sec.lower() and "<th>peak</th>" not in sec
    assert "opening (°)" in sec  # the chart's axis
    assert len(table_rows(sec, "reps")) == 5
    assert rep.files.holds_csv is None and rep.files.circles_csv is None
    assert "<b>Opening 1</b>" in sec  # key frames (skeleton only: no video)


def test_wall_slide_shows_drift_and_heel(variation_reports: dict[str, VariationReport]) -> None:
    rep = variation_reports["wall_slide"]
    sec = section(rep.html)
    s = rep.analysis.sets[0]
    assert "<h2>Wall slide, right leg</h2>" in sec
    assert "heel" in sec and "the heel slides up the wall" in sec
    ws = AnalysisConfig().variations.wall_slide
    assert f"wall limit {ws.max_drift_deg:g}°" in sec
    rows = table_rows(sec, "reps")
    assert [r[6].split("°")[0] for r in rows] == [
        f"{r.forward_drift_deg:.0f}" for r in s.reps]
    assert all("heel" in r[6] and r[6].endswith("cm") for r in rows)
    assert '<span class="chip">forward drift</span>' in sec


def test_leg_lift_sets_keep_their_heading(report_input: object) -> None:
    from hipwise.report.html import build_html
    from hipwise.report.model import ReportInput

    assert isinstance(report_input, ReportInput)
    html = build_html(report_input.analysis, AnalysisConfig(), [], {})
    assert "<h2>Right leg</h2>" in html and "<th>peak</th><th>lift</th>" in html
    assert "isometric" not in section(html).lower()


# ---- pure views --------------------------------------------------------------------------


def _holds_set() -> SetResult:
    holds = [HoldResult(start_s=2.0, end_s=12.0, hold_s=10.0, mean_abduction_deg=30.0,
                        sag_deg=2.0, shaking=False),
             HoldResult(start_s=20.0, end_s=25.0, hold_s=5.0, mean_abduction_deg=24.0,
                        sag_deg=4.0, shaking=True)]
    circles = [CircleResult(index=i + 1, start_s=3.0 + 2 * i, end_s=5.0 + 2 * i,
                            direction="clockwise" if i < 3 else "counterclockwise",
                            diameter_cm=d)
               for i, d in enumerate([20.0, 22.0, 24.0, 16.0])]
    circles.append(CircleResult(index=5, start_s=21.0, end_s=23.0, direction="counterclockwise",
                                diameter_cm=18.0))
    return SetResult(working_leg="left", variation="isometric_circles", reps=[], holds=holds,
                     circles=circles)


def test_titles_headlines_and_summaries() -> None:
    s = _holds_set()
    assert set_title(s, 1, multi=False) == "Isometric hold with circles, left leg"
    assert set_title(s, 2, multi=True) == "Set 2 · isometric hold with circles, left leg"
    assert set_headline(s) == "5 circles: 3 clockwise, 2 counter-clockwise · left leg"
    hs = summarise_holds(s)
    assert (hs.count, hs.total_s, hs.longest_s, hs.max_sag_deg, hs.shaking) == (
        2, 15.0, 10.0, 4.0, 1)
    assert hs.mean_abduction_deg == pytest.approx(28.0)  # weighted by time held
    cs = summarise_circles(s, 5, 25.0, 0.3)
    assert (cs.clockwise, cs.counterclockwise, cs.count_ok) == (3, 2, False)
    assert cs.mean_cm == pytest.approx(20.0) and cs.size_ok  # 20 within 30 % of 25
    assert summarise_circles(s, 5, 25.0, 0.1).size_word == "smaller than a dinner plate"
    assert [circle_hold(s, c) for c in s.circles or []] == [1, 1, 1, 1, 2]
    assert set_window(s, 1.5, t_max=40.0, hold_margin_s=4.0) == (0.0, 29.0)
    iso = s.model_copy(update={"variation": "isometric_hold", "circles": None})
    assert set_headline(iso) == "2 holds, 15.0 s held · left leg"


def test_headline_of_a_page_with_holds() -> None:
    from hipwise.contract import VideoInfo
    from hipwise.report.html import overall_headline

    a = Analysis(video=VideoInfo(duration_s=30, fps=15, frames=450), sets=[_holds_set()])
    assert overall_headline(a) == "2 holds, 15 s held, 5 circles · left leg"


# ---- a rendered clip through the pose model ------------------------------------------------


@pytest.mark.slow
def test_rendered_circles_clip_report_matches_its_labels(tmp_path: Path) -> None:
    """``iso_circles_right``: the hold and circle counts on the page and in the CSV files
    equal the clip's labels (the analysis itself is scored in tests/variations)."""
    video = CLIPS / "iso_circles_right.mp4"
    labels = CLIPS / "iso_circles_right.labels.json"
    committed(video, labels)
    from hipwise.analysis.video import analyze_video
    from hipwise.report import write_report

    truth = Analysis.model_validate_json(labels.read_text(encoding="utf-8")).sets[0]
    cfg = AnalysisConfig()
    result = analyze_video(video, cfg)
    files = write_report(result, cfg, tmp_path, config=ReportConfig(annotated_video=False))
    sec = section(files.html.read_text(encoding="utf-8"))
    cc = cfg.variations.circles
    assert "<h2>Isometric hold with circles, left leg</h2>" in sec
    want_cw = sum(1 for c in truth.circles or [] if c.direction == "clockwise")
    want_ccw = len(truth.circles or []) - want_cw
    assert stat(sec, "clockwise") == f"{want_cw} / {cc.target_per_direction}"
    assert stat(sec, "counter-clockwise") == f"{want_ccw} / {cc.target_per_direction}"
    assert stat(sec, "holds") == str(len(truth.holds or []))
    rows = table_rows(sec, "circles")
    words = {"clockwise": "clockwise", "counterclockwise": "counter-clockwise"}
    assert [r[2] for r in rows] == [words[c.direction] for c in truth.circles or []]
    assert files.circles_csv is not None and files.holds_csv is not None
    assert [c["direction"] for c in read_csv(files.circles_csv)] == [
        c.direction for c in truth.circles or []]
    assert len(read_csv(files.holds_csv)) == len(truth.holds or [])
