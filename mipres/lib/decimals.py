"""Decimals written for people and programs: plain notation (never `1.8E+2`), no trailing
zeros. Forms, exports and the web services all write them through `plain`."""

from decimal import Decimal


def plain(value: Decimal | int) -> str:
    """`Decimal("1.8E+2")` → "180", `Decimal("2.500")` → "2.5", `Decimal("-0.000")` → "0"."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def spreadsheet(value: Decimal | int) -> str:
    """As a Colombian (es-CO) spreadsheet reads a number in a `;`-separated CSV: a decimal
    comma and no thousands separator ("20,5", "20000")."""
    return plain(value).replace(".", ",")
