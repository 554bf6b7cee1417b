"""The prescription form (issue 4, items 3–4): the header, the patient by document, and any
number of lines of the five technology types (`prescribing_lines`).

`PrescriptionEntry` keeps the header form and the line formset together: it validates
both, builds the arguments of `prescription_issue`, and puts the service's refusal beside
the field it names ("patient", "diagnosis", "lines.<i>.<field>"). It can also be rebuilt
from what was posted with one line more or less, unbound, so the page works without
JavaScript and nothing typed is lost. Nothing here offers or reads a payer: the service
takes it from the patient's active affiliation.
"""

import re
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from accounts.models import DocumentType
from entities.models import Sede
from mipres.lib.filter_form import filter_form_html
from mipres.lib.forms import DateField, IntegerField

from ..enums import CareSetting, PrescriptionStatus, TechnologyType
from ..models import ComplementaryService, Diagnosis, OrphanDisease, Patient, Prescription
from ..selectors.patients import patient_find
from ..selectors.prescriptions import PrescriptionFilters
from ..services.plausibility import ConfirmationRequired
from .prescribing_lines import (
    LINE_FORMS,
    MAX_INGREDIENTS,
    MAX_LINES,
    CatalogCodeField,
    CatalogOptions,
    FixedChoiceField,
    LineForm,
    StyledFormMixin,
    normalize_code,
)

LINES_PREFIX = "lines"
CONFIRM_FIELD = "confirm_caution"  # a checkbox per caution, its code as the value
E_NO_PATIENT = _("No hay un paciente registrado con %(document)s.")
W_TYPE_NOT_ALLOWED = _(
    "%(line)s no se copió: su profesión o rol no le permite prescribir %(type)s."
)
W_CODE_GONE = _(
    "%(line)s: el código %(code)s (%(name)s) de «%(field)s» ya no está vigente; elija uno actual."
)

# Header fields holding a catalog code, and the catalogs behind them.
HEADER_CODES = {
    "diagnosis": "cie10",
    "related_diagnosis_1": "cie10",
    "related_diagnosis_2": "cie10",
    "orphan_disease": "enfermedades_huerfanas",
}
# Posted actions that only re-render the form (the buttons work without JavaScript).
ACTION_FIND_PATIENT = "find_patient"
ACTION_ADD_LINE = "add_line"
ACTION_REMOVE_LINE = "remove_line"
ACTION_ADD_INGREDIENT = "add_ingredient"
ACTIONS = (ACTION_FIND_PATIENT, ACTION_ADD_LINE, ACTION_REMOVE_LINE, ACTION_ADD_INGREDIENT)


class BaseLineFormSet(forms.BaseFormSet):
    """Lines of any type in the order typed. Every posted row is new, so a row left blank
    is skipped rather than refused."""

    def __init__(self, *args, options: CatalogOptions, **kwargs):
        self.options = options
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"options": self.options}

    def initial_form_count(self):
        return 0 if self.is_bound else super().initial_form_count()

    def type_at(self, index: int) -> str:
        if self.is_bound:
            return self.data.get(f"{self.add_prefix(index)}-technology_type", "")
        rows = self.initial or []
        return rows[index].get("technology_type", "") if index < len(rows) else ""

    def _construct_form(self, i, **kwargs):
        # The row's own class; BaseFormSet builds the form from `self.form`.
        self.form = LINE_FORMS.get(self.type_at(i), LineForm)
        return super()._construct_form(i, **kwargs)

    def template_form(self, technology_type: str) -> LineForm:
        """An empty row of `technology_type` with the `__prefix__` placeholder, for the
        script to clone."""
        form = LINE_FORMS[technology_type](
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            options=self.options,
        )
        return form

    def filled_forms(self) -> list[LineForm]:
        """The valid rows that hold a line, in order: index i is the service's line i."""
        return [form for form in self.forms if form.has_changed() and form.cleaned_data]


LineFormSet = forms.formset_factory(
    LineForm,
    formset=BaseLineFormSet,
    extra=0,
    max_num=MAX_LINES,
    absolute_max=MAX_LINES,
    validate_max=True,
)


