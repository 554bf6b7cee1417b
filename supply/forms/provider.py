"""The proveedor's and the dispensador's forms: worklist filters, programación, entrega (and
entrega en ámbito), reporte de entrega, facturación and the prescription lookup.

They convert what was typed; the services apply the rules and their refusals come back
beside the field (STYLE R11). A sede field accepts any sede so that the service answers
"La sede no es de su entidad." for another proveedor's, rather than a generic choice error.
"""

from crispy_forms.layout import HTML, Div
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from accounts.models import DocumentType
from entities.models import Sede
from mipres.lib.errors import DomainError
from mipres.lib.filter_form import filter_form_html
from mipres.lib.forms import DateField, DecimalField, IntegerField, add_service_error
from mipres.lib.layout import form_helper, row
from prescriptions.enums import TechnologyType
from prescriptions.models import NonDeliveryCause, TechnologyLine

from ..selectors.deadlines import LABELS as LIGHT_LABELS
from ..selectors.provider import WorklistFilters, sede_get

DATE_WIDGET = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
LIGHTS = [("", _("Todos")), *LIGHT_LABELS.items()]
PROCEDURE_NOTE = _(
    "Para procedimientos se reporta ÚNICAMENTE el suministro del procedimiento: todos los "
    "dispositivos e insumos médicos necesarios e insustituibles están incluidos en él y no "
    "se reportan por separado. Quien reporta el suministro es ÚNICAMENTE el proveedor del "
    "procedimiento."
)


class ServiceErrorsMixin:
    def add_service_error(self, error: DomainError) -> None:
        add_service_error(self, error)


# Worklists ----------------------------------------------------------------------------------


class WorklistFilterForm(forms.Form):
    """A worklist's filters (GET), written out by `mipres.lib.filter_form` in `LAYOUT`. The
    deadline light applies where the step has a FecMaxEnt; `date_label` names the date the
    range filters."""

    LAYOUT = (
        (("light", 2), ("date_from", 2), ("date_to", 2), ("payer", 3), ("technology_type", 3)),
        (("number", 4),),
    )

    light = forms.ChoiceField(label=_("Semáforo"), choices=LIGHTS, required=False)
    date_from = DateField(label=_("Desde"), required=False, **DATE_WIDGET)
    date_to = DateField(label=_("Hasta"), required=False, **DATE_WIDGET)
    payer = forms.ChoiceField(
        label=_("Pagador"),
        required=False,
        error_messages={"invalid_choice": _("Elija un pagador de la lista.")},
    )
    technology_type = forms.ChoiceField(
        label=_("Tecnología"), choices=[("", _("Todas")), *TechnologyType.choices], required=False
    )
    number = forms.CharField(
        label=_("Prescripción o documento"),
        max_length=20,
        required=False,
        help_text=_("Número de prescripción (20 dígitos) o documento del paciente."),
    )

    def __init__(self, data=None, *, payers, with_light: bool, date_label=None, **kwargs):
        """`payers`: (pk, external_id, name) of the payers offered."""
        super().__init__(data, **kwargs)
        self.payer_ids = {str(external_id): pk for pk, external_id, _name in payers}
        self.fields["payer"].choices = [
            ("", _("Todos")),
            *((str(external_id), name) for _pk, external_id, name in payers),
        ]
        if not with_light:
            del self.fields["light"]
        if date_label:
            self.fields["date_from"].label = _("%(what)s desde") % {"what": date_label}
            self.fields["date_to"].label = _("%(what)s hasta") % {"what": date_label}

    def clean_payer(self) -> int | None:
        return self.payer_ids.get(self.cleaned_data["payer"])

    def clean_number(self):
        return "".join(self.cleaned_data["number"].split()).upper()

    filters_class = WorklistFilters

    def html(self) -> SafeString:
        return filter_form_html(self, self.LAYOUT, submit=_("Filtrar"))

    def filters(self) -> WorklistFilters:
        """The valid filters (an invalid one is left out and shown beside its field)."""
        if not self.is_bound:
            return WorklistFilters()
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        return WorklistFilters(**data)


