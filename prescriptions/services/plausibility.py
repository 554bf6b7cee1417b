"""Is what is prescribed plausible? (issue 17 items 2–4)

Hard limits refuse (`check_hard_limits`, part of every document's line checks: issued,
transcribed or ordered by a tutela): a countable quantity that is not a whole number, a
total above its technology type's hard bound, a duration above the hard bound of its tipo
de prestación. Soft limits only ask: the issuing prescriber sees each `Caution` beside its
field and confirms it (`prescription_issue` refuses with `ConfirmationRequired` until every
caution is confirmed, then records them).

The bounds are settings (`PRESCRIPTION_LIMITS`, mipres/settings.py). The durations come from
research/mipres-domain.md §3.6 (the EPS's causes 12 and 13: a first prescription covers
about 3 months, more than 12 months must be sucesiva); the research has no quantity bounds,
so those are order-of-magnitude guards against a slipped key, documented in the README.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.aggregates import ArrayAgg
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mipres.lib.errors import DomainError

from ..enums import PrescriptionStatus, SupplyType, TechnologyType, TimeUnit
from ..models import TechnologyLine

# Duration of each time unit in days.
DAYS_PER_UNIT = {
    TimeUnit.MINUTO: Decimal(1) / 1440,
    TimeUnit.HORA: Decimal(1) / 24,
    TimeUnit.DIA: Decimal(1),
    TimeUnit.SEMANA: Decimal(7),
    TimeUnit.MES: Decimal(30),
    TimeUnit.ANO: Decimal(365),
}
# Procedures, devices and complementary services are counted in whole units; medicines and
# nutritional products are when a presentation unit (caja, tableta, sobre…) is given.
COUNTABLE_TYPES = {
    TechnologyType.PROCEDIMIENTO,
    TechnologyType.DISPOSITIVO,
    TechnologyType.SERVICIO_COMPLEMENTARIO,
}
# A unit's scale within its dimension, by the symbol's numerator («mg/ml» → «mg»).
UNIT_SCALES = {
    "µg": ("mass", Decimal("0.000001")),
    "ug": ("mass", Decimal("0.000001")),
    "mcg": ("mass", Decimal("0.000001")),
    "mg": ("mass", Decimal("0.001")),
    "g": ("mass", Decimal(1)),
    "kg": ("mass", Decimal(1000)),
    "ml": ("volume", Decimal("0.001")),
    "l": ("volume", Decimal(1)),
    "m3": ("volume", Decimal(1000)),
    "µmol": ("amount", Decimal("0.000001")),
    "mmol": ("amount", Decimal("0.001")),
    "mol": ("amount", Decimal(1)),
    "ui": ("ui", Decimal(1)),
    "kui": ("ui", Decimal(1000)),
    "millon ui": ("ui", Decimal(1000000)),
    "bq": ("bq", Decimal(1)),
    "mbq": ("bq", Decimal(1000000)),
    "gbq": ("bq", Decimal(1000000000)),
}
THOUSANDFOLD = (Decimal(1000), Decimal("0.001"))

ERRORS = {
    "whole": _("%(what)s debe ser un número entero: %(type)s se entrega en unidades completas."),
    "quantity_hard": _(
        "La cantidad total (%(value)s) supera el máximo de %(limit)s para %(type)s: "
        "revise la cantidad."
    ),
    "over_a_year": _("La duración supera un año: formule la tecnología como prestación sucesiva."),
    "sucesiva_hard": _(
        "La duración (%(days)s días) supera el máximo de %(limit)s días de una prestación "
        "sucesiva: formule un periodo más corto y renueve después."
    ),
}
CAUTIONS = {
    "quantity": _(
        "Advertencia: la cantidad total (%(value)s) es inusual para %(type)s (más de "
        "%(limit)s). Confirme que es correcta."
    ),
    "unica": _(
        "Advertencia: una prestación única de %(days)s días supera los %(limit)s días de "
        "una formulación de primera vez. Confirme la duración o formúlela como sucesiva."
    ),
    "sucesiva": _(
        "Advertencia: una prestación sucesiva de %(days)s días supera %(limit)s días. "
        "Confirme la duración."
    ),
    "unit_factor": _(
        "Advertencia: la concentración está en %(conc)s y la dosis en %(dose)s, unidades "
        "que difieren mil veces. Confirme que las unidades son correctas."
    ),
    "duplicate": _(
        "Advertencia: el paciente ya tiene la prescripción activa %(number)s del %(date)s, "
        "suya, con la misma tecnología (%(code)s). Confirme que quiere prescribirla de nuevo."
    ),
}
E_CONFIRM = _(
    "La prescripción no se emitió: confirme las advertencias marcadas o corrija los datos."
)


@dataclass(frozen=True)
class Caution:
    """A soft limit reached: `code` names exactly what is confirmed (the values included,
    so a changed value asks again); `field` is where the message goes."""

    code: str
    message: str
    field: str | None = None


class ConfirmationRequired(DomainError):
    """Raised by `prescription_issue` while a caution is not confirmed."""

    def __init__(self, cautions: list[Caution]) -> None:
        super().__init__(E_CONFIRM, code="confirmation_required")
        self.cautions = cautions


def limits() -> dict:
    return settings.PRESCRIPTION_LIMITS


def _type_label(technology_type: str) -> str:
    return str(TechnologyType(technology_type).label).lower()


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


def duration_days(line) -> Decimal | None:
    amount, unit = line.fields.get("duration_amount"), line.fields.get("duration_unit")
    if not amount or unit not in DAYS_PER_UNIT:
        return None
    return amount * DAYS_PER_UNIT[unit]


def _countable(line) -> bool:
    return line.technology_type in COUNTABLE_TYPES or bool(line.fields.get("presentation_unit"))


def check_hard_limits(line, index: int) -> None:
    """Refuse what cannot be right: a fraction of a countable unit, a total above the
    type's hard bound, a duration above the hard bound of its tipo de prestación. Raises
    DomainError with the line's field."""
    type_label = _type_label(line.technology_type)
    checks = [("total_quantity", _("La cantidad total"), line.total_quantity)]
    if line.technology_type in COUNTABLE_TYPES:
        checks.append(
            ("quantity_per_use", _("La cantidad por uso"), line.fields.get("quantity_per_use"))
        )
    if _countable(line):
        for name, what, value in checks:
            if value is not None and Decimal(value) != Decimal(value).to_integral_value():
                raise DomainError(
                    ERRORS["whole"] % {"what": what, "type": type_label},
                    field=f"lines.{index}.{name}",
                    code="not_whole",
                )
    hard = limits()["quantity"][line.technology_type][1]
    if line.total_quantity is not None and line.total_quantity > hard:
        raise DomainError(
            ERRORS["quantity_hard"]
            % {"value": _plain(line.total_quantity), "limit": hard, "type": type_label},
            field=f"lines.{index}.total_quantity",
            code="quantity_limit",
        )
    days = duration_days(line)
    if days is None:
        return
    if line.supply_type == SupplyType.UNICA and days > limits()["unica_days"][1]:
        raise DomainError(
            ERRORS["over_a_year"], field=f"lines.{index}.duration_amount", code="over_a_year"
        )
    hard_days = limits()["sucesiva_days"][1]
    if line.supply_type == SupplyType.SUCESIVA and days > hard_days:
        raise DomainError(
            ERRORS["sucesiva_hard"] % {"days": int(days), "limit": hard_days},
            field=f"lines.{index}.duration_amount",
            code="duration_limit",
        )


