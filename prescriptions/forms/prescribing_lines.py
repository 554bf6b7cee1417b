"""The technology lines of the prescription form: one form class per technology type.

One formset (`forms.prescribing.LineFormSet`) holds every line; each row's form class
follows the row's posted `technology_type` (M, P, D, N, S), so a row validates and renders
only its type's fields.
Catalog codes are typed (or picked from search-as-you-type) and resolved here to catalog
rows; `prescription_issue` decides and writes (STYLE R11).
"""

import hashlib
from decimal import Decimal
from functools import partial

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection
from django.forms.renderers import Jinja2
from django.utils.translation import gettext_lazy as _

from mipres.lib.forms import DecimalField, IntegerField

from ..enums import (
    MedicineType,
    NutritionalRoute,
    SpecialIndication,
    SupplyType,
    TechnologyType,
    TimeUnit,
)
from ..models import (
    ActiveIngredient,
    AdministrationRoute,
    ComplementaryService,
    CupsProcedure,
    DeviceType,
    DoseUnit,
    MeasurementUnit,
    NutritionalForm,
    NutritionalProduct,
    NutritionalProductType,
    PharmaceuticalForm,
    PresentationUnit,
    UnirsIndication,
)
from ..services.prescribing import ERRORS as SERVICE_ERRORS
from ..services.prescribing import IngredientData, LineData

MAX_LINES = 50
MAX_INGREDIENTS = 4
# "Según respuesta al tratamiento" and "Única" need no "every N" / "for N".
UNITS_WITHOUT_AMOUNT = {TimeUnit.SEGUN_RESPUESTA, TimeUnit.UNICA}

E_UNKNOWN_CODE = _("El código %(code)s no existe en %(catalog)s.")
E_DISABLED_CODE = SERVICE_ERRORS["disabled_code"]
E_AMOUNT = _("Indique la cantidad.")
E_INGREDIENT_PART = _("Complete el principio activo, su concentración y su unidad.")
E_UNIRS = _("Un medicamento UNIRS necesita al menos una indicación UNIRS.")
E_POSITIVE = _("Debe ser mayor que cero.")
E_PRODUCT_TYPE = _("El producto %(code)s no es del tipo de producto nutricional elegido.")

# How messages name each searchable catalog (names as in prescriptions.catalogs.CATALOGS).
CATALOG_NAMES = {
    "cie10": _("CIE-10"),
    "enfermedades_huerfanas": _("el catálogo de enfermedades huérfanas"),
    "cups": _("CUPS"),
    "dci": _("el catálogo de principios activos (DCI)"),
    "unidades_medida": _("el catálogo de unidades de medida"),
    "productos_nutricionales": _("el catálogo de productos nutricionales"),
    "indicaciones_unirs": _("el catálogo de indicaciones UNIRS"),
}

# The small catalogs, offered as <select> lists of their enabled codes.
SELECT_CATALOGS = {
    "formas_farmaceuticas": PharmaceuticalForm,
    "vias_administracion": AdministrationRoute,
    "unidades_medida_dosis": DoseUnit,
    "presentaciones": PresentationUnit,
    "tipos_dispositivo_medico": DeviceType,
    "tipos_producto_nutricional": NutritionalProductType,
    "formas_producto_nutricional": NutritionalForm,
    "servicios_complementarios": ComplementaryService,
}


def normalize_code(text: str) -> str:
    """What a prescriber types for a code: «e11.9 » is E119."""
    return "".join(text.split()).replace(".", "").upper()


# Seconds a small catalog's entries stay in Django's cache under one stamp. A changed catalog
# has a new stamp, hence a new key: nothing needs clearing, and the old copy expires.
CATALOG_OPTIONS_SECONDS = 3600


def _catalog_stamps(catalogs) -> dict[str, tuple]:
    """Each catalog's (rows, newest `updated_at`), in one query: the importer and the admin
    touch `updated_at` on every change and never delete a code, so an unchanged stamp means
    an unchanged catalog."""
    models_ = [SELECT_CATALOGS[name] for name in catalogs]
    sql = " UNION ALL ".join(
        f"SELECT %s, COUNT(*), MAX(updated_at) FROM {model._meta.db_table}" for model in models_
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(catalogs))
        return {name: (count, str(newest)) for name, count, newest in cursor.fetchall()}