class SedeField(forms.ModelChoiceField):
    """Offers the entity's active sedes but accepts any sede, so that the service refuses
    another entity's or an inactive one with its own message (next to the field)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            sede = sede_get(int(value))
        except (ValueError, TypeError):
            sede = None
        if sede is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return sede

    def label_from_instance(self, obj):
        return f"{obj.code} – {obj.name} ({obj.municipality.name})"


# Proveedor ---------------------------------------------------------------------------------


class ProgramacionForm(ServiceErrorsMixin, forms.Form):
    sede = SedeField(
        label=_("Sede que entrega"),
        queryset=Sede.objects.none(),
        empty_label=_("Elija la sede"),
        error_messages={
            "required": _("Elija la sede que entrega."),
            "invalid_choice": _("La sede no existe."),
        },
    )

    def __init__(self, *args, sedes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sede"].queryset = sedes.select_related("municipality")
        self.helper = form_helper(_("Programar"), "sede")
        self.helper.attrs = {"novalidate": ""}


def cause_field(line: TechnologyLine, *, label, partial_hint: bool) -> forms.ModelChoiceField:
    """The causes that apply to the line's type. With `partial_hint` the causes that do not
    justify a partial delivery say they are only for deliveries of nothing."""
    field = forms.ModelChoiceField(
        label=label,
        queryset=NonDeliveryCause.objects.for_technology(line.technology_type).filter(enabled=True),
        required=False,
        empty_label=_("Elija la causa"),
        error_messages={"invalid_choice": _("Elija una causa de la lista.")},
    )
    if partial_hint:
        field.label_from_instance = lambda cause: (
            f"{cause.code} – {cause.name}"
            if cause.for_partial_delivery
            else _("%(code)s – %(name)s (solo si no entregó nada)")
            % {"code": cause.code, "name": cause.name}
        )
    else:
        field.label_from_instance = lambda cause: f"{cause.code} – {cause.name}"
    return field


YES_NO = [("1", _("Sí, se entregó")), ("0", _("No se entregó"))]


def _to_bool(value) -> bool:
    return value in (True, "1", "True", "true")


class ReporteForm(ServiceErrorsMixin, forms.Form):
    """Reporte de entrega: delivered or not (then a cause of the line's type), value."""

    delivered = forms.TypedChoiceField(
        label=_("¿Se entregó?"),
        choices=YES_NO,
        coerce=_to_bool,
        widget=forms.RadioSelect,
        error_messages={"required": _("Indique si se entregó.")},
    )
    cause = forms.ModelChoiceField(queryset=NonDeliveryCause.objects.none(), required=False)
    value = DecimalField(
        label=_("Valor entregado"),
        max_digits=16,
        decimal_places=2,
        error_messages={
            "required": _("Indique el valor entregado."),
            "invalid": _("Escriba el valor con números (punto para los decimales)."),
        },
    )

    def __init__(self, *args, line: TechnologyLine, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cause"] = cause_field(
            line, label=_("Causa de no entrega (si no se entregó)"), partial_hint=False
        )
        self.helper = form_helper(
            _("Reportar entrega"), "delivered", row(("cause", 8), ("value", 4))
        )
        self.helper.attrs = {"novalidate": ""}


MONEY = {"max_digits": 16, "decimal_places": 2}
NUMBER_INVALID = _("Escriba un número (punto para los decimales).")


def money_field(label, *, required=True, **attrs) -> forms.DecimalField:
    return DecimalField(
        label=label,
        required=required,
        min_value=0,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", **attrs}),
        error_messages={
            "required": _("Indique %(what)s.") % {"what": str(label).lower()},
            "invalid": NUMBER_INVALID,
            "min_value": _("No puede ser negativo."),
        },
        **MONEY,
    )


class FacturacionForm(ServiceErrorsMixin, forms.Form):
    """Facturación: the total is computed (units × unit value − cuota moderadora or copago);
    the page shows it live (static/supply/provider.js) and the service stores its own."""

    invoice_number = forms.CharField(
        label=_("Número de factura"),
        max_length=100,
        error_messages={"required": _("Indique el número de la factura.")},
    )
    units = DecimalField(
        label=_("Unidades mínimas de dispensación"),
        max_digits=12,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"step": "0.001", "min": "0", "data-invoice": "units"}),
        error_messages={
            "required": _("Indique las unidades mínimas de dispensación."),
            "invalid": NUMBER_INVALID,
        },
    )
    unit_value = money_field(_("Valor unitario"), **{"data-invoice": "unit_value"})
    cuota_moderadora = money_field(
        _("Cuota moderadora"), required=False, **{"data-invoice": "cuota_moderadora"}
    )
    copago = money_field(_("Copago"), required=False, **{"data-invoice": "copago"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cuota_moderadora"].help_text = _("Excluyente con el copago.")
        self.fields["copago"].help_text = _("Excluyente con la cuota moderadora.")
        self.helper = form_helper(
            _("Registrar facturación"),
            row(("invoice_number", 4), ("units", 4), ("unit_value", 4)),
            row(("cuota_moderadora", 4), ("copago", 4)),
            Div(
                HTML("{% include 'supply/provider/_invoice_total.html' %}"),
                css_class="mb-3 col-md-4",
            ),
        )
        self.helper.attrs = {"novalidate": "", "data-invoice-form": ""}

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["cuota_moderadora"] = data.get("cuota_moderadora") or 0
        data["copago"] = data.get("copago") or 0
        return data


# Dispensador ------------------------------------------------------------------------------

TOTAL_CHOICES = [("1", _("Total")), ("0", _("Parcial"))]


class EntregaForm(ServiceErrorsMixin, forms.Form):
    """The entrega of a programación (or, with the ámbito fields, en ámbito)."""

    technology_code = forms.CharField(
        label=_("Código de la tecnología entregada"),
        max_length=20,
        error_messages={"required": _("Indique el código de la tecnología entregada.")},
    )
    quantity = DecimalField(
        label=_("Cantidad entregada"),
        max_digits=12,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"step": "any", "min": "0"}),
        error_messages={
            "required": _("Indique la cantidad entregada."),
            "invalid": NUMBER_INVALID,
        },
    )
    total = forms.TypedChoiceField(
        label=_("Entrega"),
        choices=TOTAL_CHOICES,
        coerce=_to_bool,
        widget=forms.RadioSelect(attrs={"data-entrega": "total"}),
        error_messages={"required": _("Indique si la entrega es total o parcial.")},
    )
    cause = forms.ModelChoiceField(queryset=NonDeliveryCause.objects.none(), required=False)
    delivered_on = DateField(
        label=_("Fecha de entrega"),
        error_messages={
            "required": _("Indique la fecha de entrega."),
            "invalid": _("Escriba una fecha válida."),
        },
        **DATE_WIDGET,
    )
    batch = forms.CharField(label=_("Número de lote"), max_length=30, required=False)
    receiver_document_type = forms.ChoiceField(
        label=_("Tipo de documento de quien recibe"),
        choices=DocumentType.choices,
        error_messages={"required": _("Elija el tipo de documento de quien recibe.")},
    )
    receiver_document_number = forms.CharField(
        label=_("Documento de quien recibe"),
        max_length=15,
        error_messages={"required": _("Indique el documento de quien recibe.")},
    )

    def __init__(self, *args, line: TechnologyLine, **kwargs):
        super().__init__(*args, **kwargs)
        patient = line.prescription.patient
        self.initial.setdefault("delivered_on", timezone.localdate())
        self.initial.setdefault("total", "1")
        self.initial.setdefault("receiver_document_type", patient.document_type)
        self.initial.setdefault("receiver_document_number", patient.document_number)
        self.fields["cause"] = cause_field(
            line, label=_("Causa (entrega parcial)"), partial_hint=True
        )
        self.fields["cause"].help_text = _(
            "Obligatoria si la entrega es parcial: una causa que justifique la entrega "
            "parcial, o cualquiera si no entregó nada (cantidad 0)."
        )
        if line.technology_type == TechnologyType.MEDICAMENTO:
            self.fields["batch"].label = _("Número de lote (obligatorio)")
            self.fields["batch"].help_text = _("Obligatorio: la tecnología es un medicamento.")
        else:
            self.fields["batch"].help_text = _("Obligatorio solo para medicamentos.")
        self.helper = form_helper(_("Registrar entrega"), *self.layout())
        self.helper.attrs = {"novalidate": "", "data-entrega-form": ""}

    def layout(self) -> list:
        return [
            row(("technology_code", 4), ("quantity", 4), ("delivered_on", 4)),
            "total",
            Div("cause", css_class="mb-0", data_entrega="cause"),
            row(("batch", 4), ("receiver_document_type", 4), ("receiver_document_number", 4)),
        ]

    def clean_receiver_document_number(self):
        return "".join(self.cleaned_data["receiver_document_number"].split()).upper()


