"""Suministro: deliverables and the chain direccionamiento → programación → entrega →
reporte de entrega → facturación (seed 004, DESIGN.md §3 supply and §4).

The top layer (DESIGN.md §2): it reads prescriptions and entities, nothing reads it. Every
operation is a service function (supply.services) that the browser views and the web
services share.
"""