def limit_cautions(lines) -> list[Caution]:
    """The soft limits each line reaches: an unusual total for its type, a única longer
    than a first prescription covers, a long sucesiva."""
    cautions = []
    for index, line in enumerate(lines):
        soft = limits()["quantity"][line.technology_type][0]
        if line.total_quantity is not None and line.total_quantity > soft:
            value = _plain(line.total_quantity)
            names = {"value": value, "type": _type_label(line.technology_type), "limit": soft}
            cautions.append(
                Caution(
                    f"quantity:{index}:{value}",
                    CAUTIONS["quantity"] % names,
                    f"lines.{index}.total_quantity",
                )
            )
        days = duration_days(line)
        kind = "unica" if line.supply_type == SupplyType.UNICA else "sucesiva"
        limit = limits()[f"{kind}_days"][0]
        if days is not None and days > limit:
            cautions.append(
                Caution(
                    f"{kind}:{index}:{int(days)}",
                    CAUTIONS[kind] % {"days": int(days), "limit": limit},
                    f"lines.{index}.duration_amount",
                )
            )
    return cautions


def _unit_scale(unit) -> tuple[str, Decimal] | None:
    if unit is None:
        return None
    symbol = (unit.symbol or "").split("/")[0].strip().lower()
    return UNIT_SCALES.get(symbol)


