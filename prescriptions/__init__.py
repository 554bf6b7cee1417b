"""Prescripción: catalogs, patients and affiliation (BDUA mirror), Prescription and its
technology lines, Junta de Profesionales, novedades and tutelas.

Not built yet: see the prescription issue. It sits above `accounts` and below `supply`
(DESIGN.md §2) and is added to INSTALLED_APPS when it gets its first model.
"""
