"""locale/es_CO: the interface's own msgids, each its own translation (`make messages`), so a
lookup ends in the site's catalog instead of walking Django's fallback catalogs; the catalog
changes no answer Django's own catalogs would give."""

import gettext
import re

from django.conf import settings
from django.test import override_settings
from django.utils import translation
from django.utils.translation import trans_real

CATALOG = settings.BASE_DIR / "locale" / "es_CO" / "LC_MESSAGES" / "django.mo"
MANUAL = settings.BASE_DIR / "locale" / "es_CO" / "manual.po"


def _ours() -> dict:
    with CATALOG.open("rb") as mo:
        return {k: v for k, v in gettext.GNUTranslations(mo)._catalog.items() if k}


def test_our_msgids_are_in_the_site_catalog():
    ours = _ours()
    assert len(ours) > 1000
    for msgid in ("Por programar", "Tipo de documento", "Número de documento"):
        assert ours[msgid] == msgid
    with translation.override(settings.LANGUAGE_CODE):
        assert translation.gettext("- Select an option -") == "- Seleccione una opción -"


def test_the_catalog_changes_no_answer_of_djangos_own_catalogs():
    with override_settings(LOCALE_PATHS=[]):
        without = trans_real.DjangoTranslation(settings.LANGUAGE_CODE)
    # What Django 6.1 and django-axes ship untranslated (locale/es_CO/manual.po).
    manual = set(re.findall(r'^msgid "(.+)"$', MANUAL.read_text(), re.MULTILINE))
    assert "- Select an option -" in manual
    for key, value in _ours().items():
        if isinstance(key, tuple):  # (msgid, plural form): the singular form is the msgid
            assert key[1] != 0 or value == key[0], key
        elif key not in manual:
            assert value == key, key  # its own translation
            assert without.gettext(key) == key, key  # which no other catalog contradicts
