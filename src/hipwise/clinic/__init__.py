"""Clinics: ``hipwise serve``, a FastAPI app where therapists follow their patients.

Adapters around the core and the store: accounts and tokens (:mod:`.auth`), clinic queries and
patient flags (:mod:`.service`), uploads checked by content (:mod:`.uploads`), the video
analysis task on Celery + Redis (:mod:`.tasks`, :mod:`.jobs`), FHIR R4 export (:mod:`.fhir`),
the therapist's dashboard (:mod:`.dashboard`) and the HTTP API (:mod:`.app`). See
docs/clinic.md.
"""
