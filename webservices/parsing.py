"""Lenient reading of path parameters and JSON bodies (research §4): numbers arrive as JSON
numbers or numeric strings, property names in any case (ASP.NET binds them so), dates as
AAAA-MM-DD (a time part is tolerated). A malformed value is a 400 naming the field."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import bad_request

INT, DEC, QTY, STR, DATE, FLAG = "int", "dec", "qty", "str", "date", "flag"
# Longest text each field's column holds (supply/models/chain.py): longer is a 400, never a
# database error.
MAX_LENGTH = {
    "CodSerTecAEntregar": 20,
    "CodSerTecEntregado": 20,
    "CodSerTecAEntregado": 20,
    "CodCompAdm": 20,
    "CodHom": 20,
    "NoLote": 30,
    "DirPaciente": 200,
    "NoFactura": 100,
    "NoPrescripcionAsociada": 20,
    "NoPrescripcion": 20,
    "TipoTec": 1,
    "TipoIDPaciente": 2,
    "TipoIDRecibe": 2,
    "NoIDRecibe": 15,
    "CodSedeProv": 20,
}
# Quantities are numeric(12, 3): below 10^9. Money is numeric(16, 2): below 10^14.
LIMITS = {QTY: Decimal("1e9"), DEC: Decimal("1e14")}
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.]+Z?)?$")
_DIGITS = re.compile(r"^\d{1,18}$")
FIRST_DATE, LAST_DATE = datetime.date(1900, 1, 1), datetime.date(2999, 12, 31)


def path_date(text: str) -> datetime.date:
    value = _as_date((text or "").strip())
    if value is None:
        raise bad_request(
            _("La fecha «%(value)s» no es válida: use AAAA-MM-DD, entre 1900 y 2999.")
            % {"value": text[:20]},
            code="bad_date",
        )
    return value


def path_id(text: str, name: str = "id") -> int:
    text = (text or "").strip()
    if not _DIGITS.match(text):
        raise bad_request(
            _("El identificador %(name)s debe ser numérico.") % {"name": name}, code="bad_id"
        )
    return int(text)


def path_text(text: str, name: str, max_length: int = 30) -> str:
    """A text parameter (NoPrescripcion, document): trimmed, printable, bounded."""
    text = (text or "").strip()
    if not text or len(text) > max_length or not text.isprintable():
        raise bad_request(
            _("El parámetro %(name)s no es válido.") % {"name": name}, code="bad_parameter"
        )
    return text


def _as_date(value) -> datetime.date | None:
    if not isinstance(value, str):
        return None
    match = _DATE.match(value.strip())
    if not match:
        return None
    try:
        value = datetime.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None
    # The calendar's edges (0001-01-01, 9999-12-31) overflow a day's bounds in a time zone.
    return value if FIRST_DATE <= value <= LAST_DATE else None


def _as_decimal(value) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if "," in text and "." not in text:
        text = text.replace(",", ".")  # decimal comma, as some clients send it
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite() or abs(number) >= Decimal("1e14"):
        return None
    return number


def _convert(kind: str, value, max_length: int = 500):
    """The value converted, or raises ValueError."""
    if kind == STR:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValueError
        text = str(value).strip()
        if "\x00" in text or len(text) > max_length:
            raise ValueError
        return text
    if kind == DATE:
        result = _as_date(value)
        if result is None:
            raise ValueError
        return result
    number = _as_decimal(value)
    if number is None:
        raise ValueError
    if kind in LIMITS:
        if abs(number) >= LIMITS[kind]:
            raise ValueError
        return number
    if number != number.to_integral_value() or abs(number) > 2**31:
        raise ValueError
    number = int(number)
    if kind == FLAG and number not in (0, 1):
        raise ValueError
    return number


_MESSAGES = {
    INT: gettext_lazy("debe ser un número entero"),
    DEC: gettext_lazy("debe ser un número (menor que 10^14)"),
    QTY: gettext_lazy("debe ser una cantidad (menor que 10^9)"),
    STR: gettext_lazy("debe ser un texto corto"),
    DATE: gettext_lazy("debe ser una fecha AAAA-MM-DD"),
    FLAG: gettext_lazy("debe ser 0 o 1"),
}


def parse_body(data, fields: list[tuple[str, str, bool]]) -> dict:
    """Read `data` (a JSON object) by `fields`, (name, kind, required): returns a dict by
    the canonical names (None for an absent optional field) or raises a 400 listing every
    malformed or missing field."""
    if not isinstance(data, dict):
        raise bad_request(
            _("El cuerpo de la solicitud debe ser un objeto JSON."), code="malformed_body"
        )
    lowered = {str(key).lower(): value for key, value in data.items()}
    result, errors = {}, []
    for name, kind, required in fields:
        value = lowered.get(name.lower())
        if value is None or (isinstance(value, str) and not value.strip() and kind != STR):
            if required:
                errors.append(_("%(field)s es obligatorio.") % {"field": name})
            result[name] = None
            continue
        try:
            result[name] = _convert(kind, value, MAX_LENGTH.get(name, 500))
        except ValueError:
            errors.append(f"{name} {_MESSAGES[kind]}.")
            result[name] = None
            continue
        if required and kind == STR and not result[name]:
            errors.append(_("%(field)s es obligatorio.") % {"field": name})
    if errors:
        raise bad_request(
            _("La solicitud tiene datos inválidos."), code="invalid_body", errors=errors
        )
    return result
