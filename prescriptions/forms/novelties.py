"""Forms of the novedades: the Anulador's search and reason, the Transcriptor's header; and
the simple per-type line entry that transcriptions and tutelas share (one formset per
technology type, each form giving one `LineData`). They convert what was typed and check
its shape; the services apply the rules (STYLE R11).
"""

from crispy_forms.bootstrap import StrictButton
from crispy_forms.layout import Div
from django import forms
from django.forms import BaseFormSet, formset_factory
from django.forms.utils import ErrorDict, ErrorList
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext_lazy as _

from accounts.models import DocumentType
from mipres.lib.errors import DomainError
from mipres.lib.forms import DateField, DecimalField, IntegerField, add_service_error
from mipres.lib.layout import form_helper, row

from .. import models as m
from ..enums import (
    CareSetting,
    MedicineType,
    NutritionalRoute,
    SpecialIndication,
    SupplyType,
    TechnologyType,
    TimeUnit,
    TranscriptionType,
)
from ..selectors.patients import patient_find
from ..selectors.prescriptions import SEARCHABLE_CATALOGS
from ..services.prescribing import IngredientData, LineData
from .prescribing_lines import MAX_LINES

# Catalogs searched as you type (the rest are short lists): model → catalog name.
SEARCH_CATALOG_OF = {model: name for name, model in SEARCHABLE_CATALOGS.items()}
UNKNOWN_CODE = _("El código «%(value)s» no existe en el catálogo.")
FUTURE_DATE = _("La fecha no puede ser posterior a hoy.")
NO_PATIENT = _(
    "No hay un paciente registrado con el documento %(document)s: pida a Admisión de una IPS "
    "registrarlo, o cárguelo desde la BDUA."
)


class CodeField(forms.ModelChoiceField):
    """A catalog code resolved to its row, with the prescription form's widgets: a large
    catalog (CIE-10, CUPS, DCI…) is typed with search-as-you-type (`data-catalog`, set up by
    static/prescriptions/catalog_search.js), a small one is chosen in a list of its enabled
    entries. A disabled code posted anyway resolves too: the service refuses it with its
    own message."""

    def __init__(self, model, **kwargs):
        kwargs.setdefault("error_messages", {"invalid_choice": UNKNOWN_CODE})
        catalog = SEARCH_CATALOG_OF.get(model)
        widget = forms.TextInput if catalog else forms.Select
        super().__init__(
            queryset=model.objects.all(), to_field_name="code", widget=widget, **kwargs
        )
        if catalog:
            self.widget.attrs.update(
                {
                    "data-catalog": catalog,
                    "autocomplete": "off",
                    "spellcheck": "false",
                    "placeholder": _("Código o nombre"),
                }
            )

    def _set_queryset(self, queryset):
        super()._set_queryset(queryset)
        if isinstance(self.widget, forms.Select):
            self.widget.choices = LazyChoices(self.queryset.model)

    def to_python(self, value):
        return super().to_python("".join(str(value or "").split()).replace(".", "").upper())


class LazyChoices(BaseChoiceIterator):
    """The enabled entries of a small catalog as (code, label) choices, read when the list
    is rendered (not when the form is built), labelled as the prescription form does."""

    def __init__(self, model):
        self.model = model

    def __iter__(self):
        entries = self.model.objects.enabled()
        if self.model is m.ComplementaryService:
            # New documents use the codes in force since 1 October 2019.
            entries = entries.exclude(code_period=m.ComplementaryService.CodePeriod.BEFORE_2019_10)
        yield ("", "—")
        for entry in entries.order_by("code"):
            symbol = getattr(entry, "symbol", "")
            label = f"{symbol} – {entry.name}" if symbol else f"{entry.name} ({entry.code})"
            yield (entry.code, label)


def _int_choice(label, choices, **kwargs) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=[("", "—"), *choices], coerce=int, empty_value=None, **kwargs
    )


def _quantity(label, **kwargs) -> forms.DecimalField:
    return DecimalField(label=label, max_digits=12, decimal_places=3, **kwargs)


def not_future(value):
    if value and value > timezone.localdate():
        raise forms.ValidationError(FUTURE_DATE)
    return value


