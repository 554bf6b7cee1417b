"""A choices enum's labels in the active language, as a dict: a page takes it once and
looks each row's label up, rather than translating the same few labels once per row."""


def choice_labels(enum) -> dict:
    """`enum`'s values and their labels in the current language."""
    return {value: str(label) for value, label in enum.choices}
