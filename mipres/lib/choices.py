"""A choices enum's labels in the active language, translated once per language and
process rather than once per row: a list of 25 or 50 rows would otherwise translate the
same few labels hundreds of times."""

from functools import cache

from django.utils.translation import get_language


@cache
def _labels_in(enum, language: str | None) -> dict:
    return {value: str(label) for value, label in enum.choices}


def choice_labels(enum) -> dict:
    """`enum`'s values and their labels in the current language."""
    return _labels_in(enum, get_language())
