"""Suministro: deliverables and the chain direccionamiento → programación → entrega →
reporte de entrega → facturación, and the MIPRES-compatible web services.

Not built yet: see the supply and web-service issues. It is the top layer (DESIGN.md §2)
and is added to INSTALLED_APPS when it gets its first model.
"""
