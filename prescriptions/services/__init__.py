"""Every write of the prescription module (STYLE R4), one module per concern."""

# Patients (Admisión) and their affiliation (BDUA import).
from .affiliations import BDUA_COLUMNS, AffiliationImportReport, affiliation_import
from .patients import patient_register, patient_update

__all__ = [
    "BDUA_COLUMNS",
    "AffiliationImportReport",
    "affiliation_import",
    "patient_register",
    "patient_update",
]
