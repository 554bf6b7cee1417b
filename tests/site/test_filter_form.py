"""mipres.lib.filter_form: the filter forms written in Python keep crispy's markup, escape
every value and show each error beside its field."""

import datetime

from django import forms
from django.core.cache import cache

from mipres.lib.filter_form import bound_filters, filter_form_html


class SampleForm(forms.Form):
    number = forms.RegexField(label="Número", regex=r"^\d{3}$", max_length=3, required=False)
    day = forms.DateField(
        label="Desde", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    kind = forms.ChoiceField(
        label="Tipo", choices=[("", "Todos"), ("M", "Medicamento"), ("P", "Procedimiento")]
    )


LAYOUT = [[("number", 3), ("day", 2)], [("kind", 3), ("missing", 2)]]


def test_unbound_form_renders_every_field_with_its_label_and_the_button():
    html = filter_form_html(SampleForm(), LAYOUT, submit="Buscar")
    assert html.startswith('<form method="get" novalidate>')
    assert '<label for="id_number" class="form-label">Número</label>' in html
    assert 'type="text" name="number" value="" class="textinput form-control"' in html
    assert 'maxlength="3"' in html
    assert 'type="date" name="day" value=""' in html
    assert '<option value="" selected>Todos</option>' in html
    assert 'id="id_missing"' not in html  # a layout name the form lacks is skipped
    # The button closes the last row only.
    assert html.count("<button") == 1
    assert html.index("<button") > html.index('name="kind"')
    assert "is-invalid" not in html


def test_bound_values_are_kept_and_escaped():
    form = SampleForm({"number": '"><script>', "kind": "P", "day": "2026-11-02"})
    html = filter_form_html(form, LAYOUT, submit="Buscar", hidden=[("vista", "a&b")])
    assert 'value="&#34;&gt;&lt;script&gt;"' in html  # markupsafe writes " as &#34;
    assert "<script>" not in html
    assert '<option value="P" selected>Procedimiento</option>' in html
    assert '<option value="" selected>' not in html
    assert 'value="2026-11-02"' in html
    assert '<input type="hidden" name="vista" value="a&amp;b">' in html


def test_initial_dates_are_written_as_iso():
    form = SampleForm(initial={"day": datetime.date(2026, 1, 5)})
    assert 'name="day" value="2026-01-05"' in filter_form_html(form, LAYOUT, submit="Buscar")


def test_an_invalid_field_gets_its_message_beside_it():
    form = SampleForm({"number": "12a", "kind": "X"})
    html = filter_form_html(form, LAYOUT, submit="Buscar")
    assert 'class="textinput form-control is-invalid"' in html
    assert 'aria-invalid="true" aria-describedby="id_number_error"' in html
    assert '<div id="id_number_error" class="invalid-feedback">' in html
    assert "<strong>Ingrese un valor válido.</strong>" in html
    assert (
        "<strong>Escoja una opción válida. X no es una de las opciones disponibles.</strong>"
        in html
    )
    assert 'class="select form-select is-invalid"' in html
    assert '<div id="id_kind_error" class="invalid-feedback">' in html
    # The valid date field carries no error markup.
    assert 'aria-describedby="id_day_error"' not in html


class RequiredForm(forms.Form):
    name = forms.CharField(label="Nombre & apellido", max_length=20)
    kind = forms.ChoiceField(label="Tipo", choices=[("", "Elija"), ("M", "Medicamento")])
    fixed = forms.ChoiceField(label="Fijo", choices=[("A", "A"), ("B", "B")])
    note = forms.CharField(label="Nota", required=False)
    scope = forms.ChoiceField(label="Ámbito", choices=[("", "Todos")], required=False)


REQUIRED_LAYOUT = [[("name", 3), ("kind", 3), ("fixed", 2), ("note", 2), ("scope", 2)]]


def test_a_required_field_gets_crispys_asterisk_and_required():
    html = filter_form_html(RequiredForm(), REQUIRED_LAYOUT, submit="Buscar")
    assert (
        '<label for="id_name" class="form-label requiredField">'
        'Nombre &amp; apellido<span class="asteriskField">*</span></label>'
    ) in html
    assert 'class="textinput form-control" maxlength="20" required id="id_name">' in html
    assert (
        '<label for="id_kind" class="form-label requiredField">'
        'Tipo<span class="asteriskField">*</span></label>'
    ) in html
    assert '<select name="kind" class="select form-select" required id="id_kind">' in html
    # As Django's Select: no `required` when no first option is empty, though the label
    # still carries the asterisk.
    assert 'for="id_fixed" class="form-label requiredField">Fijo<span' in html
    assert '<select name="fixed" class="select form-select" id="id_fixed">' in html
    assert html.count('<span class="asteriskField">*</span>') == 3


def test_an_optional_field_has_no_asterisk_nor_required():
    html = filter_form_html(RequiredForm(), REQUIRED_LAYOUT, submit="Buscar")
    assert '<label for="id_note" class="form-label">Nota</label>' in html
    assert (
        '<input type="text" name="note" value="" class="textinput form-control" id="id_note">'
    ) in html
    assert '<label for="id_scope" class="form-label">Ámbito</label>' in html
    assert '<select name="scope" class="select form-select" id="id_scope">' in html


def test_an_invalid_required_field_keeps_required_before_its_error_attributes():
    html = filter_form_html(RequiredForm({"name": ""}), REQUIRED_LAYOUT, submit="Buscar")
    assert (
        'class="textinput form-control is-invalid" maxlength="20" required id="id_name" '
        'aria-invalid="true" aria-describedby="id_name_error">'
    ) in html
    assert (
        '<select name="kind" class="select form-select is-invalid" required id="id_kind" '
        'aria-invalid="true" aria-describedby="id_kind_error">'
    ) in html


def test_a_form_without_the_required_attribute_still_shows_the_asterisk():
    class Quiet(RequiredForm):
        use_required_attribute = False

    html = filter_form_html(Quiet(), REQUIRED_LAYOUT, submit="Buscar")
    assert html.count('<span class="asteriskField">*</span>') == 3
    assert " required id=" not in html


def test_help_text_follows_the_control_and_describes_it():
    class HelpForm(forms.Form):
        number = forms.CharField(
            label="Número", required=False, help_text="20 dígitos <o> documento"
        )

    html = filter_form_html(HelpForm(), [[("number", 3)]], submit="Buscar")
    assert 'aria-describedby="id_number_helptext"' in html
    assert (
        '<div id="id_number_helptext" class="form-text">20 dígitos &lt;o&gt; documento</div>'
        in html
    )
    bound = HelpForm({"number": "x" * 3})
    bound.add_error("number", "Mal")
    html = filter_form_html(bound, [[("number", 3)]], submit="Buscar")
    assert 'aria-invalid="true" aria-describedby="id_number_helptext id_number_error"' in html
    assert html.index('id_number_error" class="invalid-feedback"') < html.index("form-text")


class ChoiceFilterForm(forms.Form):
    """A worklist's filter form as bound_filters takes it: its choices come as a kwarg."""

    built = 0
    kind = forms.ChoiceField(label="Tipo", required=False)

    class filters_class(dict):
        pass

    def __init__(self, *args, choices: tuple, **kwargs):
        super().__init__(*args, **kwargs)
        type(self).built += 1
        self.fields["kind"].choices = [("", "Todos"), *choices]

    def filters(self):
        return self.filters_class(kind=self.cleaned_data["kind"] if self.is_valid() else "")

    def html(self):
        return filter_form_html(self, [[("kind", 3)]], submit="Buscar")


def test_an_empty_filter_form_is_built_once_per_choices_and_kept_in_the_cache(rf):
    cache.clear()
    ChoiceFilterForm.built = 0
    choices = (("M", "Medicamento"),)
    first = bound_filters(ChoiceFilterForm, rf.get("/"), choices=choices)[1]
    again = bound_filters(ChoiceFilterForm, rf.get("/"), choices=choices)[1]
    assert first == again and ChoiceFilterForm.built == 1
    assert '<option value="M">Medicamento</option>' in again
    # Other choices (a proveedor added to the network) are another form.
    other = bound_filters(ChoiceFilterForm, rf.get("/"), choices=(("P", "Procedimiento"),))[1]
    assert "Procedimiento" in other and "Medicamento" not in other
    assert ChoiceFilterForm.built == 2
    # Filters in the address build the form each time, with their values.
    filters, html = bound_filters(ChoiceFilterForm, rf.get("/", {"kind": "M"}), choices=choices)
    assert filters["kind"] == "M" and '<option value="M" selected>' in html
    assert ChoiceFilterForm.built == 3
    # An emptied cache (Redis restarted) writes it again.
    cache.clear()
    assert bound_filters(ChoiceFilterForm, rf.get("/"), choices=choices)[1] == first
    assert ChoiceFilterForm.built == 4
