"""The prescription module's part of the demo world (see accounts/demo.py): the starter
catalogs, patients with affiliations in both régimens. `seed_demo` calls `seed(world)`
after the entities and people exist."""

from .catalogs import load_starter_catalogs
from .demo_patients import patient_credentials, seed_demo_patients


def seed(world: dict) -> None:
    load_starter_catalogs()
    world["patients"] = seed_demo_patients()


def credentials() -> dict:
    return {"patients": patient_credentials()}