class EntregaAmbitoForm(EntregaForm):
    """An entrega en ámbito: it creates the delivery (NoEntrega, NoSubEntrega)."""

    delivery_number = IntegerField(
        label=_("Número de entrega (NoEntrega)"),
        min_value=1,
        max_value=32767,
        error_messages={
            "required": _("Indique el número de entrega."),
            "min_value": _("El número de entrega empieza en 1."),
        },
    )
    sub_number = IntegerField(
        label=_("Subentrega (NoSubEntrega)"),
        min_value=0,
        max_value=32767,
        initial=0,
        error_messages={"required": _("Indique la subentrega (0 si no hay).")},
    )
    sede = SedeField(
        label=_("Sede (opcional)"),
        queryset=Sede.objects.none(),
        required=False,
        empty_label=_("Sin sede"),
        error_messages={"invalid_choice": _("La sede no existe.")},
    )

    def __init__(self, *args, sedes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sede"].queryset = sedes.select_related("municipality")

    def layout(self) -> list:
        return [row(("delivery_number", 3), ("sub_number", 3), ("sede", 6)), *super().layout()]


class LookupForm(forms.Form):
    """Prescription number and the patient's document, all required and matched exactly."""

    number = forms.RegexField(
        label=_("Número de prescripción"),
        regex=r"^\d{20}$",
        error_messages={
            "required": _("Indique el número de la prescripción."),
            "invalid": _("El número tiene 20 dígitos."),
        },
    )
    document_type = forms.ChoiceField(
        label=_("Tipo de documento del paciente"),
        choices=[("", _("Elija")), *DocumentType.choices],
        error_messages={"required": _("Elija el tipo de documento del paciente.")},
    )
    document_number = forms.CharField(
        label=_("Documento del paciente"),
        max_length=20,
        error_messages={"required": _("Indique el documento del paciente.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            _("Buscar"),
            row(("number", 5), ("document_type", 3), ("document_number", 4)),
            method="get",
        )
        self.helper.attrs = {"novalidate": ""}
        self.helper.disable_csrf = True

    def clean_number(self):
        return self.cleaned_data["number"].strip()

    def clean_document_number(self):
        return "".join(self.cleaned_data["document_number"].split()).upper()