class PrescriptionHeaderForm(StyledFormMixin, forms.Form):
    """Patient by document, ámbito, referral, diagnoses and orphan disease."""

    document_type = FixedChoiceField(
        label=_("Tipo de documento"), choices=DocumentType.choices, initial=DocumentType.CC
    )
    document_number = forms.CharField(label=_("Número de documento"), max_length=20)
    newborn_order = IntegerField(
        label=_("Orden del recién nacido"),
        min_value=1,
        max_value=20,
        required=False,
        help_text=_(
            "Solo para MS: 1, 2… entre los hijos registrados con el documento de la madre."
        ),
    )
    # No ámbito is chosen in advance (not even the prescriber's last one): it decides the
    # Junta and the entregas en ámbito, so the prescriber picks it for each prescription.
    care_setting = FixedChoiceField(
        label=_("Ámbito de atención"),
        choices=[("", _("Elija el ámbito de atención")), *CareSetting.choices],
        coerce=int,
        error_messages={"required": _("Elija el ámbito de atención de esta prescripción.")},
    )
    referral = forms.BooleanField(label=_("Con remisión"), required=False)
    sede = forms.ModelChoiceField(
        label=_("Sede"),
        queryset=Sede.objects.none(),
        to_field_name="external_id",
        required=False,
        empty_label=_("Sin sede"),
    )
    diagnosis = CatalogCodeField(
        "cie10", Diagnosis, label=_("Diagnóstico principal (CIE-10)"), required=True
    )
    related_diagnosis_1 = CatalogCodeField("cie10", Diagnosis, label=_("Diagnóstico relacionado 1"))
    related_diagnosis_2 = CatalogCodeField("cie10", Diagnosis, label=_("Diagnóstico relacionado 2"))
    orphan_disease = CatalogCodeField(
        "enfermedades_huerfanas", OrphanDisease, label=_("Enfermedad huérfana (opcional)")
    )
    # The form's one-time key (Prescription.submission_key): a new one each time the form is
    # opened, kept through the re-rendering buttons.
    submission_key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, sedes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient: Patient | None = None
        self.patient_missing = False
        # The sede where the prescriber attends (DirSedeIPS, TelSedeIPS): one of the
        # entity's active sedes, the first by default; no field for an entity without sedes.
        # A posted form gets them as a QuerySet, read only to find the posted sede (none
        # posted, no query) and to show the form again (`show_sedes`).
        if isinstance(sedes, QuerySet):
            self.fields["sede"].queryset = sedes
        elif sedes:
            sedes = list(sedes)
            self.fields["sede"].queryset = Sede.objects.filter(pk__in=[s.pk for s in sedes])
            self.fields["sede"].initial = sedes[0].external_id
        else:
            del self.fields["sede"]
        self.style_widgets()

    def show_sedes(self) -> None:
        """Before a posted form is shown again: no sede field for an entity without active
        sedes (unless it holds an error to show)."""
        field = self.fields.get("sede")
        if field is not None and "sede" not in self.errors and not field.queryset.exists():
            del self.fields["sede"]

    def clean_document_number(self):
        number = normalize_code(self.cleaned_data["document_number"])
        if not number:  # "." is no document
            raise ValidationError(self.fields["document_number"].error_messages["required"])
        return number

    def clean(self):
        cleaned = super().clean()
        document_type, number = cleaned.get("document_type"), cleaned.get("document_number")
        if document_type and number:
            # With the active affiliation, for the payer the service takes from it.
            self.patient = patient_find(
                document_type,
                number,
                newborn_order=cleaned.get("newborn_order"),
                with_affiliation=True,
            )
            if self.patient is None:
                self.patient_missing = True
                self.add_error(
                    "document_number", E_NO_PATIENT % {"document": f"{document_type} {number}"}
                )
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "patient": self.patient,
            "care_setting": data["care_setting"],
            "referral": data["referral"],
            "sede": data.get("sede"),
            "diagnosis": data["diagnosis"],
            "related_diagnosis_1": data.get("related_diagnosis_1"),
            "related_diagnosis_2": data.get("related_diagnosis_2"),
            "orphan_disease": data.get("orphan_disease"),
            "submission_key": data.get("submission_key"),
        }


