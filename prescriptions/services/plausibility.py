"""Is what is prescribed plausible? (issue 17)

Soft limits only ask: the issuing prescriber sees each `Caution` beside its field and
confirms it (`prescription_issue` refuses with `ConfirmationRequired` until every caution
is confirmed, then records them). The bounds are settings (`PRESCRIPTION_LIMITS`,
mipres/settings.py).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mipres.lib.errors import DomainError

from ..enums import PrescriptionStatus, TechnologyType
from ..models import LineActiveIngredient, TechnologyLine

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

CAUTIONS = {
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


def technology_code(line) -> str | None:
    """What names the technology of a line, to find the same one prescribed again: the
    active ingredients of a medicine, the code of the others."""
    if line.technology_type == TechnologyType.MEDICAMENTO:
        codes = sorted(item.ingredient.code for item in line.ingredients)
        return "+".join(codes) or None
    fields = line.fields
    for name in (
        "procedure",
        "device_type",
        "complementary_service",
        "nutritional_product",
        "nutritional_type",
    ):
        if fields.get(name) is not None:
            return fields[name].code
    return None


def duplicate_cautions(*, prescriber, patient, lines) -> list[Caution]:
    """The lines whose technology the same prescriber already prescribed to the patient in
    an active prescription of the last `duplicate_days` days (a renewal included)."""
    since = timezone.now() - datetime.timedelta(days=limits()["duplicate_days"])
    recent = TechnologyLine.objects.filter(
        prescription__patient=patient,
        prescription__prescriber=prescriber,
        prescription__status=PrescriptionStatus.ACTIVA,
        prescription__prescribed_at__gte=since,
    ).values_list(
        "id",
        "technology_type",
        "procedure__code",
        "device_type__code",
        "complementary_service__code",
        "nutritional_product__code",
        "nutritional_type__code",
        "prescription__number",
        "prescription__prescribed_at",
    )
    rows = list(recent.order_by("-prescription__prescribed_at"))
    ingredients: dict[int, list[str]] = {}
    medicine_ids = [row[0] for row in rows if row[1] == TechnologyType.MEDICAMENTO]
    for line_id, code in LineActiveIngredient.objects.filter(line_id__in=medicine_ids).values_list(
        "line_id", "ingredient__code"
    ):
        ingredients.setdefault(line_id, []).append(code)
    known: dict[tuple[str, str], tuple[str, datetime.datetime]] = {}
    for line_id, tipo, *codes, number, prescribed_at in rows:
        if tipo == TechnologyType.MEDICAMENTO:
            code = "+".join(sorted(ingredients.get(line_id, []))) or None
        else:
            code = next((c for c in codes if c), None)
        if code:
            known.setdefault((tipo, code), (number, prescribed_at))
    cautions = []
    for index, line in enumerate(lines):
        code = technology_code(line)
        match = known.get((line.technology_type, code)) if code else None
        if match:
            number, prescribed_at = match
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