def unit_cautions(lines) -> list[Caution]:
    """A medicine line whose dose unit is a thousand times (or a thousandth of) the unit of
    an ingredient's concentration: «1 mg» of ceftriaxona dosed «1 g» is a slip of the unit
    search far more often than a prescription."""
    cautions = []
    for index, line in enumerate(lines):
        dose_unit = line.fields.get("dose_unit")
        dose = _unit_scale(dose_unit)
        for ingredient in line.ingredients:
            conc = _unit_scale(ingredient.concentration_unit)
            if dose and conc and dose[0] == conc[0] and conc[1] / dose[1] in THOUSANDFOLD:
                names = {"conc": ingredient.concentration_unit.symbol, "dose": dose_unit.symbol}
                cautions.append(
                    Caution(
                        f"unit_factor:{index}:{names['conc']}:{names['dose']}",
                        CAUTIONS["unit_factor"] % names,
                        f"lines.{index}.dose_unit",
                    )
                )
                break
    return cautions


# The field naming the technology of a line that is not a medicine (a medicine's active
# ingredients name it), the first one given in this order.
TECHNOLOGY_FIELDS = (
    "procedure",
    "device_type",
    "complementary_service",
    "nutritional_product",
    "nutritional_type",
)


def technology_code(line) -> str | None:
    """What names the technology of a line, as the prescriber reads it: the active
    ingredients' codes of a medicine, the code of the others."""
    if line.technology_type == TechnologyType.MEDICAMENTO:
        codes = sorted(item.ingredient.code for item in line.ingredients)
        return "+".join(codes) or None
    entry = next((line.fields[n] for n in TECHNOLOGY_FIELDS if line.fields.get(n)), None)
    return entry.code if entry is not None else None


def _technology_key(technology_type: str, ingredient_ids, entries) -> tuple | None:
    """The same technology, prescribed again, has the same key: (type, the sorted ids of a
    medicine's active ingredients) or (type, field, id of its catalog entry); None for a
    line that names none. `entries`: (field, id or None) in TECHNOLOGY_FIELDS order."""
    if technology_type == TechnologyType.MEDICAMENTO:
        ids = tuple(sorted(pk for pk in ingredient_ids if pk is not None))
        return (technology_type, ids) if ids else None
    named = next(((name, pk) for name, pk in entries if pk is not None), None)
    return (technology_type, *named) if named else None


def duplicate_cautions(*, prescriber, patient, lines) -> list[Caution]:
    """The lines whose technology the same prescriber already prescribed to the patient in
    an active prescription of the last `duplicate_days` days (a renewal included)."""
    since = timezone.now() - datetime.timedelta(days=limits()["duplicate_days"])
    # One query, by catalog ids (no catalog table joined): each recent line with its
    # active ingredients' ids gathered in an array (a NULL alone for the other types).
    recent = (
        TechnologyLine.objects.filter(
            prescription__patient=patient,
            prescription__prescriber=prescriber,
            prescription__status=PrescriptionStatus.ACTIVA,
            prescription__prescribed_at__gte=since,
        )
        .values_list(
            "id",  # grouped by line: two lines of one prescription are two rows
            "technology_type",
            *(f"{name}_id" for name in TECHNOLOGY_FIELDS),
            "prescription__number",
            "prescription__prescribed_at",
        )
        .annotate(ingredient_ids=ArrayAgg("ingredients__ingredient"))
    )
    known: dict[tuple, tuple[str, datetime.datetime]] = {}  # the newest of each technology
    for _id, tipo, *ids, number, prescribed_at, ingredient_ids in recent:
        key = _technology_key(tipo, ingredient_ids, zip(TECHNOLOGY_FIELDS, ids, strict=True))
        if key and (key not in known or prescribed_at > known[key][1]):
            known[key] = (number, prescribed_at)
    cautions = []
    for index, line in enumerate(lines):
        key = _technology_key(
            line.technology_type,
            [item.ingredient.pk for item in line.ingredients],
            [(name, getattr(line.fields.get(name), "pk", None)) for name in TECHNOLOGY_FIELDS],
        )
        match = known.get(key) if key else None
        if match:
            number, prescribed_at = match
            code = technology_code(line)
            names = {
                "number": number,
                "date": f"{timezone.localtime(prescribed_at):%Y-%m-%d}",
                "code": code,
            }
            cautions.append(
                Caution(
                    f"duplicate:{line.technology_type}:{code}:{number}",
                    CAUTIONS["duplicate"] % names,
                    f"lines.{index}",
                )
            )
    return cautions
