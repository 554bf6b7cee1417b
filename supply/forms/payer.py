"""The payer's forms (EPS/EOC/ET Administrativo): worklist filters, the direccionamiento
with its delivery schedule, the no direccionamiento, the inclusion of a device in a
procedure, the suministro and the datos facturados. They convert and check the shape of
what was typed; the services apply the rules (STYLE R11), and their refusals come back
beside the field they concern (`add_service_error`).

Selects that the services validate (the proveedor, the cause) accept any value of their
kind and offer only the valid ones: a value posted from outside the list reaches the
service, which refuses it with its own message (outside the network, not for this type).
"""

import datetime

from crispy_forms.layout import HTML, Div, Fieldset
from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from accounts.models import DocumentType
from entities.models import Entity, Municipality
from entities.permissions import PROVIDER_TYPES
from mipres.lib.errors import DomainError
from mipres.lib.filter_form import Layout, filter_form_html
from mipres.lib.forms import DateField, DecimalField, IntegerField, add_service_error
from mipres.lib.layout import form_helper, row
from prescriptions.enums import CareSetting, TechnologyType
from prescriptions.forms.prescribing_lines import normalize_code
from prescriptions.models import NonDeliveryCause, TechnologyLine

from ..models import StepStatus
from ..models.chain import ComparatorKind, delivery_label
from ..selectors.payer import (
    DirectedFilters,
    LineFilters,
    ReportFilters,
    default_technology_code,
    network_provider_choices,
    payer_codes,
    procedure_lines,
)
from ..services import DeliveryPlan

DATE_WIDGET = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
NUMBER_FIELD = {
    "regex": r"^\d{20}$",
    "error_messages": {"invalid": _("El número tiene 20 dígitos.")},
}
POSITIVE = _("La cantidad debe ser mayor que cero.")
DATE_PAST = _("La fecha máxima de entrega no puede ser anterior a hoy.")
UNKNOWN_MUNICIPALITY = _("El código DIVIPOLA «%(code)s» no existe.")


def plain(value) -> str:
    """A quantity as typed: «90», «2.5» (never «9E+1»)."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# Invalid choices in the filters' selects read as the model selects they replace did.
INVALID_CHOICE = forms.ModelChoiceField.default_error_messages["invalid_choice"]


class _FilterForm(forms.Form):
    """A GET filter form: `filters()` gives the valid filters (an invalid one is left out
    and shown beside its field); `html()` writes it out (`mipres.lib.filter_form`) in
    `layout`'s rows."""

    filters_class = None
    layout: Layout = ()

    def html(self, *, hidden=()) -> SafeString:
        return filter_form_html(self, self.layout, submit=_("Buscar"), hidden=hidden)

    def clean_number(self):
        return self.cleaned_data["number"].strip()

    def clean_document(self):
        return normalize_code(self.cleaned_data["document"])

    def filters(self):
        if not self.is_bound:
            return self.filters_class()
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        return self.filters_class(**data)


def _number_field():
    return forms.RegexField(label=_("Número de prescripción"), required=False, **NUMBER_FIELD)


def _document_field():
    return forms.CharField(label=_("Documento del paciente"), max_length=20, required=False)


def _pk_select(label):
    """A select of the entity's own rows by pk (filled in `__init__` with one query of
    (pk, name) pairs, rather than model instances)."""
    return forms.TypedChoiceField(
        label=label,
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": INVALID_CHOICE},
    )