class PrescriptionEntry:
    """The header form and the line formset of one prescription, validated and mapped to
    `prescription_issue` together."""

    def __init__(
        self,
        data=None,
        *,
        options: CatalogOptions | None = None,
        header: dict | None = None,
        lines: list[dict] | None = None,
        sedes=None,
    ):
        self.options = options or CatalogOptions()
        self.data = data
        if data is None:
            header = {"submission_key": uuid.uuid4(), **(header or {})}
        self.header = PrescriptionHeaderForm(data, initial=header, sedes=sedes)
        for name in HEADER_CODES:
            self.header.fields[name].options = self.options
        self.lines = LineFormSet(
            data, initial=lines or None, prefix=LINES_PREFIX, options=self.options
        )
        self.errors: list[str] = []  # refusals that concern no single field
        self.cautions: list = []  # soft limits the prescriber is asked to confirm

    # Building ----------------------------------------------------------------------------

    @staticmethod
    def action(data) -> tuple[str, str] | None:
        """The re-render action a button posted («add_line»: "M"), or None for a submit."""
        for name in ACTIONS:
            if name in data:
                return name, data.get(name, "")
        return None

    @classmethod
    def rebuilt(cls, data, action: tuple[str, str], *, allowed_types, options=None, sedes=None):
        """An unbound entry holding what was posted, after the button's change: one line
        more or less, one more active ingredient. Nothing typed is lost."""
        header = {name: data.get(name) for name in PrescriptionHeaderForm.base_fields}
        header["referral"] = bool(data.get("referral"))
        rows = posted_rows(data)
        name, value = action
        if name == ACTION_ADD_LINE and value in allowed_types and len(rows) < MAX_LINES:
            rows.append({"technology_type": value})
        elif name == ACTION_REMOVE_LINE and value.isdigit() and int(value) < len(rows):
            del rows[int(value)]
        elif name == ACTION_ADD_INGREDIENT and value.isdigit() and int(value) < len(rows):
            row = rows[int(value)]
            count = row.get("ingredient_count") or "1"
            count = int(count) if count.isdigit() else 1
            row["ingredient_count"] = str(min(count + 1, MAX_INGREDIENTS))
        return cls(options=options, header=header, lines=rows, sedes=sedes)

    # Validating and issuing -------------------------------------------------------------

    def is_valid(self) -> bool:
        # Every code typed in the header and the lines, read in one query per catalog.
        self.options.read_codes(_wanted_codes(_code_fields(self)))
        header_ok = self.header.is_valid()
        lines_ok = self.lines.is_valid()
        return header_ok and lines_ok

    def service_kwargs(self) -> dict:
        self._issued_forms = self.lines.filled_forms()
        return {
            **self.header.service_kwargs(),
            "lines": [form.line_data() for form in self._issued_forms],
            "confirmed": set(posted_list(self.data, CONFIRM_FIELD)),
        }

    def add_service_error(self, error) -> None:
        """Put a DomainError from `prescription_issue` beside its field; for cautions to
        confirm, each beside its field and all of them with a checkbox by the submit."""
        if isinstance(error, ConfirmationRequired):
            self.cautions = error.cautions
            for caution in error.cautions:
                self._place(str(caution.message), caution.field or "")
        self._place(str(error.message), error.field or "", code=error.code)

    def _place(self, message: str, target: str, code: str = "") -> None:
        if target == "patient" or code in ("no_payer", "payer_code_inactive"):
            self.header.add_error("document_number", message)
        elif target == "diagnosis":
            self.header.add_error(self._disabled_header_field(), message)
        elif match := re.fullmatch(r"lines\.(\d+)(?:\.(\w+))?", target):
            index, field = int(match[1]), match[2]
            forms_issued = getattr(self, "_issued_forms", self.lines.filled_forms())
            if index < len(forms_issued):
                form = forms_issued[index]
                form.add_error(field if field in form.fields else None, message)
            else:
                self.errors.append(message)
        else:
            self.errors.append(message)

    def _disabled_header_field(self) -> str:
        for name in HEADER_CODES:
            entry = self.header.cleaned_data.get(name)
            if entry is not None and not entry.enabled:
                return name
        return "diagnosis"

    # Rendering --------------------------------------------------------------------------

    def chosen_patient(self) -> Patient | None:
        """The patient the document fields name (bound or not), for the summary panel."""
        if self.header.is_bound:
            self.header.is_valid()  # resolves the patient (validation runs once)
            return self.header.patient
        initial = self.header.initial
        document_type, number = initial.get("document_type"), initial.get("document_number")
        if not (document_type and number):
            return None
        order = initial.get("newborn_order")
        return patient_find(
            document_type,
            str(number),
            newborn_order=int(order) if str(order or "").isdigit() else None,
        )

    def template_forms(self, allowed_types) -> list:
        """An empty row per technology type the user may prescribe, for the script."""
        return [
            self.lines.template_form(t.value) for t in TechnologyType if t.value in allowed_types
        ]


