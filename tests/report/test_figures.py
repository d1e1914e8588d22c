"""Charts: well-formed inline SVG, scoped ids, faults marked, no external references."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from hipwise.report import ReportInput
from hipwise.report.figures import angle_chart, posture_chart, scope_svg_ids, tempo_chart
from hipwise.report.model import set_window


def ids(svg: str) -> list[str]:
    return re.findall(r'\bid="([^"]+)"', svg)


def test_scope_svg_ids_rewrites_ids_and_references() -> None:
    svg = '<svg><clipPath id="p1"/><g clip-path="url(#p1)"><use xlink:href="#m2"/></g></svg>'
    out = scope_svg_ids(svg, "x")
    assert 'id="x-p1"' in out and "url(#x-p1)" in out and 'href="#x-m2"' in out


def test_charts_are_valid_svg_with_unique_ids_and_marked_faults(
    report_input: ReportInput,
) -> None:
    inp = report_input
    s = inp.analysis.sets[0]
    window = set_window(s, 1.5, inp.analysis.video.duration_s)
    charts = [
        angle_chart(s, inp.frames, inp.settings, window, prefix="a", css_class="wide"),
        posture_chart(s, inp.frames, inp.settings, window, prefix="p"),
        tempo_chart(s, inp.settings, prefix="t", width_in=4.6, font_pt=10.0),
    ]
    all_ids: list[str] = []
    for svg, prefix in zip(charts, "apt", strict=True):
        root = ET.fromstring(svg)  # well-formed XML
        assert root.tag.endswith("svg") and "viewBox" in root.attrib
        assert "width" not in root.attrib  # scales with the page
        assert root.attrib["role"] == "img" and root.attrib["aria-label"]
        assert all(i.startswith(prefix + "-") for i in ids(svg))
        all_ids += ids(svg)
        refs = re.findall(r'(?:href|src)="([^"#][^"]*)"', svg)
        assert refs == []  # nothing external
    assert len(all_ids) == len(set(all_ids))
    assert 'class="chart wide"' in charts[0]
    # the toes-up rep is labelled on the angle chart; thresholds are drawn as text
    assert "2: toes up" in charts[0]
    assert "too high &gt; 45°" in charts[0]
    assert "toes up &gt; 0°" in charts[1]
    assert "rep 2" in charts[2]