def _digest(stamps) -> str:
    """A short key part for stamps, the same in every process."""
    return hashlib.blake2b(repr(stamps).encode(), digest_size=8).hexdigest()


def _fields(model) -> list[str]:
    """The columns a small catalog's cached rows hold, in order."""
    return [field.attname for field in model._meta.concrete_fields]


class CatalogOptions:
    """The enabled entries of the small catalogs, shared by every line form of a request.

    One query per request reads every catalog's stamp (its row count and newest
    `updated_at`); a catalog's entries come from Django's cache under its stamp, and only a
    changed catalog (a new stamp: a key not cached yet) is read again from the database.
    Reading and listing every catalog for every request cost more than the rest of the
    form. The cache holds each entry as a tuple of its fields' values (a fifth of the cost
    of model instances to take out of the cache: ~0.2 against ~1 ms for a medicine's four
    lists); `get` makes the instance of the one code a form names (`Model.from_db`)."""

    def __init__(self):
        self._stamps: dict[str, tuple] | None = None
        self._entries: dict[str, dict[str, tuple]] = {}  # this request's, by catalog
        # Rows of the large catalogs read for a posted form (`read_codes`): model → code → row
        # (None for a code the catalog lacks).
        self._codes: dict[type, dict[str, object]] = {}

    def _all_stamps(self) -> dict[str, tuple]:
        if self._stamps is None:
            self._stamps = _catalog_stamps(tuple(SELECT_CATALOGS))
        return self._stamps

    @staticmethod
    def _read(catalog: str) -> dict[str, tuple]:
        model = SELECT_CATALOGS[catalog]
        queryset = model.objects.enabled()
        if model is ComplementaryService:
            # New prescriptions use the codes in force since 1 October 2019.
            queryset = queryset.exclude(code_period=ComplementaryService.CodePeriod.BEFORE_2019_10)
        fields = _fields(model)
        code = fields.index("code")
        return {row[code]: row for row in queryset.values_list(*fields)}

    def version(self) -> str:
        """Changes whenever one of the small catalogs changes (for caches of HTML that
        lists their options)."""
        return _digest(sorted(self._all_stamps().items()))

    def entries(self, catalog: str) -> dict[str, tuple]:
        """The catalog's enabled entries by code, each the tuple of its fields' values."""
        if catalog not in self._entries:
            # The columns are part of the key: a release that adds one to a catalog must
            # not read the tuples an older release cached under the same stamp.
            fields = _fields(SELECT_CATALOGS[catalog])
            key = f"catalog-options:{catalog}:{_digest((self._all_stamps()[catalog], fields))}"
            self._entries[catalog] = cache.get_or_set(
                key, partial(self._read, catalog), CATALOG_OPTIONS_SECONDS
            )
        return self._entries[catalog]

    def choices(self, catalog: str) -> list[tuple[str, str]]:
        fields = _fields(SELECT_CATALOGS[catalog])
        choices = [("", "—")]
        for code, row in self.entries(catalog).items():
            entry = dict(zip(fields, row, strict=True))
            symbol = entry.get("symbol")
            choices.append(
                (code, f"{symbol} – {entry['name']}" if symbol else f"{entry['name']} ({code})")
            )
        return choices

    def get(self, catalog: str, code: str):
        """The catalog row of an enabled `code`, as a model instance; None for another."""
        row = self.entries(catalog).get(code)
        if row is None:
            return None
        model = SELECT_CATALOGS[catalog]
        return model.from_db(DEFAULT_DB_ALIAS, _fields(model), row)

    def read_codes(self, wanted: dict[type, set[str]]) -> None:
        """Read the rows of the large-catalog codes a posted form names, one query per
        catalog for the whole form, so that each code field cleans without a query of its
        own (`code_entry`). Codes read before are not read again."""
        for model, codes in wanted.items():
            codes = codes - self._codes.get(model, {}).keys()
            if not codes:
                continue
            rows = model.objects.filter(code__in=codes).order_by()  # a dict: no sorting
            found = {entry.code: entry for entry in rows}
            self._codes.setdefault(model, {}).update({code: found.get(code) for code in codes})

    def read_entry(self, model, code: str):
        """The row `read_codes` read for `code` in `model`, or None (absent or not read)."""
        return self._codes.get(model, {}).get(code)

    def code_entry(self, model, code: str):
        """The row of `code` in the large catalog `model`, or None: as `read_codes` read it,
        or by a query of its own for a code it did not read."""
        known = self._codes.get(model, {})
        if code in known:
            return known[code]
        return model.objects.filter(code=code).first()


