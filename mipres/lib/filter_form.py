"""A GET filter form from one Jinja2 template (templates/jinja2/filter_form.html) in crispy's
bootstrap5 markup: the worklists show one on every request, where Django's widget templates
plus crispy's field templates cost 10–40 ms a request. The pages, their tests and the browser
journeys see the same form as crispy writes it."""

import hashlib
from collections.abc import Iterable, Sequence

from django import forms
from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from mipres.jinja_env import render_fragment

# A layout: rows of (field name, Bootstrap column width).
Layout = Sequence[Sequence[tuple[str, int]]]
# Seconds an empty filter form's HTML stays cached (a deploy that changes its template shows
# the old form at most this long).
UNBOUND_FORM_SECONDS = 300


def _field(bound) -> dict:
    """What the template writes of one field: its control's kind, value and options, whether
    it is required (as crispy marks it), its messages and help."""
    field, widget = bound.field, bound.field.widget
    value = bound.value()
    if value is None:
        value = ""
    elif hasattr(value, "strftime"):
        value = value.strftime("%Y-%m-%d")
    options = None
    if isinstance(widget, forms.Select):
        options = [("" if v is None else str(v), label) for v, label in field.choices]
    errors = bound.errors
    help_id, error_id = f"{bound.auto_id}_helptext", f"{bound.auto_id}_error"
    return {
        "id": bound.auto_id,
        "name": bound.html_name,
        "label": bound.label,
        "kind": "date"
        if isinstance(widget, forms.DateInput)
        else getattr(widget, "input_type", ""),
        "value": str(value),
        "options": options,
        "maxlength": getattr(field, "max_length", None),
        # As crispy: the label marks every required field; the control gets `required` when
        # Django's widget would write it (a select only when its first option is empty).
        "required_mark": field.required,
        "required": field.required
        and bound.form.use_required_attribute
        and widget.use_required_attribute(bound.initial),
        "errors": errors,
        "help_text": field.help_text,
        "described": " ".join(
            [*([help_id] if field.help_text else []), *([error_id] if errors else [])]
        ),
    }


def filter_form_html(
    form: forms.Form,
    layout: Layout,
    *,
    submit: str,
    hidden: Iterable[tuple[str, str]] = (),
) -> SafeString:
    """The whole `<form method="get">` from templates/jinja2/filter_form.html: each layout
    row a Bootstrap row, the submit button closing the last one, and `hidden` (name, value)
    pairs kept across searches."""
    rows = [
        [(width, _field(form[name])) for name, width in fields if name in form.fields]
        for fields in layout
    ]
    return render_fragment(
        "filter_form.html", {"rows": rows, "hidden": list(hidden), "submit": submit}
    )


def bound_filters(form_class, request, **kwargs) -> tuple:
    """A worklist's filters and its filter form's HTML, for a form class with
    `filters_class`, `filters()` and `html()` built as `form_class(data, **kwargs)`. Without
    filters in the address (the usual request) no form is built: its HTML depends only on
    the language and `kwargs` (hashable), and is kept in Django's cache under them for
    UNBOUND_FORM_SECONDS (building and writing the form cost ~1 ms, a third of a worklist's
    own work)."""
    if not any(request.GET.get(name) for name in form_class.base_fields):
        key = (
            form_class.__module__,
            form_class.__qualname__,
            get_language(),
            sorted(kwargs.items()),
        )
        html = cache.get_or_set(
            f"filter-form:{hashlib.sha256(repr(key).encode()).hexdigest()}",
            lambda: str(form_class(None, **kwargs).html()),
            UNBOUND_FORM_SECONDS,
        )
        return form_class.filters_class(), mark_safe(html)
    form = form_class(request.GET, **kwargs)
    return form.filters(), form.html()
