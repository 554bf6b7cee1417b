"""The three MIPRES bases, their operation names and where each puts the token
(research/mipres-ws.md §0.3). Used by the router middleware (case-insensitive paths) and
by the log filters (which mask the token segment)."""

import re
from urllib.parse import unquote

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
    r"(?i)/+(WSSUMMIPRESNOPBS|WSFACMIPRESNOPBS|WSMIPRESNOPBS)/+(api)/+([A-Za-z]+)"
)
# Where a path ends inside a log line: a line break, or the protocol of an access log's
# request line. Spaces, quotes and `?` do not end it: a decoded segment may hold them (the
# rest of a line after the path is masked by the same rules, which can only over-mask).
_PATH_END = re.compile(r"\n|\s+HTTP/\d")
_SECRET_LIKE = re.compile(
    r"^(?:[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}|.{20,})$"
)
MASK = "***"


def _decoded(text: str) -> str:
    """`text` percent-decoded until it no longer changes (at most three times: %2561 is
    a doubly encoded `a`)."""
    for _ in range(3):
        decoded = unquote(text)
        if decoded == text:
            break
        text = decoded
    return text


def _mask_path(match: re.Match, text: str) -> tuple[str, int]:
    """The web-service path starting at `match`, normalised (one slash between segments,
    the base as routed) with its token and anything secret-like masked, and where the
    path ended in `text`."""
    base, operation = match.group(1), match.group(3)
    end = _PATH_END.search(text, match.end())
    stop = end.start() if end else len(text)
    segments = [s for s in text[match.end() : stop].split("/") if s != ""]
    position = token_position(operation)
    for index, segment in enumerate(segments):
        if index == position or _SECRET_LIKE.match(segment.strip()):
            segments[index] = MASK
    path = "/".join(["", base.upper(), "api", operation, *segments])
    return path, stop


def mask_tokens(text: str) -> str:
    """`text` with every web-service token (and GUID) in a path replaced by ***. The
    text is percent-decoded first and each path normalised, so `%61pi`, `API`, doubled
    slashes and spaces or quotes inside segments mask like the plain spelling."""
    if not isinstance(text, str):
        return text
    decoded = _decoded(text)
    if "mipresnopbs" not in decoded.lower():
        return text
    parts, position = [], 0
    for match in _WS_PATH.finditer(decoded):
        if match.start() < position:
            continue
        path, stop = _mask_path(match, decoded)
        parts.append(decoded[position : match.start()])
        parts.append(path)
        position = stop
    parts.append(decoded[position:])
    return "".join(parts)