def date_field(label, **kwargs) -> forms.DateField:
    return DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[not_future],
        **kwargs,
    )


# Line entry -----------------------------------------------------------------------------


class LineForm(forms.Form):
    """What every line has; subclasses add their type's fields and list in `FIELDS` the
    ones that go to `LineData.fields` (TechnologyLine's own columns)."""

    TYPE = ""
    FIELDS: tuple[str, ...] = ()
    LAYOUT: tuple = ()

    supply_type = _int_choice(_("Tipo de prestación"), SupplyType.choices)
    total_quantity = _quantity(_("Cantidad total"))
    justification = forms.CharField(
        label=_("Justificación"), widget=forms.Textarea(attrs={"rows": 2})
    )
    recommendations = forms.CharField(
        label=_("Recomendaciones"), required=False, widget=forms.Textarea(attrs={"rows": 1})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            None,
            *self.LAYOUT,
            row(("supply_type", 4), ("total_quantity", 4), ("DELETE", 4)),
            row(("justification", 6), ("recommendations", 6)),
        )
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def line_data(self) -> LineData:
        data = self.cleaned_data
        fields = {name: data[name] for name in self.FIELDS if data.get(name) not in (None, "")}
        if data.get("recommendations"):
            fields["recommendations"] = data["recommendations"]
        return LineData(
            technology_type=self.TYPE,
            supply_type=data["supply_type"],
            justification=data["justification"],
            total_quantity=data["total_quantity"],
            fields=fields,
            ingredients=self.ingredients(),
        )

    def ingredients(self) -> list[IngredientData]:
        return []


FREQUENCY = ("frequency_every", "frequency_unit", "duration_amount", "duration_unit")
FREQUENCY_ROW = row(
    ("frequency_every", 3), ("frequency_unit", 3), ("duration_amount", 3), ("duration_unit", 3)
)


class UseQuantityForm(LineForm):
    """Procedures, devices and complementary services: quantity per use, how often, how long."""

    quantity_per_use = _quantity(_("Cantidad por uso"), required=False)
    frequency_every = IntegerField(label=_("Cada"), min_value=1, required=False)
    frequency_unit = _int_choice(_("Unidad de frecuencia"), TimeUnit.choices, required=False)
    duration_amount = IntegerField(label=_("Duración"), min_value=1, required=False)
    duration_unit = _int_choice(_("Unidad de duración"), TimeUnit.choices, required=False)


class ProcedureLineForm(UseQuantityForm):
    TYPE = TechnologyType.PROCEDIMIENTO
    FIELDS = ("procedure", "quantity_per_use", *FREQUENCY)
    LAYOUT = (row(("procedure", 8), ("quantity_per_use", 4)), FREQUENCY_ROW)

    procedure = CodeField(m.CupsProcedure, label=_("Código CUPS"))


class DeviceLineForm(UseQuantityForm):
    TYPE = TechnologyType.DISPOSITIVO
    FIELDS = ("device_type", "quantity_per_use", *FREQUENCY)
    LAYOUT = (row(("device_type", 8), ("quantity_per_use", 4)), FREQUENCY_ROW)

    device_type = CodeField(m.DeviceType, label=_("Tipo de dispositivo (código)"))


class ServiceLineForm(UseQuantityForm):
    TYPE = TechnologyType.SERVICIO_COMPLEMENTARIO
    FIELDS = ("complementary_service", "quantity_per_use", *FREQUENCY)
    LAYOUT = (row(("complementary_service", 8), ("quantity_per_use", 4)), FREQUENCY_ROW)

    complementary_service = CodeField(
        m.ComplementaryService, label=_("Servicio complementario (código)")
    )


class DoseForm(LineForm):
    """Medicines and nutritional products: dose, how often, how long, presentation."""

    dose = _quantity(_("Dosis"), required=False)
    dose_unit = CodeField(m.DoseUnit, label=_("Unidad de dosis (código)"), required=False)
    frequency_every = IntegerField(label=_("Cada"), min_value=1, required=False)
    frequency_unit = _int_choice(_("Unidad de frecuencia"), TimeUnit.choices, required=False)
    duration_amount = IntegerField(label=_("Duración"), min_value=1, required=False)
    duration_unit = _int_choice(_("Unidad de duración"), TimeUnit.choices, required=False)
    presentation_unit = CodeField(
        m.PresentationUnit, label=_("Unidad de presentación (código)"), required=False
    )


