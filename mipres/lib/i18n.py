"""One flat catalog for the site's language.

The interface is written in Spanish, so our own `gettext` calls look up Spanish msgids that
no catalog holds (they are their own translation). Django builds the es-CO translation as
the merged es_CO catalogs plus a chain of fallback catalogs (each app's `es` catalog), and
a lookup that misses walks the whole chain, one `GNUTranslations.gettext` call per link:
about 15 µs a miss against 3 µs a hit, and a worklist makes 60 lookups a request.
`flatten_fallbacks` appends the fallback catalogs to the translation's own list of catalogs,
in the same order, and drops the chain: every lookup answers what it answered before (a
test compares every msgid of every catalog) in one pass.
"""

from django.conf import settings
from django.utils.translation import trans_real


def flatten_fallbacks(translation) -> bool:
    """Fold `translation`'s fallback chain into its catalog list; False (nothing changed)
    when Django's translation objects are not shaped as this expects."""
    catalog = getattr(translation, "_catalog", None)
    if not isinstance(catalog, trans_real.TranslationCatalog) or not hasattr(catalog, "_catalogs"):
        return False
    chain = []
    link = translation._fallback
    while link is not None:
        if not isinstance(link._catalog if hasattr(link, "_catalog") else None, dict):
            break  # NullTranslations (or something else): it ends the chain
        chain.append(link)
        link = link._fallback
    if link is not None and type(link).__name__ != "NullTranslations":
        return False
    for fallback in chain:
        catalog._catalogs.append(fallback._catalog)
        catalog._plurals.append(fallback.plural)
    translation._fallback = link
    return True


def flatten_site_language() -> None:
    """Build the site language's translation now and flatten it (AppConfig.ready)."""
    flatten_fallbacks(trans_real.translation(settings.LANGUAGE_CODE))
