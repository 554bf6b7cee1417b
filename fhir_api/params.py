"""Search parameters: each parser turns the raw strings of one parameter into a queryset
filter, or raises a 400 with a Spanish message. FHIR dates take a comparison prefix (eq, ge,
gt, le, lt); references take `Type/id` or a bare id."""

import datetime
import re
import uuid

from mipres.lib.days import day_bounds

from .errors import bad_request

DATE_RE = re.compile(r"^(eq|ge|gt|le|lt)?(\d{4}-\d{2}-\d{2})$")
TOKEN_SPLIT = ","


def date_filter(field: str, values: list[str], *, as_datetime: bool = True) -> dict:
    """{lookup: bound} for every `prefix+YYYY-MM-DD` value, the day taken in Bogotá."""
    lookups = {}
    for raw in values:
        match = DATE_RE.match(raw.strip())
        if not match:
            raise bad_request(
                f"Fecha inválida en «{raw[:40]}»: use AAAA-MM-DD con un prefijo opcional "
                "eq, ge, gt, le o lt."
            )
        prefix = match.group(1) or "eq"
        try:
            day = datetime.date.fromisoformat(match.group(2))
            next_day = day + datetime.timedelta(days=1)
        except (ValueError, OverflowError):
            raise bad_request(f"Fecha fuera del calendario: «{raw[:40]}».") from None
        start, end = day_bounds(day) if as_datetime else (day, next_day)
        if prefix == "eq":
            lookups[f"{field}__gte"], lookups[f"{field}__lt"] = start, end
        elif prefix == "ge":
            lookups[f"{field}__gte"] = start
        elif prefix == "gt":
            lookups[f"{field}__gte"] = end
        elif prefix == "le":
            lookups[f"{field}__lt"] = end
        else:
            lookups[f"{field}__lt"] = start
    return lookups


def reference_id(raw: str, resource_types: tuple[str, ...], name: str) -> str:
    """The id of `Type/id` (or a bare id) when Type is one of `resource_types`."""
    value = raw.strip()
    if "/" in value:
        kind, _, value = value.rpartition("/")
        kind = kind.rsplit("/", 1)[-1]  # absolute URLs keep only Type/id
        if kind not in resource_types:
            raise bad_request(
                f"Referencia desconocida en {name}: se espera {' o '.join(resource_types)}/id."
            )
    if not value or len(value) > 64 or not re.fullmatch(r"[A-Za-z0-9\-.]+", value):
        raise bad_request(f"Identificador inválido en {name}: «{raw[:40]}».")
    return value


def uuid_reference(raw: str, resource_type: str, name: str) -> uuid.UUID:
    value = reference_id(raw, (resource_type,), name)
    try:
        return uuid.UUID(value)
    except ValueError:
        raise bad_request(f"Identificador inválido en {name}: «{raw[:40]}».") from None


def tokens(raw: str, allowed: dict[str, object], name: str) -> list:
    """The values of a comma-separated token parameter, each mapped through `allowed`."""
    result = []
    for value in raw.split(TOKEN_SPLIT):
        value = value.strip()
        if value not in allowed:
            raise bad_request(
                f"Valor desconocido en {name}: «{value[:40]}» (use {', '.join(allowed)})."
            )
        result.append(allowed[value])
    return result


def count(raw: str | None, default: int, maximum: int) -> int:
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise bad_request(f"_count debe ser un entero entre 1 y {maximum}.")
    return int(raw)


def cursor(raw: str | None) -> int:
    if raw is None:
        return 0
    if not raw.isdigit() or len(raw) > 18:
        raise bad_request("_cursor inválido: siga el enlace «next» tal como se entrega.")
    return int(raw)