class LineFilterForm(_FilterForm):
    """«Por direccionar»: prescription dates, ámbito, technology type, código EPS, number,
    patient document."""

    filters_class = LineFilters
    layout = (
        (("number", 3), ("document", 3), ("date_from", 3), ("date_to", 3)),
        (("care_setting", 3), ("technology_type", 3), ("payer_code", 3)),
    )

    number = _number_field()
    document = _document_field()
    date_from = DateField(label=_("Prescritas desde"), required=False, **DATE_WIDGET)
    date_to = DateField(label=_("Hasta"), required=False, **DATE_WIDGET)
    care_setting = forms.TypedChoiceField(
        label=_("Ámbito"),
        choices=[("", _("Todos")), *CareSetting.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    technology_type = forms.ChoiceField(
        label=_("Tecnología"), choices=[("", _("Todas")), *TechnologyType.choices], required=False
    )
    payer_code = _pk_select(_("Código EPS"))

    @staticmethod
    def choices_for(entity: Entity) -> tuple:
        """The entity's códigos EPS, (pk, code), which the select offers (one query)."""
        return tuple(payer_codes(entity=entity))

    def __init__(self, *args, choices: tuple, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payer_code"].choices = [("", _("Todos")), *choices]


class DirectedFilterForm(_FilterForm):
    """«Direccionados»: state, date directed, proveedor, FecMaxEnt range, number, document."""

    filters_class = DirectedFilters
    layout = (
        (("number", 3), ("document", 3), ("status", 2), ("provider", 4)),
        (("date_from", 2), ("date_to", 2), ("due_from", 3), ("due_to", 3)),
    )

    number = _number_field()
    document = _document_field()
    status = forms.TypedChoiceField(
        label=_("Estado"),
        choices=[("", _("Todos")), *StepStatus.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    provider = _pk_select(_("Proveedor"))
    date_from = DateField(label=_("Direccionados desde"), required=False, **DATE_WIDGET)
    date_to = DateField(label=_("Hasta"), required=False, **DATE_WIDGET)
    due_from = DateField(label=_("Fecha máxima desde"), required=False, **DATE_WIDGET)
    due_to = DateField(label=_("Fecha máxima hasta"), required=False, **DATE_WIDGET)

    @staticmethod
    def choices_for(entity: Entity) -> tuple:
        """The proveedores of the entity's network, (pk, name, label) (one query)."""
        return tuple(network_provider_choices(entity=entity))

    def __init__(self, *args, choices: tuple, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", _("Todos"))] + [
            (pk, label) for pk, _name, label in choices
        ]


class ReportFilterForm(_FilterForm):
    filters_class = ReportFilters
    layout = ((("number", 5), ("document", 4)),)

    number = _number_field()
    document = _document_field()


class PatientSearchForm(forms.Form):
    """«Pendientes por paciente»: the patient's document type and number."""

    layout = ((("document_type", 4), ("document_number", 5)),)

    document_type = forms.ChoiceField(
        label=_("Tipo de documento"), choices=[("", _("Elija")), *DocumentType.choices]
    )
    document_number = forms.CharField(
        label=_("Número de documento"),
        max_length=20,
        error_messages={"required": _("Indique el número de documento del paciente.")},
    )

    def html(self) -> SafeString:
        return filter_form_html(self, self.layout, submit=_("Buscar"))

    def clean_document_number(self):
        return normalize_code(self.cleaned_data["document_number"])


# ---------------------------------------------------------------------------------------
# Direccionamiento


class DeliveryRowForm(forms.Form):
    """One delivery of the schedule: NoEntrega, NoSubEntrega, quantity, FecMaxEnt."""

    delivery_number = IntegerField(
        label=_("No. entrega"),
        min_value=1,
        max_value=999,
        error_messages={
            "required": _("Indique el número de entrega."),
            "min_value": _("El número de entrega va de 1 a 999."),
            "max_value": _("El número de entrega va de 1 a 999."),
        },
    )
    sub_number = IntegerField(
        label=_("Subentrega"),
        min_value=0,
        max_value=99,
        required=False,
        initial=0,
        error_messages={
            "min_value": _("La subentrega va de 0 a 99."),
            "max_value": _("La subentrega va de 0 a 99."),
        },
    )
    quantity = DecimalField(
        label=_("Cantidad"),
        max_digits=12,
        decimal_places=3,
        error_messages={"required": _("Indique la cantidad.")},
    )
    max_delivery_date = DateField(
        label=_("Fecha máxima de entrega"),
        error_messages={"required": _("Indique la fecha máxima de entrega.")},
        **DATE_WIDGET,
    )

    def clean_sub_number(self):
        return self.cleaned_data["sub_number"] or 0

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity <= 0:
            raise ValidationError(POSITIVE)
        return quantity

    def clean_max_delivery_date(self):
        day = self.cleaned_data["max_delivery_date"]
        if day < timezone.localdate():
            raise ValidationError(DATE_PAST)
        return day

    @property
    def label(self) -> str:
        data = self.cleaned_data
        return delivery_label(data["delivery_number"], data.get("sub_number") or 0)

    def plan(self) -> DeliveryPlan:
        data = self.cleaned_data
        return DeliveryPlan(
            delivery_number=data["delivery_number"],
            sub_number=data["sub_number"],
            quantity=data["quantity"],
            max_delivery_date=data["max_delivery_date"],
        )


class BaseDeliveryFormSet(forms.BaseFormSet):
    def filled_forms(self) -> list[DeliveryRowForm]:
        return [form for form in self.forms if form.has_changed() or not form.empty_permitted]

    def clean(self):
        if any(self.errors):
            return
        filled = [form for form in self.forms if form.cleaned_data]
        if not filled:
            raise ValidationError(_("Indique al menos una entrega."))
        seen = set()
        for form in filled:
            key = (form.cleaned_data["delivery_number"], form.cleaned_data["sub_number"])
            if key in seen:
                form.add_error(
                    "delivery_number",
                    _("La entrega %(delivery)s está repetida en el plan.")
                    % {"delivery": form.label},
                )
            seen.add(key)


DeliveryFormSet = formset_factory(
    DeliveryRowForm,
    formset=BaseDeliveryFormSet,
    extra=0,
    max_num=120,
    absolute_max=120,
    validate_max=True,
)
DELIVERIES_PREFIX = "entregas"
ROW_FIELDS = {"delivery_number", "sub_number", "quantity", "max_delivery_date"}


class DireccionamientoForm(forms.Form):
    provider = forms.ModelChoiceField(
        label=_("Proveedor"),
        queryset=Entity.objects.filter(entity_type__in=PROVIDER_TYPES),
        error_messages={
            "required": _("Elija el proveedor."),
            "invalid_choice": _("Elija un proveedor de la lista."),
        },
    )
    municipality = forms.CharField(
        label=_("Municipio de entrega (código DIVIPOLA)"),
        max_length=5,
        error_messages={"required": _("Indique el municipio de entrega.")},
    )
    patient_address = forms.CharField(
        label=_("Dirección del paciente"), max_length=200, required=False
    )
    technology_code = forms.CharField(
        label=_("Código de la tecnología a entregar"), max_length=20, required=False
    )

    def __init__(self, *args, line: TechnologyLine, providers, **kwargs):
        patient = line.prescription.patient
        kwargs.setdefault(
            "initial",
            {
                "municipality": patient.municipality_id,
                "patient_address": patient.address,
                "technology_code": default_technology_code(line),
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["provider"].widget.choices = [
            ("", _("Elija el proveedor")),
            *((p.pk, f"{p.name} · NIT {p.nit}") for p in providers),
        ]
        self.fields["municipality"].help_text = _(
            "Municipio del paciente: %(name)s (%(code)s)."
        ) % {"name": patient.municipality.name, "code": patient.municipality_id}
        self.fields["municipality"].widget.attrs.update(
            {"inputmode": "numeric", "pattern": r"\d{5}"}
        )
        if line.technology_type == TechnologyType.MEDICAMENTO:
            self.fields["technology_code"].help_text = _("El CUM del medicamento a entregar.")

    def clean_municipality(self):
        code = self.cleaned_data["municipality"].strip()
        municipality = Municipality.objects.filter(code=code).first()
        if municipality is None:
            raise ValidationError(UNKNOWN_MUNICIPALITY % {"code": code})
        return municipality


class DireccionamientoEntry:
    """The direccionamiento form and its schedule of deliveries, validated together and
    mapped to `direccionamiento_create`'s arguments."""

    def __init__(self, data=None, *, line: TechnologyLine, providers, first_number: int, remaining):
        self.form = DireccionamientoForm(data, line=line, providers=providers)
        initial = None
        if data is None:
            initial = [
                {
                    "delivery_number": first_number,
                    "sub_number": 0,
                    "quantity": plain(remaining) if remaining > 0 else None,
                    "max_delivery_date": timezone.localdate() + datetime.timedelta(days=30),
                }
            ]
        self.formset = DeliveryFormSet(data, prefix=DELIVERIES_PREFIX, initial=initial)

    def is_valid(self) -> bool:
        form_valid = self.form.is_valid()
        return self.formset.is_valid() and form_valid

    def service_kwargs(self) -> dict:
        data = self.form.cleaned_data
        return {
            "provider": data["provider"],
            "municipality": data["municipality"],
            "patient_address": data["patient_address"],
            "technology_code": data["technology_code"],
            "deliveries": [form.plan() for form in self.formset.forms if form.cleaned_data],
        }

    def _row_named_in(self, message: str):
        for form in self.formset.forms:
            if form.cleaned_data and f"entrega {form.label} " in message:
                return form
        return None

    def add_service_error(self, error: DomainError) -> None:
        """Beside the field; a delivery's refusal on the row it names; the rest (the
        total over what was prescribed, the line's state) above the form."""
        message = str(error.message)
        if error.field in ROW_FIELDS:
            row_form = self._row_named_in(message)
            if row_form is not None:
                row_form.add_error(error.field, message)
                return
        if error.field in self.form.fields:
            add_service_error(self.form, error)
            return
        self.form.add_error(None, message)


# ---------------------------------------------------------------------------------------
# No direccionamiento, inclusion in a procedure


class CauseSelect(forms.Select):
    """Options of causes that name an associated prescription carry `data-associated`
    (the page shows the associated prescription's fields only for them)."""

    def __init__(self, *args, associated=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.associated = {str(pk) for pk in associated}

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if str(value) in self.associated:
            option["attrs"]["data-associated"] = "1"
        return option


def _cause_field(label, required=True):
    return forms.ModelChoiceField(
        label=label,
        queryset=NonDeliveryCause.objects.filter(enabled=True),
        required=required,
        error_messages={
            "required": _("Elija la causa."),
            "invalid_choice": _("Elija una causa de la lista."),
        },
    )


def _offer_causes(field, causes) -> None:
    causes = list(causes)
    field.widget = CauseSelect(
        associated=[c.pk for c in causes if c.needs_associated_prescription],
        attrs={"data-cause-select": "1"},
    )
    field.widget.choices = [
        ("", _("Elija la causa")),
        *((c.pk, f"{c.code} – {c.name}") for c in causes),
    ]


def _associated_fields():
    return (
        forms.RegexField(
            label=_("Prescripción asociada (NoPrescripcionAsociada)"),
            required=False,
            **NUMBER_FIELD,
        ),
        IntegerField(
            label=_("Consecutivo de la tecnología asociada (ConTecAsociada)"),
            min_value=1,
            required=False,
        ),
    )


ASSOCIATED_NOTE = "{% include 'supply/payer/_associated_note.html' %}"


class NoDireccionamientoForm(forms.Form):
    cause = _cause_field(_("Causa de no direccionamiento"))
    associated_number, associated_order = _associated_fields()

    def __init__(self, *args, line: TechnologyLine, **kwargs):
        super().__init__(*args, **kwargs)
        _offer_causes(
            self.fields["cause"],
            NonDeliveryCause.objects.for_technology(line.technology_type).filter(
                for_no_direccionamiento=True, enabled=True
            ),
        )
        self.helper = form_helper(
            _("Registrar no direccionamiento"),
            "cause",
            Div(
                HTML(ASSOCIATED_NOTE),
                row(("associated_number", 7), ("associated_order", 5)),
                css_id="associated-fields",
                data_associated_fields="1",
            ),
        )
        self.helper.attrs = {"novalidate": ""}

    def add_service_error(self, error: DomainError) -> None:
        add_service_error(self, error)

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class ProcedureInclusionForm(forms.Form):
    procedure_line = forms.ModelChoiceField(
        label=_("Procedimiento que la incluye"),
        queryset=TechnologyLine.objects.none(),
        empty_label=_("Elija el procedimiento"),
        error_messages={
            "required": _("Elija el procedimiento."),
            "invalid_choice": _("Elija un procedimiento de la misma prescripción."),
        },
    )

    def __init__(self, *args, line: TechnologyLine, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["procedure_line"]
        field.queryset = procedure_lines(line)
        field.label_from_instance = lambda p: f"{p.key} – {p.description or p.procedure.name}"
        self.helper = form_helper(_("Incluir en el procedimiento"), "procedure_line")
        self.helper.attrs = {"novalidate": ""}

    def add_service_error(self, error: DomainError) -> None:
        add_service_error(self, error)

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


# ---------------------------------------------------------------------------------------
# Suministro and datos facturados

YES_NO = [(True, _("Sí")), (False, _("No"))]


def _yes_no(label, initial):
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value in (True, "True"),
        widget=forms.RadioSelect,
        initial=initial,
    )


def _amount(label, *, required=True, initial=None):
    return DecimalField(
        label=label,
        max_digits=16,
        decimal_places=3,
        required=required,
        initial=initial,
        error_messages={"required": _("Indique este valor.")},
    )


class SuministroForm(forms.Form):
    """`Suministro`: UltEntrega, EntregaCompleta, CausaNoEntrega (when incomplete),
    NoPrescripcionAsociada / ConTecAsociada (causes 1 and 15), CantTotEntregada, NoLote,
    ValorEntregado."""

    last_delivery = _yes_no(_("¿Es la última entrega?"), False)
    complete = _yes_no(_("¿Entrega completa?"), True)
    cause = _cause_field(_("Causa de no entrega (si la entrega es incompleta)"), required=False)
    associated_number, associated_order = _associated_fields()
    quantity = _amount(_("Cantidad entregada"))
    batch = forms.CharField(label=_("Número de lote"), max_length=30, required=False)
    value = _amount(_("Valor entregado"))

    def __init__(self, *args, deliverable, entrega, **kwargs):
        if entrega is not None:
            kwargs.setdefault(
                "initial", {"quantity": plain(entrega.quantity), "batch": entrega.batch}
            )
        super().__init__(*args, **kwargs)
        _offer_causes(
            self.fields["cause"],
            NonDeliveryCause.objects.for_technology(deliverable.line.technology_type).filter(
                enabled=True
            ),
        )
        self.helper = form_helper(
            _("Reportar suministro"),
            row(("last_delivery", 6), ("complete", 6)),
            Div("cause", data_incomplete_fields="1"),
            Div(
                HTML(ASSOCIATED_NOTE),
                row(("associated_number", 7), ("associated_order", 5)),
                data_associated_fields="1",
            ),
            row(("quantity", 4), ("batch", 4), ("value", 4)),
        )
        self.helper.attrs = {"novalidate": ""}

    def add_service_error(self, error: DomainError) -> None:
        add_service_error(self, error)

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["associated_number"] = data["associated_number"] or ""
        return data


class DatosFacturadosForm(forms.Form):
    """`DatosFacturados`: CompAdm (1 comparador administrativo, 2 homólogo, 3 no aplica)
    with the comparator's or homologue's code, units and values."""

    comparator = forms.TypedChoiceField(
        label=_("Comparador administrativo (CompAdm)"),
        choices=ComparatorKind.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Elija el tipo de comparador.")},
    )
    comparator_code = forms.CharField(
        label=_("Código del comparador (CodCompAdm)"), max_length=20, required=False
    )
    comparator_units = _amount(_("Unidades del comparador (UniCompAdm)"), required=False)
    comparator_total = _amount(_("Valor total del comparador (ValTotCompAdm)"), required=False)
    homologous_code = forms.CharField(
        label=_("Código homólogo (CodHom)"), max_length=20, required=False
    )
    homologous_units = _amount(
        _("Unidades de dispensación del homólogo (UniDispHom)"), required=False
    )
    homologous_total = _amount(_("Valor total del homólogo (ValTotHom)"), required=False)
    min_unit_value = _amount(
        _("Valor de la unidad mínima de concentración (ValUnMiCon)"), required=False
    )
    total_delivered = _amount(_("Cantidad total entregada (CantTotEnt)"))

    def __init__(self, *args, facturacion, **kwargs):
        kwargs.setdefault("initial", {"total_delivered": plain(facturacion.entrega.quantity)})
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            _("Registrar datos facturados"),
            "comparator",
            Fieldset(
                _("Comparador administrativo"),
                row(("comparator_code", 4), ("comparator_units", 4), ("comparator_total", 4)),
                data_comparator="1",
            ),
            Fieldset(
                _("Homólogo"),
                row(("homologous_code", 4), ("homologous_units", 4), ("homologous_total", 4)),
                data_comparator="2",
            ),
            row(("min_unit_value", 6), ("total_delivered", 6)),
        )
        self.helper.attrs = {"novalidate": ""}

    def add_service_error(self, error: DomainError) -> None:
        add_service_error(self, error)

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        for name in (
            "comparator_units",
            "comparator_total",
            "homologous_units",
            "homologous_total",
            "min_unit_value",
        ):
            if data[name] is None:
                data.pop(name)
        return data