def posted_list(data, name: str) -> list[str]:
    """Every value posted under `name` (a QueryDict's list; a plain dict in tests)."""
    if hasattr(data, "getlist"):
        return data.getlist(name)
    value = data.get(name)
    return list(value) if isinstance(value, list | tuple) else [value] if value else []


def posted_rows(data) -> list[dict]:
    """The posted line rows as plain dicts (field name → value), in order."""
    try:
        total = min(int(data.get(f"{LINES_PREFIX}-TOTAL_FORMS") or 0), MAX_LINES)
    except ValueError:
        total = 0
    rows = []
    for index in range(total):
        prefix = f"{LINES_PREFIX}-{index}-"
        rows.append(
            {key[len(prefix) :]: value for key, value in data.items() if key.startswith(prefix)}
        )
    return rows


# Renovar -------------------------------------------------------------------------------

LINE_CODE_FIELDS = {
    "procedure": _("Procedimiento"),
    "device_type": _("Tipo de dispositivo"),
    "complementary_service": _("Servicio complementario"),
    "nutritional_type": _("Tipo de producto"),
    "nutritional_product": _("Producto"),
    "nutritional_form": _("Forma"),
    "pharmaceutical_form": _("Forma farmacéutica"),
    "route": _("Vía de administración"),
    "dose_unit": _("Unidad de dosis"),
    "presentation_unit": _("Unidad de presentación"),
}
LINE_VALUE_FIELDS = (
    "supply_type",
    "total_quantity",
    "justification",
    "recommendations",
    "medicine_type",
    "dose",
    "quantity_per_use",
    "frequency_every",
    "frequency_unit",
    "special_indication",
    "duration_amount",
    "duration_unit",
    "nutritional_route",
)


def _plain(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "normalize"):
        return f"{value.normalize():f}"
    return str(value)


def renewal_initial(
    prescription: Prescription, *, allowed_types, only_line: str = ""
) -> tuple[dict, list, list]:
    """(header, lines, warnings) to open the form prefilled with `prescription`: codes
    that are now disabled are dropped, with a warning asking for a current one; lines of a
    type the user may not prescribe are left out, with a warning. `only_line` ("M1"): that
    line alone (a patient's renewal request)."""
    warnings: list[str] = []
    old_services = ComplementaryService.CodePeriod.BEFORE_2019_10
    patient = prescription.patient

    def code_of(entry, line_label: str, field_label) -> str:
        if entry is None:
            return ""
        gone = not entry.enabled or getattr(entry, "code_period", "") == old_services
        if gone:
            warnings.append(
                W_CODE_GONE
                % {"line": line_label, "code": entry.code, "name": entry.name, "field": field_label}
            )
            return ""
        return entry.code

    header_label = _("Encabezado")
    header = {
        "document_type": patient.document_type,
        "document_number": patient.document_number,
        "newborn_order": patient.newborn_order or "",
        "care_setting": prescription.care_setting,
        "referral": prescription.referral,
    }
    for name in HEADER_CODES:
        field_label = PrescriptionHeaderForm.base_fields[name].label
        header[name] = code_of(getattr(prescription, name), header_label, field_label)

    lines, counters = [], {}
    for line in prescription.lines.all():
        if only_line and line.key != only_line:
            continue
        counters[line.technology_type] = counters.get(line.technology_type, 0) + 1
        line_label = f"{line.get_technology_type_display()} {counters[line.technology_type]}"
        if line.technology_type not in allowed_types:
            warnings.append(
                W_TYPE_NOT_ALLOWED
                % {"line": line_label, "type": line.get_technology_type_display().lower()}
            )
            continue
        row = {"technology_type": line.technology_type}
        # Values the old line lacks are left out, so the field's default shows.
        row.update(
            {
                name: _plain(getattr(line, name))
                for name in LINE_VALUE_FIELDS
                if getattr(line, name) not in (None, "")
            }
        )
        for name, field_label in LINE_CODE_FIELDS.items():
            row[name] = code_of(getattr(line, name), line_label, field_label)
        ingredients = list(line.ingredients.all())[:MAX_INGREDIENTS]
        for n, item in enumerate(ingredients, start=1):
            row[f"ingredient_{n}"] = code_of(item.ingredient, line_label, _("Principio activo"))
            row[f"concentration_{n}"] = _plain(item.concentration)
            row[f"concentration_unit_{n}"] = code_of(
                item.concentration_unit, line_label, _("Unidad")
            )
        row["ingredient_count"] = str(max(1, len(ingredients)))
        row["unirs_indications"] = ", ".join(
            code_of(entry, line_label, _("Indicaciones UNIRS"))
            for entry in line.unirs_indications.all()
        ).strip(", ")
        lines.append(row)
    return header, lines, warnings


