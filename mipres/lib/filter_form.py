"""A GET filter form written out in Python: the worklists and consultas show one on every
request, and Django's widget templates plus crispy's field templates cost 10–40 ms a
request there, more than every query of the page. The markup is crispy's bootstrap5 pack
(label, control, `is-invalid` and the message under the field, `aria-describedby`; a
required field's `requiredField` label with its asterisk and its control's `required`), so
the pages, their tests and the browser journeys see the same form.

Every value written is escaped.
"""

from collections.abc import Iterable, Sequence
from functools import lru_cache

from django import forms
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

# A layout: rows of (field name, Bootstrap column width).
Layout = Sequence[Sequence[tuple[str, int]]]


def _select(bound, css: str, aria: str, required: str) -> str:
    current = bound.value()
    current = "" if current is None else str(current)
    options = []
    for value, label in bound.field.choices:
        value = "" if value is None else str(value)
        selected = " selected" if value == current else ""
        options.append(f'<option value="{escape(value)}"{selected}>{escape(label)}</option>')
    return (
        f'<select name="{bound.html_name}" class="select form-select{css}"{required} '
        f'id="{bound.auto_id}"{aria}>{"".join(options)}</select>'
    )


def _input(bound, css: str, aria: str, required: str) -> str:
    widget = bound.field.widget
    kind = "date" if isinstance(widget, forms.DateInput) else widget.input_type
    value = bound.value()
    if value is None:
        value = ""
    elif hasattr(value, "strftime"):
        value = value.strftime("%Y-%m-%d")
    length = getattr(bound.field, "max_length", None)
    maxlength = f' maxlength="{length}"' if length else ""
    return (
        f'<input type="{kind}" name="{bound.html_name}" value="{escape(value)}" '
        f'class="{kind}input form-control{css}"{maxlength}{required} id="{bound.auto_id}"{aria}>'
    )


def field_html(bound) -> str:
    """One field: its label, its control and, when invalid, its messages."""
    errors = bound.errors
    css = " is-invalid" if errors else ""
    field = bound.field
    error_id, help_id = f"{bound.auto_id}_error", f"{bound.auto_id}_helptext"
    described = " ".join([*([help_id] if field.help_text else []), *([error_id] if errors else [])])
    aria = ' aria-invalid="true"' if errors else ""
    if described:
        aria += f' aria-describedby="{described}"'

    label_css, asterisk, required = "", "", ""
    if field.required:
        # As crispy: the label marks every required field; the control gets `required` when
        # Django's widget would write it (a select only when its first option is empty).
        label_css, asterisk = " requiredField", '<span class="asteriskField">*</span>'
        if bound.form.use_required_attribute and field.widget.use_required_attribute(bound.initial):
            required = " required"
    render = _select if isinstance(field.widget, forms.Select) else _input
    control = render(bound, css, aria, required)
    feedback = ""
    if errors:
        messages = "".join(f"<span><strong>{escape(error)}</strong></span>" for error in errors)
        feedback = f'<div id="{error_id}" class="invalid-feedback">{messages}</div>'
    if field.help_text:  # after the errors, as crispy writes it
        feedback += f'<div id="{help_id}" class="form-text">{escape(field.help_text)}</div>'
    return (
        f'<div id="div_{bound.auto_id}" class="mb-3">'
        f'<label for="{bound.auto_id}" class="form-label{label_css}">'
        f"{escape(bound.label)}{asterisk}</label>"
        f"{control}{feedback}</div>"
    )


def filter_form_html(
    form: forms.Form,
    layout: Layout,
    *,
    submit: str,
    hidden: Iterable[tuple[str, str]] = (),
) -> SafeString:
    """The whole `<form method="get">`: each layout row a Bootstrap row, the submit button
    closing the last one, and `hidden` (name, value) pairs kept across searches."""
    rows = []
    for number, fields in enumerate(layout, start=1):
        cells = [
            f'<div class="col-md-{width}">{field_html(form[name])}</div>'
            for name, width in fields
            if name in form.fields
        ]
        if number == len(layout):
            cells.append(
                '<div class="col-md-auto d-flex align-items-end mb-3">'
                f'<button class="btn btn-primary" type="submit">{escape(submit)}</button></div>'
            )
        rows.append(f'<div class="row">{"".join(cells)}</div>')
    kept = "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
        for name, value in hidden
    )
    return mark_safe(f'<form method="get" novalidate>{kept}{"".join(rows)}</form>')


def bound_filters(form_class, request, **kwargs) -> tuple:
    """A worklist's filters and its filter form's HTML, for a form class with
    `filters_class`, `filters()` and `html()` built as `form_class(data, **kwargs)`. Without
    filters in the address (the usual request) no form is built: its HTML depends only on
    the language and `kwargs` (hashable) and is written once per process for each (building
    and writing the form cost ~1 ms, a third of a worklist's own work)."""
    if not any(request.GET.get(name) for name in form_class.base_fields):
        key = tuple(sorted(kwargs.items()))
        return form_class.filters_class(), _unbound_html(form_class, get_language(), key)
    form = form_class(request.GET, **kwargs)
    return form.filters(), form.html()


@lru_cache(maxsize=256)
def _unbound_html(form_class, language: str, kwargs: tuple) -> SafeString:
    """`language` keys the cache: the form's words are in the active one."""
    return form_class(None, **dict(kwargs)).html()
