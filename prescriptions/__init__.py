"""Prescripción: catalogs, patients and affiliation (BDUA mirror), Prescription and its
technology lines, Junta de Profesionales, novedades and tutelas. It sits above `accounts`
and below `supply` (DESIGN.md §2)."""