def _code_fields(entry: PrescriptionEntry) -> list[tuple[forms.Form, str]]:
    """(form, field name) of every large-catalog code field of the page."""
    fields = [(entry.header, name) for name in HEADER_CODES]
    for form in entry.lines.forms:
        fields += [
            (form, name)
            for name, field in form.fields.items()
            if isinstance(field, CatalogCodeField)
        ]
    return fields


def _wanted_codes(fields) -> dict:
    """The codes the fields hold, by catalog model."""
    wanted: dict = {}
    for form, name in fields:
        field = form.fields[name]
        code = normalize_code(str(form[name].value() or ""))
        if code and "\x00" not in code:  # the field refuses a NUL byte; the query could not
            wanted.setdefault(field.model, set()).add(code)
    return wanted


def catalog_labels(entry: PrescriptionEntry) -> None:
    """Show, under every code field of the page, the name of the code it holds (one query
    per catalog for the whole page, none for the codes a validated form already read)."""
    fields = _code_fields(entry)
    entry.options.read_codes(_wanted_codes(fields))
    for form, name in fields:
        field = form.fields[name]
        row = entry.options.read_entry(field.model, normalize_code(str(form[name].value() or "")))
        field.widget.catalog_label = row.name if row is not None else ""


__all__ = [
    "ACTIONS",
    "LINES_PREFIX",
    "CatalogOptions",
    "PrescriptionEntry",
    "PrescriptionFilterForm",
    "PrescriptionHeaderForm",
    "catalog_labels",
    "posted_rows",
    "renewal_initial",
]


# Consultas -----------------------------------------------------------------------------


class PrescriptionFilterForm(forms.Form):
    """Filters of the three consultas (GET): exact number, patient document, dates, state,
    technology type. Written by `html()` (mipres.lib.filter_form), once per process while
    unbound (`bound_filters`)."""

    filters_class = PrescriptionFilters
    LAYOUT = (
        (("number", 3), ("document", 2), ("date_from", 2), ("date_to", 2)),
        (("status", 2), ("technology_type", 3)),
    )

    number = forms.RegexField(
        label=_("Número de prescripción"),
        regex=r"^\d{20}$",
        required=False,
        error_messages={"invalid": _("El número tiene 20 dígitos.")},
    )
    document = forms.CharField(label=_("Documento del paciente"), max_length=20, required=False)
    date_from = DateField(
        label=_("Desde"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = DateField(
        label=_("Hasta"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    status = forms.TypedChoiceField(
        label=_("Estado"),
        choices=[("", _("Todos")), *PrescriptionStatus.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    technology_type = forms.ChoiceField(
        label=_("Tecnología"),
        choices=[("", _("Todas")), *TechnologyType.choices],
        required=False,
    )

    def clean_number(self):
        return self.cleaned_data["number"].strip()

    def clean_document(self):
        return normalize_code(self.cleaned_data["document"])

    def filters(self) -> PrescriptionFilters:
        """The valid filters (an invalid one is left out and shown beside its field)."""
        if not self.is_bound:
            return PrescriptionFilters()
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        return PrescriptionFilters(**data)

    def html(self) -> SafeString:
        return filter_form_html(self, self.LAYOUT, submit=_("Buscar"))
