"""mipres.lib.i18n: the flattened site translation answers every lookup as Django's own
chain of fallback catalogs does."""

from django.conf import settings
from django.utils.translation import trans_real

from mipres.lib.i18n import flatten_fallbacks


def _all_keys(translation):
    keys = set(translation._catalog.keys())
    link = translation._fallback
    while link is not None and isinstance(getattr(link, "_catalog", None), dict):
        keys.update(link._catalog)
        link = link._fallback
    return keys


def test_the_site_translation_is_flat_and_answers_as_the_chain_does():
    flat = trans_real.translation(settings.LANGUAGE_CODE)
    assert flat._fallback is None  # flattened when the apps were ready
    chained = trans_real.DjangoTranslation(settings.LANGUAGE_CODE)  # Django's own, unflattened
    assert chained._fallback is not None
    keys = _all_keys(chained)
    singulars = [key for key in keys if isinstance(key, str) and key]
    plurals = {key[0] for key in keys if isinstance(key, tuple)}
    assert len(singulars) > 500 and len(plurals) > 10
    for msgid in singulars:
        assert flat.gettext(msgid) == chained.gettext(msgid), msgid
    for msgid in plurals:
        for n in (0, 1, 2, 5):
            assert flat.ngettext(msgid, msgid + "s", n) == chained.ngettext(msgid, msgid + "s", n)
    # Our own Spanish msgids answer themselves; Django's messages keep es-CO's wording.
    assert flat.gettext("Por programar") == "Por programar"
    assert flat.gettext("Enter a valid value.") == "Ingrese un valor válido."
    assert flat.gettext("This field is required.") == "Este campo es obligatorio."


def test_an_unknown_shape_is_left_alone():
    class Plain:
        _catalog = {}
        _fallback = None

    assert flatten_fallbacks(Plain()) is False
