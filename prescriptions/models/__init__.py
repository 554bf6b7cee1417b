"""The prescription module's models, one module per concern (STYLE R1)."""