# The prescription form's ~40 fields a line and few hundred <option>s (the small catalogs'
# lists repeat in every medicine line) cost most of the page through Django's widget
# templates: Django's own Jinja2 widget templates (django/forms/jinja2) write the same HTML
# several times faster (STYLE R20: the framework's fast part, not a renderer of our own).
WIDGET_RENDERER = Jinja2()


class CatalogCodeField(forms.CharField):
    """A code of a large catalog, typed or picked from the search-as-you-type list
    (`data-catalog` tells the script which). Cleans to the catalog row; an unknown or
    disabled code is refused beside the field."""

    def __init__(self, catalog: str, model, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(max_length=20, **kwargs)
        self.catalog, self.model = catalog, model
        self.options: CatalogOptions | None = None  # the rows a posted form's codes name
        self.is_catalog_search = True  # templates show the code's name under the field
        self.widget.catalog_label = ""
        self.widget.attrs.update(
            {
                "data-catalog": catalog,
                "autocomplete": "off",
                "spellcheck": "false",
                "placeholder": _("Código o nombre"),
            }
        )

    def clean(self, value):
        code = normalize_code(super().clean(value) or "")
        if not code:  # "." is no code: a required field says so
            if self.required and value not in self.empty_values:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        if self.options is not None:
            entry = self.options.code_entry(self.model, code)
        else:
            entry = self.model.objects.filter(code=code).first()
        if entry is None:
            raise ValidationError(
                E_UNKNOWN_CODE % {"code": code, "catalog": CATALOG_NAMES[self.catalog]},
                code="unknown_code",
            )
        if not entry.enabled:
            raise ValidationError(E_DISABLED_CODE % {"code": code}, code="disabled_code")
        return entry


class CatalogSelectField(forms.ChoiceField):
    """A code of a small catalog, chosen in a list; cleans to the catalog row. Its choices
    come from the request's `CatalogOptions`."""

    def __init__(self, catalog: str, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.catalog = catalog
        self.options: CatalogOptions | None = None

    def bind_options(self, options: CatalogOptions) -> None:
        self.options = options
        # A callable: Django lists the choices only when the widget renders, so a posted
        # form that validates and issues never copies the catalogs' option lists.
        self.choices = partial(options.choices, self.catalog)

    def valid_value(self, value) -> bool:
        return str(value) in self.options.entries(self.catalog)

    def clean(self, value):
        code = super().clean(value)
        return self.options.get(self.catalog, code) if code else None


class FixedChoiceField(forms.TypedChoiceField):
    """A choice in a fixed list (an enum's choices), which every copy of the field shares.

    Django copies each field of a form for every form built, and a ChoiceField copies its
    choices label by label: for the time units, indications and types of a line that was
    a third of building it (~150 µs a medicine line, three lines a prescription). These
    lists are never changed, so the copies share them (the widget still gets its own)."""

    def __deepcopy__(self, memo):
        # Field's copy (widget, messages, validators) without ChoiceField's of the choices.
        return forms.Field.__deepcopy__(self, memo)


def _positive_decimal(label, message=None):
    """A quantity above zero, refused with the service's own words when it is not (so every
    mistake shows at the first submit, not one per round trip)."""
    return DecimalField(
        label=label,
        max_digits=12,
        decimal_places=3,
        min_value=Decimal("0.001"),
        error_messages={"min_value": message or E_POSITIVE},
    )


def _time_unit(label, initial):
    return FixedChoiceField(
        label=label, choices=TimeUnit.choices, coerce=int, initial=initial, required=True
    )


class StyledFormMixin:
    """Bootstrap classes on every widget, and `is-invalid` on a field given an error. No
    `required` attributes: the server checks, and a line's hidden fields must not block."""

    use_required_attribute = False
    default_renderer = WIDGET_RENDERER

    def style_widgets(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput) or "form-" in widget.attrs.get("class", ""):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_error(self, field, error):
        super().add_error(field, error)
        names = [field] if field else []
        if field is None and hasattr(error, "error_dict"):
            names = list(error.error_dict)
        for name in names:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"


class LineForm(StyledFormMixin, forms.Form):
    """What every line has: TipoTec, TipoPrest, total quantity, justification (JustNoPBS)
    and recommendations (IndRec). Used alone only for a row whose type is unknown."""

    TYPE = ""
    # The TechnologyLine fields this type passes to the service as they are cleaned.
    SERVICE_FIELDS: tuple[str, ...] = ()

    technology_type = FixedChoiceField(choices=TechnologyType.choices, widget=forms.HiddenInput)
    supply_type = FixedChoiceField(
        label=_("Tipo de prestación"),
        choices=SupplyType.choices,
        coerce=int,
        initial=SupplyType.UNICA,
    )
    total_quantity = _positive_decimal(_("Cantidad total"), SERVICE_ERRORS["quantity"])
    justification = forms.CharField(
        label=_("Justificación"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    recommendations = forms.CharField(
        label=_("Recomendaciones"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 1}),
    )

    def __init__(self, *args, options: CatalogOptions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["technology_type"].initial = self.TYPE
        for field in self.fields.values():
            if isinstance(field, CatalogSelectField):
                field.bind_options(options)
            elif isinstance(field, CatalogCodeField):
                field.options = options
        self.options = options
        self.style_widgets()

    @property
    def type_label(self) -> str:
        return TechnologyType(self.TYPE).label if self.TYPE else _("Tecnología")

    def has_changed(self) -> bool:
        # A row left as added (its defaults, or nothing) is skipped, not refused.
        return any(
            name != "ingredient_count" and self[name].data not in (None, "")
            for name in self.changed_data
        )

    def clean(self):
        cleaned = super().clean()
        for amount, unit in (
            ("frequency_every", "frequency_unit"),
            ("duration_amount", "duration_unit"),
        ):
            if amount not in self.fields or cleaned.get(amount) or amount in self.errors:
                continue
            if unit not in self.errors and cleaned.get(unit) not in UNITS_WITHOUT_AMOUNT:
                self.add_error(amount, E_AMOUNT)
        return cleaned

    def description(self) -> str:
        return ""

    def line_data(self) -> LineData:
        data = self.cleaned_data
        fields = {name: data.get(name) for name in self.SERVICE_FIELDS}
        fields["recommendations"] = data.get("recommendations", "")
        fields["description"] = self.description()[:500]
        return LineData(
            technology_type=self.TYPE,
            supply_type=data["supply_type"],
            justification=data["justification"],
            total_quantity=data["total_quantity"],
            fields=fields,
        )


class _QuantityLineForm(LineForm):
    """Procedures, devices and complementary services: so many per use, every N, for N."""

    SERVICE_FIELDS = (
        "quantity_per_use",
        "frequency_every",
        "frequency_unit",
        "duration_amount",
        "duration_unit",
    )
    CATALOG_FIELD = ""

    quantity_per_use = _positive_decimal(_("Cantidad por uso"))
    frequency_every = IntegerField(label=_("Cada"), min_value=1, required=False)
    frequency_unit = _time_unit(_("Unidad de frecuencia"), TimeUnit.DIA)
    duration_amount = IntegerField(label=_("Durante"), min_value=1, required=False)
    duration_unit = _time_unit(_("Unidad de duración"), TimeUnit.DIA)

    def description(self) -> str:
        entry = self.cleaned_data.get(self.CATALOG_FIELD)
        return f"{entry.name}" if entry else ""


class ProcedureLineForm(_QuantityLineForm):
    TYPE = TechnologyType.PROCEDIMIENTO
    CATALOG_FIELD = "procedure"
    SERVICE_FIELDS = ("procedure", *_QuantityLineForm.SERVICE_FIELDS)

    procedure = CatalogCodeField(
        "cups", CupsProcedure, label=_("Procedimiento (CUPS)"), required=True
    )


class DeviceLineForm(_QuantityLineForm):
    TYPE = TechnologyType.DISPOSITIVO
    CATALOG_FIELD = "device_type"
    SERVICE_FIELDS = ("device_type", *_QuantityLineForm.SERVICE_FIELDS)

    device_type = CatalogSelectField(
        "tipos_dispositivo_medico", label=_("Tipo de dispositivo"), required=True
    )


class ServiceLineForm(_QuantityLineForm):
    TYPE = TechnologyType.SERVICIO_COMPLEMENTARIO
    CATALOG_FIELD = "complementary_service"
    SERVICE_FIELDS = ("complementary_service", *_QuantityLineForm.SERVICE_FIELDS)

    complementary_service = CatalogSelectField(
        "servicios_complementarios", label=_("Servicio complementario"), required=True
    )


class _DoseLineForm(LineForm):
    """Medicines and nutritional products: a dose every N, for N, and the total in a
    presentation unit."""

    dose = _positive_decimal(_("Dosis"), SERVICE_ERRORS["dose"])
    dose_unit = CatalogSelectField(
        "unidades_medida_dosis", label=_("Unidad de dosis"), required=True
    )
    frequency_every = IntegerField(label=_("Cada"), min_value=1, required=False)
    frequency_unit = _time_unit(_("Unidad de frecuencia"), TimeUnit.HORA)
    duration_amount = IntegerField(label=_("Durante"), min_value=1, required=False)
    duration_unit = _time_unit(_("Unidad de duración"), TimeUnit.DIA)
    presentation_unit = CatalogSelectField(
        "presentaciones", label=_("Unidad de presentación"), required=True
    )


class MedicineLineForm(_DoseLineForm):
    TYPE = TechnologyType.MEDICAMENTO
    SERVICE_FIELDS = (
        "medicine_type",
        "pharmaceutical_form",
        "route",
        "dose",
        "dose_unit",
        "frequency_every",
        "frequency_unit",
        "special_indication",
        "duration_amount",
        "duration_unit",
        "presentation_unit",
    )

    medicine_type = FixedChoiceField(
        label=_("Tipo de medicamento"),
        # TipoMed 9 (urgencia médica) exists only in transcriptions.
        choices=[c for c in MedicineType.choices if c[0] != MedicineType.URGENCIA_MEDICA],
        coerce=int,
        initial=MedicineType.MEDICAMENTO,
    )
    ingredient_count = IntegerField(
        widget=forms.HiddenInput, min_value=1, max_value=MAX_INGREDIENTS, required=False, initial=1
    )
    pharmaceutical_form = CatalogSelectField(
        "formas_farmaceuticas", label=_("Forma farmacéutica"), required=True
    )
    route = CatalogSelectField(
        "vias_administracion", label=_("Vía de administración"), required=True
    )
    special_indication = FixedChoiceField(
        label=_("Indicación especial"),
        choices=SpecialIndication.choices,
        coerce=int,
        initial=SpecialIndication.SIN_INDICACION,
    )
    unirs_indications = forms.CharField(
        label=_("Indicaciones UNIRS"),
        max_length=200,
        required=False,
        help_text=_("Códigos separados por comas."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, MAX_INGREDIENTS + 1):
            self.fields[f"ingredient_{n}"] = CatalogCodeField(
                "dci", ActiveIngredient, label=_("Principio activo")
            )
            self.fields[f"concentration_{n}"] = DecimalField(
                label=_("Concentración"),
                max_digits=12,
                decimal_places=4,
                min_value=Decimal("0.0001"),
                required=False,
            )
            self.fields[f"concentration_unit_{n}"] = CatalogCodeField(
                "unidades_medida", MeasurementUnit, label=_("Unidad")
            )
            self.fields[f"ingredient_{n}"].options = self.options
            self.fields[f"concentration_unit_{n}"].options = self.options
        self.fields["unirs_indications"].widget.attrs.update(
            {"data-catalog": "indicaciones_unirs", "data-multiple": "1", "autocomplete": "off"}
        )
        self.style_widgets()

    def ingredient_slots(self) -> list[dict]:
        """The rows of active ingredients to show: as many as `ingredient_count` says, and
        every one holding a value."""
        count = self._ingredient_count()
        slots = []
        for n in range(1, MAX_INGREDIENTS + 1):
            names = (f"ingredient_{n}", f"concentration_{n}", f"concentration_unit_{n}")
            filled = any(self[name].value() not in (None, "") for name in names)
            slots.append(
                {
                    "n": n,
                    "ingredient": self[names[0]],
                    "concentration": self[names[1]],
                    "unit": self[names[2]],
                    "visible": n <= count or filled,
                }
            )
        return slots

    def _ingredient_count(self) -> int:
        try:
            value = int(self["ingredient_count"].value() or 1)
        except (TypeError, ValueError):
            value = 1
        return max(1, min(value, MAX_INGREDIENTS))

    def clean(self):
        cleaned = super().clean()
        self.ingredients = []
        for n in range(1, MAX_INGREDIENTS + 1):
            names = (f"ingredient_{n}", f"concentration_{n}", f"concentration_unit_{n}")
            if any(name in self.errors for name in names):
                continue
            values = [cleaned.get(name) for name in names]
            if not any(values):
                continue
            if not all(values):
                for name, value in zip(names, values, strict=True):
                    if not value:
                        self.add_error(name, E_INGREDIENT_PART)
                continue
            self.ingredients.append(IngredientData(*values))
        slot_errors = any(name.startswith(("ingredient_", "concentration")) for name in self.errors)
        if not self.ingredients and not slot_errors:
            self.add_error("ingredient_1", SERVICE_ERRORS["no_ingredient"])
        self.unirs = []
        if cleaned.get("medicine_type") == MedicineType.UNIRS:
            self.unirs = self._unirs_indications(cleaned.get("unirs_indications", ""))
        return cleaned

    def _unirs_indications(self, text: str) -> list:
        codes = [normalize_code(c) for c in text.replace(";", ",").split(",") if c.strip()]
        found = {e.code: e for e in UnirsIndication.objects.filter(code__in=codes)}
        for code in codes:
            entry = found.get(code)
            if entry is None:
                message = E_UNKNOWN_CODE % {
                    "code": code,
                    "catalog": CATALOG_NAMES["indicaciones_unirs"],
                }
                self.add_error("unirs_indications", message)
            elif not entry.enabled:
                self.add_error("unirs_indications", E_DISABLED_CODE % {"code": code})
        if not codes:
            self.add_error("unirs_indications", E_UNIRS)
        return [found[c] for c in dict.fromkeys(codes) if c in found]

    def description(self) -> str:
        parts = []
        for item in getattr(self, "ingredients", []):
            unit = item.concentration_unit
            parts.append(
                f"{item.ingredient.name} {item.concentration.normalize():f} "
                f"{getattr(unit, 'symbol', '') or unit.name}"
            )
        form = self.cleaned_data.get("pharmaceutical_form")
        text = " + ".join(parts)
        return f"{text} {form.name}" if form else text

    def line_data(self) -> LineData:
        line = super().line_data()
        line.ingredients = self.ingredients
        line.unirs_indications = self.unirs
        return line


class NutritionLineForm(_DoseLineForm):
    TYPE = TechnologyType.PRODUCTO_NUTRICIONAL
    SERVICE_FIELDS = (
        "nutritional_type",
        "nutritional_product",
        "nutritional_form",
        "nutritional_route",
        "dose",
        "dose_unit",
        "frequency_every",
        "frequency_unit",
        "duration_amount",
        "duration_unit",
        "presentation_unit",
    )

    nutritional_type = CatalogSelectField(
        "tipos_producto_nutricional", label=_("Tipo de producto"), required=True
    )
    nutritional_product = CatalogCodeField(
        "productos_nutricionales", NutritionalProduct, label=_("Producto (opcional)")
    )
    nutritional_form = CatalogSelectField(
        "formas_producto_nutricional", label=_("Forma"), required=True
    )
    nutritional_route = FixedChoiceField(
        label=_("Vía"), choices=NutritionalRoute.choices, coerce=int, initial=NutritionalRoute.ORAL
    )

    def clean(self):
        cleaned = super().clean()
        product, kind = cleaned.get("nutritional_product"), cleaned.get("nutritional_type")
        if product and kind and product.product_type_id != kind.pk:
            self.add_error("nutritional_product", E_PRODUCT_TYPE % {"code": product.code})
        return cleaned

    def description(self) -> str:
        entry = self.cleaned_data.get("nutritional_product") or self.cleaned_data.get(
            "nutritional_type"
        )
        return entry.name if entry else ""


LINE_FORMS: dict[str, type[LineForm]] = {
    form.TYPE: form
    for form in (
        MedicineLineForm,
        ProcedureLineForm,
        DeviceLineForm,
        NutritionLineForm,
        ServiceLineForm,
    )
}
