"""The three MIPRES bases, their operation names and where each puts the token
(research/mipres-ws.md §0.3). Used by the router middleware (case-insensitive paths) and
by the log filters (which mask the token segment)."""

import re

BASES = ("WSSUMMIPRESNOPBS", "WSFACMIPRESNOPBS", "WSMIPRESNOPBS")
SUPPLY_BASE, BILLING_BASE, PRESCRIPTION_BASE = BASES

# The supply steps with PUT, lists, XMany and Anular… (entrega en ámbito and entrega códigos
# included: EntregaCodigos has no lists nor annulment, see webservices/views/supply.py).
SUPPLY_STEPS = (
    "Direccionamiento",
    "NODireccionamiento",
    "Programacion",
    "Entrega",
    "EntregaAmbito",
    "ReporteEntrega",
    "Suministro",
)
LIST_SUFFIXES = ("XFecha", "XPrescripcion", "XPacienteFecha")

SUPPLY_OPERATIONS = (
    "GenerarToken",
    "EntregaCodigos",
    "EntregaCodigosXMany",
    *SUPPLY_STEPS,
    *(f"{step}{suffix}" for step in SUPPLY_STEPS for suffix in LIST_SUFFIXES),
    *(f"{step}XMany" for step in SUPPLY_STEPS),
    *(f"Anular{step}" for step in SUPPLY_STEPS),
)
BILLING_OPERATIONS = (
    "GenerarToken",
    "Facturacion",
    "FacturacionXFecha",
    "FacturacionXPrescripcion",
    "FacturacionAnular",
    "DatosFacturados",
    "DatosFacturadosxPrescripcion",
    "DatosFacturadosAnular",
)
PRESCRIPTION_OPERATIONS = (
    "Prescripcion",
    "PrescripcionPaciente",
    "PrescripcionXNumero",
    "NovedadesPrescripcion",
    "JuntaProfesionalXFecha",
    "JuntaProfesional",
    "Tutelas",
    "TutelaXPaciente",
    "TutelaXNumero",
    "NovedadesTutelas",
)
OPERATIONS = {
    SUPPLY_BASE: SUPPLY_OPERATIONS,
    BILLING_BASE: BILLING_OPERATIONS,
    PRESCRIPTION_BASE: PRESCRIPTION_OPERATIONS,
}
_CANONICAL_BASE = {base.lower(): base for base in BASES}
_CANONICAL_OP = {base: {op.lower(): op for op in ops} for base, ops in OPERATIONS.items()}
# Operations whose {fecha} comes before {token}: the token is the third parameter.
_FECHA_FIRST = {
    "prescripcion",
    "prescripcionpaciente",
    "novedadesprescripcion",
    "tutelas",
    "tutelaxpaciente",
    "novedadestutelas",
}


def token_position(operation: str) -> int:
    """Index of the token (or GUID) among the parameters after the operation name."""
    operation = operation.lower()
    if operation.endswith("xpacientefecha") or operation in _FECHA_FIRST:
        return 2
    return 1


def canonical_path(path: str) -> str | None:
    """`path` with its base, `api` and operation spelled as routed (`None` when it is not a
    web-service path). Parameters keep their case: tokens are case-sensitive. Anything else
    under a base (the Swagger UI) is lower-cased; a trailing slash is dropped."""
    parts = path.split("/")
    if len(parts) < 3 or parts[0] != "":
        return None
    base = _CANONICAL_BASE.get(parts[1].lower())
    if base is None:
        return None
    rest = [p for p in parts[2:]]
    while len(rest) > 1 and rest[-1] == "":
        rest.pop()
    if rest and rest[0].lower() == "api":
        rest[0] = "api"
        if len(rest) > 1:
            rest[1] = _CANONICAL_OP[base].get(rest[1].lower(), rest[1])
    else:
        rest = [p.lower() for p in rest]
    return "/".join(["", base, *rest])


_WS_PATH = re.compile(
    r"(?i)(/(?:WSSUMMIPRESNOPBS|WSFACMIPRESNOPBS|WSMIPRESNOPBS)/api/)([A-Za-z]+)((?:/[^/\s?\"']*)*)"
)
_SECRET_LIKE = re.compile(
    r"^(?:[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}|.{20,})$"
)
MASK = "***"


def _mask_match(match: re.Match) -> str:
    prefix, operation, tail = match.group(1), match.group(2), match.group(3)
    segments = tail.split("/")[1:]
    position = token_position(operation)
    for index, segment in enumerate(segments):
        if index == position or _SECRET_LIKE.match(segment):
            segments[index] = MASK
    return prefix + operation + "".join(f"/{s}" for s in segments)


def mask_tokens(text: str) -> str:
    """`text` with every web-service token (and GUID) in a path replaced by ***."""
    if not isinstance(text, str) or "mipresnopbs" not in text.lower():
        return text
    return _WS_PATH.sub(_mask_match, text)
