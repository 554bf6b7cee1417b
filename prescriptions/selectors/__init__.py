"""Scoped reads of the prescription module (STYLE R5), one module per concern."""

# Patients and who pays for them.
from .patients import (
    Payer,
    affiliation_list,
    patient_find,
    patient_get,
    patient_list_for_entity,
    patient_search,
    payer_for,
    territorial_payer_for,
)

__all__ = [
    "Payer",
    "affiliation_list",
    "patient_find",
    "patient_get",
    "patient_list_for_entity",
    "patient_search",
    "payer_for",
    "territorial_payer_for",
]
