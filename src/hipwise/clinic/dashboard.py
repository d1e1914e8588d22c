"""Server-rendered HTML of the therapist's dashboard: pure functions from records to strings.
Every value from the database is escaped."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from hipwise.clinic.flags import Flag, SessionRow
from hipwise.clinic.prescription import Prescription
from hipwise.clinic.service import PatientSummary
from hipwise.contract import Analysis
from hipwise.report.html import overall_headline
from hipwise.store.records import PersonData

__all__ = ["login_page", "patient_page", "patients_page", "recording_page"]

_CSS = """
body{font-family:system-ui,sans-serif;margin:0;background:#f5f6f8;color:#1d2330}
header{background:#24303f;color:#fff;padding:.7rem 1.2rem;display:flex;gap:1rem;
align-items:center}header a{color:#fff}header form{margin-left:auto}
main{padding:1rem 1.2rem;max-width:70rem}table{border-collapse:collapse;width:100%;
background:#fff}th,td{padding:.35rem .6rem;border-bottom:1px solid #e1e4ea;text-align:left}
.flag{display:inline-block;background:#fde2e1;color:#8a1c17;border-radius:.6rem;
padding:.05rem .5rem;margin:.1rem;font-size:.85rem}.ok{color:#2d6a31}
.err{color:#8a1c17}fieldset{background:#fff;border:1px solid #d5d9e0;margin:1rem 0}
label{display:inline-block;margin:.3rem .8rem .3rem 0}input,select{margin-left:.3rem}
svg{background:#fff;border:1px solid #e1e4ea}
"""


def _page(title: str, body: str, user: str | None = None) -> str:
    nav = ""
    if user is not None:
        nav = (f'<a href="/dashboard">Patients</a><span>{escape(user)}</span>'
               '<form method="post" action="/logout"><button>Log out</button></form>')
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{escape(title)}"
            f" - hipwise clinic</title><meta name=viewport content='width=device-width'>"
            f"<style>{_CSS}</style></head><body><header><b>hipwise clinic</b>{nav}</header>"
            f"<main>{body}</main></body></html>")


def login_page(error: str | None = None) -> str:
    """The login form."""
    msg = f'<p class=err role=alert>{escape(error)}</p>' if error else ""
    return _page("Log in", f"""<h1>Log in</h1>{msg}
<form method=post action=/login><label>Username<input name=username autocomplete=username
required></label><label>Password<input name=password type=password
autocomplete=current-password required></label><button type=submit>Log in</button></form>""")


def _flags(flags: Sequence[Flag]) -> str:
    if not flags:
        return '<span class=ok>no flags</span>'
    return "".join(f'<span class=flag data-flag="{escape(f.kind)}">{escape(f.message)}</span>'
                   for f in flags)


def patients_page(user: str, patients: Sequence[PatientSummary]) -> str:
    """The list of patients, flagged first."""
    rows = "".join(
        f"<tr data-patient='{p.person_id}'><td><a href='/dashboard/patients/{p.person_id}'>"
        f"{escape(p.username)}</a></td><td>{p.sessions}</td><td>"
        f"{p.last_session.strftime('%Y-%m-%d') if p.last_session else '-'}</td>"
        f"<td>{_flags(p.flags)}</td></tr>"
        for p in patients
    )
    body = (f"<h1>Patients ({len(patients)})</h1><table id=patients><thead><tr><th>Patient"
            "</th><th>Sessions</th><th>Last session</th><th>Flags</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")
    return _page("Patients", body, user)


def _spark(values: Sequence[float | None], label: str, unit: str) -> str:
    """A small line chart (inline SVG, 300x60 px) of one value per session."""
    pts = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(pts) < 2:
        return ""
    lo = min(v for _, v in pts)
    hi = max(v for _, v in pts)
    span = (hi - lo) or 1.0
    n = max(len(values) - 1, 1)
    coords = " ".join(f"{5 + 290 * i / n:.1f},{55 - 50 * (v - lo) / span:.1f}" for i, v in pts)
    return (f"<figure><figcaption>{escape(label)}: {lo:.1f}-{hi:.1f} {escape(unit)}"
            f"</figcaption><svg width=300 height=60 role=img aria-label='{escape(label)}'>"
            f"<polyline fill=none stroke='#2f6fb1' stroke-width=2 points='{coords}'/></svg>"
            "</figure>")


def _num(x: float | None, fmt: str = ".1f") -> str:
    return "-" if x is None else format(x, fmt)


def _rx_form(person_id: int, rx: Prescription, saved: bool) -> str:
    def opt(name: str, values: Sequence[str], current: str) -> str:
        return f"<select name={name}>" + "".join(
            f"<option{' selected' if v == current else ''}>{escape(v)}</option>"
            for v in values) + "</select>"

    t = rx.thresholds
    cond = {c: ("checked" if c in rx.conditions else "")
            for c in ("trochanteric_bursitis", "hip_labral_tear")}
    note = "<p class=ok role=status>Prescription saved.</p>" if saved else ""
    return f"""<form id=prescription method=post
action="/dashboard/patients/{person_id}/prescription"><fieldset><legend>Prescription</legend>
{note}<label>Variation {opt("variation", ("leg_lift", "wall_slide", "clamshell",
"isometric_hold", "isometric_circles"), rx.variation)}</label>
<label>Sets per side<input name=sets_per_side type=number min=1 max=10
value={rx.sets_per_side}></label>
<label>Reps per set<input name=reps_per_set type=number min=1 max=50
value={rx.reps_per_set}></label>
<label>Sessions a week<input name=sessions_per_week type=number min=1 max=14
value={rx.sessions_per_week}></label>
<label>Progression {opt("progression", ("auto", "hold", "regress"), rx.progression)}</label><br>
<label><input type=checkbox name=conditions value=trochanteric_bursitis
{cond["trochanteric_bursitis"]}> trochanteric bursitis</label>
<label><input type=checkbox name=conditions value=hip_labral_tear
{cond["hip_labral_tear"]}> hip labral tear</label><br>
<label>Max abduction (deg)<input name=max_abduction_deg type=number step=any min=10 max=90
value={t.max_abduction_deg:g}></label>
<label>Min hold (s)<input name=min_hold_s type=number step=any min=0 max=30
value={t.min_hold_s:g}></label>
<label>Min lift (s)<input name=min_lift_s type=number step=any min=0 max=10
value={t.min_lift_s:g}></label><br>
<label>Note<input name=note maxlength=500 size=60 value="{escape(rx.note)}"></label>
<button type=submit>Save prescription</button></fieldset></form>"""


def patient_page(
    user: str, data: PersonData, rows: Sequence[SessionRow], flags: Sequence[Flag],
    rx: Prescription | None, *, saved: bool = False, error: str | None = None,
) -> str:
    """One patient: flags, trends, sessions with their reports, self-reports, prescription."""
    pid = data.person.id
    trs = "".join(
        f"<tr><td>{r.started_at:%Y-%m-%d %H:%M}</td><td>{r.reps}</td><td>{r.good_reps}</td>"
        f"<td>{escape(', '.join(f'{k} x{v}' for k, v in r.faults.items()) or '-')}</td>"
        f"<td>{_num(r.peak_abduction_deg, '.0f')}</td><td>{_num(r.lift_s)}/{_num(r.hold_s)}/"
        f"{_num(r.lower_s)}</td><td>{escape(', '.join(r.feelings) or '-')}</td><td>"
        + " ".join(f"<a href='/dashboard/patients/{pid}/recordings/{rid}'>report {rid}</a>"
                   for rid in r.recording_ids)
        + "</td></tr>"
        for r in reversed(rows)
    )
    reports = "".join(
        f"<li>{s.recorded_at:%Y-%m-%d}: {escape(', '.join(s.feelings))}"
        f"{(' - ' + escape(s.note)) if s.note else ''}</li>"
        for s in reversed(data.self_reports)
    ) or "<li>none</li>"
    err = f"<p class=err role=alert>{escape(error)}</p>" if error else ""
    trends = (_spark([r.good_share * 100 if r.good_share is not None else None for r in rows],
                     "good reps", "%")
              + _spark([r.peak_abduction_deg for r in rows], "peak abduction", "deg")
              + _spark([r.hold_s for r in rows], "hold time", "s"))
    body = (f"<h1>{escape(data.person.name)}</h1><p id=flags>{_flags(flags)}</p>{err}"
            + _rx_form(pid, rx or Prescription(), saved)
            + f"<h2>Trends</h2><div style='display:flex;gap:1rem'>{trends or 'too few sessions'}"
            "</div><h2>Sessions</h2><table id=sessions><thead><tr><th>When</th><th>Reps</th>"
            "<th>Good</th><th>Faults</th><th>Peak (deg)</th><th>Lift/hold/lower (s)</th>"
            f"<th>Felt</th><th>Report</th></tr></thead><tbody>{trs}</tbody></table>"
            f"<h2>Where they felt it</h2><ul>{reports}</ul>")
    return _page(data.person.name, body, user)


def recording_page(user: str | None, person: str, recording_id: int, analysis: Analysis) -> str:
    """A session's hipwise report from the stored analysis: the headline and every rep."""
    parts = [f"<h1>{escape(person)}: recording {recording_id}</h1>"
             f"<p id=headline>{escape(overall_headline(analysis))}</p>"
             f"<p>{analysis.video.duration_s:.1f} s, hipwise "
             f"{escape(analysis.hipwise_version or '?')}</p>"]
    for i, s in enumerate(analysis.sets, start=1):
        rows = "".join(
            f"<tr><td>{r.index}</td><td>{r.peak_abduction_deg:.0f}</td><td>{r.lift_s:.1f}</td>"
            f"<td>{r.hold_s:.1f}</td><td>{r.lower_s:.1f}</td>"
            f"<td>{'good' if r.good else escape(', '.join(r.faults))}</td></tr>"
            for r in s.reps
        )
        parts.append(
            f"<h2>Set {i}: {escape(s.working_leg)} leg, {escape(s.variation or 'leg_lift')}, "
            f"{s.good_reps}/{len(s.reps)} good</h2><table><thead><tr><th>Rep</th><th>Peak (deg)"
            "</th><th>Lift (s)</th><th>Hold (s)</th><th>Lower (s)</th><th>Verdict</th></tr>"
            f"</thead><tbody>{rows}</tbody></table>")
    if analysis.warnings:
        parts.append("<h2>Warnings</h2><ul>" + "".join(
            f"<li>{escape(w)}</li>" for w in analysis.warnings) + "</ul>")
    return _page(f"{person} recording {recording_id}", "".join(parts), user)
