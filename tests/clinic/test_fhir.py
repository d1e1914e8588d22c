"""FHIR export: Observations per session built with fhir.resources (R4B), LOINC where it has
a code, the hipwise CodeSystem otherwise, per patient (Bundle) and in bulk (NDJSON)."""

from __future__ import annotations

import json
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation

from hipwise.clinic.fhir import CODE_SYSTEM, CODES, code_system
from tests.clinic.conftest import Clinic


def test_patient_bundle_has_every_measure_of_each_session(shared_clinic: Clinic) -> None:
    c = shared_clinic
    r = c.client.get(f"/api/patients/{c.people['p1']}/fhir", headers=c.auth("t1"))
    assert r.status_code == 200 and r.headers["content-type"] == "application/fhir+json"
    bundle = Bundle.model_validate(r.json())  # validates every resource again
    assert bundle.entry is not None
    resources = [e.resource for e in bundle.entry]
    assert resources[0] is not None and resources[0].get_resource_type() == "Patient"
    assert all(isinstance(o, Observation) for o in resources[1:])
    # the Observation fields are optional in the model: read them untyped
    obs: dict[str, Any] = {o.id: o for o in resources[1:] if o is not None and o.id}
    sid = next(iter(obs)).split("-")[1]
    by_code = {o.code.coding[0].code: o for o in obs.values() if o.id.startswith(f"hw-{sid}-")}
    # make_analysis: 3 reps, the last with hip_hike; peak 25, 26, 27 deg; 1.5/2/3 s; 60 s
    assert by_code["reps"].valueQuantity.value == 3
    assert by_code["good-reps"].valueQuantity.value == 2
    assert by_code["peak-abduction"].valueQuantity.value == 26.0
    assert by_code["peak-abduction"].valueQuantity.code == "deg"
    assert [by_code[k].valueQuantity.value for k in ("lift-time", "hold-time", "lower-time")] \
        == [1.5, 2.0, 3.0]
    assert by_code["55411-3"].code.coding[0].system == "http://loinc.org"
    assert by_code["55411-3"].valueQuantity.value == 1.0  # 60 s = 1 min
    faults = by_code["faults"]
    assert faults.valueQuantity.value == 1
    assert [(x.code.coding[0].code, x.valueQuantity.value) for x in faults.component] == [
        ("fault-hip_hike", 1)]
    for o in obs.values():
        assert o.subject.reference == f"Patient/hipwise-{c.people['p1']}"
        assert o.status == "final" and o.category[0].coding[0].code == "activity"
        for coding in o.code.coding:
            assert coding.system == "http://loinc.org" or coding.code in CODES


def test_bulk_ndjson_is_one_valid_resource_per_line(shared_clinic: Clinic) -> None:
    c = shared_clinic
    r = c.client.get("/api/fhir/export.ndjson", headers=c.auth("admin"))
    assert r.headers["content-type"].startswith("application/fhir+ndjson")
    lines = r.text.splitlines()
    kinds = [json.loads(line)["resourceType"] for line in lines]
    assert kinds.count("Patient") == 2 and kinds.count("Observation") == 2 * 8
    for line in lines:
        if '"Observation"' in line:
            Observation.model_validate_json(line)


def test_the_code_system_defines_every_hipwise_code() -> None:
    cs = code_system()
    assert cs.url == CODE_SYSTEM
    assert cs.concept is not None
    assert {c.code for c in cs.concept} == set(CODES)
    assert {"reps", "good-reps", "peak-abduction", "fault-toes_up"} <= set(CODES)
