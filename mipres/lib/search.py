"""Accent- and case-insensitive name search, without PostgreSQL's unaccent extension (a
managed server may not offer it)."""

import unicodedata

from django.db.models import Value
from django.db.models.functions import Lower, Replace

# Accented letters a Spanish name may carry, and what a search folds them to. Both cases are
# listed because LOWER() under the C collation only lowercases ASCII letters.
_ACCENT_FOLDS = {
    "á": "a",
    "é": "e",
    "í": "i",
    "ó": "o",
    "ú": "u",
    "ü": "u",
    "ñ": "n",
    "Á": "a",
    "É": "e",
    "Í": "i",
    "Ó": "o",
    "Ú": "u",
    "Ü": "u",
    "Ñ": "n",
}


def fold(text: str) -> str:
    """'Muñoz Gómez' → 'munoz gomez': lower case, without accents (for searching)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def folded(expression):
    """The database side of `fold`, with plain REPLACE calls (no unaccent extension
    needed)."""
    for accented, plain in _ACCENT_FOLDS.items():
        expression = Replace(expression, Value(accented), Value(plain))
    return Lower(expression)
