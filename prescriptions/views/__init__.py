"""Views of the prescription module (STYLE R3), one module per concern."""
