"""Forms of the delegate's module. They validate input and resolve what was typed (a NIT,
a código EPS) to the object the service takes; the services decide and write (STYLE R11)."""

from crispy_forms.bootstrap import StrictButton
from crispy_forms.layout import Div
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from entities.models import Entity, Municipality, Regime, Sede
from entities.permissions import CODE_HOLDER_TYPES, PROVIDER_TYPES, ROLES_BY_ENTITY_TYPE, Role
from entities.services.common import ERRORS as ENTITY_ERRORS
from mipres.lib.errors import DomainError
from mipres.lib.forms import add_service_error
from mipres.lib.layout import form_helper, row
from mipres.lib.nit import normalize_nit

from .. import selectors
from ..models import DocumentType, User

STATE_CHOICES = [
    (selectors.STATE_ACTIVE, _("Activos")),
    (selectors.STATE_INACTIVE, _("Inactivos")),
    (selectors.STATE_ALL, _("Todos")),
]
UNKNOWN_MUNICIPALITY = _("No existe un municipio con el código DIVIPOLA «%(value)s».")


class ServiceErrorsMixin:
    """Puts a service's refusal beside the field it concerns, translating the service's
    field names to this form's (`service_fields`)."""

    service_fields: dict[str, str] = {}

    def add_service_error(self, error: DomainError | ValidationError) -> None:
        if isinstance(error, DomainError) and error.field in self.service_fields:
            error = DomainError(
                error.message, field=self.service_fields[error.field], code=error.code
            )
        add_service_error(self, error)


# Filters (GET) -------------------------------------------------------------------------


class _FilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Estado"), choices=STATE_CHOICES, initial=selectors.STATE_ACTIVE, required=False
    )

    def filters(self) -> dict:
        """The cleaned filters for the selector (defaults when the form is invalid)."""
        if not self.is_valid():
            return {"state": selectors.STATE_ACTIVE}
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        data.setdefault("state", selectors.STATE_ACTIVE)
        return data


class UserFilterForm(_FilterForm):
    """Filters of "Consulta de usuarios"."""

    role = forms.ChoiceField(label=_("Rol"), required=False)
    document = forms.CharField(label=_("Documento"), max_length=17, required=False)
    name = forms.CharField(label=_("Nombre"), max_length=120, required=False)

    def __init__(self, *args, entity: Entity, **kwargs):
        super().__init__(*args, **kwargs)
        roles = ROLES_BY_ENTITY_TYPE[entity.entity_type]
        self.fields["role"].choices = [("", _("Todos")), *((r, Role(r).label) for r in roles)]
        self.helper = form_helper(
            None,
            Div(
                Div("role", css_class="col-md-3"),
                Div("state", css_class="col-md-2"),
                Div("document", css_class="col-md-2"),
                Div("name", css_class="col-md-3"),
                Div(
                    StrictButton(_("Filtrar"), type="submit", css_class="btn-outline-primary"),
                    css_class="col-md-2 d-flex align-items-end mb-3",
                ),
                css_class="row",
            ),
            method="get",
        )
        self.helper.disable_csrf = True


class NetworkFilterForm(_FilterForm):
    """Filters of "Consulta de entidades" (the payer's network)."""

    payer_code = forms.ModelChoiceField(
        label=_("Código EPS"), queryset=None, required=False, to_field_name="code"
    )
    territory = forms.ModelChoiceField(
        label=_("Entidad territorial"),
        queryset=None,
        required=False,
        to_field_name="external_id",
    )
    provider_type = forms.ChoiceField(
        label=_("Tipo"),
        choices=[("", _("Todos")), *((t.value, t.label) for t in PROVIDER_TYPES)],
        required=False,
    )
    query = forms.CharField(label=_("NIT o nombre"), max_length=200, required=False)

    def __init__(self, *args, payer: Entity, **kwargs):
        super().__init__(*args, **kwargs)
        columns = [Div("state", css_class="col-md-2")]
        if payer.entity_type in CODE_HOLDER_TYPES:
            self.fields["payer_code"].queryset = selectors.payer_code_list(entity=payer)
            self.fields["payer_code"].empty_label = _("Todos")
            self.fields["territory"].queryset = selectors.network_filter_territories(payer=payer)
            self.fields["territory"].empty_label = _("Todas")
            columns += [
                Div("payer_code", css_class="col-md-2"),
                Div("territory", css_class="col-md-2"),
            ]
        else:
            del self.fields["payer_code"], self.fields["territory"]
        columns += [
            Div("provider_type", css_class="col-md-2"),
            Div("query", css_class="col-md-2"),
            Div(
                StrictButton(_("Filtrar"), type="submit", css_class="btn-outline-primary"),
                css_class="col-md-2 d-flex align-items-end mb-3",
            ),
        ]
        self.helper = form_helper(None, Div(*columns, css_class="row"), method="get")
        self.helper.disable_csrf = True


