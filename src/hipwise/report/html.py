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

from hipwise.config import AnalysisConfig
from hipwise.contract import Analysis, FaultId, RepResult, SetResult
from hipwise.report.config import ReportConfig
from hipwise.report.figures import COLOURS
from hipwise.report.model import (
    by_priority,
    fault_cue,
    fault_label,
    set_headline,
    side_summaries,
    summarise_set,
)

__all__ = ["SetFigures", "build_html", "overall_headline"]


@dataclass(frozen=True)
class SetFigures:
    """Inline SVG charts of one set (empty strings are left out)."""

    angle: str = ""
    posture: str = ""
    tempo: str = ""


def overall_headline(analysis: Analysis) -> str:
    """The page headline: ``"8 good reps of 10 · right leg"`` for one leg, both legs joined by
    " · " otherwise, or "No reps counted"."""
    sides = side_summaries(analysis)
    if not sides:
        return "No reps counted"
    parts = []
    for leg, (good, total) in sides.items():
        parts.append(f"{good} good rep{'' if good == 1 else 's'} of {total} · {leg} leg")
    return " | ".join(parts)


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
}
""" % {k: COLOURS[k] for k in ("good", "fault", "lift", "hold", "lower")}

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


def _set_stats(s: SetResult, settings: AnalysisConfig) -> str:
    fc = settings.faults
    sm = summarise_set(s, fc.lower_ratio_target)
    pct = 100.0 * sm.good / sm.total if sm.total else 0.0
    bar = f'<div class="bar"><i style="width:{pct:.0f}%"></i></div>'
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
    chips = ""
    if sm.faults:
        chips = '<div class="chips">' + "".join(
            f'<span class="chip">{escape(fault_label(f))} × {n}</span>'
            for f, n in sorted(sm.faults.items(), key=lambda kv: -kv[1])
        ) + "</div>"
    return f'<div class="stats">{"".join(cards)}</div>{chips}'


def _rep_table(s: SetResult) -> str:
    rows = []
    for r in s.reps:
        cls = "good" if r.good else "bad"
        cells = [
            ("rep", f'<b>{r.index}</b>', "num"),
            ("time", f"{r.start_s:.1f}–{r.end_s:.1f} s", "num span2"),
            ("peak", _fmt(r.peak_abduction_deg, 0, "°"), "num"),
            ("lift", _fmt(r.lift_s, 1, " s"), "num"),
            ("hold", _fmt(r.hold_s, 1, " s"), "num"),
            ("lower", _fmt(r.lower_s, 1, " s"), "num"),
            ("verdict", _chips(r.faults, r.shaking), "wide"),
            ("cue", _cues(r), "wide"),
        ]
        tds = "".join(f'<td data-label="{k}" class="{c}">{v}</td>' for k, v, c in cells)
        rows.append(f'<tr class="{cls}">{tds}</tr>')
    head = "".join(f"<th>{h}</th>" for h in
                   ("#", "time", "peak", "lift", "hold", "lower", "verdict", "cue"))
    return (f'<div class="tablewrap"><table class="reps"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def _key_frames(s: SetResult, si: int, frames: Mapping[tuple[int, int], bytes]) -> str:
    items = []
    for r in s.reps:
        jpeg = frames.get((si, r.index))
        if jpeg is None:
            continue
        b64 = base64.b64encode(jpeg).decode("ascii")
        verdict = "good" if r.good else ", ".join(fault_label(f) for f in r.faults)
        alt = f"Rep {r.index} at its peak, {r.peak_abduction_deg:.0f} degrees: {verdict}"
        items.append(
            f'<figure class="{"good" if r.good else "bad"}">'
            f'<img src="data:image/jpeg;base64,{b64}" alt="{escape(alt)}">'
            f"<figcaption><b>Rep {r.index}</b> · {r.peak_abduction_deg:.0f}° at "
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
) -> str:
    """The report page. ``figures``: one :class:`SetFigures` per set of ``analysis``;
    ``key_frames``: JPEG bytes per ``(set, rep)`` (1-based); ``video_file``: the annotated
    video's file name beside the HTML (a player is shown; it loads only when played), with
    ``video_poster`` (JPEG bytes) shown before playing; ``data_files``: CSV/JSON file names
    to link."""
    rcfg = report_config or ReportConfig()
    headline = overall_headline(analysis)
    v = analysis.video
    meta = " · ".join([title]
                      + ([f"{v.duration_s:.1f} s"] if v.duration_s > 0 else [])
                      + ([f"{v.frames} frames"] if v.frames > 0 else []))
    sides = "".join(
        f'<div class="side"><b>{good}/{total}</b>good reps · {escape(leg)} leg</div>'
        for leg, (good, total) in side_summaries(analysis).items()
    )
    body: list[str] = []
    if analysis.warnings:
        notes = "".join(f"<p>{escape(w)}</p>" for w in analysis.warnings)
        body.append(f'<div class="notes"><b>Notes</b>{notes}</div>')
    multi = len(analysis.sets) > 1
    for si, s in enumerate(analysis.sets, start=1):
        fig = figures[si - 1] if si - 1 < len(figures) else SetFigures()
        name = f"Set {si} · {s.working_leg} leg" if multi else f"{s.working_leg.capitalize()} leg"
        good, total = s.good_reps, len(s.reps)
        body.append(
            f'<section class="set" id="set-{si}"><h2>{escape(name)}</h2>'
            f'<p class="headline"><b>{escape(set_headline(s))}</b></p>'
            f"{_set_stats(s, settings)}"
            + _chart(fig.angle, "Hip abduction", "phases shaded · faults marked")
            + _chart(fig.tempo, "Tempo per rep", "lift · hold 2 s · lower 2× lift")
            + _chart(fig.posture, "Foot rotation and trunk side-bend", "dots: each rep's value")
            + f"<h3>Reps ({good} good of {total})</h3>{_rep_table(s)}"
            + _key_frames(s, si, key_frames)
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
        body.append('<section class="block"><h2>Data</h2><p>Per-frame kinematics and per-rep '
                    f'metrics for your physiotherapist:</p><p class="files">{links}</p></section>')
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
