"""FHIR export of a patient's sessions: Observation resources built and validated with the
``fhir.resources`` models.

Version note: ``fhir.resources`` 8 (the release that runs on pydantic 2) ships FHIR R5,
R4B and STU3 models; hipwise uses **R4B** (``fhir.resources.R4B``), the 2022 technical
correction of R4 whose Patient, Observation and Bundle have the same elements, so the output
is read by R4 servers.

Per session, one Observation per measure (``effectiveDateTime``: the session start), all with
category ``activity``:

=====================  ==============================================  ===================
measure                code                                            value
=====================  ==============================================  ===================
exercise duration      LOINC 55411-3 "Exercise duration"               min
reps                   hipwise ``reps``                                {repetitions}
good reps              hipwise ``good-reps``                           {repetitions}
peak abduction         hipwise ``peak-abduction`` (mean over reps)     deg
lift / hold / lower    hipwise ``lift-time`` / ``hold-time`` /          s
                       ``lower-time`` (means over reps)
faults                 hipwise ``faults`` (total), one component per   {repetitions}
                       fault id (``fault-<id>``, reps with that fault)
=====================  ==============================================  ===================

LOINC has no codes for per-rep leg-lift measures, so those use the hipwise CodeSystem
:data:`CODE_SYSTEM` (its CodeSystem resource: :func:`code_system`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.codesystem import CodeSystem
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient

from hipwise.clinic.flags import SessionRow, session_rows
from hipwise.contract import FAULT_IDS
from hipwise.store.records import PersonData

__all__ = [
    "CODES",
    "CODE_SYSTEM",
    "code_system",
    "observations",
    "patient_bundle",
    "patient_resource",
]

CODE_SYSTEM = "urn:hipwise:fhir:CodeSystem:session-metrics"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
_CATEGORY = {"coding": [{
    "system": "http://terminology.hl7.org/CodeSystem/observation-category",
    "code": "activity", "display": "Activity",
}]}

#: hipwise codes: code -> (display, definition)
CODES: dict[str, tuple[str, str]] = {
    "reps": ("Repetitions", "Side-lying leg lift repetitions counted in the session."),
    "good-reps": ("Good repetitions", "Repetitions without any form fault."),
    "peak-abduction": ("Peak hip abduction", "Mean over the session's reps of the peak hip "
                       "abduction angle, degrees."),
    "lift-time": ("Lift time", "Mean time to raise the leg, seconds."),
    "hold-time": ("Hold time", "Mean time the leg is held at the top, seconds."),
    "lower-time": ("Lower time", "Mean time to lower the leg, seconds."),
    "faults": ("Faulty repetitions", "Fault calls in the session; one component per fault."),
    **{f"fault-{f}": (f"Fault {f}", f"Repetitions with the fault '{f}' (see the hipwise "
                      "docs, docs/engine.md).") for f in FAULT_IDS},
}


def _coding(code: str) -> dict[str, Any]:
    return {"coding": [{"system": CODE_SYSTEM, "code": code, "display": CODES[code][0]}],
            "text": CODES[code][0]}


def _qty(value: float, unit: str, code: str) -> dict[str, Any]:
    return {"value": round(value, 3), "unit": unit, "system": UCUM, "code": code}


def patient_ref(person_id: int) -> str:
    """The Patient reference of a person."""
    return f"Patient/hipwise-{person_id}"


def patient_resource(data: PersonData) -> Patient:
    """The Patient resource (id and the hipwise profile name as identifier)."""
    return Patient.model_validate({
        "resourceType": "Patient", "id": f"hipwise-{data.person.id}",
        "identifier": [{"system": "urn:hipwise:person", "value": data.person.name}],
    })


def _session_observations(person_id: int, row: SessionRow, ended: Any) -> Iterator[Observation]:
    base = {
        "resourceType": "Observation", "status": "final", "category": [_CATEGORY],
        "subject": {"reference": patient_ref(person_id)},
        "effectiveDateTime": row.started_at.isoformat(),
    }
    minutes = max(0.0, (ended - row.started_at).total_seconds() / 60)
    yield Observation.model_validate({
        **base, "id": f"hw-s{row.session_id}-duration",
        "code": {"coding": [{"system": LOINC, "code": "55411-3",
                             "display": "Exercise duration"}], "text": "Exercise duration"},
        "valueQuantity": _qty(minutes, "min", "min"),
    })
    counts = {"reps": row.reps, "good-reps": row.good_reps}
    for code, n in counts.items():
        yield Observation.model_validate({
            **base, "id": f"hw-s{row.session_id}-{code}", "code": _coding(code),
            "valueQuantity": _qty(n, "repetitions", "{repetitions}"),
        })
    means = {"peak-abduction": (row.peak_abduction_deg, "deg", "deg"),
             "lift-time": (row.lift_s, "s", "s"), "hold-time": (row.hold_s, "s", "s"),
             "lower-time": (row.lower_s, "s", "s")}
    for code, (value, unit, ucum) in means.items():
        if value is None:
            continue
        yield Observation.model_validate({
            **base, "id": f"hw-s{row.session_id}-{code}", "code": _coding(code),
            "valueQuantity": _qty(value, unit, ucum),
        })
    yield Observation.model_validate({
        **base, "id": f"hw-s{row.session_id}-faults", "code": _coding("faults"),
        "valueQuantity": _qty(sum(row.faults.values()), "repetitions", "{repetitions}"),
        "component": [
            {"code": _coding(f"fault-{f}"),
             "valueQuantity": _qty(n, "repetitions", "{repetitions}")}
            for f, n in row.faults.items()
        ],
    })


def observations(data: PersonData) -> Iterator[Observation]:
    """Every Observation of the person's sessions, oldest session first."""
    ends = {s.id: s.ended_at for s in data.sessions}
    for row in session_rows(data):
        yield from _session_observations(data.person.id, row, ends[row.session_id])


def patient_bundle(data: PersonData) -> Bundle:
    """A ``collection`` Bundle: the Patient, then the Observations."""
    entries: list[dict[str, Any]] = [{"resource": patient_resource(data)}]
    entries += [{"resource": o} for o in observations(data)]
    return Bundle.model_validate({"resourceType": "Bundle", "type": "collection",
                                  "entry": entries})


def ndjson_lines(data: PersonData) -> Iterator[str]:
    """The person's Patient and Observations as NDJSON lines (each ends with a newline)."""
    yield patient_resource(data).model_dump_json() + "\n"
    for obs in observations(data):
        yield obs.model_dump_json() + "\n"


def code_system() -> CodeSystem:
    """The hipwise CodeSystem resource that defines the non-LOINC codes."""
    return CodeSystem.model_validate({
        "resourceType": "CodeSystem", "id": "hipwise-session-metrics", "url": CODE_SYSTEM,
        "name": "HipwiseSessionMetrics", "status": "active", "content": "complete",
        "description": "Measures of side-lying leg-lift sessions reported by hipwise.",
        "concept": [{"code": c, "display": d, "definition": text}
                    for c, (d, text) in CODES.items()],
    })


def to_json(resource: Any) -> Any:
    """A resource as plain JSON data."""
    return json.loads(resource.model_dump_json())