DOSE_ROW = row(("dose", 4), ("dose_unit", 4), ("presentation_unit", 4))


class MedicineLineForm(DoseForm):
    TYPE = TechnologyType.MEDICAMENTO
    FIELDS = (
        "medicine_type",
        "pharmaceutical_form",
        "route",
        "special_indication",
        "description",
        "dose",
        "dose_unit",
        "presentation_unit",
        *FREQUENCY,
    )
    LAYOUT = (
        row(("medicine_type", 4), ("pharmaceutical_form", 4), ("route", 4)),
        row(("ingredient", 4), ("concentration", 4), ("concentration_unit", 4)),
        row(("description", 8), ("special_indication", 4)),
        DOSE_ROW,
        FREQUENCY_ROW,
    )

    medicine_type = _int_choice(_("Tipo de medicamento"), MedicineType.choices)
    ingredient = CodeField(m.ActiveIngredient, label=_("Principio activo (código DCI)"))
    concentration = _quantity(_("Concentración"))
    concentration_unit = CodeField(m.MeasurementUnit, label=_("Unidad de concentración"))
    pharmaceutical_form = CodeField(
        m.PharmaceuticalForm, label=_("Forma farmacéutica"), required=False
    )
    route = CodeField(m.AdministrationRoute, label=_("Vía de administración"), required=False)
    special_indication = _int_choice(
        _("Indicación especial"), SpecialIndication.choices, required=False
    )
    description = forms.CharField(label=_("Descripción"), max_length=500, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("description") and data.get("ingredient") and data.get("concentration"):
            unit = data.get("concentration_unit")
            symbol = (unit.symbol or unit.code) if unit else ""
            data["description"] = f"{data['ingredient'].name} {data['concentration']} {symbol}"
        return data

    def ingredients(self) -> list[IngredientData]:
        data = self.cleaned_data
        return [
            IngredientData(data["ingredient"], data["concentration"], data["concentration_unit"])
        ]


class NutritionLineForm(DoseForm):
    TYPE = TechnologyType.PRODUCTO_NUTRICIONAL
    FIELDS = (
        "nutritional_type",
        "nutritional_product",
        "nutritional_form",
        "nutritional_route",
        "dose",
        "dose_unit",
        "presentation_unit",
        *FREQUENCY,
    )
    LAYOUT = (
        row(("nutritional_type", 4), ("nutritional_product", 4), ("nutritional_route", 4)),
        DOSE_ROW,
        FREQUENCY_ROW,
    )

    nutritional_type = CodeField(m.NutritionalProductType, label=_("Tipo de producto (código)"))
    nutritional_product = CodeField(
        m.NutritionalProduct, label=_("Producto (código)"), required=False
    )
    nutritional_route = _int_choice(_("Vía"), NutritionalRoute.choices, required=False)


LINE_FORMS = {
    form.TYPE: form
    for form in (
        MedicineLineForm,
        ProcedureLineForm,
        DeviceLineForm,
        NutritionLineForm,
        ServiceLineForm,
    )
}


TOO_MANY_LINES = _("Registre como máximo %(max)s tecnologías.")


class LineFormSet(BaseFormSet):
    # Set by LineEntry when more lines were posted than allowed: no row is built at all.
    refused = False

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].label = _("Quitar esta línea")

    def total_form_count(self):
        return 0 if self.refused else super().total_form_count()

    def non_form_errors(self):
        return ErrorList() if self.refused else super().non_form_errors()


def _posted_count(data, key: str) -> int:
    """A posted TOTAL_FORMS as a number (0 when garbled; huge when absurdly long)."""
    value = data.get(key) or ""
    if not value.isdigit():
        return 0
    return int(value) if len(value) < 7 else 10**6


