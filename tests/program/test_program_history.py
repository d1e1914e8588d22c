"""History series and plots."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from hipwise.program import build_history, history_to_dict, render_history_svgs, save_history_plot
from hipwise.program.history import PLOT_NAMES
from hipwise.store import SessionRecord
from tests.program.helpers import T0, good, session


def _sessions() -> list[SessionRecord]:
    s1 = session(1, T0, {"left": [*good(8), ("hip_hike",), ("hip_hike", "toes_up")],
                         "right": good(10)})
    s2 = session(2, T0 + timedelta(days=2), {"left": good(12)}, load_kg=0.5)
    return [s2, s1]  # out of order on purpose


def test_build_history_per_session_and_side() -> None:
    h = build_history(_sessions())
    assert h.sessions == 2
    assert [(r.session_id, r.side) for r in h.rows] == [(1, "left"), (1, "right"), (2, "left")]
    left1 = h.rows[0]
    assert (left1.good_reps, left1.total_reps) == (8, 10)
    assert left1.faults == {"hip_hike": 2, "toes_up": 1}
    assert left1.fault_rate("hip_hike") == pytest.approx(0.2)
    assert left1.mean_peak_deg == pytest.approx(28.0)
    assert (left1.mean_lift_s, left1.mean_hold_s, left1.mean_lower_s) == (1.5, 2.0, 3.0)
    assert h.rows[2].load_kg == 0.5
    assert h.fault_totals == {"hip_hike": 2, "toes_up": 1}
    assert [r.good_reps for r in h.side("left")] == [8, 12]


def test_history_dict_is_json_ready() -> None:
    import json

    d = history_to_dict(build_history(_sessions()))
    assert d["sides"]["left"]["good_reps"] == [8, 12]
    assert d["sides"]["right"]["fault_rates"]["hip_hike"] == [0.0]
    assert d["sides"]["left"]["fault_rates"]["toes_up"] == [pytest.approx(0.1), 0.0]
    assert json.loads(json.dumps(d)) == d


def test_render_svgs_one_per_plot() -> None:
    svgs = render_history_svgs(build_history(_sessions()))
    assert list(svgs) == list(PLOT_NAMES)
    for svg in svgs.values():
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg
        assert svg.rstrip().endswith("</svg>")
    assert "Peak abduction angle" in svgs["peak_angle"]
    empty = render_history_svgs(build_history([]))
    assert "no sessions yet" in empty["good_reps"]


def test_save_history_plot_png_and_svg(tmp_path: Path) -> None:
    h = build_history(_sessions())
    png = save_history_plot(h, tmp_path / "h.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = save_history_plot(h, tmp_path / "h.svg")
    assert "<svg" in svg.read_text()
    with pytest.raises(ValueError, match="unsupported plot format"):
        save_history_plot(h, tmp_path / "h.gif")