class TerritoryFilterForm(_FilterForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            None,
            Div(
                Div("state", css_class="col-md-3"),
                Div(
                    StrictButton(_("Filtrar"), type="submit", css_class="btn-outline-primary"),
                    css_class="col-md-2 d-flex align-items-end mb-3",
                ),
                css_class="row",
            ),
            method="get",
        )
        self.helper.disable_csrf = True


# Users ---------------------------------------------------------------------------------


class ActivateForm(ServiceErrorsMixin, forms.Form):
    """«Activar usuario»: the person by document type and number only, never a password."""

    PREVIEW = "buscar"
    ACTIVATE = "activar"

    document_type = forms.ChoiceField(
        label=_("Tipo de documento"), choices=DocumentType.choices, initial=DocumentType.CC
    )
    document_number = forms.CharField(
        label=_("Número de documento"),
        max_length=17,
        validators=User._meta.get_field("document_number").validators,
    )
    role = forms.ChoiceField(label=_("Rol"))
    sedes = forms.ModelMultipleChoiceField(
        label=_("Sedes donde entrega"),
        queryset=None,
        required=False,
        to_field_name="external_id",
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Solo para el rol Dispensador. Si no marca ninguna, entrega en todas."),
    )
    nit = forms.CharField(
        label=_("NIT del profesional independiente"),
        max_length=20,
        required=False,
        help_text=_("Sin dígito de verificación. Obligatorio para Prescriptor y Ordenador."),
    )
    reps_code = forms.CharField(
        label=_("Código de habilitación REPS del profesional"),
        max_length=12,
        required=False,
        help_text=_(
            "El código con que el profesional independiente está habilitado en REPS. "
            "Obligatorio para Prescriptor y Ordenador."
        ),
    )

    def __init__(self, *args, entity: Entity, **kwargs):
        super().__init__(*args, **kwargs)
        roles = [r for r in ROLES_BY_ENTITY_TYPE[entity.entity_type] if r != Role.DELEGADO]
        self.fields["role"].choices = [
            ("", _("Elija el rol")),
            *((r, Role(r).label) for r in roles),
        ]
        layout = [row(("document_type", 4), ("document_number", 8)), "role"]
        if entity.entity_type in PROVIDER_TYPES:
            self.fields["sedes"].queryset = selectors.sede_list_active(entity=entity)
            layout.append(Div("sedes", data_show_for="role", data_show_values=Role.DISPENSADOR))
        else:
            del self.fields["sedes"]
        if entity.entity_type in CODE_HOLDER_TYPES:
            self.fields["role"].help_text = _(
                "Prescriptor y Ordenador son para los profesionales independientes de su red: "
                "indique además su NIT y su código REPS."
            )
            layout.append(
                Div(
                    row(("nit", 6), ("reps_code", 6)),
                    data_show_for="role",
                    data_show_values=f"{Role.PRESCRIPTOR} {Role.ORDENADOR}",
                )
            )
        else:
            del self.fields["nit"], self.fields["reps_code"]
        # <button>s, so the posted value stays stable whatever the label's language.
        buttons = Div(
            StrictButton(
                _("Buscar"),
                type="submit",
                name="action",
                value=self.PREVIEW,
                css_class="btn-outline-secondary",
                # The role is not asked yet: skip the browser's required-field check.
                formnovalidate="formnovalidate",
            ),
            StrictButton(
                _("Activar"),
                type="submit",
                name="action",
                value=self.ACTIVATE,
                css_class="btn-primary",
            ),
            css_class="d-flex gap-2",
        )
        self.helper = form_helper(None, *layout, buttons)

    def clean_document_number(self):
        return self.cleaned_data["document_number"].strip().upper()

    def clean_nit(self):
        return normalize_nit(self.cleaned_data["nit"])

    def clean_reps_code(self):
        return self.cleaned_data["reps_code"].strip()

    def clean(self):
        cleaned = super().clean()
        # Delegado is never offered; a posted one gets the service's own explanation.
        if self.data.get("role") == Role.DELEGADO:
            self.errors["role"] = self.error_class([str(ENTITY_ERRORS["delegate_role"])])
        role = cleaned.get("role")
        # Fields of other roles (hidden by the page's script) are ignored, not refused.
        if "sedes" in self.fields and role != Role.DISPENSADOR:
            cleaned["sedes"] = []
        if "nit" in self.fields and role not in (Role.PRESCRIPTOR, Role.ORDENADOR):
            cleaned["nit"] = cleaned["reps_code"] = ""
        return cleaned

    def is_valid_for_preview(self) -> bool:
        """Validate for the "Buscar" step: only the document counts; the other fields'
        errors are dropped so the page does not complain about what is not asked yet."""
        lookup = ("document_type", "document_number")
        for name in [name for name in self.errors if name not in lookup]:
            del self.errors[name]
        return not self.errors

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "document_type": data["document_type"],
            "document_number": data["document_number"],
            "role": data["role"],
            "sedes": list(data.get("sedes") or []),
            "nit": data.get("nit", ""),
            "reps_code": data.get("reps_code", ""),
        }