class LineEntry:
    """The five per-type formsets of a transcription or a tutela.

    A button named `add_line` with a type letter adds a blank line of that type; the page
    comes back with everything typed and no error shown. A line marked «Quitar» is left out.
    """

    ADD = "add_line"

    def __init__(self, data=None):
        self.adding = None
        if data is not None and data.get(self.ADD) in LINE_FORMS:
            self.adding = data[self.ADD]
            data = data.copy()
            key = f"line{self.adding}-TOTAL_FORMS"
            data[key] = str(_posted_count(data, key) + 1)
        # More lines posted than a prescription may have: refused before any row is built
        # (a POST with 40,000 rows answers at once).
        posted = sum(
            _posted_count(data or {}, f"line{letter}-TOTAL_FORMS") for letter in LINE_FORMS
        )
        self.too_many = TOO_MANY_LINES % {"max": MAX_LINES} if posted > MAX_LINES else ""
        self.formsets = []
        for letter, form in LINE_FORMS.items():
            formset_class = formset_factory(
                form,
                formset=LineFormSet,
                extra=0,
                can_delete=True,
                max_num=MAX_LINES,
                absolute_max=MAX_LINES,
                validate_max=True,
            )
            formset = formset_class(data, prefix=f"line{letter}")
            formset.refused = bool(self.too_many)
            formset.letter, formset.label = letter, TechnologyType(letter).label
            self.formsets.append(formset)
        self._positions = []
        if self.adding:
            self._hide_errors()

    def _hide_errors(self) -> None:
        for formset in self.formsets:
            formset._errors, formset._non_form_errors = [], ErrorList()
            for form in formset.forms:
                form._errors = ErrorDict()

    def hide_errors(self, header: forms.Form) -> None:
        """While a line is being added, show the header as typed without complaining."""
        header._errors = ErrorDict()

    def is_valid(self) -> bool:
        if self.adding or self.too_many:
            return False
        return all([formset.is_valid() for formset in self.formsets])

    def lines(self) -> list[LineData]:
        """The valid lines, type by type in MIPRES's order, each remembered with its form so
        a service error about line N lands beside the right field."""
        lines, self._positions = [], []
        for formset in self.formsets:
            for form in formset.forms:
                if not form.has_changed() or form.cleaned_data.get("DELETE"):
                    continue
                lines.append(form.line_data())
                self._positions.append(form)
        return lines

    def add_service_error(self, error: DomainError) -> bool:
        """Put a «lines.N[.field]» error beside its line; False when it is not a line's."""
        parts = (error.field or "").split(".")
        if parts[0] != "lines" or len(parts) < 2 or not parts[1].isdigit():
            return False
        index = int(parts[1])
        if index >= len(self._positions):
            return False
        form = self._positions[index]
        field = parts[2] if len(parts) > 2 and parts[2] in form.fields else None
        form.add_error(field, str(error.message))
        return True


# Annulment ------------------------------------------------------------------------------


class AnnulSearchForm(forms.Form):
    """The Anulador's search (GET): by number or by the patient's document."""

    numero = forms.CharField(label=_("Número de prescripción"), max_length=20, required=False)
    tipo_documento = forms.ChoiceField(
        label=_("Tipo de documento"),
        choices=[("", _("Cualquiera")), *DocumentType.choices],
        required=False,
    )
    documento = forms.CharField(label=_("Documento del paciente"), max_length=17, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            None,
            Div(
                Div("numero", css_class="col-md-4"),
                Div("tipo_documento", css_class="col-md-3"),
                Div("documento", css_class="col-md-3"),
                Div(
                    StrictButton(_("Buscar"), type="submit", css_class="btn-primary"),
                    css_class="col-md-2 d-flex align-items-end mb-3",
                ),
                css_class="row",
            ),
            method="get",
        )
        self.helper.disable_csrf = True

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "number": data["numero"],
            "document_type": data["tipo_documento"],
            "document_number": data["documento"],
        }


