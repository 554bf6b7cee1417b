"""Patient, Coverage, Organization, Location and Practitioner."""

from entities.permissions import EntityType

from .common import (
    DIVIPOLA_SYSTEM,
    DOCUMENT_SYSTEM,
    ENTITY_TYPE,
    NIT_SYSTEM,
    PAYER_CODE_SYSTEM,
    REGIME,
    REPS_SYSTEM,
    RETHUS_SYSTEM,
    SEDE_SYSTEM,
    concept,
    day,
    entity_ref,
    patient_ref,
    ref,
)

GENDER = {"M": "male", "F": "female"}


def _name(person) -> dict:
    given = [n for n in (person.first_name, person.middle_name) if n]
    family = " ".join(n for n in (person.first_surname, person.second_surname) if n)
    return {"use": "official", "family": family, "given": given, "text": person.get_full_name()}


def _document(person) -> dict:
    return {
        "use": "official",
        "type": {"text": person.document_type},
        "system": f"{DOCUMENT_SYSTEM}/{person.document_type}",
        "value": person.document_number,
    }


def _address(text: str, municipality) -> dict:
    address = {"use": "home", "country": "CO"}
    if text:
        address["line"] = [text]
    if municipality is not None:
        address["city"] = municipality.name
        address["district"] = municipality.code
        address["extension"] = [
            {"url": DIVIPOLA_SYSTEM, "valueCode": municipality.code},
        ]
    return address


def patient(p) -> dict:
    """Patient: tipo y número de documento, nombres, fecha de nacimiento, sexo, municipio."""
    resource = {
        "resourceType": "Patient",
        "id": str(p.external_id),
        "identifier": [_document(p)],
        "name": [_name(p)],
        "gender": GENDER.get(p.sex, "other" if p.sex else "unknown"),
        "birthDate": day(p.birth_date),
        "address": [_address(p.address, p.municipality)],
    }
    telecom = []
    if p.phone:
        telecom.append({"system": "phone", "value": p.phone})
    if p.email:
        telecom.append({"system": "email", "value": p.email})
    if telecom:
        resource["telecom"] = telecom
    return resource


def coverage(affiliation) -> dict:
    """Coverage: the BDUA affiliation (código EPS, régimen, vigencia)."""
    code = affiliation.payer_code
    period = {"start": day(affiliation.start_date)}
    if affiliation.end_date:
        period["end"] = day(affiliation.end_date)
    return {
        "resourceType": "Coverage",
        "id": str(affiliation.external_id),
        "status": "active" if affiliation.active else "cancelled",
        "identifier": [{"system": PAYER_CODE_SYSTEM, "value": code.code}],
        "type": concept(REGIME, affiliation.regime, affiliation.get_regime_display()),
        "beneficiary": patient_ref(affiliation.patient),
        "payor": [entity_ref(code.entity)],
        "period": period,
    }


def organization(entity) -> dict:
    """Organization: EPS, EOC, entidad territorial, IPS or proveedor, by NIT."""
    identifiers = [{"system": NIT_SYSTEM, "value": entity.nit}]
    if entity.reps_code:
        identifiers.append({"system": REPS_SYSTEM, "value": entity.reps_code})
    resource = {
        "resourceType": "Organization",
        "id": str(entity.external_id),
        "identifier": identifiers,
        "active": entity.status == entity.Status.VERIFIED,
        "type": [concept(ENTITY_TYPE, entity.entity_type, EntityType(entity.entity_type).label)],
        "name": entity.name,
        "address": [_address(entity.address, entity.municipality)],
    }
    return resource


def location(sede) -> dict:
    """Location: a sede of an IPS or proveedor."""
    return {
        "resourceType": "Location",
        "id": str(sede.external_id),
        "identifier": [{"system": f"{SEDE_SYSTEM}/{sede.entity.nit}", "value": sede.code}],
        "status": "active" if sede.active else "inactive",
        "name": sede.name,
        "address": _address(sede.address, sede.municipality),
        "managingOrganization": entity_ref(sede.entity),
    }


def practitioner(user, registration: str = "") -> dict:
    """Practitioner: the prescriber, with the RETHUS registration the prescription names."""
    identifiers = [_document(user)]
    if registration:
        identifiers.append({"system": RETHUS_SYSTEM, "value": registration})
    return {
        "resourceType": "Practitioner",
        "id": str(user.external_id),
        "identifier": identifiers,
        "name": [_name(user)],
    }


def practitioner_ref(user) -> dict:
    return ref("Practitioner", user.external_id, user.get_full_name())
