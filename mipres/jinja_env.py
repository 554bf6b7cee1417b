"""The Jinja2 environment of the hot pages' templates (templates/jinja2/, docs/architecture.md):
Django's translations, URLs and the few filters those templates use, with autoescape on
(Django's Jinja2 backend turns it on)."""

from django.template import engines
from django.template.defaultfilters import floatformat, linebreaksbr
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from jinja2 import Environment


def localtime(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A datetime in the current time zone, as `|date:"Y-m-d H:i"` writes it."""
    return timezone.localtime(value).strftime(fmt)


def quantity(value) -> str:
    """A quantity without trailing zeros in the locale's notation (30, 2,5)."""
    return localize(value.normalize())


def display(instance, name: str) -> str:
    """`instance.get_<name>_display()`, without Django's copy of the field's choices made
    hashable at each call (every label translated to hash it: ~70 µs a call)."""
    value = getattr(instance, name)
    return str(dict(instance._meta.get_field(name).flatchoices).get(value, value))


def url(name: str, *args) -> str:
    return reverse(name, args=args)


def environment(**options) -> Environment:
    env = Environment(extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the i18n extension
        translation.gettext, translation.ngettext, newstyle=True
    )
    env.globals.update(static=static, url=url)
    env.filters.update(
        display=display,
        floatformat=floatformat,
        linebreaksbr=linebreaksbr,
        localize=localize,
        localtime=localtime,
        quantity=quantity,
    )
    return env


def render_fragment(template_name: str, context: dict) -> SafeString:
    """A hot page's fragment (rows, a filter form, the timeline) from its Jinja2 template,
    ready to place in the page's Django template: safe, because autoescape escaped every
    value the template wrote."""
    html = engines["jinja2"].get_template(template_name).render(context)
    return mark_safe(html)