class ReasonForm(forms.Form):
    """The confirmation page's mandatory reason (STYLE R8)."""

    reason = forms.CharField(
        label=_("Motivo de la anulación"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Queda en la novedad y en la auditoría; la prescripción no se borra."),
        error_messages={"required": _("Indique el motivo de la anulación.")},
    )

    def __init__(self, *args, submit_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(submit_label or _("Anular la prescripción"), "reason")
        # The server's Spanish message, not the browser's, answers a missing reason.
        self.helper.attrs = {"novalidate": ""}
        self.helper.inputs[0].field_classes = "btn btn-danger"

    def add_service_error(self, error: DomainError) -> None:
        add_service_error(self, error)


# Transcription --------------------------------------------------------------------------


class HeaderForm(forms.Form):
    """The patient and diagnoses shared by a transcription's and a tutela's header."""

    FIELD_ALIASES = {"patient": "patient_document_number"}

    patient_document_type = forms.ChoiceField(
        label=_("Tipo de documento del paciente"),
        choices=DocumentType.choices,
        initial=DocumentType.CC,
    )
    patient_document_number = forms.CharField(
        label=_("Número de documento del paciente"), max_length=17
    )
    diagnosis = CodeField(m.Diagnosis, label=_("Diagnóstico principal (CIE-10)"))
    related_diagnosis_1 = CodeField(
        m.Diagnosis, label=_("Diagnóstico relacionado 1"), required=False
    )
    related_diagnosis_2 = CodeField(
        m.Diagnosis, label=_("Diagnóstico relacionado 2"), required=False
    )
    orphan_disease = CodeField(
        m.OrphanDisease, label=_("Enfermedad huérfana (código)"), required=False
    )

    def clean(self):
        data = super().clean()
        number = "".join((data.get("patient_document_number") or "").split()).replace(".", "")
        if data.get("patient_document_type") and number:
            patient = patient_find(data["patient_document_type"], number.upper())
            if patient is None:
                document = f"{data['patient_document_type']} {number.upper()}"
                self.add_error("patient_document_number", NO_PATIENT % {"document": document})
            data["patient"] = patient
        return data

    def add_service_error(self, error: DomainError) -> None:
        field = self.FIELD_ALIASES.get(error.field, error.field)
        add_service_error(self, DomainError(error.message, field=field, code=error.code))

    def header_kwargs(self) -> dict:
        data = self.cleaned_data
        names = ("diagnosis", "related_diagnosis_1", "related_diagnosis_2", "orphan_disease")
        return {"patient": data["patient"], **{name: data[name] for name in names}}


class TranscriptionForm(HeaderForm):
    """The header of a prescription made outside the system."""

    transcription_type = _int_choice(_("Tipo de transcripción"), TranscriptionType.choices)
    original_reference = forms.CharField(
        label=_("Referencia de la prescripción original"),
        max_length=60,
        help_text=_("El número del formato en papel o del sistema propio de la IPS."),
    )
    original_date = date_field(_("Fecha de la prescripción original"))
    original_time = forms.TimeField(
        label=_("Hora"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    professional_document_type = forms.ChoiceField(
        label=_("Tipo de documento del profesional"),
        choices=DocumentType.choices,
        initial=DocumentType.CC,
    )
    professional_document_number = forms.CharField(
        label=_("Número de documento del profesional"), max_length=17
    )
    habilitation_code = forms.CharField(
        label=_("Código de habilitación de la IPS"),
        max_length=12,
        required=False,
        help_text=_("Vacío si prescribió un profesional independiente."),
    )
    care_setting = _int_choice(_("Ámbito de atención"), CareSetting.choices)
    referral = forms.BooleanField(label=_("Con remisión"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            None,
            row(
                ("transcription_type", 4),
                ("original_reference", 3),
                ("original_date", 3),
                ("original_time", 2),
            ),
            row(
                ("professional_document_type", 4),
                ("professional_document_number", 4),
                ("habilitation_code", 4),
            ),
            row(("patient_document_type", 4), ("patient_document_number", 4)),
            row(("care_setting", 4), ("referral", 4)),
            row(("diagnosis", 3), ("related_diagnosis_1", 3), ("related_diagnosis_2", 3)),
            row(("orphan_disease", 3)),
        )
        self.helper.form_tag = False

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        names = (
            "transcription_type",
            "original_reference",
            "original_date",
            "original_time",
            "professional_document_type",
            "professional_document_number",
            "habilitation_code",
            "care_setting",
            "referral",
        )
        return {**self.header_kwargs(), **{name: data[name] for name in names}}
