"""The prescription module's part of the demo world (see accounts/demo.py): the starter
catalogs, patients with affiliations in both régimens, and prescriptions in every state.
`seed_demo` calls `seed(world)` after the entities and people exist."""

from .catalogs import load_starter_catalogs
from .demo_patients import patient_credentials, seed_demo_patients
from .demo_prescriptions import seed_demo_prescriptions


def seed(world: dict) -> None:
    load_starter_catalogs()
    world["patients"] = seed_demo_patients()
    seed_demo_prescriptions()


def credentials() -> dict:
    return {"patients": patient_credentials()}
