"""Forms of the prescription module (STYLE R11), one module per concern."""

# Patients (Admisión).
from .patients import PatientFilterForm, PatientForm, PatientSearchForm

__all__ = ["PatientFilterForm", "PatientForm", "PatientSearchForm"]
