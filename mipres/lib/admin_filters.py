"""Admin filters titled in Spanish where the model field has no verbose name of its own."""

from django.contrib import admin


def titled(title):
    """A related-field filter whose heading is «Por <title>»."""

    class TitledFilter(admin.RelatedFieldListFilter):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return TitledFilter
