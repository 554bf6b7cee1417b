"""NIT as people type it."""


def normalize_nit(value: str) -> str:
    """'800.123.456-7' → '800123456': MIPRES identifies entities by the NIT without its
    check digit (the web services take it so too)."""
    return value.strip().split("-")[0].replace(".", "").replace(" ", "")
