"""A search: parse the parameters against the resource type's sources, read one page per
keyset cursor, and write a searchset Bundle with `self` and `next` links. Unknown
parameters are ignored unless the caller sends `Prefer: handling=strict`."""

from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db.models import Q

from prescriptions.models import Patient
from webservices.services import Caller

from . import params
from .errors import bad_request
from .mapping.administrative import patient as patient_json
from .mapping.administrative import practitioner
from .registry import RESOURCES, ResourceType, Source, line_lookup

DEFAULT_COUNT, MAX_COUNT = 50, 200
CONTROL = {"_count", "_cursor", "_include", "_format"}
DATE_PARAMS = {"authoredon", "authored", "authored-on", "datetime", "whenhandedover"}
LINE_TYPES = ("MedicationRequest", "ServiceRequest", "DeviceRequest", "NutritionOrder")


def _condition(resource: ResourceType, source: Source, name: str, values: list[str]) -> Q | None:
    """The filter of one parameter on one source; None when the source cannot match it
    (a Task parameter that only some of its tables carry)."""
    if name == "_id":
        lookups = [source.id_of(v.strip()) for v in ",".join(values).split(",")]
        matched = [Q(**lookup) for lookup in lookups if lookup is not None]
        if not matched:
            return Q(pk__in=[])
        combined = matched[0]
        for q in matched[1:]:
            combined |= q
        return combined
    if name == "status":
        known = {status: status for s in resource.sources for status in s.statuses}
        condition = Q(pk__in=[])
        for status in params.tokens(",".join(values), known, name):
            if status in source.statuses:
                condition |= source.statuses[status]
        return condition
    if name in DATE_PARAMS:
        path = source.paths.get("date") or source.paths.get(name)
        if path is None:
            return None
        return Q(**params.date_filter(path, values, as_datetime=name != "whenhandedover"))
    if name == "identifier":
        return _identifier(source, values)
    if name == "focus":
        path = source.paths.get("focus")
        if path is None:
            return None
        line = params.reference_id(values[-1], LINE_TYPES, name)
        lookup = line_lookup(line)
        if lookup is None:
            return Q(pk__in=[])
        return Q(**{f"{path}__{key}": value for key, value in lookup.items()})
    reference_types = {
        "patient": "Patient",
        "subject": "Patient",
        "beneficiary": "Patient",
        "requester": "Practitioner",
        "owner": "Organization",
        "organization": "Organization",
    }
    path = source.paths.get(name)
    if path is None:
        return None
    if name in reference_types:
        value = params.uuid_reference(values[-1], reference_types[name], name)
        return Q(**{path: value})
    return Q(**{path: values[-1].strip()})


def _identifier(source: Source, values: list[str]) -> Q:
    system_root = source.paths.get("identifier", "")
    raw = values[-1].strip()
    system, bar, value = raw.rpartition("|")
    if not value or len(value) > 30:
        raise bad_request("identifier: use sistema|valor o solo el valor.")
    if system_root.endswith("/documento"):
        condition = Q(document_number=value)
        if bar and system:
            kind = system.rsplit("/", 1)[-1]
            if not system.startswith(system_root) or not kind.isalpha():
                return Q(pk__in=[])
            condition &= Q(document_type=kind.upper())
        return condition
    if bar and system and system != system_root:
        return Q(pk__in=[])
    return Q(nit=value)


def search(caller: Caller, resource_type: str, query, *, strict: bool, base_url: str) -> dict:
    resource = RESOURCES[resource_type]
    known = set(resource.params) | CONTROL | {"_id"}
    unknown = sorted(name for name in query if name not in known)
    if unknown and strict:
        raise bad_request(f"Parámetro de búsqueda no soportado: {', '.join(unknown)}.")
    size = params.count(query.get("_count"), DEFAULT_COUNT, MAX_COUNT)
    start_source, start_pk = _parse_cursor(query.get("_cursor"), len(resource.sources))
    filters = {name: query.getlist(name) for name in query if name in known - CONTROL}
    rows, next_cursor = [], None
    for index, source in enumerate(resource.sources):
        if index < start_source:
            continue
        queryset = source.queryset(caller)
        skip = False
        for name, values in filters.items():
            condition = _condition(resource, source, name, values)
            if condition is None:
                skip = True
                break
            queryset = queryset.filter(condition)
        if skip:
            continue
        if index == start_source and start_pk:
            queryset = queryset.filter(pk__gt=start_pk)
        page = source.read(queryset.order_by("pk")[: size - len(rows) + 1])
        if len(page) > size - len(rows):
            page = page[: size - len(rows)]
            rows.extend((source, row) for row in page)
            next_cursor = f"{index}.{source.pk_of(page[-1])}"
            break
        rows.extend((source, row) for row in page)
        if len(rows) == size and index + 1 < len(resource.sources):
            next_cursor = f"{index + 1}.0"
            break
    entries = [
        {
            "fullUrl": f"{base_url}{resource_type}/{json['id']}",
            "resource": json,
            "search": {"mode": "match"},
        }
        for json in (source.to_json(row) for source, row in rows)
    ]
    entries += _included(resource, query.getlist("_include"), rows, base_url)
    links = [{"relation": "self", "url": _url(base_url, resource_type, query, None)}]
    if next_cursor:
        links.append({"relation": "next", "url": _url(base_url, resource_type, query, next_cursor)})
    bundle = {"resourceType": "Bundle", "type": "searchset", "link": links}
    if entries:
        bundle["entry"] = entries
    return bundle


def _parse_cursor(raw: str | None, sources: int) -> tuple[int, int]:
    if raw is None:
        return 0, 0
    index, dot, pk = raw.partition(".")
    if not dot or not index.isdigit() or int(index) >= sources:
        raise bad_request("_cursor inválido: siga el enlace «next» tal como se entrega.")
    return int(index), params.cursor(pk)


def _url(base_url: str, resource_type: str, query, cursor: str | None) -> str:
    pairs = [(k, v) for k in query for v in query.getlist(k) if k != "_cursor"]
    if cursor:
        pairs.append(("_cursor", cursor))
    return f"{base_url}{resource_type}?{urlencode(pairs)}"


def _included(resource: ResourceType, includes: list[str], rows, base_url: str) -> list[dict]:
    """`_include=Type:patient` and `Type:requester` on the prescription line types."""
    wanted = set()
    for value in includes:
        kind, _, target = value.partition(":")
        if kind != resource.name or target not in resource.includes:
            raise bad_request(f"_include no soportado: «{value[:60]}».")
        wanted.add(target)
    if not wanted:
        return []
    patients = {line["patient_pk"] for _source, line in rows}
    prescribers = {line["prescriber_pk"]: line["registration"] for _source, line in rows}
    related = []
    if "patient" in wanted:
        found = Patient.objects.select_related("municipality").in_bulk(patients)
        related += [("Patient", patient_json(found[pk])) for pk in sorted(found)]
    if "requester" in wanted:
        found = get_user_model().objects.in_bulk(prescribers)
        related += [
            ("Practitioner", practitioner(found[pk], prescribers[pk])) for pk in sorted(found)
        ]
    return [
        {
            "fullUrl": f"{base_url}{kind}/{json['id']}",
            "resource": json,
            "search": {"mode": "include"},
        }
        for kind, json in related
    ]