class ReasonForm(forms.Form):
    """The reason every inactivation asks for (STYLE R8)."""

    reason = forms.CharField(
        label=_("Motivo"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Queda en el historial junto con su nombre y la fecha."),
    )

    def __init__(self, *args, submit_label=None, required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        submit_label = submit_label or _("Inactivar")
        self.fields["reason"].required = required
        button = StrictButton(
            submit_label, type="submit", css_class="btn-danger" if required else "btn-primary"
        )
        self.helper = form_helper(None, *self.fields, Div(button, css_class="mb-3"))

    def clean_reason(self):
        return self.cleaned_data["reason"].strip()


# Sedes ---------------------------------------------------------------------------------


class SedeForm(ServiceErrorsMixin, forms.Form):
    code = forms.CharField(
        label=_("Código de sede"),
        max_length=12,
        help_text=_("Solo dígitos; único dentro de la entidad."),
    )
    name = forms.CharField(label=_("Nombre"), max_length=200)
    address = forms.CharField(label=_("Dirección"), max_length=200)
    municipality = forms.ModelChoiceField(
        label=_("Municipio"),
        queryset=Municipality.objects.select_related("department"),
        empty_label=_("Elija el municipio"),
        error_messages={"invalid_choice": UNKNOWN_MUNICIPALITY},
    )
    phone = forms.CharField(label=_("Teléfono"), max_length=30, required=False)

    def __init__(self, *args, sede: Sede | None = None, **kwargs):
        if sede is not None:
            kwargs.setdefault(
                "initial",
                {
                    "code": sede.code,
                    "name": sede.name,
                    "address": sede.address,
                    "municipality": sede.municipality_id,
                    "phone": sede.phone,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["municipality"].label_from_instance = lambda m: f"{m.code} – {m}"
        self.helper = form_helper(
            _("Guardar"),
            row(("code", 4), ("name", 8)),
            row(("address", 8), ("phone", 4)),
            "municipality",
        )

    def clean_code(self):
        return self.cleaned_data["code"].strip()


class SedeStateForm(ReasonForm):
    """Inactivate (with a reason) or reactivate a sede. The posted `target` is what the
    delegate saw and confirmed, so a repeated submission cannot flip the sede back."""

    INACTIVATE, REACTIVATE = "inactivar", "reactivar"

    target = forms.ChoiceField(
        choices=[(INACTIVATE, INACTIVATE), (REACTIVATE, REACTIVATE)], widget=forms.HiddenInput
    )

    def __init__(self, *args, sede: Sede, **kwargs):
        target = self.INACTIVATE if sede.active else self.REACTIVATE
        super().__init__(
            *args,
            initial={"target": target},
            required=sede.active,
            submit_label=_("Inactivar la sede") if sede.active else _("Reactivar la sede"),
            **kwargs,
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("target") == self.INACTIVATE and not cleaned.get("reason"):
            self.add_error("reason", _("Indique el motivo de la inactivación."))
        return cleaned

    @property
    def activate(self) -> bool:
        return self.cleaned_data["target"] == self.REACTIVATE


# Network and territory -----------------------------------------------------------------


class NetworkAssociateForm(ServiceErrorsMixin, forms.Form):
    """«Asociar IPS o proveedor»: by NIT, with the código EPS and, for a subsidiado code,
    the entidad territorial."""

    service_fields = {"provider": "nit"}

    nit = forms.CharField(
        label=_("NIT de la IPS o del proveedor"),
        max_length=20,
        help_text=_("Sin dígito de verificación."),
    )
    payer_code = forms.ModelChoiceField(
        label=_("Código EPS"),
        queryset=None,
        to_field_name="code",
        required=False,
        empty_label=_("Elija el código EPS"),
    )
    territory = forms.ModelChoiceField(
        label=_("Entidad territorial"),
        queryset=None,
        to_field_name="external_id",
        required=False,
        empty_label=_("Elija la entidad territorial"),
        help_text=_(
            "Solo para un código del régimen subsidiado: las entidades territoriales que han "
            "asociado su EPS."
        ),
    )

    def __init__(self, *args, payer: Entity, **kwargs):
        super().__init__(*args, **kwargs)
        layout = ["nit"]
        if payer.entity_type in CODE_HOLDER_TYPES:
            codes = selectors.payer_code_list(entity=payer, active_only=True)
            self.fields["payer_code"].queryset = codes
            self.fields["payer_code"].required = True
            self.subsidiado_codes = [c.code for c in codes if c.regime == Regime.SUBSIDIADO]
            # Any entidad territorial validates, so a stale choice (an association ended
            # since the page loaded) gets the service's explanation; the list offers only
            # those that have associated this EPS.
            territory = self.fields["territory"]
            territory.queryset = selectors.territory_list()
            territory.widget.choices = [
                ("", territory.empty_label),
                *(
                    (et.external_id, et.name)
                    for et in selectors.network_territory_choices(payer=payer)
                ),
            ]
            layout += [
                "payer_code",
                Div(
                    "territory",
                    css_id="territory-field",
                    data_show_for="payer_code",
                    data_show_values=" ".join(self.subsidiado_codes),
                ),
            ]
        else:
            del self.fields["payer_code"], self.fields["territory"]
        self.helper = form_helper(_("Asociar"), *layout)

    def clean_nit(self) -> Entity:
        nit = normalize_nit(self.cleaned_data["nit"])
        provider = selectors.provider_get_by_nit(nit) if nit.isdigit() else None
        if provider is None:
            raise ValidationError(
                _("No hay una IPS ni un proveedor verificado con el NIT «%(nit)s»."),
                params={"nit": nit},
                code="unknown_nit",
            )
        return provider

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "provider": data["nit"],
            "payer_code": data.get("payer_code"),
            "territory": data.get("territory"),
        }


class TerritoryAssociateForm(ServiceErrorsMixin, forms.Form):
    """«Asociar EPS del régimen subsidiado»: by its código EPS."""

    payer_code = forms.CharField(
        label=_("Código EPS"),
        max_length=6,
        help_text=_("El código de la EPS en el régimen subsidiado, por ejemplo EPSS01."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(_("Asociar"))

    def clean_payer_code(self):
        code = self.cleaned_data["payer_code"].strip().upper()
        payer_code = selectors.payer_code_get(code)
        if payer_code is None:
            raise ValidationError(
                _("No existe un código EPS «%(code)s»."), params={"code": code}, code="unknown"
            )
        return payer_code
