"""Plain-language lines about a variation set for the terminal, the report and the coach.

Pure: contract in (:class:`~hipwise.contract.SetResult`), strings out (with ``rich`` markup,
which other renderers can strip with :func:`strip_markup`).
"""

from __future__ import annotations

import re

from hipwise.contract import SetResult
from hipwise.settings import CircleConfig

__all__ = ["VARIATION_NAMES", "describe_set", "strip_markup"]

VARIATION_NAMES: dict[str, str] = {
    "leg_lift": "side-lying leg lift",
    "wall_slide": "wall slide",
    "clamshell": "clamshell",
    "isometric_hold": "isometric hold",
    "isometric_circles": "isometric hold with circles",
}


def strip_markup(text: str) -> str:
    """``"[green]ok[/green]"`` → ``"ok"``."""
    return re.sub(r"\[/?[a-z ]+\]", "", text)


def describe_set(s: SetResult, circles_cfg: CircleConfig | None = None) -> list[str]:
    """Summary lines for one set's variation-specific results (empty for a leg lift):
    hold times and sag (deg), shaking, circles per direction against the prescription, circle
    size against the dinner plate (cm), clamshell openings (deg)."""
    cc = circles_cfg or CircleConfig()
    var = s.variation or "leg_lift"
    lines: list[str] = []
    if var == "leg_lift":
        return lines
    lines.append(f"variation: {VARIATION_NAMES.get(var, var)}")
    for i, h in enumerate(s.holds or [], start=1):
        shake = " · [yellow]shaking (tiring)[/yellow]" if h.shaking else ""
        sag = f"sagged {h.sag_deg:.0f}°" if h.sag_deg >= 1.0 else "no sag"
        lines.append(
            f"hold {i}: {h.hold_s:.1f} s at {h.mean_abduction_deg:.0f}° ({sag}){shake}"
        )
    if var == "isometric_circles":
        circles = s.circles or []
        cw = sum(1 for c in circles if c.direction == "clockwise")
        ccw = len(circles) - cw
        want = cc.target_per_direction
        lines.append(
            f"circles: {cw} clockwise, {ccw} counter-clockwise (as seen by the camera; "
            f"target {want} each way)"
        )
        if circles:
            sizes = sorted(c.diameter_cm for c in circles)
            med = sizes[len(sizes) // 2]
            verdict = (
                "about a dinner plate"
                if abs(med - cc.target_diameter_cm) <= 0.3 * cc.target_diameter_cm
                else ("smaller than a dinner plate" if med < cc.target_diameter_cm
                      else "larger than a dinner plate")
            )
            lines.append(
                f"circle size: {sizes[0]:.0f}-{sizes[-1]:.0f} cm, typically {med:.0f} cm "
                f"({verdict}, {cc.target_diameter_cm:.0f} cm)"
            )
    if var == "clamshell" and s.reps:
        peaks = [r.peak_abduction_deg for r in s.reps]
        lines.append(
            f"openings: {len(s.reps)}, opened {min(peaks):.0f}-{max(peaks):.0f}° from closed"
        )
    if var == "wall_slide":
        lines.append("forward drift is judged strictly: keep back and heel on the wall")
    return lines
