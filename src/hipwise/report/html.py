"""The self-contained HTML report (pure: data, chart SVGs and key-frame bytes in, one HTML
string out).

Everything is inline: CSS, charts (SVG), key frames (base64 JPEG). There is no script, no web
font and no remote URL, and a Content-Security-Policy forbids any network request, so the page
opens offline exactly as written. Layout: one column on a phone, cards in a grid on wider
screens; the per-rep table turns into stacked cards below 640 px.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from pydantic import BaseModel

from hipwise.contract import Analysis, FaultId, RepResult, SetResult
from hipwise.report.figures import COLOURS
from hipwise.report.model import (
    by_priority,
    circle_hold,
    fault_cue,
    fault_label,
    is_isometric,
    rep_words,
    set_headline,
    set_title,
    set_variation,
    side_summaries,
    summarise_circles,
    summarise_holds,
    summarise_set,
)
from hipwise.settings import AnalysisConfig, ReportConfig

__all__ = ["SetFigures", "build_html", "overall_headline"]

#: Shaking is fatigue information, never a fault (DOMAIN.md "control").
SHAKING_NOTE = "Shaking: you are tiring (information, not a fault); stop before form goes."


@dataclass(frozen=True)
class SetFigures:
    """Inline SVG charts of one set (empty strings are left out)."""

    angle: str = ""
    posture: str = ""
    tempo: str = ""


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _leg_parts(analysis: Analysis) -> dict[str, list[str]]:
    """Per working leg (in order of first appearance) what it did: ``"8 good reps of 10"``
    over its rep sets (``openings`` when they are all clamshells), ``"2 holds, 24 s held"``
    and ``"10 circles"`` over its isometric sets."""
    out: dict[str, list[str]] = {}
    for leg in side_summaries(analysis):
        sets = [s for s in analysis.sets if s.working_leg == leg]
        rep_sets = [s for s in sets if not is_isometric(s)]
        parts: list[str] = []
        if rep_sets or not sets:
            good = sum(s.good_reps for s in rep_sets)
            total = sum(len(s.reps) for s in rep_sets)
            word = ("opening" if rep_sets and all(set_variation(s) == "clamshell"
                                                  for s in rep_sets) else "rep")
            parts.append(f"{good} good {word}{'' if good == 1 else 's'} of {total}")
        holds = [h for s in sets for h in s.holds or []]
        if holds:
            held = sum(h.hold_s for h in holds)
            parts.append(f"{_plural(len(holds), 'hold')}, {held:.0f} s held")
        circles = [c for s in sets for c in s.circles or []]
        if any(set_variation(s) == "isometric_circles" for s in sets):
            parts.append(_plural(len(circles), "circle"))
        out[leg] = parts
    return out


def overall_headline(analysis: Analysis) -> str:
    """The page headline: ``"8 good reps of 10 · right leg"`` for one leg, both legs joined by
    " | " otherwise, or "No reps counted". A leg's isometric holds and circles are named too
    (``"1 hold, 22 s held, 10 circles · left leg"``)."""
    sides = _leg_parts(analysis)
    if not sides:
        return "No reps counted"
    return " | ".join(f"{', '.join(parts)} · {leg} leg" for leg, parts in sides.items())


def _side_tiles(analysis: Analysis) -> str:
    """The header's tiles per leg: good / total reps (as before) for legs with reps, time
    held and circles for legs with isometric sets."""
    tiles = []
    for leg, (good, total) in side_summaries(analysis).items():
        sets = [s for s in analysis.sets if s.working_leg == leg]
        rep_sets = [s for s in sets if not is_isometric(s)]
        if rep_sets:
            word = ("openings" if all(set_variation(s) == "clamshell" for s in rep_sets)
                    else "reps")
            tiles.append(f'<div class="side"><b>{good}/{total}</b>good {word} · '
                         f"{escape(leg)} leg</div>")
        holds = [h for s in sets for h in s.holds or []]
        if holds:
            held = sum(h.hold_s for h in holds)
            tiles.append(f'<div class="side"><b>{held:.0f} s</b>held in '
                         f"{_plural(len(holds), 'hold')} · {escape(leg)} leg</div>")
        if any(set_variation(s) == "isometric_circles" for s in sets):
            circles = [c for s in sets for c in s.circles or []]
            cw = sum(1 for c in circles if c.direction == "clockwise")
            tiles.append(f'<div class="side"><b>{cw} + {len(circles) - cw}</b>circles '
                         f"(clockwise + counter) · {escape(leg)} leg</div>")
    return "".join(tiles)


_CSS = """
:root{--ink:#1d232b;--muted:#5d6670;--line:#e3e6ea;--bg:#f4f5f7;--card:#fff;
--good:%(good)s;--fault:%(fault)s;--lift:%(lift)s;--hold:%(hold)s;--lower:%(lower)s;
color-scheme:light}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%%}
body{margin:0;background:var(--bg);color:var(--ink);line-height:1.45;
font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
header.top{background:linear-gradient(135deg,#1f4e79,#2a6f97);color:#fff;padding:22px 16px 26px}
.wrap{max-width:980px;margin:0 auto;padding:0 14px}
header .brand{font-weight:700;letter-spacing:.08em;text-transform:uppercase;font-size:.8rem;
opacity:.85}
h1{font-size:clamp(1.45rem,4.8vw,2.2rem);margin:.25em 0 .2em;line-height:1.2}
header .meta{margin:0;opacity:.85;font-size:.92rem;overflow-wrap:anywhere}
.sides{display:flex;flex-wrap:wrap;gap:10px;margin-top:14px}
.side{background:rgba(255,255,255,.14);border-radius:12px;padding:10px 14px;min-width:150px}
.side b{font-size:1.6rem;display:block;line-height:1.1}
main{padding:8px 0 30px}
section.set,section.block{background:var(--card);border-radius:14px;margin:16px 0;
padding:16px 14px;box-shadow:0 1px 3px rgba(0,0,0,.07)}
h2{font-size:1.25rem;margin:0 0 2px}
h3{font-size:1.02rem;margin:20px 0 8px;color:#333}
.headline{font-size:1.08rem;margin:0 0 12px;color:var(--muted)}
.headline b{color:var(--ink)}
.stats{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:10px}
.stat{border:1px solid var(--line);border-radius:12px;padding:10px 12px}
.stat .k{font-size:.78rem;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
.stat .v{font-size:1.35rem;font-weight:650;margin-top:2px}
.stat .t{font-size:.82rem;color:var(--muted)}
.stat.ok .v{color:var(--good)}.stat.bad .v{color:var(--fault)}
.bar{height:8px;border-radius:4px;background:#f0d4d4;overflow:hidden;margin-top:6px}
.bar i{display:block;height:100%%;background:var(--good)}
.chips{display:flex;flex-wrap:wrap;gap:6px;margin:12px 0 0}
.chip{display:inline-block;border-radius:999px;padding:2px 10px;font-size:.82rem;
font-weight:600;white-space:nowrap;background:#fbe3e3;color:#a12a2a;border:1px solid #f3c2c2}
.chip.good{background:#e0f3e8;color:#1e6e3f;border-color:#bfe3cd}
.chip.info{background:#eef0f3;color:#4a525b;border-color:#dde1e6}
figure{margin:14px 0 0}
figure.chart{border:1px solid var(--line);border-radius:12px;padding:8px 6px 4px}
figure.chart figcaption{font-weight:600;font-size:.92rem;padding:0 6px 4px}
figure.chart figcaption span{font-weight:400;color:var(--muted)}
svg.chart{display:block;width:100%%;height:auto}svg.chart.narrow{display:none}
.tablewrap{overflow-x:auto}
table.reps{border-collapse:collapse;width:100%%;font-size:.92rem}
table.reps th{text-align:left;font-size:.75rem;text-transform:uppercase;letter-spacing:.04em;
color:var(--muted);border-bottom:2px solid var(--line);padding:6px 8px}
table.reps td{border-bottom:1px solid var(--line);padding:8px;vertical-align:top}
table.reps td.num{font-variant-numeric:tabular-nums;white-space:nowrap}
table.reps tr.bad td:first-child{box-shadow:inset 3px 0 0 var(--fault)}
table.reps tr.good td:first-child{box-shadow:inset 3px 0 0 var(--good)}
.cue{margin:0;padding:0;list-style:none}.cue li{margin:0 0 2px}
.cue li::before{content:"→ ";color:var(--fault)}
.cue.info li::before{color:var(--muted)}
p.small{font-size:.84rem;color:var(--muted);margin:8px 0}
.dir{font-weight:600;white-space:nowrap}
.dir.clockwise{color:%(clockwise)s}.dir.counterclockwise{color:%(counterclockwise)s}

.frames{display:grid;grid-template-columns:repeat(auto-fill,minmax(280px,1fr));gap:12px}
.frames figure{margin:0;border:1px solid var(--line);border-radius:12px;overflow:hidden}
.frames img{display:block;width:100%%;height:auto;background:#262c34}
.frames figcaption{padding:6px 10px;font-size:.86rem}
.frames figure.bad{border-color:#f0b9b9}
video{width:100%%;border-radius:10px;background:#000}
.notes{background:#fff8e6;border:1px solid #f1dfa8;border-radius:12px;padding:10px 14px;
margin:16px 0}
.notes p{margin:.2em 0}
details summary{cursor:pointer;font-weight:650;font-size:1.05rem}
table.settings{border-collapse:collapse;width:100%%;font-size:.86rem;margin-bottom:10px}
table.settings td{border-bottom:1px solid var(--line);padding:5px 6px;vertical-align:top}
table.settings td:first-child{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;
white-space:nowrap}
table.settings td.d{color:var(--muted)}
.files a{margin-right:14px}
p.files{display:flex;flex-wrap:wrap;row-gap:4px}
table.circles{border-collapse:collapse;width:100%%;font-size:.9rem}
table.circles th{text-align:left;font-size:.75rem;text-transform:uppercase;letter-spacing:.04em;
color:var(--muted);border-bottom:2px solid var(--line);padding:5px 8px}
table.circles td{border-bottom:1px solid var(--line);padding:5px 8px}
table.circles td.num{font-variant-numeric:tabular-nums;white-space:nowrap}
footer{color:var(--muted);font-size:.82rem;text-align:center;padding:10px 14px 30px}
@media (max-width:640px){
 svg.chart.wide{display:none}svg.chart.narrow{display:block}
 section.set,section.block{padding:14px 10px}
 figure.chart{padding:6px 2px 2px}
 table.reps thead{display:none}
 table.reps,table.reps tbody{display:block;width:100%%}
 table.reps tr{display:grid;grid-template-columns:1fr 1fr 1fr;border:1px solid var(--line);
 border-radius:12px;margin:0 0 10px;padding:6px 4px}
 table.reps td{border:0;padding:3px 8px;display:block}
 table.reps td.wide{grid-column:1/-1}table.reps td.wide:empty{display:none}
 table.reps td.span2{grid-column:span 2}
 table.reps td::before{content:attr(data-label);display:block;color:var(--muted);
 font-size:.7rem;text-transform:uppercase;letter-spacing:.04em}
 table.reps tr.bad,table.reps tr.good{box-shadow:none}
 table.reps tr.bad td:first-child,table.reps tr.good td:first-child{box-shadow:none}
 table.reps tr.bad{border-left:4px solid var(--fault)}
 table.reps tr.good{border-left:4px solid var(--good)}
 table.settings td.d{display:none}
 table.circles{font-size:.84rem}table.circles th,table.circles td{padding:4px 5px}
}
""" % {k: COLOURS[k] for k in ("good", "fault", "lift", "hold", "lower", "clockwise",
                                "counterclockwise")}

_CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; media-src 'self' file:; "
        "base-uri 'none'; form-action 'none'")


def _fmt(x: float | None, nd: int = 1, unit: str = "") -> str:
    if x is None or not math.isfinite(x):
        return "–"
    return f"{x:.{nd}f}{unit}"


def _chips(faults: Sequence[FaultId], shaking: bool | None) -> str:
    if not faults:
        out = '<span class="chip good">good</span>'
    else:
        out = " ".join(f'<span class="chip">{escape(fault_label(f))}</span>'
                       for f in by_priority(faults))
    if shaking:
        out += ' <span class="chip info">shaking</span>'
    return out


def _cues(r: RepResult) -> str:
    items = [f"<li>{escape(fault_cue(f))}</li>" for f in by_priority(r.faults)]
    if r.shaking:
        items.append("<li>Shaking at the top: you are tiring; stop before form goes.</li>")
    return f'<ul class="cue">{"".join(items)}</ul>' if items else ""


def _stat(key: str, value: str, target: str, ok: bool | None, extra: str = "") -> str:
    cls = "" if ok is None else (" ok" if ok else " bad")
    return (f'<div class="stat{cls}"><div class="k">{escape(key)}</div>'
            f'<div class="v">{escape(value)}</div><div class="t">{escape(target)}</div>'
            f"{extra}</div>")


def _fault_chips(counts: Mapping[FaultId, int]) -> str:
    if not counts:
        return ""
    return '<div class="chips">' + "".join(
        f'<span class="chip">{escape(fault_label(f))} × {n}</span>'
        for f, n in sorted(counts.items(), key=lambda kv: -kv[1])
    ) + "</div>"


def _set_stats(s: SetResult, settings: AnalysisConfig,
               heel_cm: Sequence[float] | None = None) -> str:
    fc = settings.faults
    sm = summarise_set(s, fc.lower_ratio_target)
    pct = 100.0 * sm.good / sm.total if sm.total else 0.0
    bar = f'<div class="bar"><i style="width:{pct:.0f}%"></i></div>'
    if set_variation(s) == "clamshell":
        # only pelvis_roll is judged on a clamshell: its timing is information
        roll = [r.pelvis_roll_deg for r in s.reps if r.pelvis_roll_deg is not None]
        judged = settings.variations.clamshell.check_pelvis_roll
        roll_note = f"judged over {fc.pelvis_roll_deg:g}°" if judged else "not judged"
        cards = [
            _stat("good openings", f"{sm.good} / {sm.total}", "openings without a fault",
                  sm.good == sm.total, bar),
            _stat("opening", f"{_fmt(sm.peak_min_deg, 0)}–{_fmt(sm.peak_max_deg, 0, '°')}",
                  "top thigh's opening from closed (0° = knees together)", None),
            _stat("open", _fmt(sm.lift_mean_s, 1, " s"), "mean time to open", None),
            _stat("hold", _fmt(sm.hold_mean_s, 1, " s"), "mean time open", None),
            _stat("close", _fmt(sm.lower_mean_s, 1, " s"), "mean time to close", None),
            # unjudged, the number is not shown: on rendered clamshells the pose model's 3D hips
            # swung 20-35° with every opening of a still pelvis (bench: roll MAE 25°)
            _stat("pelvis roll", _fmt(max(roll), 0, "°") if roll and judged else "–",
                  f"largest · hips stay stacked ({roll_note})" if judged else
                  "hips stay stacked (not judged: the pose model's hips swing with each "
                  "opening)", None),
        ]
        return f'<div class="stats">{"".join(cards)}</div>{_fault_chips(sm.faults)}'
    cards = [
        _stat("good reps", f"{sm.good} / {sm.total}", "reps without a fault",
              sm.good == sm.total, bar),
        _stat("peak angle", f"{_fmt(sm.peak_min_deg, 0)}–{_fmt(sm.peak_max_deg, 0, '°')}",
              f"limit {fc.too_high_deg:.0f}° · good 20–35°",
              bool(sm.total) and sm.peak_max_deg <= fc.too_high_deg),
        _stat("lift", _fmt(sm.lift_mean_s, 1, " s"), f"slow: at least {fc.too_fast_lift_s:g} s",
              bool(sm.total) and sm.lift_mean_s >= fc.too_fast_lift_s),
        _stat("hold", _fmt(sm.hold_mean_s, 1, " s"), f"target {fc.hold_target_s:g} s",
              bool(sm.total) and sm.hold_mean_s >= fc.hold_min_s),
        _stat("lower", _fmt(sm.lower_mean_s, 1, " s"),
              f"target {_fmt(sm.lower_target_s, 1, ' s')} ({fc.lower_ratio_target:g}× lift)",
              bool(sm.total) and sm.lower_mean_s >= fc.lower_ratio_min * sm.lift_mean_s),
    ]
    if set_variation(s) == "wall_slide":
        ws = settings.variations.wall_slide
        drift = [r.forward_drift_deg for r in s.reps if r.forward_drift_deg is not None]
        drifted = sum(1 for r in s.reps if "forward_drift" in r.faults)
        cards.append(_stat("forward drift", _fmt(max(drift), 0, "°") if drift else "–",
                           f"largest · wall limit {ws.max_drift_deg:g}° "
                           f"(floor {fc.forward_drift_deg:g}°) · {drifted} rep"
                           f"{'' if drifted == 1 else 's'} drifted", drifted == 0))
        heel = [h for h in heel_cm or [] if math.isfinite(h)]
        if heel:
            cards.append(_stat("heel off the wall", _fmt(max(heel), 1, " cm"),
                               f"largest · limit {ws.max_heel_forward_cm:g} cm",
                               max(heel) <= ws.max_heel_forward_cm))
    return f'<div class="stats">{"".join(cards)}</div>{_fault_chips(sm.faults)}'


def _wall_note(s: SetResult, settings: AnalysisConfig) -> str:
    """What a wall slide checks, in words (DOMAIN.md "Variations")."""
    ws = settings.variations.wall_slide
    return (
        '<div class="notes"><b>Wall slide</b><p>Back and heel against a wall; the heel slides '
        "up the wall. The wall keeps the leg from drifting forward, so forward drift is judged "
        f"strictly here: a drift over {ws.max_drift_deg:g}° (on the floor "
        f"{settings.faults.forward_drift_deg:g}°), the shank growing over "
        f"{ws.max_shank_growth:g}× in the image, or the heel coming off the wall toward the "
        f"camera by more than {ws.max_heel_forward_cm:g} cm.</p></div>"
    )


def _table(headers: Sequence[str], rows: Sequence[tuple[str, Sequence[tuple[str, str, str]]]],
           css: str = "reps") -> str:
    """A table (cards on a phone): ``rows`` of ``(row class, [(label, html, cell class)])``."""
    body = []
    for cls, cells in rows:
        tds = "".join(f'<td data-label="{escape(k)}" class="{c}">{v}</td>' for k, v, c in cells)
        body.append(f'<tr class="{cls}">{tds}</tr>')
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    return (f'<div class="tablewrap"><table class="{css}"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def _rep_table(s: SetResult, heel_cm: Sequence[float] | None = None) -> str:
    w = rep_words(s)
    var = set_variation(s)
    extra: list[str] = []
    if var == "wall_slide":
        extra = ["drift"]
    elif var == "clamshell":
        extra = ["pelvis roll"]
    rows = []
    for i, r in enumerate(s.reps):
        cells = [
            ("rep", f'<b>{r.index}</b>', "num"),
            ("time", f"{r.start_s:.1f}–{r.end_s:.1f} s", "num span2"),
            (w.peak, _fmt(r.peak_abduction_deg, 0, "°"), "num"),
            (w.phases[0], _fmt(r.lift_s, 1, " s"), "num"),
            (w.phases[1], _fmt(r.hold_s, 1, " s"), "num"),
            (w.phases[2], _fmt(r.lower_s, 1, " s"), "num"),
        ]
        if var == "wall_slide":
            text = _fmt(r.forward_drift_deg, 0, "°")
            if heel_cm is not None and i < len(heel_cm) and math.isfinite(heel_cm[i]):
                text += f" · heel {heel_cm[i]:.1f} cm"
            cells.append(("drift", escape(text), "num"))
        elif var == "clamshell":
            cells.append(("pelvis roll", _fmt(r.pelvis_roll_deg, 0, "°"), "num"))
        cells += [
            ("verdict", _chips(r.faults, r.shaking), "wide"),
            ("cue", _cues(r), "wide"),
        ]
        rows.append(("good" if r.good else "bad", cells))
    heads = ["#", "time", w.peak, *w.phases, *extra, "verdict", "cue"]
    return _table(heads, rows)


def _holds_section(s: SetResult, settings: AnalysisConfig, rcfg: ReportConfig,
                   chart: str = "") -> str:
    """Tiles over the set's holds, ``chart`` (the angle over time), and a row (a card on a
    phone) per hold: time held against the target (if one is set), mean angle, sag, shaking as
    fatigue information."""
    hs = summarise_holds(s)
    hc = settings.variations.holds
    target = hc.target_s
    enough = (1 - hc.target_tolerance) * target
    time_note = f"target {target:g} s each"
    time_ok = hs.count > 0 and all(h.hold_s >= enough for h in s.holds or [])
    too_high = settings.faults.too_high_deg
    cards = [
        _stat("holds", str(hs.count), "continuous holds with the leg up", None),
        _stat("time held", _fmt(hs.total_s, 1, " s"),
              f"longest {_fmt(hs.longest_s, 1, ' s')} · {time_note}", time_ok),
        _stat("mean angle", _fmt(hs.mean_abduction_deg, 0, "°"),
              f"above rest · limit {too_high:.0f}°",
              None if hs.count == 0 else hs.mean_abduction_deg <= too_high),
        _stat("sag", _fmt(hs.max_sag_deg, 1, "°"),
              "largest: angle lost from the first to the last second", None),
        _stat("shaking", f"{hs.shaking} of {hs.count}",
              "holds that shook: fatigue, not a fault", None),
    ]
    rows = []
    for i, h in enumerate(s.holds or [], start=1):
        verdict = ('<span class="chip info">shaking (tiring)</span>' if h.shaking
                   else '<span class="chip good">steady</span>')
        verdict = (('<span class="chip good">held long enough</span> ' if h.hold_s >= enough
                    else f'<span class="chip">under {target:g} s</span> ') + verdict)
        note = f'<ul class="cue info"><li>{escape(SHAKING_NOTE)}</li></ul>' if h.shaking else ""
        held = f"{h.hold_s:.1f} s of {target:g} s"
        sag = f"{h.sag_deg:.1f}°" if h.sag_deg >= 0 else f"{h.sag_deg:.1f}° (rose)"
        cells = [
            ("hold", f"<b>{i}</b>", "num"),
            ("time", f"{h.start_s:.1f}–{h.end_s:.1f} s", "num span2"),
            ("held", escape(held), "num"),
            ("mean angle", _fmt(h.mean_abduction_deg, 0, "°"), "num"),
            ("sag", escape(sag), "num"),
            ("shaking", verdict, "wide"),
            ("note", note, "wide"),
        ]
        ok = target is None or h.hold_s >= target
        rows.append(("good" if ok else "bad", cells))
    table = _table(["#", "time", "held", "mean angle", "sag", "shaking", "note"], rows)
    return (f'<div class="stats">{"".join(cards)}</div>{chart}'
            f"<h3>Holds ({hs.count})</h3>{table}")


def _circles_section(s: SetResult, settings: AnalysisConfig, rcfg: ReportConfig) -> str:
    """Circles against the prescription (DOMAIN.md: 5 clockwise, 5 counter-clockwise, the
    size of a dinner plate) and a small table of every circle."""
    cc = settings.variations.circles
    cs = summarise_circles(s, cc.target_per_direction, cc.target_diameter_cm,
                           rcfg.circle_size_tolerance)
    want = cs.target_per_direction
    size = (f"{cs.min_cm:.0f}–{cs.max_cm:.0f} cm · " if math.isfinite(cs.min_cm) else "")
    cards = [
        _stat("clockwise", f"{cs.clockwise} / {want}", f"target {want}", cs.clockwise >= want),
        _stat("counter-clockwise", f"{cs.counterclockwise} / {want}", f"target {want}",
              cs.counterclockwise >= want),
        _stat("circle size", _fmt(cs.mean_cm, 0, " cm"),
              f"mean · {size}dinner plate {cs.target_cm:g} cm"
              + (f": {cs.size_word}" if cs.size_word else ""),
              cs.size_ok if math.isfinite(cs.mean_cm) else None),
    ]
    several_holds = len(s.holds or []) > 1  # which hold a circle is in, only if ambiguous
    rows = []
    for c in s.circles or []:
        hold = circle_hold(s, c)
        word = "clockwise" if c.direction == "clockwise" else "counter-clockwise"
        cells = [
            ("circle", f"<b>{c.index}</b>", "num"),
            ("time", f"{c.start_s:.1f}–{c.end_s:.1f} s", "num span2"),
            ("direction", f'<span class="dir {c.direction}">{word}</span>', ""),
            ("diameter", _fmt(c.diameter_cm, 0, " cm"), "num"),
        ]
        if several_holds:
            cells.append(("hold", "–" if hold is None else str(hold), "num"))
        rows.append(("circle", cells))
    heads = ["#", "time", "direction", "diameter"] + (["hold"] if several_holds else [])
    table = (_table(heads, rows, "circles") if rows
             else "<p>No circles were found in the holds.</p>")
    return (
        f"<h3>Circles ({len(s.circles or [])})</h3>"
        f'<div class="stats">{"".join(cards)}</div>'
        '<p class="small">Direction as seen in the video image (the camera\'s view): the same '
        "circle looks the other way round from the person's own view, when lying on the other "
        "side, or in a mirrored (selfie) video.</p>"
        f"{table}"
    )


def _set_body(s: SetResult, si: int, fig: SetFigures, settings: AnalysisConfig,
              rcfg: ReportConfig, key_frames: Mapping[tuple[int, int], bytes],
              heel_cm: Sequence[float] | None) -> str:
    """Everything below a set's headline, by variation (a leg lift as before)."""
    var = set_variation(s)
    if is_isometric(s):
        note = "shaded: each hold · dashed: its mean angle"
        if var == "isometric_circles":
            note += " · bars: circles by direction"
        out = _holds_section(s, settings, rcfg, _chart(fig.angle, "Hip abduction", note))
        if var == "isometric_circles":
            out += _circles_section(s, settings, rcfg)
        return out
    w = rep_words(s)
    good, total = s.good_reps, len(s.reps)
    out = _set_stats(s, settings, heel_cm)
    if var == "wall_slide":
        out += _wall_note(s, settings)
    if var == "clamshell":
        out += _chart(fig.angle, "Thigh opening", "from closed · each opening's peak")
        out += _chart(fig.tempo, "Tempo per opening", "open · hold · close")
    else:
        out += _chart(fig.angle, "Hip abduction", "phases shaded · faults marked")
        out += _chart(fig.tempo, "Tempo per rep", "lift · hold 2 s · lower 2× lift")
    out += _chart(fig.posture, "Foot rotation and trunk side-bend", "dots: each rep's value")
    heading = f"{w.rep.capitalize()}s ({good} good of {total})"
    out += f"<h3>{escape(heading)}</h3>{_rep_table(s, heel_cm)}"
    return out + _key_frames(s, si, key_frames)


def _key_frames(s: SetResult, si: int, frames: Mapping[tuple[int, int], bytes]) -> str:
    noun = rep_words(s).rep.capitalize()
    items = []
    for r in s.reps:
        jpeg = frames.get((si, r.index))
        if jpeg is None:
            continue
        b64 = base64.b64encode(jpeg).decode("ascii")
        verdict = "good" if r.good else ", ".join(fault_label(f) for f in r.faults)
        alt = f"{noun} {r.index} at its peak, {r.peak_abduction_deg:.0f} degrees: {verdict}"
        items.append(
            f'<figure class="{"good" if r.good else "bad"}">'
            f'<img src="data:image/jpeg;base64,{b64}" alt="{escape(alt)}">'
            f"<figcaption><b>{noun} {r.index}</b> · {r.peak_abduction_deg:.0f}° at "
            f"{r.peak_s:.1f} s · {_chips(r.faults, r.shaking)}</figcaption></figure>"
        )
    if not items:
        return ""
    return f'<h3>Key frames at each peak</h3><div class="frames">{"".join(items)}</div>'


def _chart(svg: str, title: str, note: str) -> str:
    if not svg:
        return ""
    return (f'<figure class="chart"><figcaption>{escape(title)} <span>{escape(note)}</span>'
            f"</figcaption>{svg}</figure>")


def _settings_table(model: BaseModel) -> str:
    rows = []
    for name, fld in type(model).model_fields.items():
        value: Any = getattr(model, name)
        if isinstance(value, BaseModel):
            continue
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        rows.append(f"<tr><td>{escape(name)}</td><td>{escape(text)}</td>"
                    f'<td class="d">{escape(fld.description or "")}</td></tr>')
    return f'<table class="settings">{"".join(rows)}</table>' if rows else ""


def _settings(settings: AnalysisConfig, report: ReportConfig) -> str:
    parts = []
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if isinstance(value, BaseModel):
            parts.append(f"<h3>[{escape(name)}]</h3>{_settings_table(value)}")
        elif isinstance(value, dict) and value:
            rows = "".join(f"<tr><td>{escape(str(k))}</td><td>{escape(str(v))}</td></tr>"
                           for k, v in value.items())
            parts.append(f'<h3>[{escape(name)}]</h3><table class="settings">{rows}</table>')
    parts.append(f"<h3>[report]</h3>{_settings_table(report)}")
    return ('<section class="block"><details><summary>Settings used</summary>'
            f'{"".join(parts)}</details></section>')


def build_html(
    analysis: Analysis,
    settings: AnalysisConfig,
    figures: Sequence[SetFigures],
    key_frames: Mapping[tuple[int, int], bytes],
    *,
    title: str = "hipwise set",
    video_file: str | None = None,
    video_poster: bytes | None = None,
    data_files: Sequence[str] = (),
    report_config: ReportConfig | None = None,
    heel_cm: Mapping[int, Sequence[float]] | None = None,
) -> str:
    """The report page. ``figures``: one :class:`SetFigures` per set of ``analysis``;
    ``key_frames``: JPEG bytes per ``(set, rep)`` (1-based); ``video_file``: the annotated
    video's file name beside the HTML (a player is shown; it loads only when played), with
    ``video_poster`` (JPEG bytes) shown before playing; ``data_files``: CSV/JSON file names
    to link; ``heel_cm``: per wall-slide set (1-based) the heel's excursion per rep (cm)."""
    rcfg = report_config or ReportConfig()
    headline = overall_headline(analysis)
    v = analysis.video
    meta = " · ".join([title]
                      + ([f"{v.duration_s:.1f} s"] if v.duration_s > 0 else [])
                      + ([f"{v.frames} frames"] if v.frames > 0 else []))
    sides = _side_tiles(analysis)
    body: list[str] = []
    if analysis.warnings:
        notes = "".join(f"<p>{escape(w)}</p>" for w in analysis.warnings)
        body.append(f'<div class="notes"><b>Notes</b>{notes}</div>')
    multi = len(analysis.sets) > 1
    for si, s in enumerate(analysis.sets, start=1):
        fig = figures[si - 1] if si - 1 < len(figures) else SetFigures()
        body.append(
            f'<section class="set" id="set-{si}"><h2>{escape(set_title(s, si, multi))}</h2>'
            f'<p class="headline"><b>{escape(set_headline(s))}</b></p>'
            + _set_body(s, si, fig, settings, rcfg, key_frames,
                        (heel_cm or {}).get(si))
            + "</section>"
        )
    if not analysis.sets:
        body.append('<section class="block"><h2>No reps counted</h2><p>The leg never rose '
                    "clearly above rest and came back. Check that your whole body is in view "
                    "and lift the top leg at least a hand's width.</p></section>")
    if video_file:
        poster = ""
        if video_poster:
            poster = f' poster="data:image/jpeg;base64,{base64.b64encode(video_poster).decode()}"'
        body.append(
            '<section class="block"><h2>Annotated video</h2>'
            f'<video controls preload="none" playsinline{poster} src="{escape(video_file)}">'
            "</video>"
            f'<p class="files"><a href="{escape(video_file)}">{escape(video_file)}</a></p>'
            "</section>"
        )
    if data_files:
        links = "".join(f'<a href="{escape(f)}">{escape(f)}</a>' for f in data_files)
        what = "Per-frame kinematics and per-rep metrics"
        extra = [w for f, w in (("holds", "per-hold"), ("circles", "per-circle"))
                 if any(d.startswith(f) for d in data_files)]
        if extra:
            what = f"Per-frame kinematics, per-rep, {' and '.join(extra)} metrics"
        body.append(f'<section class="block"><h2>Data</h2><p>{what} for your '
                    f'physiotherapist:</p><p class="files">{links}</p></section>')
    body.append(_settings(settings, rcfg))
    version = escape(analysis.hipwise_version or "")
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<link rel="icon" href="data:,">'
        f"<title>hipwise · {escape(headline)}</title><style>{_CSS}</style></head><body>"
        f'<header class="top"><div class="wrap"><div class="brand">hipwise report</div>'
        f"<h1>{escape(headline)}</h1><p class=\"meta\">{escape(meta)}</p>"
        f'<div class="sides">{sides}</div></div></header>'
        f'<main class="wrap">{"".join(body)}</main>'
        f"<footer>hipwise {version} · made on this device, nothing uploaded</footer>"
        "</body></html>\n"
    )
